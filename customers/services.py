"""Writes of the customers app."""

from __future__ import annotations

import phonenumbers
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from omni.errors import DomainError

from .locks import customer_lock_by_email, customer_lock_by_phone
from .models import Address, Customer

ADDRESS_FIELDS = ("name", "line1", "line2", "postcode", "city", "country", "phone")


def normalise_phone(raw: str, *, region: str = "FR", field: str = "phone") -> str:
    """ "06 12 34 56 78" -> "+33612345678". Raises DomainError on a number that cannot exist."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise DomainError(_("%(phone)s is not a valid phone number.") % {"phone": raw}, field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str:
    return (raw or "").strip().lower()


@transaction.atomic
def customer_identify(
    *,
    email: str = "",
    phone: str = "",
    first_name: str = "",
    last_name: str = "",
    language: str = "",
) -> Customer:
    """The customer with this e-mail or phone, created when neither is known.

    Deduplicates on the normalised e-mail first, then the phone. Fills blanks on a known
    customer (a phone given for the first time is kept) but never overwrites what is
    there. Safe under concurrency: two captures for one new person create one row.
    """
    email, phone = normalise_email(email), normalise_phone(phone)
    if not email and not phone:
        raise DomainError(_("Give the customer's e-mail address or phone number."), field="customer")
    customer = _find(email, phone)
    if customer is None:
        try:
            with transaction.atomic():
                return Customer.objects.create(
                    email=email,
                    phone=phone,
                    first_name=first_name.strip(),
                    last_name=last_name.strip(),
                    language=language or Customer._meta.get_field("language").default,
                )
        except IntegrityError:
            # Someone created them a moment ago.
            customer = _find(email, phone)
    changed = []
    for field, value in (
        ("email", email),
        ("phone", phone),
        ("first_name", first_name.strip()),
        ("last_name", last_name.strip()),
    ):
        if value and not getattr(customer, field):
            if field in ("email", "phone") and Customer.objects.filter(**{field: value}).exists():
                continue  # belongs to another customer; keep the two apart
            setattr(customer, field, value)
            changed.append(field)
    if changed:
        customer.save(update_fields=[*changed, "updated_at"])
    return customer


def _find(email: str, phone: str) -> Customer | None:
    if email and (customer := customer_lock_by_email(email)):
        return customer
    if phone:
        return customer_lock_by_phone(phone)
    return None


def address_remember(*, customer: Customer, address: dict) -> Address:
    """Keep an address on the customer's file (once, however many orders use it)."""
    values = {field: address.get(field, "") or "" for field in ADDRESS_FIELDS}
    values["country"] = values["country"] or "FR"
    existing = customer.addresses.filter(**values).first()
    if existing:
        existing.save(update_fields=["last_used_at"])
        return existing
    return Address.objects.create(customer=customer, **values)
