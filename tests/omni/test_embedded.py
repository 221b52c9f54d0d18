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
