"""The orders list: sort, filter by location and by late work, search by postcode, export CSV."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import FulfilmentOrder, Order

pytestmark = pytest.mark.django_db

HOME = {"sku": "CHE-OXF-BLE-M", "quantity": 1, "delivery": {"method": "ship_to_address"}}
LYON_PICKUP = {"sku": "CHE-OXF-BLE-M", "quantity": 1, "delivery": {"method": "pickup_in_store", "pickup_location": "ST-LYON"}}  # fmt: skip


@pytest.fixture
def agent(client, call_centre):
    client.force_login(call_centre)
    return client


def listed(response) -> list[str]:
    return [order.number for order in response.context["orders"]]


@pytest.fixture
def three(place, network):
    """Three orders of different totals and statuses, placed one after the other."""
    cheap = place(lines=[HOME])
    dear = place(lines=[{**HOME, "quantity": 3}])
    middle = place(lines=[{**HOME, "quantity": 2}])
    Order.objects.filter(pk=dear.pk).update(status=Order.Status.CANCELLED)
    return cheap, dear, middle


def test_sorted_by_total_both_ways_and_newest_first_by_default(agent, three):
    cheap, dear, middle = three
    assert listed(agent.get("/orders/")) == [middle.number, dear.number, cheap.number]
    assert listed(agent.get("/orders/", {"sort": "total"})) == [cheap.number, middle.number, dear.number]
    assert listed(agent.get("/orders/", {"sort": "-total"})) == [dear.number, middle.number, cheap.number]
    assert listed(agent.get("/orders/", {"sort": "placed"})) == [cheap.number, dear.number, middle.number]


def test_status_sorts_in_the_order_of_an_orders_life(agent, three):
    cheap, dear, middle = three
    numbers = listed(agent.get("/orders/", {"sort": "-status"}))
    assert numbers[0] == dear.number  # cancelled comes after every open status


@pytest.mark.parametrize("sort", ["placed_at; drop table", "--total", "customer__email", ""])
def test_a_sort_the_list_does_not_offer_is_newest_first(agent, three, sort):
    cheap, dear, middle = three
    response = agent.get("/orders/", {"sort": sort})
    assert response.status_code == 200 and listed(response) == [middle.number, dear.number, cheap.number]
    assert response.context["sort"] == "-placed"


def test_headings_link_to_the_reverse_sort_keeping_the_filters(agent, three):
    text = agent.get(
        "/orders/", {"sort": "total", "channel": "web"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert 'aria-sort="ascending" data-testid="sort-total"' in text
    assert "?sort=-total&amp;channel=web" in text or "?channel=web&amp;sort=-total" in text


def test_a_heading_click_answers_the_results_only_and_varies_on_htmx(agent, three):
    response = agent.get("/orders/", {"sort": "total"}, HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode() and "HX-Request" in response["Vary"]
    assert "<html" in agent.get("/orders/", {"sort": "total"}).content.decode()


def test_filter_by_store_keeps_orders_picked_up_or_prepared_there(agent, place, network):
    pickup = place(lines=[LYON_PICKUP])
    home = place(lines=[HOME])
    at_lyon = listed(agent.get("/orders/", {"store": "ST-LYON"}))
    assert pickup.number in at_lyon and home.number not in at_lyon
    assert listed(agent.get("/orders/", {"store": "ST-MARS"})) == []


def test_search_by_the_shipping_postcode(agent, place, network):
    lyon = place(lines=[HOME])
    paris = place(
        shipping_address={
            "name": "Paul Durand",
            "line1": "1 rue de Rivoli",
            "postcode": "75001",
            "city": "Paris",
            "country": "FR",
        },  # fmt: skip
        customer={"email": "paul.durand@example.fr", "first_name": "Paul", "last_name": "Durand"},
        lines=[HOME],
    )
    found = listed(agent.get("/orders/", {"q": "75001"}))
    assert paris.number in found and lyon.number not in found


def test_late_and_at_risk_work_by_store(agent, place, network, stock, shirt):
    stock(shirt, network["lyon"], 10)  # all three prepared in Lyon
    late = place(lines=[LYON_PICKUP])
    soon = place(lines=[LYON_PICKUP])
    calm = place(lines=[LYON_PICKUP])
    now = timezone.now()
    FulfilmentOrder.objects.filter(order=late).update(due_at=now - datetime.timedelta(minutes=5))
    FulfilmentOrder.objects.filter(order=soon).update(due_at=now + datetime.timedelta(minutes=10))
    FulfilmentOrder.objects.filter(order=calm).update(due_at=now + datetime.timedelta(hours=5))
    assert listed(agent.get("/orders/", {"store": "ST-LYON", "work": "late"})) == [late.number]
    assert listed(agent.get("/orders/", {"store": "ST-LYON", "work": "at_risk"})) == [soon.number]
    assert listed(agent.get("/orders/", {"store": "ST-PARIS", "work": "late"})) == []
    # work on hold is off the store's screens, so neither late nor at risk
    FulfilmentOrder.objects.filter(order=late).update(held_since=now)
    assert listed(agent.get("/orders/", {"work": "late"})) == []


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


def test_export_is_the_filtered_list_whole_for_excel_in_french(agent, place, network):
    for _ in range(52):  # more than one page: the export has them all
        place(lines=[HOME])
    other = place(
        channel="call_centre",
        customer={"email": "=cmd@example.fr", "first_name": "=Paul", "last_name": "Durand"},
        lines=[HOME],
    )
    response = agent.get(
        "/orders/export.csv", {"channel": "web", "sort": "total", "page": 2}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="orders-')
    rows = read_csv(response)
    heading, lines = rows[0], rows[1:]
    assert heading[:4] == ["Commande", "Passée le", "Canal", "Statut"]
    assert len(lines) == 52 and other.number not in {line[0] for line in lines}
    first = Order.objects.get(number=lines[0][0])
    assert lines[0][heading.index("Total")] == f"{first.total:.2f}".replace(".", ",")
    assert Decimal(lines[0][heading.index("Total")].replace(",", ".")) == first.total


def test_export_keeps_a_formula_as_text_and_reads_english(agent, place, network):
    place(customer={"email": "paul@example.fr", "first_name": "=HYPERLINK(1)", "last_name": ""}, lines=[HOME])
    rows = read_csv(agent.get("/orders/export.csv", HTTP_ACCEPT_LANGUAGE="en"))
    assert rows[0][:4] == ["Order", "Placed", "Channel", "Status"]
    assert rows[1][rows[0].index("Customer")] == "'=HYPERLINK(1)"


def test_a_store_associate_exports_only_what_they_may_see(client, place, network, lyon_associate):
    mine = place(lines=[LYON_PICKUP])
    other = place(
        lines=[{**LYON_PICKUP, "delivery": {"method": "pickup_in_store", "pickup_location": "ST-PARIS"}}]
    )
    client.force_login(lyon_associate)
    numbers = {row[0] for row in read_csv(client.get("/orders/export.csv"))[1:]}
    assert mine.number in numbers and other.number not in numbers
