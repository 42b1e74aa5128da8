"""A CRM-only workspace (no touchpoints): engagement is unknown, never 0 %."""

from __future__ import annotations

import leadpilot
from helpers import build, write_config


def test_engagement_and_retention_are_null_without_touchpoints(tmp_path):
    folder = build(tmp_path / "data", [{"channel": "email", "n": 40, "mql": 10, "customers": 3}])
    ws = tmp_path / "ws"
    write_config(ws)
    with leadpilot.open(ws) as lp:
        lp.ingest(folder)
        kpis = lp.kpis(kpis=["leads", "engagement_rate", "email_open_rate", "touches_per_lead"])
        retention = lp.retention()
    row = kpis.iloc[0]
    assert row.leads == 40
    for name in ("engagement_rate", "email_open_rate", "touches_per_lead"):
        assert row[name] is None or row[name] != row[name], name  # null, not 0
    assert any("no touchpoints loaded" in w for w in kpis.attrs["meta"]["warnings"])
    months = [c for c in retention.columns if c.startswith("month_")]
    assert retention[months].isna().all().all()
    assert any("no touchpoints loaded" in w for w in retention.attrs["meta"]["warnings"])
