"""The KPI catalog against the measure registry: every entry checked, by name.

A KPI or a report column that names an unknown measure must fail when the catalog loads
(never be computed as 0 with an interval); and a KPI on a new measure is two
declarations, one in ``metrics/measures.py`` and one in ``metrics/catalog.py``.
"""

from __future__ import annotations

import pytest

import leadpilot
from leadpilot.errors import ConfigError, UsageError
from leadpilot.metrics import catalog as catalog_module
from leadpilot.metrics import funnel, model, velocity
from leadpilot.metrics.catalog import (
    CATALOG,
    KPIS,
    REPORT_MEASURES,
    Kpi,
    Text,
    kpi_problems,
    load_catalog,
)
from leadpilot.metrics.measures import MEASURES, Measure, load_measures
from leadpilot.schema import EXIT_STAGES, STAGES

REPORT_COLUMNS = [(r, n) for r, cols in REPORT_MEASURES.items() for n in cols]


# ------------------------------------------------------------------ every entry, by name
@pytest.mark.parametrize("name", list(CATALOG))
def test_kpi_is_consistent_with_the_registry(name):
    """Its measures exist, kinds and units agree, labels and rules in English and French."""
    k = CATALOG[name]
    assert kpi_problems(k, MEASURES) == []
    assert all(m in MEASURES for m in k.measures)
    assert k.label_en.strip() and k.label_fr.strip()
    assert k.rule.strip() and k.rule_fr.strip() and k.rule != k.rule_fr
    for view in ("cohort", "activity"):
        rule = k.definition_for(view)
        assert rule.en.strip() and rule.fr.strip()


@pytest.mark.parametrize("report, name", REPORT_COLUMNS)
def test_report_column_is_consistent_with_the_registry(report, name):
    k = REPORT_MEASURES[report][name]
    assert kpi_problems(k, MEASURES, report) == []
    assert k.measures and all(m in MEASURES for m in k.measures)


@pytest.mark.parametrize("name", list(MEASURES))
def test_measure_is_declared_whole(name):
    m = MEASURES[name]
    assert m.rule.en.strip() and m.rule.fr.strip() and m.rule.en != m.rule.fr
    if m.activity is not None:
        assert m.activity.en != m.activity.fr and m.in_activity_view
    if m.table == "leads":  # a date of the lead model
        assert m.at in ("created_at", *model.STAGE_COLUMNS)
        assert m.column in (None, *model.STAGE_COLUMNS)
    if m.lead_column:  # one per-lead fact per measure, never a stage date
        others = [x.lead_column for x in MEASURES.values() if x is not m]
        assert m.lead_column not in (*others, *model.STAGE_COLUMNS)


def test_the_registry_gives_the_funnel_and_velocity_their_stages():
    assert [stage for stage, _ in funnel.CHAIN] == list(STAGES)
    assert sorted(MEASURES[n].stage for n in funnel.EXITS) == sorted(EXIT_STAGES)
    for _, name in funnel.CHAIN + tuple((n, n) for n in funnel.EXITS):
        assert CATALOG[name].kind == "count" and CATALOG[name].numerator == name
    for name, (start, end) in velocity.DURATIONS.items():
        k = CATALOG[name]
        assert (start, end) == (MEASURES[k.numerator].at, MEASURES[k.denominator].at)


def test_cohort_only_kpis_are_known_from_their_measures():
    """engagement within a window after creation has no activity-view flow."""
    cohort_only = [k.name for k in CATALOG.values() if not k.applies_to("activity")]
    assert cohort_only == ["engagement_rate", "social_engagement_rate"]
    assert all(k.applies_to("cohort") for k in CATALOG.values())


# ------------------------------------------------------------------ failing at load
def _kpi(name="webinar_rate", numerator="webinar_leads", denominator="leads", **kw) -> Kpi:
    return Kpi(
        name,
        "Webinar attendance",
        "Participation aux webinaires",
        kw.pop("kind", "rate"),
        kw.pop("unit", "fraction"),
        True,
        Text("webinar_leads / leads.", "webinar_leads / leads (cohorte)."),
        numerator=numerator,
        denominator=denominator,
        **kw,
    )


def test_a_kpi_naming_an_unknown_measure_fails_at_load():
    with pytest.raises(ConfigError) as err:
        load_catalog([*KPIS, _kpi()], REPORT_MEASURES)
    message = str(err.value)
    assert "KPI 'webinar_rate' names measure 'webinar_leads' (its numerator)" in message
    assert "measure registry (leadpilot/metrics/measures.py) does not declare" in message


def test_every_problem_is_said_at_once_with_a_hint():
    bad = [
        _kpi(numerator="mql", denominator="lead"),  # typos: did you mean?
        _kpi("cost_per_visit", "spend", "visitors", kind="rate"),  # a rate of money
        _kpi("touch_total", "touches", None, kind="sum", unit="touches"),  # a count as sum
    ]
    with pytest.raises(ConfigError) as err:
        load_catalog(bad)
    message = str(err.value)
    assert "'mql' (its numerator)" in message and "did you mean 'mqls'?" in message
    assert "'lead' (its denominator)" in message and "did you mean 'leads'?" in message
    assert "KPI 'cost_per_visit': a rate divides counts; 'spend' is a dated of currency" in message
    assert "KPI 'touch_total': a sum of measure 'touches', which is a count" in message


def test_a_report_column_naming_an_unknown_measure_fails_at_load():
    reports = {"content": {**REPORT_MEASURES["content"], "demos": _kpi("demos", "demos", None,
                                                                      kind="count",
                                                                      unit="leads")}}  # fmt: skip
    with pytest.raises(ConfigError, match="report 'content' column 'demos' names measure 'demos'"):
        load_catalog(KPIS, reports)


def test_a_measure_must_be_whole():
    with pytest.raises(ConfigError, match="measure 'profit'.*combines two known measures"):
        load_measures([*MEASURES.values(), Measure(
            "profit", "derived", "currency", None, Text("p", "b"), of=("revenue", "cost"),
            op="-",
        )])  # fmt: skip
    with pytest.raises(ConfigError, match="touch types \\('webinar',\\)"):
        load_measures([Measure("w", "count", "touches", "touchpoints", Text("w", "v"),
                               where=("webinar",), at="ts")])  # fmt: skip


def test_a_catalog_kpi_on_a_report_only_measure_fails_at_load():
    """views are counted from the touches themselves: no per-lead fact, no cohort view."""
    with pytest.raises(ConfigError, match="measure 'views' has no cohort-view aggregation"):
        load_catalog([_kpi("views", "views", None, kind="count", unit="touches")])


# ------------------------------------------------------------------ a KPI on a new measure
# The whole change for two new KPIs on two new measures: these two declarations in
# metrics/measures.py (MEASURES) and these KPIs in metrics/catalog.py (KPIS). Nothing else:
# the lead model computes the per-lead facts, both views and the notes compile from them.
NEW_MEASURES = (
    Measure(
        "webinar_leads",
        "count",
        "leads",
        "touchpoints",
        Text("leads with a webinar attendance", "leads ayant assisté à un webinaire"),
        where=("webinar_attendance",),
        per_lead=True,
        lead_column="webinar_leads",
    ),
    Measure(
        "lost_deals",
        "count",
        "deals",
        "deals",
        Text("lost deals", "affaires perdues"),
        Text("deals lost in the period", "affaires perdues pendant la période"),
        at="closed_at",
        where=("lost",),
        lead_column="lost_deals",
    ),
)
NEW_KPIS = (
    _kpi(),
    Kpi(
        "loss_rate",
        "Loss rate",
        "Taux de perte",
        "rate",
        "fraction",
        False,
        Text("lost deals / closed deals.", "affaires perdues / affaires clôturées."),
        numerator="lost_deals",
        denominator="closed_deals",
    ),
)


@pytest.fixture
def new_kpis(monkeypatch):
    """Register the new measures and KPIs as if they were written in the two files."""
    measures = load_measures([*MEASURES.values(), *NEW_MEASURES])
    kpis = load_catalog([*KPIS, *NEW_KPIS], REPORT_MEASURES, measures)
    for m in NEW_MEASURES:
        monkeypatch.setitem(MEASURES, m.name, m)
    for k in NEW_KPIS:
        monkeypatch.setitem(CATALOG, k.name, kpis[k.name])
    assert catalog_module.CATALOG is CATALOG


def test_a_kpi_on_a_new_measure_is_two_declarations(make_workspace, tmp_path, new_kpis):
    src = tmp_path / "src"
    src.mkdir()
    (src / "leads.csv").write_text(
        "lead_id,created_at,channel\nA,2025-01-01,email\nB,2025-01-01,email\n"
        "C,2025-02-01,email\nD,2025-02-01,events\n"
    )
    (src / "touchpoints.csv").write_text(
        "lead_id,ts,type\nA,2025-01-05,webinar_attendance\nA,2025-01-09,webinar_attendance\n"
        "C,2025-02-03,webinar_registration\nD,2025-02-04,webinar_attendance\n"
    )
    (src / "deals.csv").write_text(
        "deal_id,lead_id,created_at,status,closed_at,amount\n"
        "DA,A,2025-01-10,won,2025-02-01,10\nDB,B,2025-01-10,lost,2025-03-01,0\n"
        "DC,C,2025-02-10,lost,2025-03-02,0\nDD,D,2025-02-10,open,,5\n"
    )
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        cohort = {r["channel"]: r for r in lp.kpi_result(
            kpis=["webinar_rate", "loss_rate"], by=["channel"]).rows}  # fmt: skip
        activity = {r["period"]: r for r in lp.kpi_result(
            kpis=["loss_rate"], view="activity", period="month").rows}  # fmt: skip
        with pytest.raises(UsageError, match="webinar_rate is a cohort KPI"):
            lp.kpi_result(kpis=["webinar_rate"], view="activity")
    email = cohort["email"]
    # A attended (twice: one lead), C only registered; 2 lost of the 3 closed deals
    assert (email["webinar_rate_numerator"], email["webinar_rate_denominator"]) == (1, 3)
    assert (email["loss_rate_numerator"], email["loss_rate_denominator"]) == (2, 3)
    assert cohort["events"]["webinar_rate"] == 1 and cohort["events"]["loss_rate"] is None
    # activity: deals closed in February (A won) and in March (B and C lost)
    assert activity["2025-02"]["loss_rate"] == 0
    assert activity["2025-03"]["loss_rate"] == 1
