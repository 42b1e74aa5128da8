"""A small synthetic workspace with a trained model, shared by the scoring tests."""

from __future__ import annotations

import pytest
from helpers import write_config
from scoring_settings import SCORING

import leadpilot
from leadpilot.synth import generate, write_tables


@pytest.fixture(scope="session")
def synth_ws(tmp_path_factory):
    """2,500 synthetic leads ingested into a DuckDB workspace, model trained."""
    root = tmp_path_factory.mktemp("synth")
    write_tables(generate(2500, seed=11), root / "data", fmt="parquet")
    ws = root / "ws"
    write_config(ws, "duckdb", scoring=SCORING)
    with leadpilot.open(ws) as lp:
        lp.ingest(root / "data")
        lp.score_train()
    return ws
