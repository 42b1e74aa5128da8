"""Spend exported for the last months of a longer CRM history (an ad platform's export
from July, leads since January): over the whole range, or a quarter holding part of the
spend, the cost KPIs divided July's spend by January's leads too — CPL and CAC low, ROI
high, without a word (Zoho example: referral spend from 2018-10-29, 73 of its 832 leads
before). Said now, with the dates to read them over; periods outside the spend stay null
(not_recorded) and need nothing more."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import write_config

import leadpilot
from leadpilot.i18n import message_in

CHANNELS = ("paid_search", "email", "organic_search")


def _data(folder):
    folder.mkdir()
    leads = pd.DataFrame({
        "lead_id": [f"L{i}" for i in range(600)],
        "created_at": [f"2024-{1 + i % 12:02d}-{1 + i % 27:02d}" for i in range(600)],
        "channel": [CHANNELS[i % 3] for i in range(600)],
    })  # fmt: skip
    spend = pd.DataFrame(
        [(f"2024-{m:02d}-01", "paid_search", 1000.0) for m in range(7, 13)]  # from July
        + [(f"2024-{m:02d}-01", "email", 100.0) for m in range(1, 13)]  # the whole year
        # 'events': two events' costs on their days, their leads in the weeks after them
        + [("2024-03-10", "events", 500.0), ("2024-09-10", "events", 500.0)]
        # 'fair': one day's cost: no cadence to tell what it covers, left out
        + [("2024-05-10", "fair", 300.0)],
        columns=["date", "channel", "amount"],
    )
    events = pd.DataFrame({"lead_id": [f"E{i}" for i in range(40)], "channel": "events",
                           "created_at": ["2024-03-12"] * 20 + ["2024-10-30"] * 20})
    fair = pd.DataFrame({"lead_id": [f"F{i}" for i in range(10)], "channel": "fair",
                         "created_at": "2024-05-20"})  # fmt: skip
    pd.concat([leads, events, fair]).to_csv(folder / "leads.csv", index=False)
    spend.to_csv(folder / "spend.csv", index=False)
    return leads, spend


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("spend_dates")
    leads, spend = _data(root / "src")
    ws = root / "ws"
    write_config(ws)
    with leadpilot.open(ws) as lp:
        lp.ingest(root / "src")
    return ws, leads, spend


def _said(result) -> list:
    return [n for n in result.meta.notices if n.code == "outside_spend_dates"]


def test_leads_outside_the_spend_dates_are_counted_and_said(ws):
    path, leads, spend = ws
    with leadpilot.open(path) as lp:
        result = lp.kpi_result(kpis=["leads", "spend", "cpl", "cac", "roi"], by="channel")
    (said,) = _said(result)
    # pandas: paid_search's leads before its first spend day (July 1st)
    ps = leads[leads.channel == "paid_search"]
    before = int((pd.to_datetime(ps.created_at) < "2024-07-01").sum())
    assert said.data == {"leads": before, "channels": 1}
    assert f"paid_search: {before:,} of {len(ps):,} leads outside 2024-07-01 – 2024-12-31" in said
    assert "the cost KPIs (cpl, cac, roi) divide the spend by those leads too" in said
    assert "--from 2024-07-01 --to 2024-12-31" in said
    assert message_in(said, "fr").startswith(
        "les dépenses ne couvrent qu'une partie des dates des leads (paid_search : "
        f"{before} leads sur {len(ps)} hors du 2024-07-01 au 2024-12-31) : les indicateurs de "
        "coût (cpl, cac, roi)"
    )
    # the number it warns about: July's spend over the year's leads
    row = {r["channel"]: r for r in result.rows}["paid_search"]
    assert row["cpl"] == pytest.approx(6000 / len(ps), abs=0.01)


@pytest.mark.parametrize(
    ("period", "date_from", "kpis"),
    [
        ("month", None, ["cpl"]),  # each month holds all its channel's spend, or none
        ("quarter", None, ["cpl"]),  # Q1-Q2 null (not recorded), Q3-Q4 whole
        ("all", "2024-07-01", ["cpl"]),  # read over the spend's dates
        ("all", None, ["leads", "spend"]),  # no ratio divides the spend
    ],
)
def test_nothing_is_said_where_no_ratio_mixes_them(ws, period, date_from, kpis):
    path, _, _ = ws
    with leadpilot.open(path) as lp:
        result = lp.kpi_result(kpis=kpis, by="channel", period=period, date_from=date_from)
    assert _said(result) == []


def test_a_year_holding_part_of_the_spend_is_said_a_range_inside_it_is_not(ws):
    path, leads, _ = ws
    with leadpilot.open(path) as lp:
        result = lp.kpi_result(kpis=["cpl"], by="channel", period="quarter",
                               date_from="2024-06-01")  # fmt: skip
    assert _said(result) == []  # June's leads are in Q2, whose spend is none: null
    with leadpilot.open(path) as lp:
        result = lp.kpi_result(kpis=["cpl"], by="channel", period="quarter",
                               date_from="2024-08-01")  # fmt: skip
    assert _said(result) == []  # Q3 from August: every lead inside the spend's dates
    with leadpilot.open(path) as lp:
        result = lp.kpi_result(kpis=["cpl"], period="year")
    (said,) = _said(result)  # the year holds July's spend and January's leads
    assert said.data["channels"] == 1
