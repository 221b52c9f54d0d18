"""API authentication: ``Authorization: Token <key>`` names an API client (see ApiClient)."""

from django.utils import formats
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from .selectors import api_client_for_key
from .services import api_client_touch


class ApiClientAuthentication(BaseAuthentication):
    """``request.user`` is the client's integration user (so services, timelines and the
    ledger keep working with a user) and ``request.auth`` the ApiClient, whose profile
    ``accounts.access`` reads. Unknown, revoked or expired keys answer 401."""

    keyword = "Token"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the key as `Authorization: Token <key>`, without spaces in the key."),
                code="bad_header",
            )
        try:
            key = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid API key."), code="invalid_key") from exc
        client = api_client_for_key(key)
        if client is None:
            raise exceptions.AuthenticationFailed(_("Invalid API key."), code="invalid_key")
        if client.is_revoked:
            raise exceptions.AuthenticationFailed(
                _("This API key was revoked on %(when)s.") % {"when": formats.date_format(client.revoked_at)},
                code="key_revoked",
            )
        if client.is_expired:
            raise exceptions.AuthenticationFailed(
                _("This API key expired on %(when)s; ask head office to rotate it.")
                % {"when": formats.date_format(client.expires_at)},
                code="key_expired",
            )
        if not client.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("This API client's user is inactive."), code="user_inactive"
            )
        api_client_touch(client=client)
        return client.user, client

    def authenticate_header(self, request) -> str:
        return self.keyword


class ApiClientAuthenticationScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the API client key."""

    target_class = ApiClientAuthentication
    name = "apiClientKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "An API client's key, as `Token <key>`; head office creates clients.",
        }
