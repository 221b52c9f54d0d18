"""Reads of the catalogue and stock for pages, scoped to what the user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Greatest
from django.http import Http404

from omni.search import Folded, fold

from ..geo import haversine_km
from ..models import SKU, Location, Product, StockLevel, StockMovement
from .atp import atp_expression
from .locations import locations_visible_to


def sku_search(*, query: str, limit: int | None = 50) -> QuerySet[SKU]:
    """SKUs by exact code or EAN, else by code start or a fragment of the name (accents and
    case forgiven: "chloe" finds "Robe Chloé"); by code. The first ``limit``, or all (a caller
    that pages) with ``limit=None``."""
    query = query.strip()
    if not query:
        return SKU.objects.none()
    skus = SKU.objects.select_related("product")
    if query.isdigit() and len(query) == 13:
        found = skus.filter(ean=query)
    else:
        found = (
            skus.alias(folded_name=Folded("name"))
            .filter(Q(code__istartswith=query) | Q(folded_name__contains=fold(query)))
            .order_by("code")
        )
    return found if limit is None else found[:limit]


def sku_get(*, code: str) -> SKU:
    try:
        return SKU.objects.select_related("product").get(code=code)
    except SKU.DoesNotExist as exc:
        raise Http404 from exc


def skus_by_code(codes) -> dict[str, SKU]:
    """The SKUs of these codes (with their product), by code; unknown codes are left out."""
    return SKU.objects.select_related("product").in_bulk(list(codes), field_name="code")


def catalogue_unknown(*, skus=(), products=(), categories=()) -> dict[str, list[str]]:
    """The codes among these that the catalogue does not know: {"skus": [...], "products": [...],
    "categories": [...]} (a category is known when a product or a SKU carries it)."""
    known_skus = set(SKU.objects.filter(code__in=list(skus)).values_list("code", flat=True))
    known_products = set(Product.objects.filter(code__in=list(products)).values_list("code", flat=True))
    known_categories = set(
        Product.objects.filter(category__in=list(categories)).values_list("category", flat=True)
    ) | set(SKU.objects.filter(category__in=list(categories)).values_list("category", flat=True))
    return {
        "skus": [code for code in skus if code not in known_skus],
        "products": [code for code in products if code not in known_products],
        "categories": [code for code in categories if code not in known_categories],
    }


def product_codes_of(sku_ids) -> dict[int, str]:
    """Each SKU's product (style) code, by SKU id, in one query."""
    return dict(Product.objects.filter(skus__in=list(sku_ids)).values_list("skus__pk", "code"))


def with_atp(levels: QuerySet[StockLevel]) -> QuerySet[StockLevel]:
    return levels.annotate(atp_value=Greatest(atp_expression(), Value(0)))


def sku_network_stock(*, user, sku: SKU, origin: Location | None = None) -> list[StockLevel]:
    """Each visible location's stock of one SKU, with the distance from ``origin`` when given."""
    levels = with_atp(
        StockLevel.objects.filter(sku=sku, location__in=locations_visible_to(user)).select_related("location")
    )
    rows = list(levels.order_by("location__kind", "location__name"))
    for level in rows:
        level.distance_km = (
            round(
                haversine_km(
                    origin.latitude, origin.longitude, level.location.latitude, level.location.longitude
                ),
                1,
            )
            if origin is not None
            else None
        )
    if origin is not None:
        rows.sort(key=lambda level: level.distance_km)
    return rows


def location_stock(
    *, location: Location, query: str = "", only_available: bool = False
) -> QuerySet[StockLevel]:
    levels = with_atp(StockLevel.objects.filter(location=location).select_related("sku"))
    if query:
        levels = levels.filter(
            Q(sku__code__istartswith=query) | Q(sku__ean=query) | Q(sku__name__icontains=query)
        )
    if only_available:
        levels = levels.filter(atp_value__gt=0)
    return levels.order_by("sku__code")


def stock_level_for_user(*, user, sku: SKU, code: str) -> tuple[Location, StockLevel | None]:
    from .locations import location_get_for_user

    location = location_get_for_user(user=user, code=code)
    level = with_atp(StockLevel.objects.filter(sku=sku, location=location)).first()
    return location, level


def movement_history(*, sku: SKU, location: Location, limit: int = 200) -> QuerySet[StockMovement]:
    return (
        StockMovement.objects.filter(sku=sku, location=location)
        .select_related("actor")
        .order_by("-created_at", "-pk")[:limit]
    )
