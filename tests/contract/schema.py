"""Hold real API responses against what /api/schema/ says.

Every response the test suite's API client receives under /api/v1/ is validated against the
OpenAPI document the server publishes (status documented, body matching its schema, errors
included); a mismatch fails the test that made the call.
"""

from __future__ import annotations

import contextlib
import functools
import json

from django.test import RequestFactory
from drf_spectacular.generators import SchemaGenerator
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

API_PREFIX = "/api/v1/"
# (method, path template, status) of every response checked this session.
SEEN: set[tuple[str, str, int]] = set()
# Further sets that want the same records while they are in this list (``recording``), so a
# test module can tell its own calls from those of the rest of the session.
RECORDERS: list[set[tuple[str, str, int]]] = []


@contextlib.contextmanager
def recording(into: set[tuple[str, str, int]]):
    """Also record into ``into`` every response checked inside the block."""
    RECORDERS.append(into)
    try:
        yield into
    finally:
        RECORDERS.remove(into)


@functools.cache
def schema_document() -> dict:
    """The document /api/schema/ serves, as JSON."""
    generator = SchemaGenerator()
    request = RequestFactory().get("/api/schema/")
    document = generator.get_schema(request=None, public=True)
    del request
    # Through JSON, as a client reads it (no Python-only types left).
    return json.loads(json.dumps(document, default=str))


@functools.cache
def openapi() -> OpenAPI:
    return OpenAPI.from_dict(schema_document())


class ContractViolation(AssertionError):
    pass


def _describe(problem) -> str:
    """Where in the body a jsonschema error is, and what (deepest first for any-of errors)."""
    context = getattr(problem, "context", None)
    if context:
        return " | ".join(_describe(p) for p in context)
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in getattr(problem, "absolute_path", []))
    return f"at ${path}: {getattr(problem, 'message', problem)}"


def check_response(response) -> None:
    """Fail unless ``response`` (a test client response) is what the schema says."""
    request = response.wsgi_request
    if not request.path.startswith(API_PREFIX):
        return
    # 503 is documented (an outage, with Retry-After) and checked like the rest; other 5xx are bugs.
    if response.status_code >= 500 and response.status_code != 503:
        raise ContractViolation(f"{request.method} {request.path} answered {response.status_code}")
    try:
        openapi().validate_response(DjangoOpenAPIRequest(request), DjangoOpenAPIResponse(response))
    except Exception as error:  # noqa: BLE001 - every kind of mismatch is reported the same way
        cause = error.__cause__ or error
        problems = getattr(cause, "schema_errors", None) or [cause]
        details = "; ".join(_describe(p) for p in problems)
        raise ContractViolation(
            f"{request.method} {request.path} → {response.status_code} contradicts the schema: "
            f"{details}\nBody: {response.content[:600]!r}"
        ) from error
    route = getattr(request.resolver_match, "route", request.path)
    SEEN.add((request.method, route, response.status_code))
    for recorder in RECORDERS:
        recorder.add((request.method, route, response.status_code))
