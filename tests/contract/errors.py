"""Reading the one API error shape in tests."""

from __future__ import annotations


def field_errors(response) -> dict[str, list[str]]:
    """The ``errors`` of an error response, after checking the body is the one error shape."""
    body = response.json()
    assert {"code", "detail"} <= set(body) <= {"code", "detail", "errors"}, body
    return body.get("errors", {})


def path_of(*steps) -> str:
    """("lines", "0", "sku") → "lines[0].sku"."""
    path = ""
    for step in steps:
        step = str(step)
        path += f"[{step}]" if step.isdigit() else (f".{step}" if path else step)
    return path


def errors_at(response, field: str) -> list[str]:
    """The messages at ``field`` or under it ("lines" finds "lines[0].sku")."""
    return [
        message
        for path, messages in field_errors(response).items()
        if path == field or path.startswith((f"{field}.", f"{field}["))
        for message in messages
    ]
