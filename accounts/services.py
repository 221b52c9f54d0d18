"""Writes of the accounts app: API clients and their keys.

A key is ``<prefix>.<secret>``: the prefix (8 hex characters) is stored and shown so people can
tell keys apart; only the SHA-256 of the whole key is stored, and the key itself is returned
once, by the service that made it. SHA-256 (not a slow password hash) is enough for 256 random
bits, and keeps the per-request check cheap.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from omni.errors import ConflictError, DomainError

from .locks import api_client_lock
from .models import ApiClient, Role, User


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key() -> tuple[str, str]:
    """(prefix, key): a fresh key whose prefix is free."""
    while True:
        prefix = secrets.token_hex(4)
        if not ApiClient.objects.filter(key_prefix=prefix).exists():
            return prefix, f"{prefix}.{secrets.token_urlsafe(32)}"


def default_expiry(now: datetime.datetime | None = None) -> datetime.datetime | None:
    """``OMNI_API_TOKEN_DAYS`` from now, or None (never) when the setting is empty."""
    days = settings.OMNI_API_TOKEN_DAYS
    return (now or timezone.now()) + datetime.timedelta(days=days) if days else None


_NO_EXPIRY = object()


@transaction.atomic
def api_client_create(
    *,
    name: str,
    profile: str,
    location=None,
    user: User | None = None,
    created_by: User | None = None,
    expires_at=_NO_EXPIRY,
) -> tuple[ApiClient, str]:
    """Create an API client and return it with its key (shown once, never stored).

    Without ``user``, a new integration user ``api.<name>`` is created for it (one client per
    user: orders placed by the client are the ones it may read back). ``expires_at`` defaults
    to ``OMNI_API_TOKEN_DAYS`` from now; pass None for a key that never expires.
    """
    if user is None:
        username = f"api.{slugify(name)}"[:150]
        if User.objects.filter(username=username).exists():
            raise DomainError(_("A user named %(u)s already exists.") % {"u": username}, field="name")
        user = User(username=username, first_name=name[:150], role=Role.INTEGRATION)
        user.set_unusable_password()
        user.full_clean()
        user.save()
    elif user.role != Role.INTEGRATION or user.is_superuser:
        raise DomainError(_("An API client acts as an integration user."), field="user")
    prefix, key = _new_key()
    client = ApiClient(
        name=name,
        profile=profile,
        location=location,
        user=user,
        key_prefix=prefix,
        key_hash=key_hash(key),
        created_by=created_by,
        expires_at=default_expiry() if expires_at is _NO_EXPIRY else expires_at,
    )
    client.full_clean()
    try:
        with transaction.atomic():
            client.save()
    except IntegrityError as exc:  # pragma: no cover - a concurrent create with the same name/user
        raise ConflictError(_("This API client already exists.")) from exc
    return client, key


@transaction.atomic
def api_client_rotate(*, client: ApiClient, by: User | None = None) -> str:
    """Give the client a new key and return it; the old key stops working at once. A revoked
    client stays revoked. The expiry starts again from now (``OMNI_API_TOKEN_DAYS``) unless
    the client never expired."""
    client = api_client_lock(client)
    if client.is_revoked:
        raise ConflictError(_("This API client is revoked; create a new one."), code="api_client_revoked")
    prefix, key = _new_key()
    now = timezone.now()
    client.key_prefix, client.key_hash, client.rotated_at = prefix, key_hash(key), now
    if client.expires_at is not None:
        client.expires_at = default_expiry(now) or client.expires_at
    client.save(update_fields=["key_prefix", "key_hash", "rotated_at", "expires_at"])
    return key


@transaction.atomic
def api_client_revoke(*, client: ApiClient, by: User | None = None) -> ApiClient:
    """Stop the client's key for good (idempotent)."""
    ApiClient.objects.filter(pk=client.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    client.refresh_from_db()
    return client


def api_client_touch(*, client: ApiClient, now: datetime.datetime | None = None) -> None:
    """Record that the client called, at most once a minute (one conditional UPDATE, so busy
    clients do not write on every request)."""
    now = now or timezone.now()
    if client.last_used_at and now - client.last_used_at < datetime.timedelta(minutes=1):
        return
    ApiClient.objects.filter(pk=client.pk).exclude(
        last_used_at__gt=now - datetime.timedelta(minutes=1)
    ).update(last_used_at=now)
    client.last_used_at = now
