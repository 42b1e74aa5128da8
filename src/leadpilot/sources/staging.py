"""A private DuckDB that holds an ingest's typed rows until every check has run.

Each file's typed rows go there as soon as they are parsed, so the process
never holds all tables in Arrow at once; the checks, the quarantine split and
the final transfer to the workspace run on it. Beyond its memory limit DuckDB
spills to a temporary folder, which keeps the peak memory of a large ingest
bounded whatever the size of the exports.
"""

from __future__ import annotations

import os
import tempfile

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow as pa

from .. import engine
from ..schema import TEMPORARY

FILE = "__file"
BATCH = engine.BATCH_ROWS
# DuckDB's cap while ingesting: the hash tables of the checks at 20 M rows fit; the rest
# spills to disk, so a large export does not take all the machine's memory.
MEMORY_LIMIT = os.environ.get("LEADPILOT_INGEST_MEMORY", "2GB")


class Staging:
    """Where typed rows wait for the checks.

    When the workspace's engine can share its connection (``shared_staging``: DuckDB),
    staging is an in-memory database attached to it, so the final load is one
    INSERT ... SELECT in the engine, with no round trip through Python; otherwise it
    is a private in-memory engine and rows stream to the workspace in Arrow batches.
    Its tables go with it when it is closed.
    """

    def __init__(self, workspace: engine.Backend | None = None) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="leadpilot-ingest-")
        self.shared = workspace is not None and workspace.capabilities.shared_staging
        self._limited = False
        if self.shared:
            self.backend = workspace
            self._catalog = workspace.attach_scratch()
            if workspace.capabilities.memory_limit:
                workspace.set_memory_limit(MEMORY_LIMIT)
                self._limited = True
            self.db: tuple[str, str] | None = (self._catalog, "main")
        else:
            self.backend = engine.private_backend(
                memory_limit=MEMORY_LIMIT, spill_directory=os.path.join(self._tmp.name, "spill")
            )
            self.db = None
        self.con = self.backend.con
        self._parts: dict[str, list[str]] = {}
        self._files: dict[str, str | None] = {}
        self._columns: dict[str, pa.Schema] = {}

    def add(self, table: str, data: pa.Table, append: bool = False) -> None:
        """Store typed rows of a table (their Arrow copy can then be freed); ``append``
        adds a further chunk of the same file to the part stored last."""
        names = self._parts.setdefault(table, [])
        if FILE in data.column_names:
            # One file per part: its name is added back when the part is read, instead of
            # being stored on each of millions of rows.
            file = data[FILE].combine_chunks().dictionary[0].as_py()
            data = data.drop_columns([FILE])
        else:
            file = None
        # DuckDB loads Arrow batches in parallel: one huge chunk would load on one core.
        data = pa.Table.from_batches(data.to_batches(max_chunksize=BATCH), schema=data.schema)
        if append and names and self._columns[names[-1]] == data.schema:
            self.backend.load_arrow(names[-1], data, database=self.db, append=True)
            return
        # a first chunk, or one whose columns differ (parts are aligned when read)
        name = TEMPORARY["typed"](table=table, part=len(names))
        self.backend.load_arrow(name, data, database=self.db)
        names.append(name)
        self._files[name] = file
        self._columns[name] = data.schema

    def has(self, table: str) -> bool:
        return bool(self._parts.get(table))

    def table(self, table: str) -> ir.Table:
        """Every file's rows of a table, with the union of their columns."""
        parts = []
        for n in self._parts[table]:
            p = self.con.table(n, database=self.db)
            if self._files[n] is not None:
                p = p.mutate(**{FILE: ibis.literal(self._files[n], "string")})
            parts.append(p)
        if len(parts) == 1:
            return parts[0]
        types: dict[str, dt.DataType] = {}
        for p in parts:
            for name, typ in p.schema().items():
                if name in types and types[name] != typ:
                    types[name] = dt.string  # the same extra column typed differently per file
                else:
                    types.setdefault(name, typ)
        aligned = [
            p.select(
                *[
                    (p[c].cast(typ) if c in p.columns else ibis.null(typ)).name(c)
                    for c, typ in types.items()
                ]
            )
            for p in parts
        ]
        return ibis.union(*aligned, distinct=False)

    def put(self, name: str, data: pa.Table | ir.Table) -> ir.Table:
        """Store rows (Arrow, or a query on the staging) as a staging table."""
        if isinstance(data, pa.Table):  # scanned in place: no memtable left registered
            self.backend.load_arrow(name, data, database=self.db, overwrite=True)
        else:
            self.con.create_table(name, data, database=self.db, overwrite=True)
        return self.con.table(name, database=self.db)

    def bring(self, name: str, expr: ir.Table) -> ir.Table:
        """A workspace query readable next to the staged rows: itself when the staging
        shares the workspace's connection, else a copy stored as ``name``."""
        return expr if self.shared else self.put(name, expr.to_pyarrow())

    def rows(self, expr: ir.Table) -> pa.Table:
        return self.backend.scan_rows(expr)

    def close(self) -> None:
        """Drop every staging table (the scratch database, or the private engine)."""
        if self.shared:
            self.backend.detach_scratch(self._catalog)
            if self._limited:
                self.backend.set_memory_limit(None)
        else:
            self.backend.close()
        self._tmp.cleanup()
