"""A date range that starts or ends inside a period: the row of that period counts the
range's days only, under the whole period's label ('2025-Q1' held 1,295 of its 2,089
leads from February 15) — said, and the range kept in meta."""

from __future__ import annotations

from datetime import date, timedelta

from helpers import write_config
from hypothesis import given
from hypothesis import strategies as st

import leadpilot
from leadpilot.metrics.compute import period_bounds, period_label

PERIODS = ("day", "week", "month", "quarter", "year")


@given(st.dates(date(1990, 1, 1), date(2090, 12, 31)), st.sampled_from(PERIODS))
def test_period_bounds_are_the_first_and_last_day_of_the_label(day, period):
    first, last = period_bounds(day, period)
    assert first <= day <= last
    assert period_label(first, period) == period_label(last, period) == period_label(day, period)
    assert period_label(first - timedelta(1), period) != period_label(day, period)
    assert period_label(last + timedelta(1), period) != period_label(day, period)


def test_a_range_cutting_periods_is_said(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    days = [date(2025, 1, 1) + timedelta(days=i) for i in range(0, 181, 3)]
    (src / "leads.csv").write_text(
        "lead_id,created_at\n" + "".join(f"L{i},{d.isoformat()}\n" for i, d in enumerate(days))
    )
    ws = write_config(tmp_path / "ws", "duckdb").parent
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
        cut = lp.kpi_result(kpis=["leads"], period="quarter", date_from="2025-02-15",
                            date_to="2025-05-15")  # fmt: skip
        whole = lp.kpi_result(kpis=["leads"], period="quarter", date_from="2025-01-01",
                              date_to="2025-06-30")  # fmt: skip
    rows = {r["period"]: r["leads"] for r in cut.rows}
    assert rows == {
        "2025-Q1": sum(date(2025, 2, 15) <= d <= date(2025, 3, 31) for d in days),
        "2025-Q2": sum(date(2025, 4, 1) <= d <= date(2025, 5, 15) for d in days),
    }
    (note,) = [w for w in cut.warnings if w.code == "period_cut"]
    assert note == (
        "the date range cuts 2 quarter(s): 2025-Q1 counts from 2025-02-15 only; 2025-Q2 "
        "counts up to 2025-05-15 only, not the whole quarter"
    )
    assert cut.meta["date_from"] == "2025-02-15" and cut.meta["date_to"] == "2025-05-15"
    assert not [w for w in whole.warnings if w.code == "period_cut"]  # whole quarters
    from leadpilot.i18n import message_in

    assert message_in(note, "fr") == (
        "la plage de dates coupe 2 trimestre(s) : 2025-Q1 ne compte qu'à partir du "
        "2025-02-15 ; 2025-Q2 ne compte que jusqu'au 2025-05-15, pas le trimestre entier"
    )
