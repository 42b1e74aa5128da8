"""Exports never carry more personal data than asked (issue 14): the analyses, scores,
reports and their JSON / CSV / Markdown / HTML name leads by id at most, never by the e-mail,
the person's name or the company written in the source files."""

from __future__ import annotations

import pytest

from leadpilot.pilot import demo
from leadpilot.results.render import csv_text, json_text


@pytest.fixture(scope="module")
def lp():
    return demo()


@pytest.fixture(scope="module")
def personal(lp) -> set[str]:
    leads = lp.table("leads")
    values = set(leads["email"].dropna())
    for column in ("first_name", "last_name", "company"):
        if column in leads:
            values |= {v for v in leads[column].dropna() if len(str(v)) > 4}
    assert any("@" in v for v in values)  # the demo data holds e-mails to look for
    return {str(v) for v in values}


def _leaks(text: str, personal: set[str]) -> list[str]:
    return sorted(v for v in personal if v in text)[:5]


def test_analyses_scores_and_reports_carry_no_personal_value(lp, personal):
    documents = {
        "kpis": json_text(lp.kpi_result(by=["channel"], period="month")),
        "kpis csv": csv_text(lp.kpi_result(by=["channel", "campaign"]).rows),
        "funnel": json_text(lp.funnel_result(by=["channel"])),
        "attribution": json_text(lp.attribution_result(models="all")),
        "diagnosis": json_text(lp.diagnosis()),
        "scores": csv_text(lp.score_apply_result(store=False).rows),
    }
    report = lp.report()
    documents["report html"] = report.html("en")
    documents["report markdown"] = report.markdown("fr")
    for name, text in documents.items():
        assert not _leaks(text, personal), f"{name} carries {_leaks(text, personal)}"
