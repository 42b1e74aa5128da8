"""Pipeline forecast: hand-checkable cases, a fixed seed, and the back-test."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import write_config

import leadpilot
from leadpilot.diagnostics.forecast import backtest, forecast
from leadpilot.synth import generate, write_tables


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
    20 days later, in March, for its own amount: all 11 deals like it were won."""
    leads = [f"L{i},2024-06-01" for i in range(12)]
    closed = [f"D{i},L{i},2024-06-{i + 1:02d},won,2024-07-{i + 1:02d},1000" for i in range(11)]
    ws = _ws(tmp_path, [*closed, "D99,L11,2025-02-19,open,,5000"], leads)
    with leadpilot.open(ws) as lp:
        f = forecast(lp.tables(), lp.config, months=2, as_of=date(2025, 3, 1), runs=500)
    march = next(r for r in f.rows if r["month"] == "2025-03")
    assert march["expected"] == pytest.approx(5000, rel=0.01)
    assert march["from_open_deals"] == march["expected"] and march["high"] == 5000
    assert sum(r["expected"] for r in f.rows) == march["expected"]  # all of it in March
    assert f.open_deals == 1


def test_times_with_fractions_of_a_second_forecast_as_whole_seconds(tmp_path):
    """A CRM writing milliseconds ('2024-06-01T09:30:00.250') made forecast an internal
    error (a cast to whole seconds refused them): the same forecast as without them."""
    whole, fraction = tmp_path / "whole", tmp_path / "fraction"
    results = []
    for folder, stamp in ((whole, "T09:30:00"), (fraction, "T09:30:00.250")):
        folder.mkdir()
        # 25 leads with a deal a month after they came, won a month later (the history),
        # and 3 open leads of a week
        leads = [f"L{i},2024-04-{i + 1:02d}{stamp}" for i in range(25)]
        leads += [f"L{i},2024-08-0{i - 24}{stamp}" for i in range(25, 28)]
        closed = [f"D{i},L{i},2024-05-{i + 1:02d},won,2024-06-{i + 1:02d},1000"
                  for i in range(25)]  # fmt: skip
        ws = _ws(folder, closed, leads)
        with leadpilot.open(ws) as lp:
            results.append(forecast(lp.tables(), lp.config, as_of=date(2024, 8, 10), months=3,
                                    runs=300, seed=7).rows)  # fmt: skip
    assert results[0] == results[1]
    assert sum(r["from_funnel"] for r in results[0]) > 0  # the open leads were counted


def test_deals_still_open_count_against_the_win_rate(tmp_path):
    """Ten deals were won in 30 days and ten others are still open after two months: half
    of the deals that reached 30 days were won then (the open ones are censored, not
    ignored), so a deal open for 10 days wins with probability 1/2, not 10/10."""
    leads = [f"L{i},2024-01-01" for i in range(21)]
    won = [f"D{i},L{i},2024-06-{i + 1:02d},won,2024-07-{i + 1:02d},1000" for i in range(10)]
    still = [f"D{i},L{i},2025-01-{i + 1:02d},open,,1000" for i in range(10, 20)]
    ws = _ws(tmp_path, [*won, *still, "D99,L20,2025-03-10,open,,8000"], leads)
    with leadpilot.open(ws) as lp:
        f = forecast(lp.tables(), lp.config, months=2, as_of=date(2025, 3, 20), runs=2000)
    # the ten old open deals are past the only delay seen (30 days): no evidence they close
    april = next(r for r in f.rows if r["month"] == "2025-04")
    assert april["from_open_deals"] == pytest.approx(8000 / 2, rel=0.1)
    assert april["low"] == 0 and april["high"] == 8000


def test_an_open_deal_older_than_every_closed_one_is_not_counted(tmp_path):
    leads = [f"L{i},2024-06-01" for i in range(12)]
    closed = [f"D{i},L{i},2024-06-{i + 1:02d},won,2024-07-{i + 1:02d},1000" for i in range(11)]
    ws = _ws(tmp_path, [*closed, "D99,L11,2024-06-01,open,,5000"], leads)
    with leadpilot.open(ws) as lp:
        f = forecast(lp.tables(), lp.config, months=3, as_of=date(2025, 3, 1), runs=200)
    assert sum(r["expected"] for r in f.rows) == 0


def test_an_as_of_centuries_after_the_data_keeps_the_curves_as_long_as_the_history(
    tmp_path, monkeypatch
):
    """Past the longest closed deal no case ends: the win curves are as long as the
    history (30 days here), whatever the as-of date — the service accepts dates up to
    9998, and a curve per day from the data to then held gigabytes."""
    from leadpilot.diagnostics import forecast as module

    lengths, curves = [], module._win_curves

    def measured(durations, *args):
        won_by, before = curves(durations, *args)
        lengths.append(won_by.shape[1])
        return won_by, before

    monkeypatch.setattr(module, "_win_curves", measured)
    leads = [f"L{i},2024-06-01" for i in range(12)]
    closed = [f"D{i},L{i},2024-06-{i + 1:02d},won,2024-07-{i + 1:02d},1000" for i in range(11)]
    ws = _ws(tmp_path, [*closed, "D99,L11,2025-02-19,open,,5000"], leads)
    with leadpilot.open(ws) as lp:
        late = forecast(lp.tables(), lp.config, months=2, as_of=date(2400, 1, 1), runs=200)
        soon = forecast(lp.tables(), lp.config, months=2, as_of=date(2025, 3, 1), runs=200)
    # days 0 to 32: the deals took 30 days, the one open for centuries counts 31 (as of
    # 2025-03-01, open for 10 days: 0 to 31)
    assert lengths == [33, 32]
    assert sum(r["expected"] for r in late.rows) == 0  # open for centuries: never won
    assert sum(r["expected"] for r in soon.rows) > 0


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


def test_the_80_percent_interval_holds_about_80_percent_of_the_months(tmp_path):
    """Back-tested on generated data (20,000 leads): of the whole months after five past
    dates, the share whose won revenue fell inside the 80 % interval. Rates learnt from
    deals that had already closed (long deals under-counted) and drawn independently for
    each deal (their errors cancelling out) gave 9 of 30; 21 to 24 with other seeds of the
    draws (bench/forecast.py): at least 2 in 3 here."""
    data = tmp_path / "data"
    write_tables(generate(20_000, seed=42), data, fmt="parquet")
    with leadpilot.open(tmp_path / "ws", create=True) as lp:
        lp.ingest(data)
        inside = compared = 0
        for at in (date(2024, 9, 30), date(2024, 12, 31), date(2025, 3, 31),
                   date(2025, 6, 30), date(2025, 9, 30)):  # fmt: skip
            b = backtest(lp.tables(), lp.config, at, months=6)
            inside += b["months_inside_interval"]
            compared += b["months_compared"]
            assert abs(b["total_error"]) < 0.2, b["total_error"]
    assert compared == 30
    assert inside >= 20, f"{inside} of {compared} months inside the 80 % interval"
