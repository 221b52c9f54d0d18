"""The store associate's screens: queue, acknowledge, scan-to-pick, pack, ship, receive,
hand over — scoped to their store, every action on the order's timeline with their name."""

from decimal import Decimal

import pytest
from django.core import mail

from inventory.models import StockLevel
from omni.trace import Trace
from orders import services
from orders.models import FulfilmentOrder, OrderEvent

from .conftest import fulfilment_orders, line

pytestmark = pytest.mark.django_db


def post(client, url, data=None):
    response = client.post(url, data or {})
    assert response.status_code in (200, 302), response.status_code
    return response


def flash(response) -> str:
    return " ".join(str(m) for m in response.wsgi_request._messages)


def test_queue_lists_the_stores_work_by_deadline(client, lea, place, network):
    order = place(lines=[line("CHE-OXF-BLE-M", 1, "pickup_in_store", "ST-LYON")])
    client.force_login(lea)
    page = client.get("/store/").content.decode()
    assert f"{order.number}-1" in page and 'data-deadline="' in page
    partial = client.get("/store/", headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="queue"') and f"{order.number}-1" in partial
    assert 'data-signature="' + f"{order.number}-1" in partial  # new work: the page beeps


def test_other_stores_associates_neither_see_nor_act(client, paris_associate, place, network):
    order = place(lines=[line("CHE-OXF-BLE-M", 1, "pickup_in_store", "ST-LYON")])
    [fo] = fulfilment_orders(order)
    client.force_login(paris_associate)
    assert fo.number not in client.get("/store/").content.decode()
    assert client.get(f"/store/work/{fo.number}/").status_code == 404
    for action in ("acknowledge", "decline", "pick", "scan", "finish-picking", "ready", "collect", "receive"):
        assert (
            client.post(f"/store/work/{fo.number}/{action}/", {"ean": "1", "reason": "x"}).status_code == 404
        )
    fo.refresh_from_db()
    assert fo.status == "created"
    assert (
        f"/store/work/{fo.number}/"
        not in client.get("/store/handover/", {"q": order.number}).content.decode()
    )


def test_other_roles_have_no_store_screens(client, call_centre):
    client.force_login(call_centre)
    assert client.get("/store/").status_code == 403


def test_click_and_collect_from_acknowledgement_to_handover(
    client, lea, place, network, api_as, integration_client
):
    order = place(
        lines=[line("CHE-OXF-BLE-M", 2, "pickup_in_store", "ST-LYON")], trace=Trace.of(integration_client)
    )
    [fo] = fulfilment_orders(order)
    ean = order.lines.get().sku.ean
    client.force_login(lea)
    post(client, f"/store/work/{fo.number}/acknowledge/")
    pick = client.get(f"/store/work/{fo.number}/pick/").content.decode()
    assert "0 / 2" in pick and "Hauts" not in pick

    wrong = client.post(
        f"/store/work/{fo.number}/scan/", {"ean": "3000000009999"}, headers={"HX-Request": "true"}
    )
    assert "is not on this order" in wrong.content.decode() and wrong["HX-Trigger"] == "scan-refused"
    for _ in range(2):
        client.post(f"/store/work/{fo.number}/scan/", {"ean": ean}, headers={"HX-Request": "true"})
    too_many = client.post(f"/store/work/{fo.number}/scan/", {"ean": ean}, headers={"HX-Request": "true"})
    assert "already picked" in too_many.content.decode() and "2 / 2" in too_many.content.decode()
    post(client, f"/store/work/{fo.number}/finish-picking/")
    with_code = post(client, f"/store/work/{fo.number}/ready/")
    fo.refresh_from_db()
    assert fo.status == "ready_for_pickup" and len(fo.pickup_code) == 6, flash(with_code)

    # The web shop says the customer is here, parked at spot 4: the queue shows it.
    arrived = api_as(integration_client).post(
        f"/api/v1/orders/{order.number}/arrival/", {"parking_spot": "4"}, format="json"
    )
    assert arrived.status_code == 200 and arrived.json()["store"] == "ST-LYON"
    queue = client.get("/store/", headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="waiting-customers"' in queue and "4" in queue

    # The work page never shows the code: the associate types the one the customer presents.
    work = client.get(f"/store/work/{fo.number}/").content.decode()
    assert fo.pickup_code not in work and 'data-testid="pickup-code-input"' in work
    found = client.get("/store/handover/", {"q": fo.pickup_code})
    assert found.status_code == 302 and found.url == f"/store/work/{fo.number}/?code={fo.pickup_code}"
    refused = post(client, f"/store/work/{fo.number}/collect/", {"pickup_code": "12"})
    fo.refresh_from_db()
    assert fo.status == "ready_for_pickup" and "6 digits" in flash(refused)
    post(client, f"/store/work/{fo.number}/collect/", {"pickup_code": f" {fo.pickup_code} "})
    fo.refresh_from_db()
    order.refresh_from_db()
    assert fo.status == "collected" and order.lines.get().status == "collected"

    by_lea = OrderEvent.objects.filter(order=order, actor=lea).values_list("kind", flat=True)
    assert {
        "fo_acknowledged",
        "picking_started",
        "fo_picked",
        "ready_for_pickup",
        "collected",
    } <= set(by_lea)
    handover = OrderEvent.objects.get(order=order, kind="collected")
    assert handover.data["identity_checked"] == "pickup code"


def test_ship_from_store_with_a_short_pick(
    client, lea, place, network, polo, django_capture_on_commit_callbacks
):
    order = place(lines=[line("POL-PIQ-ROU-L", 2)])
    [fo] = fulfilment_orders(order)
    assert fo.location.code == "ST-LYON" and fo.mode == "ship"
    client.force_login(lea)
    post(client, f"/store/work/{fo.number}/acknowledge/")
    client.post(f"/store/work/{fo.number}/scan/", {"ean": polo.ean}, headers={"HX-Request": "true"})
    refused = post(client, f"/store/work/{fo.number}/finish-picking/")  # one missing, no reason
    assert "missing" in flash(refused)
    post(client, f"/store/work/{fo.number}/finish-picking/", {"reason": "damaged"})
    fo.refresh_from_db()
    assert fo.status == "picked"
    rerouted = [f for f in fulfilment_orders(order) if f.pk != fo.pk]
    assert [(f.location.code, f.lines.get().quantity) for f in rerouted] == [("ST-PARIS", 1)]

    bad = post(client, f"/store/work/{fo.number}/pack/", {"parcels": "2", "weights": "0,8"})
    assert "one weight per parcel" in flash(bad).lower()
    post(client, f"/store/work/{fo.number}/pack/", {"parcels": "1", "weights": "0,45"})
    missing_tracking = post(client, f"/store/work/{fo.number}/ship/", {"carrier": "Colissimo"})
    assert "tracking" in flash(missing_tracking).lower()
    with django_capture_on_commit_callbacks(execute=True):
        post(client, f"/store/work/{fo.number}/ship/", {"carrier": "Colissimo", "tracking_number": "6A123"})
    fo.refresh_from_db()
    assert fo.status == "shipped" and fo.parcels.get().weight_kg == Decimal("0.450")
    assert mail.outbox[-1].to == ["lea.martin@example.fr"] and "6A123" in mail.outbox[-1].body
    line_ = order.lines.get()
    assert line_.qty_shipped == 1 and line_.qty_allocated == 1  # the other unit ships from Paris
    assert StockLevel.objects.get(sku=polo, location=network["lyon"]).on_hand == 3  # 1 shipped, 1 damaged


def test_the_pickup_store_receives_a_ship_to_store_parcel(client, lea, place, network, system):
    order = place(lines=[line("JEA-SLI-IND-42", 1, "pickup_in_store", "ST-LYON")])
    [fo] = fulfilment_orders(order)
    assert fo.mode == "ship_to_store" and fo.location.code == "WH-NAT"
    services.fulfilment_order_ship(
        fulfilment_order=fo, carrier="Navette magasin", tracking_number="", trace=system
    )
    client.force_login(lea)
    assert f"incoming-{fo.number}" in client.get("/store/").content.decode()
    assert client.post(f"/store/work/{fo.number}/acknowledge/").status_code == 403  # prepared elsewhere
    post(client, f"/store/work/{fo.number}/receive/")
    fo.refresh_from_db()
    assert fo.status == "ready_for_pickup" and fo.received_at is not None
    level = StockLevel.objects.get(sku=order.lines.get().sku, location=network["lyon"])
    assert (level.on_hand, level.reserved, level.in_transit) == (1, 1, 0)


def test_declining_sends_the_work_elsewhere_at_once(client, lea, place, network, polo):
    order = place(lines=[line("POL-PIQ-ROU-L", 1)])
    [fo] = fulfilment_orders(order)
    client.force_login(lea)
    post(client, f"/store/work/{fo.number}/decline/", {"reason": "wrong_item", "note": "tache"})
    fo.refresh_from_db()
    assert (fo.status, fo.failure_code, fo.failure_text) == (
        "declined",
        "wrong_item",
        "Wrong item on the shelf — tache",
    )
    assert [f.location.code for f in fulfilment_orders(order) if f.status == "created"] == ["ST-PARIS"]


def test_dashboard_counts_today_and_yesterday(client, lea, place, network, polo, system):
    import datetime

    from django.utils import timezone

    first = place(lines=[line("POL-PIQ-ROU-L", 1)])
    [done] = fulfilment_orders(first)
    services.fulfilment_order_acknowledge(fulfilment_order=done, trace=system)
    services.fulfilment_order_ship(fulfilment_order=done, carrier="DPD", tracking_number="D1", trace=system)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    FulfilmentOrder.objects.filter(pk=done.pk).update(
        created_at=yesterday, acknowledged_at=yesterday + datetime.timedelta(minutes=12),
        completed_at=yesterday + datetime.timedelta(minutes=40), ready_by=yesterday + datetime.timedelta(hours=2),
    )  # fmt: skip
    place(lines=[line("POL-PIQ-ROU-L", 1)], external_reference="WEB-2")
    client.force_login(lea)
    page = client.get("/store/dashboard/").content.decode()
    assert 'data-testid="today"' in page and "100 %" in page and "12 min" in page
    assert page.count('class="bar"') == 15


def test_screens_speak_the_associates_french(client, lea, place, network):
    client.cookies["django_language"] = "fr"
    client.force_login(lea)
    page = client.get("/store/").content.decode()
    assert "File de travail" in page and "À faire" in page


def test_an_order_cancelled_on_the_way_arrives_as_store_stock(
    client, lea, place, network, system, call_centre
):
    from omni.trace import Trace
    from orders import services as orders

    order = place(lines=[line("JEA-SLI-IND-42", 1, "pickup_in_store", "ST-LYON")])
    [fo] = fulfilment_orders(order)
    services.fulfilment_order_ship(
        fulfilment_order=fo, carrier="Navette magasin", tracking_number="", trace=system
    )
    orders.order_cancel(order=order, trace=Trace.of(call_centre, note="changed their mind"))
    fo.refresh_from_db()
    assert fo.status == "shipped"  # still on the truck
    client.force_login(lea)
    post(client, f"/store/work/{fo.number}/receive/")
    fo.refresh_from_db()
    level = StockLevel.objects.get(sku=order.lines.get().sku, location=network["lyon"])
    assert fo.status == "cancelled" and (level.on_hand, level.reserved, level.in_transit) == (1, 0, 0)


def test_dashboard_chart_shows_todays_completed_work_per_hour(client, lea, place, network, polo, system):
    import datetime

    from django.utils import timezone

    from store.selectors import store_dashboard

    shipped = place(lines=[line("POL-PIQ-ROU-L", 1)])
    [to_ship] = fulfilment_orders(shipped)
    services.fulfilment_order_acknowledge(fulfilment_order=to_ship, trace=system)
    services.fulfilment_order_ship(
        fulfilment_order=to_ship, carrier="DPD", tracking_number="D1", trace=system
    )
    pickups = []
    for n in range(2):
        order = place(
            lines=[line("POL-PIQ-ROU-L", 1, "pickup_in_store", "ST-LYON")], external_reference=f"C{n}"
        )
        [fo] = fulfilment_orders(order)
        services.fulfilment_order_make_ready(fulfilment_order=fo, trace=system)
        pickups.append(FulfilmentOrder.objects.get(pk=fo.pk))
    services.fulfilment_order_collect(
        fulfilment_order=pickups[0], trace=system, pickup_code=pickups[0].pickup_code
    )
    today = timezone.localtime().replace(minute=5, second=0, microsecond=0)
    at = lambda hour: today.replace(hour=hour)  # noqa: E731
    FulfilmentOrder.objects.filter(pk=to_ship.pk).update(completed_at=at(9))
    FulfilmentOrder.objects.filter(pk__in=[p.pk for p in pickups]).update(ready_at=at(9), completed_at=at(9))
    FulfilmentOrder.objects.filter(pk=pickups[0].pk).update(collected_at=at(15))
    yesterday = place(lines=[line("POL-PIQ-ROU-L", 1)], external_reference="Y")  # not today's bar
    [old] = fulfilment_orders(yesterday)
    services.fulfilment_order_acknowledge(fulfilment_order=old, trace=system)
    services.fulfilment_order_ship(fulfilment_order=old, carrier="DPD", tracking_number="D2", trace=system)
    FulfilmentOrder.objects.filter(pk=old.pk).update(completed_at=at(9) - datetime.timedelta(days=1))

    by_hour = {bar.hour: bar for bar in store_dashboard(network["lyon"]).by_hour}
    assert (by_hour[9].shipped, by_hour[9].ready, by_hour[9].collected) == (1, 2, 0)
    assert (by_hour[15].shipped, by_hour[15].ready, by_hour[15].collected) == (0, 0, 1)
    assert sum(bar.total for bar in by_hour.values()) == 4
    assert sum(bar.total for bar in store_dashboard(network["paris"]).by_hour) == 0

    client.force_login(lea)
    page = client.get("/store/dashboard/").content.decode()
    assert 'data-hour="9" data-total="3"' in page and 'data-hour="15" data-total="1"' in page
    assert 'data-kind="ready" data-count="2" style="height: 66.7%"' in page
    assert 'data-kind="collected" data-count="1" style="height: 33.3%"' in page
