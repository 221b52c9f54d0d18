"""Head office's promotion pages: list with usage and revenue, create/edit, schedule, stop,
preview on a sample basket, generate coupon codes."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.models import Role
from omni.errors import DomainError

from . import selectors, services
from .api import quote_payload
from .forms import FIGURE_FIELDS, KIND_FIELDS, BatchForm, PreviewForm, PromotionForm
from .models import Promotion

head_office_only = role_required(Role.HEAD_OFFICE)


@head_office_only
def promotion_list_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    promotions = Promotion.objects.all()
    if status in Promotion.Status.values:
        promotions = promotions.filter(status=status)
    rows = selectors.promotion_usage(promotions).order_by("status", "priority", "pk")
    return render(request, "promotions/list.html", {"promotions": rows, "status": status,
                                                    "statuses": Promotion.Status.choices})  # fmt: skip


def _edit(request: HttpRequest, promotion: Promotion) -> HttpResponse:
    form = PromotionForm(request.POST or None, instance=promotion)
    if request.method == "POST" and form.is_valid():
        reason = _("edited") if promotion.pk else _("created")
        promotion = services.promotion_save(promotion=form.instance, actor=request.user, reason=reason)
        messages.success(request, _("Promotion “%(name)s” saved.") % {"name": promotion.name})
        return redirect("promotions:detail", pk=promotion.pk)
    sections = [
        (_("What it gives"), "", "name description kind percent amount threshold buy get price methods"),
        (_("On which items"), _("Leave everything empty for the whole basket."),
         "target_skus target_products target_categories target_collections min_quantity min_amount"),
        (_("Where, when, for whom"), "", "channels stores segments tiers starts_at ends_at weekdays time_from time_to"),
        (_("Order, stacking, codes and limits"), "",
         "priority stackable exclusive code requires_code max_uses max_uses_per_customer"),
    ]  # fmt: skip
    sections = [(title, help_, [form[name] for name in names.split()]) for title, help_, names in sections]
    return render(
        request,
        "promotions/form.html",
        {
            "form": form,
            "promotion": promotion,
            "sections": sections,
            "kind_fields": KIND_FIELDS,
            "figure_fields": FIGURE_FIELDS,
        },
    )


@head_office_only
def promotion_create_view(request: HttpRequest) -> HttpResponse:
    return _edit(request, Promotion())


@head_office_only
def promotion_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, get_object_or_404(Promotion, pk=pk))


@head_office_only
def promotion_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    promotion = get_object_or_404(selectors.promotion_usage(Promotion.objects.all()), pk=pk)
    preview = PreviewForm(request.GET or None)
    result = None
    if request.GET and preview.is_valid():
        result = _preview(preview.cleaned_data, promotion)
    context = {
        "promotion": promotion,
        "preview": preview,
        "result": result,
        "batch_form": BatchForm(),
        "batches": promotion.coupon_codes.values("batch").order_by("batch").distinct(),
        "codes": promotion.coupon_codes.count(),
        "history": promotion.history.select_related("history_user").order_by("-history_date")[:10],
    }
    template = "promotions/detail.html#preview" if request.htmx else "promotions/detail.html"
    return render(request, template, context)


def _preview(data: dict, promotion: Promotion) -> dict:
    result = selectors.basket_quote(
        lines=data["basket"],
        channel=data["channel"],
        store=data["store"].strip().upper(),
        codes=data["codes"].replace(",", " ").split(),
        preview=promotion,
    )
    return quote_payload(result)


@head_office_only
@require_POST
def promotion_activate_view(request: HttpRequest, pk: int) -> HttpResponse:
    promotion = get_object_or_404(Promotion, pk=pk)
    if not promotion.starts_later and request.POST.get("starts_now") != "1":
        # Without a start still to come it goes live at once: only when that is what was confirmed.
        messages.error(
            request,
            _("This promotion would go live now: confirm that it starts now, or set a start to come."),
        )
        return redirect("promotions:detail", pk=pk)
    done = (
        _("Promotion scheduled: live from its start.") if promotion.starts_later else _("Promotion live now.")
    )
    return _act(request, pk, services.promotion_activate, done)


@head_office_only
@require_POST
def promotion_stop_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.promotion_stop, _("Promotion stopped."))


def _act(request, pk, action, done) -> HttpResponse:
    try:
        action(promotion=get_object_or_404(Promotion, pk=pk), actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("promotions:detail", pk=pk)


@head_office_only
@require_POST
def coupon_batch_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Generate a batch of codes and download them as CSV (for the e-mailing tool)."""
    promotion = get_object_or_404(Promotion, pk=pk)
    form = BatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("promotions:detail", pk=pk)
    codes = services.coupon_batch_generate(promotion=promotion, **form.cleaned_data)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="codes-{promotion.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(["code", "promotion"])
    for code in codes:
        writer.writerow([code, promotion.name])
    return response
