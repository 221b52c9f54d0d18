import uuid

import pytest
from rest_framework.test import APIClient

from .contract.schema import check_response
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


class ContractClient(APIClient):
    """The suite's API client: speaks JSON, sends a fresh ``Idempotency-Key`` with each POST
    unless the test names one (``HTTP_IDEMPOTENCY_KEY=...``; an empty string sends none),
    and holds every response against the published schema."""

    def post(self, path, data=None, format="json", content_type=None, follow=False, **extra):
        key = extra.pop("HTTP_IDEMPOTENCY_KEY", None)
        if key is None:
            key = str(uuid.uuid4())
        if key:
            extra["HTTP_IDEMPOTENCY_KEY"] = key
        return super().post(path, data, format=format if content_type is None else None,
                            content_type=content_type, follow=follow, **extra)  # fmt: skip

    def request(self, **kwargs):
        response = super().request(**kwargs)
        check_response(response)
        return response


@pytest.fixture
def api_client():
    return ContractClient(HTTP_ACCEPT_LANGUAGE="en")


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
