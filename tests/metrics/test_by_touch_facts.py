"""Every analysis grouped by a touch fact of the lead (``engaged``, ``social``, its number
of touches...): a dimension the KPIs offer, on which the funnel, the velocity, the
sources and the KPIs without an engagement rate failed with an internal error (the model
they read did not join the touch facts; the service answered 500: found by the fuzzing
of GET /funnel?by=engaged)."""

from __future__ import annotations

import pytest

from leadpilot import pilot
from leadpilot.metrics.measures import lead_columns

FACTS = lead_columns("touchpoints")


@pytest.fixture(scope="module")
def lp():
    with pilot.demo() as p:
        yield p


@pytest.mark.parametrize("fact", FACTS)
def test_every_analysis_groups_by_a_touch_fact(lp, fact):
    kpis = {r[fact]: r["leads"] for r in lp.kpi_result(by=[fact], kpis=["leads"]).rows}
    assert sum(kpis.values()) == lp.kpi_result(kpis=["leads"]).rows[0]["leads"]
    funnel = {r[fact]: r["count"] for r in lp.funnel_result(by=[fact]).rows
              if r["stage"] == "lead"}  # fmt: skip
    assert funnel == kpis
    velocity = lp.velocity_result(by=[fact]).rows
    assert {r[fact] for r in velocity} <= set(kpis)
    sources = {r[fact]: r["leads"] for r in lp.sources_result(by=fact, period="all").rows}
    assert sources == kpis
    assert lp.diagnosis(by=[fact]).rows is not None


def test_the_engaged_groups_are_the_engagement_rate_s_leads(lp):
    (row,) = lp.kpi_result(kpis=["engagement_rate"]).rows
    groups = {r["engaged"]: r["count"] for r in lp.funnel_result(by=["engaged"]).rows
              if r["stage"] == "lead"}  # fmt: skip
    assert groups[True] == row["engagement_rate_numerator"]
    assert groups[True] + groups[False] == row["engagement_rate_denominator"]
