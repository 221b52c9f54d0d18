"""API plumbing shared by every app.

One error shape for every API error, whatever raised it (a serializer, a service, DRF, the
URL resolver)::

    {"code": "invalid", "detail": "The request has errors; nothing was saved.",
     "errors": {"lines[2].quantity": ["Ensure this value is less than or equal to 10000."]}}

``code`` is stable for programs, ``detail`` is for people (English unless the client asks
for French with ``Accept-Language``), ``errors`` (only when fields are at fault) is keyed by
the path of the field in the request body or query string.

Input is strict: request bodies are JSON only, unknown fields are refused by name, NUL
characters anywhere are refused, and lists are paged with a stated maximum.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, pagination, serializers
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings

from .errors import OUTAGE_ERRORS, DomainError

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
API_LANGUAGES = ("en", "fr")
# What a 503 asks the client to wait before trying again: PostgreSQL restarting or Redis
# failing over takes seconds.
RETRY_AFTER_SECONDS = 5


# ---------------------------------------------------------------- the error shape


class ErrorOutput(serializers.Serializer):
    """What every API error looks like."""

    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `invalid`, `not_found`.")
    detail = serializers.CharField(help_text="What went wrong, in the client's language.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Field errors keyed by the field's path in the request, e.g. `lines[2].quantity`.",
    )


def error_body(code: str, detail: str, errors: Mapping[str, list[str]] | None = None) -> dict:
    body = {"code": str(code), "detail": str(detail)}
    if errors:
        body["errors"] = dict(errors)
    return body


def flatten_errors(data, prefix: str = "") -> dict[str, list[str]]:
    """DRF-style nested errors ({"lines": {"2": {"quantity": [...]}}} or lists aligned with
    the items) as one level keyed by path: {"lines[2].quantity": [...]}."""
    if isinstance(data, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in data.items():
            key = str(key)
            if key in (api_settings.NON_FIELD_ERRORS_KEY, "__all__"):
                path = prefix or api_settings.NON_FIELD_ERRORS_KEY
            elif key.isdigit():
                path = f"{prefix}[{key}]"
            else:
                path = f"{prefix}.{key}" if prefix else key
            for field_path, messages in flatten_errors(value, path).items():
                flat.setdefault(field_path, []).extend(messages)
        return flat
    if isinstance(data, list | tuple):
        if all(not isinstance(item, Mapping | list | tuple) for item in data):
            return {prefix or api_settings.NON_FIELD_ERRORS_KEY: [str(item) for item in data]}
        flat = {}
        for index, item in enumerate(data):
            if item:
                flat.update(flatten_errors(item, f"{prefix}[{index}]"))
        return flat
    return {prefix or api_settings.NON_FIELD_ERRORS_KEY: [str(data)]}


def _domain_error_body(exc: DomainError) -> dict:
    return error_body(exc.code, exc.message, flatten_errors(exc.field_errors()))


def service_unavailable_body() -> dict:
    return error_body(
        "service_unavailable",
        _(
            "The service is briefly unavailable (a database or cache server is restarting). Try again in a few seconds."
        ),
    )


def exception_handler(exc, context):
    """Every exception a view lets out becomes the one error shape (or DRF's 500 path); an
    outage (PostgreSQL or Redis unreachable) is a 503 with Retry-After, never a 500."""
    if isinstance(exc, OUTAGE_ERRORS):
        log_outage(exc, context["request"])
        response = Response(
            service_unavailable_body(), status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
        )
        response._has_been_logged = True  # by log_outage, in one line: not again by django.request
        return response
    if isinstance(exc, DomainError):
        response = Response(_domain_error_body(exc), status=exc.status_code)
        if retry_after := getattr(exc, "retry_after", None):
            response["Retry-After"] = str(retry_after)
        return response
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, exceptions.ValidationError):
        body = error_body(
            "invalid", _("The request has errors; nothing was saved."), flatten_errors(exc.detail)
        )
    else:
        detail = exc.detail
        if isinstance(detail, list | dict):
            detail = next(iter(flatten_errors(detail).values()))[0]
        body = error_body(getattr(detail, "code", None) or exc.default_code, str(detail))
    return Response(body, status=exc.status_code, headers=headers)


def api_error_response(status: int, code: str, detail: str) -> JsonResponse:
    """An error answered before DRF sees the request (middleware, URL resolver)."""
    return JsonResponse(error_body(code, detail), status=status)


def log_outage(exc: BaseException, request) -> None:
    """One warning line per 503: an outage is the server's state, not a bug, and a restart under
    load would otherwise bury the log in identical tracebacks (kept at DEBUG level)."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    logger.warning("503 for %s %s: %s: %s", request.method, request.path, type(exc).__name__, message)
    logger.debug("the outage behind that 503", exc_info=exc)


# ---------------------------------------------------------------- strict input


class InputSerializer(serializers.Serializer):
    # Base of every API input: a field the operation does not know is an error, by name,
    # rather than silently ignored (a cancel with ``line`` instead of ``lines`` must not
    # cancel the whole order). A comment, not a docstring: the schema would show it on
    # every input.

    # Text is text: DRF's CharField would turn a JSON number into a string, and trims before it
    # counts, where the schema (`type: string`, `maxLength`) allows neither.

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("Unknown field; this operation does not take it.")] for name in unknown}
                )
            if not_text := _not_text_errors(self.fields, data):
                raise serializers.ValidationError(not_text)
        return super().to_internal_value(data)


def _text_error(field, value) -> str | None:
    """Why ``value`` is not the text ``field`` takes, judged on what was sent: DRF would trim
    whitespace before checking the length, the schema's ``maxLength`` counts it."""
    if not isinstance(field, serializers.CharField) or value is None:
        return None
    if not isinstance(value, str):
        return str(field.error_messages["invalid"])
    if field.max_length is not None and len(value) > field.max_length:
        return str(field.error_messages["max_length"]).format(max_length=field.max_length)
    return None


def _not_text_errors(fields, data: Mapping) -> dict:
    errors = {}
    for name, field in fields.items():
        value = data.get(name)
        if message := _text_error(field, value):
            errors[name] = [message]
        elif isinstance(field, serializers.ListField) and isinstance(value, list):
            items = {
                str(i): [message]
                for i, item in enumerate(value)
                if (message := _text_error(field.child, item))
            }
            if items:
                errors[name] = items
    return errors


def filters_valid(serializer_class: type[serializers.Serializer], request) -> dict:
    """Clean a list's query-string filters: unknown values are a 400, not an empty list."""
    params = {key: request.query_params.get(key) for key in request.query_params}
    for name in ("limit", "offset", "cursor", "format"):
        params.pop(name, None)
    payload = serializer_class(data=params)
    payload.is_valid(raise_exception=True)
    return payload.validated_data


@extend_schema_field({"type": "string", "example": "created,acknowledged"})
class CommaSeparatedChoicesField(serializers.Field):
    """``?status=a,b`` as a list of known values."""

    def __init__(self, *, choices, **kwargs):
        self.choices = [str(choice) for choice in choices]
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        values = [value.strip() for value in str(data).split(",") if value.strip()]
        unknown = [value for value in values if value not in self.choices]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown value %(values)s; expected one of: %(choices)s.")
                % {"values": ", ".join(unknown), "choices": ", ".join(self.choices)}
            )
        return values

    def to_representation(self, value):
        return ",".join(value)


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}$", "example": "09:30"})
class HourMinuteField(serializers.TimeField):
    """A time of day as ``HH:MM`` (opening hours), documented as such."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


# ---------------------------------------------------------------- paging


class Pagination(pagination.LimitOffsetPagination):
    """``?limit=`` (default 50, at most 200) and ``?offset=``; answers ``count``, ``next``,
    ``previous`` and ``results``. A limit or offset out of range is a 400, not a guess."""

    default_limit = 50
    max_limit = 200

    def _bounded(self, request, name: str, default: int, low: int, high: int | None) -> int:
        raw = request.query_params.get(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value is None or value < low or (high is not None and value > high):
            bounds = f"{low}–{high}" if high is not None else f"≥ {low}"
            raise exceptions.ValidationError({name: [_("A whole number, %(bounds)s.") % {"bounds": bounds}]})
        return value

    def get_limit(self, request):
        return self._bounded(request, self.limit_query_param, self.default_limit, 1, self.max_limit)

    def get_offset(self, request):
        return self._bounded(request, self.offset_query_param, 0, 0, None)

    def get_paginated_response_schema(self, schema):
        paged_schema = super().get_paginated_response_schema(schema)
        paged_schema["required"] = ["count", "next", "previous", "results"]
        for link in ("next", "previous"):  # OpenAPI 3.1: null is a type
            paged_schema["properties"][link].pop("nullable", None)
            paged_schema["properties"][link]["type"] = ["string", "null"]
        return paged_schema

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_limit, default=self.default_limit)
            else:
                parameter["schema"].update(minimum=0, default=0)
        return parameters


class PageParameters(serializers.Serializer):
    """The paging query parameters, for operations that page by hand (``paginate``)."""

    limit = serializers.IntegerField(
        required=False, min_value=1, max_value=Pagination.max_limit, default=Pagination.default_limit,
        help_text="How many results per page.",
    )  # fmt: skip
    offset = serializers.IntegerField(required=False, min_value=0, default=0, help_text="Results to skip.")


def paginate(view, queryset, output_serializer: type[serializers.Serializer]) -> Response:
    """One page of ``queryset`` rendered by ``output_serializer``, for an APIView."""
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, view.request, view=view)
    return paginator.get_paginated_response(output_serializer(page, many=True).data)


_pages: dict[str, type[serializers.Serializer]] = {}


def paged(output_serializer: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The schema of what ``paginate`` answers for ``output_serializer``."""
    name = f"Paginated{output_serializer.__name__}List"
    if name not in _pages:
        _pages[name] = type(
            name,
            (serializers.Serializer,),
            {
                "__module__": output_serializer.__module__,
                "count": serializers.IntegerField(help_text="How many results in all."),
                "next": serializers.URLField(allow_null=True, help_text="The next page, if any."),
                "previous": serializers.URLField(allow_null=True, help_text="The previous page, if any."),
                "results": output_serializer(many=True),
            },
        )
    return _pages[name]


# ---------------------------------------------------------------- requests before DRF


def _api_language(request) -> str:
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in translation.trans_real.parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            language = translation.get_supported_language_variant(code)
        except LookupError:
            continue
        if language in API_LANGUAGES:
            return language
    return "en"


def _holds_nul(request) -> bool:
    # Only NUL needs refusing: PostgreSQL cannot store or compare it. Any other character is
    # a valid (if unknown) id, a 404; bytes that are not UTF-8 stay percent-encoded in
    # Django's path, so they are unknown ids too.
    query = request.META.get("QUERY_STRING", "")
    return "\x00" in request.path_info or "%00" in query or "\x00" in query


class ApiRequestMiddleware:
    """For ``/api/``: the client's language (English unless it asks for French), and a 400
    in the error shape for a path or query string that holds a NUL."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        language = _api_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        if _holds_nul(request):
            response = api_error_response(
                400, "parse_error", _("The address or query string holds a NUL character.")
            )
        else:
            response = self.get_response(request)
            if response.status_code == 404 and "json" not in response.get("Content-Type", ""):
                # No API operation at this address (the URL resolver's page, even under DEBUG).
                response = api_error_response(404, "not_found", _("Not found."))
        response.headers.setdefault("Content-Language", language)
        return response
