import datetime
from decimal import Decimal

import factory

from accounts.models import Role, User
from inventory.models import Location, OpeningPeriod


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"ST-TEST-{n:03d}")
    name = factory.Sequence(lambda n: f"Test store {n}")
    kind = Location.Kind.STORE
    address_line1 = "1 rue de la Paix"
    postcode = "75002"
    city = "Paris"
    latitude = Decimal("48.869000")
    longitude = Decimal("2.331000")
    is_pickup_point = True
    ships_to_customers = True
    daily_capacity = 40
    order_cutoff_time = datetime.time(16, 0)

    @factory.post_generation
    def hours(obj, create, extracted, **kwargs):
        """Monday to Saturday 10:00–19:00 unless hours=[(weekday, opens, closes), ...] is given."""
        if not create:
            return
        spans = (
            extracted
            if extracted is not None
            else [(d, datetime.time(10), datetime.time(19)) for d in range(6)]
        )
        OpeningPeriod.objects.bulk_create(
            OpeningPeriod(location=obj, weekday=d, opens_at=o, closes_at=c) for d, o, c in spans
        )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Test{n}")
    role = Role.CALL_CENTRE
    password = factory.PostGenerationMethodCall("set_password", "s3cret-pass!")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class HeadOfficeFactory(UserFactory):
    role = Role.HEAD_OFFICE
    is_staff = True


class StoreAssociateFactory(UserFactory):
    role = Role.STORE_ASSOCIATE
    store = factory.SubFactory(LocationFactory)


class IntegrationClientFactory(UserFactory):
    """An integration user; give it an API client with ``api_client_for``."""

    role = Role.INTEGRATION


def api_client_for(user=None, *, profile: str = "web_shop", location=None, name: str = "", **fields):
    """An API client (and its integration user when none is given); the key is learnt with
    ``accounts.services.api_client_rotate`` (``api_as`` does it)."""
    from accounts.services import api_client_create

    user = user or IntegrationClientFactory()
    client, _key = api_client_create(
        name=name or f"{profile} {user.username}", profile=profile, location=location, user=user, **fields
    )
    return client


def api_client_named(username: str, *, profile: str = "web_shop", location=None):
    """An integration user ``username`` with an API client of ``profile``."""
    return api_client_for(IntegrationClientFactory(username=username), profile=profile, location=location)


def ean13(n: int) -> str:
    from inventory.models import ean13_check_digit

    first12 = f"300{n:09d}"
    return first12 + str(ean13_check_digit(first12))


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "inventory.Product"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"MOD-{n:04d}")
    name = "Chemise Oxford"
    category = "Chemises"


class SKUFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "inventory.SKU"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"SKU-{n:05d}")
    ean = factory.Sequence(ean13)
    product = factory.SubFactory(ProductFactory)
    name = "Chemise Oxford bleu M"
    colour = "Bleu"
    size = "M"
    category = "Chemises"
    price = Decimal("49.90")
