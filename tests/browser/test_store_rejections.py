"""On a phone: an associate declines a click & collect because the shelf is empty, the store's
stock follows at once, and the count page settles it; the queue shows pickups going back to
the shelf."""

import datetime

import pytest
from django.utils import timezone

from inventory import services as inventory
from inventory.models import CountTask, StockLevel
from omni.trace import Trace
from orders import services
from orders.models import FulfilmentOrder
from tests.browser.conftest import sign_in
from tests.browser.test_store import lea, place  # noqa: F401 - the fixture, requested by name
from tests.factories import SKUFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_not_found_then_counted(phone, live_server, lea, lyon, screenshot):  # noqa: F811
    polo = SKUFactory(code="POL-PIQ-ROU-L", name="Polo piqué rouge", size="L", category="Hauts")
    inventory.stock_receive(sku=polo, location=lyon, quantity=5, trace=Trace(note="stock"))
    order = place(
        [
            {
                "sku": polo.code,
                "quantity": 1,
                "delivery": {"method": "pickup_in_store", "pickup_location": "ST-LYON"},
            }
        ]
    )
    fo = order.fulfilment_orders.get()

    sign_in(phone, live_server, "lea")
    phone.goto(f"{live_server.url}/store/work/{fo.number}/")
    phone.click("text=Refuser cette commande")
    phone.select_option("select[name=reason]", "not_found")
    screenshot(phone, "rejections-1-decline-not-found")
    phone.click("[data-testid=decline]")
    phone.wait_for_load_state("networkidle")
    level = StockLevel.objects.get(sku=polo, location=lyon)
    assert (level.on_hand, level.reserved) == (0, 0)

    phone.click("[data-testid=counts-link]")
    phone.locator(f"[data-testid=count-{polo.code}]").wait_for()
    assert "Introuvable en rayon" in phone.inner_text("main")
    screenshot(phone, "rejections-2-count-to-do")
    phone.fill(f"[data-testid=counted-{polo.code}]", "2")
    phone.click(f"[data-testid=settle-{polo.code}]")
    phone.wait_for_load_state("networkidle")
    assert "Rien à compter" in phone.inner_text("main")
    screenshot(phone, "rejections-3-counted")
    assert StockLevel.objects.get(sku=polo, location=lyon).on_hand == 2
    assert CountTask.objects.get().status == "counted"


def test_the_queue_shows_pickups_going_back_to_the_shelf(phone, live_server, lea, lyon, screenshot):  # noqa: F811
    polo = SKUFactory(code="POL-PIQ-ROU-L", name="Polo piqué rouge", size="L", category="Hauts")
    inventory.stock_receive(sku=polo, location=lyon, quantity=5, trace=Trace(note="stock"))
    waiting = []
    for _ in range(2):
        order = place(
            [
                {
                    "sku": polo.code,
                    "quantity": 1,
                    "delivery": {"method": "pickup_in_store", "pickup_location": "ST-LYON"},
                }
            ]
        )
        fo = order.fulfilment_orders.get()
        services.fulfilment_order_make_ready(fulfilment_order=fo, trace=Trace(note="test"))
        waiting.append(fo)
    # both have waited ten days: one is cancelled by the sweep, the other is due by tonight
    now = timezone.now()
    FulfilmentOrder.objects.filter(pk=waiting[0].pk).update(
        ready_at=now - datetime.timedelta(days=10, minutes=5)
    )
    services.pickups_uncollected_sweep(now=now)
    ends_today = timezone.localtime(now).replace(hour=23, minute=50) - datetime.timedelta(days=10)
    if ends_today > now - datetime.timedelta(days=10):
        FulfilmentOrder.objects.filter(pk=waiting[1].pk).update(ready_at=ends_today)

    sign_in(phone, live_server, "lea")
    phone.goto(f"{live_server.url}/store/")
    phone.locator("[data-testid=back-to-shelf]").wait_for()
    assert "Non retirées : à remettre en rayon aujourd'hui" in phone.inner_text("main")
    phone.locator("[data-testid=back-to-shelf]").scroll_into_view_if_needed()
    screenshot(phone, "rejections-4-queue-back-to-shelf")
