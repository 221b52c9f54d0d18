"""bin/dev's web server (manage.py runserver) under a burst of API clients."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 32


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _test_database_url() -> str:
    """The test run's DATABASE_URL, naming the database the tests use (created by pytest-django)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        name = cursor.fetchone()[0]
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))


@pytest.fixture
def dev_server(db):
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "omni.settings.development",
        "DATABASE_URL": _test_database_url(),
        "PYTHONUNBUFFERED": "1",
    }
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.stdout.read()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "runserver never listened"
                time.sleep(0.3)
        yield port
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def test_the_dev_server_answers_32_clients_connecting_at_once(dev_server):
    # given: 32 API clients that connect at the same instant
    start = threading.Barrier(CLIENTS)
    connect_seconds: list[float] = []
    statuses: list[int] = []
    failures: list[str] = []

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", dev_server, timeout=30)
        try:
            start.wait(timeout=30)
            started = time.monotonic()
            connection.connect()
            connect_seconds.append(time.monotonic() - started)
            connection.request("GET", "/healthz")
            statuses.append(connection.getresponse().status)
        except Exception as exc:  # noqa: BLE001 - every failure is reported below
            failures.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)

    # then: every one got an answer, and a healthy one
    assert failures == []
    assert statuses == [200] * CLIENTS
    # and the kernel took every connection at once: with a short backlog it drops the SYNs that
    # overflow it and the client retries a second later (or gives up, with a short timeout)
    assert max(connect_seconds) < 0.5, sorted(round(s, 3) for s in connect_seconds)


@pytest.mark.parametrize(("override", "expected"), [(None, "0"), ("30", "30")])
def test_development_closes_database_connections_after_each_request(override, expected):
    # runserver starts a thread, and so a connection, per request: persistent ones would pile up
    env = {k: v for k, v in os.environ.items() if k != "DB_CONN_MAX_AGE"}
    env["DJANGO_SETTINGS_MODULE"] = "omni.settings.development"
    if override is not None:
        env["DB_CONN_MAX_AGE"] = override
    script = "from django.conf import settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
