"""The OpenAPI schema's shared conventions (kept apart from ``omni.api``: DRF reads the
schema class setting while its views module is being imported)."""

from django.core.validators import RegexValidator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from rest_framework import serializers
from rest_framework.fields import empty

from .api import ErrorOutput, InputSerializer


def _always_answered(serializer, field) -> bool:
    """Whether ``field`` is in every response ``serializer`` renders. DRF leaves a field out
    only when its value is missing and it is not required, has no default and is not nullable;
    a field a ModelSerializer built from a model field always has its value."""
    if field.required or field.default is not empty or field.allow_null:
        return True
    return field.field_name not in getattr(serializer, "_declared_fields", {})


def _decimal_pattern(field: serializers.DecimalField) -> str:
    """What a decimal string must look like: at least one digit before the point (drf-spectacular's
    own pattern also matches "" and "-"), no sign where negative values are refused."""
    whole = (field.max_digits - field.decimal_places) if field.max_digits is not None else None
    sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
    digits = rf"\d{{1,{whole}}}" if whole else r"\d+"
    fraction = rf"(?:\.\d{{1,{field.decimal_places}}})?" if field.decimal_places else ""
    return f"^{sign}{digits}{fraction}$"


# DRF renders a time of day as ISO 8601 without an offset ("16:00:00"), which JSON Schema's
# `format: time` (RFC 3339, offset required) refuses.
TIME_OF_DAY = {"pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$", "example": "16:00:00"}


# A NUL is refused anywhere in a request (omni.parsers, omni.api.ApiRequestMiddleware):
# PostgreSQL cannot store one.
NO_NUL = r"^[^\u0000]*$"


# DRF strips what Python calls whitespace before it refuses a blank text: a text that may not
# be blank needs one character outside that set (and no NUL anywhere).
_WHITESPACE = "".join(f"\\u{ord(c):04x}" for c in map(chr, range(0x3000 + 1)) if c.isspace())
NOT_BLANK = rf"^[^\u0000]*[^\u0000{_WHITESPACE}][^\u0000]*$"


def _refuse_nul(schema: dict) -> None:
    types = schema.get("type")
    is_text = types == "string" or (isinstance(types, list) and "string" in types)
    if is_text and not ({"pattern", "enum", "format"} & set(schema)):
        schema["pattern"] = NO_NUL


class OmniAutoSchema(AutoSchema):
    """Every operation documents the errors it can answer, in the one error shape:
    400 and 401/403 always, 404 where the path names a resource, 409 and 415 for writes,
    428 where the view requires an Idempotency-Key, 503 (with Retry-After) always, and whatever
    the view adds in ``error_statuses``.

    In responses, every field the serializer always renders is ``required``, so that clients
    generated from the schema read ``order.status`` as an ``OrderStatusEnum``, not as
    "maybe unset". Lists that refuse to be empty say ``minItems: 1``, decimals need a digit,
    times of day in responses are "HH:MM[:SS]", text in requests holds no NUL. An ``InputSerializer`` refuses fields it does not know, so its schema says
    ``additionalProperties: false``."""

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.DecimalField) and "pattern" in schema:
            schema["pattern"] = _decimal_pattern(field)
            if direction == "request":  # DRF takes a JSON number as well as a string
                types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
                schema["type"] = ["string", "number", *[t for t in types if t != "string"]]
                if field.min_value is not None:
                    schema["minimum"] = float(field.min_value)
                if field.max_value is not None:
                    schema["maximum"] = float(field.max_value)
        has_regex = any(isinstance(v, RegexValidator) for v in getattr(field, "validators", ()))
        if direction == "request" and isinstance(field, serializers.CharField) and not has_regex:
            # (a RegexField's own pattern, added by drf-spectacular afterwards, says it all)
            if (
                not field.allow_blank
                and field.trim_whitespace
                and not ({"pattern", "enum", "format"} & set(schema))
            ):
                schema["pattern"] = NOT_BLANK
            _refuse_nul(schema)
        if direction == "response" and schema.get("format") == "time":
            del schema["format"]
            schema.update(TIME_OF_DAY)
        if (
            isinstance(field, serializers.ListSerializer | serializers.ListField)
            and not field.allow_empty
            and schema.get("type") == "array"
        ):
            schema.setdefault("minItems", 1)
        return schema

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(force_instance(serializer), InputSerializer):
            schema["additionalProperties"] = False
        if direction == "response":
            serializer = force_instance(serializer)
            required = set(schema.get("required", []))
            required.update(
                name
                for name, field in serializer.fields.items()
                if name in schema.get("properties", {}) and _always_answered(serializer, field)
            )
            if required:
                schema["required"] = sorted(required)
        return schema

    def _get_parameters(self):
        parameters = super()._get_parameters()
        for parameter in parameters:
            if parameter.get("in") in ("path", "query"):
                _refuse_nul(parameter.get("schema", {}))
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        statuses = {400, 401, 403, 503}  # 503: PostgreSQL or Redis briefly unavailable
        if "{" in self.path:
            statuses.add(404)
        if self.method in ("POST", "PUT", "PATCH"):
            statuses.update({409, 415})
            if getattr(self.view, "idempotency_required", False):
                statuses.add(428)
        statuses.update(getattr(self.view, "error_statuses", ()))
        for status in sorted(statuses):
            responses.setdefault(str(status), self._get_response_for_code(ErrorOutput, str(status)))
        return responses
