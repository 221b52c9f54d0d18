import pytest
from django.core.cache import cache
from django.db import connection

from omni import health
from omni.tasks import record_worker_heartbeat

pytestmark = pytest.mark.django_db


def test_healthz_reports_postgres_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["postgres"]["ok"] and body["postgres"]["version"]
    assert body["redis"]["ok"]


def test_healthz_is_503_when_redis_is_down(client, monkeypatch):
    class DownClient:
        def ping(self):
            raise ConnectionError("Connection refused")

    monkeypatch.setattr(cache._cache, "get_client", lambda *a, **k: DownClient())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"] == {"ok": False, "error": "ConnectionError: Connection refused"}


def test_healthz_is_503_when_postgres_is_down(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OSError("could not connect to server")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["postgres"]["ok"] is False


def test_worker_heartbeat_is_reported(client):
    cache.delete(health.HEARTBEAT_KEY)
    assert client.get("/healthz").json()["worker_heartbeat_age_s"] is None
    record_worker_heartbeat.apply()  # runs the task body as the worker would
    age = client.get("/healthz").json()["worker_heartbeat_age_s"]
    assert age is not None and 0 <= age < 5


def test_celery_reads_the_broker_from_redis_url():
    from django.conf import settings

    from omni.celery import app
    from omni.settings.base import redis_urls

    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    assert redis_urls("unix:///data/redis.socket") == (
        "unix:///data/redis.socket?db=1",
        "redis+socket:///data/redis.socket",
    )
    assert redis_urls("redis://127.0.0.1:6379/0") == ("redis://127.0.0.1:6379/0",) * 2
    assert "heartbeat" in " ".join(app.conf.beat_schedule)
