"""The embedded path: with neither DATABASE_URL nor REDIS_URL, the launcher starts real
PostgreSQL and Redis in a data folder, migrates, serves /healthz, stops both cleanly,
and a second start finds the data again."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.embedded


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _embedded_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        OMNI_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="omni.settings.development", PYTHONUNBUFFERED="1"
    )
    return env


def _servers_using(data_dir: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if str(data_dir) in cmdline and ("postgres" in cmdline or "redis-server" in cmdline):
            found.append(proc)
    return found


def _wait_for_health(url: str, launcher: subprocess.Popen, timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert launcher.poll() is None, launcher.stdout.read()
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own loopback server
                return json.load(response) | {"status": response.status}
        except OSError:
            time.sleep(1)
    raise AssertionError("healthz never answered")


def test_embedded_servers_start_serve_health_and_stop(tmp_path):
    data_dir = tmp_path / "omni-data"
    env = _embedded_env(data_dir)
    port = _free_port()
    script = (
        f"python manage.py migrate --no-input && exec python manage.py runserver --noreload 127.0.0.1:{port}"
    )
    launcher = subprocess.Popen(
        [sys.executable, "-m", "omni.launcher", "run", "--", "sh", "-c", script],
        cwd=ROOT,
        env={**env, "PATH": f"{Path(sys.executable).parent}:{env['PATH']}"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        health = _wait_for_health(f"http://127.0.0.1:{port}/healthz", launcher)
        assert health["status"] == 200
        assert health["postgres"]["ok"] and health["redis"]["ok"]
        assert (data_dir / "postgres" / "PG_VERSION").exists()
        assert _servers_using(data_dir), "embedded servers should be running"
    finally:
        launcher.send_signal(signal.SIGTERM)
        launcher.wait(timeout=60)

    # Both embedded servers stopped with the launcher.
    deadline = time.monotonic() + 20
    while _servers_using(data_dir) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _servers_using(data_dir) == []

    # A second start reuses the data: every migration is already applied.
    second = subprocess.run(
        [
            sys.executable,
            "-m",
            "omni.launcher",
            "run",
            "--",
            sys.executable,
            "manage.py",
            "migrate",
            "--check",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert second.returncode == 0, second.stdout + second.stderr
    assert _servers_using(data_dir) == []


def _wait_for(path: Path, launcher: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert launcher.poll() is None, launcher.stdout.read()
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.5)


def test_a_command_beside_the_launcher_joins_its_servers_and_leaves_them_running(tmp_path):
    # given: the launcher owns both embedded servers, as bin/dev does
    from omni import embedded

    data_dir = tmp_path / "omni-data"
    env = _embedded_env(data_dir)
    ready = tmp_path / "migrated"
    script = f"python manage.py migrate --no-input && touch {ready} && exec sleep 600"
    launcher = subprocess.Popen(
        [sys.executable, "-m", "omni.launcher", "run", "--", "sh", "-c", script],
        cwd=ROOT,
        env={**env, "PATH": f"{Path(sys.executable).parent}:{env['PATH']}"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        _wait_for(ready, launcher)
        registry = json.loads((data_dir / "servers.json").read_text())
        assert {entry["pid"] for entry in registry.values()} == {launcher.pid}
        urls = {name: entry["url"] for name, entry in registry.items()}
        assert set(urls) == {"DATABASE_URL", "REDIS_URL"}

        # when: commands run to completion in a second terminal (bare manage.py, same data folder)
        for command in (
            ["createsuperuser", "--no-input", "--username", "webshop", "--email", "webshop@example.fr"],
            ["api_client_create", "Web shop", "--profile", "web_shop"],
        ):
            result = subprocess.run(
                [sys.executable, "manage.py", *command],
                cwd=ROOT,
                env={**env, "DJANGO_SUPERUSER_PASSWORD": "a-long-demo-password"},
                capture_output=True,
                text=True,
                timeout=180,
            )
            assert result.returncode == 0, result.stdout + result.stderr

        # then: both servers still answer, still owned by the launcher
        assert embedded.server_answers("REDIS_URL", urls["REDIS_URL"])
        assert embedded.server_answers("DATABASE_URL", urls["DATABASE_URL"])
        import psycopg
        import redis

        assert redis.Redis(unix_socket_path=urls["REDIS_URL"].removeprefix("unix://")).ping()
        with psycopg.connect(
            host=embedded._socket_dir_of(urls["DATABASE_URL"]), user="postgres", dbname="omni"
        ) as db:
            assert db.execute("SELECT count(*) FROM accounts_apiclient").fetchone() == (1,)
        assert json.loads((data_dir / "servers.json").read_text()) == registry
        assert launcher.poll() is None
    finally:
        launcher.send_signal(signal.SIGTERM)
        launcher.wait(timeout=60)

    # The owner stopped both on its way out and forgot them.
    deadline = time.monotonic() + 20
    while _servers_using(data_dir) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _servers_using(data_dir) == []
    assert not (data_dir / "servers.json").exists()
