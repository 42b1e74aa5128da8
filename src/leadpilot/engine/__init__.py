"""The workspace's engine: connecting, declared tables, transactions, bulk loads, upserts.

The engine knows tables and keys, never KPIs. Everything goes through Ibis so that
every engine behaves the same; what differs lives in one class per engine
(:mod:`.duckdb`, :mod:`.postgres`, :mod:`.spark`), each declaring its :class:`Capabilities`, found
through the registry by the ``workspace.backend`` setting. Adding an engine is adding
one module with one :func:`register`-ed :class:`Backend` subclass, imported below.

The functions taking an Ibis connection are kept for the callers written before the
backend classes; each hands the call to the connection's backend.
"""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
import pyarrow as pa

from .. import schema as _schema
from .base import (
    BATCH_ROWS,
    Backend,
    Batches,
    Capabilities,
    backend_class,
    out_of_memory,
    records,
    register,
    registered,
    scalar,
    table_schema,
)
from .duckdb import DuckDBBackend, quiet
from .postgres import PostgresBackend
from .spark import SparkBackend
from .workspace import Workspace, connect, ensure_tables, open_workspace

__all__ = [
    "BATCH_ROWS",
    "INGEST_LOG",
    "LABELS",
    "QUARANTINE",
    "Backend",
    "Batches",
    "Capabilities",
    "DuckDBBackend",
    "PostgresBackend",
    "SparkBackend",
    "Workspace",
    "add_columns",
    "attach_scratch",
    "backend_class",
    "connect",
    "delete_where_in",
    "detach_scratch",
    "ensure_tables",
    "load_arrow",
    "materialize",
    "open_workspace",
    "out_of_memory",
    "private_backend",
    "quiet",
    "records",
    "register",
    "registered",
    "replace_rows",
    "scalar",
    "set_memory_limit",
    "table_schema",
    "transaction",
    "update_rows",
    "upsert",
    "upsert_batches",
    "upsert_expr",
]

# Names of the derived tables (declared in schema.DERIVED).
QUARANTINE = _schema.QUARANTINE.name
LABELS = _schema.LABELS.name
INGEST_LOG = _schema.INGEST_LOG.name


def private_backend(*, memory_limit: str, spill_directory: str) -> Backend:
    """An in-memory engine of the process's own, memory capped and spilling to
    ``spill_directory``: an ingest's staging when the workspace's engine cannot share
    its connection (``Capabilities.shared_staging``)."""
    return DuckDBBackend.private(memory_limit=memory_limit, spill_directory=spill_directory)


def _of(con: ibis.BaseBackend) -> Backend:
    return Backend.of(con)


def transaction(con: ibis.BaseBackend):
    """All writes inside happen, or none: the workspace is left exactly as it was."""
    return _of(con).transaction()


def add_columns(con: ibis.BaseBackend, name: str, columns: dict[str, dt.DataType]) -> None:
    _of(con).add_columns(name, columns)


def upsert_batches(
    con: ibis.BaseBackend, name: str, batches: Batches, columns: list[str], key: str
) -> int:
    return _of(con).upsert_batches(name, batches, columns, key)


def upsert_expr(con: ibis.BaseBackend, name: str, expr: ibis.Table, key: str) -> int:
    return _of(con).upsert_expr(name, expr, key)


def upsert(con: ibis.BaseBackend, name: str, data: pa.Table, key: str) -> int:
    return _of(con).upsert(name, data, key)


def update_rows(
    con: ibis.BaseBackend, name: str, key: str, changes: ibis.Table, columns: list[str]
) -> int:
    return _of(con).update_rows(name, key, changes, columns)


def set_memory_limit(con: ibis.BaseBackend, limit: str | None) -> None:
    _of(con).set_memory_limit(limit)


def load_arrow(
    con: ibis.BaseBackend,
    name: str,
    data: pa.Table,
    *,
    catalog: str | None = None,
    append: bool = False,
) -> None:
    _of(con).load_arrow(name, data, database=(catalog, "main") if catalog else None, append=append)


def attach_scratch(con: ibis.BaseBackend) -> str:
    return _of(con).attach_scratch()


def detach_scratch(con: ibis.BaseBackend, name: str) -> None:
    _of(con).detach_scratch(name)


def materialize(con: ibis.BaseBackend, expr: ibis.Table) -> ibis.Table:
    return _of(con).materialize(expr)


def replace_rows(con: ibis.BaseBackend, name: str, data: pa.Table) -> None:
    _of(con).replace_rows(name, data)


def delete_where_in(con: ibis.BaseBackend, name: str, column: str, values: list[str]) -> None:
    _of(con).delete_where_in(name, column, values)
