"""The OpenAPI schema's shared conventions (kept apart from ``omni.api``: DRF reads the
schema class setting while its views module is being imported)."""

from drf_spectacular.openapi import AutoSchema

from .api import ErrorOutput


class OmniAutoSchema(AutoSchema):
    """Every operation documents the errors it can answer, in the one error shape:
    400 and 401/403 always, 404 where the path names a resource, 409 and 415 for writes,
    428 where the view requires an Idempotency-Key, and whatever the view adds in
    ``error_statuses``."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        statuses = {400, 401, 403}
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
