"""diagnose and the report look at the same period unless told: the last complete
quarter when leads were created in it, else the latest quarter holding leads.

An export whose last event comes quarters after its last lead (a HubSpot export: deals
closed until November, contacts created until June) had diagnose compare two quarters
without any lead ("nothing significant") while the report showed the last quarter of
leads.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

import leadpilot
from leadpilot.diagnostics.compare import default_period, parse_period
from leadpilot.reports.collect import choose_period


def write_sources(folder, last_close: str):
    folder.mkdir(parents=True, exist_ok=True)
    leads = ["lead_id,created_at,channel"]
    deals = ["deal_id,lead_id,created_at,status,closed_at,amount"]
    for i, day in enumerate(["2024-11-05", "2024-12-10", "2025-01-15", "2025-02-20"]):
        leads.append(f"L{i},{day},seo")
    deals.append(f"D1,L3,2025-03-01,won,{last_close},900")
    (folder / "leads.csv").write_text("\n".join(leads) + "\n")
    (folder / "deals.csv").write_text("\n".join(deals) + "\n")
    return folder


@pytest.mark.parametrize(
    ("last_close", "expected"),
    [
        ("2025-11-20", "2025-Q1"),  # Q2 and Q3 2025 hold no lead: the last quarter of leads
        ("2025-04-02", "2025-Q1"),  # Q1 is the last complete quarter, with leads
    ],
)
def test_diagnose_and_the_report_default_to_the_same_period(
    make_workspace, tmp_path, last_close, expected
):
    ws = make_workspace()
    with leadpilot.open(ws) as lp:
        lp.ingest(write_sources(tmp_path / "data", last_close))
        diagnosis = lp.diagnosis()
        report = lp.report()
    assert diagnosis.meta["current"]["label"] == expected
    assert diagnosis.meta["previous"]["label"] == parse_period(expected).before().label
    assert report.data.period.label == expected
    assert diagnosis.rows and any(r["current"] for r in diagnosis.rows if r["kpi"] == "leads")


def test_the_rule():
    as_of = datetime(2025, 11, 20)
    # the last complete quarter (2025-Q3) holds leads: it is the one
    assert default_period(as_of, date(2024, 1, 1), date(2025, 9, 30)).label == "2025-Q3"
    # none since 2025-Q1
    assert default_period(as_of, date(2024, 1, 1), date(2025, 2, 1)).label == "2025-Q1"
    # leads only after it: the quarter they are in
    assert default_period(as_of, date(2025, 10, 2), date(2025, 11, 1)).label == "2025-Q4"
    for first, last in [(date(2024, 1, 1), date(2025, 2, 1)), (None, None)]:
        assert choose_period(None, as_of, first, last) == default_period(as_of, first, last)
