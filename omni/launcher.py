"""The one process that owns the embedded servers.

    python -m omni.launcher dev          # migrate, seed on first start, web + worker + beat
    python -m omni.launcher run -- CMD   # run CMD with DATABASE_URL / REDIS_URL set

Where ``DATABASE_URL`` or ``REDIS_URL`` is set it is used as is; otherwise an
embedded PostgreSQL / Redis is started under the data folder, its URL handed to
every child process, and it is stopped cleanly when the launcher exits
(Ctrl-C included). When another live process already runs one on the same data
folder (see ``omni.embedded``), the launcher joins it and leaves it running.

``dev`` supervises (``omni.supervisor``): each Procfile.dev line runs in its own process
group and is restarted when it dies, and so are the embedded servers this launcher owns (on
the same data folder and socket path: the URLs stay valid), with a backoff; more than 5
restarts of one of them within 60 s stops everything. ``--procfile`` and ``--no-setup``
(no migrate, no demo) let a test supervise a Procfile of its own.
"""

from __future__ import annotations

import argparse
import functools
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

from . import embedded, supervisor
from .demo import network

BASE_DIR = embedded.BASE_DIR


def _dev_secret_key() -> str:
    """A per-checkout development key, kept in the data folder, never in git."""
    path = embedded.data_dir() / "dev-secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


_children: list[subprocess.Popen] = []
_stop_requested: list[int] = []


def _forward_signal(signum: int, _frame: object) -> None:
    """Ctrl-C or SIGTERM reach the launcher only; pass them on once to the running child."""
    _stop_requested.append(signum)
    for child in _children:
        if child.poll() is None:
            child.send_signal(signum)


def _run(cmd: list[str], env: dict[str, str]) -> int:
    """Run a child in its own session, wait for it to finish (it owns its shutdown), return its code."""
    if _stop_requested:
        raise SystemExit(128 + _stop_requested[0])
    process = subprocess.Popen(cmd, env=env, cwd=BASE_DIR, start_new_session=True)  # noqa: S603
    _children.append(process)
    try:
        return process.wait()
    finally:
        _children.remove(process)


def _manage(env: dict[str, str], *args: str) -> None:
    code = _run([sys.executable, "manage.py", *args], env)
    if code != 0:
        # A child killed by a signal (-2 for SIGINT) ends the launcher as shells do: 128 + signal.
        raise SystemExit(code if code > 0 else 128 - code)


def _child_env(services: embedded.EmbeddedServices, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(services.env)
    env.update(extra)
    return env


def _dev_env(port: int) -> dict[str, str]:
    env = {
        "DJANGO_SETTINGS_MODULE": "omni.settings.development",
        "PORT": str(port),
        "PYTHONUNBUFFERED": "1",
        # Procfile.dev keeps beat's schedule there (the data folder may be outside the checkout).
        "OMNI_DATA_DIR": str(embedded.data_dir()),
    }
    env.setdefault("SECRET_KEY", os.environ.get("SECRET_KEY") or _dev_secret_key())
    return env


def _stop_signal() -> int | None:
    return _stop_requested[0] if _stop_requested else None


def _supervise(services: embedded.EmbeddedServices, child_env: dict[str, str], procfile: Path) -> int:
    """Run every Procfile line under the launcher's supervisor, watching the embedded servers
    this launcher owns; returns 128 + signal after Ctrl-C, 1 after a crash loop."""
    names = {"DATABASE_URL": "postgres", "REDIS_URL": "redis"}
    watched = [
        supervisor.Watched(
            names[name],
            check=functools.partial(services.answers, name),
            restart=functools.partial(services.restart, name),
        )
        for name in sorted(services.owned)
    ]
    return supervisor.Supervisor(
        supervisor.parse_procfile(procfile), child_env, BASE_DIR, _stop_signal, watched=watched
    ).run()


def dev(port: int, procfile: Path, setup: bool = True) -> int:
    env = _dev_env(port)
    entries = supervisor.parse_procfile(procfile)  # a bad Procfile fails before anything starts
    services = embedded.start_missing()
    try:
        child_env = _child_env(services, **env)
        if setup:
            _manage(child_env, "migrate", "--no-input")
            _manage(child_env, "seed_demo", "--skip-other-data")
            _print_banner(port, services)
        else:
            print(f"Supervising {', '.join(name for name, _ in entries)} from {procfile}", flush=True)
        if _stop_requested:
            return 128 + _stop_requested[0]
        return _supervise(services, child_env, procfile)
    finally:
        print("Stopping embedded servers…" if services.owned else "Stopped.", flush=True)
        services.stop()


def _print_banner(port: int, services: embedded.EmbeddedServices) -> None:
    lines = [
        "",
        "  Omni is starting.",
        f"  Open  http://localhost:{port}/",
        f"  API   http://localhost:{port}/api/docs/",
        "",
        "  Demo logins (username, password):",
    ]
    for username, first_name, last_name, role, store in network.USERS:
        who = f"{role.replace('_', ' ')}{f' ({store})' if store else ''}"
        lines.append(f"    {username:<15} {network.DEMO_PASSWORD:<11} {first_name} {last_name}, {who}")
    if services.owned:
        lines += ["", f"  Embedded servers: {', '.join(sorted(services.owned))} under {embedded.data_dir()}"]
    if services.joined:
        lines += [
            "",
            f"  Joined the embedded servers another process runs: {', '.join(sorted(services.joined))}",
        ]
    lines += [
        "  Other commands meanwhile, in another terminal: .venv/bin/python manage.py …",
        "  Stop with Ctrl-C.",
        "",
    ]
    print("\n".join(lines), flush=True)


def run(cmd: list[str]) -> int:
    services = embedded.start_missing()
    try:
        return _run(cmd, _child_env(services))
    finally:
        services.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m omni.launcher")
    sub = parser.add_subparsers(dest="command", required=True)
    dev_parser = sub.add_parser("dev", help="run web, worker and beat")
    dev_parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    dev_parser.add_argument(
        "--procfile", type=Path, default=BASE_DIR / "Procfile.dev", help="processes to run (Procfile.dev)"
    )
    dev_parser.add_argument(
        "--no-setup", dest="setup", action="store_false", help="skip migrate and the demo (tests)"
    )
    run_parser = sub.add_parser("run", help="run a command with the servers' URLs set")
    run_parser.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)

    signal.signal(signal.SIGINT, _forward_signal)
    signal.signal(signal.SIGTERM, _forward_signal)
    if args.command == "dev":
        return dev(args.port, args.procfile.resolve(), setup=args.setup)
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        parser.error("run needs a command")
    return run(cmd)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    raise SystemExit(main())
