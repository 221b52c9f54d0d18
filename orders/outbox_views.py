"""Head office's view of the outbox of customer e-mails: what waits, what is being retried and
why, what was given up on, what went; and "send again"."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.models import Role

from . import selectors, services
from .models import Notification

head_office_only = role_required(Role.HEAD_OFFICE)
PAGE_SIZE = 50
STATE_LABELS = {
    "pending": gettext_lazy("Waiting"),
    "retrying": gettext_lazy("Being retried"),
    "failed": gettext_lazy("Given up"),
    "delivered": gettext_lazy("Delivered"),
}


@head_office_only
def outbox_view(request: HttpRequest) -> HttpResponse:
    counts = selectors.outbox_counts()
    state = request.GET.get("state", "")
    if state not in selectors.OUTBOX_STATES:
        # Where something needs a look first: given up, then being retried, else everything.
        state = (
            next((s for s in ("failed", "retrying") if counts[s]), "") if "state" not in request.GET else ""
        )
    page = Paginator(selectors.outbox_list(state=state or None), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "orders/outbox.html",
        {
            "state": state,
            "total": sum(counts.values()),
            "states": [(key, STATE_LABELS[key], counts[key]) for key in selectors.OUTBOX_STATES],
            "labels": STATE_LABELS,
            "page": page,
        },
    )


@head_office_only
@require_POST
def outbox_send_again_view(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification.objects.select_related("event__order"), pk=pk)
    queued = services.notification_send_again(notification=notification)
    notification.refresh_from_db()
    if request.htmx:
        return render(
            request,
            "orders/outbox.html#outbox-row",
            {"row": notification, "queued": queued, "labels": STATE_LABELS},
        )
    if queued:
        messages.success(request, _("The e-mail is queued to be sent again."))
    elif notification.sent_at:
        messages.info(request, _("This e-mail was already delivered: it is not sent twice."))
    else:
        messages.info(request, _("This e-mail is being sent right now: look again in a moment."))
    return redirect("orders:outbox")
