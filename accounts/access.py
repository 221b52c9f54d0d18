"""Who may see and do what. Views and API views use these; nothing else decides access.

API operations: each API view declares the operation it performs with a ``scope`` class
attribute (a string, or ``{"GET": ..., "POST": ...}`` when one view serves two operations).
``GRANTS`` says which operations each human role and each API client profile may call;
``ScopedAccess`` (the default DRF permission) answers 403 to anything else, and to a view that
declares no scope. Which *objects* a caller sees (their store, their location, the orders they
placed) is decided by the owning apps' ``*_visible_to`` selectors: another location's or
another client's resource answers 404. ``manage.py role_matrix`` writes this table out as
``docs/role-matrix.md``.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from .models import ApiClient, Role

PAGE_ROLES = (Role.HEAD_OFFICE, Role.CALL_CENTRE, Role.STORE_ASSOCIATE)

Profile = ApiClient.Profile

# Every API operation, in the order the role matrix lists them.
OPERATIONS: dict[str, str] = {
    "locations.read": "Read the network's locations",
    "products.sync": "Upsert SKUs from the PIM",
    "inventory.sync": "Stock snapshots and deltas from the ERP",
    "availability.read": "Available-to-promise for a basket",
    "promise": "Delivery options for a cart (checkout promise)",
    "pricing.quote": "Price a cart",
    "pricing.snapshot": "The active promotion rules",
    "orders.place": "Place an order",
    "orders.search": "Search orders",
    "orders.read": "Read an order and its status",
    "orders.cancel": "Cancel an order or some units",
    "orders.change": "Change shipping address, delivery method or requested date",
    "orders.hold": "Put an order on hold and release it",
    "orders.arrival": 'The customer is at the store ("I\'m here")',
    "fulfilment.read": "List and read fulfilment orders",
    "fulfilment.work": "Acknowledge, decline, pick, pack and ship fulfilment orders",
    "fulfilment.handover": "Ready for pickup, receive at the pickup store, hand over (collect)",
}

_ALL = frozenset(OPERATIONS)
_WEB_SHOP = frozenset({
    "locations.read", "availability.read", "promise", "pricing.quote", "pricing.snapshot", "orders.place",
    "orders.search", "orders.read", "orders.cancel", "orders.change", "orders.arrival",
})  # fmt: skip

# Who may call which operation. Human roles keep what they had before API clients existed;
# an integration user reaches the API only through its ApiClient's profile.
GRANTS: dict[str, frozenset[str]] = {
    Role.HEAD_OFFICE: _ALL,
    Role.CALL_CENTRE: frozenset(
        {
            "locations.read",
            "availability.read",
            "promise",
            "pricing.quote",
            "orders.place",
            "orders.search",
            "orders.read",
            "orders.cancel",
            "orders.change",
            "orders.hold",
            "orders.arrival",
        }
    ),  # fmt: skip
    Role.STORE_ASSOCIATE: frozenset(
        {
            "locations.read",
            "promise",
            "pricing.quote",
            "pricing.snapshot",
            "orders.place",
            "orders.search",
            "orders.read",
            "fulfilment.read",
            "fulfilment.work",
            "fulfilment.handover",
        }
    ),  # fmt: skip
    Role.INTEGRATION: frozenset(),
    Profile.WEB_SHOP: _WEB_SHOP,
    Profile.ERP_PIM: frozenset({"locations.read", "products.sync", "inventory.sync"}),
    Profile.DROPSHIP_VENDOR: frozenset({"fulfilment.read", "fulfilment.work"}),
    Profile.STORE_SYSTEM: frozenset(
        {"locations.read", "fulfilment.read", "fulfilment.work", "fulfilment.handover"}
    ),
}

# Column labels of the role matrix, in its order.
PRINCIPALS: dict[str, str] = {
    Role.HEAD_OFFICE: "head office",
    Role.CALL_CENTRE: "call centre",
    Role.STORE_ASSOCIATE: "store associate",
    Profile.WEB_SHOP: "web shop (client)",
    Profile.ERP_PIM: "ERP/PIM (client)",
    Profile.DROPSHIP_VENDOR: "drop-ship vendor (client)",
    Profile.STORE_SYSTEM: "store system (client)",
}


def principal_of(user, auth=None) -> str | None:
    """The GRANTS key a request acts under: its API client's profile, else the user's role."""
    if isinstance(auth, ApiClient):
        return auth.profile
    if not (user and user.is_authenticated and user.is_active):
        return None
    return user.effective_role


def may(principal: str | None, operation: str) -> bool:
    return operation in GRANTS.get(principal or "", ())


def view_scope(view, method: str) -> str | None:
    """The operation an API view performs for this HTTP method (HEAD as GET), or None."""
    scope = getattr(view, "scope", None)
    if isinstance(scope, dict):
        return scope.get("GET" if method == "HEAD" else method)
    return scope


class ScopedAccess(BasePermission):
    """The default API permission: the caller's role or client profile must be granted the
    view's declared operation. A view without a declared scope is refused to everyone."""

    message = "Your role or API client does not give access to this operation."

    def has_permission(self, request, view) -> bool:
        scope = view_scope(view, request.method)
        return scope is not None and may(principal_of(request.user, request.auth), scope)


def user_has_role(user, roles) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.effective_role in roles)


def role_required(*roles: str):
    """Page views: sign-in first, then 403 unless the user has one of ``roles``."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not user_has_role(request.user, roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
