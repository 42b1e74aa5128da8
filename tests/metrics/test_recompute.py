"""The engine's headline KPIs match an independent plain-pandas recomputation
on a generated workspace, on DuckDB and PostgreSQL."""

from __future__ import annotations

import pandas as pd
import pytest

import leadpilot
from leadpilot.synth import generate, write_tables

STAGES_AFTER = {
    "mql": ["mql", "sal", "sql", "opportunity", "customer"],
    "sql": ["sql", "opportunity", "customer"],
    "customer": ["customer"],
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen")
    write_tables(generate(3000, seed=11), out, fmt="parquet")
    return out


def pandas_headline(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    leads = tables["leads"]
    key = leads.set_index("lead_id")["merged_into"].fillna(
        leads.set_index("lead_id").index.to_series()
    )
    counted = leads[leads.merged_into.isna() & leads.excluded_reason.isna()].copy()
    ev = tables["stage_events"].copy()
    ev["lk"] = ev.lead_id.map(key)
    deals = tables["deals"].copy()
    deals["lk"] = deals.lead_id.map(key)
    has_deal = set(deals.lk)
    won = deals[deals.status == "won"]
    won_leads = set(won.lk)
    for name, stages in STAGES_AFTER.items():
        reached = set(ev[ev.stage.isin(stages)].lk)
        reached |= won_leads if name == "customer" else has_deal | won_leads
        counted[name] = counted.lead_id.isin(reached)
    revenue = won.groupby("lk")["amount"].sum()
    counted["revenue"] = counted.lead_id.map(revenue).fillna(0.0)
    counted["period"] = (
        pd.to_datetime(counted.created_at).dt.to_period("Q").astype(str).str.replace("Q", "-Q")
    )
    g = counted.groupby(["period", "channel"]).agg(
        leads=("lead_id", "size"),
        mqls=("mql", "sum"),
        sqls=("sql", "sum"),
        customers=("customer", "sum"),
        revenue=("revenue", "sum"),
    )
    spend = tables["spend"].copy()
    spend["period"] = (
        pd.to_datetime(spend.date).dt.to_period("Q").astype(str).str.replace("Q", "-Q")
    )
    s = spend.groupby(["period", "channel"])["amount"].sum().rename("spend")
    # a group without a spend row has no spend recorded: NaN (null), not 0
    out = g.join(s, how="outer").fillna(
        {"leads": 0, "mqls": 0, "sqls": 0, "customers": 0, "revenue": 0.0}
    )
    out["cpl"] = (out.spend / out.leads).where(out.leads > 0).round(2)
    out["lead_to_customer"] = (out.customers / out.leads).where(out.leads > 0)
    return out.reset_index()


def test_engine_matches_pandas(make_workspace, generated):
    ws = make_workspace()
    with leadpilot.open(ws) as lp:
        lp.ingest(generated)
        engine = pd.DataFrame(lp.kpi_result(by=["channel"], period="quarter").rows)
        tables = {n: lp.table(n) for n in ("leads", "stage_events", "deals", "spend")}
    expected = pandas_headline(tables)
    engine = engine.set_index(["period", "channel"]).sort_index()
    expected = expected.set_index(["period", "channel"]).sort_index()
    assert list(engine.index) == list(expected.index)
    for col in ("leads", "mqls", "sqls", "customers"):
        assert engine[col].astype(int).tolist() == expected[col].astype(int).tolist(), col
    for col in ("revenue", "spend"):
        assert engine[col].isna().tolist() == expected[col].isna().tolist(), col
        assert engine[col].fillna(-1).tolist() == pytest.approx(
            expected[col].round(2).fillna(-1).tolist(), abs=0.01
        )
    assert engine["cpl"].fillna(-1).tolist() == pytest.approx(
        expected["cpl"].fillna(-1).tolist(), abs=0.005
    )
    assert engine["lead_to_customer"].fillna(-1).tolist() == pytest.approx(
        expected["lead_to_customer"].fillna(-1).tolist(), rel=1e-12
    )
    # the seeded quarter: volume doubles while the closing rate falls
    q1, q2 = (engine.xs(q, level="period") for q in ("2025-Q1", "2025-Q2"))
    assert 1.6 < q2.leads.sum() / q1.leads.sum() < 2.4
    assert q2.customers.sum() / q2.leads.sum() < q1.customers.sum() / q1.leads.sum()
