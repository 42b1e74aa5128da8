"""A duration's mean, median and p75 are rounded to the hundredth the same way on every
engine, whatever the order it added the rows in. Five customers of the Zoho example have
a sales cycle whose mean is exactly 662.395 days (132,479 / 200): DuckDB added their days
as 662.39499999... and said 662.39, PostgreSQL as 662.3950000...1 and said 662.4; added
in another order, DuckDB said 662.4 too. Exact halves go up (662.40), as amounts do."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

import leadpilot
from leadpilot.metrics.compute import hundredths

pytestmark = pytest.mark.spark  # the backend fixture's third engine

SECONDS = [41_903_520, 39_570_660, 71_193_060, 69_983_400, 63_504_000]  # lead -> customer
START = datetime(2018, 1, 1)


def _workspace(make_workspace, order: list[int]):
    ws = make_workspace()
    lp = leadpilot.open(ws, create=True)
    ids = [f"L{i}" for i in order]
    lp.ingest_records("leads", [{"lead_id": i, "created_at": START.isoformat(),
                                 "channel": "email"} for i in ids])  # fmt: skip
    lp.ingest_records("stage_events", [
        {"lead_id": f"L{i}", "stage": "customer",
         "ts": (START + timedelta(seconds=SECONDS[i])).isoformat()}
        for i in order
    ])  # fmt: skip
    return lp


@pytest.mark.parametrize("order", [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0]], ids=["as-read", "reversed"])
def test_a_mean_at_an_exact_half_reads_the_same_on_every_engine(make_workspace, order):
    exact = Fraction(sum(SECONDS), 5 * 86_400)
    assert exact == Fraction(132_479, 200)  # 662.395 days
    exact_days = Decimal(exact.numerator) / Decimal(exact.denominator)
    expected = float(exact_days.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    with _workspace(make_workspace, order) as lp:
        (row,) = lp.kpi_result(by=["channel"], kpis=["sales_cycle_days"]).rows
    assert row["sales_cycle_days_n"] == 5
    assert row["sales_cycle_days_mean"] == expected == 662.4
    # the median of five is the third of them, sorted: 63,504,000 s = 735.0 days
    assert row["sales_cycle_days"] == 735.0


def test_hundredths_absorb_the_order_of_a_sum():
    below, above = 0.0, 0.0
    for s in SECONDS:
        below += s / 86_400
    for s in reversed(SECONDS):
        above += s / 86_400
    assert below / 5 != above / 5  # the engine's float sums differ in the last digit
    assert round(below / 5, 2) != round(above / 5, 2)  # and Python's round followed them
    assert hundredths(below / 5) == hundredths(above / 5) == 662.4
    assert hundredths(-2.345) == -2.35 and hundredths(3) == 3.0
