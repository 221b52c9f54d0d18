"""The pricing engine, pure: shared vectors any evaluator must reproduce, and properties that
hold for any basket (hypothesis)."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from promotions.engine import BasketLine, Context, Customer, allocate, price_basket

VECTORS = json.loads((Path(__file__).parent / "vectors.json").read_text(encoding="utf-8"))["vectors"]


def context_of(raw: dict) -> Context:
    return Context(
        channel=raw["channel"],
        moment=datetime.datetime.fromisoformat(raw["moment"]),
        store=raw.get("store", ""),
        customer=Customer(**raw.get("customer", {})),
        codes=tuple(raw.get("codes", ())),
        delivery_methods=tuple(raw.get("delivery_methods", ())),
    )


def basket_of(raw: list[dict]) -> list[BasketLine]:
    return [
        BasketLine(key=line["key"], sku=line["sku"], quantity=line["quantity"], unit_price=Decimal(line["unit_price"]),
                   product=line.get("product", ""), category=line.get("category", ""),
                   collections=tuple(line.get("collections", ())))
        for line in raw
    ]  # fmt: skip


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_shared_vectors(vector):
    quote = price_basket(
        basket_of(vector["basket"]), {"promotions": vector["promotions"]}, context_of(vector["context"])
    )
    expected = vector["expected"]
    result = quote.as_dict()
    assert (result["subtotal"], result["discount"], result["total"]) == (
        expected["subtotal"], expected["discount"], expected["total"],
    )  # fmt: skip
    assert {line["key"]: line["discounts"] for line in result["lines"]} == expected["lines"]
    assert [a["id"] for a in result["applied"]] == expected["applied"]
    assert {str(n["id"]): n["reason"]["code"] for n in result["not_applied"]} == expected["not_applied"]
    assert result["waived_delivery"] == expected.get("waived_delivery", {})


cents = st.integers(min_value=1, max_value=50_000).map(lambda c: Decimal(c) / 100)


@given(
    st.integers(min_value=0, max_value=100_000).map(lambda c: Decimal(c) / 100),
    st.lists(cents, min_size=1, max_size=12),
)
def test_allocation_never_loses_or_creates_a_cent(amount, weights):
    amount = min(amount, sum(weights))
    parts = allocate(amount, weights)
    assert sum(parts) == amount
    assert all(Decimal("0") <= part <= weight for part, weight in zip(parts, weights, strict=True))


KINDS = st.sampled_from(
    ["line_percent", "line_amount", "basket_amount", "basket_percent", "buy_x_get_y", "bundle"]
)


@st.composite
def promotions(draw):
    rules = []
    for n in range(draw(st.integers(min_value=0, max_value=6))):
        kind = draw(KINDS)
        params = {
            "line_percent": {"percent": str(draw(st.integers(1, 100)))},
            "line_amount": {"amount": str(draw(cents))},
            "basket_amount": {"threshold": str(draw(cents)), "amount": str(draw(cents))},
            "basket_percent": {"threshold": "0", "percent": str(draw(st.integers(1, 100)))},
            "buy_x_get_y": {"buy": draw(st.integers(1, 3)), "get": draw(st.integers(1, 2)), "percent": str(draw(st.integers(1, 100)))},
            "bundle": {"price": str(draw(cents)), "items": [{"target": {"categories": ["A"]}, "quantity": 1},
                                                             {"target": {"categories": ["B"]}, "quantity": 1}]},
        }[kind]  # fmt: skip
        target = draw(st.sampled_from([None, {"categories": ["A"]}, {"categories": ["B"]}]))
        rules.append({"id": n + 1, "name": f"P{n + 1}", "kind": kind, "priority": draw(st.integers(0, 5)),
                      "params": params, "target": target, "stackable": draw(st.booleans()),
                      "exclusive": draw(st.booleans()) and draw(st.booleans())})  # fmt: skip
    return rules


@st.composite
def baskets(draw):
    return [
        BasketLine(key=str(i), sku=f"S{i}", quantity=draw(st.integers(1, 5)), unit_price=draw(cents),
                   category=draw(st.sampled_from(["A", "B", "C"])))
        for i in range(1, draw(st.integers(1, 10)) + 1)
    ]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(baskets(), promotions())
def test_any_basket_adds_up_and_never_goes_below_zero(basket, rules):
    quote = price_basket(
        basket, {"promotions": rules}, Context(channel="web", moment=datetime.datetime(2026, 11, 24, 12))
    )
    assert (
        sum(Decimal(a["amount"]) for a in quote.applied) == quote.discount
    )  # allocations = promotions' discounts
    for promotion in quote.applied:
        assert sum(line.discounts.get(promotion["id"], Decimal(0)) for line in quote.lines) == Decimal(
            promotion["amount"]
        )
    for line in quote.lines:
        assert line.total >= 0 and all(amount > 0 for amount in line.discounts.values())
        assert line.total == line.subtotal - line.discount
        assert line.subtotal == line.unit_price * line.quantity
    assert quote.total == quote.subtotal - quote.discount >= 0
    assert {a["id"] for a in quote.applied}.isdisjoint({n["id"] for n in quote.not_applied})
    assert len(quote.applied) + len(quote.not_applied) == len(rules)
