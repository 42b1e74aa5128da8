"""Stage events and deals dated before their lead's creation are kept by ingest; velocity
and the duration KPIs leave the negative durations out and say how many (issue 9, #5)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

import leadpilot

LEADS = (
    "lead_id,created_at,channel\nA,2025-01-10,x\nB,2025-01-10,x\nC,2025-01-10,y\nD,2025-01-10,y\n"
)
# A: MQL five days before creation, and a deal won a day before it (a CRM whose contact
# date is the last update, not the creation); B and C: consistent; D: open
EVENTS = "lead_id,stage,ts\nA,mql,2025-01-05\nB,mql,2025-01-15\nC,mql,2025-01-11\n"
DEALS = (
    "deal_id,lead_id,created_at,status,closed_at,amount\n"
    "DA,A,2025-01-08,won,2025-01-09,100\n"
    "DB,B,2025-01-20,won,2025-02-10,100\n"
    "DC,C,2025-01-12,won,2025-01-30,100\n"
)


@pytest.fixture
def ws(shared_workspaces, backend_kind):
    """The inconsistent dates' workspace, shared by the module's tests (they only read it)."""

    def ingest(path):
        src = path.parent / f"{path.name}-src"
        src.mkdir()
        for name, text in (("leads", LEADS), ("stage_events", EVENTS), ("deals", DEALS)):
            (src / f"{name}.csv").write_text(text)
        with leadpilot.open(path) as lp:
            lp.ingest(src)

    return shared_workspaces.get(backend_kind, "dates", ingest)


def pandas_durations() -> dict[str, pd.Series]:
    """Days from creation to MQL (own or implied by the deal) and to the won date."""
    leads, ev, deals = (pd.read_csv(io.StringIO(t)) for t in (LEADS, EVENTS, DEALS))
    created = pd.to_datetime(leads.set_index("lead_id").created_at)
    deal_at = pd.to_datetime(deals.set_index("lead_id").created_at)
    won_at = pd.to_datetime(deals.set_index("lead_id").closed_at)
    mql = pd.to_datetime(ev.set_index("lead_id").ts)
    mql = pd.concat([mql, deal_at, won_at], axis=1).min(axis=1)  # a deal implies MQL
    return {
        "days_to_mql": (mql - created.reindex(mql.index)).dt.days,
        "sales_cycle_days": (won_at - created.reindex(won_at.index)).dt.days,
    }


def test_negative_durations_left_out_and_counted(ws):
    with leadpilot.open(ws) as lp:
        result = lp.velocity_result()
        kpis = lp.kpi_result(kpis=["days_to_mql", "sales_cycle_days"])
        activity = lp.kpi_result(kpis=["days_to_mql"], view="activity", period="month")
    r = result.rows[0]
    for name, days in pandas_durations().items():
        kept, left_out = days[days >= 0], int((days < 0).sum())
        assert r[f"{name}_n"] == len(kept) == kpis.rows[0][f"{name}_n"], name
        assert r[name] == pytest.approx(kept.median()), name
        assert r[f"{name}_mean"] == pytest.approx(kept.mean()), name
        note = f"{name}: {left_out} duration(s) left out"
        assert any(w.startswith(note) and "before the lead's creation" in w
                   for w in result.warnings), name  # fmt: skip
        assert any(w.startswith(note) for w in kpis.warnings), name
    # activity view (grouped by the MQL's month): counted too
    assert {r["period"] for r in activity.rows} == {"2025-01"}
    assert activity.rows[0]["days_to_mql_n"] == 2
    assert any(w.startswith("days_to_mql: 1 duration(s) left out") for w in activity.warnings)
    assert any(w.startswith("customer_by_day_<N>: 1 lead(s) left out") for w in result.warnings), (
        result.warnings
    )
    # Kaplan–Meier without A: B wins at day 31, C at day 20, D open (censored at 31)
    assert r["customer_by_day_30"] == pytest.approx(1 / 3)
    assert r["customer_by_day_60"] is None  # nobody seen 60 days: the curve stops at 31


def test_by_group_and_json(ws):
    with leadpilot.open(ws) as lp:
        doc = lp.velocity_result(by=["channel"]).to_json()
    rows = {r["channel"]: r for r in doc["rows"]}
    assert rows["x"]["sales_cycle_days_n"] == 1 and rows["x"]["sales_cycle_days"] == 31
    assert rows["y"]["sales_cycle_days"] == 20
    assert {f"customer_by_day_{h}" for h in (30, 60, 90, 180)} <= set(rows["x"])
    assert any("left out" in w for w in doc["meta"]["warnings"])
