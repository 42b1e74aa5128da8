"""Pipeline forecast: hand-checkable cases, a fixed seed, and the back-test."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import write_config

import leadpilot
from leadpilot.diagnostics.forecast import backtest, forecast


def _ws(tmp_path, deals: list[str], leads: list[str]):
    src = tmp_path / "src"
    src.mkdir()
    (src / "leads.csv").write_text("lead_id,created_at\n" + "\n".join(leads) + "\n")
    (src / "deals.csv").write_text(
        "deal_id,lead_id,created_at,status,closed_at,amount\n" + "\n".join(deals) + "\n"
    )
    ws = tmp_path / "ws"
    write_config(ws)
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
    return ws


def test_an_open_deal_closes_after_the_time_it_has_left(tmp_path):
    """Every closed deal was won in 30 days; a deal open for 10 days on 2025-03-01 closes
    20 days later, in March, for its own amount, with the win rate of 11 wins out of 11
    (its Beta posterior's mean: 12 / 13)."""
    leads = [f"L{i},2024-06-01" for i in range(12)]
    closed = [f"D{i},L{i},2024-06-{i + 1:02d},won,2024-07-{i + 1:02d},1000" for i in range(11)]
    ws = _ws(tmp_path, [*closed, "D99,L11,2025-02-19,open,,5000"], leads)
    with leadpilot.open(ws) as lp:
        f = forecast(lp.tables(), lp.config, months=2, as_of=date(2025, 3, 1), runs=500)
    march = next(r for r in f.rows if r["month"] == "2025-03")
    assert march["expected"] == pytest.approx(5000 * 12 / 13, rel=0.05)
    assert march["from_open_deals"] == march["expected"] and march["high"] == 5000
    assert sum(r["expected"] for r in f.rows) == march["expected"]  # all of it in March
    assert f.open_deals == 1


def test_an_open_deal_older_than_every_closed_one_is_not_counted(tmp_path):
    leads = [f"L{i},2024-06-01" for i in range(12)]
    closed = [f"D{i},L{i},2024-06-{i + 1:02d},won,2024-07-{i + 1:02d},1000" for i in range(11)]
    ws = _ws(tmp_path, [*closed, "D99,L11,2024-06-01,open,,5000"], leads)
    with leadpilot.open(ws) as lp:
        f = forecast(lp.tables(), lp.config, months=3, as_of=date(2025, 3, 1), runs=200)
    assert sum(r["expected"] for r in f.rows) == 0


def test_same_seed_same_forecast_and_the_backtest_compares_with_what_was_won(tmp_path):
    leads = [f"L{i},2024-{1 + i % 12:02d}-03" for i in range(60)]
    deals = [f"D{i},L{i},2024-{1 + i % 12:02d}-05,{'won' if i % 3 else 'lost'},"
             f"2024-{1 + i % 12:02d}-{20 + i % 8},{1000 + 10 * i}" for i in range(60)]  # fmt: skip
    ws = _ws(tmp_path, deals, leads)
    with leadpilot.open(ws) as lp:
        a = forecast(lp.tables(), lp.config, months=3, as_of=date(2024, 6, 10))
        b = forecast(lp.tables(), lp.config, months=3, as_of=date(2024, 6, 10))
        bt = backtest(lp.tables(), lp.config, date(2024, 6, 10), months=3)
    assert a.rows == b.rows
    assert all(r["low"] <= r["expected"] <= r["high"] for r in a.rows)
    # deals open on 10 June 2024 were won in June: the back-test counts them
    assert bt["actual_total"] > 0 and bt["forecast_total"] > 0
    assert [m["month"] for m in bt["months"]][:2] == ["2024-06", "2024-07"]
