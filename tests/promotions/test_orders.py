"""Orders priced by the engine: the per-line allocation is stored, uses are counted when the
order is placed and given back when it is cancelled, and limits hold under concurrency."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.models import SKU
from omni.trace import Trace
from orders import services as orders
from promotions.models import Promotion, Redemption
from tests.orders.conftest import entry_post, order_payload, service_lines
from tests.race import race

pytestmark = pytest.mark.django_db


def payload(**extra):
    return order_payload(
        lines=[{"sku": "CHE-OXF-BLE-M", "quantity": 2, "delivery": {"method": "ship_to_address"}},
               {"sku": "JEA-SLI-IND-42", "quantity": 1, "delivery": {"method": "ship_to_address"}}],
        **extra,
    )  # fmt: skip


def test_the_order_records_what_each_line_paid_and_the_quote_agrees(
    api_as, integration_client, network, promotion
):
    shirts = promotion(name="Chemises -20 %", target_categories=[], target_skus=["CHE-OXF-BLE-M"])
    spend = promotion(name="10 € dès 100 €", kind="basket_amount", params={"threshold": "100", "amount": "10"},
                      target_skus=[], target_categories=[])  # fmt: skip
    client = api_as(integration_client)
    quote = client.post("/api/v1/pricing/quote/", {"lines": [{"sku": "CHE-OXF-BLE-M", "quantity": 2},
                                                             {"sku": "JEA-SLI-IND-42", "quantity": 1}]}, format="json").json()  # fmt: skip
    response = client.post("/api/v1/orders/", payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["total"] == quote["total"] and body["discount_total"] == quote["discount"]
    assert [line["line_total"] for line in body["lines"]] == [line["total"] for line in quote["lines"]]
    first = body["lines"][0]
    assert {p["id"] for p in first["promotions"]} == {shirts.pk, spend.pk}
    assert Decimal(first["line_discount"]) == sum(Decimal(p["amount"]) for p in first["promotions"])
    assert Redemption.objects.filter(order_reference=body["number"], status="active").count() == 2
    assert Promotion.objects.get(pk=spend.pk).uses == 1


def test_cancelling_gives_the_use_back_and_a_refused_code_saves_nothing(
    place, network, promotion, coupon, call_centre
):
    batch = promotion(name="Parrainage", kind="basket_amount", params={"threshold": "0", "amount": "5"},
                      target_categories=[], requires_code=True)  # fmt: skip
    coupon(batch, "PAR-1")
    p = payload()
    order, _ = orders.order_place(channel="web", customer=p["customer"], shipping_address=p["shipping_address"],
                                  lines=service_lines(p), trace=Trace(channel="web"), coupon_codes=["par-1"])  # fmt: skip
    assert order.discount_total == Decimal("5.00") and batch.coupon_codes.get().uses == 1
    with pytest.raises(Exception) as refused:
        orders.order_place(channel="web", customer=p["customer"], shipping_address=p["shipping_address"],
                           lines=service_lines(p), trace=Trace(channel="web"), coupon_codes=["PAR-1"])  # fmt: skip
    assert "coupon_codes" in refused.value.details
    orders.order_cancel(order=order, trace=Trace.of(call_centre, note="changed their mind"))
    assert batch.coupon_codes.get().uses == 0 and Promotion.objects.get(pk=batch.pk).uses == 0
    assert Redemption.objects.get(order_reference=order.number).status == "released"


def test_a_partly_cancelled_line_keeps_its_exact_cents(network, promotion, call_centre):
    promotion(name="-10 € sur les chemises", kind="basket_amount", params={"threshold": "0", "amount": "10"},
              target_categories=[], target_skus=["CHE-OXF-BLE-M"])  # fmt: skip
    p = order_payload(
        lines=[{"sku": "CHE-OXF-BLE-M", "quantity": 3, "delivery": {"method": "ship_to_address"}}]
    )
    order, _ = orders.order_place(channel="web", customer=p["customer"], shipping_address=p["shipping_address"],
                                  lines=service_lines(p), trace=Trace(channel="web"))  # fmt: skip
    line = order.lines.get()
    assert line.line_discount == Decimal("10.00")
    assert [line.discount_for(n) for n in (1, 2, 3)] == [Decimal("3.34"), Decimal("6.67"), Decimal("10.00")]
    orders.order_cancel(order=order, lines={1: 1}, trace=Trace.of(call_centre))
    order.refresh_from_db()
    assert order.discount_total == Decimal("6.67") and order.total == line.unit_price * 2 - Decimal("6.67")


@pytest.mark.django_db(transaction=True)
def test_usage_limits_hold_under_concurrent_orders(network, stock, shirt, promotion):
    stock(shirt, network["warehouse"], 50)
    limited = promotion(name="Les 3 premiers", code="PREMIERS", max_uses=3, params={"percent": "50"},
                        target_categories=[], target_skus=["CHE-OXF-BLE-M"])  # fmt: skip

    def attempt(i):
        p = order_payload(customer={"email": f"client{i}@example.fr"},
                          lines=[{"sku": "CHE-OXF-BLE-M", "quantity": 1, "delivery": {"method": "ship_to_address"}}])  # fmt: skip
        order, _ = orders.order_place(channel="web", customer=p["customer"], shipping_address=p["shipping_address"],
                                      lines=service_lines(p), trace=Trace(channel="web"), coupon_codes=["PREMIERS"])  # fmt: skip
        return order.number

    outcomes = race(10, attempt)
    placed = [o for o in outcomes if isinstance(o, str)]
    refused = [o for o in outcomes if not isinstance(o, str)]
    limited.refresh_from_db()
    assert len(placed) == 3 and limited.uses == 3
    assert Redemption.objects.filter(promotion=limited, status="active").count() == 3
    assert all(getattr(e, "code", "") in ("promotion_used_up", "invalid_order") for e in refused), refused


def test_one_basket_priced_alike_by_the_quote_api_order_capture_and_the_call_centre_form(
    client, call_centre, api_as, integration_client, network, promotion
):
    promotion(
        name="Chemises -15 %", target_categories=[], target_skus=["CHE-OXF-BLE-M"], params={"percent": "15"}
    )
    promotion(name="Bienvenue", code="BIENVENUE", kind="basket_amount", params={"threshold": "50", "amount": "7.5"},
              target_categories=[])  # fmt: skip
    promotion(name="Web seulement", channels=["web"], params={"percent": "50"}, target_categories=[])
    cart = [("CHE-OXF-BLE-M", 2), ("JEA-SLI-IND-42", 1)]
    api = api_as(integration_client)
    quote = api.post("/api/v1/pricing/quote/", {"channel": "call_centre", "codes": ["bienvenue"],
                     "lines": [{"sku": s, "quantity": q} for s, q in cart]}, format="json").json()  # fmt: skip
    captured = api.post("/api/v1/orders/", order_payload(
        channel="call_centre", coupon_codes=["BIENVENUE"],
        lines=[{"sku": s, "quantity": q, "delivery": {"method": "ship_to_address"}} for s, q in cart],
    ), format="json").json()  # fmt: skip
    client.force_login(call_centre)
    entry_post(client, {
        "confirm": "1", "last_name": "Durand", "email": "durand@example.fr", "language": "fr", "method": "ship_to_address",
        "line1": "12 rue Mercière", "postcode": "69002", "city": "Lyon", "payment_method": "card",
        "payment_reference": "TPE-1", "coupon_codes": "bienvenue",
        "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0", "lines-0-sku": cart[0][0], "lines-0-quantity": "2",
        "lines-1-sku": cart[1][0], "lines-1-quantity": "1",
    })  # fmt: skip
    from orders.models import Order

    entered = Order.objects.exclude(number=captured["number"]).get()
    assert quote["total"] == captured["total"] == str(entered.total)
    assert quote["discount"] == captured["discount_total"] == str(entered.discount_total)
    per_line = [line["total"] for line in quote["lines"]]
    assert per_line == [line["line_total"] for line in captured["lines"]]
    assert per_line == [str(line.line_total) for line in entered.lines.order_by("line_number")]
    assert "Web seulement" in {n["name"] for n in quote["not_applied"]}


def test_the_call_centre_form_shows_a_refused_code_beside_its_field(client, call_centre, network, promotion):
    client.force_login(call_centre)
    page = entry_post(client, {
        "confirm": "1", "last_name": "Durand", "email": "durand@example.fr", "language": "en", "method": "ship_to_address",
        "line1": "12 rue Mercière", "postcode": "69002", "city": "Lyon", "payment_method": "card",
        "payment_reference": "TPE-1", "coupon_codes": "NOPE",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-0-sku": "CHE-OXF-BLE-M", "lines-0-quantity": "1",
    }, headers={"Accept-Language": "en"}).content.decode()  # fmt: skip
    assert "NOPE: unknown code" in page
    french = entry_post(client, {
        "confirm": "1", "last_name": "Durand", "email": "durand@example.fr", "language": "en", "method": "ship_to_address",
        "line1": "12 rue Mercière", "postcode": "69002", "city": "Lyon", "payment_method": "card",
        "payment_reference": "TPE-1", "coupon_codes": "NOPE",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-0-sku": "CHE-OXF-BLE-M", "lines-0-quantity": "1",
    }, headers={"Accept-Language": "fr"}).content.decode()  # fmt: skip
    assert "NOPE: code inconnu" in french
    from orders.models import Order

    assert not Order.objects.exists()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shirts=st.integers(1, 3), jeans=st.integers(0, 2), with_code=st.booleans())
def test_any_basket_is_priced_alike_in_the_three_channels(
    shirts, jeans, with_code, client, call_centre, api_as, integration_client, network, stock, promotion
):
    if not Promotion.objects.exists():
        stock(SKU.objects.get(code="CHE-OXF-BLE-M"), network["warehouse"], 500)
        promotion(name="3 pour 2", kind="buy_x_get_y", params={"buy": 2, "get": 1, "percent": "100"},
                  target_categories=[], target_skus=["CHE-OXF-BLE-M"])  # fmt: skip
        promotion(name="Code -7,5 €", code="SEPT", kind="basket_amount", params={"threshold": "40", "amount": "7.5"},
                  target_categories=[], stackable=False)  # fmt: skip
        promotion(name="-13 %", params={"percent": "13"}, target_categories=[], priority=200)
    cart = [("CHE-OXF-BLE-M", shirts)] + ([("JEA-SLI-IND-42", jeans)] if jeans else [])
    codes = ["sept"] if with_code else []
    quote = api_as(integration_client).post("/api/v1/pricing/quote/", {"channel": "call_centre", "codes": codes,
        "delivery_method": "ship_to_address", "postcode": "69002",
        "lines": [{"sku": s, "quantity": q} for s, q in cart]}, format="json").json()  # fmt: skip
    p = order_payload(
        lines=[{"sku": s, "quantity": q, "delivery": {"method": "ship_to_address"}} for s, q in cart]
    )
    captured, _ = orders.order_place(channel="call_centre", customer=p["customer"], shipping_address=p["shipping_address"],
                                     lines=service_lines(p), trace=Trace(channel="call_centre"), coupon_codes=codes)  # fmt: skip
    client.force_login(call_centre)
    form = {"last_name": "Durand", "email": "durand@example.fr", "language": "fr", "method": "ship_to_address",
            "line1": "12 rue Mercière", "postcode": "69002", "city": "Lyon", "payment_method": "card",
            "payment_reference": "TPE-1", "coupon_codes": " ".join(codes), "lines-TOTAL_FORMS": str(len(cart)),
            "lines-INITIAL_FORMS": "0"}  # fmt: skip
    for i, (sku, quantity) in enumerate(cart):
        form[f"lines-{i}-sku"], form[f"lines-{i}-quantity"] = sku, str(quantity)
    response = entry_post(client, {**form, "confirm": "1"})
    from orders.models import Order

    entered = Order.objects.get(number=response.url.rstrip("/").rsplit("/", 1)[-1])
    # What the customer pays: the goods and their home delivery (tests/promotions/test_delivery_fees.py).
    assert quote["total_with_delivery"] == str(captured.total) == str(entered.total)
    assert quote["delivery"]["amount"] == str(captured.delivery_total) == str(entered.delivery_total)
    for order in (captured, entered):
        assert [str(line.line_total) for line in order.lines.order_by("line_number")] == [
            line["total"] for line in quote["lines"]
        ]
