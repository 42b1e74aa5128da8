"""Pilot is the one API: explicit, documented signatures; the same options across analyses;
each analysis as a DataFrame (``lp.kpis``) and as a Result (``lp.kpi_result``)."""

from __future__ import annotations

import inspect

import pandas as pd
import pytest

from leadpilot import pilot
from leadpilot.pilot import Pilot
from leadpilot.results import Result
from leadpilot.results.notices import CODES

# frame method -> result method
FAMILIES = {
    "kpis": "kpi_result",
    "funnel": "funnel_result",
    "velocity": "velocity_result",
    "content": "content_result",
    "sources": "sources_result",
    "retention": "retention_result",
    "attribution": "attribution_result",
    "score_apply": "score_apply_result",
    "quarantine": "quarantine_result",
}
GROUPED = ["by", "period", "view", "date_from", "date_to", "as_of"]


@pytest.fixture(scope="module")
def lp():
    with pilot.demo() as p:
        yield p


def public(cls) -> list[str]:
    return [n for n, v in vars(cls).items() if not n.startswith("_") and callable(v)]


@pytest.mark.parametrize("name", public(Pilot))
def test_every_method_has_an_explicit_documented_signature(name):
    fn = getattr(Pilot, name)
    kinds = {p.kind for p in inspect.signature(fn).parameters.values()}
    assert not kinds & {inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL}
    doc = inspect.getdoc(fn) or ""
    assert doc, f"{name} has no docstring"
    if name not in ("close",):
        assert "Examples\n--------" in doc, f"{name}: no example"


@pytest.mark.parametrize("frame, result", FAMILIES.items())
def test_both_families_take_the_same_parameters(frame, result):
    a = inspect.signature(getattr(Pilot, frame)).parameters
    b = inspect.signature(getattr(Pilot, result)).parameters
    assert [(p.name, p.default) for p in a.values()] == [(p.name, p.default) for p in b.values()]
    assert inspect.signature(getattr(Pilot, frame)).return_annotation == "pd.DataFrame"


@pytest.mark.parametrize("name", ["kpi_result", "funnel_result", "velocity_result"])
def test_grouped_analyses_take_the_same_options(name):
    params = list(inspect.signature(getattr(Pilot, name)).parameters)[1:]
    assert params[: len(GROUPED)] == GROUPED
    params = inspect.signature(getattr(Pilot, name)).parameters.values()
    defaults = {p.name: p.default for p in params}
    assert (defaults["period"], defaults["view"]) == ("all", "cohort")


def test_period_defaults_to_all_everywhere():
    for name in ("kpi_result", "funnel_result", "velocity_result", "sources_result",
                 "attribution_result"):  # fmt: skip
        assert inspect.signature(getattr(Pilot, name)).parameters["period"].default == "all"


def test_the_frame_is_the_result_as_a_frame(lp):
    result = lp.kpi_result(by="channel", period="quarter")
    assert isinstance(result, Result)
    df = lp.kpis(by="channel", period="quarter")
    pd.testing.assert_frame_equal(df, result.to_frame())
    assert df.attrs["meta"] == result.to_json()["meta"]
    assert lp.funnel(by="channel").attrs["meta"]["acceptance_threshold"] is not None


def test_by_is_a_name_a_comma_list_or_a_list(lp):
    a = lp.kpi_result(by="channel,acquisition").rows
    assert a == lp.kpi_result(by=["channel", "acquisition"]).rows
    assert lp.funnel_result(by="channel").rows == lp.funnel_result(by=["channel"]).rows
    assert lp.sources_result(by=["acquisition"]).rows == lp.sources_result(by="acquisition").rows
    with pytest.raises(Exception, match="one dimension"):
        lp.attribution_result(by=["channel", "campaign"])


def test_velocity_takes_period_view_and_dates(lp):
    everything = lp.velocity_result()
    assert everything.meta["period"] == "all" and "period" not in everything.rows[0]
    by_quarter = lp.velocity_result(period="quarter", date_from="2025-01-01")
    assert {r["period"] for r in by_quarter.rows} and all(
        r["period"] >= "2025-Q1" for r in by_quarter.rows
    )
    assert "customer_by_day_90" in by_quarter.rows[0]
    activity = lp.velocity_result(view="activity", period="quarter")
    assert activity.meta["view"] == "activity" and activity.meta["kaplan_meier"] is None
    assert not any(k.endswith("_by_day_30") for k in activity.rows[0])
    assert "kaplan_meier_cohort_only" in {n.code for n in activity.notices}
    assert activity.view_rule_in("fr") != activity.view_rule_in("en")


def test_sources_default_to_every_period(lp):
    r = lp.sources_result()
    assert r.meta["period"] == "all" and {x["period"] for x in r.rows} == {"all"}


def test_kpi_all_means_every_kpi_of_the_view(lp):
    cohort = lp.kpi_result(kpis="all")
    activity = lp.kpi_result(kpis="all", view="activity", period="quarter")
    left_out = [k.name for k in cohort.kpis if k.name not in {a.name for a in activity.kpis}]
    assert left_out == ["engagement_rate", "social_engagement_rate"]
    (note,) = [n for n in activity.notices if n.code == "kpis_left_out"]
    assert all(name in note for name in left_out)


def test_every_notice_of_an_analysis_has_a_registered_code(lp):
    results = [
        lp.kpi_result(by="channel", kpis="all", period="month"),
        lp.kpi_result(view="activity", period="month"),
        lp.funnel_result(by="channel"),
        lp.velocity_result(by="channel"),
        lp.content_result(),
        lp.sources_result(),
        lp.retention_result(),
        lp.attribution_result(models="all"),
        lp.score_apply_result(store=False),
    ]
    codes = {n.code for r in results for n in r.notices}
    assert codes and codes <= set(CODES) and "note" not in codes, codes


def test_the_demo_folder_goes_when_the_process_ends():
    """``demo()`` writes its files in a temporary folder: a notebook or a test run that
    calls it leaves nothing behind once the process ends (the data and the workspace)."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import leadpilot.pilot as p\n"
        "ws = p.demo_workspace(40)\n"
        "assert p.demo(40).kpis()['leads'].iloc[0] > 0\n"
        "print(ws.parent)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    folder = Path(proc.stdout.strip().splitlines()[-1])
    assert folder.name.startswith("leadpilot-demo-")
    assert not folder.exists()
