import datetime

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from omni.errors import DomainError

from . import selectors, services
from .access import role_required
from .forms import ApiClientForm, SignInForm
from .models import ApiClient, Role

head_office_only = role_required(Role.HEAD_OFFICE)


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass


@head_office_only
def api_client_list_view(request: HttpRequest) -> HttpResponse:
    """Head office's API clients: create one (its key is shown once), rotate, revoke."""
    form = ApiClientForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        extra = {}
        if data["expires_at"]:
            extra["expires_at"] = timezone.make_aware(
                datetime.datetime.combine(data["expires_at"], datetime.time.min)
            )
        try:
            client, key = services.api_client_create(
                name=data["name"],
                profile=data["profile"],
                location=data["location"],
                created_by=request.user,
                **extra,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("API client “%(name)s” created.") % {"name": client.name})
            new_key = (client.pk, key)
            form = ApiClientForm()
    return render(
        request,
        "accounts/api_clients.html",
        {"clients": selectors.api_client_list(), "form": form, "new_key": new_key},
    )


@head_office_only
@require_POST
def api_client_rotate_view(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_object_or_404(ApiClient, pk=pk)
    try:
        key = services.api_client_rotate(client=client, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("accounts:api_clients")
    client.refresh_from_db()
    return _row(request, client, new_key=key)


@head_office_only
@require_POST
def api_client_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    client = services.api_client_revoke(client=get_object_or_404(ApiClient, pk=pk), by=request.user)
    return _row(request, client)


def _row(request, client: ApiClient, new_key: str | None = None) -> HttpResponse:
    """htmx swaps the client's row; without htmx, back to the list (the new key in a message)."""
    if request.htmx:
        return render(
            request,
            "accounts/api_clients.html#client-row",
            {"client": client, "new_key": (client.pk, new_key)},
        )
    if new_key:
        messages.success(
            request, _("New key for %(name)s (shown once): %(key)s") % {"name": client.name, "key": new_key}
        )
    return redirect("accounts:api_clients")
