"""Spend of two exports sharing their names (Facebook's and LinkedIn's "Winter promo",
both mapped to paid_social): ingested together they add up, but ingested one after the
other the second replaced the first without a word (520 together, 420 one after the
other, 220 after re-ingesting the first alone). A replaced amount is now said."""

from __future__ import annotations

import pytest

import leadpilot

FACEBOOK = "date,channel,campaign,amount\n2025-01-05,paid_social,Winter promo,100\n"
LINKEDIN = (
    "date,channel,campaign,amount\n"
    "2025-01-05,paid_social,Winter promo,300\n2025-01-06,paid_social,Brand,70\n"
)


def _folder(root, name: str, spend: str):
    folder = root / name
    folder.mkdir()
    (folder / "spend.csv").write_text(spend, encoding="utf-8")
    return folder


def _replaced(summary) -> list[str]:
    return [str(w) for w in summary.warnings if getattr(w, "code", None) == "spend_replaced"]


def _spend(lp) -> float:
    (row,) = lp.kpi_result(kpis=["spend"]).rows
    return row["spend"]


def test_a_replaced_amount_is_said_and_an_identical_one_is_not(make_workspace, tmp_path):
    facebook = _folder(tmp_path, "facebook", FACEBOOK)
    linkedin = _folder(tmp_path, "linkedin", LINKEDIN)
    with leadpilot.open(make_workspace()) as lp:
        assert _replaced(lp.ingest(facebook)) == []
        said = _replaced(lp.ingest(linkedin))
        assert len(said) == 1
        assert "1 row(s) replace stored spend" in said[0]
        assert "(100.00 stored, 300.00 now)" in said[0]
        assert _spend(lp) == 370  # replaced, as said: the day's 100 is gone
        assert _replaced(lp.ingest(linkedin)) == []  # the same export again: nothing
        said = _replaced(lp.ingest(facebook))
        assert said and "(300.00 stored, 100.00 now)" in said[0]


@pytest.mark.parametrize("backend", ["duckdb"], indirect=True)
def test_exports_ingested_together_add_up_without_a_replacement(make_workspace, tmp_path):
    both = _folder(tmp_path, "both", FACEBOOK)
    (both / "spend.csv").write_text(FACEBOOK + LINKEDIN.split("\n", 1)[1], encoding="utf-8")
    with leadpilot.open(make_workspace()) as lp:
        summary = lp.ingest(both)
        assert _replaced(summary) == []
        assert _spend(lp) == 470
        assert _replaced(lp.ingest(both)) == []
        assert _spend(lp) == 470
