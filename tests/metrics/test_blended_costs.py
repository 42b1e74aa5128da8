"""Cost KPIs over every channel (a total row, or rows split by another dimension) divide
the spend by the leads, customers and revenue of all channels, those without spend
included: said, with the channels no spend names and their leads (on the HubSpot example
the total CAC read 250 where a paid customer cost 708, without a word)."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import build, write_config

import leadpilot
from leadpilot.i18n import message_in

GROUPS = [
    {"channel": "ads", "n": 30, "mql": 10, "customers": 3, "spend": 3000},
    {"channel": "seo", "n": 50, "mql": 20, "customers": 10},
    {"channel": "referral", "n": 20, "mql": 10, "customers": 5},
]


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("blended")
    src = build(root / "src", GROUPS)
    path = write_config(root / "ws").parent
    with leadpilot.open(path) as lp:
        lp.ingest(src)
    return path, src


def test_total_costs_say_they_are_blended(ws):
    path, src = ws
    leads = pd.read_csv(src / "leads.csv")
    spend = pd.read_csv(src / "spend.csv")
    free = sorted(set(leads.channel) - set(spend.channel))
    held = int(leads.channel.isin(free).sum())
    with leadpilot.open(path) as lp:
        total = lp.kpi_result(kpis=["cpl", "cac"])
        monthly = lp.kpi_result(kpis=["cac"], period="month")
        by_channel = lp.kpi_result(kpis=["cac"], by=["channel"])
        no_cost = lp.kpi_result(kpis=["leads", "spend"])
    (note,) = [n for n in total.meta.notices if n.code == "blended_costs"]
    assert note.data == {"channels": free, "leads": held, "of_leads": len(leads)}
    assert str(note).startswith("cpl, cac divide the spend by the leads, customers and revenue")
    # the number it qualifies: the spend over every lead
    assert total.rows[0]["cpl"] == pytest.approx(spend.amount.sum() / len(leads))
    assert [n.code for n in monthly.meta.notices].count("blended_costs") == 1
    assert "blended_costs" not in {n.code for n in by_channel.meta.notices}
    assert "blended_costs" not in {n.code for n in no_cost.meta.notices}  # no cost KPI read
    french = message_in(str(note), "fr")
    assert french.startswith("cpl, cac divisent les dépenses") and "2 canal(aux) sans" in french
    assert f"portent {held} des {len(leads)} leads" in french
