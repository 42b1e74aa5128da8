"""Definitions follow the view: the activity view never carries a cohort's rule."""

from __future__ import annotations

from helpers import build, write_config

import leadpilot
from leadpilot.metrics.catalog import CATALOG


def test_activity_view_definitions_describe_the_period(tmp_path):
    folder = build(tmp_path / "d", [{"channel": "email", "n": 20, "mql": 8, "customers": 2,
                                     "spend": 100}])  # fmt: skip
    ws = tmp_path / "ws"
    write_config(ws)
    names = ["leads", "mqls", "customers", "revenue", "lead_to_customer", "cpl", "roi"]
    with leadpilot.open(ws) as lp:
        lp.ingest(folder)
        cohort = lp.kpi_result(kpis=names)
        activity = lp.kpi_result(kpis=names, view="activity", period="month")
    c, a = cohort.to_json()["meta"], activity.to_json()["meta"]
    assert "cohort" in c["definitions"]["lead_to_customer"]
    assert "that became customers" in c["definitions"]["customers"]
    for name in names:
        text = a["definitions"][name]
        assert "that became" not in text and "of the same cohort" not in text, name
        assert a["kpis"][name]["rule"] == text
    assert a["definitions"]["customers"].startswith("Number of leads that reached customer")
    assert "two flows of the same period" in a["definitions"]["lead_to_customer"]
    french = activity.definitions_in("fr")
    assert "deux flux de la même période" in french["lead_to_customer"]


def test_every_cohort_count_and_rate_has_an_activity_rule():
    """Unless its one rule already says what the activity view does (or it is cohort-only:
    engagement within a window after creation)."""
    missing = [
        k.name
        for k in CATALOG.values()
        if k.view == "cohort"
        and k.kind != "duration"
        and "activity view" not in k.rule
        and not k.name.startswith(("engagement", "social"))
        and k.definition_for("activity") == k.definition
    ]
    assert not missing
