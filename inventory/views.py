from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import PAGE_ROLES, role_required
from accounts.models import Role
from omni.forms import apply_validation_error

from . import services
from .forms import LocationForm
from .models import Location
from .selectors import location_get_for_user, location_history, location_list, location_weekly_hours


@role_required(*PAGE_ROLES)
def location_list_view(request: HttpRequest) -> HttpResponse:
    filters = {
        "search": request.GET.get("q", "").strip(),
        "kind": request.GET.get("kind", ""),
        "active": request.GET.get("active", ""),
        "capability": request.GET.get("capability", ""),
    }
    locations = location_list(user=request.user, **filters)
    template = "inventory/location_list.html#results" if request.htmx else "inventory/location_list.html"
    return render(
        request, template, {"locations": locations, "filters": filters, "kinds": Location.Kind.choices}
    )


@role_required(*PAGE_ROLES)
def location_detail_view(request: HttpRequest, code: str) -> HttpResponse:
    location = location_get_for_user(user=request.user, code=code)
    return render(
        request,
        "inventory/location_detail.html",
        {
            "location": location,
            "weekly_hours": location_weekly_hours(location),
            "history": location_history(location) if request.user.is_head_office else None,
        },
    )


def _save_location_form(request: HttpRequest, form: LocationForm, location: Location | None):
    try:
        if location is None:
            return services.location_create(
                actor=request.user,
                code=form.cleaned_data["code"],
                weekly_hours=form.weekly_hours(),
                reason=form.cleaned_data["reason"],
                **form.location_fields(),
            )
        return services.location_update(
            location=location,
            actor=request.user,
            weekly_hours=form.weekly_hours(),
            reason=form.cleaned_data["reason"],
            **form.location_fields(),
        )
    except ValidationError as error:
        apply_validation_error(form, error)
        return None


@role_required(Role.HEAD_OFFICE)
def location_create_view(request: HttpRequest) -> HttpResponse:
    form = LocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        location = _save_location_form(request, form, None)
        if location:
            messages.success(request, _("Location %(name)s created.") % {"name": location.name})
            return redirect(location)
    return render(request, "inventory/location_form.html", {"form": form, "location": None})


@role_required(Role.HEAD_OFFICE)
def location_edit_view(request: HttpRequest, code: str) -> HttpResponse:
    location = location_get_for_user(user=request.user, code=code)
    form = LocationForm(request.POST or None, instance=location)
    if request.method == "POST" and form.is_valid() and _save_location_form(request, form, location):
        messages.success(request, _("Location %(name)s saved.") % {"name": location.name})
        return redirect(location)
    return render(request, "inventory/location_form.html", {"form": form, "location": location})


@require_POST
@role_required(Role.HEAD_OFFICE)
def location_set_active_view(request: HttpRequest, code: str) -> HttpResponse:
    location = location_get_for_user(user=request.user, code=code)
    active = request.POST.get("active") == "1"
    services.location_set_active(
        location=location, actor=request.user, active=active, reason=request.POST.get("reason", "")
    )
    messages.success(request, _("Location reactivated.") if active else _("Location deactivated."))
    return redirect(location)
