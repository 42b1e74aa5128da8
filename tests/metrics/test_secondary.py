"""Secondary KPIs: content performance, lead-source mix, interest retention."""

from __future__ import annotations

import pytest

import leadpilot


@pytest.fixture
def ws(shared_workspaces, backend_kind):
    """The workspace of the files below, shared by the module's tests (they only read it)."""

    def ingest(ws):
        with leadpilot.open(ws) as lp:
            lp.ingest(_write_source(ws.parent / f"{ws.name}-src"))

    return shared_workspaces.get(backend_kind, "secondary", ingest)


def _write_source(s):
    s.mkdir()
    (s / "leads.csv").write_text(
        "lead_id,created_at,channel\nA,2025-01-01,email\nB,2025-01-01,events\nC,2025-03-01,email\n"
    )
    (s / "touchpoints.csv").write_text(
        "lead_id,ts,type,content\n"
        "A,2024-12-30,visit,/blog\nA,2025-01-01,form_submit,/pricing\n"
        "A,2025-02-10,email_open,\nB,2025-01-01,download,/ebook\nB,2025-01-02,visit,/blog\n"
        "C,2025-03-02,visit,/pricing\n"
    )
    (s / "deals.csv").write_text(
        "deal_id,lead_id,created_at,status,closed_at,amount\nDA,A,2025-01-10,won,2025-02-01,700\n"
    )
    return s


def test_content_performance(ws):
    with leadpilot.open(ws) as lp:
        rows = {r["content"]: r for r in lp.content().to_dict("records")}
    assert rows["/blog"]["views"] == 2 and rows["/blog"]["leads_first_touched"] == 1  # A
    assert rows["/blog"]["customers"] == 1 and rows["/blog"]["revenue"] == 700
    assert rows["/pricing"]["cta_clicks"] == 1 and rows["/pricing"]["leads_first_touched"] == 1
    assert rows["/ebook"]["leads_first_touched"] == 1 and rows["/ebook"]["revenue"] == 0


def test_source_mix_shares(ws):
    with leadpilot.open(ws) as lp:
        df = lp.sources(period="quarter")
    q1 = df[df.period == "2025-Q1"].set_index("channel")
    assert q1.loc["email", "lead_share"] == pytest.approx(2 / 3)
    assert q1.lead_share.sum() == pytest.approx(1.0)
    assert q1.loc["email", "customer_share"] == 1.0


def test_interest_retention(ws):
    with leadpilot.open(ws) as lp:
        df = lp.retention(months=2).set_index("cohort")
    # January cohort: A and B engaged in month 0 (form, download); A opened an e-mail in month 1.
    assert df.loc["2025-01", "month_0"] == 1.0 and df.loc["2025-01", "month_1"] == 0.5
    assert df.loc["2025-03", "month_0"] == 0.0  # C only visited: not an engagement type
    assert (
        df.loc["2025-03", "month_1"] is None
        or df.loc["2025-03", "month_1"] != df.loc["2025-03", "month_1"]
    )  # not reached yet: unknown, not zero
