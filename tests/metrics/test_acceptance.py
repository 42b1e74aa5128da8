"""Acceptance only from recorded data (issue 9, #8): with no sales-acceptance data at all,
the funnel printed "10.5 % — below the agreed 60 %, review the MQL definition" because
SALs were implied by later stages."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

import leadpilot
from leadpilot.cli import app
from leadpilot.metrics.catalog import ACCEPTANCE_UNMEASURED


def write(folder, channels: dict[str, dict]):
    """Per channel: n leads, all MQL; `sal` accepted (recorded sal events), `rejected`
    rejected, `sql` reached SQL (which implies SAL)."""
    folder.mkdir(parents=True, exist_ok=True)
    leads, events = ["lead_id,created_at,channel"], ["lead_id,stage,ts,reason"]
    for ch, g in channels.items():
        for i in range(g["n"]):
            lid = f"{ch}{i}"
            leads.append(f"{lid},2025-01-02,{ch}")
            events.append(f"{lid},mql,2025-01-03,")
            if i < g.get("sal", 0):
                events.append(f"{lid},sal,2025-01-04,")
            if g.get("sal", 0) <= i < g.get("sal", 0) + g.get("rejected", 0):
                events.append(f"{lid},rejected,2025-01-04,no budget")
            if i < g.get("sql", 0):
                events.append(f"{lid},sql,2025-01-06,")
    (folder / "leads.csv").write_text("\n".join(leads) + "\n")
    (folder / "stage_events.csv").write_text("\n".join(events) + "\n")
    return folder


def test_no_acceptance_data_is_not_measured(make_workspace, tmp_path):
    # 2 of 19 MQLs reached SQL: the implied SAL rate was 10.5 %, "below the agreed 60 %"
    src = write(tmp_path / "s", {"x": {"n": 19, "sql": 2}})
    with leadpilot.open(make_workspace(stages={"acceptance_threshold": 0.6})) as lp:
        lp.ingest(src)
        result = lp.funnel_result()
        kpi = lp.kpi_result(kpis=["mql_to_sal", "sals"]).rows[0]
    (a,) = result.acceptance
    assert a["acceptance_rate"] is None and a["measured"] is False
    assert a["meets_threshold"] is None and a["reason"] == ACCEPTANCE_UNMEASURED
    assert a["mqls_transmitted"] == 19 and a["mqls_accepted"] is None
    assert not any("below" in w for w in result.warnings)
    assert any(w.startswith("acceptance not measured anywhere") for w in result.warnings)
    doc = result.to_json()
    assert doc["meta"]["acceptance"][0]["acceptance_rate"] is None
    assert "reason" in doc["meta"]["acceptance"][0]
    # the KPI says the same: null with its reason; the implied SAL count stays a count
    assert kpi["mql_to_sal"] is None and kpi["mql_to_sal_reason"] == ACCEPTANCE_UNMEASURED
    assert kpi["mql_to_sal_low"] is None and kpi["mql_to_sal_denominator"] == 19
    assert kpi["sals"] == 2
    # the funnel's MQL -> SAL step is that same unmeasured rate: no 10.5 % beside the "–"
    sal = next(r for r in result.rows if r["stage"] == "sal")
    assert sal["count"] == 2 and sal["conversion_from_previous"] is None
    assert sal["conversion_from_previous_low"] is None
    assert sal["conversion_from_lead"] == pytest.approx(2 / 19)


def test_mixed_groups_each_judged_on_their_own_data(make_workspace, tmp_path):
    src = write(
        tmp_path / "s",
        {
            "a": {"n": 10, "sal": 8},  # recorded: 8/10 accepted
            "b": {"n": 10, "sal": 1, "rejected": 5},  # recorded: 1 accepted, 5 rejected
            "c": {"n": 10, "rejected": 2},  # only rejections recorded: measured, 0/10
            "d": {"n": 10, "sql": 4},  # nothing recorded: SQL implies SAL, not measured
        },
    )
    with leadpilot.open(make_workspace(stages={"acceptance_threshold": 0.6})) as lp:
        lp.ingest(src)
        result = lp.funnel_result(by=["channel"])
        events = lp.table("stage_events")
        leads = lp.table("leads")
    acc = {a["channel"]: a for a in result.acceptance}
    # independent recomputation: per channel, recorded sal / rejected events, SAL reached
    events["channel"] = events.lead_id.map(leads.set_index("lead_id").channel)
    recorded = events[events.stage.isin(["sal", "rejected"])].groupby("channel").size()
    reached = events[events.stage.isin(["sal", "sql"])].groupby("channel").lead_id.nunique()
    for ch in "abcd":
        measured = bool(recorded.get(ch, 0) > 0)
        assert acc[ch]["measured"] is measured, ch
        if measured:
            assert acc[ch]["acceptance_rate"] == pytest.approx(reached.get(ch, 0) / 10)
            assert acc[ch]["reason"] is None
        else:
            assert acc[ch]["acceptance_rate"] is None and acc[ch]["meets_threshold"] is None
        # the funnel's MQL -> SAL step: a rate only where acceptance is measured
        sal = next(r for r in result.rows if r["stage"] == "sal" and r["channel"] == ch)
        assert (sal["conversion_from_previous"] is not None) is measured, ch
    assert acc["a"]["meets_threshold"] is True
    assert acc["b"]["meets_threshold"] is False and acc["c"]["meets_threshold"] is False
    assert any("acceptance below the agreed 60% in 2 group(s)" in w for w in result.warnings)
    assert any("acceptance not measured in 1 of 4 group(s)" in w for w in result.warnings)


def test_a_row_over_channels_recording_acceptance_or_not_is_said(make_workspace, tmp_path):
    """The seed's 200 MQLs, 120 accepted, on the one channel recording acceptance, and a
    channel without any sal / rejected event whose SQLs imply SALs: the overall rate
    (acceptance recorded in the row) mixes the two; said, with the split that reads each.
    By channel, nothing to say."""
    src = write(tmp_path / "s", {
        "event": {"n": 200, "sal": 50, "rejected": 80, "sql": 120},
        "web": {"n": 100, "sql": 90},
    })  # fmt: skip
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        overall = lp.kpi_result(kpis=["mql_to_sal"])
        funnel = lp.funnel_result()
        split = lp.kpi_result(kpis=["mql_to_sal"], by="channel")
    (said,) = [w for w in overall.warnings if w.code == "acceptance_partly_recorded"]
    assert said.startswith("mql_to_sal: sales acceptance is recorded for the leads of 1 of 2")
    assert said.data == {"recorded": ["event"], "not_recorded": ["web"]}
    assert any(w.code == "acceptance_partly_recorded" for w in funnel.warnings)
    assert not [w for w in split.warnings if w.code == "acceptance_partly_recorded"]
    rates = {r["channel"]: r["mql_to_sal"] for r in split.rows}
    assert rates == {"event": pytest.approx(120 / 200), "web": None}


def test_activity_view_measures_by_the_events_period(make_workspace, tmp_path):
    src = write(tmp_path / "s", {"a": {"n": 4, "sal": 2}})
    text = (src / "stage_events.csv").read_text()
    (src / "stage_events.csv").write_text(text.replace("a1,sal,2025-01-04", "a1,sal,2025-02-04"))
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        rows = {
            r["period"]: r
            for r in lp.kpi_result(view="activity", period="month", kpis=["mql_to_sal"]).rows
        }
    assert rows["2025-01"]["mql_to_sal"] == pytest.approx(1 / 4)
    assert rows["2025-02"]["mql_to_sal"] is None  # no MQL transmitted in February


@pytest.mark.parametrize("backend", ["duckdb"], indirect=True)
def test_cli_prints_no_verdict(make_workspace, tmp_path):
    ws = make_workspace(stages={"acceptance_threshold": 0.6})
    with leadpilot.open(ws) as lp:
        lp.ingest(write(tmp_path / "s", {"x": {"n": 19, "sql": 2}, "y": {"n": 5, "sal": 1}}))
    runner = CliRunner()
    r = runner.invoke(app, ["funnel", "-w", str(ws), "--by", "channel"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    x = next(line for line in r.stdout.splitlines() if line.startswith("acceptance x"))
    assert "not measured" in x and "below" not in x and "%" not in x
    y = next(line for line in r.stdout.splitlines() if line.startswith("acceptance y"))
    assert "20.0%" in y and "below the agreed 60%" in y
    r = runner.invoke(app, ["funnel", "-w", str(ws), "--by", "channel", "-f", "json"])
    acc = {a["channel"]: a for a in json.loads(r.stdout)["meta"]["acceptance"]}
    assert acc["x"]["acceptance_rate"] is None and acc["x"]["reason"] == ACCEPTANCE_UNMEASURED
    r = runner.invoke(app, ["kpis", "-w", str(ws), "--kpi", "mql_to_sal", "--by", "channel",
                            "-f", "csv"])  # fmt: skip
    frame = pd.read_csv(io.StringIO(r.stdout)).set_index("channel")
    assert pd.isna(frame.loc["x", "mql_to_sal"]) and frame.loc["x", "mql_to_sal_reason"]
    assert frame.loc["y", "mql_to_sal"] == pytest.approx(0.2)
    assert pd.isna(frame.loc["y", "mql_to_sal_reason"])
