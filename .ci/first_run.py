#!/usr/bin/env python3
"""A new user's first run, as the README tells it: a clean clone (no .venv, no test extras),
`bin/dev` with embedded PostgreSQL and Redis, until

- /healthz answers 200 with a worker heartbeat (web, worker and beat all run on the broker),
- the demo is complete (`manage.py seed_demo --check`, run beside bin/dev as the README says:
  every part seeded and the Lyon store has work waiting),

then Ctrl-C (SIGINT to bin/dev's process group) must stop everything: exit code 130 (as any
program stopped by Ctrl-C; 0 is fine too), web, worker and beat each stopped by the launcher's SIGTERM,
the embedded servers gone with servers.json, the port free, no traceback in the output. Fails after FIRST_RUN_TIMEOUT seconds (480).

Standard library only: it runs before any virtualenv exists. Called by .ci/run.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = float(os.environ.get("FIRST_RUN_TIMEOUT", "480"))
STOP_TIMEOUT = 60
started = time.monotonic()


def say(text: str) -> None:
    print(f"[first run {time.monotonic() - started:6.1f}s] {text}", flush=True)


class Failed(Exception):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def processes_using(path: Path) -> list[int]:
    """Processes whose command line names ``path`` (the embedded servers name their data folder)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(path) in cmdline and int(proc.name) != os.getpid():
            found.append(int(proc.name))
    return found


def healthz(port: int) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:  # noqa: S310
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, {}
    except (OSError, ValueError):
        return 0, {}


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="omni-first-run-"))
    clone, data, log_path = work / "omni", work / "data", work / "bin-dev.log"
    port = free_port()
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    say(f"cloning {commit[:12]} into {clone}")
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "--quiet", "--detach", commit], check=True)

    # What a new user's shell has: none of CI's URLs, extras or virtualenv.
    env = {
        name: value
        for name, value in os.environ.items()
        if name
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "OMNI_EXTRAS",
            "VIRTUAL_ENV",
            "DJANGO_SETTINGS_MODULE",
            "SECRET_KEY",
        }
    }
    env.update(OMNI_DATA_DIR=str(data), PORT=str(port))
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if "/.venv/" not in p)

    log = log_path.open("w")
    say(f"bin/dev on port {port}, data in {data}")
    dev = subprocess.Popen(
        ["bin/dev"], cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = started + TIMEOUT
    ok = False
    try:
        phase = "healthz"
        while True:
            if dev.poll() is not None:
                raise Failed(f"bin/dev exited with code {dev.returncode} while waiting for {phase}")
            if time.monotonic() > deadline:
                raise Failed(f"timed out after {TIMEOUT:.0f}s waiting for {phase}")
            status, health = healthz(port)
            if phase == "healthz" and status == 200:
                say("/healthz answers 200")
                phase = "the demo"
            if phase == "the demo":
                check = subprocess.run(
                    [".venv/bin/python", "-m", "omni.launcher", "run", "--",
                     ".venv/bin/python", "manage.py", "seed_demo", "--check"],
                    cwd=clone, env=env, capture_output=True, text=True, timeout=120,
                )  # fmt: skip
                if check.returncode == 0:
                    say("the demo is complete: " + "; ".join(check.stdout.strip().splitlines()))
                    phase = "a worker heartbeat"
                else:
                    say("demo not complete yet: " + (check.stdout + check.stderr).strip().splitlines()[-1])
            if (
                phase == "a worker heartbeat"
                and status == 200
                and health.get("worker_heartbeat_age_s") is not None
            ):
                say(f"worker heartbeat {health['worker_heartbeat_age_s']}s old")
                break
            time.sleep(3)
        if status != 200 or not health.get("ok"):
            raise Failed(f"/healthz went bad: {status} {health}")

        say("Ctrl-C")
        os.killpg(dev.pid, signal.SIGINT)
        try:
            code = dev.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            raise Failed(f"bin/dev still running {STOP_TIMEOUT}s after Ctrl-C") from exc
        # The launcher answers Ctrl-C with 130 (128 + SIGINT), as shells do; a crashed child gives its own code.
        if code not in (0, 128 + signal.SIGINT):
            raise Failed(f"bin/dev exited with code {code} after Ctrl-C")
        text = log_path.read_text(errors="replace")
        # Each of web, worker and beat stopped by the launcher's SIGTERM (or on its own, with 0).
        codes = re.findall(r"\| \S+ stopped \(rc=(-?\d+)\)", text)
        if len(codes) != 3 or set(codes) - {"0", "-15"}:
            raise Failed(f"web, worker and beat should stop on SIGTERM, they stopped with {codes}")
        stop_deadline = time.monotonic() + 20
        while (left := processes_using(data)) and time.monotonic() < stop_deadline:
            time.sleep(0.5)
        if left:
            raise Failed(f"processes still using {data} after Ctrl-C: {left}")
        if (data / "servers.json").exists():
            raise Failed("servers.json left behind: an embedded server was not stopped through its owner")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                raise Failed(f"port {port} still answers after Ctrl-C")
        if "Traceback" in text:
            raise Failed("a traceback in bin/dev's output")
        say(
            f"stopped cleanly: exit code {code}, web/worker/beat rc={codes}, embedded servers gone, port free"
        )
        ok = True
        return 0
    except Failed as failure:
        print(f"FIRST RUN FAILED: {failure}", file=sys.stderr)
        print(f"---- last lines of bin/dev's output ({log_path}) ----", file=sys.stderr)
        print("\n".join(log_path.read_text(errors="replace").splitlines()[-80:]), file=sys.stderr)
        return 1
    finally:
        log.close()
        if dev.poll() is None:
            os.killpg(dev.pid, signal.SIGTERM)
            try:
                dev.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(dev.pid, signal.SIGKILL)
        for pid in processes_using(data):  # embedded servers a failed run left behind
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        if ok or not os.environ.get("FIRST_RUN_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
        say("done" if ok else f"failed (FIRST_RUN_KEEP=1 keeps {work})")


if __name__ == "__main__":
    sys.exit(main())
