"""The workspace's schema version: stored with the data, checked on every opening.

A workspace database holds a small table, ``leadpilot_meta`` (key, value), with
``schema_version`` (an integer, :data:`SCHEMA_VERSION` for this leadpilot) and
``written_by`` (the leadpilot version that last wrote it). Opening a workspace reads it:

- the same version: the workspace is used as it is;
- an older one (a workspace written before versions were stored counts as version 1):
  it is migrated, under the write lock, by the steps of :data:`MIGRATIONS` in order,
  published in one rename like any write (a crash leaves the old version);
- an older one that no step starts from, or a newer one (written by a newer leadpilot):
  refused with a :class:`~leadpilot.errors.WorkspaceError` naming both versions and the fix.

Any change to the stored tables that an older workspace lacks bumps
:data:`SCHEMA_VERSION` and adds a step. Declared tables and derived-table columns that are
missing (a table added to :mod:`leadpilot.schema` since) are created by every step and
whenever a writer opens the workspace, as before versions existed.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from importlib import metadata
from typing import TYPE_CHECKING

import ibis
import pyarrow as pa
import sqlglot as sg
import sqlglot.expressions as sge

from ..errors import WorkspaceError
from ..schema import DERIVED, TABLES
from .base import Backend, table_schema

if TYPE_CHECKING:
    from .workspace import Workspace

META = "leadpilot_meta"
SCHEMA_VERSION = 2
UNVERSIONED = 1  # a workspace written before the version was stored
KEY = "schema_version"
# Counts the writes: every write block that ends well adds one, so what was derived from
# the data at a write (the stored lead model) can say which state of the data it describes.
DATA_VERSION = "data_version"
# The leadpilot that last upgraded or created the tables (a current one skips the upgrade)
WRITTEN_BY = "written_by"


@functools.cache
def leadpilot_version() -> str:
    """The installed leadpilot's version (read from its metadata once per process)."""
    try:
        return metadata.version("leadpilot")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "unknown"


def _stored(con: ibis.BaseBackend) -> tuple[list[str], dict[str, str], int | None]:
    """The database's tables, its meta values and the schema version they hold (None
    for a new, empty database): one table listing and one meta read."""
    tables = con.list_tables()
    meta = meta_values(con, tables)
    return tables, meta, _version(meta, tables)


def _version(meta: dict[str, str], tables: list[str]) -> int | None:
    """The version the meta table holds (``meta``, read from a database with ``tables``)."""
    if META not in tables:
        return UNVERSIONED if set(tables) & set(TABLES) else None
    if KEY not in meta:
        return UNVERSIONED
    try:
        return int(meta[KEY])
    except (TypeError, ValueError):
        raise WorkspaceError(
            f"the workspace's {META} table holds schema_version {meta[KEY]!r}, not a "
            "number: the database was altered by hand; restore it or re-ingest the sources"
        ) from None


def _missing(con: ibis.BaseBackend, tables: list[str] | None = None) -> bool:
    """A declared table or a derived table's column is missing (the writer adds them)."""
    existing = set(con.list_tables() if tables is None else tables)
    if set(TABLES) - existing:
        return True
    for derived in DERIVED.values():
        if not derived.on_open:
            continue
        if derived.name not in existing:
            return True
        have = con.table(derived.name).schema()
        if any(c not in have for c in table_schema(derived).names):
            return True
    return False


def check(ws: Workspace) -> bool:
    """Can this leadpilot use the workspace as it is? False: a writer must upgrade it
    first (:func:`upgrade`). Raises when it cannot be used at all."""
    tables, _, version = _stored(ws.con)
    refuse(ws, version)
    return version == SCHEMA_VERSION and not _missing(ws.con, tables)


def refuse(ws: Workspace, version: int | None) -> None:
    """A WorkspaceError when no migration leads from ``version`` to this leadpilot's."""
    if version is None or version == SCHEMA_VERSION:
        return
    if version > SCHEMA_VERSION:
        raise WorkspaceError(
            f"workspace {ws.root} has schema version {version}, written by a newer leadpilot "
            f"({_written_by(ws.con)}); this leadpilot ({leadpilot_version()}) reads schema "
            f"version {SCHEMA_VERSION} and older. Upgrade leadpilot "
            "(pip install --upgrade leadpilot) to use it"
        )
    step, chain = version, []
    while step < SCHEMA_VERSION and step in MIGRATIONS:
        chain.append(step)
        step += 1
    if step != SCHEMA_VERSION:
        oldest = min(MIGRATIONS) if MIGRATIONS else SCHEMA_VERSION
        raise WorkspaceError(
            f"workspace {ws.root} has schema version {version}; this leadpilot "
            f"({leadpilot_version()}) migrates schema versions {oldest} to {SCHEMA_VERSION} "
            f"only. Ingest its sources into a new workspace (leadpilot ingest SOURCE -w "
            f"NEW_DIR), or open it with the leadpilot that wrote it ({_written_by(ws.con)})"
        )


def _written_by(con: ibis.BaseBackend) -> str:
    tables = con.list_tables()
    if META not in tables:
        return "a leadpilot that stored no version"
    written_by = meta_values(con, tables).get(WRITTEN_BY)
    return f"leadpilot {written_by}" if written_by is not None else "an unknown version"


def upgrade(ws: Workspace) -> list[int]:
    """Bring the database of a writer up to :data:`SCHEMA_VERSION` (called inside
    :meth:`Workspace.writing`, on the writer's connection). Returns the steps run."""
    tables, meta, version = _stored(ws.con)
    refuse(ws, version)
    stamped = meta.get(WRITTEN_BY) == leadpilot_version()
    if version == SCHEMA_VERSION and stamped and not _missing(ws.con, tables):
        return []  # this leadpilot's tables, stamped by it: the usual write
    ran = []
    if version is not None:
        while version < SCHEMA_VERSION:
            MIGRATIONS[version](ws)
            ran.append(version)
            version += 1
    ensure_tables(ws)
    stamp(ws)
    return ran


def stamp(ws: Workspace) -> None:
    """Write this leadpilot's schema version and name into the meta table."""
    set_meta(ws, {KEY: str(SCHEMA_VERSION), WRITTEN_BY: leadpilot_version()})


def meta_values(con: ibis.BaseBackend, tables: list[str] | None = None) -> dict[str, str]:
    """The key / value pairs of the meta table (empty before the first write);
    ``tables``: the connection's table list when the caller has it already. Inside a
    write block (:func:`buffered_meta`), the values as the block has set them."""
    pending = Backend.of(con).meta_pending
    if pending is not None:
        return dict(pending)
    if META not in (con.list_tables() if tables is None else tables):
        return {}
    query = sg.select(sg.column("key", quoted=True), sg.column("value", quoted=True))
    return dict(Backend.of(con).fetch(query.from_(sg.table(META, quoted=True))))


def set_meta(ws: Workspace, values: dict[str, str | None]) -> None:
    """Set (None: remove) keys of the meta table, keeping the others; written only when
    something changes (inside a write block: when the block ends)."""
    pending = ws.backend.meta_pending
    if pending is not None:
        for key, value in values.items():
            if value is None:
                pending.pop(key, None)
            else:
                pending[key] = value
        return
    present = META in ws.con.list_tables()
    before = meta_values(ws.con, [META] if present else [])
    _write_meta(ws, {**before, **values}, before if present else None)


def _write_meta(ws: Workspace, values: dict[str, str | None], before: dict | None) -> None:
    """Store ``values`` (None: left out) unless they are ``before``, the stored ones
    (None: no meta table yet)."""
    rows = {k: v for k, v in values.items() if v is not None}
    if rows == before:
        return
    column = functools.partial(pa.array, type=pa.string())
    data = pa.table({"key": column(list(rows)), "value": column(list(rows.values()))})
    if before is not None:
        ws.backend.replace_rows(META, data)
    else:
        ws.backend.load_arrow(META, data)


@contextlib.contextmanager
def buffered_meta(ws: Workspace) -> Iterator[None]:
    """Inside a write block: the meta values are read once, read and set in memory by
    the block (the data version, the lead rule applied, the stored model's stamp: five
    reads and as many rewrites of the table per ingest otherwise), and stored once, in
    one transaction where the engine has them, when the block ends well; a failed
    block writes none of them."""
    backend = ws.backend
    if backend.meta_pending is not None:  # a block inside the block
        yield
        return
    present = META in ws.con.list_tables()
    before = meta_values(ws.con, [META] if present else [])
    backend.meta_pending = dict(before)
    try:
        yield
        values = backend.meta_pending
    finally:
        backend.meta_pending = None
    if backend.capabilities.transactions:
        with backend.transaction():
            _write_meta(ws, values, before if present else None)
    else:
        _write_meta(ws, values, before if present else None)


def data_version(values: dict[str, str]) -> int:
    """The write count the meta table holds (0 before any counted write)."""
    try:
        return int(values.get(DATA_VERSION, "0"))
    except ValueError:
        return 0


def next_data_version(ws: Workspace) -> int:
    """The data version a write block opening now will commit (counted when it ends
    well: a failed write leaves the meta table as it was, on every engine)."""
    return data_version(meta_values(ws.con)) + 1


def row_counts(con: ibis.BaseBackend, names: tuple[str, ...]) -> dict[str, int]:
    """The number of rows of each table, in one query.

    A tool other than leadpilot that writes into a workspace table counts no data
    version; the row counts of the tables something was derived from tell most such
    writes (rows added or deleted) apart."""
    parts = [
        sg.select(sge.Literal.string(n), sge.Count(this=sge.Star())).from_(sg.table(n, quoted=True))
        for n in names
    ]
    query = functools.reduce(lambda a, b: sge.union(a, b, distinct=False, copy=False), parts)
    return {n: int(rows) for n, rows in Backend.of(con).fetch(query)}


def ensure_tables(ws: Workspace) -> None:
    """Create the canonical tables and the derived tables made at opening, as declared."""
    backend = ws.backend
    existing = set(ws.con.list_tables())
    on_open = [d for d in DERIVED.values() if d.on_open]
    backend.create_all([t for t in [*TABLES.values(), *on_open] if t.name not in existing])
    for derived in on_open:
        if derived.name not in existing:
            continue
        # workspaces made before a column was added
        have = ws.con.table(derived.name).schema()
        missing = {c: t for c, t in table_schema(derived).items() if c not in have}
        if missing:
            backend.add_columns(derived.name, missing)


def _from_unversioned(ws: Workspace) -> None:
    """1 -> 2: the version is stored (the tables themselves did not change)."""


# version -> the step to version + 1
MIGRATIONS: dict[int, Callable[[Workspace], None]] = {UNVERSIONED: _from_unversioned}
