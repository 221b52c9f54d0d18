from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


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
