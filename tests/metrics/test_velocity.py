"""Velocity: durations among converters and Kaplan–Meier conversion by age."""

from __future__ import annotations

import pytest

import leadpilot


def test_durations_and_kaplan_meier(make_workspace, tmp_path):
    """A wins at day 10, B at day 40; C and D are still open on the as-of date (day 40).

    Kaplan–Meier by hand: day 10, 1 event among 4 at risk -> S = 3/4; day 40, 1 event among
    3 at risk (C and D are censored at 40, after the event) -> S = 3/4 * 2/3 = 1/2.
    """
    src = tmp_path / "v"
    src.mkdir()
    (src / "leads.csv").write_text(
        "lead_id,created_at,channel\nA,2025-01-01,x\nB,2025-01-01,x\nC,2025-01-01,x\n"
        "D,2025-01-01,x\n"
    )
    (src / "deals.csv").write_text(
        "deal_id,lead_id,created_at,status,closed_at,amount\n"
        "DA,A,2025-01-05,won,2025-01-11,100\nDB,B,2025-01-21,won,2025-02-10,100\n"
    )
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        result = lp.velocity_result()
        df = lp.velocity()
    r = result.rows[0]
    assert r["sales_cycle_days"] == 25 and r["sales_cycle_days_mean"] == 25
    assert r["sales_cycle_days_p75"] == pytest.approx(32.5)
    assert r["sales_cycle_days_n"] == 2
    assert r["opportunity_cycle_days"] == pytest.approx((6 + 20) / 2)
    assert r["customer_by_day_30"] == pytest.approx(0.25)
    # no lead was seen beyond day 40: days 60 and 180 are unknown, not day 40's 1/2
    # carried forward
    assert r["customer_by_day_60"] is None and r["customer_by_day_180"] is None
    assert result.as_of.startswith("2025-02-10")
    assert df.loc[0, "sales_cycle_days"] == 25
    assert "Kaplan" in result.to_json()["meta"]["definitions"]["<stage>_by_day_<N>"]


def test_velocity_by_dimension_matches_pandas(make_workspace, tmp_path):
    import pandas as pd

    from leadpilot.synth import generate, write_tables

    data = tmp_path / "g"
    write_tables(generate(1500, seed=3), data, fmt="parquet")
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(data)
        rows = {r["channel"]: r for r in lp.velocity_result(by=["channel"]).rows}
        leads = lp.table("leads")
        ev = lp.table("stage_events")
        deals = lp.table("deals")
    counted = leads[leads.merged_into.isna() & leads.excluded_reason.isna()]
    key = leads.set_index("lead_id")["merged_into"].fillna(
        leads.set_index("lead_id").index.to_series()
    )
    ev["lk"] = ev.lead_id.map(key)
    deals["lk"] = deals.lead_id.map(key)
    cust = pd.concat(
        [
            ev[ev.stage == "customer"].groupby("lk").ts.min(),
            deals[deals.status == "won"].groupby("lk").closed_at.min(),
        ],
        axis=1,
    ).min(axis=1)
    c = counted.assign(won=counted.lead_id.map(cust)).dropna(subset=["won"])
    days = (c.won - c.created_at).dt.total_seconds() / 86400
    expected = days.groupby(c.channel).median()
    for channel, med in expected.items():
        assert rows[channel]["sales_cycle_days"] == pytest.approx(med, abs=0.01), channel


def test_duration_kpis_by_period_in_both_views(make_workspace, tmp_path):
    """Durations are catalog KPIs: the cohort view groups them by the lead's creation month,
    the activity view by the month the later stage was reached."""
    src = tmp_path / "v"
    src.mkdir()
    (src / "leads.csv").write_text(
        "lead_id,created_at,channel\nA,2025-01-01,x\nB,2025-01-01,x\nC,2025-02-01,x\n"
    )
    (src / "deals.csv").write_text(
        "deal_id,lead_id,created_at,status,closed_at,amount\n"
        "DA,A,2025-01-05,won,2025-01-11,100\n"  # 10 days, won in January
        "DB,B,2025-01-21,won,2025-02-10,100\n"  # 40 days, won in February
        "DC,C,2025-02-02,won,2025-02-21,100\n"  # 20 days, won in February
    )
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        cohort = lp.kpi_result(kpis=["sales_cycle_days", "leads"], period="month")
        activity = lp.kpi_result(kpis=["sales_cycle_days"], period="month", view="activity")
        meta = cohort.to_json()["meta"]
    by_month = {r["period"]: r for r in cohort.rows}
    assert by_month["2025-01"]["sales_cycle_days"] == 25  # A and B, created in January
    assert by_month["2025-01"]["sales_cycle_days_n"] == 2
    assert by_month["2025-01"]["sales_cycle_days_p75"] == pytest.approx(32.5)
    assert by_month["2025-02"]["sales_cycle_days"] == 20
    won = {r["period"]: r for r in activity.rows}
    assert won["2025-01"]["sales_cycle_days"] == 10  # A, won in January
    assert won["2025-02"]["sales_cycle_days"] == 30  # B (40) and C (20), won in February
    assert won["2025-02"]["sales_cycle_days_mean"] == 30
    assert "among the customers" in meta["definitions"]["sales_cycle_days"]


def test_conversion_by_day_n_counts_what_happened_within_n_days(make_workspace, tmp_path):
    """'Within 30 days of creation': C converts at 29.9 days and B at 30.0 (counted), A at
    30.5 (not: ages were rounded down to whole days, so A counted too). D is still open
    (seen 180 days), E created on the as-of day. By hand: day 30, 2 events among A, B, C,
    D at risk (E is censored at once) -> 2/4 converted; day 31, A among A and D -> 3/4."""
    src = tmp_path / "v"
    src.mkdir()
    (src / "leads.csv").write_text(
        "lead_id,created_at\nA,2025-01-01\nB,2025-01-01\nC,2025-01-01\nD,2025-01-01\n"
        "E,2025-06-30\n"
    )
    (src / "stage_events.csv").write_text(
        "lead_id,stage,ts\nA,customer,2025-01-31 12:00:00\nB,customer,2025-01-31 00:00:00\n"
        "C,customer,2025-01-30 21:36:00\n"
    )
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        (r,) = lp.velocity_result().rows
    assert r["customer_by_day_30"] == pytest.approx(0.5)
    assert r["customer_by_day_60"] == pytest.approx(0.75)
