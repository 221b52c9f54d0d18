"""Rejections correct stock: units not found or damaged leave the store's stock through the
ledger (with the associate and the reason), a count is asked for, and availability and the
store finder stop promising them in the same transaction as the pick or the decline."""

import time
from unittest import mock

import pytest
from django.utils import translation

from inventory import services as inventory
from inventory.models import CountTask, Reservation, StockLevel, StockMovement
from inventory.selectors import network_availability, stores_near
from omni.errors import DomainError
from omni.trace import Trace
from orders import services
from orders.models import LineFailure, OrderEvent, RejectionReason
from tests.factories import StoreAssociateFactory
from tests.inventory.conftest import assert_ledger_matches_stock
from tests.race import race

from .conftest import fulfilment_orders, line

pytestmark = pytest.mark.django_db
LYON_LAT, LYON_LON = 45.7632, 4.8359


def stock(sku, location) -> tuple[int, int]:
    level = StockLevel.objects.get(sku=sku, location=location)
    return level.on_hand, level.reserved


def finder(sku, store_code: str) -> int:
    """What the click & collect finder promises of the SKU at the store."""
    stores = stores_near(sku_codes=[sku.code], lat=LYON_LAT, lon=LYON_LON, radius_km=1000)
    return next(s.atp[sku.code] for s in stores if s.code == store_code)


def lyon_ship_order(place, quantity: int):
    order = place(lines=[line("POL-PIQ-ROU-L", quantity)])
    [fo] = fulfilment_orders(order)
    assert fo.location.code == "ST-LYON"
    return order, fo


def test_not_found_short_pick_writes_off_what_the_shelf_lacks_and_asks_for_a_count(place, network, polo, lea):
    # given Lyon holds 5 polos, 2 of them reserved for a parcel
    order, fo = lyon_ship_order(place, 2)
    lyon = network["lyon"]
    assert stock(polo, lyon) == (5, 2) and finder(polo, "ST-LYON") == 3

    # when the associate finds only one on the shelf
    services.fulfilment_order_record_picks(
        fulfilment_order=fo, picked={1: 1}, reason="not_found", note="rayon vide", trace=Trace.of(lea)
    )

    # then the missing unit and the 3 nobody held are off the stock: only the picked one remains
    assert stock(polo, lyon) == (1, 1)
    assert finder(polo, "ST-LYON") == 0
    movement = StockMovement.objects.filter(location=lyon, kind="adjustment").get()
    assert (movement.on_hand_delta, movement.reserved_delta) == (-4, -1)
    assert (movement.reason, movement.actor, movement.channel, movement.reference) == (
        "not_found", lea, "store", fo.number,
    )  # fmt: skip
    task = CountTask.objects.get(location=lyon, sku=polo, status="open")
    assert (task.reason, task.raised_by, task.reference) == ("not_found", lea, fo.number)
    failure = LineFailure.objects.get()
    assert (failure.kind, failure.reason_code, failure.quantity) == ("short_pick", "not_found", 1)
    event = order.events.get(kind=OrderEvent.Kind.SHORT_PICKED)
    assert event.data["reason_code"] == "not_found"
    # the missing unit comes from Paris
    assert [(f.location.code, f.lines.get().quantity) for f in fulfilment_orders(order)[1:]] == [
        ("ST-PARIS", 1)
    ]
    assert_ledger_matches_stock()


def test_damaged_short_pick_writes_off_only_the_damaged_units(place, network, polo, lea):
    order, fo = lyon_ship_order(place, 2)
    services.fulfilment_order_record_picks(
        fulfilment_order=fo, picked={1: 1}, reason="damaged", trace=Trace.of(lea)
    )
    lyon = network["lyon"]
    assert stock(polo, lyon) == (4, 1) and finder(polo, "ST-LYON") == 3
    movement = StockMovement.objects.get(location=lyon, kind="adjustment")
    assert (movement.on_hand_delta, movement.reserved_delta, movement.reason) == (-1, -1, "damaged")
    assert CountTask.objects.get(location=lyon, sku=polo).reason == "damaged"
    assert Reservation.objects.get(location=lyon, status="active").quantity == 1  # the picked unit
    assert_ledger_matches_stock()


def test_other_reasons_release_the_units_without_touching_on_hand(place, network, polo, lea):
    order, fo = lyon_ship_order(place, 2)
    services.fulfilment_order_record_picks(
        fulfilment_order=fo, picked={1: 1}, reason="wrong_item", trace=Trace.of(lea)
    )
    assert stock(polo, network["lyon"]) == (5, 1) and finder(polo, "ST-LYON") == 4
    assert not CountTask.objects.exists()
    assert not StockMovement.objects.filter(kind="adjustment").exists()


def test_a_short_pick_needs_a_coded_reason(place, network, polo, lea):
    order, fo = lyon_ship_order(place, 2)
    for reason in ("", "shelf was empty"):
        with pytest.raises(DomainError) as refused:
            services.fulfilment_order_record_picks(
                fulfilment_order=fo, picked={1: 1}, reason=reason, trace=Trace.of(lea)
            )
        assert refused.value.field == "reason"
    assert stock(polo, network["lyon"]) == (5, 2)


def test_declining_click_and_collect_as_not_found_empties_the_finder_at_once(place, network, polo, lea):
    # given a click & collect order for one polo at Lyon (5 on hand, the finder says 4)
    order = place(lines=[line("POL-PIQ-ROU-L", 1, "pickup_in_store", "ST-LYON")])
    [fo] = fulfilment_orders(order)
    assert finder(polo, "ST-LYON") == 4
    before = network_availability(sku_codes=[polo.code])[polo.code].network

    # when the associate declines: nothing on the shelf
    services.fulfilment_order_decline(fulfilment_order=fo, reason="not_found", trace=Trace.of(lea))

    # then Lyon holds none, the finder promises none there, the network lost Lyon's 5
    fo.refresh_from_db()
    assert (fo.status, fo.failure_code) == ("declined", "not_found")
    assert stock(polo, network["lyon"]) == (0, 0) and finder(polo, "ST-LYON") == 0
    assert network_availability(sku_codes=[polo.code])[polo.code].network == before - 4
    assert CountTask.objects.filter(location=network["lyon"], sku=polo, status="open").count() == 1
    assert all(f.location.code != "ST-LYON" for f in fulfilment_orders(order)[1:])  # never back
    assert order.lines.get().open_quantity == 1  # rerouted or waiting, never lost


def test_the_write_off_and_the_reroute_commit_together(place, network, polo, lea):
    order, fo = lyon_ship_order(place, 1)
    down = mock.patch("orders.services.fulfilment.lines_source", side_effect=RuntimeError("sourcing down"))
    with down, pytest.raises(RuntimeError):
        services.fulfilment_order_decline(fulfilment_order=fo, reason="not_found", trace=Trace.of(lea))
    assert stock(polo, network["lyon"]) == (5, 1) and finder(polo, "ST-LYON") == 4
    assert not CountTask.objects.exists() and not StockMovement.objects.filter(kind="adjustment").exists()


def test_a_second_rejection_keeps_one_count_waiting(place, network, polo, lea):
    for _ in range(2):
        order = place(lines=[line("POL-PIQ-ROU-L", 1, "pickup_in_store", "ST-LYON")])
        [fo] = fulfilment_orders(order)
        services.fulfilment_order_decline(fulfilment_order=fo, reason="damaged", trace=Trace.of(lea))
    assert StockMovement.objects.filter(kind="adjustment", reason="damaged").count() == 2
    assert CountTask.objects.filter(sku=polo, location=network["lyon"], status="open").count() == 1


def test_reasons_are_codes_rendered_in_the_readers_language(place, network, polo, lea):
    order, fo = lyon_ship_order(place, 1)
    services.fulfilment_order_decline(
        fulfilment_order=fo, reason="damaged", note="tache", trace=Trace.of(lea)
    )
    fo.refresh_from_db()
    assert (fo.failure_code, fo.failure_reason) == ("damaged", "tache")
    with translation.override("en"):
        assert fo.failure_text == "Item damaged — tache"
    with translation.override("fr"):
        assert fo.failure_text == "Article abîmé — tache"
        assert str(RejectionReason.NOT_FOUND.label) == "Introuvable en rayon"


def test_the_api_takes_coded_reasons_and_records_the_client(place, network, polo, api_as):
    from tests.factories import api_client_named

    client = api_as(api_client_named("lyon-till", profile="store_system", location=network["lyon"]).user)
    order, fo = lyon_ship_order(place, 2)
    url = f"/api/v1/fulfilment-orders/{fo.number}/picks/"
    missing = client.post(url, {"lines": [{"line": 1, "picked": 1}]}, format="json")
    assert missing.status_code == 400 and missing.json()["errors"]["reason"]
    done = client.post(
        url,
        {"lines": [{"line": 1, "picked": 1}], "reason": "not_found", "note": "rayon vide"},
        format="json",
        headers={"Accept-Language": "fr"},
    )
    assert done.status_code == 200, done.json()
    assert stock(polo, network["lyon"]) == (1, 1)
    movement = StockMovement.objects.get(kind="adjustment")
    assert "lyon-till" in movement.api_client.name and movement.reason == "not_found"


def test_the_store_counts_and_settles_the_stock(client, place, network, polo, lea, paris_associate):
    order, fo = lyon_ship_order(place, 2)
    services.fulfilment_order_record_picks(
        fulfilment_order=fo, picked={1: 1}, reason="not_found", trace=Trace.of(lea)
    )
    task = CountTask.objects.get()
    client.force_login(lea)
    page = client.get("/store/counts/").content.decode()
    assert "POL-PIQ-ROU-L" in page and "Not found on the shelf" in page

    # fewer than are held for customers is refused, and changes nothing
    refused = client.post(f"/store/counts/{task.pk}/", {"counted": "0"}, follow=True)
    assert "reserved" in refused.content.decode() and stock(polo, network["lyon"]) == (1, 1)
    # the stockroom had 3 more: the store's stock and its finder count follow
    client.post(f"/store/counts/{task.pk}/", {"counted": "4"})
    assert stock(polo, network["lyon"]) == (4, 1) and finder(polo, "ST-LYON") == 3
    task.refresh_from_db()
    assert (task.status, task.counted, task.counted_by, task.on_hand_before) == ("counted", 4, lea, 1)
    count = StockMovement.objects.get(kind="cycle_count")
    assert (count.on_hand_delta, count.reason, count.actor) == (3, "count", lea)
    assert "Nothing to count" in client.get("/store/counts/").content.decode()
    again = client.post(f"/store/counts/{task.pk}/", {"counted": "4"}, follow=True)
    assert "already" in again.content.decode()
    assert_ledger_matches_stock()

    # another store's associate cannot see or settle it
    client.force_login(paris_associate)
    assert client.post(f"/store/counts/{task.pk}/", {"counted": "9"}).status_code == 404


def test_the_store_pages_offer_coded_reasons(client, place, network, polo, lea):
    order, fo = lyon_ship_order(place, 1)
    client.force_login(lea)
    page = client.get(f"/store/work/{fo.number}/").content.decode()
    assert 'value="not_found"' in page and 'value="damaged"' in page
    client.post(f"/store/work/{fo.number}/decline/", {"reason": "not_found", "note": ""})
    assert stock(polo, network["lyon"]) == (0, 0)
    assert "Not found on the shelf" in client.get(f"/store/work/{fo.number}/").content.decode()
    assert client.post(f"/store/work/{fo.number}/decline/", {"reason": "lost"}).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_a_not_found_pick_racing_reservations_never_oversells(place, network, polo, lea):
    # given Lyon holds 40 polos, one reserved for a click & collect order
    inventory.stock_receive(sku=polo, location=network["lyon"], quantity=35, trace=Trace())
    order = place(lines=[line("POL-PIQ-ROU-L", 1, "pickup_in_store", "ST-LYON")])
    [fo] = fulfilment_orders(order)
    lyon = network["lyon"]
    associate = StoreAssociateFactory(username="racer", store=lyon)

    # when the associate finds nothing while 8 tills each try to reserve one, ten times over
    def attempt(i):
        if i == 0:
            return services.fulfilment_order_record_picks(
                fulfilment_order=fo, picked={1: 0}, reason="not_found", trace=Trace.of(associate)
            )
        tries = []
        for n in range(10):
            time.sleep(0.002)
            try:
                tries.append(
                    inventory.stock_reserve(
                        sku=polo, location=lyon, quantity=1, holder_type="pos_basket",
                        holder_ref=f"till-{i}-{n}", trace=Trace(),
                    )
                )  # fmt: skip
            except inventory.InsufficientStock as refused:
                tries.append(refused)
        return tries

    outcomes = race(9, attempt)

    # then the pick went through; the tills that won hold exactly what Lyon still has
    assert not isinstance(outcomes[0], Exception), outcomes[0]
    tries = [t for o in outcomes[1:] for t in o]
    won = [t for t in tries if isinstance(t, Reservation)]
    assert len(tries) == 80 and all(isinstance(t, Reservation | inventory.InsufficientStock) for t in tries)
    assert len(won) <= 39  # the units nobody held before the pick, at most; the rest refused
    assert len(won) < len(tries)
    on_hand, reserved = stock(polo, lyon)
    held = sum(r.quantity for r in Reservation.objects.filter(location=lyon, sku=polo, status="active"))
    assert on_hand == reserved == held == len(won) and on_hand >= 0
    assert finder(polo, "ST-LYON") == 0
    assert CountTask.objects.filter(location=lyon, sku=polo, status="open").count() == 1
    assert_ledger_matches_stock()


def test_head_office_follows_the_counts_in_the_admin(client, place, network, polo, lea, head_office):
    _order, fo = lyon_ship_order(place, 1)
    services.fulfilment_order_decline(fulfilment_order=fo, reason="not_found", trace=Trace.of(lea))
    head_office.is_superuser = True  # as the demo's siege: the admin is head office's
    head_office.save()
    client.force_login(head_office)
    page = client.get("/admin/inventory/counttask/")
    assert page.status_code == 200 and "POL-PIQ-ROU-L" in page.content.decode()
