"""A CRM-only workspace (no touchpoints): engagement is unknown, never 0 %."""

from __future__ import annotations

from helpers import build, write_config

import leadpilot


def test_engagement_and_retention_are_null_without_touchpoints(tmp_path):
    folder = build(tmp_path / "data", [{"channel": "email", "n": 40, "mql": 10, "customers": 3}])
    ws = tmp_path / "ws"
    write_config(ws)
    with leadpilot.open(ws) as lp:
        lp.ingest(folder)
        kpis = lp.kpis(kpis=["leads", "engagement_rate", "email_open_rate", "touches_per_lead"])
        retention = lp.retention()
        content = lp.content_result()
    row = kpis.iloc[0]
    assert row.leads == 40
    for name in ("engagement_rate", "email_open_rate", "touches_per_lead"):
        assert row[name] is None or row[name] != row[name], name  # null, not 0
    assert any("no touchpoints loaded" in w for w in kpis.attrs["meta"]["warnings"])
    months = [c for c in retention.columns if c.startswith("month_")]
    assert retention[months].isna().all().all()
    assert any("no touchpoints loaded" in w for w in retention.attrs["meta"]["warnings"])
    # content: no row, and why (it said nothing)
    assert content.rows == [] and [w.code for w in content.warnings] == ["no_touchpoints"]
    from leadpilot.i18n import message_in

    assert message_in(content.warnings[0], "fr").startswith("aucun point de contact chargé")


def test_a_recorded_stage_date_is_never_replaced_by_an_implied_one(tmp_path):
    """With stages.implied, only a stage without a date takes the earliest later one: a
    customer dated before the recorded MQL used to move the MQL date (and lose its cycle)."""
    src = tmp_path / "s"
    src.mkdir()
    (src / "leads.csv").write_text("lead_id,created_at\nL1,2025-01-01\n")
    (src / "stage_events.csv").write_text(
        "lead_id,stage,ts\nL1,mql,2025-01-10\nL1,customer,2025-01-05\n"
    )
    ws = tmp_path / "ws"
    write_config(ws)
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
        k = lp.kpis(kpis=["days_to_mql", "sales_cycle_days"]).iloc[0]
    assert k.days_to_mql == 9.0  # the recorded MQL date, not the customer's
    assert k.sales_cycle_days == 4.0
