"""DuckDB and PostgreSQL give identical workspaces and identical KPIs."""

from __future__ import annotations

import pytest
from helpers import write_config

import leadpilot
from leadpilot.synth import generate, write_tables


def load(ws, data):
    with leadpilot.open(ws) as lp:
        summary = lp.ingest(data)
        kpis = {
            key: lp.kpi_result(by=by, period=period).rows
            for key, (by, period) in {
                "channel": (["channel"], "all"),
                "campaign_month": (["campaign"], "month"),
                "industry_week": (["industry"], "week"),
            }.items()
        }
        leads = lp.table("leads").sort_values("lead_id").reset_index(drop=True)
    return summary.as_dict(), kpis, leads


def test_duckdb_and_postgres_agree(tmp_path, pg_url):
    data = tmp_path / "data"
    write_tables(generate(1500, seed=5), data, fmt="csv")
    duck = load(write_config(tmp_path / "duck").parent, data)
    pg = load(write_config(tmp_path / "pg", pg_url).parent, data)
    assert duck[0] == pg[0]
    for key in duck[1]:
        assert len(duck[1][key]) == len(pg[1][key]), key
        for a, b in zip(duck[1][key], pg[1][key], strict=True):
            assert a.keys() == b.keys()
            for k in a:
                if isinstance(a[k], float):
                    assert a[k] == pytest.approx(b[k], rel=1e-12, abs=1e-9), (key, k)
                else:
                    assert a[k] == b[k], (key, k)
    cols = ["lead_id", "channel", "merged_into", "excluded_reason", "email_norm", "industry"]
    assert duck[2][cols].astype(str).values.tolist() == pg[2][cols].astype(str).values.tolist()
