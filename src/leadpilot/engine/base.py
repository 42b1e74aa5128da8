"""What every engine offers, and the registry that finds the engine of a workspace.

One class per engine, in the style of Ibis's own backends: a :class:`Backend`
wraps an Ibis connection, declares what the engine can do as data
(:class:`Capabilities`) and implements what differs (transactions, bulk loads,
staging). What can be said once in SQL through sqlglot (upserts, updates, new
columns, temporary tables) is said here, in the engine's own dialect.

Callers ask a backend for its capabilities; they never test its name.
"""

from __future__ import annotations

import abc
import contextlib
import functools
import uuid
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

import ibis
import ibis.expr.datatypes as dt
import pyarrow as pa
import sqlglot as sg
import sqlglot.expressions as sge

from ..errors import EngineError, WorkspaceError
from ..schema import TEMPORARY, DerivedTable, Table

if TYPE_CHECKING:
    from ..config import Config


def cached_types(mapper: type) -> type:
    """Ibis's type mapper ``mapper`` parsing each type name once.

    Ibis parses the type name of every column each time it reads a table's schema (a
    small ingest reads about sixty: a tenth of its time); the types are immutable, so
    one parse per name serves every later read.
    """

    class CachedTypes(mapper):
        @classmethod
        @functools.lru_cache(maxsize=1024)
        def from_string(cls, text: str, nullable: bool | None = None) -> dt.DataType:
            return super().from_string(text, nullable=nullable)

    CachedTypes.__name__ = CachedTypes.__qualname__ = f"Cached{mapper.__name__}"
    return CachedTypes


class TreeInsert:
    """For an Ibis SQL connection class: INSERT ... SELECT built from the query's syntax
    tree. Ibis compiles the query to text and has sqlglot parse it back (a quarter of
    what storing the lead model costs); the statement run is the same."""

    def _build_insert_from_table(
        self, *, target: str, source: ibis.Table, db: str | None = None,
        catalog: str | None = None,
    ) -> sge.Insert:  # fmt: skip
        quoted = self.compiler.quoted
        columns = self._get_columns_to_insert(target=target, source=source, db=db, catalog=catalog)
        return sge.insert(
            expression=self.compiler.to_sqlglot(source),
            into=sg.table(target, db=db, catalog=catalog, quoted=quoted),
            columns=[sg.to_identifier(col, quoted=quoted) for col in columns],
            dialect=self.compiler.dialect,
            copy=False,
        )


def connection_class(ibis_backend: type, ibis_compiler: type, ibis_types: type) -> type:
    """Ibis's connection class ``ibis_backend`` with its types parsed once per name
    (:func:`cached_types`) and its inserts built from the query's tree (:class:`TreeInsert`).
    Same statements, same results; a small ingest takes a third less time."""

    class Compiler(ibis_compiler):
        __slots__ = ()
        type_mapper = cached_types(ibis_types)

    class Connection(TreeInsert, ibis_backend):
        compiler = Compiler()

    engine = ibis_backend.__module__.rsplit(".", 1)[-1]  # ibis.backends.duckdb -> duckdb
    Connection.__name__ = Connection.__qualname__ = f"Leadpilot{engine.title()}Connection"
    return Connection


_KIND_TYPES = {
    "string": dt.string,
    "enum": dt.string,
    "timestamp": dt.Timestamp(),
    "date": dt.date,
    "number": dt.float64,
    "integer": dt.int64,
    "boolean": dt.boolean,
}


def table_schema(
    table: Table | DerivedTable, extra: dict[str, dt.DataType] | None = None
) -> ibis.Schema:
    """The stored columns of a declared table (its key column, bookkeeping), plus ``extra``."""
    cols: dict[str, dt.DataType] = {}
    if isinstance(table, Table) and table.key_column not in table.column_names:
        cols[table.key_column] = dt.string
    for c in table.columns:
        cols[c.name] = _KIND_TYPES[c.kind]
    for c in getattr(table, "bookkeeping", ()):
        cols[c.name] = _KIND_TYPES[c.kind]
    cols.update(extra or {})
    return ibis.schema(cols)


# cols -> a fresh stream of those columns (called again when a stream must be read twice)
Batches = Callable[[list[str]], pa.RecordBatchReader]
BATCH_ROWS = 122_880  # DuckDB's row-group size: Arrow batches of this size load in parallel


@dataclass(frozen=True)
class Upsert:
    """One upsert of streamed rows, as the base class hands it to an engine."""

    name: str  # the stored table
    key: str
    columns: list[str]  # the table's columns the rows hold, in the table's order
    schema: ibis.Schema  # the table's
    staged: str  # a name for the rows while they are loaded
    rows: Callable[[], pa.RecordBatchReader]  # opens the stream of rows
    keys: Callable[[], pa.RecordBatchReader] | None  # the keys again; None: nothing stored


@dataclass(frozen=True)
class Capabilities:
    """What an engine can do, declared as data so that callers ask instead of testing names.

    Attributes
    ----------
    transactions
        All-or-nothing writes: a failed ingest leaves the workspace as it was.
    bulk_load
        How Arrow rows enter a table: ``"arrow_scan"`` (the engine reads Arrow memory in
        place) or ``"copy"`` (streamed as CSV through ``COPY ... FROM STDIN``).
    shared_staging
        An ingest's staging database can be attached to the workspace's own connection,
        so the final load is one ``INSERT ... SELECT`` inside the engine. Otherwise the
        staging is a private DuckDB and rows stream to the workspace in Arrow batches.
    memory_limit
        The engine's memory can be capped for a while (beyond it, it spills to disk).
    temporary_tables
        ``CREATE TEMPORARY TABLE``: private to the connection, gone when it closes.
    window_functions
        Ranking and running aggregates (the lead rule's e-mail merges use them).
    update_from
        ``UPDATE ... FROM``: rows updated from another table in one statement.
    file_swap
        The database is one file that one process at a time may write: writers work on a
        copy that replaces it in one rename, readers open it read-only (see
        :mod:`.writing`). Otherwise the engine's own transactions isolate readers and
        writers write in place.
    """

    transactions: bool
    bulk_load: Literal["arrow_scan", "copy"]
    shared_staging: bool
    memory_limit: bool
    temporary_tables: bool
    window_functions: bool
    update_from: bool
    file_swap: bool = False


class Backend(abc.ABC):
    """One engine behind a workspace: an Ibis connection and what differs on it.

    A subclass declares its Ibis backend ``name``, the ``workspace.backend`` settings
    it accepts (``settings``: exact values; ``url_schemes``: ``scheme://`` URLs), its
    :class:`Capabilities`, and implements :meth:`connect`, :meth:`transaction`,
    :meth:`load_arrow` and :meth:`_upsert_stream`. :func:`register` adds it to the
    registry that :func:`backend_class` reads.

    Examples
    --------
    >>> from leadpilot.engine import backend_class
    >>> backend_class("duckdb").capabilities.shared_staging
    True
    >>> backend_class("postgresql://user@host/db").capabilities.bulk_load
    'copy'
    """

    name: ClassVar[str]  # the Ibis backend's name, also the sqlglot dialect
    settings: ClassVar[tuple[str, ...]] = ()
    url_schemes: ClassVar[tuple[str, ...]] = ()
    hint: ClassVar[str]  # how a user names it in workspace.backend (error messages)
    capabilities: ClassVar[Capabilities]

    def __init__(self, con: ibis.BaseBackend) -> None:
        self.con = con
        self._busy = 0  # inside a transaction or a bulk load: drops wait
        self._pending: set[str] = set()  # temporary tables to drop when not busy
        self._temporary: set[str] = set()  # temporary tables made and not dropped yet
        # inside a write block: the meta values it reads and sets, written at its end
        # (:func:`.versions.buffered_meta`); None outside
        self.meta_pending: dict[str, str] | None = None

    # ------------------------------------------------------------------ connecting
    @classmethod
    @abc.abstractmethod
    def connect(cls, setting: str, config: Config, root: Path) -> Backend:
        """Open the workspace's database (``setting`` is ``workspace.backend``)."""

    @classmethod
    def database_file(cls, config: Config, root: Path) -> Path | None:
        """The file holding the database, for the engines that declare ``file_swap``."""
        return None

    @classmethod
    def open_file(cls, path: Path, *, read_only: bool, spill: Path | None = None) -> Backend:
        """Open a database file (``file_swap`` engines): read-only for readers, read-write
        for a writer's copy."""
        raise EngineError(f"{cls.name} does not keep its database in one file")

    def checkpoint(self) -> None:
        """Write everything committed into the database file itself (no log left); a
        no-op where the engine keeps no file of its own."""
        return None

    @classmethod
    def of(cls, con: ibis.BaseBackend) -> Backend:
        """The backend object of an open Ibis connection (one per connection)."""
        backend = getattr(con, "_leadpilot_backend", None)
        if backend is None:
            backend = _by_ibis_name(con.name)(con)
            con._leadpilot_backend = backend
        return backend

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.con.disconnect()

    @classmethod
    def out_of_memory(cls, exc: BaseException) -> bool:
        """``exc`` is this engine saying it ran out of the memory it may use."""
        return False

    # ------------------------------------------------------------------ small results
    def records(self, expr: ibis.Expr) -> list[dict]:
        """A small result (an aggregate, a lookup) as rows of Python values."""
        return _arrow_records(expr)

    def sql(self, expr: sge.Expression) -> None:
        """Run one statement written with sqlglot, in this engine's dialect."""
        self.con.raw_sql(expr.sql(self.name))

    def fetch(self, query: sge.Query) -> list[tuple]:
        """The rows of a small query written with sqlglot, as tuples: no table's schema is
        read and Ibis compiles nothing (the meta values, the row counts of the stored
        model's stamp: 1 ms instead of 5)."""
        sql = query.sql(self.name, copy=False)
        return [tuple(r.values()) for r in self.records(self.con.sql(sql, dialect=self.name))]

    # ------------------------------------------------------------------ transactions
    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside happen, or none: the workspace is left exactly as it was."""
        raise EngineError(f"transactions are not supported on {self.name}")
        yield  # pragma: no cover

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see the database as it was when the block started, whatever other
        connections commit meanwhile (the web service reads this way while it writes).
        By default a transaction (DuckDB's transactions are snapshots)."""
        with self.transaction():
            yield

    @contextlib.contextmanager
    def _busy_section(self) -> Iterator[None]:
        """No temporary table is dropped while a statement or a stream may be running."""
        self._busy += 1
        try:
            yield
        finally:
            self._busy -= 1
            if not self._busy and self._pending:
                self._drop_pending()

    # ------------------------------------------------------------------ bulk loads
    @abc.abstractmethod
    def load_arrow(
        self,
        name: str,
        data: pa.Table,
        *,
        database: tuple[str, str] | None = None,
        append: bool = False,
        overwrite: bool = False,
    ) -> None:
        """Create (or replace, or append to, matching columns by name) a table from Arrow."""

    def append(self, name: str, data: pa.Table) -> None:
        """Add Arrow rows to a stored table (no temporary object is left behind)."""
        if data.num_rows:
            self.load_arrow(name, data, append=True)

    def upsert_batches(self, name: str, batches: Batches, columns: list[str], key: str) -> int:
        """Insert streamed rows, replacing the stored rows that have the same key.

        ``batches(cols)`` opens a fresh stream of those columns each time it is called
        (the key column may be read once more when stored rows may be replaced). Rows
        stream through in batches, so memory stays bounded. Returns the rows inserted.
        """
        target = self.con.table(name)
        schema = target.schema()
        cols = [c for c in schema.names if c in columns]
        replace = bool(target.count().execute() > 0)
        counted = [0]
        with self._busy_section():
            self._upsert_stream(
                Upsert(
                    name=name,
                    key=key,
                    columns=cols,
                    schema=schema,
                    staged=TEMPORARY["staged"](table=name),
                    rows=lambda: counting(batches(cols), counted),
                    keys=(lambda: batches([key])) if replace else None,
                )
            )
        return counted[0]

    @abc.abstractmethod
    def _upsert_stream(self, up: Upsert) -> None:
        """Load ``up.rows()`` into ``up.name`` (cast to ``up.schema``), first deleting the
        stored rows whose key it holds when ``up.keys`` is given (a stream of the keys)."""

    def upsert(self, name: str, data: pa.Table, key: str) -> int:
        """Insert an Arrow table, replacing the stored rows that have the same key."""
        if data.num_rows == 0:
            return 0

        def batches(cols: list[str]) -> pa.RecordBatchReader:
            # DuckDB inserts in parallel per batch: one huge chunk would load on one core.
            part = data.select(cols)
            return pa.RecordBatchReader.from_batches(
                part.schema, part.to_batches(max_chunksize=BATCH_ROWS)
            )

        return self.upsert_batches(name, batches, data.column_names, key)

    def upsert_from(self, name: str, source: ibis.Table, key: str) -> int:
        """Insert the rows of an expression, replacing same-key rows: in the engine when
        the expression is on this connection, else streamed in Arrow batches."""
        if _connection_of(source) is self.con:
            return self.upsert_expr(name, source, key)
        con = _connection_of(source)
        return self.upsert_batches(
            name,
            lambda cols: con.to_pyarrow_batches(source.select(*cols), chunk_size=BATCH_ROWS),
            source.columns,
            key,
        )

    def upsert_expr(self, name: str, expr: ibis.Table, key: str) -> int:
        """Insert the rows of an expression on the same connection, replacing same-key rows.

        The rows never leave the engine. Returns the number of rows inserted.
        """
        con = self.con
        schema = con.table(name).schema()
        cols = [c for c in schema.names if c in expr.columns]
        with self._busy_section():
            if self.has_rows(name):
                keys = con.compiler.to_sqlglot(expr.select(key))
                self.sql(
                    sg.delete(sg.table(name, quoted=True)).where(
                        sg.column(key, quoted=True).isin(query=keys)
                    )
                )
            return self.insert_counted(
                name, expr.select(*[expr[c].cast(schema[c]).name(c) for c in cols])
            )

    def has_rows(self, name: str) -> bool:
        """Table ``name`` holds at least one row."""
        t = self.con.table(name)
        return bool(scalar(t.limit(1).count()))

    def insert_counted(self, name: str, expr: ibis.Table) -> int:
        """Insert the rows of ``expr`` (on this connection, the table's columns) into
        ``name``; returns how many were inserted."""
        target = self.con.table(name)
        before = int(scalar(target.count()))
        self.con.insert(name, expr)
        return int(scalar(target.count())) - before

    # ------------------------------------------------------------------ tables
    def create(self, table: Table | DerivedTable, *, overwrite: bool = False) -> None:
        """Create a declared table (canonical or derived) with its stored columns."""
        self.con.create_table(table.name, schema=table_schema(table), overwrite=overwrite)

    def create_all(self, tables: list[Table | DerivedTable]) -> None:
        """Create declared tables that do not exist yet (a new workspace's)."""
        for table in tables:
            self.create(table)

    def store(self, name: str, expr: ibis.Table) -> None:
        """Replace table ``name`` with the rows of ``expr``, its columns typed as the
        expression says (an engine's CREATE TABLE AS may type them otherwise: PostgreSQL
        stores a sum of doubles as numeric)."""
        schema = expr.schema()
        self.con.create_table(name, schema=schema, overwrite=True)
        self.con.insert(name, expr.select(*[expr[c].cast(t).name(c) for c, t in schema.items()]))

    def add_columns(self, name: str, columns: dict[str, dt.DataType]) -> None:
        """Add the missing columns (new lead attributes) to a table."""
        current = self.con.table(name).schema()
        for col, typ in columns.items():
            if col in current:
                continue
            self.sql(
                sge.Alter(
                    this=sg.table(name, quoted=True),
                    kind="TABLE",
                    actions=[
                        sge.ColumnDef(
                            this=sg.to_identifier(col, quoted=True),
                            kind=self.con.compiler.type_mapper.from_ibis(typ),
                        )
                    ],
                )
            )

    def delete_keys(self, name: str, key: str, staged: str) -> None:
        """Delete the rows of ``name`` whose key is in table ``staged``."""
        keys = sg.select(sg.column(key, quoted=True)).from_(sg.table(staged, quoted=True))
        self.sql(
            sg.delete(sg.table(name, quoted=True)).where(
                sg.column(key, quoted=True).isin(query=keys)
            )
        )

    def delete_where_in(self, name: str, column: str, values: list[str]) -> None:
        """Delete the rows of ``name`` whose ``column`` is one of ``values``."""
        if not values:
            return
        self.sql(
            sg.delete(sg.table(name, quoted=True)).where(
                sg.column(column, quoted=True).isin(*[sge.Literal.string(v) for v in values])
            )
        )

    def insert_from(self, name: str, staged: str, cols: list[str], schema: ibis.Schema) -> None:
        """Insert ``cols`` of table ``staged`` into ``name``, cast to ``schema``."""
        src = self.con.table(staged)
        self.con.insert(name, src.select(*[src[c].cast(schema[c]).name(c) for c in cols]))

    def update_rows(self, name: str, key: str, changes: ibis.Table, columns: list[str]) -> int:
        """Set ``columns`` of the rows whose key is in ``changes`` (one UPDATE ... FROM).

        Rewriting only the rows that changed keeps a re-derivation (the lead rule)
        cheap on a large table. Returns the number of rows updated.
        """
        if not self.capabilities.update_from:
            raise EngineError(f"{self.name} cannot update rows from another table")
        staged = self._temporary_table(changes.select(key, *columns))
        try:
            n = int(self.con.table(staged).count().execute())
            if n:
                q = lambda ident: sg.to_identifier(ident, quoted=True).sql(self.name)  # noqa: E731
                target, source = q(name), q(staged)
                sets = ", ".join(f"{q(c)} = {source}.{q(c)}" for c in columns)
                self.con.raw_sql(
                    f"UPDATE {target} SET {sets} FROM {source} "
                    f"WHERE {target}.{q(key)} = {source}.{q(key)}"
                )
        finally:
            self._release(staged)
        return n

    def replace_rows(self, name: str, data: pa.Table) -> None:
        """Replace a table's whole content (used for small derived tables)."""
        self.con.truncate_table(name)
        self.append(name, data)

    # ------------------------------------------------------------------ temporary tables
    def _temporary_table(self, expr: ibis.Table) -> str:
        name = TEMPORARY["materialized"](id=uuid.uuid4().hex[:10])
        self.con.create_table(name, expr, temp=self.capabilities.temporary_tables)
        self._temporary.add(name)
        return name

    def materialize(self, expr: ibis.Table) -> ibis.Table:
        """Compute an expression once into a temporary table that later queries reuse.

        The lead model feeds several queries per command (rates, maturity, reasons,
        survival curves); computing it once keeps each command close to one pass over
        the data. As with Ibis's ``Table.cache()``, the table is dropped as soon as no
        expression refers to it any more (or by :meth:`drop_temporary`).
        """
        if self._pending and not self._busy:
            self._drop_pending()
        name = self._temporary_table(expr)
        table = self.con.table(name)
        done = weakref.finalize(table.op(), self._release, name)
        done.atexit = False  # at exit the connection closes, and its temporary tables go
        return table

    def _release(self, name: str) -> None:
        # Called when the last expression on a materialized table is gone, which may be
        # in the middle of something else: a busy connection drops it later.
        if name not in self._temporary:
            return
        self._pending.add(name)
        if not self._busy:
            self._drop_pending()

    def _drop_pending(self) -> None:
        for name in sorted(self._pending):
            try:
                self.drop_temporary(name)
            except Exception:  # e.g. a failed transaction not rolled back yet: retried later
                continue
            self._pending.discard(name)

    def drop_temporary(self, name: str) -> None:
        """Drop a temporary table made by this backend (no error if it is gone)."""
        self.con.drop_table(name, force=True)
        self._temporary.discard(name)
        self._pending.discard(name)

    # ------------------------------------------------------------------ staging
    def attach_scratch(self) -> str:
        """Attach a private in-memory database to this connection; returns its name."""
        raise EngineError(f"{self.name} cannot attach a scratch database")

    def detach_scratch(self, name: str) -> None:
        raise EngineError(f"{self.name} cannot attach a scratch database")

    def set_memory_limit(self, limit: str | None) -> None:
        """Cap the engine's memory (beyond it, it spills to disk); None restores it."""
        raise EngineError(f"{self.name} has no memory limit to set")

    def scan_rows(self, expr: ibis.Table) -> pa.Table:
        """The rows of a query over large tables that it reads several times (an ingest's
        checks), in Arrow."""
        return self.con.to_pyarrow(expr)


class StatementWrites:
    """For an engine whose driver says how many rows a statement wrote (DuckDB,
    PostgreSQL): the writes of an ingest as single statements built with sqlglot from the
    queries' trees, instead of Ibis's generic steps (a table counted before and after an
    insert, a table made under another name then renamed). Same rows, same types; several
    compiled queries fewer per table written.

    The engine gives :meth:`_first_row` and :meth:`_run_counted`.
    """

    con: ibis.BaseBackend
    name: ClassVar[str]

    def _first_row(self, sql: str) -> tuple | None:
        """The first row of a query (None: no row)."""
        raise NotImplementedError

    def _run_counted(self, sql: str) -> int:
        """Run an INSERT or UPDATE; the number of rows it wrote."""
        raise NotImplementedError

    def has_rows(self, name: str) -> bool:
        query = sg.select("1").from_(sg.table(name, quoted=True)).limit(1)
        return self._first_row(query.sql(self.name)) is not None

    def insert_counted(self, name: str, expr: ibis.Table) -> int:
        con = self.con
        con._run_pre_execute_hooks(expr)  # in-memory tables the query reads, registered
        statement = con._build_insert_from_table(target=name, source=expr)
        with self._busy_section():
            return self._run_counted(statement.sql(self.name))

    def store(self, name: str, expr: ibis.Table) -> None:
        """CREATE TABLE ... AS the expression, its columns of the expression's types.

        The query is the expression's own: casting each column to its own type (Ibis
        returns the column itself) only added a projection of the same columns, compiled
        to the same SQL or a SELECT * around it (8 ms for the lead model).
        """
        con = self.con
        con._run_pre_execute_hooks(expr)
        with self._busy_section():
            self.sql(sge.Drop(kind="TABLE", this=sg.table(name, quoted=True), exists=True))
            query = con.compiler.to_sqlglot(expr)
            create = sge.Create(this=sg.table(name, quoted=True), kind="TABLE", expression=query)
            # a tree made for this statement: no deep copy before generating (as Ibis's
            # compile does; 4 ms for the lead model)
            self.con.raw_sql(create.sql(self.name, copy=False))


def counting(reader: pa.RecordBatchReader, counted: list[int]) -> pa.RecordBatchReader:
    """The same stream, adding its rows to ``counted[0]`` as they pass."""

    def gen():
        for batch in reader:
            counted[0] += batch.num_rows
            yield batch

    return pa.RecordBatchReader.from_batches(reader.schema, gen())


def out_of_memory(exc: BaseException) -> bool:
    """``exc`` is an engine (any registered one) running out of the memory it may use."""
    return any(cls.out_of_memory(exc) for cls in registered())


def records(expr: ibis.Expr) -> list[dict]:
    """A small result's rows as dicts, fetched the cheapest way the expression's engine
    offers (an expression on in-memory data only runs on Ibis's default engine)."""
    con = _connection_of(expr)
    return _arrow_records(expr) if con is None else Backend.of(con).records(expr)


def _arrow_records(expr: ibis.Expr) -> list[dict]:
    """Ibis's own way: the result as Arrow, then Python values."""
    return expr.as_table().to_pyarrow().to_pylist()


def scalar(expr: ibis.Expr) -> object:
    """The one value of a scalar expression (see :func:`records`)."""
    (row,) = records(expr)
    return next(iter(row.values()))


def _connection_of(expr: ibis.Table) -> ibis.BaseBackend | None:
    try:
        return expr._find_backend()
    except Exception:  # an expression on in-memory data only
        return None


# ---------------------------------------------------------------------- registry
_REGISTRY: dict[str, type[Backend]] = {}


def register(cls: type[Backend]) -> type[Backend]:
    """Class decorator: make a backend available under its ``workspace.backend`` settings."""
    for key in cls.settings:
        _REGISTRY[key] = cls
    for scheme in cls.url_schemes:
        _REGISTRY[f"{scheme}://"] = cls
    return cls


def registered() -> list[type[Backend]]:
    """Every registered backend class, once each, in registration order."""
    return list(dict.fromkeys(_REGISTRY.values()))


def backend_class(setting: str) -> type[Backend]:
    """The backend class for a ``workspace.backend`` value: a name, or a URL by scheme."""
    key = setting.split("://", 1)[0] + "://" if "://" in setting else setting
    cls = _REGISTRY.get(key)
    if cls is None:
        hints = [c.hint for c in registered()]
        accepted = " or ".join([", ".join(hints[:-1]), hints[-1]] if len(hints) > 1 else hints)
        raise WorkspaceError(f"workspace.backend {setting!r} is not supported; use {accepted}")
    return cls


def _by_ibis_name(name: str) -> type[Backend]:
    for cls in registered():
        if cls.name == name:
            return cls
    raise EngineError(f"no leadpilot backend for Ibis' {name} connections")
