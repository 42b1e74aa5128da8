"""Invariants of every model on random journeys: credits sum to the conversions and the
revenue, and no credit is negative."""

from __future__ import annotations

from datetime import datetime, timedelta

import ibis
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadpilot.attribution import run_models
from leadpilot.attribution.definitions import MODEL_NAMES
from leadpilot.config import AttributionSettings

T0 = datetime(2025, 1, 1)
CHANNELS = ["a", "b", "c", "direct"]

journey = st.fixed_dictionaries(
    {
        "touches": st.lists(
            st.tuples(st.sampled_from(CHANNELS), st.integers(0, 40)), min_size=1, max_size=6
        ),
        "converted": st.booleans(),
        "value": st.sampled_from([0.0, 100.0, 2500.0]),
        "created": st.integers(0, 40),
        "opportunity": st.one_of(st.none(), st.integers(0, 45)),
        "customer": st.one_of(st.none(), st.integers(0, 45)),
    }
)


def touch_table(journeys: list[dict]) -> ibis.Table:
    rows = []
    for k, j in enumerate(journeys):
        touches = sorted(j["touches"], key=lambda t: t[1])  # ties keep their order (pos)
        end = T0 + timedelta(days=max(t[1] for t in touches))
        for pos, (ch, day) in enumerate(touches):
            rows.append(
                {
                    "jid": f"J{k}", "pos": pos, "n": len(touches), "dim": ch, "channel": ch,
                    "period": None, "conv": float(j["converted"]),
                    "nulls": float(not j["converted"]),
                    "value": j["value"] if j["converted"] else 0.0,
                    "ts": T0 + timedelta(days=day), "end_at": end,
                    "created_at": T0 + timedelta(days=j["created"]),
                    "opportunity_at": None if j["opportunity"] is None
                    else T0 + timedelta(days=j["opportunity"]),
                    "customer_at": None if j["customer"] is None
                    else T0 + timedelta(days=j["customer"]),
                }
            )  # fmt: skip
    df = pd.DataFrame(rows)
    for c in ("opportunity_at", "customer_at"):
        df[c] = pd.to_datetime(df[c])
    df["period"] = pd.to_datetime(df["period"]).dt.date
    return ibis.memtable(df)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(journey, min_size=1, max_size=12), st.integers(1, 3))
def test_credits_sum_to_conversions_and_revenue(journeys, order):
    s = AttributionSettings(markov_order=order, shapley_max_channels=3)
    out = run_models(list(MODEL_NAMES), touch_table(journeys), s)
    conversions = sum(j["converted"] for j in journeys)
    revenue = sum(j["value"] for j in journeys if j["converted"])
    for model in MODEL_NAMES:
        credits = list(out[model].values())
        assert all(c >= -1e-9 and v >= -1e-6 for c, v in credits), model
        assert sum(c for c, _ in credits) == pytest.approx(conversions, abs=1e-6), model
        if model not in ("markov", "shapley") or conversions:
            assert sum(v for _, v in credits) == pytest.approx(revenue, abs=1e-4), model
