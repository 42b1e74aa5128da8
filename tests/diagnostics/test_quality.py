"""Data-quality findings, each with its count and an example record."""

from __future__ import annotations

from helpers import write_config

import leadpilot
from leadpilot.diagnostics.quality import QUALITY_KINDS, quality_findings


def test_quality_findings_on_a_messy_workspace(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "leads.csv").write_text(
        "lead_id,created_at,email,channel\n"
        "L1,2025-01-05,a@x.com,email\nL2,2025-01-10,a@x.com,email\n"  # duplicate e-mail
        "L3,2025-01-12,c@x.com,\nL4,2025-04-02,d@x.com,\n"  # no channel; Feb, Mar empty
    )
    (src / "stage_events.csv").write_text("lead_id,stage,ts\nL3,sql,2025-01-20\n")  # no mql
    (src / "deals.csv").write_text(
        "deal_id,lead_id,created_at,status,closed_at,amount\nD1,L4,2025-03-30,won,2025-04-20,900\n"
    )
    ws = tmp_path / "ws"
    write_config(ws)
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
        found = {f.code: f for f in quality_findings(lp.tables())}
    assert set(found) == {"dq_deal_before_lead", "dq_skipped_stages", "dq_unknown_channel",
                          "dq_duplicates_merged", "dq_empty_periods"}  # fmt: skip
    assert found["dq_deal_before_lead"].evidence["count"] == 1
    assert "deal D1 of lead L4" in found["dq_deal_before_lead"].explanation("en")
    assert "sql without mql: 1" in found["dq_skipped_stages"].explanation("en")
    assert found["dq_unknown_channel"].evidence["share"] == 2 / 3  # L2 merged into L1
    assert "L2 merged into L1" in found["dq_duplicates_merged"].explanation("en")
    assert found["dq_empty_periods"].evidence["months"] == ["2025-02", "2025-03"]
    assert "en févr. 2025, mars 2025, entre" in found["dq_empty_periods"].explanation("fr")
    assert "in Feb 2025, Mar 2025, between" in found["dq_empty_periods"].explanation("en")


def test_quality_kinds_speak_both_languages():
    for kind in QUALITY_KINDS.values():
        assert kind.title.fr != kind.title.en and kind.actions
