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


def _log_until(launcher: subprocess.Popen, lines: list[str], pattern: str, timeout: float = 120) -> str:
    """Read the launcher's output into ``lines`` until a line matches ``pattern``."""
    import queue
    import re
    import threading

    if not hasattr(launcher, "lines"):
        # One reader thread per launcher: a blocking readline never stalls the deadline.
        launcher.lines = queue.Queue()
        threading.Thread(
            target=lambda: [launcher.lines.put(line) for line in launcher.stdout], daemon=True
        ).start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = launcher.lines.get(timeout=1)
        except queue.Empty:
            continue
        lines.append(line)
        if re.search(pattern, line):
            return line
    raise AssertionError(f"no line matching {pattern!r} in:\n{''.join(lines)}")


def test_bin_dev_restarts_a_process_or_an_embedded_server_that_dies_and_ctrl_c_stops_everything(tmp_path):
    # given: the launcher supervising a Procfile of two sleepers, owning both embedded servers
    data_dir = tmp_path / "omni-data"
    procfile = tmp_path / "Procfile"
    procfile.write_text("napper: sleep 600\nsnoozer: sleep 600\n")
    launcher = subprocess.Popen(
        [sys.executable, "-u", "-m", "omni.launcher", "dev", "--procfile", str(procfile), "--no-setup"],
        cwd=ROOT,
        env=_embedded_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    try:
        first = int(
            _log_until(launcher, lines, r"napper\.1 started \(pid=(\d+)\)").split("pid=")[1].rstrip(")\n")
        )
        _log_until(launcher, lines, r"snoozer\.1 started")
        redis_url = json.loads((data_dir / "servers.json").read_text())["REDIS_URL"]["url"]

        # when: the napper is killed
        os.kill(first, signal.SIGKILL)

        # then: the launcher says so and starts it again, with a new pid; the snoozer is untouched
        _log_until(
            launcher, lines, r"\[launcher\] napper exited with code -9; restarting in 1 s \(restart 1\)"
        )
        second = int(_log_until(launcher, lines, r"napper\.1 started").split("pid=")[1].rstrip(")\n"))
        assert second != first and psutil.pid_exists(second)
        assert "snoozer exited" not in "".join(lines)

        # when: the embedded Redis is killed
        from omni import embedded

        redis_pid = next(
            proc.pid for proc in _servers_using(data_dir) if "redis-server" in " ".join(proc.cmdline())
        )
        os.kill(redis_pid, signal.SIGKILL)

        # then: it comes back on the same socket, so the URL every child holds still works
        _log_until(launcher, lines, r"\[launcher\] redis stopped answering; restarting")
        _log_until(launcher, lines, r"\[launcher\] redis is back")
        assert embedded.server_answers("REDIS_URL", redis_url)
        assert launcher.poll() is None
    finally:
        # when: Ctrl-C
        launcher.send_signal(signal.SIGINT)
        code = launcher.wait(timeout=60)
    time.sleep(1)  # the reader thread takes the last lines
    while not launcher.lines.empty():
        lines.append(launcher.lines.get())
    output = "".join(lines)

    # then: everything stopped, each process on its SIGTERM, nothing left behind
    assert code == 128 + signal.SIGINT, output
    assert "napper.1 stopped (rc=-15)" in output and "snoozer.1 stopped (rc=-15)" in output, output
    assert "Traceback" not in output
    assert not psutil.pid_exists(second) or psutil.Process(second).status() == psutil.STATUS_ZOMBIE
    deadline = time.monotonic() + 20
    while _servers_using(data_dir) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _servers_using(data_dir) == []
    assert not (data_dir / "servers.json").exists()
    leftovers = [
        p for p in psutil.process_iter(["cmdline"]) if str(procfile) in " ".join(p.info["cmdline"] or [])
    ]
    assert leftovers == []


def test_a_crash_loop_stops_everything_with_a_clear_message(tmp_path):
    # given: a Procfile line that dies at once, every time
    procfile = tmp_path / "Procfile"
    procfile.write_text("steady: sleep 600\nflaky: sh -c 'exit 3'\n")
    env = _embedded_env(tmp_path / "omni-data")
    # when: the launcher supervises it (the embedded servers are not needed for this)
    result = subprocess.run(
        [sys.executable, "-u", "-m", "omni.launcher", "dev", "--procfile", str(procfile), "--no-setup"],
        cwd=ROOT,
        env={
            **env,
            "DATABASE_URL": "postgres://unused@127.0.0.1:1/unused",
            "REDIS_URL": "redis://127.0.0.1:1/0",
        },
        capture_output=True,
        text=True,
        timeout=180,
    )
    # then: five restarts with a growing backoff, then it gives up and stops the rest
    assert result.returncode == 1, result.stdout + result.stderr
    for n, delay in enumerate([1, 2, 4, 8, 16], 1):
        assert f"flaky exited with code 3; restarting in {delay} s (restart {n})" in result.stdout
    assert "giving up (limit 5 restarts in 60 s): stopping everything" in result.stdout
    assert "steady.1 stopped (rc=-15)" in result.stdout
