import pytest

from inventory import services
from inventory.models import SKU, StockLevel, StockMovement, SyncBatch
from omni.trace import Trace
from sourcing.services import profile_current
from tests.contract.errors import field_errors
from tests.factories import LocationFactory, SKUFactory, ean13

pytestmark = pytest.mark.django_db


def test_product_sync_api(api_as, erp_client):
    api = api_as(erp_client)
    row = {"sku": "JEAN-501-32", "ean": ean13(7), "name": "Jean droit 32", "price": "89.00", "size": "32"}
    response = api.post("/api/v1/products/sync/", {"products": [row]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {"rows": 1, "created": 1, "updated": 0}

    bad = api.post(
        "/api/v1/products/sync/", {"products": [row, {**row, "sku": "X2", "ean": "123"}]}, format="json"
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "batch_rejected"
    assert field_errors(bad) == {"products[1].ean": ["An EAN-13 has exactly 13 digits."]}


def test_product_sync_needs_the_right_role(api_as, call_centre, lyon_associate):
    assert (
        api_as(call_centre).post("/api/v1/products/sync/", {"products": []}, format="json").status_code == 403
    )
    assert api_as(lyon_associate).post("/api/v1/inventory/sync/", {}, format="json").status_code == 403


def test_malformed_json_is_a_400(api_as, erp_client):
    response = api_as(erp_client).post(
        "/api/v1/inventory/sync/", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400


def test_inventory_sync_api_with_wrong_types_reports_fields(api_as, erp_client):
    response = api_as(erp_client).post(
        "/api/v1/inventory/sync/", {"batch_id": "", "mode": "everything", "rows": "many"}, format="json"
    )
    assert response.status_code == 400
    assert {"batch_id", "mode", "rows"} <= set(field_errors(response))


def test_inventory_sync_api_round_trip(api_as, erp_client, lyon):
    SKUFactory(code="CAP-1")
    body = {
        "batch_id": "erp-42",
        "mode": "snapshot",
        "scope": "full_location",
        "location": lyon.code,
        "rows": [{"sku": "CAP-1", "on_hand": 7}],
    }
    api = api_as(erp_client)
    first = api.post("/api/v1/inventory/sync/", body, format="json")
    assert first.status_code == 200 and first.json()["changed"] == 1
    assert api.post("/api/v1/inventory/sync/", body, format="json").json()["replayed"] is True
    other = api.post(
        "/api/v1/inventory/sync/", {**body, "rows": [{"sku": "CAP-1", "on_hand": 8}]}, format="json"
    )
    assert other.status_code == 409
    assert StockLevel.objects.get().on_hand == 7
    rejected = api.post(
        "/api/v1/inventory/sync/",
        {**body, "batch_id": "erp-43", "rows": [{"sku": "NOPE", "on_hand": 1}]},
        format="json",
    )
    assert rejected.status_code == 400
    assert field_errors(rejected) == {"rows[0].sku": ["Unknown SKU NOPE."]}


@pytest.fixture
def lyon_shelf(lyon, head_office):
    """Lyon holds three SKUs, four units each."""
    for code in ("CAP-1", "CAP-2", "CAP-3"):
        services.stock_receive(
            sku=SKUFactory(code=code), location=lyon, quantity=4, trace=Trace(actor=head_office)
        )
    return lyon


def _shelf():
    return dict(StockLevel.objects.values_list("sku__code", "on_hand"))


def test_a_snapshot_without_scope_is_refused_and_writes_nothing(api_as, erp_client, lyon_shelf):
    body = {
        "batch_id": "erp-1",
        "mode": "snapshot",
        "location": lyon_shelf.code,
        "rows": [{"sku": "CAP-1", "on_hand": 1}],
    }
    response = api_as(erp_client).post("/api/v1/inventory/sync/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "scope_required"
    [message] = field_errors(response)["scope"]
    assert "full_location" in message and "zero" in message
    assert _shelf() == {"CAP-1": 4, "CAP-2": 4, "CAP-3": 4}
    assert not SyncBatch.objects.exists()


def test_a_full_location_snapshot_says_how_many_skus_it_zeroed(api_as, erp_client, lyon_shelf):
    body = {
        "batch_id": "erp-2",
        "mode": "snapshot",
        "scope": "full_location",
        "rows": [{"sku": "CAP-1", "location": lyon_shelf.code, "on_hand": 1}],
    }
    api = api_as(erp_client)
    response = api.post("/api/v1/inventory/sync/", body, format="json")
    assert response.status_code == 200, response.json()
    assert {k: response.json()[k] for k in ("scope", "changed", "zeroed", "zeroed_by_location")} == {
        "scope": "full_location",
        "changed": 3,
        "zeroed": 2,
        "zeroed_by_location": {lyon_shelf.code: 2},
    }
    assert _shelf() == {"CAP-1": 1, "CAP-2": 0, "CAP-3": 0}
    replay = api.post("/api/v1/inventory/sync/", body, format="json").json()
    assert replay == {**response.json(), "replayed": True}
    assert StockMovement.objects.filter(reference="sync:erp-2").count() == 3


def test_a_listed_skus_snapshot_zeroes_nothing(api_as, erp_client, lyon_shelf):
    body = {
        "batch_id": "erp-3",
        "mode": "snapshot",
        "scope": "listed_skus",
        "location": lyon_shelf.code,
        "rows": [{"sku": "CAP-1", "on_hand": 1}],
    }
    response = api_as(erp_client).post("/api/v1/inventory/sync/", body, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["changed"], response.json()["zeroed"]) == (1, 0)
    assert _shelf() == {"CAP-1": 1, "CAP-2": 4, "CAP-3": 4}


def test_the_schema_documents_the_scope(api_as, head_office):
    schema = api_as(head_office).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/inventory/sync/"]["post"]
    assert "full_location" in operation["description"] and "listed_skus" in operation["description"]
    assert {"scope", "zeroed", "zeroed_by_location"} <= set(
        schema["components"]["schemas"]["InventorySyncOutput"]["properties"]
    )


@pytest.fixture
def network(head_office):
    """Two Lyon stores, one Paris store, a warehouse and a drop-ship vendor holding one SKU."""
    sku = SKUFactory(code="PULL-M")
    SKUFactory(code="PULL-L")
    places = {
        "lyon": LocationFactory(code="ST-LY1", latitude="45.7632", longitude="4.8359"),
        "lyon2": LocationFactory(
            code="ST-LY2", latitude="45.7606", longitude="4.8590", sells_stock_online=False
        ),
        "paris": LocationFactory(code="ST-PA1", latitude="48.8603", longitude="2.3441"),
        "wh": LocationFactory(
            code="WH-1", kind="warehouse", is_pickup_point=False, latitude="45.64", longitude="5.11"
        ),
        "vendor": LocationFactory(code="DS-1", kind="drop_ship_vendor", is_pickup_point=False),
        "no_ship": LocationFactory(
            code="ST-NOSHIP", ships_to_customers=False, latitude="45.77", longitude="4.83"
        ),
    }
    quantities = {"lyon": 2, "lyon2": 5, "paris": 3, "wh": 100, "vendor": 10, "no_ship": 4}
    for key, quantity in quantities.items():
        services.stock_receive(sku=sku, location=places[key], quantity=quantity, trace=Trace())
    services.stock_set_safety_stock(sku=sku, location=places["paris"], safety_stock=1, trace=Trace())
    return places


def test_availability_counts_per_channel(api_as, integration_client, network):
    body = api_as(integration_client).get("/api/v1/availability/?skus=PULL-M,PULL-L,NOPE").json()
    pull_m = body["skus"][0]
    # web: ST-LY2 does not sell online; delivery excludes the store that does not ship
    assert pull_m == {"sku": "PULL-M", "network": 2 + 2 + 100 + 10 + 4, "delivery": 2 + 2 + 100 + 10}
    assert body["skus"][1] == {"sku": "PULL-L", "network": 0, "delivery": 0}
    assert body["unknown_skus"] == ["NOPE"]
    assert body["stores"] is None
    store_channel = api_as(integration_client).get("/api/v1/availability/?skus=PULL-M&channel=store").json()
    assert store_channel["skus"][0]["network"] == 2 + 5 + 2 + 100 + 10 + 4


def test_stores_near_me_ranked_by_distance_with_hours(api_as, integration_client, network):
    body = (
        api_as(integration_client)
        .get("/api/v1/availability/?skus=PULL-M,PULL-L&lat=45.764&lon=4.8357&radius_km=50")
        .json()
    )
    codes = [store["code"] for store in body["stores"]]
    assert codes == [
        "ST-LY1",
        "ST-NOSHIP",
    ]  # nearest first; Paris too far; vendor and warehouse are no pickup points
    first = body["stores"][0]
    assert first["atp"] == {"PULL-M": 2, "PULL-L": 0}
    assert first["has_all"] is False
    assert first["distance_km"] < 1
    assert "hours_today" in first and "open_now" in first


def test_availability_by_postcode_and_bad_parameters(api_as, integration_client, network):
    api = api_as(integration_client)
    by_postcode = api.get("/api/v1/availability/?skus=PULL-M&postcode=69002&radius_km=20").json()
    assert by_postcode["stores"][0]["code"] == "ST-LY1"
    assert api.get("/api/v1/availability/?skus=PULL-M&lat=45").status_code == 400
    assert "postcode" in field_errors(api.get("/api/v1/availability/?skus=PULL-M&postcode=99999"))
    assert "skus" in field_errors(api.get("/api/v1/availability/?skus=,"))


def test_a_basket_is_answered_in_a_constant_number_of_queries(
    api_as, integration_client, network, django_assert_max_num_queries
):
    for i in range(20):
        SKUFactory(code=f"EXTRA-{i}")
    codes = ",".join(["PULL-M", *[f"EXTRA-{i}" for i in range(20)]])
    api = api_as(integration_client)
    profile_current()  # published once, before any request
    # + the sourcing profile and the locations at capacity today: what the engine would refuse
    with django_assert_max_num_queries(10):
        response = api.get(f"/api/v1/availability/?skus={codes}&lat=45.764&lon=4.8357")
    assert len(response.json()["skus"]) == 21
    assert SKU.objects.count() == 22
