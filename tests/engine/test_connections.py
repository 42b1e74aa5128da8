"""leadpilot's Ibis connection classes (engine.base.cached_types, TreeInsert): the same
schemas and the same INSERT statements as Ibis's own, with less work."""

from __future__ import annotations

import ibis
import ibis.backends.duckdb
import pytest
from ibis.backends.sql.datatypes import DuckDBType, PostgresType

from leadpilot.engine.base import cached_types
from leadpilot.engine.duckdb import connect

TYPE_NAMES = {
    DuckDBType: ["VARCHAR", "TIMESTAMP", "DOUBLE", "BIGINT", "DECIMAL(18,2)", "DATE",
                 "BOOLEAN", "VARCHAR[]", "STRUCT(a INTEGER, b VARCHAR)"],
    PostgresType: ["text", "timestamp without time zone", "double precision", "bigint",
                   "numeric(18,2)", "date"],
}  # fmt: skip


@pytest.mark.parametrize("mapper", [DuckDBType, PostgresType])
def test_cached_types_give_ibis_types_and_parse_each_name_once(mapper):
    cached = cached_types(mapper)
    names = TYPE_NAMES[mapper]
    for nullable in (True, False):
        for name in names:
            assert cached.from_string(name, nullable=nullable) == mapper.from_string(
                name, nullable=nullable
            ), name
    info = cached.from_string.cache_info()
    for name in names:
        cached.from_string(name, nullable=True)
    assert cached.from_string.cache_info().hits == info.hits + len(names)
    assert cached.from_string.cache_info().misses == info.misses


def test_schemas_read_as_ibis_reads_them():
    ddl = (
        "CREATE TABLE t (a VARCHAR NOT NULL, b TIMESTAMP, c DECIMAL(18,2), d DOUBLE, "
        "e BIGINT[], f STRUCT(x INTEGER, y VARCHAR))"
    )
    ours, theirs = connect(), ibis.duckdb.connect()
    for con in (ours, theirs):
        con.raw_sql(ddl)
    assert ours.get_schema("t") == theirs.get_schema("t")
    assert ours.table("t").schema() == theirs.table("t").schema()


def test_inserts_are_the_statements_ibis_writes():
    ours, theirs = connect(), ibis.duckdb.connect()
    for con in (ours, theirs):
        con.raw_sql("CREATE TABLE src (k VARCHAR, v DOUBLE, seen TIMESTAMP)")
        con.raw_sql("CREATE TABLE dst (k VARCHAR, total DOUBLE, n BIGINT)")
        con.raw_sql(
            "INSERT INTO src VALUES ('a', 1.5, '2025-01-01'), ('a', 2.0, '2025-01-02'), "
            "('b', NULL, '2025-02-01')"
        )

    def query(con):  # a CTE read twice, a join and an aggregate: what the lead model has
        src = con.table("src")
        per_key = src.group_by("k").aggregate(total=src.v.sum(), n=src.count())
        return per_key.join(per_key.select("k"), "k").select("k", "total", "n")

    statements = [
        con._build_insert_from_table(target="dst", source=query(con)).sql("duckdb")
        for con in (ours, theirs)
    ]
    assert statements[0] == statements[1]
    for con in (ours, theirs):
        con.insert("dst", query(con))
    rows = [sorted(con.table("dst").to_pyarrow().to_pylist(), key=str) for con in (ours, theirs)]
    assert rows[0] == rows[1] and len(rows[0]) == 2


def test_tables_listed_as_ibis_lists_them():
    """Tables, temporary tables and views of the schema in use; not those of another
    schema or of an attached catalog, unless asked; ``like`` filters alike."""
    con = connect()
    for sql in (
        "CREATE TABLE leads (a INTEGER)",
        "CREATE TEMP TABLE staged (a INTEGER)",
        "CREATE VIEW recent AS SELECT 1 AS a",
        "CREATE SCHEMA other",
        "CREATE TABLE other.hidden (a INTEGER)",
        "ATTACH ':memory:' AS scratch",
        "CREATE TABLE scratch.typed_leads (a INTEGER)",
    ):
        con.raw_sql(sql)
    ibis_list = ibis.backends.duckdb.Backend.list_tables
    for kwargs in ({}, {"like": "^(leads|recent)$"}, {"database": "other"},
                   {"database": ("scratch", "main")}):  # fmt: skip
        assert sorted(con.list_tables(**kwargs)) == sorted(ibis_list(con, **kwargs)), kwargs
    assert sorted(con.list_tables()) == ["leads", "recent", "staged"]
    con.raw_sql("USE scratch")
    assert sorted(con.list_tables()) == sorted(ibis_list(con)) == ["staged", "typed_leads"]


def test_a_new_workspace_tables_are_the_tables_ibis_creates():
    """DuckDB creates a new workspace's tables in one script: the same tables, column for
    column, as Ibis's create_table makes one by one."""
    from leadpilot.engine.base import table_schema
    from leadpilot.engine.duckdb import DuckDBBackend
    from leadpilot.schema import DERIVED, TABLES

    declared = [*TABLES.values(), *[d for d in DERIVED.values() if d.on_open]]
    batch, one_by_one = DuckDBBackend.of(connect()), connect()
    batch.create_all(declared)
    for table in declared:
        one_by_one.create_table(table.name, schema=table_schema(table))
    ddl = "SELECT table_name, sql FROM duckdb_tables() ORDER BY table_name"
    made = batch.con.raw_sql(ddl).fetchall()
    assert [name for name, _ in made] == sorted(t.name for t in declared)
    assert made == one_by_one.raw_sql(ddl).fetchall()
