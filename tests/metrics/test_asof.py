"""One "as of" date per workspace (issue 9, #11): kpis used the latest lead creation,
velocity its own date and scoring the latest event of any table. Now every analysis uses
the latest event in the data, or --as-of, and shows it in meta.as_of."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from typer.testing import CliRunner

import leadpilot
from leadpilot.cli import app
from leadpilot.errors import UsageError
from leadpilot.metrics.asof import workspace_as_of
from leadpilot.scoring.features import data_end

FILES = {
    "leads.csv": "lead_id,created_at,channel,content\n"
    "A,2025-01-05,email,guide\nB,2025-01-20,paid_search,\nC,2025-02-10,email,\n"
    "D,2025-03-01,paid_search,\n",
    "stage_events.csv": "lead_id,stage,ts\nA,mql,2025-01-07\nB,mql,2025-01-25\nC,mql,2025-02-12\n",
    "deals.csv": "deal_id,lead_id,created_at,status,closed_at,amount\n"
    "DA,A,2025-01-10,won,2025-02-04,1000\nDB,B,2025-02-01,won,2025-03-20,500\n"
    "DC,C,2025-02-20,open,,300\n",
    # the latest event of all: a touch after every lead, stage and deal date
    "touchpoints.csv": "touch_id,lead_id,ts,type,channel,content\n"
    "t1,A,2025-01-04,visit,email,guide\nt2,A,2025-01-06,download,email,guide\n"
    "t3,B,2025-01-19,ad_click,paid_search,\nt4,C,2025-04-15,visit,email,guide\n",
    "spend.csv": "date,channel,amount\n2025-01-01,email,100\n2025-03-01,email,50\n",
}
LATEST = datetime(2025, 4, 15)
COMMANDS = {  # command -> (args, Pilot method, kwargs)
    "kpis": (["--period", "month"], "kpi_result", {"period": "month"}),
    "funnel": ([], "funnel_result", {}),
    "velocity": ([], "velocity_result", {}),
    "attribution": (["-m", "linear"], "attribution_result", {"models": "linear"}),
    "content": ([], "content_result", {}),
    "sources": ([], "sources_result", {}),
    "retention": ([], "retention_result", {}),
}


@pytest.fixture
def ws(shared_workspaces, backend_kind):
    """The dated events' workspace, shared by the module's tests (they only read it)."""

    def ingest(path):
        src = path.parent / f"{path.name}-src"
        src.mkdir()
        for name, text in FILES.items():
            (src / name).write_text(text)
        with leadpilot.open(path) as lp:
            lp.ingest(src)

    return shared_workspaces.get(backend_kind, "dated", ingest)


def test_one_as_of_for_every_analysis(ws):
    with leadpilot.open(ws) as lp:
        tables = lp.tables()
        assert workspace_as_of(tables) == LATEST == lp.data_as_of() == data_end(tables)
        for name, (_, method, kwargs) in COMMANDS.items():
            meta = getattr(lp, method)(**kwargs).to_json()["meta"]
            assert meta["as_of"] == "2025-04-15", name
            assert "latest event" in meta["as_of_rule"], name
        kpis = lp.kpi_result(period="month")
    # the cohort ages are measured to it (before: to the last lead creation, 2025-03-01)
    ages = {r["period"]: r["cohort_age_days"] for r in kpis.rows}
    assert ages["2025-03"] == (date(2025, 4, 15) - date(2025, 3, 31)).days
    assert kpis.maturity["as_of"] == "2025-04-15"


def test_one_state_answers_its_latest_event_once_and_a_changed_table_again(ws, monkeypatch):
    # a report's analyses read one state of the workspace: its latest event is asked once
    from leadpilot.metrics import asof
    from leadpilot.metrics.reconcile import reconcile

    calls = []
    latest = asof._latest
    monkeypatch.setattr(asof, "_latest", lambda tables: calls.append(1) or latest(tables))
    with leadpilot.open(ws) as lp:
        with lp._one_state():
            first, second = lp.tables(), lp.tables()
            assert workspace_as_of(first) == LATEST == workspace_as_of(second)
            assert len(calls) == 1
            # a table filtered since is another question, never the remembered answer
            t = second["touchpoints"]
            second["touchpoints"] = t.filter(t.ts < datetime(2025, 4, 1))
            assert workspace_as_of(second) == datetime(2025, 3, 20)  # deal DB's closing
            assert workspace_as_of(first) == LATEST
            assert len(calls) == 2
            # what is remembered is handed out as a copy: a caller's change stays its own
            said = reconcile(first)
            said.append("changed by a caller")
            assert "changed by a caller" not in reconcile(first)
        assert workspace_as_of(lp.tables()) == LATEST  # another state: computed again
        assert len(calls) == 3


def test_as_of_leaves_out_later_events(ws):
    """As of 2025-02-15: D not created yet, B's deal not won yet (open), C's deal not
    created yet; open leads censored at the as-of date."""
    with leadpilot.open(ws) as lp:
        kpis = lp.kpi_result(kpis=["leads", "customers", "revenue", "pipeline_value", "spend"],
                             as_of=date(2025, 2, 15)).rows[0]  # fmt: skip
        velocity = lp.velocity_result(as_of=date(2025, 2, 15))
        funnel = lp.funnel_result(as_of=date(2025, 2, 15))
        retention = lp.retention_result(as_of=date(2025, 2, 15)).rows
        full = lp.kpi_result(kpis=["leads", "customers", "revenue"]).rows[0]
    assert (kpis["leads"], kpis["customers"], kpis["revenue"]) == (3, 1, 1000)
    assert (full["leads"], full["customers"], full["revenue"]) == (4, 2, 1500)
    assert kpis["pipeline_value"] == 500  # B's deal, open on that date
    assert kpis["spend"] == 100  # the March spend had not been spent yet
    assert velocity.as_of == "2025-02-15" and "--as-of" in velocity.to_json()["meta"]["as_of_rule"]
    assert velocity.rows[0]["sales_cycle_days_n"] == 1
    # Kaplan–Meier: C censored at day 5 and B at day 26 (their ages on 2025-02-15), so
    # A, the one lead still at risk, wins at day 30: S(30) = 0, converted by day 30 = 1
    assert velocity.rows[0]["customer_by_day_30"] == pytest.approx(1.0)
    assert [c["count"] for c in funnel.rows if c["stage"] == "customer"] == [1]
    months = {r["cohort"]: r for r in retention}
    assert set(months) == {"2025-01", "2025-02"} and months["2025-02"]["month_1"] is None


@pytest.mark.parametrize("backend_kind", ["duckdb"], indirect=True)
def test_cli_as_of_on_every_analysis_command(ws):
    runner = CliRunner()
    for name, (args, _, _) in COMMANDS.items():
        r = runner.invoke(app, [name, "-w", str(ws), *args, "-f", "json"])
        assert r.exit_code == 0, (name, r.output)
        assert json.loads(r.stdout)["meta"]["as_of"] == "2025-04-15", name
        r = runner.invoke(app, [name, "-w", str(ws), *args, "--as-of", "2025-02-15", "-f", "json"])
        assert r.exit_code == 0, (name, r.output)
        assert json.loads(r.stdout)["meta"]["as_of"] == "2025-02-15", name
        r = runner.invoke(app, [name, "-w", str(ws), *args, "--as-of", "2025-02-15"],
                          env={"COLUMNS": "200"})  # fmt: skip
        assert r.exit_code == 0, (name, r.output)
        # tables show the date as the language writes it (English here)
        assert "as of Feb 15, 2025" in r.stdout.replace("As of", "as of"), name
    r = runner.invoke(app, ["velocity", "-w", str(ws), "--as-of", "15/02/2025"])
    assert isinstance(r.exception, UsageError) and "--as-of" in str(r.exception)


def test_empty_workspace_has_no_as_of(make_workspace):
    with leadpilot.open(make_workspace(), create=True) as lp:
        assert lp.data_as_of() is None
        assert lp.kpi_result().to_json()["meta"]["as_of"] is None
