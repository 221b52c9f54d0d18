"""What batch services share: per-row errors, and rejecting a whole batch at once."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from omni.errors import DomainError

MAX_REPORTED_ERRORS = 1000


@dataclass
class RowErrors:
    """Collects per-row errors; a batch with any is rejected whole."""

    errors: list[dict] = field(default_factory=list)
    count: int = 0
    # The request's name for the rows ("rows", "products"): errors are reported at its paths.
    collection: str = "rows"

    def add(self, row: int, field_name: str, message: str, **identity) -> None:
        self.count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append({"row": row, **identity, "errors": {field_name: [message]}})

    def __bool__(self) -> bool:
        return self.count > 0

    def raise_if_any(self) -> None:
        if self:
            self.errors.sort(key=lambda error: error["row"])
            raise BatchRejected(self)


class BatchRejected(DomainError):
    """Nothing from the batch was applied; ``errors`` names each bad row."""

    code = "batch_rejected"

    def __init__(self, row_errors: RowErrors):
        super().__init__(
            _("The batch was rejected: %(count)s rows have errors. Nothing was applied.")
            % {"count": row_errors.count},
            error_count=row_errors.count,
            errors=row_errors.errors,
        )
        self.row_errors = row_errors

    def field_errors(self) -> dict:
        """``{"rows": {"3": {"sku": [...]}}}``: the API reports ``rows[3].sku``."""
        by_row: dict[str, dict[str, list[str]]] = {}
        for error in self.row_errors.errors:
            row = by_row.setdefault(str(error["row"]), {})
            for name, messages in error["errors"].items():
                row.setdefault(name, []).extend(messages)
        return {self.row_errors.collection: by_row}
