"""The article's cases, rebuilt as small workspaces and diagnosed end to end."""

from __future__ import annotations

import pytest
from helpers import build, write_config

import leadpilot
from leadpilot.diagnostics.compare import compare, default_periods, parse_period
from leadpilot.errors import UsageError

LATER = {"channel": "email", "n": 1, "month": "2025-09"}  # data runs past both quarters


def _ws(tmp_path, groups, **settings):
    folder = build(tmp_path / "data", groups)
    ws = tmp_path / "ws"
    write_config(ws, **settings)
    with leadpilot.open(ws) as lp:
        lp.ingest(folder)
    return ws


def _codes(c):
    return {f.code for f in c.findings}


def test_400_to_800_leads_while_closing_falls(tmp_path):
    ws = _ws(tmp_path, [
        {"channel": "email", "n": 400, "mql": 200, "sql": 120, "opportunity": 90,
         "customers": 60, "basket": 5000, "month": "2025-01"},
        {"channel": "email", "n": 800, "mql": 300, "sql": 120, "opportunity": 80,
         "customers": 48, "basket": 5000, "month": "2025-04"},
        LATER,
    ])  # fmt: skip
    with leadpilot.open(ws) as lp:
        c = compare(lp.tables(), lp.config, current="2025-Q2", previous="2025-Q1")
    assert {"volume_up_revenue_flat", "conversion_drop"} <= _codes(c)
    d = c.customers_decomposition
    assert (d.before, d.after) == (60, 48)
    assert sum(d.effects.values()) == pytest.approx(-12)
    assert sum(c.decomposition.effects.values()) == pytest.approx(48 * 5000 - 60 * 5000)
    leads = next(r for r in c.rows if r["kpi"] == "leads")
    assert (leads["previous"], leads["current"], leads["change"]) == (400, 800, 400)
    closing = next(r for r in c.rows if r["kpi"] == "lead_to_customer")
    assert closing["p_value"] < 0.001 and closing["test"] == "two-proportion z-test"


def test_acceptance_below_the_agreed_threshold(tmp_path):
    """200 MQL transmitted, 120 accepted (60 %) against the 70 % agreed."""
    ws = _ws(tmp_path, [
        {"channel": "email", "n": 500, "mql": 200, "sal": 170, "sql": 100, "customers": 20,
         "month": "2025-01"},
        {"channel": "email", "n": 500, "mql": 200, "sal": 120, "sql": 100, "customers": 20,
         "month": "2025-04"},
        LATER,
    ], stages={"acceptance_threshold": 0.7})  # fmt: skip
    with leadpilot.open(ws) as lp:
        c = compare(lp.tables(), lp.config, current="2025-Q2", previous="2025-Q1")
    (f,) = [f for f in c.findings if f.code == "acceptance_below_threshold"]
    assert (f.evidence["accepted"], f.evidence["transmitted"]) == (120, 200)


def test_same_volume_better_conversion_raises_nothing_alarming(tmp_path):
    ws = _ws(tmp_path, [
        {"channel": "email", "n": 600, "mql": 300, "sql": 120, "opportunity": 70,
         "customers": 30, "month": "2025-01"},
        {"channel": "email", "n": 610, "mql": 330, "sql": 180, "opportunity": 110,
         "customers": 61, "month": "2025-04"},
        LATER,
    ])  # fmt: skip
    with leadpilot.open(ws) as lp:
        c = compare(lp.tables(), lp.config, current="2025-Q2", previous="2025-Q1")
    assert "quality_improving" in _codes(c)
    assert not [f for f in c.findings if f.severity in ("high", "medium", "low")]


def test_cheap_campaign_costs_more_per_customer(tmp_path):
    """A: CPL 20, 500 leads, 15 sales; B: CPL 80, 150 leads, 25 sales (both quarters)."""
    groups = []
    for month in ("2025-01", "2025-04"):
        groups += [
            {"channel": "paid_social", "campaign": "A", "n": 500, "mql": 100, "customers": 15,
             "spend": 10_000, "basket": 4000, "month": month},
            {"channel": "paid_search", "campaign": "B", "n": 150, "mql": 80, "customers": 25,
             "spend": 12_000, "basket": 4000, "month": month},
        ]  # fmt: skip
    ws = _ws(tmp_path, [*groups, LATER])
    with leadpilot.open(ws) as lp:
        c = compare(lp.tables(), lp.config, current="2025-Q2", previous="2025-Q1", by="campaign")
    cheap = [f for f in c.findings if f.code == "cheap_leads_expensive_customers"]
    assert [f.group for f in cheap] == [{"campaign": "A"}]


def test_inbound_outbound_sql_rates(tmp_path):
    """Inbound 800 leads -> 120 SQL against outbound 200 -> 90: outbound's SQL rate is
    three times inbound's, and the comparison rows say so by channel."""
    groups = []
    for month in ("2025-01", "2025-04"):
        groups += [
            {"channel": "inbound", "n": 800, "mql": 300, "sql": 120, "month": month},
            {"channel": "outbound", "n": 200, "mql": 150, "sql": 90, "month": month},
        ]
    ws = _ws(tmp_path, [*groups, LATER])
    with leadpilot.open(ws) as lp:
        c = compare(lp.tables(), lp.config, current="2025-Q2", previous="2025-Q1", by="channel")
    sqls = {r["channel"]: r["current"] for r in c.rows if r["kpi"] == "sqls"}
    leads = {r["channel"]: r["current"] for r in c.rows if r["kpi"] == "leads"}
    assert sqls["inbound"] / leads["inbound"] == 0.15
    assert sqls["outbound"] / leads["outbound"] == 0.45
    assert not [f for f in c.findings if f.severity in ("high", "medium")]


def test_periods():
    assert parse_period("2025-q2").start.isoformat() == "2025-04-01"
    assert parse_period("2025-02").end.isoformat() == "2025-02-28"
    assert parse_period("2024").end.isoformat() == "2024-12-31"
    assert parse_period("2025-Q1").before().label == "2024-Q4"
    assert parse_period("2025-03").year_before().label == "2024-03"
    from datetime import datetime

    cur, prev = default_periods(datetime(2025, 8, 14))
    assert (cur.label, prev.label) == ("2025-Q2", "2025-Q1")
    cur, _ = default_periods(datetime(2025, 6, 30, 23))
    assert cur.label == "2025-Q2"
    with pytest.raises(UsageError, match="expected a quarter"):
        parse_period("Q2 2025")
