"""Connecting a workspace to its backend, creating tables, transactions, upserts.

The engine knows tables and keys, never KPIs. Everything goes through Ibis so
that DuckDB (embedded default) and PostgreSQL behave the same.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import ibis
import ibis.expr.datatypes as dt
import pyarrow as pa
import sqlglot as sg
import sqlglot.expressions as sge

from .config import CONFIG_FILE, Config, load_config
from .errors import EngineError, WorkspaceError
from .schema import TABLES, Table

_KIND_TYPES = {
    "string": dt.string,
    "enum": dt.string,
    "timestamp": dt.Timestamp(),
    "date": dt.date,
    "number": dt.float64,
}

# Bookkeeping columns added to the canonical tables.
LEAD_BOOKKEEPING = {
    "email_norm": dt.string,
    "merged_into": dt.string,  # set when the record was merged into an earlier lead
    "merge_reason": dt.string,
    "excluded_reason": dt.string,  # set when the lead rule says the record is not a lead
    "channel_derived": dt.boolean,  # channel came from the grouping rules
}

QUARANTINE = "quarantine"
QUARANTINE_SCHEMA = ibis.schema(
    {
        "table_name": dt.string,
        "file": dt.string,
        "row": dt.int64,
        "column_name": dt.string,
        "value": dt.string,
        "reason": dt.string,
        "record": dt.string,  # the whole source row as JSON, so nothing is lost
        "ingested_at": dt.Timestamp(),
        "fix": dt.string,  # the setting or change that would fix it
    }
)
LABELS = "labels"  # display text of folded names: attribute headers, channel values
LABELS_SCHEMA = ibis.schema(
    {"label_key": dt.string, "kind": dt.string, "key": dt.string, "label": dt.string}
)
INGEST_LOG = "ingest_log"
INGEST_LOG_SCHEMA = ibis.schema(
    {
        "ingested_at": dt.Timestamp(),
        "source": dt.string,
        "table_name": dt.string,
        "rows_read": dt.int64,
        "rows_loaded": dt.int64,
        "rows_quarantined": dt.int64,
        "rows_merged": dt.int64,
    }
)


def table_schema(table: Table, extra: dict[str, dt.DataType] | None = None) -> ibis.Schema:
    cols: dict[str, dt.DataType] = {}
    if table.key_column not in table.column_names:
        cols[table.key_column] = dt.string
    for c in table.columns:
        cols[c.name] = _KIND_TYPES[c.kind]
    if table.name == "leads":
        cols.update(LEAD_BOOKKEEPING)
    cols.update(extra or {})
    return ibis.schema(cols)


def _is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


@dataclass
class Workspace:
    """A folder holding leadpilot.yaml and (by default) its embedded database."""

    root: Path
    config: Config
    con: ibis.BaseBackend = field(repr=False)

    @property
    def backend_name(self) -> str:
        return self.con.name

    def table(self, name: str) -> ibis.Table:
        return self.con.table(name)

    def has_table(self, name: str) -> bool:
        return name in self.con.list_tables()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.con.disconnect()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def quiet(con: ibis.BaseBackend) -> ibis.BaseBackend:
    """No DuckDB progress bar: it would write over the CLI's own progress display."""
    con.raw_sql("SET enable_progress_bar = false")
    return con


def connect(config: Config, root: Path) -> ibis.BaseBackend:
    backend = config.workspace.backend
    try:
        if backend == "duckdb":
            return quiet(ibis.duckdb.connect(str(root / config.workspace.database)))
        if _is_postgres(backend):
            con = ibis.connect(backend)
            if config.workspace.schema_name:
                schema = config.workspace.schema_name
                con.raw_sql(sge.Create(kind="SCHEMA", this=sg.to_identifier(schema), exists=True))
                con.raw_sql(
                    f"SET search_path TO {sg.to_identifier(schema, quoted=True).sql('postgres')}"
                )
            return con
    except Exception as exc:  # the driver's own message says what is wrong (auth, host, lock)
        raise WorkspaceError(f"cannot open the {backend.split(':')[0]} database: {exc}") from None
    raise WorkspaceError(
        f"workspace.backend {backend!r} is not supported; use 'duckdb' or a postgresql:// URL"
    )


def open_workspace(path: str | Path = ".", create: bool = False) -> Workspace:
    root = Path(path)
    cfg_file = root / CONFIG_FILE
    if not root.exists():
        if not create:
            raise WorkspaceError(
                f"workspace {root} does not exist; create it with `leadpilot init {root}` "
                "or ingest into it with `leadpilot ingest SOURCE -w DIR`"
            )
        root.mkdir(parents=True)
    config = load_config(cfg_file)
    if not create and not cfg_file.exists() and not (root / config.workspace.database).exists():
        raise WorkspaceError(
            f"{root} is not a leadpilot workspace (no {CONFIG_FILE} and no database); "
            f"run `leadpilot init {root}` or `leadpilot ingest SOURCE -w {root}`"
        )
    ws = Workspace(root=root, config=config, con=connect(config, root))
    ensure_tables(ws)
    return ws


def ensure_tables(ws: Workspace) -> None:
    existing = set(ws.con.list_tables())
    for table in TABLES.values():
        if table.name not in existing:
            ws.con.create_table(table.name, schema=table_schema(table))
    if QUARANTINE not in existing:
        ws.con.create_table(QUARANTINE, schema=QUARANTINE_SCHEMA)
    else:  # workspaces made before a column was added
        have = ws.con.table(QUARANTINE).schema()
        missing = {c: t for c, t in QUARANTINE_SCHEMA.items() if c not in have}
        if missing:
            add_columns(ws.con, QUARANTINE, missing)
    if INGEST_LOG not in existing:
        ws.con.create_table(INGEST_LOG, schema=INGEST_LOG_SCHEMA)
    if LABELS not in existing:
        ws.con.create_table(LABELS, schema=LABELS_SCHEMA)


@contextlib.contextmanager
def transaction(con: ibis.BaseBackend) -> Iterator[None]:
    """All writes inside happen, or none: the workspace is left exactly as it was."""
    if con.name == "duckdb":
        raw = con.con
        raw.begin()
        try:
            yield
        except BaseException:
            raw.rollback()
            raise
        raw.commit()
    elif con.name == "postgres":
        with con.con.transaction():
            yield
    else:  # pragma: no cover - other backends arrive later
        raise EngineError(f"transactions are not supported on {con.name}")


def add_columns(con: ibis.BaseBackend, name: str, columns: dict[str, dt.DataType]) -> None:
    """Add the missing columns (new lead attributes) to a table."""
    current = con.table(name).schema()
    for col, typ in columns.items():
        if col in current:
            continue
        stmt = sge.Alter(
            this=sg.table(name, quoted=True),
            kind="TABLE",
            actions=[
                sge.ColumnDef(
                    this=sg.to_identifier(col, quoted=True),
                    kind=con.compiler.type_mapper.from_ibis(typ),
                )
            ],
        )
        con.raw_sql(stmt.sql(con.name))


def _delete_keys(con: ibis.BaseBackend, name: str, key: str, staged: str) -> None:
    keys = sg.select(sg.column(key, quoted=True)).from_(sg.table(staged, quoted=True))
    stmt = sg.delete(sg.table(name, quoted=True)).where(
        sg.column(key, quoted=True).isin(query=keys)
    )
    con.raw_sql(stmt.sql(con.name))


Batches = Callable[[list[str]], pa.RecordBatchReader]


def upsert_batches(
    con: ibis.BaseBackend, name: str, batches: Batches, columns: list[str], key: str
) -> int:
    """Insert streamed rows, replacing the stored rows that have the same key.

    ``batches(cols)`` opens a fresh stream of those columns each time it is
    called (the key column is read once more when stored rows may be
    replaced). Rows stream through in batches, so memory stays bounded.
    Returns the number of rows inserted.
    """
    target = con.table(name)
    target_schema = target.schema()
    cols = [c for c in target_schema.names if c in columns]
    replace = target.count().execute() > 0
    staged = f"_staged_{name}"
    counted = [0]

    def counting(reader: pa.RecordBatchReader) -> pa.RecordBatchReader:
        def gen():
            for batch in reader:
                counted[0] += batch.num_rows
                yield batch

        return pa.RecordBatchReader.from_batches(reader.schema, gen())

    if con.name == "postgres":
        _copy_into_postgres(con, staged, counting(batches(cols)), target_schema)
        try:
            if replace:
                _delete_keys(con, name, key, staged)
            _insert_from(con, name, staged, cols, target_schema)
        finally:
            con.drop_table(staged, force=True)
        return counted[0]
    raw = con.con
    if replace:
        # A stream is read once: the keys to replace come from a stream of their own.
        raw.register(staged, batches([key]))
        try:
            _delete_keys(con, name, key, staged)
        finally:
            raw.unregister(staged)
    raw.register(staged, counting(batches(cols)))
    try:
        _insert_from(con, name, staged, cols, target_schema)
    finally:
        raw.unregister(staged)
    return counted[0]


def upsert_expr(con: ibis.BaseBackend, name: str, expr: ibis.Table, key: str) -> int:
    """Insert the rows of an expression on the same connection, replacing same-key rows.

    The rows never leave the engine. Returns the number of rows inserted.
    """
    target = con.table(name)
    schema = target.schema()
    cols = [c for c in schema.names if c in expr.columns]
    if target.count().execute() > 0:
        keys = sg.parse_one(con.compile(expr.select(key)), dialect=con.name)
        stmt = sg.delete(sg.table(name, quoted=True)).where(
            sg.column(key, quoted=True).isin(query=keys)
        )
        con.raw_sql(stmt.sql(con.name))
    before = target.count().execute()
    con.insert(name, expr.select(*[expr[c].cast(schema[c]).name(c) for c in cols]))
    return int(target.count().execute() - before)


def update_rows(
    con: ibis.BaseBackend, name: str, key: str, changes: ibis.Table, columns: list[str]
) -> int:
    """Set ``columns`` of the rows whose key is in ``changes`` (one UPDATE ... FROM).

    Rewriting only the rows that changed keeps a re-derivation (the lead rule)
    cheap on a large table. Returns the number of rows updated.
    """
    staged = materialize(con, changes.select(key, *columns))
    n = int(staged.count().execute())
    if n:
        q = lambda ident: sg.to_identifier(ident, quoted=True).sql(con.name)  # noqa: E731
        target, source = q(name), q(staged.get_name())
        sets = ", ".join(f"{q(c)} = {source}.{q(c)}" for c in columns)
        con.raw_sql(
            f"UPDATE {target} SET {sets} FROM {source} WHERE {target}.{q(key)} = {source}.{q(key)}"
        )
    con.drop_table(staged.get_name(), force=True)
    return n


def set_memory_limit(con: ibis.BaseBackend, limit: str | None) -> None:
    """Cap DuckDB's memory (beyond it, it spills to disk); None restores the default."""
    if limit is None:
        con.raw_sql("RESET memory_limit")
    else:
        con.raw_sql(f"SET memory_limit = {sge.Literal.string(limit).sql('duckdb')}")


def load_arrow(
    con: ibis.BaseBackend,
    name: str,
    data: pa.Table,
    *,
    catalog: str | None = None,
    append: bool = False,
) -> None:
    """Create (or append to) a DuckDB table from an Arrow table, scanned in place.

    Unlike a memtable, the Arrow data is released as soon as the load is done: a large
    ingest would otherwise keep every chunk it ever loaded alive.
    """
    raw = con.con
    view = "_lp_arrow_chunk"
    target = sg.table(name, db="main" if catalog else None, catalog=catalog, quoted=True)
    raw.register(view, data)
    try:
        select = sg.select("*").from_(sg.to_identifier(view, quoted=True))
        if append:
            stmt = sge.insert(select, target)
        else:
            stmt = sge.Create(this=target, kind="TABLE", expression=select)
        raw.execute(stmt.sql("duckdb"))
    finally:
        raw.unregister(view)


def attach_scratch(con: ibis.BaseBackend) -> str:
    """Attach a private in-memory DuckDB database to a DuckDB connection; returns its name."""
    import uuid

    name = f"lp_scratch_{uuid.uuid4().hex[:10]}"
    memory = sge.Alias(this=sge.Literal.string(":memory:"), alias=sg.to_identifier(name))
    con.raw_sql(sge.Attach(this=memory).sql("duckdb"))
    return name


def detach_scratch(con: ibis.BaseBackend, name: str) -> None:
    con.raw_sql(sge.Detach(this=sg.to_identifier(name)).sql("duckdb"))


def _insert_from(
    con: ibis.BaseBackend, name: str, staged: str, cols: list[str], schema: ibis.Schema
) -> None:
    src = con.table(staged)
    con.insert(name, src.select(*[src[c].cast(schema[c]).name(c) for c in cols]))


def upsert(con: ibis.BaseBackend, name: str, data: pa.Table, key: str) -> int:
    """Insert an Arrow table, replacing the stored rows that have the same key."""
    if data.num_rows == 0:
        return 0

    def batches(cols: list[str]) -> pa.RecordBatchReader:
        # DuckDB inserts in parallel per batch: one huge chunk would load on one core.
        part = data.select(cols)
        return pa.RecordBatchReader.from_batches(
            part.schema, part.to_batches(max_chunksize=122_880)
        )

    return upsert_batches(con, name, batches, data.column_names, key)


def _copy_into_postgres(
    con: ibis.BaseBackend,
    name: str,
    reader: pa.RecordBatchReader,
    target_schema: ibis.Schema,
) -> None:
    """Bulk-load a stream of Arrow batches with COPY (ibis' memtable upload inserts
    row by row)."""
    import pyarrow.csv as pacsv

    names = reader.schema.names
    schema = ibis.schema({c: target_schema[c] for c in names})
    con.create_table(name, schema=schema, overwrite=True)
    cols = ", ".join(sg.to_identifier(c, quoted=True).sql("postgres") for c in names)
    table = sg.to_identifier(name, quoted=True).sql("postgres")
    options = pacsv.WriteOptions(include_header=False, quoting_style="all_valid")
    with con.con.cursor() as cur:
        with cur.copy(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy:
            for batch in reader:
                if batch.num_rows == 0:
                    continue
                buf = pa.BufferOutputStream()
                pacsv.write_csv(pa.Table.from_batches([batch]), buf, write_options=options)
                copy.write(buf.getvalue().to_pybytes())


def materialize(con: ibis.BaseBackend, expr: ibis.Table) -> ibis.Table:
    """Compute an expression once into a temporary table that later queries reuse.

    The lead model feeds several queries per command (rates, maturity, reasons, survival
    curves); computing it once keeps each command close to one pass over the data.
    """
    import uuid

    name = f"_lp_tmp_{uuid.uuid4().hex[:10]}"
    con.create_table(name, expr, temp=True)
    return con.table(name)


def replace_rows(con: ibis.BaseBackend, name: str, data: pa.Table) -> None:
    """Replace a table's whole content (used for small derived tables)."""
    con.truncate_table(name)
    if data.num_rows:
        con.insert(name, ibis.memtable(data))


def delete_where_in(con: ibis.BaseBackend, name: str, column: str, values: list[str]) -> None:
    """Delete the rows of ``name`` whose ``column`` is one of ``values``."""
    if not values:
        return
    stmt = sg.delete(sg.table(name, quoted=True)).where(
        sg.column(column, quoted=True).isin(*[sge.Literal.string(v) for v in values])
    )
    con.raw_sql(stmt.sql(con.name))
