"""Stock pages: SKU search across the network, a location's stock, one SKU at one location
(history, receive, adjust, count), and head office's file imports and exports."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import PAGE_ROLES, role_required
from accounts.models import Role
from omni.errors import DomainError
from omni.trace import Trace

from . import imports, services
from .models import StockImport
from .selectors import (
    STOCK_ALERTS,
    location_get_for_user,
    location_stock,
    locations_visible_to,
    movement_history,
    sku_get,
    sku_network_stock,
    sku_search,
    skus_with_alert,
    stock_level_for_user,
)
from .stock_forms import AdjustForm, CountForm, ReceiveForm, SafetyStockForm, StockImportForm

STOCK_WRITERS = (Role.HEAD_OFFICE, Role.STORE_ASSOCIATE)


@role_required(*PAGE_ROLES)
def stock_search_view(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    alert = request.GET.get("alert", "")
    if alert in STOCK_ALERTS and not query:
        skus = skus_with_alert(alert)  # the SKUs one of head office's stock alerts counts
    else:
        alert, skus = "", sku_search(query=query, limit=None)
    page = Paginator(skus, 50).get_page(request.GET.get("page"))
    context = {"query": query, "alert": alert, "skus": page, "page": page}
    template = "inventory/stock_search.html#results" if request.htmx else "inventory/stock_search.html"
    return render(request, template, context)


@role_required(*PAGE_ROLES)
def sku_stock_view(request: HttpRequest, sku_code: str) -> HttpResponse:
    sku = sku_get(code=sku_code)
    visible = locations_visible_to(request.user)
    origin_code = request.GET.get("from") or (
        request.user.store.code if request.user.is_store_associate else ""
    )
    origin = visible.filter(code=origin_code).first() if origin_code else None
    levels = sku_network_stock(user=request.user, sku=sku, origin=origin)
    totals = {
        "on_hand": sum(level.on_hand for level in levels),
        "reserved": sum(level.reserved for level in levels),
        "atp": sum(level.atp_value for level in levels),
    }
    stores = visible.filter(kind="store", is_active=True).order_by("name")
    return render(
        request,
        "inventory/sku_stock.html",
        {"sku": sku, "levels": levels, "totals": totals, "origin": origin, "stores": stores},
    )


@role_required(*PAGE_ROLES)
def location_stock_view(request: HttpRequest, code: str) -> HttpResponse:
    location = location_get_for_user(user=request.user, code=code)
    query = request.GET.get("q", "").strip()
    only_available = request.GET.get("available") == "1"
    page = Paginator(
        location_stock(location=location, query=query, only_available=only_available), 50
    ).get_page(request.GET.get("page"))
    context = {"location": location, "page": page, "query": query, "only_available": only_available}
    template = "inventory/location_stock.html#results" if request.htmx else "inventory/location_stock.html"
    return render(request, template, context)


FORMS = {"receive": ReceiveForm, "adjust": AdjustForm, "count": CountForm, "safety": SafetyStockForm}


def _apply_stock_form(request, action: str, form, sku, location) -> None:
    data = form.cleaned_data
    trace = Trace(actor=request.user, channel="store" if request.user.is_store_associate else "head_office")
    if action == "receive":
        trace = Trace(actor=request.user, channel=trace.channel, reference=data["reference"])
        services.stock_receive(sku=sku, location=location, quantity=data["quantity"], trace=trace)
    elif action == "adjust":
        trace = Trace(actor=request.user, channel=trace.channel, reason=data["reason"], note=data["note"])
        services.stock_adjust(sku=sku, location=location, delta=data["delta"], trace=trace)
    elif action == "count":
        trace = Trace(actor=request.user, channel=trace.channel, note=data["note"])
        services.stock_count(sku=sku, location=location, counted=data["counted"], trace=trace)
    else:
        services.stock_set_safety_stock(
            sku=sku, location=location, safety_stock=data["safety_stock"], trace=trace
        )


@role_required(*PAGE_ROLES)
def stock_level_view(request: HttpRequest, sku_code: str, code: str) -> HttpResponse:
    sku = sku_get(code=sku_code)
    location, level = stock_level_for_user(user=request.user, sku=sku, code=code)
    can_write = request.user.effective_role in STOCK_WRITERS
    forms = {name: form_class(prefix=name) for name, form_class in FORMS.items()}
    if request.method == "POST":
        if not can_write:
            return HttpResponse(status=403)
        action = request.POST.get("action")
        if action not in FORMS:
            return HttpResponse(status=400)
        form = forms[action] = FORMS[action](request.POST, prefix=action)
        if form.is_valid():
            try:
                _apply_stock_form(request, action, form, sku, location)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Stock updated."))
                return redirect("inventory:stock_level", sku_code=sku.code, code=location.code)
    return render(
        request,
        "inventory/stock_level.html",
        {
            "sku": sku,
            "location": location,
            "level": level,
            "movements": movement_history(sku=sku, location=location),
            "forms": forms,
            "can_write": can_write,
        },
    )


@role_required(*PAGE_ROLES)
def location_stock_export_view(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    location = location_get_for_user(user=request.user, code=code)
    filename = f"stock-{location.code}"
    if fmt == "xlsx":
        response = HttpResponse(
            imports.export_xlsx(location),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response

    class Echo:
        def write(self, value):
            return value

    import csv

    writer = csv.writer(Echo(), delimiter=";")
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in imports.export_rows(location)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


@role_required(Role.HEAD_OFFICE)
def stock_import_view(request: HttpRequest) -> HttpResponse:
    form = StockImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        stock_import = imports.stock_import_create(
            actor=request.user,
            uploaded_file=form.cleaned_data["file"],
            mode=form.cleaned_data["mode"],
            location=form.cleaned_data["location"],
        )
        return redirect("inventory:stock_import_detail", pk=stock_import.pk)
    recent = StockImport.objects.select_related("location", "created_by")[:20]
    return render(request, "inventory/stock_import.html", {"form": form, "imports": recent})


@role_required(Role.HEAD_OFFICE)
def stock_import_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    stock_import = get_object_or_404(
        StockImport.objects.select_related("location", "created_by", "confirmed_by"), pk=pk
    )
    context = {"stock_import": stock_import, "progress": imports.stock_import_progress(stock_import)}
    template = (
        "inventory/stock_import_detail.html#progress"
        if request.htmx
        else "inventory/stock_import_detail.html"
    )
    return render(request, template, context)


@require_POST
@role_required(Role.HEAD_OFFICE)
def stock_import_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(StockImport, pk=pk)
    try:
        imports.stock_import_confirm(import_id=pk, actor=request.user, digest=request.POST.get("digest", ""))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("inventory:stock_import_detail", pk=pk)


@require_POST
@role_required(Role.HEAD_OFFICE)
def stock_import_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(StockImport, pk=pk)
    try:
        imports.stock_import_cancel(import_id=pk)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("inventory:stock_import_detail", pk=pk)
    messages.success(request, _("Import discarded: nothing was applied."))
    return redirect("inventory:stock_import")
