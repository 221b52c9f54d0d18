"""The only place accounts take row locks. An API client row (``api_client_lock``) is locked
alone, by rotating its key, never while another app's rows are held, so it sits outside the
orders → inventory → sourcing lock order (see orders.locks)."""

from __future__ import annotations

from .models import ApiClient


def api_client_lock(client: ApiClient) -> ApiClient:
    """Lock an API client and return a fresh copy. Caller is in a transaction and holds no other lock."""
    return ApiClient.objects.select_for_update().get(pk=client.pk)
