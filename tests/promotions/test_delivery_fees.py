"""Issue 15, item 2: the delivery fee the promise quotes is recorded on the order per delivery
group (with its VAT), charged with the goods, refunded by rule, waived by a free-delivery
promotion — and one basket gets one fee in the promise, the quote, the order API and the
call-centre form."""

from decimal import Decimal

import pytest
from django.core import mail
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.models import SKU
from omni.trace import Trace
from orders import services as orders
from orders.models import DeliveryCharge, Order, OrderEvent
from orders.services.delivery import delivery_refund_due
from promotions.delivery import MAINLAND, OVERSEAS, delivery_fee, delivery_zone
from promotions.models import Promotion
from tests.orders.conftest import ADDRESS, entry_post, order_payload, service_lines

pytestmark = pytest.mark.django_db

URL = "/api/v1/orders/"
RELAY = {"id": "MR-069123", "name": "Tabac de la Place", "carrier": "Mondial Relay",
         "line1": "4 place des Terreaux", "postcode": "69001", "city": "Lyon"}  # fmt: skip


def home(sku="CHE-OXF-BLE-M", quantity=1):
    return {"sku": sku, "quantity": quantity, "delivery": {"method": "ship_to_address"}}


def relay(sku="CHE-OXF-BLE-M", quantity=1, point=RELAY):
    return {
        "sku": sku,
        "quantity": quantity,
        "delivery": {"method": "ship_to_relay", "relay_point": dict(point)},
    }


@pytest.fixture
def api(api_as, integration_client):
    return api_as(integration_client)


def place(api, lines, **extra):
    response = api.post(URL, order_payload(lines=lines, **extra), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


# ---------------------------------------------------------------- the one function


def test_the_fee_rule_by_method_zone_threshold_and_promotion():
    assert delivery_fee(method="ship_to_address", basket_value=Decimal("49.90")).amount == Decimal("4.90")
    assert delivery_fee(method="ship_to_relay", basket_value=Decimal("49.90")).amount == Decimal("2.90")
    assert delivery_fee(method="pickup_in_store", basket_value=Decimal("9.90")).rule == "no_fee"
    free = delivery_fee(method="ship_to_address", basket_value=Decimal("60.00"))
    assert (free.amount, free.list_amount, free.rule) == (Decimal("0.00"), Decimal("4.90"), "free_from")
    waived = delivery_fee(
        method="ship_to_address", basket_value=Decimal("10"), waived_delivery={"ship_to_address": 7}
    )
    assert (waived.amount, waived.rule, waived.waived_by) == (Decimal("0.00"), "promotion", 7)
    overseas = delivery_fee(method="ship_to_address", basket_value=Decimal("500"), zone=OVERSEAS)
    assert overseas.amount == Decimal("14.90")  # no free-delivery threshold overseas
    assert delivery_fee(method="ship_to_address", basket_value=Decimal("10")).tax_amount == Decimal("0.82")
    assert delivery_zone(postcode="97200") == OVERSEAS and delivery_zone(postcode="20000") == MAINLAND
    assert delivery_zone(postcode="1000", country="BE") == "abroad"


# ---------------------------------------------------------------- recorded, charged, shown


def test_home_delivery_under_the_threshold_is_recorded_with_its_vat_and_authorised(api, network):
    body = place(api, [home()], payments=[{"method": "card", "reference": "AUTH-1"}])
    assert Decimal(body["delivery_total"]) == Decimal("4.90")
    assert Decimal(body["total"]) == Decimal("54.80")  # 49.90 + 4.90
    assert Decimal(body["payments"][0]["amount_authorised"]) == Decimal("54.80")
    [charge] = body["delivery_charges"]
    assert charge["method"] == "ship_to_address" and charge["zone"] == "mainland"
    assert (charge["amount"], charge["tax_rate"], charge["tax_amount"]) == ("4.90", "20.00", "0.82")
    assert charge["rule"] == "standard" and charge["status"] == "charged" and charge["lines"] == [1]
    # The VAT on delivery is in the order's VAT: 49.90 / 6 + 0.82.
    assert Decimal(body["tax_total"]) == Decimal("8.32") + Decimal("0.82")
    assert api.get(f"{URL}{body['number']}/").json()["delivery_charges"] == body["delivery_charges"]
    assert api.get(f"{URL}{body['number']}/status/").json()["delivery_total"] == "4.90"


def test_over_the_threshold_delivery_is_free_and_says_why(api, network):
    body = place(api, [home(quantity=2)])
    [charge] = body["delivery_charges"]
    assert (charge["amount"], charge["list_amount"], charge["rule"]) == ("0.00", "4.90", "free_from")
    assert Decimal(body["total"]) == Decimal("99.80")


def test_one_charge_per_delivery_group(api, network):
    body = place(api, [home(), relay("JEA-SLI-IND-42"), home("CHE-OXF-BLE-M")])
    # 49.90 + 79 + 49.90 is over the threshold: both groups free; a cheap basket pays both.
    assert [(c["method"], c["lines"]) for c in body["delivery_charges"]] == [
        ("ship_to_address", [1, 3]), ("ship_to_relay", [2]),
    ]  # fmt: skip
    cheap = SKU.objects.get(code="CHE-OXF-BLE-M")
    cheap.price = Decimal("9.90")
    cheap.save()
    body = place(api, [home(), relay()])
    assert [c["amount"] for c in body["delivery_charges"]] == ["4.90", "2.90"]
    assert Decimal(body["total"]) == Decimal("9.90") * 2 + Decimal("7.80")


def test_a_free_delivery_promotion_waives_the_fee_on_the_order_and_shows_it(
    api, network, promotion, client, call_centre, django_capture_on_commit_callbacks
):
    offer = promotion(name="Livraison offerte", kind="free_delivery", params={"methods": ["ship_to_address"]},
                      target_categories=[])  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        body = place(api, [home()])
    [charge] = body["delivery_charges"]
    assert (charge["amount"], charge["rule"]) == ("0.00", "promotion")
    assert charge["waived_by"] == {"id": offer.pk, "name": "Livraison offerte"}
    assert "Livraison offerte" in charge["why"]
    assert Decimal(body["total"]) == Decimal("49.90")
    assert Promotion.objects.get(pk=offer.pk).uses == 1
    client.force_login(call_centre)
    client.cookies["django_language"] = "en"
    page = client.get(f"/orders/{body['number']}/").content.decode()
    assert 'data-testid="delivery-charges"' in page and "offered by Livraison offerte" in page
    assert "Livraison offerte" in mail.outbox[-1].body


def test_the_fee_is_captured_with_the_first_parcel(
    api, network, head_office, api_as, django_capture_on_commit_callbacks
):
    body = place(api, [home()], payments=[{"method": "card", "reference": "A"}])
    order = Order.objects.get(number=body["number"])
    fo = order.fulfilment_orders.get()
    trace = Trace(note="test")
    orders.fulfilment_order_record_picks(fulfilment_order=fo, picked={1: 1}, trace=trace)
    orders.fulfilment_order_pack(fulfilment_order=fo, parcels=[None], trace=trace)
    with django_capture_on_commit_callbacks(execute=True):
        orders.fulfilment_order_ship(
            fulfilment_order=fo, carrier="Colissimo", tracking_number="6A1", trace=trace
        )
    assert order.payments.get().amount_captured == Decimal("54.80")
    assert "4,90" in mail.outbox[-1].body or "4.90" in mail.outbox[-1].body


# ---------------------------------------------------------------- refunded by rule


def test_cancelling_the_whole_order_before_shipping_refunds_its_fee(api, network, call_centre):
    body = place(api, [home()], payments=[{"method": "cash", "amount": "54.80"}])
    order = Order.objects.get(number=body["number"])
    orders.order_cancel(order=order, trace=Trace.of(call_centre))
    order.refresh_from_db()
    charge = order.delivery_charges.get()
    assert (charge.status, charge.refund_reason) == ("refunded", "group_cancelled")
    assert order.total == 0 and order.payments.get().amount_refunded == Decimal("54.80")


def test_a_group_partly_cancelled_keeps_its_fee_and_a_whole_one_gives_it_back(api, network, call_centre):
    cheap = SKU.objects.get(code="CHE-OXF-BLE-M")
    cheap.price = Decimal("9.90")
    cheap.save()
    body = place(api, [home(quantity=2), relay()], payments=[{"method": "cash", "amount": "50"}])
    order = Order.objects.get(number=body["number"])
    assert order.total == Decimal("29.70") + Decimal("7.80")
    orders.order_cancel(order=order, lines={1: 1}, trace=Trace.of(call_centre))
    order.refresh_from_db()
    assert order.delivery_total == Decimal("7.80")  # one shirt still goes home
    orders.order_cancel(order=order, lines={2: None}, trace=Trace.of(call_centre))
    order.refresh_from_db()
    relay_charge = order.delivery_charges.get(method="ship_to_relay")
    assert (relay_charge.status, relay_charge.refund_reason) == ("refunded", "group_cancelled")
    assert order.delivery_total == Decimal("4.90") and order.total == Decimal("9.90") + Decimal("4.90")
    payment = order.payments.get()  # cash, taken at the till: what is kept is the new total
    assert payment.amount_captured - payment.amount_refunded == order.total
    assert OrderEvent.objects.filter(order=order, kind="fee_refunded").count() == 1


def test_the_refund_rule_for_returns_and_moved_lines(api, network):
    body = place(api, [home()])
    order = Order.objects.get(number=body["number"])
    charge, line = order.delivery_charges.get(), order.lines.get()
    assert delivery_refund_due(charge, [line]) is None  # on its way: kept
    assert delivery_refund_due(charge, []) == "group_moved"
    line.qty_allocated, line.qty_shipped = 0, 1
    assert delivery_refund_due(charge, [line]) is None  # delivered and kept
    line.qty_returned = 1
    assert delivery_refund_due(charge, [line]) == "group_returned"  # the whole group withdrawn
    charge.status = DeliveryCharge.Status.REFUNDED
    assert delivery_refund_due(charge, [line]) is None  # never twice


def test_moving_a_line_to_pickup_refunds_home_delivery_and_back_charges_it(api, network, call_centre):
    body = place(api, [home()])
    number = body["number"]
    client = api
    moved = client.post(f"{URL}{number}/lines/1/delivery/",
                        {"method": "pickup_in_store", "pickup_location": "ST-LYON"}, format="json").json()  # fmt: skip
    assert moved["delivery_total"] == "0.00" and Decimal(moved["total"]) == Decimal("49.90")
    by_method = {c["method"]: c for c in moved["delivery_charges"]}
    assert by_method["ship_to_address"]["status"] == "refunded"
    assert by_method["ship_to_address"]["refund_reason"] == "group_moved"
    assert by_method["pickup_in_store"]["amount"] == "0.00"
    back = client.post(
        f"{URL}{number}/lines/1/delivery/", {"method": "ship_to_address"}, format="json"
    ).json()
    assert back["delivery_total"] == "4.90"
    assert "fee_charged" in [e["kind"] for e in back["timeline"]]


def test_another_relay_point_keeps_the_fee(api, network):
    body = place(api, [relay()])
    other = dict(RELAY, id="MR-069777", name="Pressing Bellecour")
    moved = api.post(f"{URL}{body['number']}/lines/1/delivery/", {"method": "ship_to_relay", "relay_point": other},
                     format="json").json()  # fmt: skip
    [charge] = moved["delivery_charges"]
    assert charge["group"] == "ship_to_relay:MR-069777" and charge["status"] == "charged"
    assert charge["amount"] == "2.90"


def test_overseas_delivery_uses_its_zone(api, network):
    address = dict(ADDRESS, postcode="97200", city="Fort-de-France")
    body = place(api, [home(quantity=2)], shipping_address=address, billing_address=address)
    [charge] = body["delivery_charges"]
    assert (charge["zone"], charge["amount"]) == ("overseas", "14.90")


# ---------------------------------------------------------------- one basket, one fee


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    shirts=st.integers(0, 2),
    jeans=st.integers(0, 1),
    method=st.sampled_from(["ship_to_address", "ship_to_relay"]),
    free_delivery=st.booleans(),
)
def test_one_basket_gets_one_fee_in_the_promise_the_quote_the_order_and_the_call_centre_form(
    shirts,
    jeans,
    method,
    free_delivery,
    client,
    call_centre,
    api_as,
    integration_client,
    network,
    stock,
    promotion,
):
    if not SKU.objects.filter(code="TEE-BAS-BLA-S").exists():
        stock(SKU.objects.get(code="CHE-OXF-BLE-M"), network["warehouse"], 500)
        stock(SKU.objects.get(code="JEA-SLI-IND-42"), network["warehouse"], 500)
        tee = SKU.objects.get(code="CHE-OXF-BLE-M")
        tee.pk, tee.code, tee.ean, tee.price = None, "TEE-BAS-BLA-S", "3000000000017", Decimal("12.50")
        tee.save()
        stock(tee, network["warehouse"], 500)
        promotion(name="-13 %", params={"percent": "13"}, target_categories=[], priority=200)
    offer = Promotion.objects.filter(kind="free_delivery").first() or promotion(
        name="Relais offert",
        kind="free_delivery",
        params={"methods": ["ship_to_relay"]},
        target_categories=[],
    )
    offer.status = Promotion.Status.ACTIVE if free_delivery else Promotion.Status.STOPPED
    offer.save()
    cart = (
        [("TEE-BAS-BLA-S", 1)]
        + [("CHE-OXF-BLE-M", shirts)] * bool(shirts)
        + [("JEA-SLI-IND-42", jeans)] * bool(jeans)
    )
    api = api_as(integration_client)
    promise = api.post("/api/v1/promise/", {"channel": "call_centre", "destination": {"postcode": "69002"},
                       "lines": [{"sku": s, "quantity": q} for s, q in cart]}, format="json").json()  # fmt: skip
    promised = next(option["price"] for option in promise["options"] if option["method"] == method)
    quote = api.post("/api/v1/pricing/quote/", {"channel": "call_centre", "delivery_method": method,
                     "postcode": "69002", "lines": [{"sku": s, "quantity": q} for s, q in cart]},
                     format="json").json()  # fmt: skip
    delivery = {"method": method} | ({"relay_point": RELAY} if method == "ship_to_relay" else {})
    p = order_payload(
        channel="call_centre", lines=[{"sku": s, "quantity": q, "delivery": delivery} for s, q in cart]
    )
    captured, _ = orders.order_place(channel="call_centre", customer=p["customer"], shipping_address=p["shipping_address"],
                                     lines=service_lines(p), trace=Trace(channel="call_centre"))  # fmt: skip
    client.force_login(call_centre)
    form = {"last_name": "Durand", "email": "durand@example.fr", "language": "fr", "method": method,
            "line1": "12 rue Mercière", "postcode": "69002", "city": "Lyon", "payment_method": "card",
            "payment_reference": "TPE-1", "lines-TOTAL_FORMS": str(len(cart)), "lines-INITIAL_FORMS": "0"}  # fmt: skip
    if method == "ship_to_relay":
        form.update({f"relay_{k}": v for k, v in RELAY.items()})
    for i, (sku, quantity) in enumerate(cart):
        form[f"lines-{i}-sku"], form[f"lines-{i}-quantity"] = sku, str(quantity)
    response = entry_post(client, {**form, "confirm": "1"})
    entered = Order.objects.get(number=response.url.rstrip("/").rsplit("/", 1)[-1])
    fee = quote["delivery"]["amount"]
    assert promised == fee == str(captured.delivery_total) == str(entered.delivery_total)
    assert quote["total_with_delivery"] == str(captured.total) == str(entered.total)
    if free_delivery and method == "ship_to_relay":
        assert fee == "0.00" and entered.delivery_charges.get().rule == "promotion"
