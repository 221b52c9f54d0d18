"""Stock that needs head office's eye: SKUs the network can no longer promise, and SKUs a
location has been asked to count."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, QuerySet, Sum

from ..models import SKU, CountTask, StockLevel

ALERT_NOTHING_TO_PROMISE, ALERT_BEING_COUNTED = "nothing_to_promise", "being_counted"
STOCK_ALERTS = (ALERT_NOTHING_TO_PROMISE, ALERT_BEING_COUNTED)


def _nothing_to_promise() -> QuerySet[SKU]:
    """Active SKUs stocked somewhere in the network (a stock row at an active location) whose
    units free across it (on hand − reserved) are at or below the safety stock it keeps: the
    network's available-to-promise is nil."""
    short = (
        StockLevel.objects.filter(sku=OuterRef("pk"), location__is_active=True)
        .values("sku")
        .annotate(free=Sum(F("on_hand") - F("reserved")), kept=Sum("safety_stock"))
        .filter(free__lte=F("kept"))
    )
    return SKU.objects.filter(is_active=True).filter(Exists(short))


def _being_counted() -> QuerySet[SKU]:
    return SKU.objects.filter(
        Exists(CountTask.objects.filter(sku=OuterRef("pk"), status=CountTask.Status.OPEN))
    )


def skus_with_alert(alert: str) -> QuerySet[SKU]:
    """The SKUs of one alert (one of STOCK_ALERTS), by code."""
    found = {ALERT_NOTHING_TO_PROMISE: _nothing_to_promise, ALERT_BEING_COUNTED: _being_counted}[alert]()
    return found.select_related("product").order_by("code")


def stock_alert_counts() -> dict[str, int]:
    """How many SKUs each alert holds, and how many count tasks are open."""
    return {
        ALERT_NOTHING_TO_PROMISE: _nothing_to_promise().count(),
        ALERT_BEING_COUNTED: _being_counted().count(),
        "count_tasks_open": CountTask.objects.filter(status=CountTask.Status.OPEN).count(),
    }
