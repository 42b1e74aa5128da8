"""diagnose, plan and forecast from the command line (in process) and from Python."""

from __future__ import annotations

import json

import pytest
from helpers import build, write_config

LATER = {"channel": "email", "n": 1, "month": "2025-09"}


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    import leadpilot

    base = tmp_path_factory.mktemp("diag-cli")
    groups = [
        {"channel": "email", "n": 400, "mql": 200, "sql": 120, "opportunity": 90,
         "customers": 60, "basket": 5000, "month": "2025-01", "spend": 8000},
        {"channel": "email", "n": 800, "mql": 300, "sql": 120, "opportunity": 80,
         "customers": 48, "basket": 5000, "month": "2025-04", "spend": 9000},
        LATER,
    ]  # fmt: skip
    folder = build(base / "data", groups)
    write_config(base / "ws")
    with leadpilot.open(base / "ws") as lp:
        lp.ingest(folder)
    return base / "ws"



def test_diagnose_json_contract_and_fail_on(cli, ws):
    args = ["diagnose", "-w", str(ws), "--current", "2025-Q2", "--previous", "2025-Q1"]
    code, out, _ = cli(*args, "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert set(doc) == {"rows", "meta"}
    meta = doc["meta"]
    codes = {f["code"] for f in meta["findings"]}
    assert {"volume_up_revenue_flat", "conversion_drop"} <= codes
    f = next(f for f in meta["findings"] if f["code"] == "conversion_drop")
    assert f["explanation_fr"].startswith("Le taux de closing") and f["actions_fr"]
    assert meta["worst_severity"] == "high"
    d = meta["decomposition"]["customers"]
    assert sum(d["effects"].values()) == pytest.approx(d["after"] - d["before"])
    leads = next(r for r in doc["rows"] if r["kpi"] == "leads")
    assert (leads["previous"], leads["current"]) == (400, 800)
    # a scheduler's alert: exit 8 at --fail-on high, one line on stderr naming the codes
    code, _, err = cli(*args, "--fail-on", "high")
    assert code == 8 and "conversion_drop" in err
    code, _, err = cli(*args, "--fail-on", "severe")
    assert code == 2 and "--fail-on" in err


def test_diagnose_table_markdown_and_french(cli, ws):
    args = ["diagnose", "-w", str(ws), "--current", "2025-Q2", "--previous", "2025-Q1"]
    code, out, _ = cli(*args)
    assert code == 0 and "[HIGH] Conversion dropped" in out and "KPIs of both periods" in out
    code, out, _ = cli(*args, "--lang", "fr", "--format", "markdown")
    assert code == 0
    assert out.startswith("# Diagnostic — 2025-Q2 vs 2025-Q1")
    assert "**[ÉLEVÉ] La conversion a baissé**" in out
    assert "| Leads | 400 | 800 |" in out  # the KPI named as the catalog names it in French
    assert "| Coût par lead |" in out and "| cpl |" not in out


def test_plan_and_forecast_commands(cli, ws):
    code, out, _ = cli("plan", "-w", str(ws), "--target-revenue", "100000", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["meta"]["plan"] == "reverse_funnel" and doc["rows"][0]["channel"] == "email"
    code, out, _ = cli("plan", "-w", str(ws), "--target-revenue", "100000", "--lang", "fr")
    assert code == 0 and "Entonnoir inversé" in out
    code, _, err = cli("plan", "-w", str(ws))
    assert code == 2 and "exactly one of --target-revenue and --budget" in err
    code, out, _ = cli("forecast", "-w", str(ws), "--months", "3", "--format", "json")
    assert code == 0 and len(json.loads(out)["rows"]) == 4
    code, out, _ = cli("forecast", "-w", str(ws), "--months", "3")
    assert code == 0 and "Pipeline forecast" in out


def test_python_api(ws):
    import leadpilot

    with leadpilot.open(ws) as lp:
        r = lp.diagnosis(current="2025-Q2", previous="2025-Q1")
        df = r.to_frame()
    assert {"kpi", "previous", "current", "change", "p_value"} <= set(df.columns)
    assert df.attrs["meta"]["findings"]


@pytest.mark.parametrize("width", [60, 80, 200])
def test_the_plan_fits_the_terminal_without_cutting_a_number(ws, width):
    """At 80 columns the plan's columns were cut ('€16,…', 'chann…'): they are split into
    tables that fit, each number whole."""
    from rich.console import Console

    import leadpilot
    from leadpilot.results.diagnosis import show_plan
    from leadpilot.results.terminal import Terminal

    with leadpilot.open(ws) as lp:
        result = lp.plan(target_revenue=1_000_000)
    console = Console(width=width, color_system=None, record=True)
    term = Terminal(console, "en", "EUR")
    show_plan(term, result)
    text = console.export_text()
    assert "…" not in text
    budget = term.fmt.money(result.meta["totals"]["budget"])
    assert budget in text and "leads_needed" in text
    assert max(len(line) for line in text.splitlines()) <= width


def test_terminal_changes_write_counts_whole_and_no_sign_on_zero():
    """'clients : 190 → 204 (+14,0)' read like a fraction of a customer, and a change of
    −0.025 points read '−0,0 pts': counts are whole, a zero as written has no sign."""
    from leadpilot.i18n import Formatter
    from leadpilot.results.diagnosis import _change, _effects_line

    fr = Formatter("fr", "EUR")
    d = {"measure": "customers", "before": 190, "after": 204, "change": 14,
         "effects": {"volume": 14.7, "conversion": -0.7}}  # fmt: skip
    line = _effects_line(d, fr, None)
    assert "(+14)" in line and "+14,7" in line, line
    assert _change(-0.00025, "fraction", fr) == "0,0 pts"
    assert _change(0.026, "fraction", fr) == "+2,6 pts"
