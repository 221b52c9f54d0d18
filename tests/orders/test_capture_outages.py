"""Capture does not need Redis: the cache misses, and an e-mail that cannot be queued after
the commit is logged, not a 500 for an order that exists."""

import logging
from unittest import mock

import pytest
from django.test import override_settings
from kombu.exceptions import OperationalError as BrokerError

from orders.models import Order, OrderEvent

from .conftest import order_payload

pytestmark = pytest.mark.django_db

URL = "/api/v1/orders/"
REDIS_DOWN = {
    "default": {
        "BACKEND": "omni.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


def test_an_order_is_captured_while_redis_is_down(api_as, integration_client, network):
    # given Redis unreachable, and sourcing reading the locations' failure rates from the cache
    with override_settings(CACHES=REDIS_DOWN, OMNI_RELIABILITY_CACHE_SECONDS=300):
        # when the web shop posts an order
        response = api_as(integration_client).post(URL, order_payload(), format="json")

    # then it is captured all the same
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "confirmed"


def test_an_email_that_cannot_be_queued_does_not_fail_the_committed_order(
    api_as, integration_client, network, django_capture_on_commit_callbacks, caplog
):
    client = api_as(integration_client)
    with (
        mock.patch("orders.tasks.send_order_notification.delay", side_effect=BrokerError("broker down")),
        caplog.at_level(logging.WARNING, logger="omni.outages"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = client.post(URL, order_payload(), format="json")

    assert response.status_code == 201, response.json()
    assert callbacks  # the e-mail was to be queued after the commit …
    placed = OrderEvent.objects.get(kind=OrderEvent.Kind.PLACED)
    # … and its loss is logged with the event's id
    assert f"send_order_notification({placed.pk},)" in caplog.text
    assert Order.objects.count() == 1
