import pytest
from rest_framework.test import APIClient

from .factories import (
    HeadOfficeFactory,
    IntegrationClientFactory,
    LocationFactory,
    StoreAssociateFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _english_for_services():
    """Services translate their messages; assertions read them in English.
    Pages still follow the request's language (French unless asked otherwise)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def lyon():
    return LocationFactory(
        code="ST-LYON",
        name="Lyon République",
        city="Lyon",
        postcode="69002",
        latitude="45.763200",
        longitude="4.835900",
    )


@pytest.fixture
def paris():
    return LocationFactory(code="ST-PARIS", name="Paris Rivoli", city="Paris", postcode="75001")


@pytest.fixture
def head_office():
    return HeadOfficeFactory(username="claire")


@pytest.fixture
def call_centre():
    return UserFactory(username="karim")


@pytest.fixture
def lyon_associate(lyon):
    return StoreAssociateFactory(username="lea", store=lyon)


@pytest.fixture
def integration_client():
    return IntegrationClientFactory(username="webshop")


@pytest.fixture
def api_client():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def api_as(api_client):
    """api_as(user) -> an APIClient authenticated with the user's DRF token."""
    from rest_framework.authtoken.models import Token

    def _as(user):
        token, _ = Token.objects.get_or_create(user=user)
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api_client

    return _as
