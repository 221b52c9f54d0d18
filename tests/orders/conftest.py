import datetime
from decimal import Decimal

import pytest

from inventory import services as inventory
from inventory.models import Location
from omni.trace import Trace
from tests.factories import LocationFactory, SKUFactory


@pytest.fixture
def warehouse():
    return LocationFactory(
        code="WH-NAT",
        name="Entrepôt national",
        kind=Location.Kind.WAREHOUSE,
        postcode="69400",
        city="Villefranche",
        latitude=Decimal("45.989"),
        longitude=Decimal("4.718"),
        is_pickup_point=False,
        receives_ship_to_store=False,
        sends_transfers=True,
    )


@pytest.fixture
def marseille():
    return LocationFactory(
        code="ST-MARS",
        name="Marseille Vieux-Port",
        postcode="13001",
        city="Marseille",
        latitude=Decimal("43.2965"),
        longitude=Decimal("5.3698"),
        receives_ship_to_store=True,
    )


@pytest.fixture
def shirt():
    return SKUFactory(code="CHE-OXF-BLE-M", name="Chemise Oxford bleu M", price=Decimal("49.90"))


@pytest.fixture
def jeans():
    return SKUFactory(code="JEA-SLI-IND-42", name="Jean slim indigo 42", price=Decimal("79.00"))


@pytest.fixture
def stock(head_office):
    def _stock(sku, location, on_hand: int):
        return inventory.stock_receive(
            sku=sku,
            location=location,
            quantity=on_hand,
            trace=Trace(actor=head_office, reference="setup"),
        )

    return _stock


@pytest.fixture
def network(lyon, paris, marseille, warehouse, shirt, jeans, stock):
    """Shirts in Lyon (3), Paris (1) and the warehouse (20); jeans in the warehouse only (5).
    The default sourcing profile keeps a store's last unit for walk-in customers."""
    lyon.receives_ship_to_store = True
    lyon.save()
    stock(shirt, lyon, 3)
    stock(shirt, paris, 1)
    stock(shirt, warehouse, 20)
    stock(jeans, warehouse, 5)
    return {"lyon": lyon, "paris": paris, "marseille": marseille, "warehouse": warehouse}


ADDRESS = {
    "name": "Léa Martin",
    "line1": "12 rue Mercière",
    "postcode": "69002",
    "city": "Lyon",
    "country": "FR",
}


def order_payload(**overrides) -> dict:
    """A valid web order: one shirt delivered home in Lyon, paid by card."""
    payload = {
        "channel": "web",
        "external_reference": "WEB-1001",
        "customer": {"email": "lea.martin@example.fr", "phone": "06 12 34 56 78", "first_name": "Léa",
                     "last_name": "Martin", "language": "fr"},
        "billing_address": dict(ADDRESS),
        "shipping_address": dict(ADDRESS),
        "lines": [{"sku": "CHE-OXF-BLE-M", "quantity": 1, "delivery": {"method": "ship_to_address"}}],
        "payments": [{"method": "card", "reference": "AUTH-42", "amount": "500.00"}],
    }  # fmt: skip
    payload.update(overrides)
    return payload


def service_lines(payload: dict) -> list[dict]:
    from orders.api import line_request

    return [line_request(line) for line in payload["lines"]]


@pytest.fixture
def place(head_office):
    """place(**payload overrides) -> an order placed through the service by the call centre."""
    from omni.trace import Trace
    from orders import services

    def _place(trace=None, **overrides):
        payload = order_payload(**overrides)
        order, _ = services.order_place(
            channel=payload["channel"],
            customer=payload["customer"],
            billing_address=payload["billing_address"],
            shipping_address=payload.get("shipping_address"),
            lines=service_lines(payload),
            payments=payload.get("payments"),
            trace=trace or Trace(actor=head_office, channel="call_centre"),
        )
        return order

    return _place


def tomorrow() -> datetime.date:
    return datetime.date.today() + datetime.timedelta(days=1)


@pytest.fixture
def vendor():
    return LocationFactory(
        code="DS-MAISON",
        name="Maison du Linge (vendor)",
        kind=Location.Kind.DROP_SHIP_VENDOR,
        postcode="59100",
        city="Roubaix",
        latitude=Decimal("50.690"),
        longitude=Decimal("3.181"),
        is_pickup_point=False,
        hours=[],
        order_cutoff_time=None,
    )


@pytest.fixture
def towel(vendor, stock):  # noqa: F811 - the imported fixture, requested by name
    sku = SKUFactory(code="SER-BAI-BLA", name="Serviette de bain blanche", price=Decimal("19.90"))
    stock(sku, vendor, 50)
    return sku


@pytest.fixture
def system():
    return Trace(note="test")


def line(sku: str, quantity: int = 1, method: str = "ship_to_address", pickup: str = "") -> dict:
    delivery = {"method": method}
    if pickup:
        delivery["pickup_location"] = pickup
    return {"sku": sku, "quantity": quantity, "delivery": delivery}


def fulfilment_orders(order):
    return list(order.fulfilment_orders.select_related("location").order_by("pk"))


def entry_post(client, data: dict, **extra):
    """The call centre's order form as an agent uses it: post it (the page reads the order
    back), then confirm what was read back. Returns the last answer."""
    first = {key: value for key, value in data.items() if key != "confirm"}
    review = client.post("/orders/new/", first, **extra)
    context = review.context
    if review.status_code != 200 or context is None or "entry_digest" not in context:
        return review  # refused before the read-back (a form error)
    confirm = {
        **first,
        "confirm": "1",
        "entry_key": context["entry_key"],
        "entry_digest": context["entry_digest"],
    }
    return client.post("/orders/new/", confirm, **extra)
