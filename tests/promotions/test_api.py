"""POST /api/v1/pricing/quote/ and the offline snapshot."""

import pytest

from tests.contract.errors import errors_at

pytestmark = pytest.mark.django_db

URL = "/api/v1/pricing/quote/"


def cart(*lines, **extra):
    return {"lines": [{"sku": sku, "quantity": qty} for sku, qty in lines], **extra}


def test_an_active_promotion_prices_the_cart_and_drafts_do_not(
    api_as, integration_client, catalogue, promotion
):
    live = promotion()
    promotion(name="Brouillon -50 %", params={"percent": "50"}, status="draft")
    response = api_as(integration_client).post(
        URL, cart(("CHE-OXF-BLE-M", 2), ("JEA-SLI-IND-42", 1)), format="json"
    )
    body = response.json()
    assert response.status_code == 200
    assert (body["subtotal"], body["discount"], body["total"]) == ("118.80", "11.96", "106.84")
    assert body["lines"][0]["discounts"] == [
        {"promotion": live.pk, "name": "Chemises -20 %", "amount": "11.96"}
    ]
    assert [a["promotion"] for a in body["applied"]] == [live.pk]


def test_codes_single_generated_used_up_unknown(api_as, integration_client, catalogue, promotion, coupon):
    single = promotion(name="Bienvenue", code="bienvenue10", params={"percent": "10"}, target_categories=[])
    batch = promotion(name="Parrainage", kind="basket_amount", params={"threshold": "0", "amount": "5"},
                      target_categories=[], requires_code=True)  # fmt: skip
    coupon(batch, "PAR-AAAA")
    coupon(batch, "PAR-BBBB", uses=1)
    response = api_as(integration_client).post(
        URL, cart(("JEA-SLI-IND-42", 1), codes=["Bienvenue10", "par-aaaa", "PAR-BBBB", "NOPE"]), format="json"
    )
    body = response.json()
    assert {a["promotion"]: a["code"] for a in body["applied"]} == {
        single.pk: "BIENVENUE10",
        batch.pk: "PAR-AAAA",
    }
    assert body["discount"] == "10.90"  # 5.90 then 5.00 on what is left
    assert (
        set(body["refused_codes"]) == {"PAR-BBBB", "NOPE"} and "used up" in body["refused_codes"]["PAR-BBBB"]
    )


def test_reasons_are_given_for_promotions_that_did_not_apply(
    api_as, integration_client, catalogue, promotion
):
    promotion(name="Magasins", channels=["store"])
    body = api_as(integration_client).post(URL, cart(("CHE-OXF-BLE-M", 1)), format="json").json()
    assert (
        body["not_applied"][0]["reason"] == "channel"
        and body["not_applied"][0]["why"] == "not on this channel"
    )


@pytest.mark.parametrize(
    "payload, field",
    [({"lines": []}, "lines"), ({"lines": [{"sku": "NOPE", "quantity": 1}]}, "lines"),
     ({"lines": [{"sku": "CHE-OXF-BLE-M", "quantity": 0}]}, "lines"), (cart(("CHE-OXF-BLE-M", 1), channel="fax"), "channel")],
)  # fmt: skip
def test_bad_carts_are_400_with_the_field(api_as, integration_client, catalogue, payload, field):
    response = api_as(integration_client).post(URL, payload, format="json")
    assert response.status_code == 400 and errors_at(response, field), response.json()


def test_quote_needs_a_client(api_client, catalogue):
    assert api_client.post(URL, cart(("CHE-OXF-BLE-M", 1)), format="json").status_code in (401, 403)


def test_snapshot_for_offline_tills(api_as, lyon_associate, promotion):
    live = promotion(code="NOEL", stores=["ST-LYON"])
    snapshot = api_as(lyon_associate).get("/api/v1/pricing/snapshot/").json()
    [rule] = snapshot["promotions"]
    assert rule["id"] == live.pk and rule["code"] == "NOEL" and rule["conditions"]["stores"] == ["ST-LYON"]
    assert rule["target"] == {"categories": ["Chemises"]} and len(snapshot["version"]) == 16


def test_a_promotion_can_target_a_product(api_as, integration_client, catalogue, promotion):
    model = catalogue["shirt"].product.code
    promotion(
        name="Le modèle Oxford", target_categories=[], target_products=[model], params={"percent": "10"}
    )
    body = (
        api_as(integration_client)
        .post(URL, cart(("CHE-OXF-BLE-M", 1), ("JEA-SLI-IND-42", 1)), format="json")
        .json()
    )
    assert [line["discount"] for line in body["lines"]] == ["2.99", "0.00"]
