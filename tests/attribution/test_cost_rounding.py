"""Attribution's money in cents as the KPIs round it: half up, whatever the order the
engine or Python added it in. The cost per conversion was Python's binary round of the
quotient: 40,789.50 of spend over 12 first-touch conversions (3,399.125) read 3,399.12
where the catalog's cost KPIs read 3,399.13 (the demo's golden attribution file)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from leadpilot import pilot

CENT = Decimal("0.01")


def _cents(amount: float, per: float = 1.0) -> float:
    exact = Decimal(repr(round(amount, 6))) / Decimal(repr(per))
    return float(exact.quantize(CENT, rounding=ROUND_HALF_UP))


def test_cost_per_conversion_spend_and_revenue_are_cents_half_up():
    with pilot.demo() as lp:
        rows = lp.attribution_result(models=["first_touch", "linear", "markov"]).rows
    costed = [r for r in rows if r["spend"] is not None and r["conversions"]]
    assert costed  # the demo's paid channels
    for r in costed:
        assert r["cost_per_conversion"] == _cents(r["spend"], r["conversions"]), r
    for r in rows:
        assert r["revenue"] == _cents(r["revenue"]), r
    assert _cents(40_789.5, 12.0) == 3399.13  # the golden file's first-touch events
