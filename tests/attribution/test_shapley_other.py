"""Shapley over more values than its players groups the least-used into 'other': their
credit is in it, unknown per value. Beside models that group nothing, such a value read
'0 0.0 %' for Shapley (a row added for its spend) with an ROI of -100 %, its spread was
the other model's whole share, and the 'other' rows came after the last period."""

from __future__ import annotations

import pytest
from helpers import write_config

import leadpilot

CHANNELS = ("seo", "email", "ads", "events")


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    src = tmp_path_factory.mktemp("other") / "src"
    src.mkdir()
    leads, touches = ["lead_id,created_at,channel"], ["touch_id,lead_id,ts,type,channel"]
    deals, spend = ["deal_id,lead_id,created_at,status,closed_at,amount"], ["date,channel,amount"]
    k = 0
    for month in ("2025-01", "2025-04"):
        for i, channel in enumerate(CHANNELS):
            for _ in range(4 - i):  # seo in the most journeys, events in the fewest
                k += 1
                leads.append(f"L{k},{month}-02,{channel}")
                touches.append(f"T{k},L{k},{month}-03,ad_click,{channel}")
                touches.append(f"U{k},L{k},{month}-04,ad_click,seo")
                deals.append(f"D{k},L{k},{month}-05,won,{month}-09,1000")
            spend.append(f"{month}-01,{channel},500")
    for name, rows in (("leads", leads), ("touchpoints", touches), ("deals", deals),
                       ("spend", spend)):  # fmt: skip
        (src / f"{name}.csv").write_text("\n".join(rows) + "\n")
    ws = write_config(src.parent / "ws", attribution={"shapley_max_channels": 2}).parent
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
    return ws


def test_a_value_grouped_into_other_has_no_shapley_row_nor_spread(ws):
    with leadpilot.open(ws) as lp:
        r = lp.attribution_result(models=["linear", "shapley"], period="quarter")
    shapley = {(x["period"], x["channel"]) for x in r.rows if x["model"] == "shapley"}
    linear = {(x["period"], x["channel"]) for x in r.rows if x["model"] == "linear"}
    assert {c for _, c in shapley} == {"seo", "other"}  # two players: seo and the rest
    assert {c for _, c in linear} == set(CHANNELS)  # every channel, its spend beside it
    spread = {(s["period"], s["channel"]) for s in r.meta["spread"]}
    assert {c for _, c in spread} == {"seo"}  # the only value both models give
    other = [x for x in r.rows if x["model"] == "shapley" and x["channel"] == "other"]
    assert all(x["roi"] is None for x in other)  # no spend is named 'other'


def test_other_is_listed_within_its_period(cli, ws):
    code, out, err = cli("attribution", "-w", str(ws), "-m", "linear,shapley",
                         "--period", "quarter")  # fmt: skip
    assert code == 0, err
    table = out.split("ROI by model")[0]
    lines = [line for line in table.splitlines() if "2025-Q" in line]
    periods = [line.split("│")[1].strip() for line in lines]
    assert periods == sorted(periods), periods  # Q1's rows, 'other' included, then Q2's
    assert sum("other" in line for line in lines) == 2


def test_a_channel_named_other_is_not_taken_for_shapleys_group(tmp_path):
    """A real channel 'other' (Zoho has one), no model grouping anything: a channel with
    spend and no credit keeps its row (0 conversions, ROI -100 %), and 'other' its spread."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "leads.csv").write_text(
        "lead_id,created_at,channel\nL1,2025-01-02,other\nL2,2025-01-02,seo\n"
    )
    (src / "touchpoints.csv").write_text(
        "touch_id,lead_id,ts,type,channel\nT1,L1,2025-01-03,ad_click,other\n"
        "T2,L2,2025-01-03,ad_click,seo\nT3,L2,2025-01-04,ad_click,other\n"
    )
    (src / "deals.csv").write_text(
        "deal_id,lead_id,created_at,status,closed_at,amount\n"
        "D1,L1,2025-01-05,won,2025-01-09,1000\nD2,L2,2025-01-05,won,2025-01-09,1000\n"
    )
    (src / "spend.csv").write_text("date,channel,amount\n2025-01-01,ads,300\n"
                                   "2025-01-01,other,100\n")  # fmt: skip
    ws = write_config(tmp_path / "ws").parent
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
        r = lp.attribution_result(models=["first_touch", "shapley"])
    ads = [x for x in r.rows if x["channel"] == "ads"]
    assert {x["model"] for x in ads} == {"first_touch", "shapley"}
    assert all(x["conversions"] == 0 and x["roi"] == -1 for x in ads)
    assert "other" in {s["channel"] for s in r.meta["spread"]}
