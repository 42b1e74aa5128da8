"""Every heuristic model against credits worked out by hand, on DuckDB and PostgreSQL,
and the same journeys through Markov and Shapley: identical from the workspace (either
backend) and from the equivalent aggregated path file."""

from __future__ import annotations

import pytest
from journeys import REVENUE, expected, write

import leadpilot
from leadpilot.attribution import compute_attribution_from_paths
from leadpilot.attribution.definitions import HEURISTICS


def _ingest_journeys(ws) -> None:
    with leadpilot.open(ws) as lp:
        lp.ingest(write(ws.parent / f"{ws.name}-src"))


@pytest.fixture
def result(shared_workspaces, backend_kind):
    """Every model's credits by channel, computed once per backend for the module."""

    def compute():
        ws = shared_workspaces.get(backend_kind, "journeys", _ingest_journeys)
        with leadpilot.open(ws) as lp:
            return lp.attribution_result(models="all", conversion="customer", by="channel")

    return shared_workspaces.once(backend_kind, "result", compute)


def by_model(result, key="channel"):
    out: dict = {}
    for r in result.rows:
        out.setdefault(r["model"], {})[r[key]] = r
    return out


@pytest.mark.parametrize("model", HEURISTICS)
def test_hand_computed_credits(result, model):
    rows = by_model(result)[model]
    want = expected(model)
    for ch, (conv, revenue) in want.items():
        assert rows[ch]["conversions"] == pytest.approx(conv, abs=1e-6), ch
        assert rows[ch]["revenue"] == pytest.approx(revenue, abs=0.01), ch
    credited = {ch for ch, r in rows.items() if r["conversions"] > 0}
    assert credited == {ch for ch, (c, _) in want.items() if c > 0}


def test_totals_shares_and_costs(result):
    for model, rows in by_model(result).items():
        assert sum(r["conversions"] for r in rows.values()) == pytest.approx(4, abs=1e-5)
        assert sum(r["revenue"] for r in rows.values()) == pytest.approx(
            sum(REVENUE.values()), abs=0.05
        ), model
        assert sum(r["share"] for r in rows.values()) == pytest.approx(1, abs=1e-5)
        # partners has spend but no touch: it shows, with nothing to its credit
        assert rows["partners"]["conversions"] == 0 and rows["partners"]["spend"] == 99
    ps = by_model(result)["linear"]["paid_search"]
    assert ps["spend"] == 400
    assert ps["cost_per_conversion"] == pytest.approx(400 / 0.4)
    assert ps["roas"] == pytest.approx(400 / 400)  # 0.4 x 1,000 revenue / 400 spend
    assert ps["roi"] == pytest.approx(0.0)
    assert by_model(result)["linear"]["organic_search"]["roas"] is None  # no spend
    meta = result.to_json()["meta"]
    assert set(meta["definitions"]) >= set(HEURISTICS) | {"markov", "shapley", "share"}
    assert "40 %" in meta["definitions"]["position_based"]
    spread = {s["channel"]: s for s in meta["spread"]}
    assert spread["direct"]["spread"] == pytest.approx(
        max(r["direct"]["share"] for r in by_model(result).values())
        - min(r["direct"]["share"] for r in by_model(result).values()),
        abs=1e-6,
    )


PATHS = """path;total_conversions;total_conversion_value;total_null
organic_search > paid_search > paid_search > events > direct;1;1000;0
paid_social;1;500;0
referral > outbound;1;2000;0
organic_search > direct;0;0;1
direct > direct;1;100;0
"""


def test_data_driven_models_match_the_path_file(result, tmp_path):
    """The workspace journeys (either backend) equal the same journeys as a path file."""
    f = tmp_path / "paths.csv"
    f.write_text(PATHS)
    ref = by_model(
        compute_attribution_from_paths(
            f, models=["markov", "shapley", "first_touch", "last_touch", "linear"]
        )
    )
    got = by_model(result)
    for model in ("markov", "shapley", "first_touch", "last_touch", "linear"):
        for ch, r in ref[model].items():
            assert got[model][ch]["conversions"] == pytest.approx(r["conversions"], abs=1e-6)
            assert got[model][ch]["revenue"] == pytest.approx(r["revenue"], abs=0.01)


def test_lead_conversion_and_lookback(shared_workspaces, backend_kind):
    ws = shared_workspaces.get(backend_kind, "journeys", _ingest_journeys)
    with leadpilot.open(ws) as lp:
        # conversion = lead creation: A's journey ends on a3 (created 01-10)
        lead = lp.attribution_result(models="last_touch,position_based", conversion="lead")
        assert any("1 conversion(s)" in w for w in lead.warnings)  # C
        r = by_model(lead)
        # A on a3; B on b1; C has no touch before its creation (not credited); D and E
        # convert on their creation touch
        assert r["last_touch"]["paid_search"]["conversions"] == pytest.approx(1)
        assert r["last_touch"]["organic_search"]["conversions"] == pytest.approx(1)  # D
        assert sum(x["conversions"] for x in r["last_touch"].values()) == pytest.approx(4)
        # the U shape: A's lead-creation touch is its last touch (a3): 40 % + 20 % spread on
        # a2, the only middle touch; 40 % to a1
        assert r["position_based"]["paid_search"]["conversions"] == pytest.approx(0.6)
        assert r["position_based"]["organic_search"]["conversions"] == pytest.approx(1.4)
        # a 6-day lookback from A's win (01-25) keeps a4 and a5 only
        short = lp.attribution_result(models="first_touch", lookback=6)
        rows = {x["channel"]: x for x in short.rows}
        assert rows["direct"]["conversions"] == pytest.approx(1 + 1)  # A (a5) and E
        assert "organic_search" not in rows or rows["organic_search"]["conversions"] == 0
        monthly = lp.attribution_result(models="linear,markov,shapley", period="month")
        assert {x["period"] for x in monthly.rows} == {"2025-01"}
        for m in ("linear", "markov", "shapley"):
            rows = [x for x in monthly.rows if x["model"] == m]
            assert sum(x["conversions"] for x in rows) == pytest.approx(4)
