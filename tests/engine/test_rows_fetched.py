"""No computation pulls a table into Python: for each command, the rows fetched from the
engine are bounded by the size of the result, not by the size of the data.

Every fetch of an Ibis DuckDB connection (``to_pyarrow``, ``to_pyarrow_batches``,
``execute``) and of leadpilot's own small-result fetch (``records``) is counted while one
command runs on a workspace of 4,000 generated leads (about 80,000 touchpoints, 10,000
stage events). The bound of each command is a small
multiple of its result's rows plus a constant far below any table's size; velocity's
Kaplan-Meier counts come back per day of age (bounded by the span of days, not by leads);
scoring returns one row per lead scored, which is its result. DuckDB only: the engines run
the same Ibis expressions, so what comes back is the same on PostgreSQL and Spark.
"""

from __future__ import annotations

import ibis.backends.duckdb as duckdb_backend
import pytest
from helpers import write_config

import leadpilot
from leadpilot.engine import DuckDBBackend
from leadpilot.metrics.velocity import KM_STAGES
from leadpilot.synth import generate, write_tables

LEADS = 4000


class Counter:
    def __init__(self) -> None:
        self.rows = 0
        self.fetches = 0


@pytest.fixture(scope="module")
def counted(tmp_path_factory):
    """(Pilot, counter, table sizes) on a DuckDB workspace; the counter counts every fetch."""
    root = tmp_path_factory.mktemp("fetched")
    write_tables(generate(LEADS, seed=3), root / "data", fmt="parquet")
    ws = write_config(root / "ws").parent
    counter = Counter()
    cls = duckdb_backend.Backend
    saved = cls.to_pyarrow, cls.to_pyarrow_batches, cls.execute

    def to_pyarrow(self, expr, *args, **kwargs):
        out = saved[0](self, expr, *args, **kwargs)
        counter.fetches += 1
        counter.rows += getattr(out, "num_rows", 1)
        return out

    def to_pyarrow_batches(self, expr, *args, **kwargs):
        reader = saved[1](self, expr, *args, **kwargs)
        counter.fetches += 1

        def counting():
            for batch in reader:
                counter.rows += batch.num_rows
                yield batch

        import pyarrow as pa

        return pa.RecordBatchReader.from_batches(reader.schema, counting())

    def execute(self, expr, *args, **kwargs):
        out = saved[2](self, expr, *args, **kwargs)
        counter.fetches += 1
        counter.rows += len(out) if hasattr(out, "__len__") and not isinstance(out, str) else 1
        return out

    saved_records = DuckDBBackend.records

    def records(self, expr):
        out = saved_records(self, expr)
        counter.fetches += 1
        counter.rows += len(out)
        return out

    with leadpilot.open(ws, create=True) as lp:
        lp.ingest(root / "data")
        sizes = {t: int(lp.tables()[t].count().execute()) for t in ("leads", "touchpoints")}
        cls.to_pyarrow, cls.to_pyarrow_batches, cls.execute = (
            to_pyarrow,
            to_pyarrow_batches,
            execute,
        )
        DuckDBBackend.records = records
        try:
            yield lp, counter, sizes
        finally:
            cls.to_pyarrow, cls.to_pyarrow_batches, cls.execute = saved
            DuckDBBackend.records = saved_records


def _rows(result) -> int:
    frame = getattr(result, "frame", None)
    return len(frame) if frame is not None else len(getattr(result, "rows", None) or [])


# command -> (call, rows allowed per result row, constant)
COMMANDS = {
    "kpis": (lambda lp: lp.kpi_result(by="channel", period="month"), 2, 300),
    "kpis --kpi all": (lambda lp: lp.kpi_result(by="channel", kpis=["all"]), 2, 300),
    "funnel": (lambda lp: lp.funnel_result(by="channel"), 2, 300),
    "content": (lambda lp: lp.content_result(), 2, 300),
    "sources": (lambda lp: lp.sources_result(), 2, 300),
    "retention": (lambda lp: lp.retention_result(), 2, 300),
    "attribution (all models)": (lambda lp: lp.attribution_result(models="all"), 2, 300),
    "score apply": (lambda lp: lp.score_apply_result(store=False), 1, 10),
    "diagnose": (lambda lp: lp.diagnosis(), 2, 300),
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_rows_fetched_are_bounded_by_the_result(counted, command):
    lp, counter, sizes = counted
    call, per_row, constant = COMMANDS[command]
    counter.rows = counter.fetches = 0
    result = call(lp)
    bound = per_row * _rows(result) + constant
    assert counter.fetches > 0
    assert counter.rows <= bound, (command, counter.rows, _rows(result))
    # a bound that a table pulled whole would break (scoring's result is one row per lead)
    assert bound < sizes["touchpoints" if command == "score apply" else "leads"] / 4


def test_velocity_fetches_counts_per_day_not_per_lead(counted):
    lp, counter, sizes = counted
    counter.rows = counter.fetches = 0
    result = lp.velocity_result(by="channel")
    span = lp.tables()["leads"].created_at.min().execute()
    days = (lp.data_as_of() - span).days + 1
    # per stage of the curves: one count per group, day of age and outcome (event / censored)
    bound = len(KM_STAGES) * 2 * days * _rows(result) + 300
    assert counter.rows <= bound
    assert counter.rows < sizes["touchpoints"] / 4


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="forecast reads every lead's stage dates and every closed deal into NumPy (its "
    "simulation compares each open lead with the history): rows grow with the data",
)
def test_forecast_rows_fetched_are_bounded_by_the_result(counted):
    lp, counter, sizes = counted
    counter.rows = counter.fetches = 0
    result = lp.forecast()
    assert counter.rows <= 2 * _rows(result) + 300
