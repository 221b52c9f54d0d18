"""Demo orders: a few weeks of a French retailer's orders from every channel, some changed,
shipped, collected or cancelled — all through the order services, so each has a timeline."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from inventory.models import Location, StockLevel
from omni.trace import Trace
from omni.vocabulary import DeliveryMethod
from orders import services

CUSTOMERS = [
    ("Camille", "Bernard", "Lyon", "69003", "8 cours Gambetta"),
    ("Louis", "Petit", "Paris", "75011", "42 rue Oberkampf"),
    ("Chloé", "Robert", "Marseille", "13006", "15 rue Paradis"),
    ("Jules", "Richard", "Bordeaux", "33000", "3 cours de l'Intendance"),
    ("Inès", "Durand", "Lille", "59000", "21 rue de Béthune"),
    ("Hugo", "Moreau", "Nantes", "44000", "5 rue Crébillon"),
    ("Manon", "Simon", "Toulouse", "31000", "11 rue d'Alsace-Lorraine"),
    ("Lucas", "Laurent", "Strasbourg", "67000", "2 rue des Grandes Arcades"),
    ("Emma", "Lefebvre", "Rennes", "35000", "9 rue Le Bastard"),
    ("Nathan", "Michel", "Nice", "06000", "30 avenue Jean Médecin"),
    ("Léna", "Garcia", "Montpellier", "34000", "6 rue de la Loge"),
    ("Gabriel", "David", "Grenoble", "38000", "14 rue Félix Poulat"),
]
CHANNELS = ["web"] * 6 + ["call_centre"] * 2 + ["store", "marketplace", "social"]


ORDER_COUNT = 40
STORE_WORK_LOCATION = "ST-LYON-REP"


def order_keys() -> list[str]:
    """The idempotency keys of the demo orders: each order is placed once, under its key."""
    return [f"demo-order-{n}" for n in range(ORDER_COUNT)]


def store_work_keys() -> list[str]:
    """A click & collect from the store's shelf, then one from the warehouse, then one the
    associate declined because the shelf was empty (the store has a count to do), then a
    parcel the store sends to a relay point (with the customer's requested date, slot and
    instructions, and its delivery fee)."""
    return ["demo-store-work-0", "demo-store-work-1", "demo-store-work-2", "demo-store-work-relay"]


RELAY_POINT = {"id": "MR-069123", "name": "Tabac de la Place", "carrier": "Mondial Relay",
               "line1": "4 place des Terreaux", "postcode": "69001", "city": "Lyon"}  # fmt: skip


def seed_orders(*, keys: set[str], write=None) -> int:
    """Place the demo orders whose key is in ``keys``; each order and its later life (shipped,
    cancelled, held…) in one transaction, so an interrupted run leaves whole orders only."""
    client = User.objects.get(username="api.webshop")
    agent = User.objects.get(username="conseil")
    stores = list(
        Location.objects.filter(kind="store", is_pickup_point=True, is_active=True).order_by("code")
    )
    skus = list(
        StockLevel.objects.filter(location__kind="warehouse", on_hand__gt=F("reserved") + 5)
        .values_list("sku__code", flat=True)
        .distinct()
        .order_by("sku__code")[:400]
    )
    todo = [(n, key) for n, key in enumerate(order_keys()) if key in keys]
    created_count = 0
    for done, (n, key) in enumerate(todo, 1):
        rng = random.Random(key)  # each order its own draw: the same whichever others exist
        first, last, city, postcode, street = CUSTOMERS[n % len(CUSTOMERS)]
        channel = rng.choice(CHANNELS)
        address = {"name": f"{first} {last}", "line1": street, "postcode": postcode, "city": city}
        pickup = rng.choice(stores)
        lines = []
        for sku in rng.sample(skus, rng.randint(1, 3)):
            method = rng.choice([DeliveryMethod.SHIP_TO_ADDRESS] * 3 + [DeliveryMethod.PICKUP_IN_STORE] * 2)
            lines.append(
                {
                    "sku": sku,
                    "quantity": rng.choice([1, 1, 1, 2]),
                    "delivery_method": method,
                    "pickup_location": pickup.code if method == DeliveryMethod.PICKUP_IN_STORE else "",
                }
            )
        email = f"{first}.{last}@example.fr".lower().replace("é", "e").replace("è", "e").replace("ï", "i")
        with transaction.atomic():
            order, created = services.order_place(
                channel=channel,
                external_reference=f"{channel.upper()[:3]}-{20260 + n}",
                customer={"email": email, "phone": f"06 {10 + n % 12:02d} 2{n % 10} 4{n % 7} 5{n % 9}", "first_name": first,
                          "last_name": last, "language": "fr"},
                shipping_address=address,
                lines=lines,
                payments=[{"method": "card", "reference": f"AUTH-{700000 + n}"}],
                trace=Trace(actor=client if channel != "call_centre" else agent, channel=channel if channel != "web" else "web"),
                idempotency_key=key,
                request_hash=key,
            )  # fmt: skip
            if created:
                created_count += 1
                _progress(order, n, agent, client)
        if write and (done % 10 == 0 or done == len(todo)):
            write(f"  orders: {done}/{len(todo)}")
    return created_count


def _progress(order, n: int, agent, client) -> None:
    """Move some orders along their life, as the weeks would have."""
    fate = n % 8
    staff = Trace(actor=client, channel="integration")
    # Goods move only through their fulfilment orders, so the order and the stores agree.
    work = order.fulfilment_orders.filter(status="created").order_by("pk").first()
    if fate == 1 and work is not None and not work.is_pickup:
        services.fulfilment_order_ship(fulfilment_order=work, trace=staff, carrier="Colissimo",
                                       tracking_number=f"6A{31000000 + n}")  # fmt: skip
    elif fate == 2 and work is not None and work.mode == "pickup":
        services.fulfilment_order_make_ready(fulfilment_order=work, trace=staff)
    elif fate == 3:
        services.order_cancel(
            order=order, trace=Trace(actor=agent, channel="call_centre", note="le client a changé d'avis")
        )
    elif fate == 4:
        services.order_hold(
            order=order, reason="contrôle anti-fraude", trace=Trace(actor=agent, channel="call_centre")
        )


def seed_store_work(*, keys: set[str]) -> int:
    """Work waiting for the demo store associate: a click & collect from the store's shelf and
    one from the warehouse, already on its way (an incoming parcel to receive). Each order and
    its shipment in one transaction."""
    store = Location.objects.filter(code=STORE_WORK_LOCATION).first()
    client = User.objects.get(username="api.webshop")
    if store is None:
        return 0
    on_shelf, not_found = (
        list(
            StockLevel.objects.filter(location=store, on_hand__gt=F("reserved") + F("safety_stock") + 2)
            .values_list("sku__code", flat=True)
            .order_by("sku__code")[:2]
        )
        + [None, None]
    )[:2]
    only_in_warehouse = (
        StockLevel.objects.filter(location__kind="warehouse", on_hand__gt=F("reserved") + 5)
        .exclude(sku_id__in=StockLevel.objects.filter(location=store, on_hand__gt=0).values("sku_id"))
        .values_list("sku__code", flat=True)
        .order_by("sku__code")
        .first()
    )
    placed = _relay_work(store, client) if "demo-store-work-relay" in keys else 0
    associate = User.objects.filter(username="vendeur.lyon").first()
    skus = (on_shelf, only_in_warehouse, not_found)
    for n, (key, sku) in enumerate(zip(store_work_keys()[:3], skus, strict=True)):
        if key not in keys or not sku:
            continue
        first, last, city, postcode, street = CUSTOMERS[n]
        with transaction.atomic():
            order, created = services.order_place(
                channel="web",
                external_reference=f"WEB-CC-{n + 1}",
                customer={"email": f"{first}.{last}.cc@example.fr".lower().replace("é", "e"), "first_name": first,
                          "last_name": last, "language": "fr"},
                shipping_address={"name": f"{first} {last}", "line1": street, "postcode": postcode, "city": city},
                lines=[{"sku": sku, "quantity": 1, "delivery_method": DeliveryMethod.PICKUP_IN_STORE,
                        "pickup_location": store.code}],
                payments=[{"method": "card", "reference": f"AUTH-CC-{n + 1}"}],
                trace=Trace(actor=client, channel="web"),
                idempotency_key=key,
                request_hash=key,
            )  # fmt: skip
            if not created:
                continue
            placed += 1
            for fo in order.fulfilment_orders.filter(mode__in=["ship_to_store", "transfer"]):
                services.fulfilment_order_ship(
                    fulfilment_order=fo,
                    carrier="Navette magasin",
                    tracking_number="",
                    trace=Trace(channel="system"),
                )
            if sku == not_found and associate is not None:
                for fo in order.fulfilment_orders.filter(location=store, status="created"):
                    services.fulfilment_order_decline(
                        fulfilment_order=fo, reason="not_found", note="rayon vide", trace=Trace.of(associate)
                    )
    return placed


def _relay_work(store, client) -> int:
    """A relay-point parcel the store prepares: an article only stores hold (none in the
    warehouses), so sourcing sends the work to the store with the most of it."""
    sku = (
        StockLevel.objects.filter(location=store, on_hand__gt=F("reserved") + F("safety_stock") + 3)
        .exclude(
            sku_id__in=StockLevel.objects.filter(location__kind="warehouse", on_hand__gt=0).values("sku_id")
        )
        .values_list("sku__code", flat=True)
        .order_by("sku__code")
        .first()
    )
    if sku is None:
        return 0
    first, last, city, postcode, street = CUSTOMERS[2]
    with transaction.atomic():
        _order, created = services.order_place(
            channel="web",
            external_reference="WEB-RELAIS-1",
            customer={"email": f"{first}.{last}.relais@example.fr".lower().replace("é", "e"), "first_name": first,
                      "last_name": last, "language": "fr"},
            shipping_address={"name": f"{first} {last}", "line1": street, "postcode": postcode, "city": city},
            lines=[{"sku": sku, "quantity": 1, "delivery_method": DeliveryMethod.SHIP_TO_RELAY,
                    "relay_point": RELAY_POINT, "requested_date": timezone.localdate() + datetime.timedelta(days=3),
                    "requested_slot_start": datetime.time(9), "requested_slot_end": datetime.time(12),
                    "delivery_instructions": "Fragile : emballer les cintres à part."}],
            payments=[{"method": "card", "reference": "AUTH-RELAIS-1"}],
            trace=Trace(actor=client, channel="web"),
            idempotency_key="demo-store-work-relay",
            request_hash="demo-store-work-relay",
        )  # fmt: skip
    return int(created)
