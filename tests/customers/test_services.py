import threading

import pytest
from django.db import connection

from customers.models import Customer
from customers.services import customer_identify, normalise_phone
from omni.errors import DomainError

pytestmark = pytest.mark.django_db


def test_phone_numbers_are_stored_in_one_spelling():
    assert normalise_phone("06 12 34 56 78") == "+33612345678"
    assert normalise_phone("+33 6 12 34 56 78") == "+33612345678"
    assert normalise_phone("0033612345678") == "+33612345678"
    with pytest.raises(DomainError):
        normalise_phone("12")


def test_the_same_person_is_one_customer_whatever_the_spelling():
    first = customer_identify(email="Lea.Martin@Example.fr ", first_name="Léa")
    again = customer_identify(email="lea.martin@example.fr", phone="06 12 34 56 78", last_name="Martin")
    by_phone = customer_identify(phone="+33612345678")
    assert first.pk == again.pk == by_phone.pk
    first.refresh_from_db()
    assert (first.email, first.phone, first.first_name, first.last_name) == (
        "lea.martin@example.fr",
        "+33612345678",
        "Léa",
        "Martin",
    )


def test_a_customer_needs_an_email_or_a_phone():
    with pytest.raises(DomainError):
        customer_identify(first_name="Anonyme")
    assert not Customer.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_captures_for_a_new_person_create_one_customer():
    barrier = threading.Barrier(8)
    errors = []

    def capture():
        try:
            barrier.wait()
            customer_identify(email="new@example.fr")
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=capture) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Customer.objects.filter(email="new@example.fr").count() == 1
