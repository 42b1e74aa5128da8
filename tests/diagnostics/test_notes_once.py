"""diagnose says a note both periods give once (the KPIs of each period were computed
apart, and the notes of both were kept side by side: 'no spend loaded' twice)."""

from __future__ import annotations

import leadpilot


def test_a_note_of_both_periods_is_said_once(make_workspace, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    leads = ["lead_id,created_at,channel"]
    leads += [f"L{i},2025-0{1 + i % 6}-{10 + i % 9},seo" for i in range(40)]
    (src / "leads.csv").write_text("\n".join(leads) + "\n")
    ws = make_workspace()
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
        result = lp.diagnosis(current="2025-Q2", previous="2025-Q1")
    warnings = [str(w) for w in result.meta["warnings"]]
    assert warnings and len(warnings) == len(set(warnings))
    assert any("spend" in w for w in warnings)  # no spend loaded: said, once
