import pytest
from django.core.management import call_command

from accounts.models import ApiClient, Role, User
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
    clients = {c.name: c for c in ApiClient.objects.select_related("user", "location")}
    assert clients["Web shop"].user.username == "api.webshop" and clients["Web shop"].profile == "web_shop"
    assert clients["Romans vendor"].location.code == "DS-ROMANS"
    assert clients["Lyon store system"].location == lyon
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


def test_seed_demo_if_empty_leaves_an_existing_network_alone(lyon):
    from tests.factories import SKUFactory

    SKUFactory()
    call_command("seed_demo", "--if-empty")
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
