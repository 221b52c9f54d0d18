"""How a recorded sourcing decision reads on a page: labels, and the criteria columns of
each strategy's table (what a template cannot compute)."""

from __future__ import annotations

from omni.vocabulary import DeliveryMethod, FulfilmentMode

from .criteria import criterion_label


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def explanation_present(explanation: dict) -> dict:
    """Add what a template cannot compute: labels, and the criteria columns of each table."""
    explanation["delivery_label"] = _label(DeliveryMethod, explanation.get("delivery_method"))
    for strategy in explanation.get("strategies", []):
        for part in strategy.get("plan", []):
            part["mode_label"] = _label(FulfilmentMode, part.get("mode"))
        names = []
        for candidate in strategy.get("candidates", []):
            for name in candidate.get("notes", {}):
                if name not in names:
                    names.append(name)
        strategy["columns"] = [(name, criterion_label(name)) for name in names]
        for candidate in strategy.get("candidates", []):
            candidate["mode_label"] = _label(FulfilmentMode, candidate.get("mode"))
            candidate["cells"] = [
                (candidate["scores"].get(name), candidate["notes"].get(name, "")) for name in names
            ]
    return explanation
