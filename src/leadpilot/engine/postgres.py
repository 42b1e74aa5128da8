"""PostgreSQL: a workspace on a server (``workspace.backend: postgresql://...``).

Rows are bulk-loaded with ``COPY ... FROM STDIN`` (Ibis's memtable upload inserts
row by row); an ingest stages its rows in a private DuckDB and streams them here.
"""

from __future__ import annotations

import contextlib
import functools
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import ibis
import pyarrow as pa
import sqlglot as sg
import sqlglot.expressions as sge

from .base import Backend, Capabilities, StatementWrites, Upsert, connection_class, register

if TYPE_CHECKING:
    from ..config import Config


@functools.cache
def _connection_class() -> type:
    """Ibis's PostgreSQL backend as :func:`.base.connection_class` makes it, text ordered
    by its bytes (:func:`_byte_order_compiler`); made on first use (psycopg is slow to
    import and most workspaces do not need it)."""
    import ibis.backends.postgres
    from ibis.backends.sql.datatypes import PostgresType

    return connection_class(ibis.backends.postgres.Backend, _byte_order_compiler(), PostgresType)


# the collation of byte order, which every PostgreSQL has
BYTES = sg.to_identifier("C", quoted=True)


def _byte_order_compiler() -> type:
    """Ibis's PostgreSQL compiler with text sorted, and its least and greatest values
    taken, in byte order, as DuckDB and Spark do. A database's collation (en_US, ICU)
    orders 'facebook' before 'ONLINE_VIDEO' where bytes put it after: the first touch of
    two touches at one time, the tie-breaker of every ordered window, then differed from
    DuckDB's (an attribution test on an ICU database: 25 of 30 credits)."""
    from ibis.backends.sql.compilers.postgres import PostgresCompiler

    def by_bytes(value, compiled: sge.Expression) -> sge.Expression:
        if value.dtype.is_string():
            return sge.Collate(this=compiled, expression=BYTES)
        return compiled

    class ByteOrderCompiler(PostgresCompiler):
        __slots__ = ()

        def visit_SortKey(self, op, *, arg, ascending, nulls_first):
            return super().visit_SortKey(op, arg=by_bytes(op.arg, arg), ascending=ascending,
                                         nulls_first=nulls_first)  # fmt: skip

        def visit_Min(self, op, *, arg, where):
            return super().visit_Min(op, arg=by_bytes(op.arg, arg), where=where)

        def visit_Max(self, op, *, arg, where):
            return super().visit_Max(op, arg=by_bytes(op.arg, arg), where=where)

    return ByteOrderCompiler


def connect_url(url: str) -> ibis.BaseBackend:
    """A connection to the PostgreSQL server of ``url`` (its query string's settings, as
    ``ibis.connect`` reads them)."""
    parsed = urllib.parse.urlparse(url)
    settings = dict(urllib.parse.parse_qsl(parsed.query))
    return _connection_class()()._from_url(parsed, **settings)


@register
class PostgresBackend(StatementWrites, Backend):
    """A PostgreSQL database, optionally one schema of it (``workspace.schema``)."""

    name = "postgres"
    url_schemes = ("postgres", "postgresql")
    hint = "a postgresql:// URL"
    capabilities = Capabilities(
        transactions=True,
        bulk_load="copy",
        shared_staging=False,
        memory_limit=False,
        temporary_tables=True,
        window_functions=True,
        update_from=True,
    )

    @classmethod
    def connect(cls, setting: str, config: Config, root: Path) -> PostgresBackend:
        con = connect_url(setting)
        if config.workspace.schema_name:
            schema = config.workspace.schema_name
            con.raw_sql(sge.Create(kind="SCHEMA", this=sg.to_identifier(schema), exists=True))
            con.raw_sql(f"SET search_path TO {sg.to_identifier(schema, quoted=True).sql(cls.name)}")
        return cls.of(con)

    def table_bytes(self) -> dict[str, int]:
        """Bytes per table of the workspace's schema (the first of the search path): data,
        indexes and TOAST, as ``pg_total_relation_size`` counts them."""
        with self.con.con.cursor() as cur:
            cur.execute(
                "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()"
            )
            return {name: int(size) for name, size in cur.fetchall()}

    def _first_row(self, sql: str) -> tuple | None:
        with self.con.con.cursor() as cur:
            cur.execute(sql)
            return cur.fetchone()

    def fetch(self, query: sge.Query) -> list[tuple]:
        with self.con.con.cursor() as cur:
            cur.execute(query.sql(self.name, copy=False))
            return cur.fetchall()

    def _run_counted(self, sql: str) -> int:
        with self.con.con.cursor() as cur:
            cur.execute(sql)
            return int(cur.rowcount)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self._busy_section(), self.con.con.transaction():
            yield

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """One REPEATABLE READ transaction: every statement sees the same snapshot (the
        default READ COMMITTED would let each see the commits made since the last)."""
        import psycopg

        raw = self.con.con
        previous = raw.isolation_level
        raw.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        try:
            with self._busy_section(), raw.transaction():
                yield
        finally:
            raw.isolation_level = previous

    def load_arrow(
        self,
        name: str,
        data: pa.Table,
        *,
        database: tuple[str, str] | None = None,
        append: bool = False,
        overwrite: bool = False,
    ) -> None:
        reader = pa.RecordBatchReader.from_batches(data.schema, data.to_batches())
        if not append:
            schema = ibis.Schema.from_pyarrow(data.schema)
            self.con.create_table(name, schema=schema, database=database, overwrite=overwrite)
        catalog, db = database or (None, None)
        with self._busy_section():
            self._copy(sg.table(name, db=db, catalog=catalog, quoted=True), reader)

    def _upsert_stream(self, up: Upsert) -> None:
        reader = up.rows()
        schema = ibis.schema({c: up.schema[c] for c in reader.schema.names})
        self.con.create_table(up.staged, schema=schema, overwrite=True)
        self._copy(sg.table(up.staged, quoted=True), reader)
        try:
            if up.keys is not None:
                self.delete_keys(up.name, up.key, up.staged)
            self.insert_from(up.name, up.staged, up.columns, up.schema)
        finally:
            self.con.drop_table(up.staged, force=True)

    def _copy(self, target: sge.Table, reader: pa.RecordBatchReader) -> None:
        """Stream Arrow batches into a table's columns of the same names, as CSV."""
        import pyarrow.csv as pacsv

        names = reader.schema.names
        cols = ", ".join(sg.to_identifier(c, quoted=True).sql(self.name) for c in names)
        table = target.sql(self.name)
        options = pacsv.WriteOptions(include_header=False, quoting_style="all_valid")
        with self.con.con.cursor() as cur:
            with cur.copy(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy:
                for batch in reader:
                    if batch.num_rows == 0:
                        continue
                    buf = pa.BufferOutputStream()
                    pacsv.write_csv(pa.Table.from_batches([batch]), buf, write_options=options)
                    copy.write(buf.getvalue().to_pybytes())
