"""Sourcing profiles: the default one, drafts, explicit publication."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from omni.errors import ConflictError, DomainError

from ..locks import profile_lock, profiles_published_lock
from ..models import SourcingProfile, SourcingStrategy
from ..selectors import profile_published

DEFAULT_CRITERIA = [
    {"criterion": "fewest_shipments", "weight": 5},
    {"criterion": "distance", "weight": 3, "scale_km": 800},
    {"criterion": "shipping_cost", "weight": 2, "max_cost": 12},
    {"criterion": "stock_depth", "weight": 1, "protect_store_units": 1, "target_depth": 10},
    {"criterion": "capacity", "weight": 1},
    {"criterion": "reliability", "weight": 1, "max_failure_rate": 0.5},
]

DEFAULT_STRATEGIES = [
    {
        "priority": 10,
        "name": "Large orders: warehouse or vendor, one parcel",
        "min_order_value": 300,
        "location_kinds": ["warehouse", "drop_ship_vendor"],
        "delivery_methods": ["ship_to_address", "ship_to_relay"],
        "max_locations": 1,
        "allow_split": False,
        "criteria": [
            {"criterion": "distance", "weight": 2, "scale_km": 1000},
            {"criterion": "shipping_cost", "weight": 2, "max_cost": 12},
            {"criterion": "stock_depth", "weight": 1, "protect_store_units": 0},
        ],
    },
    {
        "priority": 20,
        "name": "Standard: fewest parcels, nearest, cheapest",
        "max_locations": 3,
        "criteria": DEFAULT_CRITERIA,
    },
    {
        "priority": 90,
        "name": "Fallback: whatever is in stock, last units included",
        "is_fallback": True,
        "max_locations": 3,
        "respect_promised_date": False,
        "criteria": [
            {"criterion": "fewest_shipments", "weight": 3},
            {"criterion": "distance", "weight": 2, "scale_km": 1000},
            {"criterion": "stock_depth", "weight": 1, "protect_store_units": 0},
        ],
    },
]


def profile_current() -> SourcingProfile:
    """The published profile with the highest version; the built-in default (version 1) is
    created and published the first time none exists."""
    profile = profile_published()
    if profile is not None:
        return profile
    try:
        with transaction.atomic():
            return _create_default()
    except IntegrityError:  # created meanwhile by a concurrent request
        return profile_published()


def _create_default() -> SourcingProfile:
    profile = SourcingProfile.objects.create(
        version=(SourcingProfile.objects.aggregate(v=Max("version"))["v"] or 0) + 1,
        name=_("Default"),
        note=_(
            "Built-in profile: one parcel where possible, nearest and cheapest location, "
            "a store's last unit kept for walk-in customers, fallback to any stock."
        ),  # fmt: skip
        status=SourcingProfile.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    SourcingStrategy.objects.bulk_create(
        SourcingStrategy(profile=profile, **spec) for spec in DEFAULT_STRATEGIES
    )
    return profile


@transaction.atomic
def profile_draft_from(*, profile: SourcingProfile, name: str = "") -> SourcingProfile:
    """A new draft version copying a profile's settings and strategies, to edit then publish."""
    source = profile_lock(profile)
    draft = SourcingProfile.objects.create(
        version=(SourcingProfile.objects.aggregate(v=Max("version"))["v"] or 0) + 1,
        name=name or source.name,
        store_acknowledge_minutes=source.store_acknowledge_minutes,
        store_ready_minutes=source.store_ready_minutes,
        warehouse_acknowledge_minutes=source.warehouse_acknowledge_minutes,
        warehouse_ready_minutes=source.warehouse_ready_minutes,
        vendor_acknowledge_minutes=source.vendor_acknowledge_minutes,
        vendor_ready_minutes=source.vendor_ready_minutes,
        max_failures_per_line=source.max_failures_per_line,
    )
    for strategy in source.strategies.all():
        excluded = list(strategy.excluded_locations.all())
        strategy.pk, strategy.profile = None, draft
        strategy.save()
        strategy.excluded_locations.set(excluded)
    return draft


@transaction.atomic
def profile_publish(*, profile: SourcingProfile, user, note: str = "") -> SourcingProfile:
    """Make a draft the current profile; the previous published version is retired. Orders
    already sourced keep the version that decided them."""
    profile = profile_lock(profile)
    strategies = list(profile.strategies.all())
    if not any(not s.is_fallback for s in strategies):
        raise DomainError(
            _("A profile needs at least one strategy that is not a fallback."), field="strategies"
        )
    for strategy in strategies:
        strategy.full_clean()
    try:
        profile.publish()
    except TransitionNotAllowed as error:
        raise ConflictError(_("Only a draft can be published.")) from error
    for previous in profiles_published_lock():
        previous.retire()
        previous.save(update_fields=["status"])
    profile.published_at = timezone.now()
    profile.published_by = user
    profile.note = note or profile.note
    profile.save(update_fields=["status", "published_at", "published_by", "note"])
    return profile
