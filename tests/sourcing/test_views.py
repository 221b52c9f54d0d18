"""Sourcing pages: decisions on the order page, dry run, backorder queue, by role."""

import pytest

from omni.trace import Trace
from sourcing.models import SourcingRun

from .conftest import line

pytestmark = pytest.mark.django_db


def test_order_decisions_show_candidates_scores_and_reasons(client, call_centre, place, network):
    order = place(lines=[line("CHE-OXF-BLE-M", 2)])
    client.force_login(call_centre)
    page = client.get(f"/orders/{order.number}/decisions/").content.decode()
    assert f"{order.number}-1" in page and "Entrepôt national" in page
    assert "Standard: fewest parcels" in page and "excluded" in page and "Distance" in page


def test_store_associates_do_not_see_decisions(client, lyon_associate, place, network):
    order = place(lines=[line("CHE-OXF-BLE-M", 1, "pickup_in_store", "ST-LYON")])
    client.force_login(lyon_associate)
    assert client.get(f"/orders/{order.number}/decisions/").status_code == 403


def test_dry_run_a_basket_reserves_nothing(client, head_office, network):
    client.force_login(head_office)
    response = client.get(
        "/sourcing/dry-run/",
        {"basket": "CHE-OXF-BLE-M 2\nJEA-SLI-IND-42 1", "delivery_method": "ship_to_address", "postcode": "13001", "channel": "web"},
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200 and "Fallback" in page and "Entrepôt national" in page
    assert not SourcingRun.objects.exists()
    from inventory.models import StockLevel

    assert sum(level.reserved for level in StockLevel.objects.all()) == 0


def test_dry_run_an_existing_order(client, head_office, place, network):
    order = place(lines=[line("CHE-OXF-BLE-M", 1)])
    client.force_login(head_office)
    page = client.get(
        "/sourcing/dry-run/", {"order": order.number, "channel": "web"}, follow=True
    ).content.decode()
    assert order.number in page and 'data-testid="explanation"' in page
    assert SourcingRun.objects.count() == 1  # only the real one


def test_dry_run_bad_basket_shows_the_error(client, head_office, network):
    client.force_login(head_office)
    page = client.get(
        "/sourcing/dry-run/", {"basket": "NOPE 1", "postcode": "69002", "channel": "web"}
    ).content.decode()
    assert 'class="errorlist' in page and "NOPE" in page
    assert not SourcingRun.objects.exists()
    # the same through htmx ("Simulate"): the errors come back in the results, not an empty answer
    fragment = client.get(
        "/sourcing/dry-run/",
        {"basket": "NOPE 1", "postcode": "69002", "channel": "web"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert 'data-testid="dry-run-errors"' in fragment and "NOPE" in fragment and "<html" not in fragment


def test_backorder_queue_and_source_again(client, call_centre, place, network, head_office):
    from inventory import services as inventory
    from tests.factories import SKUFactory

    coat = SKUFactory(code="MAN-LAI-GRI", name="Manteau laine gris")
    order = place(lines=[line("MAN-LAI-GRI")])
    client.force_login(call_centre)
    assert order.number in client.get("/orders/backorders/").content.decode()
    inventory.stock_receive(
        sku=coat, location=network["warehouse"], quantity=3, trace=Trace(actor=head_office)
    )
    response = client.post(f"/orders/{order.number}/source-again/")
    assert response.status_code == 302
    assert order.lines.get().status == "allocated"
    assert 'data-testid="backorders"' in (page := client.get("/orders/backorders/").content.decode())
    assert f">{order.number}</a>" not in page
