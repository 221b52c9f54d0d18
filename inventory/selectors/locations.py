"""Reads about the network's locations, scoped to what the user may see."""

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from ..models import Location, OpeningPeriod, Weekday
from ..opening_hours import format_day, is_open


def locations_visible_to(user) -> QuerySet[Location]:
    """Head office, call centre and the web shop's and ERP's API clients see the whole
    network; a store associate, a store system or a vendor sees their own location only."""
    locations = Location.objects.all()
    if not (user and user.is_authenticated):
        return locations.none()
    if user.is_store_associate or user.is_integration_client:
        location = user.bound_location_id
        return locations.filter(pk=location) if location else locations
    return locations


def store_choices() -> list[tuple[str, str]]:
    """Active stores as (code, "name (code)") choices, by name."""
    return [
        (code, f"{name} ({code})")
        for code, name in Location.objects.filter(kind=Location.Kind.STORE, is_active=True)
        .order_by("name")
        .values_list("code", "name")
    ]


def location_list(
    *, user, search: str = "", kind: str = "", active: str = "", capability: str = ""
) -> QuerySet[Location]:
    locations = locations_visible_to(user).prefetch_related(
        Prefetch("opening_periods", queryset=OpeningPeriod.objects.order_by("weekday", "opens_at"))
    )
    if search:
        locations = locations.filter(
            Q(code__icontains=search)
            | Q(name__icontains=search)
            | Q(city__icontains=search)
            | Q(postcode__startswith=search)
        )
    if kind:
        locations = locations.filter(kind=kind)
    if active in {"yes", "no"}:
        locations = locations.filter(is_active=active == "yes")
    if capability in LOCATION_CAPABILITY_FILTERS:
        locations = locations.filter(**{capability: True})
    return locations.order_by("kind", "name")


LOCATION_CAPABILITY_FILTERS = (
    "ships_to_customers",
    "is_pickup_point",
    "receives_ship_to_store",
    "sends_transfers",
    "receives_transfers",
    "sells_stock_online",
)


def location_get_for_user(*, user, code: str) -> Location:
    """The location with this code if the user may see it; 404 otherwise (we do not
    reveal whether another store's code exists)."""
    try:
        return locations_visible_to(user).prefetch_related("opening_periods").get(code=code)
    except Location.DoesNotExist as exc:
        raise Http404 from exc


def location_weekly_hours(location: Location) -> list[tuple[str, str]]:
    """[(weekday label, "09:30–12:30, 14:00–19:00"), ...] Monday first."""
    by_day: dict[int, list] = {day: [] for day in Weekday.values}
    for period in location.opening_periods.all():
        by_day[period.weekday].append((period.opens_at, period.closes_at))
    return [(Weekday(day).label, format_day(sorted(spans))) for day, spans in by_day.items()]


def location_history(location: Location, limit: int = 50):
    return location.history.select_related("history_user").order_by("-history_date")[:limit]


def network_summary() -> list[dict]:
    """Per kind of location: how many are active and inactive."""
    from django.db.models import Count

    rows = Location.objects.values("kind").annotate(
        active=Count("pk", filter=Q(is_active=True)), inactive=Count("pk", filter=Q(is_active=False))
    )
    by_kind = {row["kind"]: row for row in rows}
    return [
        {
            "kind": kind,
            "label": label,
            "active": by_kind.get(kind, {}).get("active", 0),
            "inactive": by_kind.get(kind, {}).get("inactive", 0),
        }
        for kind, label in Location.Kind.choices
    ]


def location_is_open_now(location: Location, now=None) -> bool:
    from django.utils import timezone

    local = (now or timezone.now()).astimezone(location.tzinfo)
    return is_open(location.opening_periods.all(), local)
