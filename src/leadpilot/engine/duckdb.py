"""DuckDB: the embedded default, one file in the workspace folder.

Arrow data is scanned in place (no copy through Python), an ingest's staging
database is attached to the workspace's own connection, and memory can be
capped while an ingest runs.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import ibis
import ibis.backends.duckdb
import pyarrow as pa
import sqlglot as sg
import sqlglot.expressions as sge
from ibis.backends.sql.compilers.duckdb import DuckDBCompiler
from ibis.backends.sql.datatypes import DuckDBType

from ..errors import ConfigError
from ..schema import TEMPORARY, DerivedTable, Table
from .base import (
    Backend,
    Capabilities,
    StatementWrites,
    Upsert,
    connection_class,
    register,
    table_schema,
)

if TYPE_CHECKING:
    from ..config import Config


# Ibis's DuckDB backend, types parsed once per name and inserts built from the query's tree
_IbisConnection = connection_class(ibis.backends.duckdb.Backend, DuckDBCompiler, DuckDBType)

# Ibis's own query for the tables of the current catalog and schema (temporary ones
# included), with the current names read in the query rather than by two queries first.
_CURRENT_TABLES = (
    "SELECT DISTINCT table_name FROM information_schema.tables "
    "WHERE table_catalog IN (current_database(), 'temp') AND table_schema = current_schema()"
)


class _Connection(_IbisConnection):
    """leadpilot's Ibis DuckDB connection (see :func:`.base.connection_class`)."""

    def list_tables(self, *, like: str | None = None, database=None) -> list[str]:
        """The tables of the current schema, as Ibis lists them, in one statement: Ibis
        first asks for the current catalog and schema, then builds the query (a dozen
        listings per ingest, 2 ms each)."""
        if database is not None:
            return super().list_tables(like=like, database=database)
        names = [row[0] for row in self.con.execute(_CURRENT_TABLES).fetchall()]
        return self._filter_with_like(names, like)


def connect(database: str = ":memory:", **settings: object) -> ibis.BaseBackend:
    """An Ibis DuckDB connection (leadpilot's: see :class:`_Connection`)."""
    return _Connection().connect(database, **settings)


def quiet(con: ibis.BaseBackend) -> ibis.BaseBackend:
    """No DuckDB progress bar: it would write over the CLI's own progress display."""
    con.raw_sql("SET enable_progress_bar = false")
    return con


@register
class DuckDBBackend(StatementWrites, Backend):
    """The workspace's DuckDB file (``workspace.backend: duckdb``)."""

    name = "duckdb"
    settings = ("duckdb",)
    hint = "'duckdb'"
    capabilities = Capabilities(
        transactions=True,
        bulk_load="arrow_scan",
        shared_staging=True,
        memory_limit=True,
        temporary_tables=True,
        window_functions=True,
        update_from=True,
        file_swap=True,
    )
    CATALOG = "workspace"  # the name the workspace's file is attached under
    _uncapped: str | None = None  # the memory limit before set_memory_limit capped it

    @classmethod
    def out_of_memory(cls, exc: BaseException) -> bool:
        import duckdb

        return isinstance(exc, duckdb.OutOfMemoryException)

    def records(self, expr: ibis.Expr) -> list[dict]:
        """Rows fetched as Python values straight from DuckDB: Ibis's Arrow conversion
        imports pandas (0.3 s of every command's start) for a result of a few rows."""
        relation = self.con._to_duckdb_relation(expr)  # Ibis's own pre-execution hooks run
        names = relation.columns
        return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]

    def _first_row(self, sql: str) -> tuple | None:
        return self.con.con.execute(sql).fetchone()

    def fetch(self, query: sge.Query) -> list[tuple]:
        return self.con.con.execute(query.sql(self.name, copy=False)).fetchall()

    def _run_counted(self, sql: str) -> int:
        return int(self.con.con.execute(sql).fetchone()[0])  # DuckDB returns the count

    def update_rows(self, name: str, key: str, changes: ibis.Table, columns: list[str]) -> int:
        """One UPDATE ... FROM (the changed rows' query): DuckDB computes the changes once
        and counts the rows; no temporary table is made, counted and dropped. (PostgreSQL
        keeps the temporary table: its plan for the lead rule's query inside the UPDATE
        took three times as long on 20,000 leads.)"""
        con = self.con
        changes = changes.select(key, *columns)
        con._run_pre_execute_hooks(changes)
        source = sg.to_identifier("_lp_changes", quoted=True)
        statement = sge.Update(
            this=sg.table(name, quoted=True),
            expressions=[
                sge.EQ(
                    this=sg.column(c, quoted=True),
                    expression=sg.column(c, table=source, quoted=True),
                )
                for c in columns
            ],
            from_=sge.From(this=con.compiler.to_sqlglot(changes).subquery(source, copy=False)),
            where=sge.Where(
                this=sge.EQ(
                    this=sg.column(key, table=sg.to_identifier(name, quoted=True), quoted=True),
                    expression=sg.column(key, table=source, quoted=True),
                )
            ),
        )
        with self._busy_section():  # a tree made for this statement: no deep copies
            return self._run_counted(statement.sql(self.name, copy=False))

    @classmethod
    def connect(cls, setting: str, config: Config, root: Path) -> DuckDBBackend:
        """The workspace's file opened read-only (writers go through :mod:`.writing`)."""
        path = cls.database_file(config, root)
        backend = cls.open_file(path, read_only=True, spill=path.with_name(path.name + ".tmp"))
        limit = config.workspace.memory_limit
        if limit:  # what the commands may hold; the rest spills to the .tmp folder
            try:
                backend.con.raw_sql(f"SET memory_limit = {sge.Literal.string(limit).sql('duckdb')}")
            except Exception as exc:
                backend.close()
                raise ConfigError(
                    f"workspace.memory_limit {limit!r}: {exc}; expected an amount such as "
                    "'4GB' or '512MB'"
                ) from None
        return backend

    @classmethod
    def database_file(cls, config: Config, root: Path) -> Path:
        return Path(root) / config.workspace.database

    @classmethod
    def open_file(cls, path: Path, *, read_only: bool, spill: Path | None = None) -> DuckDBBackend:
        """A private in-memory DuckDB with the file attached (read-only or not) and in use.

        DuckDB's Python client shares one database instance per file path within a
        process: once the file is replaced (a writer published), a connection opened the
        usual way would get the instance of the old file while any other connection of
        the process still holds it. An in-memory instance of its own attaching the file
        always reads the file now at that path. Temporary tables live in the in-memory
        instance, so a read-only workspace still materializes its intermediate tables.
        """
        spill = spill or path.with_name(path.name + ".tmp")
        con = connect(":memory:", temp_directory=str(spill))
        quiet(con)
        options = " (READ_ONLY)" if read_only else ""
        target = sge.Literal.string(str(path)).sql("duckdb")
        name = sg.to_identifier(cls.CATALOG, quoted=True).sql("duckdb")
        try:
            con.raw_sql(f"ATTACH {target} AS {name}{options}")
            con.raw_sql(f"USE {name}")
        except BaseException:
            con.disconnect()
            raise
        return cls.of(con)

    def create_all(self, tables: list[Table | DerivedTable]) -> None:
        """The CREATE TABLE statements Ibis writes, run as one script (a new workspace's
        nine tables: one round trip instead of three statements each)."""
        if not tables:
            return
        statements = [
            sge.Create(
                kind="TABLE",
                this=sge.Schema(
                    this=sg.table(table.name, quoted=True),
                    expressions=table_schema(table).to_sqlglot_column_defs(self.name),
                ),
            ).sql(self.name)
            for table in tables
        ]
        self.con.raw_sql(";\n".join(statements))

    def checkpoint(self) -> None:
        self.con.raw_sql(f"CHECKPOINT {sg.to_identifier(self.CATALOG, quoted=True).sql('duckdb')}")

    @classmethod
    def private(cls, *, memory_limit: str, spill_directory: str) -> DuckDBBackend:
        """An in-memory DuckDB of its own (an ingest's staging for other engines)."""
        con = connect(
            ":memory:",
            memory_limit=memory_limit,
            temp_directory=spill_directory,
            preserve_insertion_order=False,
        )
        return cls.of(quiet(con))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        raw = self.con.con
        with self._busy_section():
            raw.begin()
            try:
                yield
            except BaseException:
                raw.rollback()
                raise
            raw.commit()

    def load_arrow(
        self,
        name: str,
        data: pa.Table,
        *,
        database: tuple[str, str] | None = None,
        append: bool = False,
        overwrite: bool = False,
    ) -> None:
        """Create (or append to) a table from an Arrow table, scanned in place.

        Unlike a memtable, the Arrow data is released as soon as the load is done: a
        large ingest would otherwise keep every chunk it ever loaded alive.
        """
        raw = self.con.con
        view = TEMPORARY["arrow"]()
        catalog, db = database or (None, None)
        target = sg.table(name, db=db, catalog=catalog, quoted=True)
        raw.register(view, data)
        try:
            if append:
                cols = [sg.to_identifier(c, quoted=True) for c in data.column_names]
                select = sg.select(*cols).from_(sg.to_identifier(view, quoted=True))
                stmt = sge.insert(select, target, columns=cols)
            else:
                select = sg.select("*").from_(sg.to_identifier(view, quoted=True))
                stmt = sge.Create(this=target, kind="TABLE", expression=select, replace=overwrite)
            raw.execute(stmt.sql(self.name))
        finally:
            raw.unregister(view)

    def _upsert_stream(self, up: Upsert) -> None:
        raw = self.con.con
        if up.keys is not None:
            # A stream is read once: the keys to replace come from a stream of their own.
            raw.register(up.staged, up.keys())
            try:
                self.delete_keys(up.name, up.key, up.staged)
            finally:
                raw.unregister(up.staged)
        raw.register(up.staged, up.rows())  # scanned in place by the INSERT
        try:
            self.insert_from(up.name, up.staged, up.columns, up.schema)
        finally:
            raw.unregister(up.staged)

    def attach_scratch(self) -> str:
        name = TEMPORARY["scratch"](id=uuid.uuid4().hex[:10])
        memory = sge.Alias(this=sge.Literal.string(":memory:"), alias=sg.to_identifier(name))
        self.sql(sge.Attach(this=memory))
        return name

    def detach_scratch(self, name: str) -> None:
        self.sql(sge.Detach(this=sg.to_identifier(name)))

    def set_memory_limit(self, limit: str | None) -> None:
        if limit is None:
            # RESET alone changes what the setting reads, not the buffer pool's limit
            # (DuckDB 1.5): the connection would go on spilling at the cap. The limit is
            # set back to the value it had before the first cap.
            limit, self._uncapped = self._uncapped, None
            if limit is None:
                return
        elif self._uncapped is None:
            found = self.con.con.execute("SELECT current_setting('memory_limit')").fetchone()
            self._uncapped = found[0]
        self.con.raw_sql(f"SET memory_limit = {sge.Literal.string(limit).sql(self.name)}")

    def scan_rows(self, expr: ibis.Table) -> pa.Table:
        """The rows of a query, the common table expressions that only read a table
        (columns and constants of its rows) inlined.

        DuckDB materializes a CTE that a query reads twice: an ingest's checks read the
        staged rows of a table several times (the duplicate keys' count and their rows),
        and a copy of 100 M staged touchpoints took 8.5 GB (half of it spilled) and most
        of the memory cap while the checks' hash tables needed it. Reading an in-memory
        table again costs a scan; a CTE that aggregates or joins stays computed once.
        """
        from ibis.backends.duckdb.converter import DuckDBPyArrowData

        con = self.con
        con._run_pre_execute_hooks(expr)
        query = con.compiler.to_sqlglot(expr)
        work = (sge.Group, sge.Join, sge.Window, sge.AggFunc, sge.Distinct, sge.SetOperation)
        for cte in query.find_all(sge.CTE):
            if not cte.this.find(*work):
                cte.set("materialized", False)
        # the tree is this query's own: no deep copy before generating (14 scans an ingest)
        table = con.con.sql(query.sql(self.name, copy=False)).to_arrow_table()
        return expr.__pyarrow_result__(table, data_mapper=DuckDBPyArrowData)
