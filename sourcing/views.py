"""Sourcing pages for head office: the dry run of a basket (an order's what-if is on the
order's side, ``orders:what_if``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from accounts.access import role_required
from accounts.models import Role
from inventory.geo import postcode_point

from . import services
from .forms import DryRunForm
from .planning import dry_run_basket
from .presenters import explanation_present


@role_required(Role.HEAD_OFFICE)
def dry_run_view(request: HttpRequest) -> HttpResponse:
    form = DryRunForm(request.GET or None)
    decisions, profile = None, None
    if form.is_valid():
        data = form.cleaned_data
        profile = data.get("profile") or services.profile_current()
        if data.get("order"):
            url = reverse("orders:what_if", args=[data["order"].strip().upper()]) + f"?profile={profile.pk}"
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        decisions = dry_run_basket(
            lines=data["lines"],
            delivery_method=data["delivery_method"],
            profile=profile,
            postcode=data.get("postcode", ""),
            point=postcode_point(data.get("postcode", "")),
            pickup_location=data.get("pickup_location"),
            channel=data["channel"],
        )
        for decision in decisions:
            explanation_present(decision.explanation)
    template = "sourcing/dry_run.html#results" if request.htmx else "sourcing/dry_run.html"
    return render(
        request, template, {"form": form, "decisions": decisions, "profile": profile, "order": None}
    )
