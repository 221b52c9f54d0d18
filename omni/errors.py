"""Domain errors: raised by services, turned into 4xx by the API handler and form errors by views."""


class DomainError(Exception):
    """A business rule refused the operation. ``code`` is stable for API clients."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None, **details):
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.field = field
        self.details = details

    def field_errors(self) -> dict:
        """The errors by field, nested as in the request (the API flattens them to paths)."""
        errors = {self.field: [self.message]} if self.field else {}
        errors.update(self.details)
        return errors

    def as_dict(self) -> dict:
        body = {"detail": self.message, "code": self.code}
        if self.field:
            body[self.field] = [self.message]
        body.update(self.details)
        return body


class ConflictError(DomainError):
    status_code = 409
    code = "conflict"
