"""The decomposition of a change adds up exactly, on the article's cases and always."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadpilot.diagnostics.decompose import Group, decompose, shapley_product
from leadpilot.diagnostics.significance import compare_rates


def test_article_400_to_800_leads_closing_15_to_6_percent():
    """400 -> 800 leads while closing falls 15 % -> 6 %: sales 60 -> 48."""
    before = {"all": Group(leads=400, customers=60, revenue=60 * 5000)}
    after = {"all": Group(leads=800, customers=48, revenue=48 * 5000)}
    d = decompose(before, after, measure="customers")
    assert (d.before, d.after, d.change) == (60, 48, -12)
    # twice the leads: +42 sales, averaged over both orders ((60 + 24) / 2)...
    assert d.effects["volume"] == pytest.approx(42.0)
    # ...undone by a closing rate 2.5 times lower: -54 ((-36 - 72) / 2)
    assert d.effects["conversion"] == pytest.approx(-54.0)
    assert sum(d.effects.values()) == pytest.approx(d.change)
    r = decompose(before, after)
    assert r.effects["deal_size"] == pytest.approx(0.0)
    assert sum(r.effects.values()) == pytest.approx(-60_000)


def test_mix_shift_toward_a_channel_that_converts_worse():
    """Same total leads, moved from outbound (45 % SQL→sale) to inbound (15 %): mix effect."""
    before = {"inbound": Group(200, 30, 30_000), "outbound": Group(200, 90, 90_000)}
    after = {"inbound": Group(320, 48, 48_000), "outbound": Group(80, 36, 36_000)}
    d = decompose(before, after)
    assert d.effects["volume"] == pytest.approx(0.0)
    assert d.effects["conversion"] == pytest.approx(0.0) and d.effects["deal_size"] == 0
    assert d.effects["mix"] == pytest.approx(d.change) == -36_000


def test_new_and_vanished_channels_need_no_division_by_zero():
    before = {"email": Group(100, 10, 10_000), "events": Group(50, 5, 8_000)}
    after = {"email": Group(120, 12, 12_000), "webinar": Group(60, 6, 6_000)}
    d = decompose(before, after)
    assert sum(d.effects.values()) == pytest.approx(d.change)
    # a new channel brings revenue through volume and mix only
    assert d.by_group["webinar"]["conversion"] == 0 and d.by_group["webinar"]["deal_size"] == 0
    assert d.by_group["events"]["conversion"] == 0


def test_conversion_split_stage_by_stage():
    s = ("mql", "sql", "opportunity")
    before = {"all": Group(1000, 32, 32 * 5000, {"mql": 350, "sql": 140, "opportunity": 80})}
    after = {"all": Group(1000, 20, 20 * 5000, {"mql": 350, "sql": 70, "opportunity": 40})}
    d = decompose(before, after, stages=s)
    assert d.stage_effects["mql"] == pytest.approx(0.0)  # lead -> MQL unchanged
    assert d.stage_effects["sql"] < 0  # MQL -> SQL halved: the bottleneck
    assert d.stage_effects["customer"] > 0  # opportunity -> customer rose 40 % -> 50 %
    assert sum(d.stage_effects.values()) == pytest.approx(d.effects["conversion"])
    assert sum(d.effects.values()) == pytest.approx(d.change)


group = st.builds(
    lambda leads, conv, size, m: Group(leads, round(leads * conv), round(leads * conv) * size,
                                       {"mql": max(round(leads * m), round(leads * conv))}),
    st.integers(0, 5000), st.floats(0, 1), st.floats(0, 1e5), st.floats(0, 1),
)  # fmt: skip
groups = st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), group, max_size=4)


@settings(max_examples=200, deadline=None)
@given(before=groups, after=groups, stages=st.booleans(), measure=st.sampled_from(
    ["revenue", "customers"]))  # fmt: skip
def test_effects_always_add_up_to_the_change(before, after, stages, measure):
    d = decompose(before, after, measure=measure, stages=("mql",) if stages else None)
    assert all(math.isfinite(v) for v in d.effects.values())
    assert sum(d.effects.values()) == pytest.approx(d.change, rel=1e-9, abs=1e-6)
    if stages:
        assert sum(d.stage_effects.values()) == pytest.approx(d.effects["conversion"], abs=1e-6)


def test_shapley_of_a_product_is_symmetric_and_exact():
    e = shapley_product([2.0, 3.0, 5.0], [4.0, 3.0, 10.0])
    assert sum(e) == pytest.approx(120 - 30) and e[1] == 0
    assert shapley_product([0, 7], [5, 7]) == [35.0, 0.0]


def test_rate_changes_use_the_right_test():
    big = compare_rates(60, 400, 48, 800)
    assert big.test == "two-proportion z-test" and big.significant()
    assert big.low < big.difference < big.high < 0
    small = compare_rates(2, 10, 6, 12)
    assert small.test == "Fisher's exact test" and not small.significant()
    same = compare_rates(30, 200, 31, 200)
    assert not same.significant() and same.low < 0 < same.high
    empty = compare_rates(0, 0, 5, 10)
    assert empty.p_value is None and empty.test == "none"
    with pytest.raises(ValueError):
        compare_rates(5, 4, 1, 2)
