"""Markov removal effects against a chain solved by hand, and (dev only) against
ChannelAttribution's simulated markov_model."""

from __future__ import annotations

import pytest

from leadpilot.attribution import compute_attribution_from_paths
from leadpilot.config import AttributionSettings, Config

# Journeys: A (1 converted with value 100, 1 did not), A > B (1 converted, value 300),
# B (1 did not).
PATHS = """path,total_conversions,total_conversion_value,total_null
A,1,100,1
A > B,1,300,0
B,0,0,1
"""


def markov(tmp_path, text=PATHS, **settings):
    f = tmp_path / "p.csv"
    f.write_text(text)
    cfg = Config(attribution=AttributionSettings(**settings))
    r = compute_attribution_from_paths(f, cfg, models=["markov"])
    return {row["channel"]: row for row in r.rows}


def test_closed_form(tmp_path):
    # Chain: start -> A 3/4, start -> B 1/4; A -> conv, A -> null, A -> B: 1/3 each;
    # B -> conv 1/2, B -> null 1/2.
    # P(conv) = 3/4 (1/3 + 1/3 * 1/2) + 1/4 * 1/2 = 3/8 + 1/8 = 1/2.
    # Without A: only start -> B -> conv: 1/4 * 1/2 = 1/8; removal effect 1 - (1/8)/(1/2) = 3/4.
    # Without B: start -> A -> conv: 3/4 * 1/3 = 1/4; removal effect 1 - (1/4)/(1/2) = 1/2.
    # 2 conversions split 3/4 : 1/2 -> A 1.2, B 0.8.
    # Revenue chain (each conversion transition carries its revenue): from A 100/3 per step,
    # from B 300/2 = 150. E = 3/4 (100/3 + 1/3 * 150) + 1/4 * 150 = 62.5 + 37.5 = 100.
    # Without A: 1/4 * 150 = 37.5 -> effect 0.625; without B: 3/4 * 100/3 = 25 -> 0.75.
    # 400 of revenue split 0.625 : 0.75 -> A 181.82, B 218.18.
    rows = markov(tmp_path)
    assert rows["A"]["conversions"] == pytest.approx(1.2)
    assert rows["B"]["conversions"] == pytest.approx(0.8)
    assert rows["A"]["revenue"] == pytest.approx(400 * 0.625 / 1.375, abs=0.01)
    assert rows["B"]["revenue"] == pytest.approx(400 * 0.75 / 1.375, abs=0.01)


def test_without_null_paths(tmp_path):
    # Converting journeys only: start -> A 1; A -> conv 1/2, A -> B 1/2; B -> conv 1.
    # P = 1; without A: 0 (effect 1); without B: 1/2 (effect 1/2) -> A 4/3, B 2/3.
    rows = markov(tmp_path, markov_null_paths=False)
    assert rows["A"]["conversions"] == pytest.approx(4 / 3)
    assert rows["B"]["conversions"] == pytest.approx(2 / 3)


def test_repeats_collapsed_or_not(tmp_path):
    text = "path,total_conversions,total_null\nA > A > B,2,0\nA,0,2\n"
    # collapsed: A > B (2 conv), A (2 null): start -> A 1; A -> B 1/2, A -> null 1/2;
    # B -> conv 1. Without A: 0; without B: 0 -> equal effects -> 1 conversion each.
    rows = markov(tmp_path, text)
    assert rows["A"]["conversions"] == pytest.approx(1.0)
    # kept: A -> A 2/6... A's transitions: A->A 2, A->B 2, A->null 2 (1/3 each).
    # P(conv) = x_A with x_A = 1/3 x_A + 1/3 -> x_A = 1/2. Without A or B: 0. Still 1 : 1.
    rows = markov(tmp_path, text, collapse_repeats=False)
    assert rows["B"]["conversions"] == pytest.approx(1.0)


def test_second_order(tmp_path):
    # Order 2 states are pairs; B's credit depends on what came before it.
    text = "path,total_conversions,total_null\nA > B,3,1\nC > B,0,4\nC,1,1\n"
    rows = markov(tmp_path, text, markov_order=2)
    # start -> (A) 4/10, (C) 6/10. (A) -> (A,B) 1. (A,B) -> conv 3/4.
    # (C) -> (C,B) 4/6, conv 1/6, null 1/6. (C,B) -> null 1.
    # P = 0.4 * 0.75 + 0.6 * 1/6 = 0.3 + 0.1 = 0.4. Without A: 0.1 (effect 0.75);
    # without B: 0.1 (0.75); without C: 0.3 (0.25). 4 conversions split 3 : 3 : 1.
    assert rows["A"]["conversions"] == pytest.approx(4 * 3 / 7)
    assert rows["B"]["conversions"] == pytest.approx(4 * 3 / 7)
    assert rows["C"]["conversions"] == pytest.approx(4 / 7)


def test_against_channel_attribution(tmp_path):
    """Dev-only: ChannelAttribution simulates; its result is within its noise of ours."""
    ca = pytest.importorskip("ChannelAttribution")
    import pandas as pd

    text = (
        "path,total_conversions,total_conversion_value,total_null\n"
        "A > B > C,120,12000,380\nA,60,3000,440\nB > C,90,9900,210\nC,30,1500,270\n"
        "B > A,40,2000,160\nC > A > B,25,5000,75\n"
    )
    ours = markov(tmp_path, text)
    df = pd.read_csv(tmp_path / "p.csv")
    res = ca.markov_model(
        df, "path", "total_conversions", var_value="total_conversion_value",
        var_null="total_null", order=1, sep=">", verbose=False, flg_pro=False,
        nsim_start=1e6,
    )  # fmt: skip
    theirs = dict(zip(res["channel_name"], res["total_conversions"], strict=True))
    for ch, conv in theirs.items():
        assert ours[ch]["conversions"] == pytest.approx(conv, rel=0.03), ch


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("collapse", [True, False])
@pytest.mark.parametrize("null_paths", [True, False])
def test_path_file_counts_equal_engine_counts(tmp_path, order, collapse, null_paths):
    """Path files count transitions in NumPy, workspaces in the engine: same chain."""
    from leadpilot.attribution import markov as mk
    from leadpilot.attribution.pathfile import (
        journeys_from_paths,
        path_transition_counts,
        read_path_file,
    )

    f = tmp_path / "p.csv"
    f.write_text(
        "path,total_conversions,total_conversion_value,total_null\n"
        "A > A > B > C,3,300,5\nB > A,1,50,4\nC,0,0,7\nA > B > A > B,2,10,1\n"
        "C > C > A,1,1000,0\nB,0,0,0\n"
    )
    df, sep = read_path_file(f)
    engine = mk.transition_counts(journeys_from_paths(df, sep), order, collapse, null_paths)
    numpy = path_transition_counts(df, sep, order, collapse, null_paths)
    a, b = mk.fit(engine, order), mk.fit(numpy, order)
    assert a.conversion_probability == pytest.approx(b.conversion_probability)
    for ch in a.channels:
        assert a.removal_effects[ch] == pytest.approx(b.removal_effects[ch])
        assert a.removal_effects_value[ch] == pytest.approx(b.removal_effects_value[ch])
