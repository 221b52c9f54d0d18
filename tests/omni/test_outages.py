"""PostgreSQL or Redis stumbling: 503s instead of 500s, a cache that misses instead of failing,
tasks that retry."""

import time
from unittest import mock

import pytest
from django.core.cache import caches
from django.db import OperationalError
from django.test import override_settings
from django.urls import reverse

from omni import cache as omni_cache
from omni.outages import IDEMPOTENT, RETRY_ON_OUTAGE
from orders import tasks as order_tasks

pytestmark = pytest.mark.django_db

DOWN = {
    "default": {
        "BACKEND": "omni.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


def test_database_outage_in_an_api_view_is_a_503_in_the_error_shape(api_as, integration_client):
    with mock.patch(
        "orders.selectors.order_search", side_effect=OperationalError("server closed the connection")
    ):
        response = api_as(integration_client).get("/api/v1/orders/")  # held against the schema too

    assert response.status_code == 503
    assert response.json() == {
        "code": "service_unavailable",
        "detail": "The service is briefly unavailable (a database or cache server is restarting). "
        "Try again in a few seconds.",
    }
    assert int(response["Retry-After"]) > 0


def test_a_503_is_logged_once_in_one_line_without_a_traceback(api_as, integration_client, caplog):
    # A restart under load answers hundreds of 503s: each is one warning, not an error with a
    # traceback, and django.request does not log it a second time.
    with mock.patch(
        "orders.selectors.order_search",
        side_effect=OperationalError("terminating connection due to administrator command\nmore"),
    ):
        response = api_as(integration_client).get("/api/v1/orders/")
    assert response.status_code == 503
    records = [r for r in caplog.records if r.levelno >= 30]  # WARNING and above
    assert [(r.levelname, r.getMessage()) for r in records] == [
        (
            "WARNING",
            "503 for GET /api/v1/orders/: OperationalError: terminating connection due to administrator command",
        )
    ]
    assert records[0].exc_info is None


def test_the_503_speaks_the_clients_language(api_as, integration_client):
    client = api_as(integration_client)
    with mock.patch("orders.selectors.order_search", side_effect=OperationalError("gone")):
        response = client.get("/api/v1/orders/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 503
    assert response.json()["detail"].startswith("Le service est momentanément indisponible")


@pytest.mark.parametrize("debug", [False, True])
def test_database_outage_on_a_page_is_the_503_page_without_a_traceback(client, head_office, debug):
    client.force_login(head_office)
    with (
        override_settings(DEBUG=debug),
        mock.patch("omni.views.network_summary", side_effect=OperationalError("terminating connection")),
    ):
        response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"]
    text = response.content.decode()
    assert "Briefly unavailable" in text and "omni.css" in text  # in the site's frame
    assert "Traceback" not in text and "terminating connection" not in text


def test_the_503_page_is_french_by_default(client, head_office):
    client.force_login(head_office)
    with mock.patch("omni.views.network_summary", side_effect=OperationalError("gone")):
        response = client.get(reverse("home"))
    assert response.status_code == 503
    assert "Momentanément indisponible" in response.content.decode()


def test_a_cache_that_cannot_reach_redis_misses_quickly_and_counts_it():
    with override_settings(CACHES=DOWN):
        cache = caches["default"]
        before = omni_cache.errors_seen()
        started = time.perf_counter()
        assert cache.get("anything") is None
        assert cache.get("anything", "fallback") == "fallback"
        assert cache.get_many(["a", "b"]) == {}
        cache.set("anything", 1)  # skipped, not raised
        assert cache.add("anything", 1) is False
        assert cache.delete("anything") is False
        assert cache.get_or_set("key", 3) == 3
        assert time.perf_counter() - started < 5
        assert omni_cache.errors_seen() > before


def test_healthz_still_reports_redis_down_with_the_swallowing_cache(client):
    with override_settings(CACHES=DOWN):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"]["ok"] is False


def test_tasks_retry_on_outages_with_backoff_and_survive_lost_workers():
    from inventory import tasks as inventory_tasks
    from omni import tasks as omni_tasks

    tasks = [
        order_tasks.send_order_notification,
        order_tasks.purge_idempotency_keys,
        order_tasks.expire_overdue_fulfilment_orders,
        order_tasks.source_backorders,
        omni_tasks.purge_idempotency_keys,
        inventory_tasks.release_expired_reservations,
        inventory_tasks.preview_stock_import,
        inventory_tasks.apply_stock_import,
    ]
    for task in tasks:
        assert OperationalError in task.autoretry_for, task.name
        assert OSError in task.autoretry_for, task.name
        assert task.retry_backoff and task.retry_jitter and task.max_retries == RETRY_ON_OUTAGE["max_retries"]
    for task in [*tasks, omni_tasks.record_worker_heartbeat]:
        assert task.acks_late and task.reject_on_worker_lost == IDEMPOTENT["reject_on_worker_lost"]


def test_a_notification_that_meets_a_database_outage_is_retried():
    with mock.patch(
        "orders.services.notification_send", side_effect=[OperationalError("the database restarts"), None]
    ) as send:
        order_tasks.send_order_notification.apply(args=[1])
    assert send.call_count == 2  # tried again (eagerly here; with backoff on a worker)
