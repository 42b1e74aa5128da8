"""Secondary KPIs: content performance, lead-source mix, interest retention."""

from __future__ import annotations

import pandas as pd
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
    """A month is shown once it has ended for the cohort's youngest lead: begun only, it
    counted part of it (a young cohort read as if its retention halved)."""
    with leadpilot.open(ws) as lp:
        later = lp.retention(months=2, as_of="2025-04-15").set_index("cohort")
        now = lp.retention(months=2).set_index("cohort")  # as of the last event, 2025-03-02
    # January cohort: A and B engaged in month 0 (form, download); A opened an e-mail in
    # month 1; nobody in month 2 (days 61 to 91, over by April 15)
    assert later.loc["2025-01", "month_0"] == 1.0 and later.loc["2025-01", "month_1"] == 0.5
    assert later.loc["2025-01", "month_2"] == 0.0
    assert later.loc["2025-03", "month_0"] == 0.0  # C only visited: not an engagement type
    assert pd.isna(later.loc["2025-03", "month_1"])  # C is 45 days old: month 1 not over
    # on March 2, A and B are 60 days old: their month 1 (to day 60.9) is not over; C's
    # month 0 has just begun — unknown, not 50 % and 0 %
    assert now.loc["2025-01", "month_0"] == 1.0 and pd.isna(now.loc["2025-01", "month_1"])
    assert pd.isna(now.loc["2025-03", "month_0"])


def test_retention_fits_a_narrow_terminal_without_cutting_a_cohort(ws):
    """At 80 columns every cohort read '2024-…': the month columns are split into tables
    that fit, the cohort repeated in each."""
    from rich.console import Console

    from leadpilot.results.terminal import Terminal

    with leadpilot.open(ws) as lp:
        result = lp.retention_result(months=6, as_of="2025-12-31")
    console = Console(width=50, color_system=None, record=True)
    Terminal(console, "en").show(result)
    text = console.export_text()
    assert "…" not in text and max(len(line) for line in text.splitlines()) <= 50
    assert text.count("2025-01") >= 2 and "month 6" in text  # split, the cohort in each


def test_retention_months_below_one_is_a_usage_error(ws):
    """The service answers 422 and forecast refuses --months 0; retention returned rows
    without any month."""
    from leadpilot.errors import UsageError

    with leadpilot.open(ws) as lp, pytest.raises(UsageError, match="at least 1"):
        lp.retention_result(months=-1)
