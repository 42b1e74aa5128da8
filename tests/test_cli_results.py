"""The command line renders every analysis from its Result: the same options everywhere,
JSON with codes, tables that fit 100 columns in English and French."""

from __future__ import annotations

import json

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from leadpilot.cli import app
from leadpilot.pilot import demo_workspace

runner = CliRunner()


@pytest.fixture(scope="module")
def ws() -> str:
    return str(demo_workspace())


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize(
    "args",
    [
        ["kpis", "--by", "channel", "--kpi", "all"],
        ["kpis", "--view", "activity", "--kpi", "all", "--period", "quarter"],
        ["funnel", "--by", "channel"],
        ["velocity", "--by", "channel", "--period", "year"],
        ["velocity", "--view", "activity", "--period", "quarter", "--from", "2025-01-01"],
        ["content"],
        ["sources", "--by", "acquisition"],
        ["retention", "--months", "3"],
        ["attribution", "--model", "all"],
    ],
)
def test_tables_fit_the_terminal(ws, args, lang):
    out = invoke(*args, "-w", ws, "--lang", lang)
    assert max(len(line) for line in out.splitlines()) <= 100
    assert "Traceback" not in out


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("kpis", ["all", "leads"])
def test_a_narrow_table_keeps_its_title_on_one_line(ws, kpis, lang):
    # one KPI, or the last table of a split, may be a single narrow column
    out = invoke("kpis", "-w", ws, "--kpi", kpis, "--lang", lang).splitlines()
    tops = [i for i, line in enumerate(out) if line.lstrip().startswith("┏")]
    title = "KPIs — cohort view — as of" if lang == "en" else "Indicateurs — vue cohorte — au"
    assert tops and all(title in out[i - 1] for i in tops), "\n".join(out[: tops[-1] + 1])


def test_notes_are_in_the_reader_s_language(ws):
    fr = invoke("funnel", "-w", ws, "--by", "channel", "--lang", "fr")
    en = invoke("funnel", "-w", ws, "--by", "channel")
    assert "acceptance below the agreed 60% in" in en
    assert "acceptation sous les 60% convenus dans" in fr and "acceptance below" not in fr


def test_the_headline_by_channel_is_one_table_at_100_columns(ws):
    # columns take the width of their printed cells: the nine headline KPIs fit one table
    out = invoke("kpis", "-w", ws, "--by", "channel")
    assert out.count("┏") == 1
    assert "cpl" in out and "L→cust." in out
    assert max(cell_len(line) for line in out.splitlines()) <= 100


def test_kpi_all_in_the_activity_view_names_what_it_leaves_out(ws):
    doc = json.loads(invoke("kpis", "-w", ws, "--view", "activity", "--kpi", "all", "-f", "json"))
    assert "engagement_rate" not in doc["meta"]["definitions"]
    (note,) = [n for n in doc["meta"]["notices"] if n["code"] == "kpis_left_out"]
    assert "engagement_rate, social_engagement_rate" in note["message"]
    assert note["message"] in doc["meta"]["warnings"]


def test_velocity_by_period_and_view(ws):
    doc = json.loads(invoke("velocity", "-w", ws, "--period", "quarter", "-f", "json"))
    assert doc["meta"]["period"] == "quarter" and doc["meta"]["kaplan_meier"]["days"][0] == 30
    assert all(r["period"].count("-Q") == 1 for r in doc["rows"])
    activity = json.loads(invoke("velocity", "-w", ws, "--view", "activity", "-f", "json"))
    assert activity["meta"]["view"] == "activity" and activity["meta"]["kaplan_meier"] is None
    table = invoke("velocity", "-w", ws, "--view", "activity")
    assert "activity view" in table and "Kaplan" not in table.split("note:")[0]


def test_sources_default_to_every_period(ws):
    doc = json.loads(invoke("sources", "-w", ws, "-f", "json"))
    assert doc["meta"]["period"] == "all" and doc["meta"]["by"] == "channel"
    assert {r["period"] for r in doc["rows"]} == {"all"}


def test_csv_is_the_rows(ws):
    out = invoke("funnel", "-w", ws, "--by", "channel", "-f", "csv")
    assert out.splitlines()[0].startswith("period,channel,stage,count")


def test_a_bad_date_option_names_the_option(ws):
    result = runner.invoke(app, ["velocity", "-w", ws, "--from", "last week"])
    assert result.exit_code != 0
    assert "--from 'last week': expected a date like 2025-03-31" in str(result.exception)


def test_an_activity_funnel_by_period_reads_flows_not_proportions(ws):
    """A later stage can outnumber an earlier one in a period: a rate above 1, no interval,
    a note (it used to stop on a math domain error)."""
    doc = json.loads(invoke("funnel", "-w", ws, "--by", "channel", "--period", "quarter",
                            "--view", "activity", "-f", "json"))  # fmt: skip
    over = [r for r in doc["rows"] if (r.get("conversion_from_previous") or 0) > 1]
    assert over and all(r["conversion_from_previous_low"] is None for r in over)
    assert "not_a_proportion" in {n["code"] for n in doc["meta"]["notices"]}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_velocity_in_the_activity_view_notes_only_what_it_shows(ws, lang):
    """`velocity --view activity` printed the activity view's note on rates (flows of the
    same period divided), though velocity shows no rate: its notes concern its durations
    and the curve it does not draw; kpis, which show rates, keep that note. Both in the
    reader's language."""
    out = " ".join(invoke("velocity", "-w", ws, "--view", "activity", "--lang", lang).split())
    for rates in ("rates divide flows", "les taux divisent des flux"):
        assert rates not in out
    curve = ("conversion by age (Kaplan–Meier) follows the leads from their creation" if
             lang == "en" else "la conversion selon l'âge (Kaplan–Meier) suit les leads")
    assert curve in out
    doc = json.loads(invoke("velocity", "-w", ws, "--view", "activity", "-f", "json"))
    codes = [n["code"] for n in doc["meta"]["notices"]]
    assert "kaplan_meier_cohort_only" in codes and "activity_rates" not in codes
    out = " ".join(invoke("kpis", "-w", ws, "--view", "activity", "--lang", lang).split())
    rates = "rates divide flows" if lang == "en" else "les taux divisent des flux"
    assert rates in out
