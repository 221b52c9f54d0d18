"""``Idempotency-Key`` for the API's POST operations.

A client sends a key of its choosing with a POST; a retry with the same key and the same
body (a timeout, a lost answer) gets the first answer back and does nothing twice; the same
key with another body or on another operation is a 409. Where a retry would duplicate
something (an order, a pack, a shipment, an arrival) the key is required: 428 without it.
Keys are kept for ``OMNI_IDEMPOTENCY_KEY_HOURS`` (24 by default), then forgotten.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from functools import wraps

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from .errors import ConflictError, DomainError
from .models import IdempotentRequest

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


class IdempotencyKeyRequired(DomainError):
    status_code = 428
    code = "idempotency_key_required"


class IdempotencyKeyReused(ConflictError):
    code = "idempotency_key_reused"


def key_lifetime() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.OMNI_IDEMPOTENCY_KEY_HOURS)


def request_fingerprint(data) -> str:
    """A stable hash of a request body (key order does not matter)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def key_from(request, *, required: bool) -> str:
    """The request's key, checked: 428 when a required key is missing, 400 when too long."""
    key = request.headers.get(HEADER, "").strip()
    if not key and required:
        raise IdempotencyKeyRequired(
            _(
                "Send an Idempotency-Key header (a unique value per operation, e.g. a UUID) so that "
                "a retry never does the work twice."
            )
        )
    if len(key) > MAX_KEY_LENGTH:
        raise DomainError(
            _("An Idempotency-Key is at most %(n)s characters.") % {"n": MAX_KEY_LENGTH}, field=HEADER
        )
    return key


def lock_key(*, client_id: int, key: str) -> None:
    """Serialise concurrent requests with one key until the caller's transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, %s))", [key, client_id])


def parameter(*, required: bool) -> OpenApiParameter:
    return OpenApiParameter(
        HEADER,
        # A blank key counts as none: a 428 where one is required, no key where it is optional.
        {
            "type": "string",
            "maxLength": MAX_KEY_LENGTH,
            **({"minLength": 1, "pattern": r"\S"} if required else {}),
        },
        OpenApiParameter.HEADER,
        required=required,
        description=(
            "A unique value per operation (e.g. a UUID). A retry with the same key and body answers "
            "the first result and does nothing twice; the same key with another body is a 409. "
            f"Kept {settings.OMNI_IDEMPOTENCY_KEY_HOURS} hours."
            + (" Required: 428 without it." if required else "")
        ),
    )


def idempotent(*, required: bool):
    """Decorate an APIView's ``post``: the work and the stored answer commit together, so a
    retry finds either nothing (and does the work) or the whole answer."""

    def decorator(post):
        @wraps(post)
        def wrapped(view, request, *args, **kwargs):
            key = key_from(request, required=required)
            if not key:
                return post(view, request, *args, **kwargs)
            operation = f"{view.__class__.__name__}:{request.path}"
            fingerprint = request_fingerprint(request.data)
            refused = None
            with transaction.atomic():
                lock_key(client_id=request.user.pk, key=key)
                previous = IdempotentRequest.objects.filter(client=request.user, key=key).first()
                if previous and previous.created_at < timezone.now() - key_lifetime():
                    previous.delete()
                    previous = None
                if previous:
                    if previous.operation != operation or previous.request_hash != fingerprint:
                        raise IdempotencyKeyReused(
                            _("This Idempotency-Key was already used for another request.")
                        )
                    return Response(
                        previous.body, status=previous.status_code, headers={"Idempotent-Replayed": "true"}
                    )
                try:
                    response = post(view, request, *args, **kwargs)
                except DomainError as error:
                    if not error.keeps_changes:
                        raise
                    refused = error  # committed with the key's lock, raised below
                else:
                    if 200 <= response.status_code < 300:
                        IdempotentRequest.objects.create(
                            client=request.user,
                            key=key,
                            operation=operation,
                            request_hash=fingerprint,
                            status_code=response.status_code,
                            body=response.data,
                        )
                    return response
            raise refused

        return wrapped

    return decorator


def idempotency_keys_purge() -> int:
    """Forget keys older than their lifetime (beat, hourly)."""
    cutoff = timezone.now() - key_lifetime()
    deleted, _rows = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
