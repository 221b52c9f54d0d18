from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts.access import PAGE_ROLES, role_required
from inventory.selectors import (
    location_get_for_user,
    location_is_open_now,
    location_weekly_hours,
    network_summary,
    stock_alert_counts,
)
from orders import selectors as orders

from .health import system_health


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when PostgreSQL and Redis answer, 503 otherwise. No sign-in: load balancers call it."""
    health = system_health()
    return JsonResponse(health, status=200 if health["ok"] else 503)


@role_required(*PAGE_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    """Each role's start page."""
    user = request.user
    context: dict = {}
    if user.is_head_office:
        context.update(_head_office_figures())
        context["network"] = network_summary()
        context["health"] = system_health()
    elif user.is_store_associate:
        store = location_get_for_user(user=user, code=user.store.code)
        context["store"] = store
        context["store_open_now"] = location_is_open_now(store)
        context["weekly_hours"] = location_weekly_hours(store)
    return render(request, "home.html", context)


def _head_office_figures() -> dict:
    """Today's figures for head office, each read by the app that owns it; the page links each
    one to the list that shows it."""
    today = timezone.localdate()
    by_channel = orders.orders_placed_by_channel(day=today)
    peak = max((row["value"] for row in by_channel), default=0) or 1
    for row in by_channel:
        row["pct"] = round(100 * row["value"] / peak)
    return {
        "today": today,
        "by_channel": by_channel,
        "orders_today": sum(row["count"] for row in by_channel),
        "value_today": sum(row["value"] for row in by_channel),
        "work": orders.work_late_and_at_risk_by_location(),
        "at_risk_minutes": int(orders.AT_RISK_WINDOW.total_seconds() // 60),
        "backorders": orders.backorders_waiting(),
        "stock_alerts": stock_alert_counts(),
        "emails_failed": orders.outbox_counts()["failed"],
    }


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: send them to the real one."""
    from django.shortcuts import redirect
    from django.templatetags.static import static

    return redirect(static("favicon.svg"), permanent=True)
