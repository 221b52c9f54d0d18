"""The call-centre pages, through Django's test client."""

import pytest

from orders.models import Order, OrderEvent
from tests.factories import StoreAssociateFactory
from tests.orders.conftest import entry_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client, call_centre):
    client.force_login(call_centre)
    return client


@pytest.fixture
def order(place, network):
    return place(
        lines=[{"sku": "CHE-OXF-BLE-M", "quantity": 1, "delivery": {"method": "pickup_in_store", "pickup_location": "ST-LYON"}}]
    )  # fmt: skip


def test_search_by_phone_finds_the_order(agent, order):
    response = agent.get("/orders/", {"q": "06 12 34 56 78"}, HTTP_HX_REQUEST="true")
    assert order.number in response.content.decode()
    assert "<html" not in response.content.decode()  # the results partial only


def test_moving_the_pickup_is_recorded_with_the_agent_and_reason(agent, order, call_centre, network):
    response = agent.post(
        f"/orders/{order.number}/lines/1/delivery/",
        {"delivery-1-method": "pickup_in_store", "delivery-1-pickup_location": network["marseille"].pk, "delivery-1-reason": "déménagement"},
    )  # fmt: skip
    assert response.status_code == 302
    event = OrderEvent.objects.filter(order=order, kind="delivery_changed").get()
    assert (event.actor, event.channel, event.reason) == (call_centre, "call_centre", "déménagement")


def test_hold_without_a_reason_is_refused_beside_the_field(agent, order):
    response = agent.post(f"/orders/{order.number}/hold/", {"hold-reason": ""})
    assert response.status_code == 400
    assert Order.objects.get(pk=order.pk).status == "confirmed"


def test_order_entry_shows_an_unknown_sku_on_its_line(agent, network):
    response = entry_post(agent, {
            "confirm": "1", "last_name": "Durand", "phone": "07 98 76 54 32", "language": "fr", "method": "pickup_in_store",
            "pickup_location": network["lyon"].pk, "payment_method": "card", "payment_reference": "TPE-1",
            "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0", "lines-0-sku": "NOPE", "lines-0-quantity": "1",
            "lines-1-sku": "", "lines-1-quantity": "1",
        },
    )  # fmt: skip
    assert response.status_code == 400
    assert "NOPE" in response.context["lines"].forms[0].errors["sku"][0]
    assert not Order.objects.exists()


def test_order_entry_places_a_click_and_collect_order(agent, network):
    response = entry_post(agent, {
            "confirm": "1", "last_name": "Durand", "phone": "07 98 76 54 32", "language": "fr", "method": "pickup_in_store",
            "pickup_location": network["lyon"].pk, "payment_method": "card", "payment_reference": "TPE-1",
            "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-0-sku": "che-oxf-ble-m", "lines-0-quantity": "2",
        },
    )  # fmt: skip
    order = Order.objects.get()
    assert response.status_code == 302 and response.url == order.get_absolute_url()
    assert order.channel == "call_centre" and order.payments.get().amount_authorised == order.total
    assert order.lines.get().qty_allocated == 2


def test_store_associate_cannot_open_another_stores_order(client, order, network):
    client.force_login(StoreAssociateFactory(username="marc", store=network["marseille"]))
    assert client.get(f"/orders/{order.number}/").status_code == 404


def test_store_associate_cannot_change_orders(client, order, network):
    client.force_login(StoreAssociateFactory(username="lina", store=network["lyon"]))
    assert client.get(f"/orders/{order.number}/").status_code == 200
    assert client.post(f"/orders/{order.number}/hold/", {"hold-reason": "x"}).status_code == 403


@pytest.mark.parametrize(
    "query",
    ["Chloe", "chloé", "CHLOÉ BERNARD", "Bernard Chloe", "bernard", "100", "chloe.bernard@example.fr"],
)
def test_search_forgives_accents_name_order_and_a_number_without_its_prefix(agent, place, network, query):
    chloe = place(
        customer={"email": "chloe.bernard@example.fr", "first_name": "Chloé", "last_name": "Bernard"},
        lines=[{"sku": "CHE-OXF-BLE-M", "quantity": 1, "delivery": {"method": "ship_to_address"}}],
    )
    other = place(
        customer={"email": "paul.durand@example.fr", "first_name": "Paul", "last_name": "Durand"},
        lines=[{"sku": "CHE-OXF-BLE-M", "quantity": 1, "delivery": {"method": "ship_to_address"}}],
    )
    if query == "100":  # the digits ending the number: OM-…100 style numbers end in them
        query = chloe.number.rsplit("-", 1)[-1]
    found = [order.number for order in agent.get("/orders/", {"q": query}).context["orders"]]
    assert chloe.number in found and other.number not in found


def test_a_long_order_list_says_how_many_and_pages(agent, place, network):
    for _ in range(53):
        place(lines=[{"sku": "CHE-OXF-BLE-M", "quantity": 1, "delivery": {"method": "ship_to_address"}}])
    first = agent.get("/orders/", HTTP_ACCEPT_LANGUAGE="en")
    text = first.content.decode()
    assert len(first.context["orders"]) == 50 and "53 results" in text and "1–50 shown" in text
    assert 'data-testid="pager-next"' in text
    second = agent.get("/orders/", {"page": 2, "q": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert len(second.context["orders"]) == 3 and "51–53 shown" in second.content.decode()


@pytest.fixture
def two_shirts(place, network):
    return place(lines=[{"sku": "CHE-OXF-BLE-M", "quantity": 2, "delivery": {"method": "ship_to_address"}}])


def test_cancel_one_unit_of_a_line_reads_back_the_refund_then_confirms(agent, two_shirts):
    line = two_shirts.lines.get()
    # step 1: the page reads back what goes and the refund; nothing changes yet
    review = agent.post(
        f"/orders/{two_shirts.number}/cancel/",
        {"cancel-qty_1": "1", "cancel-reason": "le client n'en veut qu'une"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    text = review.content.decode()
    assert review.status_code == 200 and 'data-testid="cancel-review"' in text
    assert "1 × " in text and line.name in text
    assert review.context["cancel_review"]["refund"] == line.value_of(2) - line.value_of(1)
    line.refresh_from_db()
    assert line.qty_cancelled == 0
    # step 2: confirmed, one unit goes
    done = agent.post(
        f"/orders/{two_shirts.number}/cancel/",
        {"cancel-qty_1": "1", "cancel-reason": "le client n'en veut qu'une", "cancel-confirm": "on"},
    )
    assert done.status_code == 302
    line.refresh_from_db()
    assert (line.qty_cancelled, line.active_quantity) == (1, 1)
    event = OrderEvent.objects.filter(order=two_shirts, kind="cancelled", line__isnull=True).get()
    assert event.reason == "le client n'en veut qu'une" and event.data == {"lines": {"1": 1}}


def test_cancel_with_nothing_chosen_is_refused_and_cancels_nothing(agent, two_shirts):
    response = agent.post(
        f"/orders/{two_shirts.number}/cancel/",
        {"cancel-reason": "oups", "cancel-confirm": "on"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400 and "Cancel the whole order" in response.content.decode()
    assert Order.objects.get(pk=two_shirts.pk).status != "cancelled"


def test_cancel_the_whole_order_only_when_said_and_confirmed(agent, two_shirts):
    agent.post(f"/orders/{two_shirts.number}/cancel/", {"cancel-whole": "on", "cancel-reason": "doublon"})
    assert Order.objects.get(pk=two_shirts.pk).status != "cancelled"  # only reviewed
    agent.post(
        f"/orders/{two_shirts.number}/cancel/",
        {"cancel-whole": "on", "cancel-reason": "doublon", "cancel-confirm": "on"},
    )
    assert Order.objects.get(pk=two_shirts.pk).status == "cancelled"


def test_more_units_than_are_open_is_refused_beside_the_line(agent, two_shirts):
    response = agent.post(
        f"/orders/{two_shirts.number}/cancel/",
        {"cancel-qty_1": "3", "cancel-reason": "x", "cancel-confirm": "on"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400 and "less than or equal to 2" in response.content.decode()
    assert two_shirts.lines.get().qty_cancelled == 0


def test_cancelling_everything_of_a_delivery_group_reads_back_its_fee_refund(agent, place, network):
    order = place(lines=[{"sku": "CHE-OXF-BLE-M", "quantity": 1, "delivery": {"method": "ship_to_address"}}])
    charge = order.delivery_charges.get()
    assert charge.amount > 0  # a small basket pays its home delivery
    review = agent.post(
        f"/orders/{order.number}/cancel/",
        {"cancel-whole": "on", "cancel-reason": "doublon"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    preview = review.context["cancel_review"]
    assert preview["fees"] == [(charge, "group_cancelled")]
    assert preview["refund"] == order.lines.get().line_total + charge.amount == order.total
    assert 'data-testid="cancel-fee"' in review.content.decode()


ENTRY = {
    "last_name": "Durand", "phone": "07 98 76 54 32", "language": "fr", "method": "ship_to_address",
    "line1": "12 rue Mercière", "postcode": "69002", "city": "Lyon", "payment_method": "card",
    "payment_reference": "TPE-1", "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0",
    "lines-0-sku": "CHE-OXF-BLE-M", "lines-0-quantity": "2",
}  # fmt: skip


def test_order_entry_reads_the_order_back_before_placing_it(agent, network):
    review = agent.post("/orders/new/", ENTRY, HTTP_ACCEPT_LANGUAGE="en")
    text = review.content.decode()
    assert review.status_code == 200 and not Order.objects.exists()  # nothing placed yet
    quote = review.context["review"]["quote"]
    assert quote["lines"][0]["quantity"] == 2 and quote["delivery"]["method"] == "ship_to_address"
    assert "Read it back to the customer" in text and 'data-testid="confirm-order"' in text
    assert review.context["review"]["options"], "the delivery options for the basket are read back"
    placed = entry_post(agent, {**ENTRY, "confirm": "1"})
    order = Order.objects.get()
    assert placed.status_code == 302 and order.total == quote["total_with_delivery"]


def test_the_live_summary_prices_the_basket_as_the_order_will_be(agent, network):
    summary = agent.post(
        "/orders/new/summary/", {**ENTRY, "coupon_codes": "FAUXCODE"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    text = summary.content.decode()
    assert summary.status_code == 200 and "<html" not in text
    assert 'data-testid="summary-total"' in text and "FAUXCODE : code inconnu" in text
    # unknown articles are named, the rest still priced
    mixed = agent.post(
        "/orders/new/summary/",
        {**ENTRY, "lines-TOTAL_FORMS": "2", "lines-1-sku": "NOPE", "lines-1-quantity": "1"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    mixed_text = mixed.content.decode()
    assert "Unknown article: NOPE" in mixed_text and 'data-testid="summary-total"' in mixed_text


def test_confirming_places_what_was_read_back_once_even_clicked_twice(agent, network):
    review = agent.post("/orders/new/", ENTRY).context
    confirm = {
        **ENTRY,
        "confirm": "1",
        "entry_key": review["entry_key"],
        "entry_digest": review["entry_digest"],
    }
    # changed after the read-back: read back again, nothing placed
    changed = agent.post("/orders/new/", {**confirm, "lines-0-quantity": "3"}, HTTP_ACCEPT_LANGUAGE="en")
    assert changed.status_code == 200 and changed.context["reading_back"] and not Order.objects.exists()
    assert "changed since it was read back" in changed.content.decode()
    # confirmed twice (a double click): one order
    first = agent.post("/orders/new/", confirm)
    second = agent.post("/orders/new/", confirm)
    assert Order.objects.count() == 1
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
