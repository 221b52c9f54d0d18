"""Why a promotion did not apply or a code was refused, in words (the engine gives codes)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_REASONS = {
    "channel": lambda r: _("not on this channel"),
    "store": lambda r: _("not in this store"),
    "segment": lambda r: _("for other customer segments"),
    "tier": lambda r: _("for loyalty tiers %(tiers)s") % {"tiers": ", ".join(r.get("tiers", []))},
    "not_started": lambda r: _("starts %(when)s") % {"when": r.get("starts_at", "")[:16].replace("T", " ")},
    "ended": lambda r: _("ended %(when)s") % {"when": r.get("ends_at", "")[:16].replace("T", " ")},
    "weekday": lambda r: _("not on this day of the week"),
    "time": lambda r: (
        _("only %(start)s–%(end)s")
        % {"start": r.get("time_from") or "00:00", "end": r.get("time_to") or "24:00"}
    ),
    "needs_code": lambda r: _("needs its coupon code"),
    "min_quantity": lambda r: _("needs %(needed)s matching items (has %(has)s)") % r,
    "min_amount": lambda r: _("spend %(missing)s € more on matching items") % r,
    "no_matching_items": lambda r: _("no matching items in the basket"),
    "does_not_stack": lambda r: _("does not stack with a discount already given"),
    "exclusive_applied": lambda r: _("an exclusive promotion applied"),
    "incomplete_bundle": lambda r: _("the bundle is not complete"),
    "no_saving": lambda r: _("no saving on this basket"),
    "delivery_method": lambda r: _("not for this delivery method"),
    "unknown_kind": lambda r: _("unknown kind of promotion"),
}
_CODES = {
    "unknown": gettext_lazy("unknown code"),
    "not_active": gettext_lazy("this promotion is not running"),
    "expired": gettext_lazy("this code has expired"),
    "used_up": gettext_lazy("this code has been used up"),
    "used_by_customer": gettext_lazy("already used by this customer"),
}


def reason_text(reason: dict) -> str:
    render = _REASONS.get(reason.get("code", ""))
    return str(render(reason)) if render else reason.get("code", "")


def code_refusal_text(code: str) -> str:
    return str(_CODES.get(code, code))


def fee_rule_text(rule: str, *, promotion: str = "", free_from=None) -> str:
    """Why a delivery fee is what it is (``promotions.delivery`` gives the rule's code)."""
    if rule == "promotion":
        return _("offered by %(promotion)s") % {"promotion": promotion} if promotion else _("offered")
    if rule == "free_from":
        return _("free from %(amount)s €") % {"amount": free_from}
    if rule == "no_fee":
        return _("no delivery fee")
    return _("standard rate")
