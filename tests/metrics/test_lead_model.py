"""The lead model computes only what a command reads (the columns kept, the stages whose
events those columns need), and whatever it keeps is what the whole model says."""

from __future__ import annotations

from datetime import datetime

import ibis
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import leadpilot
from leadpilot.metrics.model import _stages_read, lead_model, outcome_columns
from leadpilot.synth import generate, write_tables

OUTCOME = outcome_columns()


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    root = tmp_path_factory.mktemp("model")
    write_tables(generate(1500, seed=5), root / "data", fmt="parquet")
    with leadpilot.open(root / "ws", create=True) as lp:
        lp.ingest(root / "data")
        yield dict(lp.tables())  # computed from the events, not read from the stored model


def _rows(model: ibis.Table, columns: list[str]) -> list[dict]:
    return model.select("lead_id", *columns).order_by("lead_id").to_pyarrow().to_pylist()


@pytest.fixture(scope="module")
def whole(tables):
    return {
        implied: _rows(lead_model(tables, implied=implied), OUTCOME)
        for implied in (True, False)
    }


def test_stages_read_follow_the_kept_dates():
    assert _stages_read(["customer_at"], implied=True) == ["customer"]
    assert _stages_read(["sql_at"], implied=True) == ["sql", "opportunity", "customer"]
    assert _stages_read(["sql_at"], implied=False) == ["sql"]
    assert _stages_read(["sal_recorded_at", "rejected_at"], implied=True) == ["sal", "rejected"]
    assert _stages_read(["revenue"], implied=True) == []
    assert len(_stages_read(None, implied=True)) == 7


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(keep=st.lists(st.sampled_from(OUTCOME), min_size=1, unique=True), implied=st.booleans())
def test_a_smaller_model_says_what_the_whole_model_says(tables, whole, keep, implied):
    small = lead_model(tables, implied=implied, keep=keep)
    expected = [{k: r[k] for k in ["lead_id", *keep]} for r in whole[implied]]
    assert _rows(small, keep) == expected


def test_records_of_unknown_leads_count_for_no_lead(tables, whole):
    # ingest refuses them; a table read from a database (sources: table) could hold some
    ev = tables["stage_events"]
    orphan = ibis.memtable(
        {"lead_id": ["NO-SUCH-LEAD"], "stage": ["customer"], "ts": [datetime(2025, 1, 1)]}
    )
    orphan = orphan.mutate(
        **{c: ibis.null(ev[c].type()) for c in ev.columns if c not in orphan.columns}
    ).select(*ev.columns)
    with_orphan = {**tables, "stage_events": ev.union(orphan.cast(ev.schema()))}
    assert _rows(lead_model(with_orphan), OUTCOME) == whole[True]
