"""What the outside fuzzer (schemathesis, README "API") found where the server and its schema
disagreed, kept as regressions."""

from __future__ import annotations

import re

import pytest

from tests.contract.errors import errors_at
from tests.contract.schema import schema_document
from tests.orders.conftest import jeans, marseille, network, place, shirt, stock, warehouse  # noqa: F401

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


def _component(name: str) -> dict:
    return schema_document()["components"]["schemas"][name]


def test_a_non_ascii_id_is_an_unknown_id_not_an_undecodable_address(api_as, head_office):
    api = api_as(head_office)
    for url in (
        f"{V1}/orders/%C3%89/",
        f"{V1}/fulfilment-orders/%C3%89%C3%B7%C2%A7/",
        f"{V1}/locations/%F0%9F%8F%AC/",
    ):
        response = api.get(url)
        assert response.status_code == 404 and response.json()["code"] == "not_found", url
    # bytes that are not UTF-8 stay percent-encoded: an unknown id as well
    assert api.get(f"{V1}/orders/%FF/").status_code == 404


def test_location_filters_refuse_values_they_do_not_know(api_as, head_office, lyon):
    api = api_as(head_office)
    for params, field in (({"is_active": "null"}, "is_active"), ({"kind": "castle"}, "kind")):
        response = api.get(f"{V1}/locations/", params)
        assert response.status_code == 400 and errors_at(response, field), params
    found = api.get(f"{V1}/locations/", {"code": "ST-LYON,ST-NOPE", "is_active": "true"}).json()
    assert [row["code"] for row in found["results"]] == ["ST-LYON"]


def test_a_blank_idempotency_key_is_no_key_and_the_schema_says_so(api_as, integration_client):
    response = api_as(integration_client).post(f"{V1}/orders/", {}, HTTP_IDEMPOTENCY_KEY="   ")
    assert response.status_code == 428
    [header] = [
        p
        for p in schema_document()["paths"][f"{V1}/orders/"]["post"]["parameters"]
        if p["name"] == "Idempotency-Key"
    ]
    assert header["required"] and header["schema"]["minLength"] == 1 and header["schema"]["pattern"] == r"\S"


def test_lists_that_must_not_be_empty_say_so():
    assert _component("OrderInputRequest")["properties"]["lines"]["minItems"] == 1
    assert _component("PromiseInputRequest")["properties"]["lines"]["minItems"] == 1
    assert _component("QuoteInputRequest")["properties"]["lines"]["minItems"] == 1


def test_decimal_strings_need_a_digit_and_no_sign_where_negatives_are_refused():
    latitude = re.compile(_component("DestinationInputRequest")["properties"]["latitude"]["pattern"])
    assert latitude.match("45.7632") and latitude.match("-4.5")
    assert not latitude.match("") and not latitude.match("-") and not latitude.match(".")
    amount = re.compile(_component("PaymentInputRequest")["properties"]["amount"]["pattern"])
    assert amount.match("49.90") and not amount.match("-1.00")


def test_a_time_of_day_in_a_response_matches_its_schema(api_as, integration_client, lyon):
    # "16:00:00" has no offset, so it is not an RFC 3339 `format: time`; the schema says what it is
    schema = _component("LocationOutput")["properties"]["order_cutoff_time"]
    assert "format" not in schema
    body = api_as(integration_client).get(f"{V1}/locations/{lyon.code}/").json()
    assert re.match(schema["pattern"], body["order_cutoff_time"])


def test_input_bodies_refuse_unknown_fields_and_the_schema_says_so(api_as, integration_client):
    assert _component("CancelInputRequest")["additionalProperties"] is False
    response = api_as(integration_client).post(
        f"{V1}/promise/", {"lines": [], "destination": {}, "colour": "red"}
    )
    assert response.status_code == 400 and errors_at(response, "colour")


def test_text_fields_refuse_numbers(api_as, integration_client):
    api = api_as(integration_client)
    quote = api.post(f"{V1}/pricing/quote/", {"lines": [{"sku": "A", "quantity": 1}], "codes": [0]})
    assert quote.status_code == 400 and errors_at(quote, "codes[0]")
    promise = api.post(
        f"{V1}/promise/", {"lines": [{"sku": 0, "quantity": 1}], "destination": {"postcode": "69002"}}
    )
    assert promise.status_code == 400 and errors_at(promise, "lines[0].sku")


def test_an_empty_query_value_is_refused_not_dropped(api_as, integration_client):
    response = api_as(integration_client).get(f"{V1}/availability/", {"skus": "A", "postcode": ""})
    assert response.status_code == 400 and errors_at(response, "postcode")


def test_product_rows_refuse_unknown_columns_and_an_empty_batch(api_as, erp_client):
    api = api_as(erp_client)
    row = {"sku": "POL-1", "ean": "3000000009005", "name": "Polo", "price": "39.90", "image_url": ""}
    extra = api.post(f"{V1}/products/sync/", {"products": [{**row, "colur": "Bleu"}]})
    assert extra.status_code == 400 and errors_at(extra, "products[0].colur")
    empty = api.post(f"{V1}/products/sync/", {"products": []})
    assert empty.status_code == 400 and errors_at(empty, "products")
    assert _component("ProductSyncInputRequest")["properties"]["products"]["minItems"] == 1


def test_the_length_limit_counts_what_was_sent(place, api_as, head_office, network):  # noqa: F811
    order = place()
    address = {"name": "Léa", "line1": "\x1e" + "*" * 200, "postcode": "69002", "city": "Lyon"}
    response = api_as(head_office).post(f"{V1}/orders/{order.number}/shipping-address/", address)
    assert response.status_code == 400 and errors_at(response, "line1")


def test_the_schema_says_text_in_a_request_holds_no_nul():
    [number] = schema_document()["paths"][f"{V1}/orders/{{number}}/"]["get"]["parameters"]
    assert re.match(number["schema"]["pattern"], "OM-1") and not re.match(
        number["schema"]["pattern"], "OM\x00"
    )
    reason = _component("HoldInputRequest")["properties"]["reason"]
    assert not re.match(reason["pattern"], "fraud\x00")


def test_a_text_that_may_not_be_blank_says_whitespace_alone_is_blank(api_as, head_office, lyon):
    pattern = re.compile(_component("HoldInputRequest")["properties"]["reason"]["pattern"])
    assert pattern.match("fraud check") and not pattern.match(" \x0b\x1e\u3000")
    response = api_as(head_office).get(f"{V1}/locations/", {"code": "\x0b"})
    assert response.status_code == 400 and errors_at(response, "code")


def test_an_empty_paging_value_is_refused(api_as, head_office):
    # found after the fulfilment-order API moved to orders: `?offset=` was taken as 0
    api = api_as(head_office)
    for url in (f"{V1}/fulfilment-orders/?offset=", f"{V1}/orders/?limit=", f"{V1}/locations/?offset="):
        response = api.get(url)
        assert response.status_code == 400, url


def test_a_regex_field_keeps_its_own_pattern_in_the_schema():
    # the pickup code is six digits: the schema says so (it said "any non-blank text")
    collect = _component("FulfilmentCollectInputRequest")["properties"]
    assert collect["pickup_code"]["pattern"] == r"^\d{6}$"
    assert (
        _component("IdentityCheckInputRequest")["properties"]["reference_last4"]["pattern"]
        == r"^[A-Za-z0-9]{4}$"
    )


def test_a_subnormal_latitude_is_a_point_not_a_server_error(api_as, integration_client, lyon):
    # found by the fuzzer after the refactor: lat=5e-324 underflowed PostgreSQL's trigonometry
    response = api_as(integration_client).get(
        f"{V1}/availability/", {"skus": "NOPE", "lat": "5e-324", "lon": "-136.21", "radius_km": "256.9"}
    )
    assert response.status_code == 200, response.content
