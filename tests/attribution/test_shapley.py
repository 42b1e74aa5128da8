"""Shapley values over channel sets against hand computations."""

from __future__ import annotations

import numpy as np
import pytest

from leadpilot.attribution import compute_attribution_from_paths
from leadpilot.attribution.shapley import characteristic, shapley_of_set
from leadpilot.config import AttributionSettings, Config


def shapley(tmp_path, text, **settings):
    f = tmp_path / "p.csv"
    f.write_text(text)
    cfg = Config(attribution=AttributionSettings(**settings))
    r = compute_attribution_from_paths(f, cfg, models=["shapley"])
    return {row["channel"]: row for row in r.rows}, r


def test_two_channels(tmp_path):
    # rate({A}) = 2/10, rate({B}) = 4/10, rate({A,B}) = 6/10 (A > B and B > A together).
    # In {A,B}: phi_A = 1/2 (v(A) - 0) + 1/2 (v(AB) - v(B)) = 0.1 + 0.1 = 0.2,
    #           phi_B = 1/2 (0.4) + 1/2 (0.6 - 0.2) = 0.4; shares 1/3, 2/3.
    # A = 2 (own) + 6 x 1/3 = 4; B = 4 + 6 x 2/3 = 8. Revenue: 100 per conversion.
    rows, _ = shapley(
        tmp_path,
        "path,total_conversions,total_conversion_value,total_null\n"
        "A,2,200,8\nB,4,400,6\nA > B,3,300,2\nB > A > B,3,300,2\n",
    )
    assert rows["A"]["conversions"] == pytest.approx(4)
    assert rows["B"]["conversions"] == pytest.approx(8)
    assert rows["A"]["revenue"] == pytest.approx(400)


def test_set_worse_than_its_subset(tmp_path):
    # rate({A,B}) = 3/10 < rate({B}) = 0.4: v(AB) = max(0.3, 0.2, 0.4) = 0.4.
    # phi_A = 1/2 (0.2) + 1/2 (0.4 - 0.4) = 0.1; phi_B = 1/2 (0.4) + 1/2 (0.4 - 0.2) = 0.3.
    # The 3 conversions of {A,B}: A 3 x 0.1/0.4 = 0.75, B 2.25.
    rows, _ = shapley(
        tmp_path, "path,total_conversions,total_null\nA,2,8\nB,4,6\nA > B,3,7\n"
    )
    assert rows["A"]["conversions"] == pytest.approx(2 + 0.75)
    assert rows["B"]["conversions"] == pytest.approx(4 + 2.25)


def test_unobserved_sets_and_three_players():
    # players A=1, B=2, C=4; observed {A} 0.5, {B} 0.1, {A,B,C} 0.9.
    v = characteristic(np.array([1, 2, 7]), np.array([0.5, 0.1, 0.9]), 3)
    assert v[3] == 0.5  # {A,B} unobserved: its best subset {A}
    assert v[4] == 0.0  # {C} unobserved, no observed subset
    assert v[6] == 0.1  # {B,C}: {B}
    phi = shapley_of_set(v, 7, 3)
    # By hand, orders of A, B, C (6 orders, marginal contributions):
    # A: ABC .5, ACB .5, BAC .4, BCA .8, CAB .5, CBA .8 -> 3.5 / 6
    # B: ABC 0, ACB .4, BAC .1, BCA .1, CAB .4, CBA .1 -> 1.1 / 6
    # C: ABC .4, ACB 0, BAC .4, BCA 0, CAB 0, CBA 0 -> 0.8 / 6
    assert phi == pytest.approx([3.5 / 6, 1.1 / 6, 0.8 / 6])
    assert phi.sum() == pytest.approx(0.9)


def test_cap_groups_the_rest_as_other(tmp_path):
    text = "path,total_conversions,total_null\n" + "".join(
        f"{c} > Z,1,{i}\n" for i, c in enumerate("ABCDEF")
    )
    rows, r = shapley(tmp_path, text, shapley_max_channels=3)
    assert set(rows) == {"Z", "F", "other"}  # Z and F are in the most journeys
    assert sum(x["conversions"] for x in rows.values()) == pytest.approx(6)
    assert any("other" in w for w in r.warnings)
