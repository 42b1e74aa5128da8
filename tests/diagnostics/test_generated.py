"""On the generated data, diagnose finds what the generator planted, and nothing alarming
where nothing was planted (situations: tests/synth/test_synth_situations.py)."""

from __future__ import annotations

import pytest

import leadpilot
from leadpilot.diagnostics.compare import compare
from leadpilot.synth import generate, write_tables


@pytest.fixture(scope="module")
def lp(tmp_path_factory):
    base = tmp_path_factory.mktemp("generated")
    write_tables(generate(10_000, seed=42), base / "data", fmt="parquet")
    with leadpilot.open(base / "ws", create=True) as p:
        p.ingest(base / "data")
    with leadpilot.open(base / "ws") as p:
        yield p


def test_the_volume_doubling_quarter_and_the_cheap_campaign(lp):
    c = compare(lp.tables(), lp.config, current="2025-Q2", previous="2025-Q1", by="campaign")
    found = {(f.code, tuple(f.group.values())) for f in c.findings}
    assert ("volume_up_revenue_flat", ()) in found and ("conversion_drop", ()) in found
    assert ("cheap_leads_expensive_customers", ("paid_social_cheap_leadgen",)) in found
    d = c.decomposition
    assert d.effects["volume"] > 0 > d.change  # twice the leads, less revenue
    assert sum(d.effects.values()) == pytest.approx(d.change)


@pytest.mark.parametrize("quarter", ["2024-Q3", "2024-Q4", "2025-Q3"])
def test_nothing_alarming_where_nothing_was_planted(lp, quarter):
    c = compare(lp.tables(), lp.config, current=quarter, by="channel")
    assert not [f.code for f in c.findings if f.severity == "high"]


def test_inbound_outbound_gap(lp):
    """Inbound brings about four times outbound's leads at a third of its SQL rate."""
    c = compare(lp.tables(), lp.config, current="2025-Q3", by="acquisition")
    rows = {(r["acquisition"], r["kpi"]): r["current"] for r in c.rows}
    rate = {a: rows[(a, "sqls")] / rows[(a, "leads")] for a in ("inbound", "outbound")}
    assert rows[("inbound", "leads")] > 2.5 * rows[("outbound", "leads")]
    assert rate["outbound"] > 2 * rate["inbound"]
