"""Sources read straight from database tables instead of files.

A ``sources:`` entry names a table of a database Ibis connects to (PostgreSQL, DuckDB,
MySQL, Snowflake, BigQuery, ... by URL) and, optionally, a filter in that database's SQL::

    sources:
      - table: leads
        database: postgresql://reader@crm-replica:5432/crm
        from_table: hubspot.contacts       # schema.table
        filter: "createdate >= '2025-01-01'"
        preset: hubspot_contacts

The rows stream in Arrow batches (the filter runs in that database) and then go through
exactly what a file goes through: the column mapping (presets, ``columns``), parsing,
validation and quarantine. Their typed values (timestamps, numbers) are read as a Parquet
file's are. Problems name the rows by their position in the filtered table.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import ibis
import pyarrow as pa
import pyarrow.compute as pc
import sqlglot as sg

from ..config import SourceSpec
from ..errors import SourceError
from .readers import ROW, Progress, RawFrame, clean_header


def is_table_source(spec: SourceSpec) -> bool:
    """Whether the entry names a database table (``from_table``) rather than a file."""
    return getattr(spec, "from_table", None) is not None


def label(spec: SourceSpec) -> str:
    """How problems, the quarantine and the ingest log name the source: the database URL
    without its password, then the table (and the filter)."""
    parts = urlsplit(spec.database or "")
    netloc = parts.netloc
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        netloc = f"{user.split(':', 1)[0]}@{host}"
    url = urlunsplit(parts._replace(netloc=netloc, query=""))
    text = f"{url}#{spec.from_table}"
    return f"{text} where {spec.filter}" if spec.filter else text


def _table(con: ibis.BaseBackend, spec: SourceSpec) -> ibis.Table:
    *db, table = spec.from_table.split(".")
    database = tuple(db) if len(db) > 1 else (db[0] if db else None)
    try:
        t = con.table(table, database=database)
    except Exception as exc:
        raise SourceError(f"{label(spec)}: no such table ({exc})") from None
    if spec.filter:
        catalog, schema = (db[0], db[1]) if len(db) > 1 else (None, db[0] if db else None)
        quoted = sg.table(table, db=schema, catalog=catalog, quoted=True).sql(con.dialect)
        try:
            t = con.sql(f"SELECT * FROM {quoted} WHERE {spec.filter}", dialect=con.dialect)
            t.schema()
        except Exception as exc:
            raise SourceError(f"{label(spec)}: the filter cannot be run: {exc}") from None
    return t


def _plain(batch: pa.Table) -> pa.Table:
    """Database types the parsers read as a Parquet file's: decimals as floats."""
    cols = []
    for field, col in zip(batch.schema, batch.columns, strict=True):
        if pa.types.is_decimal(field.type):
            col = pc.cast(col, pa.float64())
        cols.append(col)
    return pa.table(cols, names=batch.column_names)


def read_table_chunks(
    spec: SourceSpec, *, chunk_rows: int | None = None, progress: Progress | None = None
) -> Iterator[RawFrame]:
    """The table's rows (filtered in its database) as frames of at most ``chunk_rows``."""
    name = label(spec)
    try:
        con = ibis.connect(spec.database)
    except Exception as exc:
        raise SourceError(f"{name}: cannot connect: {exc}") from None
    try:
        t = _table(con, spec)
        clean_header(name, t.columns, "the table")
        if chunk_rows is None:  # read whole (lead attributes are typed from all values)
            data = _plain(con.to_pyarrow(t))
            if progress is not None:
                progress(data.num_rows)
            yield _frame(name, data, 1)
            return
        reader = con.to_pyarrow_batches(t, chunk_size=chunk_rows)
        first = 1
        pending: list[pa.RecordBatch] = []
        for batch in reader:
            pending.append(batch)
            if sum(b.num_rows for b in pending) < chunk_rows:
                continue
            data = _plain(pa.Table.from_batches(pending, schema=reader.schema))
            pending = []
            yield _frame(name, data, first)
            first += data.num_rows
            if progress is not None:
                progress(data.num_rows)
        if pending or first == 1:
            data = _plain(pa.Table.from_batches(pending, schema=reader.schema))
            yield _frame(name, data, first)
    finally:
        con.disconnect()


def _frame(name: str, data: pa.Table, first: int) -> RawFrame:
    rows = pa.array(range(first, first + data.num_rows), pa.int64())
    return RawFrame(name, data.append_column(ROW, rows))


# ---------------------------------------------------------------------- the hooks of load.py
def planned(spec: SourceSpec) -> SourceSpec:
    """A table entry as the ingest plans it: its ``path`` is the label naming it."""
    return spec.model_copy(update={"path": label(spec)})


def read_source(
    spec: SourceSpec,
    *,
    chunk_rows: int | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    progress: Progress | None = None,
) -> Iterator[RawFrame]:
    """A source entry's frames: its database table, or its file (``readers.read_chunks``)."""
    if is_table_source(spec):
        return read_table_chunks(spec, chunk_rows=chunk_rows, progress=progress)
    from .readers import read_chunks

    return read_chunks(
        spec.path, chunk_rows=chunk_rows, delimiter=delimiter, encoding=encoding, sheet=sheet,
        progress=progress,
    )  # fmt: skip
