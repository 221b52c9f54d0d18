"""Writes of the promotions app: counting a use when an order is placed (usage limits held
by conditional updates, never exceeded whatever runs at once) and giving it back when the
order is cancelled."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from omni.errors import ConflictError, DomainError

from .locks import promotion_lock, redemptions_lock
from .models import CouponCode, Promotion, Redemption

_TAKE_PROMOTION_SQL = """
UPDATE promotions_promotion SET uses = uses + 1
 WHERE id = %s AND (max_uses IS NULL OR uses < max_uses)
RETURNING max_uses_per_customer
"""
_TAKE_COUPON_SQL = """
UPDATE promotions_couponcode SET uses = uses + 1
 WHERE code = %s AND uses < max_uses AND (expires_at IS NULL OR expires_at > now())
RETURNING id
"""


class PromotionUsedUp(ConflictError):
    code = "promotion_used_up"


@transaction.atomic
def redemptions_record(
    *, order_reference: str, customer_id: int | None, quote, channel: str
) -> list[Redemption]:
    """Count one use of every promotion the order received, in promotion order (so two
    orders never wait on each other in a cycle). The promotion's row stays locked until the
    order commits, so its per-customer count cannot be raced either. Raises PromotionUsedUp
    (the whole order is then rolled back) when a limit was reached meanwhile."""
    revenue: dict[int, Decimal] = {}
    for line in quote.lines:
        for promotion_id in line.discounts:
            revenue[promotion_id] = revenue.get(promotion_id, Decimal("0")) + line.total
    redemptions = []
    for applied in sorted(quote.applied, key=lambda a: a["id"]):
        with connection.cursor() as cursor:
            cursor.execute(_TAKE_PROMOTION_SQL, [applied["id"]])
            row = cursor.fetchone()
        if row is None:
            raise PromotionUsedUp(_("“%(name)s” has been used up.") % {"name": applied["name"]})
        per_customer = row[0]
        if (
            per_customer is not None
            and customer_id
            and Redemption.objects.filter(
                promotion_id=applied["id"], customer_id=customer_id, status=Redemption.Status.ACTIVE
            ).count()
            >= per_customer
        ):
            raise PromotionUsedUp(
                _("“%(name)s” was already used by this customer.") % {"name": applied["name"]}
            )
        coupon = None
        code = applied.get("code") or ""
        if code and CouponCode.objects.filter(code=code).exists():
            with connection.cursor() as cursor:
                cursor.execute(_TAKE_COUPON_SQL, [code])
                taken = cursor.fetchone()
            if taken is None:
                raise PromotionUsedUp(_("The code %(code)s has been used up.") % {"code": code})
            coupon = CouponCode(pk=taken[0])
        redemptions.append(
            Redemption(
                promotion_id=applied["id"],
                coupon=coupon,
                code=code,
                order_reference=order_reference,
                customer_id=customer_id,
                amount=Decimal(applied["amount"]),
                revenue=revenue.get(applied["id"], Decimal("0")),
                channel=channel,
            )
        )
    return Redemption.objects.bulk_create(redemptions)


@transaction.atomic
def redemptions_release(*, order_reference: str) -> int:
    """The order was cancelled: its uses count no more (each released once)."""
    released = 0
    for redemption in redemptions_lock(order_reference):
        Promotion.objects.filter(pk=redemption.promotion_id, uses__gt=0).update(uses=F("uses") - 1)
        if redemption.coupon_id:
            CouponCode.objects.filter(pk=redemption.coupon_id, uses__gt=0).update(uses=F("uses") - 1)
        redemption.status = Redemption.Status.RELEASED
        redemption.released_at = timezone.now()
        redemption.save(update_fields=["status", "released_at"])
        released += 1
    return released


@transaction.atomic
def promotion_save(*, promotion: Promotion, actor, reason: str = "") -> Promotion:
    """Create or change a promotion (history keeps who and why). Active promotions can be
    changed too: the next quote uses the new rules; orders keep what they were given."""
    promotion._history_user = actor
    promotion._change_reason = reason
    if promotion.pk is None:
        promotion.created_by = actor
    promotion.full_clean()
    promotion.save()
    return promotion


@transaction.atomic
def promotion_activate(*, promotion: Promotion, actor) -> Promotion:
    promotion = promotion_lock(promotion)
    _move(promotion, promotion.activate)
    return promotion_save(promotion=promotion, actor=actor, reason=_("scheduled"))


@transaction.atomic
def promotion_stop(*, promotion: Promotion, actor) -> Promotion:
    promotion = promotion_lock(promotion)
    _move(promotion, promotion.stop)
    return promotion_save(promotion=promotion, actor=actor, reason=_("stopped"))


def _move(promotion: Promotion, transition) -> None:
    from django_fsm import TransitionNotAllowed

    try:
        transition()
    except TransitionNotAllowed as error:
        raise ConflictError(
            _("The promotion is %(status)s.") % {"status": promotion.get_status_display().lower()}
        ) from error


_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


@transaction.atomic
def coupon_batch_generate(
    *, promotion: Promotion, count: int, prefix: str = "", uses_each: int = 1, expires_at=None
) -> list[str]:
    """``count`` new single-use (or ``uses_each``) codes for the promotion, unique across Omni."""
    import secrets

    if not 1 <= count <= 100_000:
        raise DomainError(_("Generate between 1 and 100,000 codes."), field="count")
    prefix = "".join(ch for ch in prefix.upper() if ch.isalnum())[:12]
    batch = f"{prefix or 'LOT'}-{timezone.now():%Y%m%d%H%M%S}"
    codes: set[str] = set()
    while len(codes) < count:
        wanted = count - len(codes)
        fresh = {f"{prefix}{'-' if prefix else ''}{''.join(secrets.choice(_ALPHABET) for _ in range(8))}"
                 for _ in range(wanted)}  # fmt: skip
        fresh -= set(CouponCode.objects.filter(code__in=fresh).values_list("code", flat=True))
        codes |= fresh
    CouponCode.objects.bulk_create(
        CouponCode(promotion=promotion, code=code, batch=batch, max_uses=uses_each, expires_at=expires_at)
        for code in sorted(codes)
    )
    if not promotion.requires_code:
        Promotion.objects.filter(pk=promotion.pk).update(requires_code=True)
    return sorted(codes)
