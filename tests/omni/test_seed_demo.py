from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import ApiClient, Role, User
from inventory import services as inventory_services
from inventory.models import SKU, Location, StockLevel, StockMovement, SyncBatch
from omni.demo import seed
from orders.models import IdempotencyKey, Order, OrderEvent

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_a_french_network_and_one_user_per_role():
    call_command("seed_demo")
    stores = Location.objects.filter(kind=Location.Kind.STORE)
    assert 25 <= stores.count() <= 35
    assert Location.objects.filter(kind=Location.Kind.WAREHOUSE).count() == 2
    assert Location.objects.filter(kind=Location.Kind.DROP_SHIP_VENDOR).count() == 1
    lyon = Location.objects.get(code="ST-LYON-REP")
    assert 45.7 < float(lyon.latitude) < 45.8 and 4.8 < float(lyon.longitude) < 4.9
    assert lyon.opening_periods.exists()
    assert {u.role for u in User.objects.all()} == set(Role.values)
    associate = User.objects.get(username="vendeur.lyon")
    assert associate.store == lyon and associate.check_password("omni-demo")
    clients = {c.name: c for c in ApiClient.objects.select_related("user", "location")}
    assert clients["Web shop"].user.username == "api.webshop" and clients["Web shop"].profile == "web_shop"
    assert clients["Romans vendor"].location.code == "DS-ROMANS"
    assert clients["Lyon store system"].location == lyon
    assert 1800 <= SKU.objects.count() <= 2200
    assert StockLevel.objects.filter(location=lyon, on_hand__gt=0).count() > 500
    assert StockLevel.objects.filter(location__kind="drop_ship_vendor", sku__category="Chemises").count() == 0
    # orders from several channels, some already moved along, each with its timeline
    # 40 across the network, 4 for the Lyon store (one declined, one to a relay point)
    assert Order.objects.count() == 44
    assert Order.objects.values("channel").distinct().count() >= 3
    assert {"cancelled", "on_hold"} <= set(Order.objects.values_list("status", flat=True))
    assert OrderEvent.objects.filter(kind="shipped").exists()
    assert all(order.events.exists() for order in Order.objects.all())
    # the demo associate has work: a click & collect to prepare, a parcel coming in
    from store.selectors import store_queue

    queue = store_queue(lyon)
    assert queue.to_do and queue.incoming
    # and a count to do: an item declined because the shelf was empty
    from inventory.selectors import count_tasks_open

    [count] = count_tasks_open(location=lyon)
    assert count.task.reason == "not_found" and count.task.raised_by == associate


def test_seed_demo_is_idempotent():
    call_command("seed_demo")
    counts = (
        Location.objects.count(),
        User.objects.count(),
        ApiClient.objects.count(),
        Order.objects.count(),
    )
    call_command("seed_demo")
    assert (
        Location.objects.count(),
        User.objects.count(),
        ApiClient.objects.count(),
        Order.objects.count(),
    ) == counts


def test_seed_demo_leaves_a_database_with_other_locations_alone_when_asked(lyon):
    from tests.factories import SKUFactory

    SKUFactory()
    call_command("seed_demo", "--skip-other-data")
    assert Location.objects.count() == 1


def test_seed_demo_prints_each_new_key_once_and_the_keys_work(capsys, api_client):
    call_command("seed_demo")
    out = capsys.readouterr().out
    keys = dict(line.split(" (shown once, keep it): ") for line in out.splitlines() if "shown once" in line)
    assert set(keys) == {"API key for Web shop", "API key for Romans vendor", "API key for Lyon store system"}
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {keys['API key for Web shop']}")
    assert api_client.get("/api/v1/locations/").status_code == 200
    call_command("seed_demo")
    assert "shown once, keep it" not in capsys.readouterr().out


def test_api_client_create_prints_the_key_once(lyon, capsys, api_client):
    call_command("api_client_create", "Lyon till", "--profile", "store_system", "--location", lyon.code)
    key = capsys.readouterr().out.split("Key (shown once): ")[1].strip()
    client = ApiClient.objects.get(name="Lyon till")
    assert client.user.username == "api.lyon-till" and client.location == lyon and key not in client.key_hash
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert [row["code"] for row in api_client.get("/api/v1/locations/").json()["results"]] == [lyon.code]


def _counts() -> dict:
    return {
        "locations": Location.objects.count(),
        "users": User.objects.count(),
        "api clients": ApiClient.objects.count(),
        "skus": SKU.objects.count(),
        "stock": StockLevel.objects.count(),
        "ledger": StockMovement.objects.count(),
        "orders": Order.objects.count(),
        "events": OrderEvent.objects.count(),
    }


def test_a_complete_demo_is_left_as_is(django_assert_max_num_queries):
    # given
    call_command("seed_demo")
    before = _counts()
    out = StringIO()
    # when
    with django_assert_max_num_queries(15):
        call_command("seed_demo", "--skip-other-data", stdout=out)
    # then
    assert "Demo complete: nothing to do." in out.getvalue()
    assert _counts() == before


def test_a_deleted_part_comes_back_and_nothing_else_is_duplicated():
    # given: a complete demo, then a user and the web shop's API client gone
    call_command("seed_demo")
    before = _counts()
    User.objects.filter(username="vendeur.paris").delete()
    ApiClient.objects.filter(name="Romans vendor").delete()  # unused so far: may go
    assert seed.demo_missing() == {"users": ["vendeur.paris"], "API clients": ["Romans vendor"]}
    out = StringIO()
    # when
    call_command("seed_demo", "--skip-other-data", stdout=out)
    # then
    assert "filled: users, API clients" in out.getvalue()
    assert "API key for Romans vendor (shown once, keep it)" in out.getvalue()
    assert seed.demo_missing() == {}
    assert _counts() == before
    assert User.objects.get(username="vendeur.paris").store.code == "ST-PARIS-RIV"


class Interrupted(Exception):
    pass


def _interrupt_after(monkeypatch, module, name: str, calls: int) -> None:
    real = getattr(module, name)
    done = []

    def interrupted(*args, **kwargs):
        if len(done) == calls:
            raise Interrupted
        done.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, interrupted)


def test_a_start_interrupted_while_stocking_is_repaired_by_the_next(monkeypatch):
    # given: the first start stops after 5 of 33 stock snapshots
    with monkeypatch.context() as patch:
        _interrupt_after(patch, inventory_services, "inventory_sync", 5)
        with pytest.raises(Interrupted):
            call_command("seed_demo", "--skip-other-data")
    assert SyncBatch.objects.count() == 5
    assert set(seed.demo_missing()) == {"stock", "orders", "store work", "backorder policies"}
    assert not Order.objects.exists()
    # when
    call_command("seed_demo", "--skip-other-data")
    # then
    assert seed.demo_missing() == {}
    assert SyncBatch.objects.count() == Location.objects.count()
    assert Order.objects.count() == 44


def test_a_start_interrupted_while_placing_orders_leaves_whole_orders_and_the_next_adds_the_rest(monkeypatch):
    # given: the first start stops at the 10th order, after its placement, before its later life
    from omni.demo import orders as demo_orders

    with monkeypatch.context() as patch:
        _interrupt_after(patch, demo_orders, "_progress", 9)
        with pytest.raises(Interrupted):
            call_command("seed_demo")
    assert Order.objects.count() == 9  # the 10th rolled back with its interrupted transaction
    assert seed.demo_missing().keys() == {"orders", "store work", "backorder policies"}
    # when: the next start, twice
    call_command("seed_demo")
    counts = _counts()
    call_command("seed_demo")
    # then: every order once, each with its timeline; the store has its work
    assert _counts() == counts
    assert Order.objects.count() == 44
    assert IdempotencyKey.objects.count() == 44
    assert all(order.events.exists() for order in Order.objects.all())
    out = StringIO()
    call_command("seed_demo", "--check", stdout=out)
    assert "The demo is complete." in out.getvalue()


def test_check_fails_until_the_demo_is_complete():
    with pytest.raises(CommandError, match="incomplete"):
        call_command("seed_demo", "--check", stdout=StringIO())
    call_command("seed_demo")
    out = StringIO()
    call_command("seed_demo", "--check", stdout=out)
    assert "store work: complete" in out.getvalue()
    assert "ST-LYON-REP work waiting: 3" in out.getvalue()


def test_every_demo_order_agrees_with_every_store_queue():
    """One truth: what an order's lines say and what the stores' queues ask for agree, on every
    demo order (a line shipped per the order is never still to pick in a store)."""
    from orders.models import Allocation, FulfilmentOrder, OrderLine
    from store.selectors import pick_walk, store_queue

    call_command("seed_demo")
    for store in Location.objects.filter(kind=Location.Kind.STORE, is_active=True):
        queue = store_queue(store)
        for fo in queue.to_do:
            assert fo.order.status in Order.OPEN_STATUSES, (store.code, fo.number, fo.order.status)
            for _department, picks in pick_walk(fo):
                for pick in picks:
                    line = pick.fl.order_line
                    assert line.status in OrderLine.CANCELLABLE, (fo.number, line.line_number, line.status)
                    assert pick.left <= line.qty_allocated, (fo.number, line.line_number)
        for fo in queue.ready + queue.waiting_customers:
            assert fo.status == FulfilmentOrder.Status.READY_FOR_PICKUP
            for fl in fo.lines.select_related("order_line", "allocation"):
                if fl.allocation.status == Allocation.Status.ACTIVE:
                    assert fl.order_line.status == OrderLine.Status.READY_FOR_PICKUP, (fo.number, fl.pk)
    for line in OrderLine.objects.select_related("order"):
        active = Allocation.objects.filter(line=line, status=Allocation.Status.ACTIVE)
        # a line's allocated units are exactly those its active allocations hold (its buckets
        # adding up to its quantity is a constraint of the table)
        assert sum(a.quantity for a in active) == line.qty_allocated, (line.order.number, line.line_number)
