"""DuckDB, PostgreSQL and Spark give identical workspaces and identical KPIs.

Floating tolerance: PostgreSQL rel 1e-12; Spark rel 1e-9 (its aggregates add partial
sums per partition and then combine them, so a sum of many floats may differ from
DuckDB's in the last digits; counts, texts and every non-float value are equal).
"""

from __future__ import annotations

import pytest
from helpers import write_config

import leadpilot
from leadpilot.synth import generate, write_tables

TOLERANCE = {"postgres": 1e-12, "spark": 1e-9}


def load(ws, data):
    with leadpilot.open(ws) as lp:
        summary = lp.ingest(data)
        kpis = {
            key: lp.kpi_result(by=by, period=period).rows
            for key, (by, period) in {
                "channel": (["channel"], "all"),
                "campaign_month": (["campaign"], "month"),
                "industry_week": (["industry"], "week"),
            }.items()
        }
        leads = lp.table("leads").sort_values("lead_id").reset_index(drop=True)
    return summary.as_dict(), kpis, leads


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("parity") / "data"
    write_tables(generate(1500, seed=5), folder, fmt="csv")
    return folder


@pytest.fixture(scope="module")
def duck(data, tmp_path_factory):
    return load(write_config(tmp_path_factory.mktemp("duck")).parent, data)


@pytest.mark.parametrize("other", ["postgres", "spark"])
def test_duckdb_and_the_other_engines_agree(duck, data, tmp_path, request, other):
    url = request.getfixturevalue("pg_url") if other == "postgres" else "spark"
    if other == "spark":
        request.getfixturevalue("spark")
    got = load(write_config(tmp_path / other, url).parent, data)
    assert duck[0] == got[0]
    rel = TOLERANCE[other]
    for key in duck[1]:
        assert len(duck[1][key]) == len(got[1][key]), key
        for a, b in zip(duck[1][key], got[1][key], strict=True):
            assert a.keys() == b.keys()
            for k in a:
                if isinstance(a[k], float):
                    assert a[k] == pytest.approx(b[k], rel=rel, abs=1e-9), (key, k)
                else:
                    assert a[k] == b[k], (key, k)
    cols = ["lead_id", "channel", "merged_into", "excluded_reason", "email_norm", "industry"]
    assert duck[2][cols].astype(str).values.tolist() == got[2][cols].astype(str).values.tolist()


def test_the_spark_tolerance_is_needed_and_enough():
    """Why a tolerance: adding the same floats in two partitions and combining the partial
    sums (what Spark does) is not bit-identical to one ordered sum, but far inside 1e-9."""
    values = [0.1 * (i % 7) + 1e-3 * i for i in range(10_000)]
    ordered = sum(values)
    partitioned = sum(values[::2]) + sum(values[1::2])
    assert ordered != partitioned
    assert abs(ordered - partitioned) / ordered < TOLERANCE["spark"] * 1e-6
    assert ordered == pytest.approx(partitioned, rel=TOLERANCE["spark"])
