"""One class per engine: the registry, the declared capabilities, and the engine operations
every backend must get right (on DuckDB, PostgreSQL and Spark)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import ibis
import pyarrow as pa
import pytest

import leadpilot
from leadpilot import engine
from leadpilot.engine import base
from leadpilot.errors import WorkspaceError

SRC = Path(leadpilot.__file__).parent


# ---------------------------------------------------------------------- registry
@pytest.mark.parametrize(
    "setting, cls",
    [
        ("duckdb", engine.DuckDBBackend),
        ("postgresql://user@host:5432/db", engine.PostgresBackend),
        ("postgres://user@host/db", engine.PostgresBackend),
        ("spark", engine.SparkBackend),
        ("spark://cluster:7077", engine.SparkBackend),
    ],
)
def test_registry_finds_the_backend_of_a_setting(setting, cls):
    assert engine.backend_class(setting) is cls


@pytest.mark.parametrize("setting", ["sqlite", "duckdb://x.db", "mysql://host/db", ""])
def test_unsupported_setting_says_what_is_accepted(setting):
    with pytest.raises(WorkspaceError) as err:
        engine.backend_class(setting)
    assert str(err.value) == (
        f"workspace.backend {setting!r} is not supported; "
        "use 'duckdb', a postgresql:// URL or 'spark'"
    )


@pytest.mark.parametrize("cls", engine.registered(), ids=lambda c: c.name)
def test_every_backend_declares_what_it_can_do(cls):
    assert isinstance(cls.capabilities, engine.Capabilities)
    for f in dataclasses.fields(engine.Capabilities):
        assert getattr(cls.capabilities, f.name) is not None, f.name
    assert cls.capabilities.bulk_load in ("arrow_scan", "copy", "parquet")
    assert cls.name and cls.hint and (cls.settings or cls.url_schemes)
    assert not getattr(cls, "__abstractmethods__", None)  # everything is implemented


def test_adding_a_backend_is_adding_one_registered_class(monkeypatch):
    monkeypatch.setattr(base, "_REGISTRY", dict(base._REGISTRY))

    @engine.register
    class Other(engine.DuckDBBackend):
        settings = ()
        url_schemes = ("other",)
        hint = "an other:// URL"

    assert engine.backend_class("other://somewhere") is Other
    expected = "use 'duckdb', a postgresql:// URL, 'spark' or an other://"
    with pytest.raises(WorkspaceError, match=expected):
        engine.backend_class("nope")


def test_no_engine_name_test_outside_the_engine():
    """Backend differences live in the engine package: elsewhere code asks for capabilities."""
    pattern = re.compile(
        r"""(con|backend|backend_name)(\.name)?\s*[!=]=\s*["'](duckdb|postgres)"""
        r"""|\.name\s*[!=]=\s*["'](duckdb|postgres)["']"""
    )
    found = [
        f"{p.relative_to(SRC)}:{i}: {line.strip()}"
        for p in SRC.rglob("*.py")
        if "engine" not in p.relative_to(SRC).parts
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []


# ---------------------------------------------------------------------- on each engine
# Spark too: the backend fixture gets a third parameter for the tests marked spark.
pytestmark = pytest.mark.spark

@pytest.fixture
def ws(make_workspace):
    """A workspace being written (the engine operations below all write)."""
    with engine.open_workspace(make_workspace(), create=True) as w, w.writing():
        yield w


def test_workspace_backend_is_its_engine_class(ws, backend):
    assert type(ws.backend) is engine.backend_class(backend)
    assert ws.backend is ws.backend  # one backend object per connection
    assert ws.backend.con is ws.con


def test_declared_tables_are_created_except_the_ones_made_on_write(ws):
    from leadpilot.schema import DERIVED, TABLES

    tables = set(ws.con.list_tables())
    assert set(TABLES) <= tables
    assert {d.name for d in DERIVED.values() if d.on_open} <= tables
    assert "scores" not in tables  # made by `score apply`: its absence means no scores yet
    assert list(ws.table("quarantine").schema()) == list(DERIVED["quarantine"].column_names)


def test_tables_keep_their_column_order_when_opened_again(make_workspace):
    """Spark's catalog file sorted each table's columns: opened again, a Spark workspace
    listed them alphabetically (score train's left-out columns in another order)."""
    folder = make_workspace()
    with engine.open_workspace(folder, create=True) as made:
        created = {n: list(made.table(n).schema()) for n in made.con.list_tables()}
    with engine.open_workspace(folder) as again:
        assert {n: list(again.table(n).schema()) for n in created} == created
    assert list(created["leads"])[:2] == ["lead_id", "created_at"]


def _labels(keys: list[str], label: str) -> pa.Table:
    return pa.table(
        {"label_key": keys, "kind": ["k"] * len(keys), "key": keys, "label": [label] * len(keys)}
    )


def test_upsert_replaces_same_key_rows_and_append_adds(ws):
    b = ws.backend
    assert b.upsert("labels", _labels(["a", "b"], "one"), "label_key") == 2
    assert b.upsert("labels", _labels(["b", "c"], "two"), "label_key") == 2
    rows = ws.table("labels").order_by("label_key").to_pyarrow().to_pylist()
    got = [(r["label_key"], r["label"]) for r in rows]
    assert got == [("a", "one"), ("b", "two"), ("c", "two")]
    b.append("labels", _labels(["d"], "three"))
    assert ws.table("labels").count().execute() == 4


def test_row_counts_of_several_tables_in_one_query(ws):
    # what the stored model's stamp compares (versions.row_counts: one plain query)
    from leadpilot.engine import versions

    ws.backend.upsert("labels", _labels(["a", "b", "c"], "x"), "label_key")
    counts = versions.row_counts(ws.con, ("labels", "quarantine", "leads"))
    assert counts == {"labels": 3, "quarantine": 0, "leads": 0}


def test_upsert_of_a_query_replaces_same_key_rows_and_counts_what_it_inserted(ws):
    # the ingest's path: rows of a query on the same connection, never through Python
    b = ws.backend
    assert not b.has_rows("labels")
    assert b.upsert("labels", _labels(["a", "b", "c"], "one"), "label_key") == 3
    assert b.has_rows("labels")
    b.load_arrow("lp_upsert_source", _labels(["a", "b", "c"], "two"))
    t = ws.con.table("lp_upsert_source")  # not the live table: its rows are deleted first
    assert b.upsert_from("labels", t.filter(t.label_key != "a"), "label_key") == 2
    rows = ws.table("labels").order_by("label_key").to_pyarrow().to_pylist()
    got = [(r["label_key"], r["label"]) for r in rows]
    assert got == [("a", "one"), ("b", "two"), ("c", "two")]
    assert b.upsert_from("labels", t.filter(t.label_key == "zzz"), "label_key") == 0


def test_a_stored_query_keeps_the_types_of_the_expression(ws):
    # an engine may type a column of CREATE TABLE AS otherwise (PostgreSQL: a sum of
    # doubles as numeric); the stored table has the expression's types, and replaces
    # the one before
    b = ws.backend
    b.upsert("labels", _labels(["a", "b"], "x"), "label_key")
    t = ws.con.table("labels")
    expr = t.group_by("label").aggregate(
        n=t.count(), total=t.label_key.length().cast("float64").sum(), last=t.key.max()
    )
    b.store("lp_stored_check", expr)
    b.store("lp_stored_check", expr)  # replaced, not added to
    stored = ws.con.table("lp_stored_check")
    assert dict(stored.schema().items()) == dict(expr.schema().items())
    assert stored.to_pyarrow().to_pylist() == [{"label": "x", "n": 2, "total": 2.0, "last": "b"}]


def test_small_results_come_back_as_ibis_gives_them(ws):
    # records() fetches small results without Ibis's Arrow conversion (DuckDB: no pandas
    # import); the values must be the ones Ibis gives, type for type
    from datetime import date, datetime

    ws.backend.upsert("labels", _labels(["a", "b", "c"], "x"), "label_key")
    t = ws.table("labels")
    n = t.label_key.length()
    expr = t.group_by("label").aggregate(
        rows=t.count(),
        chars=n.sum(),
        mean=n.cast("float64").mean(),
        last=t.key.max(),
        none=t.key.max(where=t.key == "zzz"),
        at=ibis.literal(datetime(2025, 3, 1, 12, 30)),
        day=ibis.literal(date(2025, 3, 1)),
        flag=(t.count() > 2),
    )
    expected = expr.to_pyarrow().to_pylist()
    got = engine.records(expr)
    assert got == expected
    assert [[type(v) for v in r.values()] for r in got] == [
        [type(v) for v in r.values()] for r in expected
    ]
    assert engine.scalar(t.count()) == 3
    assert engine.records(t.filter(t.key == "zzz")) == []
    assert engine.records(ibis.memtable({"a": [1, 2]})) == [{"a": 1}, {"a": 2}]


def test_a_failed_transaction_writes_nothing(ws):
    b = ws.backend
    with pytest.raises(RuntimeError), b.transaction():
        b.upsert("labels", _labels(["a"], "one"), "label_key")
        b.append("labels", _labels(["b"], "two"))
        raise RuntimeError("stop")
    assert ws.table("labels").count().execute() == 0


def test_update_rows_sets_only_the_rows_given(ws):
    b = ws.backend
    b.upsert("labels", _labels(["a", "b"], "one"), "label_key")
    expr = ws.con.table("labels").filter(ws.con.table("labels").label_key == "b")
    changes = expr.select("label_key", label=ibis.literal("new"))
    assert b.update_rows("labels", "label_key", changes, ["label"]) == 1
    rows = ws.table("labels").order_by("label_key").to_pyarrow().to_pylist()
    assert [r["label"] for r in rows] == ["one", "new"]


def test_replace_days_deletes_the_channels_and_days_of_its_scopes(ws):
    """The DELETE of a replace_days ingest (sources/load.py), as each engine runs it:
    the rows of the scopes' channels (a null channel included) between their days."""
    import datetime as dtm

    import sqlglot as sg

    from leadpilot.sources.load import _Scope, _scopes_sql

    day = dtm.date
    rows = [  # (key, date, channel)
        ("k1", day(2024, 1, 1), "paid_search"), ("k2", day(2024, 1, 2), "paid_search"),
        ("k3", day(2024, 1, 3), "paid_search"), ("k4", day(2024, 1, 2), "paid_social"),
        ("k5", day(2024, 1, 2), None), ("k6", day(2024, 1, 9), None),
    ]  # fmt: skip
    data = pa.table({
        "spend_key": [r[0] for r in rows], "date": [r[1] for r in rows],
        "channel": [r[2] for r in rows], "amount": [1.0] * len(rows),
    })  # fmt: skip
    ws.backend.upsert("spend", data, "spend_key")
    scopes = [
        _Scope("a.csv", ("paid_search",), day(2024, 1, 2), day(2024, 1, 3)),
        _Scope("b.csv", (None, "email"), day(2024, 1, 1), day(2024, 1, 5)),
    ]
    ws.backend.sql(sg.delete(sg.table("spend", quoted=True)).where(_scopes_sql(scopes)))
    left = sorted(ws.table("spend").spend_key.to_pyarrow().to_pylist())
    assert left == ["k1", "k4", "k6"]


def test_a_materialized_table_is_dropped_when_unused(ws):
    b = ws.backend
    b.upsert("labels", _labels(["a", "b"], "one"), "label_key")
    t = b.materialize(ws.table("labels").filter(lambda t: t.label_key == "a"))
    name = t.get_name()
    derived = t.select("label")
    del t
    assert derived.count().execute() == 1  # still used: still there
    assert name in b._temporary
    del derived
    assert name not in b._temporary


def test_a_materialized_table_released_during_a_transaction_waits_for_its_end(ws):
    b = ws.backend
    t = b.materialize(ws.table("labels"))
    name = t.get_name()
    with b.transaction():
        del t
        assert name in b._pending  # not dropped while writes are under way
    assert name not in b._pending and name not in b._temporary


# ---------------------------------------------------------------------- DuckDB's ingest settings
def _spilled(con) -> int:
    return con.raw_sql(
        "SELECT sum(temporary_storage_bytes) FROM duckdb_memory()"
    ).fetchone()[0]


def test_duckdb_memory_cap_is_lifted_when_restored(tmp_path):
    """RESET memory_limit alone left the buffer pool at the cap: the commands run after
    an ingest on its connection spilled to disk at the ingest's cap."""
    con = ibis.duckdb.connect(":memory:", temp_directory=str(tmp_path / "spill"))
    b = engine.DuckDBBackend.of(con)
    b.set_memory_limit("32MB")
    b.set_memory_limit(None)
    con.raw_sql("CREATE TEMP TABLE big AS SELECT range AS i FROM range(12000000)")  # ~100 MB
    assert _spilled(con) == 0
    b.set_memory_limit("32MB")  # the cap still applies while it is set
    con.raw_sql("CREATE TEMP TABLE big2 AS SELECT range AS i FROM range(12000000)")
    assert _spilled(con) > 0
    b.set_memory_limit(None)


def test_duckdb_scan_rows_gives_what_ibis_gives():
    con = ibis.duckdb.connect()
    con.create_table("x", pa.table({"k": ["a", "b", "a", None], "v": [1, 2, 3, 4]}))
    t = con.table("x").mutate(f=ibis.literal("file.csv"))  # a CTE read twice, inlined
    counts = t.group_by("k").aggregate(n=t.count())
    per_key = counts.filter(counts.n > 1)  # an aggregate read twice: computed once
    expr = t.semi_join(per_key, t.k == per_key.k).union(
        t.anti_join(per_key.filter(per_key.n > 5), t.k == per_key.k), distinct=False
    )
    b = engine.DuckDBBackend.of(con)
    got = b.scan_rows(expr).sort_by([("v", "ascending")])
    assert got.equals(con.to_pyarrow(expr).sort_by([("v", "ascending")]))
    assert got.column("v").to_pylist() == [1, 1, 2, 3, 3, 4]


def test_meta_set_in_a_write_block_is_read_back_and_stored_once_at_its_end(
    make_workspace, monkeypatch
):
    from leadpilot.engine import versions

    stored = []
    write = versions._write_meta
    monkeypatch.setattr(
        versions,
        "_write_meta",
        lambda ws, values, before: (stored.append(values), write(ws, values, before)),
    )
    with engine.open_workspace(make_workspace(), create=True) as w:
        with w.writing():
            stored.clear()  # opening a new workspace may have written it
            versions.set_meta(w, {"probe": "1"})
            assert versions.meta_values(w.con)["probe"] == "1"  # read back at once
            versions.set_meta(w, {"probe": "2", "other": "x"})
            versions.set_meta(w, {"other": None})
            assert stored == []  # nothing written yet
            version = w.writing_version
        assert len(stored) == 1
        after = versions.meta_values(w.con)
        assert after["probe"] == "2" and "other" not in after
        assert after[versions.DATA_VERSION] == str(version)
        # a failed block stores none of what it set, nor its data version
        with pytest.raises(RuntimeError), w.writing():
            versions.set_meta(w, {"probe": "3"})
            raise RuntimeError("stop")
        assert versions.meta_values(w.con) == after
