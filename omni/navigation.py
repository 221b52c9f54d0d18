"""The navigation of each role, in one place. Later issues add their entries here."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Role


@dataclass(frozen=True)
class NavEntry:
    label: str | Promise
    url_name: str
    roles: tuple[str, ...]
    # For a store associate, some entries point at their own store.
    own_store: bool = False


ENTRIES = (
    NavEntry(_("Home"), "home", (Role.HEAD_OFFICE, Role.CALL_CENTRE, Role.STORE_ASSOCIATE)),
    NavEntry(_("Work queue"), "store:queue", (Role.STORE_ASSOCIATE,)),
    NavEntry(_("Handover"), "store:handover", (Role.STORE_ASSOCIATE,)),
    NavEntry(_("Store dashboard"), "store:dashboard", (Role.STORE_ASSOCIATE,)),
    NavEntry(_("My store"), "inventory:location_detail", (Role.STORE_ASSOCIATE,), own_store=True),
    NavEntry(_("My stock"), "inventory:location_stock", (Role.STORE_ASSOCIATE,), own_store=True),
    NavEntry(_("Orders"), "orders:list", (Role.HEAD_OFFICE, Role.CALL_CENTRE, Role.STORE_ASSOCIATE)),
    NavEntry(
        _("Stock"), "inventory:stock_search", (Role.HEAD_OFFICE, Role.CALL_CENTRE, Role.STORE_ASSOCIATE)
    ),
    NavEntry(_("Backorders"), "orders:backorders", (Role.HEAD_OFFICE, Role.CALL_CENTRE)),
    NavEntry(_("Sourcing"), "sourcing:dry_run", (Role.HEAD_OFFICE,)),
    NavEntry(_("Promotions"), "promotions:list", (Role.HEAD_OFFICE,)),
    NavEntry(_("Locations"), "inventory:location_list", (Role.HEAD_OFFICE,)),
    NavEntry(_("Store directory"), "inventory:location_list", (Role.CALL_CENTRE,)),
    NavEntry(_("API"), "api-docs", (Role.HEAD_OFFICE,)),
    NavEntry(_("API clients"), "accounts:api_clients", (Role.HEAD_OFFICE,)),
    NavEntry(_("Customer e-mails"), "orders:outbox", (Role.HEAD_OFFICE,)),
    NavEntry(_("Administration"), "admin:index", (Role.HEAD_OFFICE,)),
)


def navigation_for(user) -> list[dict]:
    if not (user and user.is_authenticated):
        return []
    role = user.effective_role
    items = []
    for entry in ENTRIES:
        if role not in entry.roles:
            continue
        if entry.own_store:
            url = reverse(entry.url_name, kwargs={"code": user.store.code})
        else:
            url = reverse(entry.url_name)
        items.append({"label": entry.label, "url": url, "url_name": entry.url_name})
    return items
