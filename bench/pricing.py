"""Pricing a 10-line basket under 200 active promotions, in-process (the engine is pure: no
database). Baseline in the same run: the same baskets priced with no promotion.

    python bench/pricing.py
    python bench/pricing.py --small    # CI smoke size: 100 baskets
"""

import datetime
import random
import time
from decimal import Decimal

from common import percentile, pricing_engine, sized

engine = pricing_engine()
KINDS, BasketLine, Context, price_basket = (
    engine.KINDS,
    engine.BasketLine,
    engine.Context,
    engine.price_basket,
)
ROUNDS = sized("BENCH_ROUNDS", 2000, 100)
CATEGORIES = [f"C{n}" for n in range(30)]


def snapshot(rng: random.Random, n: int = 200) -> dict:
    """A realistic mix: most promotions target a category or a few SKUs, some need a code, some
    are limited to channels, days or hours; a few basket-level ones and one exclusive."""
    rules = []
    for i in range(1, n + 1):
        kind = rng.choice([k for k in KINDS if k != "free_delivery"] + ["line_percent"] * 4)
        params = {
            "line_percent": {"percent": str(rng.choice([10, 15, 20, 30, 50]))},
            "line_amount": {"amount": str(rng.choice([2, 5, 10]))},
            "basket_amount": {"threshold": str(rng.choice([50, 100, 150])), "amount": str(rng.choice([5, 10, 20]))},
            "basket_percent": {"threshold": "80", "percent": "10"},
            "buy_x_get_y": {"buy": 2, "get": 1, "percent": "100"},
            "bundle": {"price": "50", "items": [{"target": {"categories": [rng.choice(CATEGORIES)]}, "quantity": 1},
                                                 {"target": {"categories": [rng.choice(CATEGORIES)]}, "quantity": 1}]},
        }[kind]  # fmt: skip
        target = rng.choice([
            {"categories": rng.sample(CATEGORIES, 2)},
            {"skus": [f"SKU-{rng.randrange(5000):05d}" for _ in range(20)]},
            None,
        ])  # fmt: skip
        conditions = rng.choice([{}, {"channels": ["web", "store"]}, {"weekdays": [0, 1, 2, 3, 4]},
                                 {"time_from": "09:00", "time_to": "20:00"}, {"min_quantity": 2}])  # fmt: skip
        rules.append({"id": i, "name": f"Promotion {i}", "kind": kind, "priority": rng.randrange(100),
                      "params": params, "target": target, "conditions": conditions,
                      "stackable": rng.random() < 0.7, "exclusive": i == n,
                      "requires_code": rng.random() < 0.1, "code": f"CODE{i}"})  # fmt: skip
    return {"version": 1, "promotions": rules}


def basket(rng: random.Random) -> list[BasketLine]:
    return [
        BasketLine(key=str(n), sku=f"SKU-{rng.randrange(5000):05d}", quantity=rng.randint(1, 3),
                   unit_price=Decimal(rng.randrange(500, 15000)) / 100, category=rng.choice(CATEGORIES))
        for n in range(1, 11)
    ]  # fmt: skip


def main() -> None:
    rng = random.Random(7)
    rules = snapshot(rng)
    # The exclusive promotion would end most evaluations early: keep it out of reach (needs a code).
    rules["promotions"][-1]["requires_code"] = True
    context = Context(channel="web", moment=datetime.datetime(2026, 11, 24, 15, 0), codes=("CODE7",))
    baskets = [basket(rng) for _ in range(ROUNDS)]
    empty = {"promotions": []}
    for b in baskets[:50]:
        price_basket(b, rules, context)
    timings, baseline, applied = [], [], 0
    for b in baskets:
        started = time.perf_counter()
        quote = price_basket(b, rules, context)
        timings.append((time.perf_counter() - started) * 1000)
        applied += len(quote.applied)
        started = time.perf_counter()
        price_basket(b, empty, context)
        baseline.append((time.perf_counter() - started) * 1000)
    print(
        f"RESULT pricing p50_ms={percentile(timings, 50):.2f} p95_ms={percentile(timings, 95):.2f} "
        f"baseline_no_promotions_p95_ms={percentile(baseline, 95):.3f} promotions=200 lines=10 "
        f"mean_applied={applied / ROUNDS:.1f} rounds={ROUNDS}"
    )


if __name__ == "__main__":
    main()
