"""The pickup code is the customer's proof: the associate types or scans the one presented,
Omni never shows it to the store; wrong codes are counted and lock the handover; a customer
without a code is handed the goods on an identity check with a reason, on the timeline."""

import datetime

import pytest
import time_machine

from orders import services
from orders.models import FulfilmentOrder, OrderEvent
from tests.factories import api_client_named

from .conftest import fulfilment_orders, line

pytestmark = pytest.mark.django_db
FO_URL = "/api/v1/fulfilment-orders/"


def ready(place, system):
    order = place(lines=[line("CHE-OXF-BLE-M", 1, "pickup_in_store", "ST-LYON")])
    [fo] = fulfilment_orders(order)
    services.fulfilment_order_make_ready(fulfilment_order=fo, trace=system)
    fo.refresh_from_db()
    return order, fo


def wrong(fo) -> str:
    return "000000" if fo.pickup_code != "000000" else "111111"


def flash(response) -> str:
    return " ".join(str(m) for m in response.wsgi_request._messages)


def test_wrong_codes_are_counted_and_the_fifth_locks_the_handover(place, network, system):
    order, fo = ready(place, system)
    for tries_left in (4, 3, 2, 1):
        with pytest.raises(services.PickupCodeMismatch) as refused:
            services.fulfilment_order_collect(fulfilment_order=fo, trace=system, pickup_code=wrong(fo))
        assert f"{tries_left} tr" in refused.value.message
    assert FulfilmentOrder.objects.get(pk=fo.pk).pickup_code_failures == 4
    with pytest.raises(services.HandoverLocked):
        services.fulfilment_order_collect(fulfilment_order=fo, trace=system, pickup_code=wrong(fo))
    locked = FulfilmentOrder.objects.get(pk=fo.pk)
    assert locked.pickup_locked_until is not None and locked.status == "ready_for_pickup"
    event = order.events.get(kind=OrderEvent.Kind.PICKUP_LOCKED)
    assert event.data["tries"] == 5 and event.data["fulfilment_order"] == fo.number
    # Locked: even the right code, or an identity check, waits.
    with pytest.raises(services.HandoverLocked):
        services.fulfilment_order_collect(fulfilment_order=fo, trace=system, pickup_code=fo.pickup_code)
    with pytest.raises(services.HandoverLocked):
        services.fulfilment_order_collect(
            fulfilment_order=fo, trace=system, identity_checked="Passport", no_code_reason="message_lost"
        )
    with time_machine.travel(locked.pickup_locked_until + datetime.timedelta(seconds=1)):
        services.fulfilment_order_collect(fulfilment_order=fo, trace=system, pickup_code=fo.pickup_code)
    collected = FulfilmentOrder.objects.get(pk=fo.pk)
    assert collected.status == "collected" and collected.pickup_locked_until is None
    assert collected.collected_at is not None


def test_the_right_code_after_a_wrong_one_hands_over_and_says_so(place, network, system):
    order, fo = ready(place, system)
    with pytest.raises(services.PickupCodeMismatch):
        services.fulfilment_order_collect(fulfilment_order=fo, trace=system, pickup_code=wrong(fo))
    services.fulfilment_order_collect(fulfilment_order=fo, trace=system, pickup_code=fo.pickup_code)
    handover = order.events.get(kind=OrderEvent.Kind.COLLECTED)
    assert handover.data["identity_checked"] == "pickup code" and handover.data["wrong_codes"] == 1
    assert FulfilmentOrder.objects.get(pk=fo.pk).pickup_code_failures == 0


def test_without_a_code_an_identity_check_needs_a_reason(place, network, system):
    order, fo = ready(place, system)
    with pytest.raises(services.HandoverProofRequired):
        services.fulfilment_order_collect(fulfilment_order=fo, trace=system)
    with pytest.raises(services.HandoverProofRequired) as no_reason:
        services.fulfilment_order_collect(fulfilment_order=fo, trace=system, identity_checked="Passport")
    assert no_reason.value.code == "no_code_reason_required"
    with pytest.raises(services.HandoverProofRequired):
        services.fulfilment_order_collect(
            fulfilment_order=fo, trace=system, identity_checked="Passport", no_code_reason="other"
        )
    assert FulfilmentOrder.objects.get(pk=fo.pk).status == "ready_for_pickup"
    services.fulfilment_order_collect(
        fulfilment_order=fo,
        trace=system,
        identity_checked="Passport",
        no_code_reason="other",
        no_code_note="sa fille",
    )
    handover = order.events.get(kind=OrderEvent.Kind.COLLECTED)
    assert handover.data["no_code_reason"] == "other" and handover.data["no_code_note"] == "sa fille"
    assert "without the pickup code" in handover.summary


def test_the_associate_never_sees_the_code_and_types_it(client, lea, place, network, system):
    order, fo = ready(place, system)
    client.force_login(lea)
    pages = [
        client.get(f"/store/work/{fo.number}/"),
        client.get("/store/handover/"),
        client.get("/store/handover/", {"q": "Roux"}),
        client.get("/store/"),
        client.get(f"/orders/{order.number}/"),
        client.get(f"{FO_URL}{fo.number}/"),  # the API, through the associate's session
        client.get(f"/api/v1/orders/{order.number}/"),
    ]
    for page in pages:
        assert page.status_code in (200, 302), page.status_code
        assert fo.pickup_code not in page.content.decode()
    assert client.get(f"{FO_URL}{fo.number}/").json()["pickup_code"] == ""
    timeline = client.get(f"/api/v1/orders/{order.number}/").json()["timeline"]
    assert "ready_for_pickup" in [event["kind"] for event in timeline]

    refused = client.post(f"/store/work/{fo.number}/collect/", {"pickup_code": wrong(fo)})
    assert "4 tries left" in flash(refused) and refused.url == f"/store/work/{fo.number}/"
    work = client.get(f"/store/work/{fo.number}/").content.decode()
    assert 'data-testid="wrong-codes"' in work and "4 tries left" in work
    for _ in range(4):
        client.post(f"/store/work/{fo.number}/collect/", {"pickup_code": wrong(fo)})
    work = client.get(f"/store/work/{fo.number}/").content.decode()
    assert 'data-testid="handover-locked"' in work and 'data-testid="pickup-code-input"' not in work
    locked = client.post(f"/store/work/{fo.number}/collect/", {"pickup_code": fo.pickup_code})
    assert "locked until" in flash(locked)
    assert FulfilmentOrder.objects.get(pk=fo.pk).status == "ready_for_pickup"


def test_the_associate_hands_over_without_a_code_on_an_identity_check(client, lea, place, network, system):
    order, fo = ready(place, system)
    client.force_login(lea)
    url = f"/store/work/{fo.number}/collect-without-code/"
    unconfirmed = client.post(url, {"document": "id_card", "reason": "phone_unavailable"})
    assert FulfilmentOrder.objects.get(pk=fo.pk).status == "ready_for_pickup", flash(unconfirmed)
    no_reason = client.post(url, {"document": "id_card", "identity_confirmed": "on"})
    assert FulfilmentOrder.objects.get(pk=fo.pk).status == "ready_for_pickup", flash(no_reason)
    done = client.post(
        url, {"document": "id_card", "identity_confirmed": "on", "reason": "phone_unavailable"}
    )
    assert done.status_code == 302 and FulfilmentOrder.objects.get(pk=fo.pk).status == "collected"
    handover = order.events.get(kind=OrderEvent.Kind.COLLECTED)
    assert handover.actor == lea and handover.data["identity_checked"] == "Identity card"
    assert handover.data["no_code_reason"] == "phone_unavailable"


def test_the_store_system_is_held_to_the_same_count_even_with_an_idempotency_key(
    place, network, system, api_as
):
    order, fo = ready(place, system)
    till = api_as(api_client_named("lyon-till", profile="store_system", location=network["lyon"]).user)
    for attempt in range(4):
        response = till.post(
            f"{FO_URL}{fo.number}/collect/",
            {"pickup_code": wrong(fo)},
            format="json",
            headers={"Idempotency-Key": f"try-{attempt}"},
        )
        assert response.status_code == 400 and response.json()["code"] == "pickup_code_mismatch"
    assert FulfilmentOrder.objects.get(pk=fo.pk).pickup_code_failures == 4  # kept despite the 400
    fifth = till.post(f"{FO_URL}{fo.number}/collect/", {"pickup_code": wrong(fo)}, format="json")
    assert fifth.status_code == 409 and fifth.json()["code"] == "handover_locked"
    no_reason = till.post(
        f"{FO_URL}{fo.number}/collect/",
        {"identity_check": {"document": "passport", "reference_last4": "7K2Q"}},
        format="json",
    )
    assert no_reason.status_code == 400
    assert order.events.filter(kind=OrderEvent.Kind.PICKUP_LOCKED).count() == 1
