"""What the diagnostics say is true of the numbers they show (a QA pass on real exports).

Each test recomputes, from the inputs, what a sentence or a count claims: the channels a
mix shift names as converting worse, the word for the business in the volume verdict,
the unit of a rates' difference, the reverse funnel's counts through its rates, and a
forecast with nothing to forecast.
"""

from __future__ import annotations

import json
import math
import re
import sys
from datetime import date

import pytest
from helpers import build, write_config
from hypothesis import given, settings
from hypothesis import strategies as st

import leadpilot
from leadpilot.diagnostics.decompose import Group, decompose
from leadpilot.diagnostics.findings import Thresholds, find
from leadpilot.diagnostics.forecast import backtest, forecast
from leadpilot.diagnostics.plan import STAGES, reverse_funnel


def stats(leads, customers, revenue=None):
    return {"leads": leads, "mqls": leads, "sqls": leads, "opportunities": leads,
            "customers": customers, "revenue": revenue}  # fmt: skip


def _mix(found):
    return [f for f in found if f.code == "mix_shift_to_low_converting_channels"]


def _per_lead(before: dict, after: dict) -> tuple[dict, float]:
    """Revenue per lead of each group and of all leads, both periods together."""
    own = {
        g: (before.get(g, Group(0, 0)).revenue + after.get(g, Group(0, 0)).revenue)
        / (before.get(g, Group(0, 0)).leads + after.get(g, Group(0, 0)).leads)
        for g in set(before) | set(after)
    }
    groups = [*before.values(), *after.values()]
    return own, sum(g.revenue for g in groups) / sum(g.leads for g in groups)


def _named(sentence: str) -> tuple[list[str], list[str]]:
    """The groups a mix sentence names: (moved away from, moved toward)."""
    m = re.match(r"Leads moved (?:away from (.+?)(?= toward |, which ))?"
                 r"(?: ?toward (.+?)(?=, which ))?", sentence)  # fmt: skip
    away = m.group(1).split(", ") if m.group(1) else []
    toward = m.group(2).split(", ") if m.group(2) else []
    return away, toward


# ------------------------------------------------------------------ 1. the mix finding
def test_mix_names_only_growing_channels_that_convert_worse():
    """Leads move from outbound (the best) toward paid_social (poor) and a little toward
    partners, which converts better than the average lead: partners is not called worse,
    in English or in French."""
    before = {"outbound": Group(400, 80, 800_000), "paid_social": Group(100, 2, 20_000),
              "partners": Group(50, 10, 120_000)}  # fmt: skip
    after = {"outbound": Group(150, 30, 300_000), "paid_social": Group(500, 10, 100_000),
             "partners": Group(80, 16, 190_000)}  # fmt: skip
    own, average = _per_lead(before, after)
    assert own["partners"] > average > own["paid_social"]  # the case, recomputed
    d = decompose(before, after)
    totals = [stats(sum(g.leads for g in p.values()), sum(g.customers for g in p.values()),
                    sum(g.revenue for g in p.values())) for p in (before, after)]  # fmt: skip
    (mix,) = _mix(find(*totals, decomposition=d, dimension="channel"))
    en, fr = mix.explanation("en"), mix.explanation("fr")
    away, toward = _named(en)
    assert toward == ["paid_social"] and away == ["outbound"]
    assert "partners" not in en and "partners" not in fr
    assert "which converts worse than the average lead (revenue per lead" in en
    assert "vers paid_social, qui convertit moins bien que la moyenne des leads" in fr
    assert mix.evidence["per_lead"]["partners"] == pytest.approx(own["partners"])


def test_mix_toward_channels_better_than_average_names_what_was_left():
    """outbound (the best) loses its leads to events, which converts worse than outbound
    but better than the average lead (webinar, steady and poor, drags the average down):
    the sentence does not call events worse; it says outbound converts better."""
    before = {"outbound": Group(200, 40, 400_000), "events": Group(100, 10, 150_000),
              "webinar": Group(700, 7, 14_000)}  # fmt: skip
    after = {"outbound": Group(50, 10, 100_000), "events": Group(250, 25, 375_000),
             "webinar": Group(700, 7, 14_000)}  # fmt: skip
    own, average = _per_lead(before, after)
    assert own["outbound"] > own["events"] > average
    d = decompose(before, after)
    assert d.effects["mix"] < 0
    totals = [stats(1000, 57, 564_000), stats(1000, 42, 489_000)]
    (mix,) = _mix(find(*totals, decomposition=d, dimension="channel"))
    en, fr = mix.explanation("en"), mix.explanation("fr")
    assert en.startswith("Leads moved away from outbound, which converts better than the "
                         "average lead")  # fmt: skip
    assert "events" not in en and "worse" not in en
    assert fr.startswith("Les leads se sont déplacés de outbound, qui convertit mieux que la "
                         "moyenne des leads")  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 300), st.integers(1, 300), st.integers(0, 5_000), st.integers(0, 5_000)
        ),  # fmt: skip
        min_size=2,
        max_size=6,
    )
)
def test_every_channel_a_mix_finding_names_is_what_it_says(channels):
    """Whatever the channels: a channel named as moved toward gained share and brings
    less revenue per lead than the average lead; one moved away from lost share and
    brings more."""
    # every lead a customer: revenue per lead is the deal size, as the product has it
    before = {f"c{i}": Group(lb, lb, lb * vb) for i, (lb, _, vb, _) in enumerate(channels)}
    after = {f"c{i}": Group(la, la, la * va) for i, (_, la, _, va) in enumerate(channels)}
    own, average = _per_lead(before, after)
    total_b, total_a = (sum(g.leads for g in p.values()) for p in (before, after))
    d = decompose(before, after, measure="revenue")
    found = _mix(find(stats(total_b, total_b, d.before), stats(total_a, total_a, d.after),
                      decomposition=d, dimension="channel"))  # fmt: skip
    for f in found:
        away, toward = _named(f.explanation("en"))
        assert away or toward
        for c in toward:
            assert after[c].leads / total_a > before[c].leads / total_b
            assert own[c] < average
        for c in away:
            assert after[c].leads / total_a < before[c].leads / total_b
            assert own[c] > average


# -------------------------------------------------------------- 2. the volume verdict
def _verdict(before, after, thresholds=None):
    found = find(before, after, thresholds=thresholds)
    return next((f for f in found if f.code == "volume_up_revenue_flat"), None)


def test_volume_up_while_revenue_fell_says_down_not_flat():
    """315 -> 625 leads while revenue fell 41 % (the QA case): business down."""
    before, after = stats(315, 51, 601_860.0), stats(625, 37, 353_240.0)
    change = after["revenue"] / before["revenue"] - 1
    assert change < -Thresholds().flat_tolerance
    f = _verdict(before, after)
    assert f.title("en") == "Volume up, business down: an illusion of traction"
    assert f.title("fr") == "Volume en hausse, activité en baisse : une illusion de traction"
    assert "flat" not in f.title("en") and "stable" not in f.title("fr")
    assert f.severity == "high"
    assert f"({'−'}{abs(change) * 100:.1f}%)" in f.explanation("en")


@pytest.mark.parametrize("change", [-0.04, 0.0, 0.03])
def test_flat_only_within_the_tolerance(change):
    """Within ± flat_tolerance the business is flat (medium); the title is never 'down'
    for a change the tolerance calls noise."""
    before = stats(2000, 200, 400_000.0)
    after = stats(2800, 204, 400_000.0 * (1 + change))
    f = _verdict(before, after)
    assert f.title("en").startswith("Volume up, business flat")
    assert f.title("fr").startswith("Volume en hausse, activité stable")
    assert f.severity == "medium"


def test_the_tolerance_is_the_setting():
    """A fall of 8 %: down at the default 5 % tolerance, flat at a 10 % one."""
    before, after = stats(2000, 200, 400_000.0), stats(2800, 190, 368_000.0)
    assert "business down" in _verdict(before, after).title("en")
    assert "business flat" in _verdict(before, after, Thresholds(flat_tolerance=0.1)).title("en")


def test_business_from_nothing_is_not_flat():
    """Revenue from 0 to 50,000: it grew, whatever the closing rate did."""
    assert _verdict(stats(1000, 100, 0.0), stats(2000, 120, 50_000.0)) is None


# ------------------------------------------------------ 3. rates' differences in points
def test_a_rates_difference_is_in_points():
    """16.2 % -> 5.9 %: a difference of -10.3 points, never '-10.3 %' (nor its interval)."""
    before, after = stats(315, 51, 601_860.0), stats(625, 37, 353_240.0)
    (drop,) = [f for f in find(before, after) if f.code == "conversion_drop"]
    points = (37 / 625 - 51 / 315) * 100
    for lang, sep in (("en", "."), ("fr", ",")):
        text = drop.explanation(lang)
        part = re.search(r"(?:difference|écart) (.+?)\)", text).group(1)
        assert part.count("\u00a0pts") == 3, part  # the difference and its interval's bounds
        assert "%" not in part.replace("95 %", ""), part
        assert f"−{abs(points):.1f}".replace(".", sep) + "\u00a0pts" in part


# ------------------------------------------------------------ 4. the reverse funnel
@pytest.fixture(scope="module")
def plan_ws(tmp_path_factory):
    base = tmp_path_factory.mktemp("plan-counts")
    groups = []
    for month in ("2024-01", "2024-04", "2024-07", "2024-10"):
        groups += [
            {"channel": "paid_social", "n": 400, "mql": 160, "sql": 60, "opportunity": 30,
             "customers": 10, "basket": 4000, "spend": 8000, "month": month},
            {"channel": "email", "n": 300, "mql": 200, "sql": 7, "opportunity": 5,
             "customers": 2, "basket": 900, "spend": 900, "month": month},
        ]  # fmt: skip
    groups.append({"channel": "email", "n": 1, "month": "2025-06"})  # the data's end
    folder = build(base / "data", groups)
    write_config(base / "ws")
    with leadpilot.open(base / "ws") as lp:
        lp.ingest(folder)
    return base / "ws"


@pytest.mark.parametrize("target", [1_000, 7_777, 300_000])
def test_reverse_funnel_counts_follow_from_each_other(plan_ws, target):
    """Each count is the fewest whole people that, at the rate shown beside it, give the
    next stage's count: count x rate >= next count > (count - 1) x rate; customers are
    the channel's revenue / deal size, rounded up; the totals add the rows, and the
    sensitivity's central figure is that total."""
    with leadpilot.open(plan_ws) as lp:
        plan = reverse_funnel(lp.tables(), lp.config, target)
    rates = ("lead_to_mql", "mql_to_sql", "sql_to_opportunity", "opportunity_to_customer")
    for r in plan.rows:
        assert r["customers_needed"] == math.ceil(r["revenue"] / r["deal_size"])
        for stage, rate, following in zip(STAGES[:-1], rates, STAGES[1:], strict=True):
            n, nxt = r[f"{stage}_needed"], r[f"{following}_needed"]
            assert isinstance(n, int)
            assert n * r[rate] >= nxt - 1e-9, (r["channel"], stage, n, r[rate], nxt)
            assert (n - 1) * r[rate] < nxt, (r["channel"], stage, n, r[rate], nxt)
        assert r["budget"] == pytest.approx(r["leads_needed"] * r["cpl"])
    for s in STAGES:
        assert plan.totals[f"{s}_needed"] == sum(r[f"{s}_needed"] for r in plan.rows)
    # "N to M leads instead of X": X is the plan's own total, not another estimate
    sens = plan.sensitivity
    assert sens["leads_needed"] == plan.totals["leads_needed"]
    assert sens["leads_needed_low"] <= sens["leads_needed"] <= sens["leads_needed_high"]


def test_the_sensitivity_moves_one_rate_only(tmp_path):
    """Every SQL became an opportunity and a customer (as in CRM exports that imply the
    SQL): moving the MQL -> SQL rate (the least certain) must not lower the rates after
    it, so a higher rate needs fewer leads and a lower one more."""
    groups = [{"channel": "organic_search", "n": 500, "mql": 500, "sql": 25, "opportunity": 25,
               "customers": 25, "basket": 2000, "month": m}
              for m in ("2024-01", "2024-04", "2024-07", "2024-10")]  # fmt: skip
    groups.append({"channel": "organic_search", "n": 1, "month": "2025-06"})
    folder = build(tmp_path / "data", groups)
    write_config(tmp_path / "ws")
    with leadpilot.open(tmp_path / "ws") as lp:
        lp.ingest(folder)
        plan = reverse_funnel(lp.tables(), lp.config, 100_000)
    sens = plan.sensitivity
    assert sens["least_certain_rate"] == "mql_to_sql"
    assert sens["leads_needed"] == plan.totals["leads_needed"]
    assert sens["leads_needed_low"] < sens["leads_needed"] < sens["leads_needed_high"]


# ------------------------------------------------------------------- 5. the forecast
def _deals_ws(tmp_path, deals: list[str], leads: list[str]):
    src = tmp_path / "src"
    src.mkdir()
    (src / "leads.csv").write_text("lead_id,created_at\n" + "\n".join(leads) + "\n")
    (src / "deals.csv").write_text(
        "deal_id,lead_id,created_at,status,closed_at,amount\n" + "\n".join(deals) + "\n"
    )
    write_config(tmp_path / "ws")
    with leadpilot.open(tmp_path / "ws") as lp:
        lp.ingest(src)
    return tmp_path / "ws"


def test_nothing_open_is_nothing_to_forecast_not_a_zero_interval(tmp_path, monkeypatch, capsys):
    """Every deal closed, every lead old: no interval of 0 to 0, a note says why, and the
    JSON carries null bounds and the flag a chart reads to show an empty state."""
    leads = [f"L{i},2023-06-01" for i in range(12)]
    closed = [f"D{i},L{i},2023-06-{i + 1:02d},won,2023-07-{i + 1:02d},1000" for i in range(12)]
    ws = _deals_ws(tmp_path, closed, leads)
    with leadpilot.open(ws) as lp:
        f = forecast(lp.tables(), lp.config, months=2, as_of=date(2025, 3, 1), runs=200)
        bt = backtest(lp.tables(), lp.config, date(2025, 3, 1), months=2, runs=200)
    assert (f.open_deals, f.funnel_leads) == (0, 0)
    assert all(r["low"] is None and r["high"] is None and r["expected"] == 0 for r in f.rows)
    assert any(w.startswith("nothing to forecast: no deal is open") for w in f.warnings)
    assert f.nothing_to_forecast
    assert bt["months_inside_interval"] == bt["months_compared"]  # nothing, as forecast

    from leadpilot.cli import main

    monkeypatch.setattr(sys, "argv", ["leadpilot", "forecast", "-w", str(ws), "--months", "2",
                                      "--as-of", "2025-03-01", "-f", "json"])  # fmt: skip
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code or 0
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["meta"]["nothing_to_forecast"] is True
    assert all(r["low"] is None and r["high"] is None for r in doc["rows"])


def test_an_open_deal_with_no_chance_is_nothing_to_forecast_either(tmp_path):
    """One deal open for longer than any deal ever took: the history holds no win like it."""
    leads = [f"L{i},2024-06-01" for i in range(12)]
    closed = [f"D{i},L{i},2024-06-{i + 1:02d},won,2024-07-{i + 1:02d},1000" for i in range(11)]
    ws = _deals_ws(tmp_path, [*closed, "D99,L11,2024-06-01,open,,5000"], leads)
    with leadpilot.open(ws) as lp:
        f = forecast(lp.tables(), lp.config, months=2, as_of=date(2025, 3, 1), runs=200)
    assert f.open_deals == 1
    assert all(r["low"] is None and r["high"] is None for r in f.rows)
    assert any("history holds no win" in w and "1 open deal" in w for w in f.warnings)
    assert f.nothing_to_forecast


def test_a_real_forecast_keeps_its_interval(tmp_path):
    leads = [f"L{i},2024-06-01" for i in range(12)]
    closed = [f"D{i},L{i},2024-06-{i + 1:02d},won,2024-07-{i + 1:02d},1000" for i in range(11)]
    ws = _deals_ws(tmp_path, [*closed, "D99,L11,2025-02-19,open,,5000"], leads)
    with leadpilot.open(ws) as lp:
        f = forecast(lp.tables(), lp.config, months=2, as_of=date(2025, 3, 1), runs=200)
    assert not f.nothing_to_forecast
    assert all(r["low"] is not None and r["low"] <= r["expected"] <= r["high"] for r in f.rows)
    assert not any(w.startswith("nothing to forecast") for w in f.warnings)
