import pytest

from tests.contract.errors import field_errors

pytestmark = pytest.mark.django_db


def test_locations_api_lists_with_hours_and_capabilities(api_as, integration_client, lyon):
    body = api_as(integration_client).get("/api/v1/locations/").json()
    row = body["results"][0]
    assert row["code"] == "ST-LYON"
    assert row["is_pickup_point"] is True
    assert row["opening_hours"][0] == {"weekday": 0, "opens_at": "10:00", "closes_at": "19:00"}
    assert isinstance(row["latitude"], float)


def test_locations_api_filters(api_as, integration_client, lyon, paris):
    from tests.factories import LocationFactory

    LocationFactory(code="WH-1", kind="warehouse", is_pickup_point=False)
    api = api_as(integration_client)
    assert api.get("/api/v1/locations/?kind=warehouse").json()["count"] == 1
    assert api.get("/api/v1/locations/?is_pickup_point=true").json()["count"] == 2
    assert api.get("/api/v1/locations/?code=ST-LYON,WH-1").json()["count"] == 2


def test_unknown_location_is_a_404_with_a_json_body(api_as, integration_client):
    response = api_as(integration_client).get("/api/v1/locations/NOPE/")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_bad_filter_value_is_a_400_with_the_field_named(api_as, integration_client):
    response = api_as(integration_client).get("/api/v1/locations/?kind=castle")
    assert response.status_code == 400
    assert "kind" in field_errors(response)


def test_openapi_schema_and_docs(client, head_office):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/locations/" in document["paths"]
    assert "/api/v1/locations/{code}/" in document["paths"]
    client.force_login(head_office)
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert "cdn" not in docs.text.lower()
