"""Engagement KPIs, visitors, and the ICP as a dimension."""

from __future__ import annotations

import pytest

import leadpilot


@pytest.fixture
def workspace_src(tmp_path):
    src = tmp_path / "e"
    src.mkdir()
    (src / "leads.csv").write_text(
        "lead_id,created_at,channel,industry,company_size\n"
        "A,2025-01-01,email,software,200\nB,2025-01-01,email,retail,200\n"
        "C,2025-01-01,email,software,5\nD,2025-01-01,events,software,\n"
    )
    (src / "touchpoints.csv").write_text(
        "lead_id,ts,type,channel\n"
        "A,2025-01-02,email_send,email\nA,2025-01-03,email_open,email\n"
        "A,2025-01-03,email_click,email\nB,2025-01-02,email_send,email\n"
        "C,2025-01-02,email_send,email\nC,2025-06-01,download,email\n"  # download after 90 days
        "D,2025-01-01,visit,events\nD,2025-02-01,social,events\n"
    )
    (src / "deals.csv").write_text(
        "deal_id,lead_id,created_at,status,closed_at,amount\nDA,A,2025-01-10,won,2025-02-01,10\n"
    )
    (src / "traffic.csv").write_text(
        "date,visitors,channel\n2025-01-01,300,email\n2025-01-02,100,email\n2025-01-01,50,events\n"
    )
    return src


def test_engagement_kpis(make_workspace, workspace_src):
    names = [
        "leads",
        "engagement_rate",
        "social_engagement_rate",
        "email_open_rate",
        "email_click_rate",
        "touches_per_lead",
        "visitors",
        "visitor_to_lead",
    ]
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(workspace_src)
        rows = {r["channel"]: r for r in lp.kpi_result(kpis=names, by=["channel"]).rows}
        act = lp.kpi_result(kpis=["touches_per_lead"], view="activity", period="month").rows
    email = rows["email"]
    # A opened and clicked within 90 days; C's download came too late; B never engaged.
    assert email["engagement_rate"] == pytest.approx(1 / 3)
    assert (email["email_open_rate_numerator"], email["email_open_rate_denominator"]) == (1, 3)
    assert email["email_click_rate"] == pytest.approx(1 / 3)
    assert email["touches_per_lead"] == pytest.approx(2.0)
    assert email["social_engagement_rate"] == 0 and rows["events"]["social_engagement_rate"] == 1
    assert email["visitors"] == 400 and email["visitor_to_lead"] == pytest.approx(3 / 400)
    assert rows["events"]["visitors"] == 50 and rows["events"]["engagement_rate"] == 1
    assert {r["period"]: r["touches_per_lead"] for r in act}["2025-06"] is None


def test_icp_fit_dimension(make_workspace, workspace_src):
    ws = make_workspace(
        icp=[
            {"column": "industry", "in": ["Software", "fintech"]},
            {"column": "company_size", "min": 50, "max": 1000},
        ]
    )
    with leadpilot.open(ws) as lp:
        lp.ingest(workspace_src)
        rows = {r["icp_fit"]: r for r in lp.kpi_result(by=["icp_fit"]).rows}
        funnel = lp.funnel_result(by=["icp_fit"])
    assert rows["fit"]["leads"] == 1 and rows["fit"]["lead_to_customer"] == 1.0  # A
    assert rows["no_fit"]["leads"] == 2  # B (retail), C (5 employees)
    assert rows["unknown"]["leads"] == 1  # D: software, size missing
    assert {r["icp_fit"] for r in funnel.rows} == {"fit", "no_fit", "unknown"}


def test_icp_on_a_missing_column_is_a_clear_error(make_workspace, workspace_src):
    from leadpilot.errors import UsageError

    ws = make_workspace(icp=[{"column": "revenue_band", "equals": "big"}])
    with leadpilot.open(ws) as lp:
        lp.ingest(workspace_src)
        with pytest.raises(UsageError, match="revenue_band"):
            lp.kpi_result(by=["icp_fit"])
