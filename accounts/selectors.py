"""Reads of the accounts app."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.crypto import constant_time_compare

from .models import ApiClient
from .services import key_hash


def api_client_for_key(key: str) -> ApiClient | None:
    """The client whose key this is (revoked or expired ones included: the caller says why it
    refuses them), or None. The prefix finds the row; the hashes are compared in constant time."""
    prefix, dot, _secret = key.partition(".")
    if not dot or not prefix:
        return None
    client = ApiClient.objects.select_related("user", "location").filter(key_prefix=prefix).first()
    if client is None or not constant_time_compare(client.key_hash, key_hash(key)):
        return None
    return client


def api_client_list() -> QuerySet[ApiClient]:
    return ApiClient.objects.select_related("location", "user", "created_by").order_by("revoked_at", "name")
