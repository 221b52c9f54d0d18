import uuid

import pytest
from rest_framework.test import APIClient

from .contract.schema import check_response
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
    """api_as(user) -> an APIClient authenticated with the user's DRF token."""
    from rest_framework.authtoken.models import Token

    def _as(user):
        token, _ = Token.objects.get_or_create(user=user)
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api_client

    return _as
