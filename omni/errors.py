"""Domain errors: raised by services, turned into 4xx by the API handler and form errors by views;
and the outages (a database or Redis stumbling) that become 503s instead of 500s."""

from django.db import InterfaceError as _DbInterfaceError
from django.db import OperationalError as _DbOperationalError
from kombu.exceptions import OperationalError as _BrokerOperationalError
from psycopg import InterfaceError as _PgInterfaceError
from psycopg import OperationalError as _PgOperationalError
from redis.exceptions import ConnectionError as _RedisConnectionError
from redis.exceptions import TimeoutError as _RedisTimeoutError


class DomainError(Exception):
    """A business rule refused the operation. ``code`` is stable for API clients."""

    status_code = 400
    code = "invalid"
    # The service committed a record of the refusal before raising (a wrong pickup code
    # counted towards the lock): a caller holding its own transaction commits it too.
    keeps_changes = False

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None, **details):
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.field = field
        self.details = details

    def field_errors(self) -> dict:
        """The errors by field, nested as in the request (the API flattens them to paths)."""
        errors = {self.field: [self.message]} if self.field else {}
        errors.update(self.details)
        return errors

    def as_dict(self) -> dict:
        body = {"detail": self.message, "code": self.code}
        if self.field:
            body[self.field] = [self.message]
        body.update(self.details)
        return body


class ConflictError(DomainError):
    status_code = 409
    code = "conflict"


# ---------------------------------------------------------------- outages
# A server Omni depends on stumbled (PostgreSQL restarting, Redis unreachable or hung): the
# request did not go wrong, it came at a bad moment. These become a 503 with Retry-After
# (omni.outages), and Celery tasks retry on them with backoff.

DATABASE_ERRORS = (_DbOperationalError, _DbInterfaceError, _PgOperationalError, _PgInterfaceError)
REDIS_ERRORS = (_RedisConnectionError, _RedisTimeoutError)
# What publishing a Celery message raises when the broker is away (kombu wraps most of it).
BROKER_ERRORS = (_BrokerOperationalError, *REDIS_ERRORS, OSError)
OUTAGE_ERRORS = (*DATABASE_ERRORS, *REDIS_ERRORS, _BrokerOperationalError)
