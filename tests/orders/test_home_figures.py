"""Head office's home: today's figures, each linking to the list that shows it."""

import datetime

import pytest
from django.utils import timezone

from inventory.models import CountTask, StockLevel
from orders.models import FulfilmentOrder, Notification, Order, OrderLine

pytestmark = pytest.mark.django_db

HOME = {"sku": "CHE-OXF-BLE-M", "quantity": 1, "delivery": {"method": "ship_to_address"}}
LYON_PICKUP = {"sku": "CHE-OXF-BLE-M", "quantity": 1, "delivery": {"method": "pickup_in_store", "pickup_location": "ST-LYON"}}  # fmt: skip


@pytest.fixture
def siege(client, head_office):
    client.force_login(head_office)
    return client


def listed(client, url) -> list[str]:
    return [order.number for order in client.get(url).context["orders"]]


def test_orders_today_by_channel_link_to_the_list_that_counts_them(siege, place, network):
    web = [place(lines=[HOME]) for _ in range(2)]
    phone = place(channel="call_centre", lines=[{**HOME, "quantity": 2}])
    yesterday = place(lines=[HOME])
    Order.objects.filter(pk=yesterday.pk).update(placed_at=timezone.now() - datetime.timedelta(days=1))
    response = siege.get("/", HTTP_ACCEPT_LANGUAGE="en")
    rows = {row["channel"]: row for row in response.context["by_channel"]}
    assert rows["web"]["count"] == 2 and rows["web"]["value"] == sum(o.total for o in web)
    assert rows["call_centre"]["count"] == 1 and rows["call_centre"]["value"] == phone.total
    assert all(row["count"] == 0 for channel, row in rows.items() if channel not in ("web", "call_centre"))
    bar = max(rows.values(), key=lambda row: row["value"])
    assert bar["pct"] == 100
    day = timezone.localdate().isoformat()
    link = f"/orders/?channel=web&placed_from={day}&placed_to={day}"
    text = response.content.decode()
    assert link.replace("&", "&amp;") in text and "3 orders placed" in text
    assert sorted(listed(siege, link)) == sorted(o.number for o in web)


def test_late_and_at_risk_work_per_location_links_to_those_orders(siege, place, network, stock, shirt):
    stock(shirt, network["lyon"], 10)
    late, soon = place(lines=[LYON_PICKUP]), place(lines=[LYON_PICKUP])
    now = timezone.now()
    FulfilmentOrder.objects.filter(order=late).update(due_at=now - datetime.timedelta(hours=1))
    FulfilmentOrder.objects.filter(order=soon).update(due_at=now + datetime.timedelta(minutes=20))
    response = siege.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    (row,) = response.context["work"]
    assert row["location"].code == "ST-LYON" and row["late"] == 1 and row["at_risk"] == 1
    text = response.content.decode()
    assert "/orders/?store=ST-LYON&amp;work=late" in text and "En retard" in text
    assert listed(siege, "/orders/?store=ST-LYON&work=late") == [late.number]
    assert listed(siege, "/orders/?store=ST-LYON&work=at_risk") == [soon.number]


def test_backorders_stock_alerts_and_emails_given_up(siege, place, network, shirt, jeans):
    order = place(lines=[HOME])
    OrderLine.objects.filter(order=order).update(qty_backordered=1, qty_allocated=0)
    StockLevel.objects.filter(sku=jeans).update(reserved=5)  # the network's five jeans all held
    CountTask.objects.create(sku=shirt, location=network["lyon"], reason="not_found")
    Notification.objects.filter(event__order=order).update(attempts=Notification.MAX_ATTEMPTS)
    response = siege.get("/", HTTP_ACCEPT_LANGUAGE="en")
    context = response.context
    assert context["backorders"]["lines"] == 1 and context["backorders"]["oldest"] == order.placed_at
    assert context["stock_alerts"] == {"nothing_to_promise": 1, "being_counted": 1, "count_tasks_open": 1}
    assert context["emails_failed"] == Notification.objects.filter(event__order=order).count() >= 1
    text = response.content.decode()
    for link in ("/orders/backorders/", "/stock/?alert=nothing_to_promise", "/stock/?alert=being_counted",
                 "/orders/outbox/?state=failed"):  # fmt: skip
        assert f'href="{link}"' in text
    # the lists behind them show the same SKUs
    short = siege.get("/stock/", {"alert": "nothing_to_promise"}, HTTP_ACCEPT_LANGUAGE="en")
    assert [sku.code for sku in short.context["skus"]] == [jeans.code]
    counted = siege.get("/stock/", {"alert": "being_counted"})
    assert [sku.code for sku in counted.context["skus"]] == [shirt.code]


def test_an_unknown_alert_is_an_ordinary_search(siege, network):
    response = siege.get("/stock/", {"alert": "everything"})
    assert response.status_code == 200 and response.context["alert"] == ""


def test_other_roles_do_not_get_head_office_figures(client, call_centre, network):
    client.force_login(call_centre)
    response = client.get("/")
    assert response.status_code == 200 and "by_channel" not in response.context
