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


def test_french_terminal_punctuation_and_decimals(make_workspace, tmp_path):
    """French puts a space before ':' and ';' and writes decimals with a comma, the
    p-values included ('< 0,001', '0,660')."""
    from typer.testing import CliRunner

    from leadpilot.cli import app

    src = tmp_path / "src"
    src.mkdir()
    leads = ["lead_id,created_at,channel"]
    leads += [f"L{i},2025-0{1 + i % 6}-{10 + i % 9},seo" for i in range(60)]
    events = ["lead_id,stage,ts"] + [f"L{i},mql,2025-0{1 + i % 6}-20" for i in range(0, 60, 2)]
    (src / "leads.csv").write_text("\n".join(leads) + "\n")
    (src / "stage_events.csv").write_text("\n".join(events) + "\n")
    ws = make_workspace()
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
    out = CliRunner().invoke(app, ["diagnose", "-w", str(ws), "--current", "2025-Q2",
                                   "--previous", "2025-Q1", "--lang", "fr"],
                             env={"COLUMNS": "200"}).stdout  # fmt: skip
    assert " ; " in out.splitlines()[1]  # au ... ; 2025-Q1 lue au ...
    # the KPI named as the catalog names it in French ('lead_to_mql': 'Lead → MQL')
    p_cells = [line.split("│")[-2].strip() for line in out.splitlines() if "│ Lead → MQL " in line]
    assert p_cells and all("." not in p for p in p_cells) and any("," in p for p in p_cells)
