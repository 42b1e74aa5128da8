"""Every definition a person reads exists in French too, written once beside the English.

The catalog (KPIs, report measures), the attribution models and every result's
definitions carry a French text that is not empty and not the English; the JSON keeps
the English in ``meta.definitions`` (and ``meta.view_rule``, ``meta.rule``) unchanged.
"""

from __future__ import annotations

import json
import re

import pytest
from helpers import write_config

import leadpilot
from leadpilot.attribution import compute_attribution_from_paths, model_defs
from leadpilot.attribution.definitions import (
    CONVERSIONS,
    MILESTONE_RULE,
    PATH_FILE_JOURNEY,
    measure_defs,
)
from leadpilot.config import AttributionSettings, Config
from leadpilot.metrics.catalog import CATALOG, REPORT_MEASURES, Text, report_definitions
from leadpilot.metrics.compute import VIEW_RULES
from leadpilot.scoring.apply import score_leads
from leadpilot.scoring.evaluate import RULES_TEXT
from leadpilot.scoring.rules import RULES_DEFINITION
from leadpilot.scoring.threshold import rule_text
from leadpilot.synth import generate, write_tables

SCORING = {
    "threshold": 20,
    "fit": [{"column": "seniority", "in": ["vp", "c_level", "director"], "points": 15}],
    "behaviour": [{"type": "form_submit", "points": 10, "repeatable": False}],
    "model": {"target": "customer", "horizon_days": 120, "observation_days": 14},
}
# French texts write "95 %" (a space before %); English ones keep "95 %" as they are.
GLUED_PERCENT = re.compile(r"\d%")


def check_french(name: str, en: str, fr: str) -> None:
    assert en.strip(), f"{name}: no English"
    assert fr.strip(), f"{name}: no French"
    assert fr != en, f"{name}: the French is the English"
    assert not GLUED_PERCENT.search(fr), f"{name}: '%' glued to its number in {fr!r}"


def check_result(name: str, result, meta: dict) -> None:
    """meta.definitions (JSON) is the English; definitions_in('fr') has every name in
    French."""
    english, french = result.definitions_in("en"), result.definitions_in("fr")
    assert meta["definitions"] == english, f"{name}: meta.definitions is not the English"
    assert list(french) == list(english), f"{name}: not the same names in French"
    assert english, f"{name}: no definitions"
    for key in english:
        check_french(f"{name}.{key}", english[key], french[key])
    json.dumps(meta)  # plain strings, as before


# ------------------------------------------------------------------ the definitions as data
@pytest.mark.parametrize("name", list(CATALOG))
def test_every_kpi_has_a_french_rule(name):
    k = CATALOG[name]
    check_french(name, k.rule, k.rule_fr)
    assert k.as_dict()["rule"] == k.rule and k.as_dict()["rule_fr"] == k.rule_fr
    assert k.label_fr.strip()


@pytest.mark.parametrize("report, name", [(r, n) for r, ms in REPORT_MEASURES.items() for n in ms])
def test_every_report_measure_has_a_french_rule(report, name):
    k = REPORT_MEASURES[report][name]
    check_french(f"{report}.{name}", k.rule, k.rule_fr)
    assert report_definitions(report)[name] == k.rule
    assert report_definitions(report, "fr")[name] == k.rule_fr


@pytest.mark.parametrize(
    "settings",
    [
        AttributionSettings(),
        AttributionSettings(
            direct_channels=[],
            collapse_repeats=False,
            markov_null_paths=False,
            position_based=[0.5, 0.3, 0.2],
            time_decay_half_life_days=3.5,
        ),
    ],
    ids=["default", "custom"],
)
def test_every_attribution_model_has_a_french_rule(settings):
    defs = model_defs(settings)
    for name, d in defs.items():
        check_french(name, d.rule, d.rule_fr)
    if settings.time_decay_half_life_days == 3.5:
        assert "3.5 days" in defs["time_decay"].rule and "3,5 jours" in defs["time_decay"].rule_fr
        assert "50 % first touch" in defs["position_based"].rule
        assert "50 % au premier point de contact" in defs["position_based"].rule_fr
        assert "Consecutive" not in defs["markov"].rule  # no repeat collapsed, no extra space
        assert "carrying its revenue. Converting journeys only." in defs["markov"].rule


@pytest.mark.parametrize("conversion", CONVERSIONS)
def test_every_attribution_measure_has_a_french_definition(conversion):
    for name, t in measure_defs("campaign", conversion, 30, ["visit", "ad_click"]).items():
        check_french(name, t.en, t.fr)
    for t in (MILESTONE_RULE, PATH_FILE_JOURNEY):
        check_french("attribution", t.en, t.fr)


def test_view_and_threshold_rules_have_a_french_text():
    for view, t in VIEW_RULES.items():
        check_french(view, t.en, t.fr)
    for capacity, target in ((40, None), (12.5, None), (None, 0.6)):
        t = rule_text(capacity, target)
        check_french("threshold rule", t.en, t.fr)
    assert rule_text(None, 0.6).en.endswith("at least 60%")
    assert rule_text(None, 0.6).fr.endswith("au moins 60 %")


def test_the_rules_score_french_is_for_the_same_english():
    """rules.RULES_DEFINITION has its French in scoring/evaluate.py: same English text."""
    assert RULES_TEXT.en == RULES_DEFINITION
    check_french("rules_score", RULES_TEXT.en, RULES_TEXT.fr)


def test_a_text_needs_both_languages():
    with pytest.raises(ValueError, match="both its English and its French"):
        Text("Number of leads.", "")
    t = Text("a", "b") + Text("c", "d")
    assert (t["en"], t["fr"]) == ("ac", "bd")
    with pytest.raises(KeyError, match="expected en or fr"):
        t["de"]


def test_the_json_keeps_the_english_rules():
    """What the JSON said before French existed, word for word."""
    assert CATALOG["cpl"].rule == (
        "spend / leads of the same period and group; null when there are none."
    )
    assert CATALOG["lead_to_mql"].rule == (
        "mqls / leads of the same cohort, with a 95 % Wilson interval."
    )
    assert CATALOG["mql_to_sal"].rule.startswith(
        "sals / mqls of the same cohort (MQLs accepted by sales / MQLs transmitted), with a "
        "95 % Wilson interval. Measured only"
    )
    assert CATALOG["sales_cycle_days"].rule.startswith(
        "days from lead creation to won (customer), among the customers: median"
    )
    assert CATALOG["cpl"].rule_fr == (
        "dépenses / leads de la même période et du même groupe ; null s'il n'y en a aucun."
    )


# ------------------------------------------------------------------ every result
@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    """900 synthetic leads in a DuckDB workspace with a trained model."""
    root = tmp_path_factory.mktemp("french")
    write_tables(generate(900, seed=5), root / "data", fmt="parquet")
    path = root / "ws"
    write_config(path, "duckdb", scoring=SCORING)
    with leadpilot.open(path) as lp:
        lp.ingest(root / "data")
    return path


@pytest.fixture(scope="module")
def lp(ws):
    with leadpilot.open(ws) as pilot:
        yield pilot


@pytest.mark.parametrize("view", ["cohort", "activity"])
def test_kpi_results(lp, view):
    names = list(CATALOG)
    if view == "activity":  # cohort KPIs only
        names = [n for n in names if n not in ("engagement_rate", "social_engagement_rate")]
    result = lp.kpi_result(kpis=names, view=view, period="month")
    meta = result.to_json()["meta"]
    check_result("kpis", result, meta)
    assert list(result.definitions_in("fr")) == names
    assert meta["view_rule"] == result.view_rule_in("en") == VIEW_RULES[view].en
    check_french("view_rule", result.view_rule_in("en"), result.view_rule_in("fr"))
    # the rule of the view computed (an activity count is what happened in the period)
    assert all(
        meta["kpis"][n]["rule_fr"] == CATALOG[n].definition_for(view).fr for n in names
    )


def test_funnel_and_velocity_results(lp):
    funnel = lp.funnel_result(by=["channel"])
    check_result("funnel", funnel, funnel.to_json()["meta"])
    velocity = lp.velocity_result()
    meta = velocity.to_json()["meta"]
    check_result("velocity", velocity, meta)
    assert meta["view_rule"] == velocity.view_rule_in("en")
    check_french("velocity view_rule", velocity.view_rule_in("en"), velocity.view_rule_in("fr"))


def test_secondary_report_results(lp):
    for name, result in (
        ("content", lp.content_result()),
        ("sources", lp.sources_result(by="channel")),
        ("retention", lp.retention_result(months=3)),
    ):
        check_result(name, result, result.to_json()["meta"])
    assert (
        lp.sources_result(by="campaign")
        .definitions_in("fr")["lead_share"]
        .startswith("(campaign) leads du groupe")
    )


@pytest.mark.parametrize("conversion", ["customer", "revenue", "mql"])
def test_attribution_results(lp, conversion):
    result = lp.attribution_result(models="all", conversion=conversion)
    meta = result.to_json()["meta"]
    check_result("attribution", result, meta)
    assert set(result.models) <= set(result.definitions_in("fr"))


def test_attribution_from_a_path_file(tmp_path):
    f = tmp_path / "paths.csv"
    f.write_text("path,total_conversions,total_conversion_value,total_null\nA > B,1,10,2\n")
    result = compute_attribution_from_paths(f, Config(), models="first_touch,markov")
    check_result("attribution (path file)", result, result.to_json()["meta"])
    assert result.definitions_in("fr")["journey"] == PATH_FILE_JOURNEY.fr


def test_scoring_results(lp):
    trained = lp.score_train()
    check_result("score train", trained, trained.to_json()["meta"])
    evaluation = lp.score_evaluate()
    check_result("score evaluate", evaluation, evaluation.to_json()["meta"])
    for capacity, target in ((30, None), (None, 0.5)):
        threshold = lp.score_threshold(capacity=capacity, target_acceptance=target)
        meta = threshold.to_json()["meta"]
        check_result("score threshold", threshold, meta)
        assert meta["rule"] == threshold.rule_in("en") == rule_text(capacity, target).en
        assert threshold.rule_in("fr") == rule_text(capacity, target).fr
    scores = score_leads(lp.workspace.root, lp.tables(), lp.config)
    check_result("score apply", scores, scores.meta)
