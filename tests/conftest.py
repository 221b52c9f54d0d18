import pytest
from rest_framework.test import APIClient

from .factories import (
    HeadOfficeFactory,
    LocationFactory,
    StoreAssociateFactory,
    UserFactory,
    api_client_named,
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
    """The web shop's integration user, with its API client (profile web_shop)."""
    return api_client_named("webshop").user


@pytest.fixture
def erp_client():
    """The ERP/PIM's integration user (profile erp_pim)."""
    return api_client_named("erp", profile="erp_pim").user


@pytest.fixture
def api_client():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def api_as(api_client):
    """api_as(user) -> an APIClient acting as the user: an integration user with the key of
    its API client (rotated to learn it), anyone else through a session, as people do."""
    from accounts.services import api_client_rotate

    def _as(user):
        api_client.logout()
        api_client.credentials()
        client = user.acting_client
        if client is not None:
            api_client.credentials(HTTP_AUTHORIZATION=f"Token {api_client_rotate(client=client)}")
        else:
            api_client.force_login(user)
        return api_client

    return _as
