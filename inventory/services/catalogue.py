"""The catalogue sync from the retailer's PIM: upsert thousands of SKUs in one call, all or nothing."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ..models import SKU as Sku
from ..models import Product, ean13_check_digit
from .batches import RowErrors

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")
_url = URLValidator(schemes=["http", "https"])

SKU_FIELDS = ("name", "colour", "size", "category", "price", "image_url", "is_active")


def _text(
    row: dict, name: str, errors: RowErrors, index: int, sku: str, *, required=False, max_length=200
) -> str:
    value = row.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(index, name, _("Must be text."), sku=sku)
        return ""
    value = value.strip()
    if required and not value:
        errors.add(index, name, _("This field is required."), sku=sku)
    elif len(value) > max_length:
        errors.add(index, name, _("At most %(n)s characters.") % {"n": max_length}, sku=sku)
    return value


def _clean_row(row, index: int, errors: RowErrors) -> dict | None:
    if not isinstance(row, dict):
        errors.add(index, "non_field_errors", _("Each row must be an object."))
        return None
    before = errors.count
    sku = row.get("sku")
    if not isinstance(sku, str) or not _CODE.match(sku):
        errors.add(index, "sku", _("A SKU code is 1–40 letters, digits, dots, dashes or slashes."), sku=sku)
        sku = str(sku)
    ean = row.get("ean")
    if not isinstance(ean, str) or len(ean) != 13 or not ean.isdigit():
        errors.add(index, "ean", _("An EAN-13 has exactly 13 digits."), sku=sku)
    elif ean13_check_digit(ean[:12]) != int(ean[12]):
        errors.add(index, "ean", _("The EAN-13 check digit is wrong."), sku=sku)
    name = _text(row, "name", errors, index, sku, required=True)
    model = _text(row, "model", errors, index, sku, max_length=40) or sku
    model_name = _text(row, "model_name", errors, index, sku) or name
    colour = _text(row, "colour", errors, index, sku, max_length=60)
    size = _text(row, "size", errors, index, sku, max_length=20)
    category = _text(row, "category", errors, index, sku, max_length=80)
    brand = _text(row, "brand", errors, index, sku, max_length=80)
    image_url = _text(row, "image_url", errors, index, sku, max_length=500)
    if image_url:
        try:
            _url(image_url)
        except Exception:  # noqa: BLE001 - Django's ValidationError; the message is ours
            errors.add(index, "image_url", _("Enter a valid http(s) address."), sku=sku)
    price = row.get("price")
    try:
        if isinstance(price, bool) or price is None or isinstance(price, float):
            # Floats cannot hold cents exactly: prices travel as strings ("19.99") or integers.
            raise InvalidOperation
        price = Decimal(str(price))
        if price < 0 or price.as_tuple().exponent < -2 or price >= Decimal("100000000"):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.add(
            index,
            "price",
            _('A price is a non-negative amount with at most 2 decimals, e.g. "19.99".'),
            sku=sku,
        )
    is_active = row.get("is_active", True)
    if not isinstance(is_active, bool):
        errors.add(index, "is_active", _("Must be true or false."), sku=sku)
    if errors.count > before:
        return None
    return {
        "sku": sku,
        "ean": ean,
        "name": name,
        "model": model,
        "model_name": model_name,
        "colour": colour,
        "size": size,
        "category": category,
        "brand": brand,
        "price": price,
        "image_url": image_url,
        "is_active": is_active,
    }


def catalogue_sync(*, rows: list) -> dict:
    """Upsert SKUs (and their products) from the PIM. Every row is validated first; one bad
    row rejects the batch and nothing is written. Returns counts of created and updated SKUs."""
    errors = RowErrors(collection="products")
    if not isinstance(rows, list) or not rows:
        errors.add(0, "products", _("Send a non-empty list of products."))
        errors.raise_if_any()
    cleaned = [_clean_row(row, index, errors) for index, row in enumerate(rows)]

    seen_sku: dict[str, int] = {}
    seen_ean: dict[str, int] = {}
    for index, row in enumerate(cleaned):
        if row is None:
            continue
        if row["sku"] in seen_sku:
            errors.add(
                index, "sku", _("Repeats row %(row)s.") % {"row": seen_sku[row["sku"]]}, sku=row["sku"]
            )
        if row["ean"] in seen_ean:
            errors.add(
                index,
                "ean",
                _("Repeats the EAN of row %(row)s.") % {"row": seen_ean[row["ean"]]},
                sku=row["sku"],
            )
        seen_sku.setdefault(row["sku"], index)
        seen_ean.setdefault(row["ean"], index)
    owners = dict(Sku.objects.filter(ean__in=list(seen_ean)).values_list("ean", "code"))
    for index, row in enumerate(cleaned):
        if row and owners.get(row["ean"], row["sku"]) != row["sku"]:
            errors.add(
                index,
                "ean",
                _("Already the EAN of SKU %(other)s.") % {"other": owners[row["ean"]]},
                sku=row["sku"],
            )
    errors.raise_if_any()
    return _apply(cleaned)


@transaction.atomic
def _apply(cleaned: list[dict]) -> dict:
    existing = set(Sku.objects.filter(code__in=[r["sku"] for r in cleaned]).values_list("code", flat=True))
    products = {}
    for row in cleaned:
        products[row["model"]] = Product(
            code=row["model"], name=row["model_name"], category=row["category"], brand=row["brand"]
        )
    Product.objects.bulk_create(
        products.values(),
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "category", "brand"],
        batch_size=2000,
    )
    product_ids = dict(Product.objects.filter(code__in=list(products)).values_list("code", "id"))
    skus = [
        Sku(
            code=row["sku"],
            ean=row["ean"],
            product_id=product_ids[row["model"]],
            **{name: row[name] for name in SKU_FIELDS},
        )
        for row in cleaned
    ]
    try:
        with transaction.atomic():
            Sku.objects.bulk_create(
                skus,
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=["ean", "product", *SKU_FIELDS, "updated_at"],
                batch_size=2000,
            )
    except IntegrityError as exc:  # two SKUs of the batch swapping EANs, or a concurrent sync
        errors = RowErrors(collection="products")
        errors.add(
            0, "ean", _("EANs conflict with each other or with a concurrent change: %(e)s") % {"e": exc}
        )
        errors.raise_if_any()
    return {"rows": len(cleaned), "created": len(cleaned) - len(existing), "updated": len(existing)}
