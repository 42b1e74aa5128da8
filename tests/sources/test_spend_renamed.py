"""A campaign renamed between two exports of an ad platform: the re-export lists the old
days' spend under the new name, and the stored rows of the old name stayed beside them —
the channel's spend counted twice, silently (paid_search 827.50 where the platform says
616.75). The re-ingest now says so (``spend_restated``, with the days and the amount), and
a source marked ``replace_days`` removes the stored rows of its channels and days that it
no longer lists (said: ``spend_days_replaced``)."""

from __future__ import annotations

import io

import pandas as pd
import pytest
import yaml

import leadpilot
from leadpilot.errors import LeadpilotError
from leadpilot.i18n import message_in

FIRST = """date,channel,campaign,amount,clicks
2024-01-01,paid_search,Brand - FR,100.00,10
2024-01-02,paid_search,Brand - FR,120.50,12
2024-01-03,paid_search,Brand - FR,90.25,9
2024-01-01,paid_search,Generic,50.00,5
2024-01-02,paid_search,Generic,55.00,5
2024-01-03,paid_search,Generic,60.00,6
2024-01-02,paid_social,Meta,40.00,4
"""
# the same account exported again after 'Brand - FR' became 'Brand FR 2024'
AGAIN = """date,channel,campaign,amount,clicks
2024-01-02,paid_search,Brand FR 2024,120.50,12
2024-01-03,paid_search,Brand FR 2024,90.25,9
2024-01-04,paid_search,Brand FR 2024,80.00,8
2024-01-02,paid_search,Generic,55.00,5
2024-01-03,paid_search,Generic,60.00,6
2024-01-04,paid_search,Generic,61.00,6
"""


def _folder(root, name: str, spend: str, **source):
    folder = root / name
    folder.mkdir()
    (folder / "spend.csv").write_text(spend, encoding="utf-8")
    if not source:
        return folder
    config = {"sources": [{"path": "spend.csv", "table": "spend", **source}]}
    (folder / "leadpilot.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return folder / "leadpilot.yaml"


def _said(summary, code: str) -> list:
    return [n for n in [*summary.warnings, *summary.notes] if getattr(n, "code", None) == code]


def _spend_by_channel(lp) -> dict[str, float]:
    rows = lp.kpi_result(kpis=["spend"], by=["channel"]).rows
    return {r["channel"]: round(r["spend"], 2) for r in rows}


def _expected(stored: str, export: str) -> dict[str, float]:
    """pandas: the stored rows outside the export's channels and days, plus the export."""
    old, new = (pd.read_csv(io.StringIO(t), parse_dates=["date"]) for t in (stored, export))
    covered = old.channel.isin(new.channel) & old.date.between(new.date.min(), new.date.max())
    kept = pd.concat([old[~covered], new])
    return kept.groupby("channel").amount.sum().round(2).to_dict()


def test_a_renamed_campaign_is_said_and_replace_days_removes_the_old_rows(
    make_workspace, tmp_path
):
    first = _folder(tmp_path, "first", FIRST)
    again = _folder(tmp_path, "again", AGAIN)
    replacing = _folder(tmp_path, "replacing", AGAIN, replace_days=True)
    with leadpilot.open(make_workspace()) as lp:
        assert _said(lp.ingest(first), "spend_restated") == []
        for _ in range(2):  # the first re-ingest, and every one after it
            (said,) = _said(lp.ingest(again), "spend_restated")
            assert "on 2 day(s) from 2024-01-02 to 2024-01-03 (paid_search)" in said
            assert "campaign 'Brand FR 2024'" in said and "campaign 'Brand - FR'" in said
            assert said.data == {"days": 2, "amount": 210.75}
            assert "replace_days: true" in said
            assert message_in(said, "fr").startswith(
                "dépenses : sur 2 jour(s) du 2024-01-02 au 2024-01-03 (paid_search), les "
                "dépenses que ces fichiers listent sous d'autres noms (campagne 'Brand FR 2024')"
            )
            truth = _expected(FIRST, AGAIN)["paid_search"]
            assert _spend_by_channel(lp)["paid_search"] == round(truth + 210.75, 2)

        summary = lp.ingest(replacing)
        (removed,) = _said(summary, "spend_days_replaced")
        assert "paid_search from 2024-01-02 to 2024-01-04" in removed
        assert "2 stored row(s) it no longer lists (campaign 'Brand - FR'" in removed
        assert removed.data == {"rows": 2, "amount": 210.75}
        assert "qu'il ne liste plus (campagne 'Brand - FR' ; 210,75 de dépenses) sont " in (
            message_in(removed, "fr")
        )
        assert _said(summary, "spend_restated") == []
        assert _spend_by_channel(lp) == _expected(FIRST, AGAIN)  # Jan 1 and paid_social kept

        # the same export again: nothing left to remove, nothing restated
        summary = lp.ingest(replacing)
        assert _said(summary, "spend_days_replaced") == []
        assert _said(summary, "spend_restated") == []
        assert _spend_by_channel(lp) == _expected(FIRST, AGAIN)


@pytest.mark.parametrize("backend", ["duckdb"], indirect=True)
def test_a_breakdown_changed_since_the_last_export_is_said(make_workspace, tmp_path):
    """Spend first exported per channel, then per campaign: the day's campaigns add up to
    the stored channel total they restate."""
    totals = "date,channel,amount\n2024-01-02,paid_search,175.50\n2024-01-03,paid_search,150.25\n"
    per_campaign = (
        "date,channel,campaign,amount\n2024-01-02,paid_search,Brand,120.50\n"
        "2024-01-02,paid_search,Generic,55.00\n2024-01-03,paid_search,Brand,90.25\n"
        "2024-01-03,paid_search,Generic,60.00\n"
    )
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(_folder(tmp_path, "totals", totals))
        (said,) = _said(lp.ingest(_folder(tmp_path, "split", per_campaign)), "spend_restated")
        assert "campaign 'Brand', 'Generic'" in said and "(rows without a campaign)" in said
        assert said.data == {"days": 2, "amount": 325.75}


@pytest.mark.parametrize("backend", ["duckdb"], indirect=True)
def test_two_ad_platforms_on_one_channel_are_not_taken_for_a_rename(make_workspace, tmp_path):
    head = "date,channel,campaign,amount\n"
    google = head + "2024-01-02,paid_search,G1,70\n2024-01-03,paid_search,G1,70\n"
    bing = head + "2024-01-02,paid_search,M1,30\n2024-01-03,paid_search,M1,31\n"
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(_folder(tmp_path, "google", google))
        for _ in range(2):
            assert _said(lp.ingest(_folder(tmp_path, f"bing{_}", bing)), "spend_restated") == []
        assert _spend_by_channel(lp) == {"paid_search": 201.0}


@pytest.mark.parametrize("backend", ["duckdb"], indirect=True)
def test_replace_days_of_a_refused_or_quarantined_export(make_workspace, tmp_path):
    """A refused export removes nothing; rows set aside replace nothing either: the days
    and channels replaced are those of the rows that load."""
    bad = AGAIN.replace("Generic,61.00", "Generic,abc")
    social_only = "date,channel,campaign,amount,clicks\n2024-01-05,paid_social,Meta,abc,1\n"
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(_folder(tmp_path, "first", FIRST))
        before = _spend_by_channel(lp)
        with pytest.raises(LeadpilotError):
            lp.ingest(_folder(tmp_path, "bad", bad, replace_days=True), policy="strict")
        assert _spend_by_channel(lp) == before
        summary = lp.ingest(_folder(tmp_path, "social", social_only, replace_days=True),
                            policy="quarantine")  # fmt: skip
        assert _said(summary, "spend_days_replaced") == []
        assert _spend_by_channel(lp) == before


@pytest.mark.parametrize("backend", ["duckdb"], indirect=True)
def test_replace_days_is_for_spend_and_traffic(make_workspace, tmp_path):
    folder = tmp_path / "leads"
    folder.mkdir()
    (folder / "leads.csv").write_text("lead_id,created_at\nL1,2024-01-02\n", encoding="utf-8")
    config = {"sources": [{"path": "leads.csv", "table": "leads", "replace_days": True}]}
    (folder / "leadpilot.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    with leadpilot.open(make_workspace()) as lp, pytest.raises(LeadpilotError) as raised:
        lp.ingest(folder / "leadpilot.yaml")
    assert "replace_days is for spend and traffic exports" in str(raised.value)
