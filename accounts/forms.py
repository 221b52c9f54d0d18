from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import ApiClient

# Inventory's location model by relation, not by import (see ApiClient.clean).
LOCATION = ApiClient._meta.get_field("location").related_model


class SignInForm(AuthenticationForm):
    """Django's sign-in form; integration clients use the REST API with a token, not pages."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "api_only": _(
            "This account is an integration client: it uses the REST API with a token, not these pages."
        ),
    }

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if user.is_integration_client:
            raise forms.ValidationError(self.error_messages["api_only"], code="api_only")


class ApiClientForm(forms.Form):
    """Head office creates an API client: a name, a profile and, for a vendor or a store
    system, its location."""

    name = forms.CharField(label=_("Name"), max_length=100)
    profile = forms.ChoiceField(label=_("Profile"), choices=ApiClient.Profile.choices)
    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=LOCATION.objects.filter(
            kind__in=[LOCATION.Kind.STORE, LOCATION.Kind.DROP_SHIP_VENDOR]
        ).order_by("kind", "code"),
        required=False,
        help_text=_("Required for a drop-ship vendor (its location) or a store system (its store)."),
    )
    expires_at = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: the default validity (OMNI_API_TOKEN_DAYS), or never."),
    )
