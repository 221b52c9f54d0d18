import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from accounts.models import Role, User
from inventory.models import SKU, Location, StockLevel
from orders.models import Order, OrderEvent

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
    assert Token.objects.filter(user__username="api.webshop").exists()
    assert 1800 <= SKU.objects.count() <= 2200
    assert StockLevel.objects.filter(location=lyon, on_hand__gt=0).count() > 500
    assert StockLevel.objects.filter(location__kind="drop_ship_vendor", sku__category="Chemises").count() == 0
    # orders from several channels, some already moved along, each with its timeline
    assert Order.objects.count() == 42  # 40 across the network, 2 waiting for the Lyon store
    assert Order.objects.values("channel").distinct().count() >= 3
    assert {"cancelled", "on_hold"} <= set(Order.objects.values_list("status", flat=True))
    assert OrderEvent.objects.filter(kind="shipped").exists()
    assert all(order.events.exists() for order in Order.objects.all())
    # the demo associate has work: a click & collect to prepare, a parcel coming in
    from store.selectors import store_queue

    queue = store_queue(lyon)
    assert queue.to_do and queue.incoming


def test_seed_demo_is_idempotent():
    call_command("seed_demo")
    counts = (Location.objects.count(), User.objects.count(), Token.objects.count(), Order.objects.count())
    call_command("seed_demo")
    assert (
        Location.objects.count(),
        User.objects.count(),
        Token.objects.count(),
        Order.objects.count(),
    ) == counts


def test_seed_demo_if_empty_leaves_an_existing_network_alone(lyon):
    from tests.factories import SKUFactory

    SKUFactory()
    call_command("seed_demo", "--if-empty")
    assert Location.objects.count() == 1


def test_drf_create_token_works_for_integration_clients(integration_client, capsys):
    call_command("drf_create_token", "webshop")
    assert Token.objects.get(user=integration_client).key in capsys.readouterr().out
