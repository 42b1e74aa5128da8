"""Apache Spark: a workspace whose tables are folders of Parquet files (``backend: spark``).

Computations are compiled by Ibis to Spark SQL and run by the cluster named in
``workspace.spark.master`` (``local[N]`` on this machine); only results come back.

Storage. Each table is one or more folders of Parquet files under the warehouse
(``workspace.spark.warehouse``). The workspace's catalog is one JSON file at the
warehouse root naming, per table, its folders and its column types; it is replaced
atomically when writes are committed, so every process that opens the workspace
sees the last committed state, and no metastore is needed. In the Spark session a
table is a view over its folders; each workspace has a session of its own on the
process's one SparkContext, so several workspaces can be open at once.

What differs from DuckDB and PostgreSQL, declared in :attr:`SparkBackend.capabilities`:

* no transactions (``transactions=False``): a write never changes a folder in place.
  It writes new folders and points the table at them; :meth:`SparkBackend.transaction`
  keeps the previous folders until the block ends, restores them if it fails, and
  commits the catalog file once. Other processes never see half an ingest, but
  there is no isolation from a process writing the same workspace at the same time.
* no row deletes or updates (``row_updates=False``): DELETE and UPDATE statements
  (erasure, quarantine relabelling) and upserts rewrite the table without the rows
  replaced; an append only adds a folder.
* new columns need no ALTER: the view reads the Parquet files with the table's
  declared columns, so a column added later reads as null in older files.
* temporary tables are cached views of the session (``temporary_tables=False``).
* rows are bulk-loaded as Parquet files written by Arrow (``bulk_load="parquet"``);
  an ingest's checks run in a private DuckDB and the good rows stream here.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.datatypes as dt
import pyarrow as pa
import pyarrow.parquet as pq
import sqlglot as sg
import sqlglot.expressions as sge

from ..errors import EngineError, WorkspaceError
from ..schema import TEMPORARY
from ..text import Text
from .base import Backend, Capabilities, Upsert, register, table_schema

if TYPE_CHECKING:
    from ..config import Config, SparkSettings

CATALOG_FILE = "leadpilot-catalog.json"
DIALECT = "spark"
INSTALL_PYSPARK = "pip install 'leadpilot[spark]' (pyspark 4)"
INSTALL_JAVA = (
    "install Java 17 (Debian/Ubuntu: apt-get install openjdk-17-jre-headless) or set JAVA_HOME"
)
# Settings a local session starts with unless workspace.spark.conf says otherwise.
DEFAULTS: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.shuffle.partitions": "8",
    "spark.sql.adaptive.enabled": "true",
    "spark.driver.memory": "2g",
}

# the driver's logging, a file of the package: a path without spaces or quotes is safe in
# the space-separated Java options
LOGGING = "-Dlog4j2.configurationFile=" + (
    Path(__file__).with_name("spark-log4j2.properties").resolve().as_uri()
)

_lock = threading.RLock()


def pyspark_version() -> str | None:
    """The installed pyspark's version, None when it is not installed."""
    try:
        from importlib.metadata import version

        return version("pyspark")
    except Exception:
        return None


def spark_session(master: str, conf: dict[str, Any]):
    """A new session on the process's SparkContext (started on first use with ``master``).

    Every workspace gets its own session: its own views, temporary views and settings,
    the context (executors, cache) shared. The context lives until the process ends.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise WorkspaceError(f"backend spark needs pyspark: {INSTALL_PYSPARK}") from None
    with _lock:
        active = SparkSession.getActiveSession()
        if active is None:
            if master.startswith("local") and not os.environ.get("SPARK_LOCAL_IP"):
                os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"  # no lookup of the host's name
            builder = SparkSession.builder.master(master).appName("leadpilot")
            settings = {**DEFAULTS, **{k: str(v) for k, v in conf.items()}}
            # errors only on stderr (see spark-log4j2.properties), beside the JVM's options
            # the configuration gives
            options = settings.get("spark.driver.extraJavaOptions", "")
            if "log4j2.configurationFile" not in options:
                settings["spark.driver.extraJavaOptions"] = f"{LOGGING} {options}".strip()
            for key, value in settings.items():
                builder = builder.config(key, _conf_value(value))
            try:
                active = builder.getOrCreate()
            except Exception as exc:
                text = str(exc)
                if "JAVA_GATEWAY" in text or "JAVA_HOME" in text or "java" in text.lower():
                    raise WorkspaceError(
                        f"Spark could not start its Java process: {text.splitlines()[0]}; "
                        f"{INSTALL_JAVA}"
                    ) from None
                raise
            active.sparkContext.setLogLevel("ERROR")
        session = active.newSession()  # its SQL settings start from the context's
        for key, value in conf.items():
            if key.startswith("spark.sql.") and session.conf.isModifiable(key):
                session.conf.set(key, _conf_value(value))
        return session


def _null_column(field: Any) -> str:
    """``NULL`` cast to ``field``'s type, named as it (SQL text): a column of an empty
    table. As text, every column of a table goes to the JVM in one call; as Column
    objects each took three (0.8 s of a new workspace's 9 tables)."""
    name = field.name.replace("`", "``")
    return f"CAST(NULL AS {field.dataType.simpleString()}) AS `{name}`"


def _conf_value(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


_CONNECTION: type | None = None


def _connection_class() -> type:
    """Ibis's PySpark backend for one workspace session (imported on first use: pyspark
    is optional and slow to import)."""
    global _CONNECTION
    if _CONNECTION is not None:
        return _CONNECTION
    import ibis.backends.pyspark

    ibis.backends.pyspark.Backend.register_options()  # ibis.options.pyspark
    from ibis.backends.sql.compilers.base import NULL
    from ibis.backends.sql.compilers.pyspark import PySparkCompiler

    class _Compiler(PySparkCompiler):
        """Ibis 12's Spark SQL, with the aggregates leadpilot needs that it gets wrong or lacks."""

        __slots__ = ()

        def visit_Median(self, op, *, arg, where):
            # Ibis filters the percentage too (IF(cond, 0.5, NULL)): Spark wants a constant.
            if where is not None:
                arg = self.if_(where, arg, NULL)
            return self.f.percentile(arg, 0.5)

        def visit_ExtractEpochSeconds(self, op, *, arg):
            # Ibis uses unix_timestamp (whole seconds); DuckDB's epoch keeps the fraction.
            return self.f.unix_micros(self.cast(arg, dt.timestamp)) / 1_000_000

        def visit_BitOr(self, op, *, arg, where):
            return self.agg.bit_or(arg, where=where)

        def visit_BitAnd(self, op, *, arg, where):
            return self.agg.bit_and(arg, where=where)

        def visit_BitXor(self, op, *, arg, where):
            return self.agg.bit_xor(arg, where=where)


    class _Connection(ibis.backends.pyspark.Backend):
        """Ibis's PySpark backend, for one workspace session.

        Disconnecting drops the session's views and cached tables but leaves the shared
        SparkContext running; results come back through Spark's own Arrow export.
        """

        compiler = _Compiler()

        def disconnect(self) -> None:
            with contextlib.suppress(Exception):
                for name, df in list(self._cached_dataframes.items()):
                    df.unpersist()
                    self._cached_dataframes.pop(name, None)
                for row in self._session.catalog.listTables():
                    if row.isTemporary:
                        self._session.catalog.dropTempView(row.name)

        def to_pyarrow(self, expr, /, *, params=None, limit=None, **kwargs) -> pa.Table:
            from ibis.formats.pyarrow import PyArrowData

            table_expr = expr.as_table()
            self._run_pre_execute_hooks(table_expr)
            sql = self.compile(table_expr, params=params, limit=limit, **kwargs)
            df = self._session.sql(sql)
            schema = table_expr.schema()
            if hasattr(df, "toArrow"):  # pyspark >= 4: no detour through pandas
                data = df.toArrow()
                # Spark's timestamps carry the session's zone (UTC); leadpilot's are wall-clock.
                cols = []
                for field, col in zip(data.schema, data.columns, strict=True):
                    if pa.types.is_timestamp(field.type) and field.type.tz is not None:
                        col = col.cast(pa.timestamp(field.type.unit))
                    cols.append(col)
                data = pa.table(cols, names=data.column_names)
                table = PyArrowData.convert_table(data, schema)
            else:  # pragma: no cover - pyspark 3
                return super().to_pyarrow(expr, params=params, limit=limit, **kwargs)
            return expr.__pyarrow_result__(table)

        def to_pyarrow_batches(self, expr, /, *, params=None, limit=None, chunk_size=1_000_000,
                               **kwargs) -> pa.RecordBatchReader:  # fmt: skip
            data = self.to_pyarrow(expr.as_table(), params=params, limit=limit, **kwargs)
            return pa.RecordBatchReader.from_batches(
                data.schema, data.to_batches(max_chunksize=chunk_size)
            )

        # Tables made or changed through the connection go through the workspace's
        # catalog (folders of Parquet files), as the backend's own writes do.
        def create_table(self, name, /, obj=None, *, schema=None, database=None, temp=None,
                         overwrite=False, **kwargs):  # fmt: skip
            backend = getattr(self, "_leadpilot_backend", None)
            if backend is None or database is not None:
                return super().create_table(
                    name, obj, schema=schema, database=database, temp=temp,
                    overwrite=overwrite, **kwargs,
                )  # fmt: skip
            if temp:
                return backend.materialize_as(name, obj)
            backend.create_table(name, obj, schema=schema, overwrite=overwrite)
            return self.table(name)

        def insert(self, name, /, obj, *, database=None, overwrite=False):
            backend = getattr(self, "_leadpilot_backend", None)
            if backend is None or database is not None:
                return super().insert(name, obj, database=database, overwrite=overwrite)
            backend.insert_rows(name, obj, overwrite=overwrite)

        def truncate_table(self, name, /, *, database=None):
            backend = getattr(self, "_leadpilot_backend", None)
            if backend is None or database is not None:
                return super().truncate_table(name, database=database)
            backend.truncate(name)

        def drop_table(self, name, /, *, database=None, force=False):
            backend = getattr(self, "_leadpilot_backend", None)
            if backend is None or database is not None:
                return super().drop_table(name, database=database, force=force)
            backend.drop(name, force=force)

        def execute(self, expr, /, *, params=None, limit=None, **kwargs):
            data = self.to_pyarrow(expr.as_table(), params=params, limit=limit, **kwargs)
            from ibis.formats.pandas import PandasData

            df = PandasData.convert_table(data.to_pandas(), expr.as_table().schema())
            return expr.__pandas_result__(df)

    _CONNECTION = _Connection
    return _CONNECTION


@dataclass(frozen=True)
class SparkCapabilities(Capabilities):
    """:class:`Capabilities` plus what only an engine without in-place writes needs to say.

    Attributes
    ----------
    row_updates
        Rows are deleted and updated in place; here (Parquet folders) the backend rewrites
        the table without them instead, and an append only adds a folder.
    snapshots
        :meth:`Backend.snapshot` isolates reads from other processes' commits.
    """

    row_updates: bool = False
    snapshots: bool = False


@register
class SparkBackend(Backend):
    """A workspace on Apache Spark (``workspace.backend: spark`` or ``spark://host:port``).

    Examples
    --------
    >>> from leadpilot.engine import backend_class
    >>> caps = backend_class("spark").capabilities
    >>> caps.transactions, caps.row_updates, caps.bulk_load
    (False, False, 'parquet')
    """

    name = "pyspark"  # Ibis's name; the SQL dialect is "spark"
    settings = ("spark",)
    url_schemes = ("spark",)
    hint = "'spark'"
    capabilities = SparkCapabilities(
        transactions=False,
        bulk_load="parquet",
        shared_staging=False,
        memory_limit=False,
        temporary_tables=False,
        window_functions=True,
        update_from=False,
        row_updates=False,
        snapshots=False,
    )

    def __init__(self, con: ibis.BaseBackend) -> None:
        super().__init__(con)
        self.warehouse = ""
        self._committed: dict[str, dict] = {}  # the catalog file as last read or written
        self._live: dict[str, dict] = {}  # what this session reads (uncommitted writes too)
        self._depth = 0  # nested transaction() blocks
        self._changed: set[str] = set()  # tables written in the open transaction
        self._written: list[str] = []  # folders written in the open transaction
        self._stamp: float | None = None  # the catalog file's mtime when last read

    # ------------------------------------------------------------------ connecting
    @classmethod
    def connect(cls, setting: str, config: Config, root: Path) -> SparkBackend:
        s: SparkSettings = config.workspace.spark
        if s.table_format != "parquet":
            raise WorkspaceError(
                f"workspace.spark.table_format {s.table_format!r} is not supported yet; use parquet"
            )
        warehouse = warehouse_of(config, root)  # refused before Spark starts
        master = setting if "://" in setting else s.master
        # the context's warehouse (static, set when it starts) in the workspace's: Spark
        # made an empty spark-warehouse/ folder in the directory the command ran from
        conf = {"spark.sql.warehouse.dir": str(warehouse), **s.conf}
        session = spark_session(master, conf)
        con = _connection_class()().connect(session)
        backend = cls(con)
        con._leadpilot_backend = backend
        backend.warehouse = warehouse
        Path(backend.warehouse).mkdir(parents=True, exist_ok=True)
        backend._read_catalog(force=True)
        return backend

    def sql(self, expr: sge.Expression) -> None:
        """Run one statement written with sqlglot. DELETE and UPDATE, which Parquet tables
        cannot do in place, are carried out by rewriting the table."""
        if isinstance(expr, sge.Delete):
            self._delete(expr.this.name, expr.args.get("where"))
        elif isinstance(expr, sge.Update):
            self._update(expr)
        else:
            self.con.raw_sql(expr.sql(DIALECT))

    def fetch(self, query: sge.Query) -> list[tuple]:
        rows = self.con._session.sql(query.sql(DIALECT, copy=False)).collect()
        return [tuple(row) for row in rows]

    def version(self) -> str:
        return str(self.con.version)

    # ------------------------------------------------------------------ the catalog file
    @property
    def _catalog_path(self) -> Path:
        return Path(self.warehouse) / CATALOG_FILE

    def _read_catalog(self, force: bool = False) -> None:
        """Read the catalog file (when another process changed it) and point the views."""
        path = self._catalog_path
        stamp = path.stat().st_mtime if path.exists() else None
        if not force and stamp == self._stamp:
            return
        tables = json.loads(path.read_text())["tables"] if path.exists() else {}
        self._stamp = stamp
        self._committed = tables
        for name in set(self._live) - set(tables):
            self._drop_view(name)
            self._live.pop(name, None)
        for name, entry in tables.items():
            if self._live.get(name) != entry:
                self._point(name, entry)

    def _save_catalog(self, names: set[str]) -> None:
        """Commit the entries of ``names``: one atomic replacement of the catalog file,
        merged with what other processes committed to other tables meanwhile."""
        path = self._catalog_path
        tables = json.loads(path.read_text())["tables"] if path.exists() else {}
        replaced: list[str] = []
        for name in names:
            old = tables.get(name)
            if name in self._live:
                tables[name] = self._live[name]
            else:
                tables.pop(name, None)
            if old:
                keep = set(tables.get(name, {}).get("folders", []))
                replaced += [f for f in old["folders"] if f not in keep]
        tmp = path.with_name(f".{CATALOG_FILE}.{uuid.uuid4().hex}")
        # tables by name, each table's columns in their own order (sort_keys sorted them
        # too: a Spark workspace listed its columns alphabetically, the others as declared)
        document = {"format": 1, "tables": dict(sorted(tables.items()))}
        tmp.write_text(json.dumps(document, indent=1))
        os.replace(tmp, path)
        self._committed = tables
        self._stamp = path.stat().st_mtime
        for folder in replaced:  # no longer part of any table
            _remove(Path(self.warehouse) / folder)

    def _point(self, name: str, entry: dict) -> None:
        """The session's view of a table: its folders read with its declared columns."""
        from ibis.backends.pyspark.datatypes import PySparkSchema

        schema = PySparkSchema.from_ibis(
            ibis.schema({c: ibis.dtype(t) for c, t in entry["columns"].items()})
        )
        folders = [str(Path(self.warehouse) / f) for f in entry["folders"]]
        session = self.con._session
        if folders:
            df = session.read.schema(schema).parquet(*folders)
        else:  # a relation of the JVM: createDataFrame([]) would start Python workers
            df = session.range(0).selectExpr(*(_null_column(field) for field in schema.fields))
        df.createOrReplaceTempView(name)
        self._live[name] = entry

    def _drop_view(self, name: str) -> None:
        with contextlib.suppress(Exception):
            self.con._session.catalog.dropTempView(name)

    def _set(self, name: str, entry: dict | None) -> None:
        """Point a table at new folders (``None``: drop it); committed now, or when the
        open transaction ends."""
        if entry is None:
            self._drop_view(name)
            self._live.pop(name, None)
        else:
            self._point(name, entry)
        self._changed.add(name)
        if not self._depth:
            self._commit()

    def _commit(self) -> None:
        changed, self._changed = self._changed, set()
        written, self._written = self._written, []
        if changed:
            self._save_catalog(changed)
        # folders written and replaced again inside the transaction: no table reads them
        used = {f for e in self._live.values() for f in e["folders"]}
        for folder in written:
            if folder not in used:
                _remove(Path(self.warehouse) / folder)

    def _rollback(self) -> None:
        changed, self._changed = self._changed, set()
        for name in changed:
            if name in self._committed:
                self._point(name, self._committed[name])
            else:
                self._drop_view(name)
                self._live.pop(name, None)
        for folder in self._written:
            _remove(Path(self.warehouse) / folder)
        self._written = []

    def _new_folder(self, name: str) -> str:
        folder = f"{name}/{uuid.uuid4().hex[:12]}"
        self._written.append(folder)
        return folder

    def _columns(self, name: str) -> dict[str, str]:
        entry = self._live.get(name)
        if entry is None:
            raise EngineError(f"no table {name!r} in this Spark workspace")
        return dict(entry["columns"])

    def _schema(self, name: str) -> ibis.Schema:
        return ibis.schema({c: ibis.dtype(t) for c, t in self._columns(name).items()})

    # ------------------------------------------------------------------ transactions
    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Writes inside are committed together when the block ends, or undone if it fails
        (the previous folders are kept until then). Not isolated from another process
        writing the same workspace at the same time."""
        with self._busy_section():
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if not self._depth:
                    self._rollback()
                raise
            self._depth -= 1
            if not self._depth:
                self._commit()

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads see the last committed state when the block starts (re-read from the
        catalog file). A commit by another process during the block is not hidden."""
        self._read_catalog()
        with self._busy_section():
            yield

    # ------------------------------------------------------------------ writing
    def _write_arrow(self, folder: str, reader: pa.RecordBatchReader, schema: ibis.Schema,
                     columns: list[str]) -> int:  # fmt: skip
        """Stream Arrow batches into Parquet files of ``folder``, cast to the table's types."""
        target = pa.schema([pa.field(c, _arrow_type(schema[c])) for c in columns])
        path = Path(self.warehouse) / folder
        path.mkdir(parents=True, exist_ok=True)
        n = 0
        with pq.ParquetWriter(path / "part-0.parquet", target) as writer:
            for batch in reader:
                if batch.num_rows == 0:
                    continue
                cols = [batch.column(c).cast(target.field(c).type) for c in columns]
                writer.write_batch(pa.RecordBatch.from_arrays(cols, schema=target))
                n += batch.num_rows
        return n

    def _write_expr(self, folder: str, expr: ibis.Table) -> None:
        """Write an expression's rows as Parquet files of ``folder`` (in Spark)."""
        df = self.con._session.sql(self.con.compile(expr))
        df.write.mode("overwrite").parquet(str(Path(self.warehouse) / folder))

    def _entry(self, folders: list[str], schema: ibis.Schema) -> dict:
        return {"folders": folders, "columns": {c: str(t) for c, t in schema.items()}}

    def _typed(self, expr: ibis.Table, schema: ibis.Schema) -> ibis.Table:
        """``expr`` with the table's columns, in its order and types (absent ones null)."""
        return expr.select(
            *[
                (expr[c].cast(t) if c in expr.columns else ibis.null(t)).name(c)
                for c, t in schema.items()
            ]
        )

    def create(self, table, *, overwrite: bool = False) -> None:
        if table.name in self._live and not overwrite:
            raise EngineError(f"table {table.name!r} already exists")
        self._set(table.name, self._entry([], table_schema(table)))

    def create_table(self, name: str, obj: Any = None, *, schema: Any = None,
                     overwrite: bool = False) -> None:  # fmt: skip
        """A new table from a schema, an Ibis expression, or Arrow / pandas data."""
        if name in self._live and not overwrite:
            raise EngineError(f"table {name!r} already exists")
        if obj is None:
            self._set(name, self._entry([], ibis.schema(schema)))
        elif isinstance(obj, ibis.Table):
            schema = ibis.schema(schema) if schema is not None else obj.schema()
            folder = self._new_folder(name)
            with self._busy_section():
                self._write_expr(folder, self._typed(obj, schema))
                self._set(name, self._entry([folder], schema))
        else:
            self.load_arrow(name, _to_arrow(obj), overwrite=True)

    def insert_rows(self, name: str, obj: Any, *, overwrite: bool = False) -> None:
        """Add rows (an expression, Arrow or pandas data) to a table."""
        schema = self._schema(name)
        folder = self._new_folder(name)
        with self._busy_section():
            if isinstance(obj, ibis.Table):
                self._write_expr(folder, self._typed(obj, schema))
            else:
                data = _to_arrow(obj)
                reader = pa.RecordBatchReader.from_batches(data.schema, data.to_batches())
                cols = [c for c in schema.names if c in data.column_names]
                self._write_arrow(folder, reader, schema, cols)
            kept = [] if overwrite else self._live[name]["folders"]
            self._set(name, self._entry([*kept, folder], schema))

    def truncate(self, name: str) -> None:
        self._set(name, self._entry([], self._schema(name)))

    def drop(self, name: str, *, force: bool = False) -> None:
        if name in self._live:
            self._set(name, None)
        elif name in self._temporary or name in self.con._cached_dataframes:
            self.drop_temporary(name)
        elif not force:
            raise EngineError(f"no table {name!r} in this Spark workspace")
        else:
            self._drop_view(name)

    def materialize_as(self, name: str, expr: ibis.Table) -> ibis.Table:
        """A cached view named ``name`` (``create_table(..., temp=True)``)."""
        from pyspark import StorageLevel

        df = self.con._session.sql(self.con.compile(expr)).persist(StorageLevel.MEMORY_AND_DISK)
        df.createOrReplaceTempView(name)
        self.con._cached_dataframes[name] = df
        return self.con.table(name)

    def load_arrow(
        self,
        name: str,
        data: pa.Table,
        *,
        database: tuple[str, str] | None = None,
        append: bool = False,
        overwrite: bool = False,
    ) -> None:
        if database is not None:
            raise EngineError("Spark workspaces have no attached databases")
        reader = pa.RecordBatchReader.from_batches(data.schema, data.to_batches())
        with self._busy_section():
            if append:
                schema = self._schema(name)
                folder = self._new_folder(name)
                cols = [c for c in schema.names if c in data.column_names]
                self._write_arrow(folder, reader, schema, cols)
                entry = self._live[name]
                self._set(name, self._entry([*entry["folders"], folder], schema))
                return
            if name in self._live and not overwrite:
                raise EngineError(f"table {name!r} already exists")
            schema = ibis.Schema.from_pyarrow(data.schema)
            folder = self._new_folder(name)
            self._write_arrow(folder, reader, schema, schema.names)
            self._set(name, self._entry([folder], schema))

    def _upsert_stream(self, up: Upsert) -> None:
        folder = self._new_folder(up.name)
        self._write_arrow(folder, up.rows(), up.schema, up.columns)
        kept = self._live[up.name]["folders"]
        if up.keys is not None and kept:
            with self._read_folder(folder, up.schema, up.columns) as staged:
                kept = [self._without_keys(up.name, staged.select(up.key), up.key)]
        self._set(up.name, self._entry([*kept, folder], up.schema))

    @contextlib.contextmanager
    def _read_folder(self, folder: str, schema: ibis.Schema,
                     cols: list[str]) -> Iterator[ibis.Table]:  # fmt: skip
        """A folder just written, as a table while the block runs (a view of the session,
        dropped after it: a rolled-back write removes the folder it would read)."""
        from ibis.backends.pyspark.datatypes import PySparkSchema

        view = TEMPORARY["staged"](table=uuid.uuid4().hex[:8])
        part = ibis.schema({c: schema[c] for c in cols})
        df = self.con._session.read.schema(PySparkSchema.from_ibis(part)).parquet(
            str(Path(self.warehouse) / folder)
        )
        df.createOrReplaceTempView(view)
        try:
            yield self.con.table(view)
        finally:
            self._drop_view(view)

    def _without_keys(self, name: str, keys: ibis.Table, key: str) -> str:
        """A new folder holding ``name``'s rows whose key is not among ``keys``."""
        folder = self._new_folder(name)
        stored = self.con.table(name)
        self._write_expr(folder, stored.anti_join(keys, key))
        return folder

    def upsert_expr(self, name: str, expr: ibis.Table, key: str) -> int:
        schema = self._schema(name)
        with self._busy_section():
            typed = self._typed(expr, schema)
            folder = self._new_folder(name)
            self._write_expr(folder, typed)
            with self._read_folder(folder, schema, schema.names) as written:
                n = int(written.count().execute())
            kept = self._live[name]["folders"]
            if kept:
                kept = [self._without_keys(name, expr.select(key), key)]
            self._set(name, self._entry([*kept, folder], schema))
        return n

    def _rewrite(self, name: str, expr: ibis.Table) -> None:
        """Replace a table's rows by ``expr`` (a query that may read the table itself)."""
        schema = self._schema(name)
        folder = self._new_folder(name)
        with self._busy_section():
            self._write_expr(folder, self._typed(expr, schema))
            self._set(name, self._entry([folder], schema))

    def add_columns(self, name: str, columns: dict[str, dt.DataType]) -> None:
        """New columns are declared, not written: older files read them as null."""
        schema = self._columns(name)
        new = {c: str(t) for c, t in columns.items() if c not in schema}
        if new:
            entry = self._live[name]
            self._set(name, {"folders": entry["folders"], "columns": {**schema, **new}})

    def delete_where_in(self, name: str, column: str, values: list[str]) -> None:
        if not values:
            return
        t = self.con.table(name)
        if int(t.filter(t[column].isin(values)).count().execute()):
            self._rewrite(name, t.filter(t[column].isnull() | ~t[column].isin(values)))

    def delete_keys(self, name: str, key: str, staged: str) -> None:
        self._rewrite(name, self.con.table(name).anti_join(self.con.table(staged), key))

    def insert_from(self, name: str, staged: str, cols: list[str], schema: ibis.Schema) -> None:
        src = self.con.table(staged)
        folder = self._new_folder(name)
        self._write_expr(folder, self._typed(src.select(*cols), schema))
        entry = self._live[name]
        self._set(name, self._entry([*entry["folders"], folder], schema))

    def update_rows(self, name: str, key: str, changes: ibis.Table, columns: list[str]) -> int:
        """Set ``columns`` of the rows whose key is in ``changes``, by rewriting the table."""
        changes = self.materialize(changes.select(key, *columns))
        n = int(changes.count().execute())
        if n:
            t = self.con.table(name)
            c = changes.select(
                _k=changes[key],
                _hit=ibis.literal(True),
                **{f"_new_{x}": changes[x] for x in columns},
            )
            j = t.left_join(c, t[key] == c._k)
            self._rewrite(
                name,
                j.select(
                    *[
                        (ibis.ifelse(j._hit.notnull(), j[f"_new_{x}"], j[x]) if x in columns
                         else j[x]).name(x)
                        for x in t.columns
                    ]
                ),
            )  # fmt: skip
        return n

    def replace_rows(self, name: str, data: pa.Table) -> None:
        schema = self._schema(name)
        folder = self._new_folder(name)
        reader = pa.RecordBatchReader.from_batches(data.schema, data.to_batches())
        cols = [c for c in schema.names if c in data.column_names]
        with self._busy_section():
            self._write_arrow(folder, reader, schema, cols)
            self._set(name, self._entry([folder], schema))

    # ---------------------------------------------------------- DELETE and UPDATE statements
    def _condition_sql(self, where: sge.Expression | None) -> str:
        cond = where.this if isinstance(where, sge.Where) else where
        return cond.sql(DIALECT) if cond is not None else "TRUE"

    def _delete(self, name: str, where: sge.Expression | None) -> None:
        cond = self._condition_sql(where)
        q = sg.to_identifier(name, quoted=True).sql(DIALECT)
        hit = self.con.sql(f"SELECT COUNT(*) AS n FROM {q} WHERE {cond}", dialect=DIALECT)
        if int(hit.to_pyarrow()["n"][0].as_py()):
            self._rewrite(
                name, self.con.sql(f"SELECT * FROM {q} WHERE NOT COALESCE({cond}, FALSE)",
                                   dialect=DIALECT),
            )  # fmt: skip

    def _update(self, expr: sge.Update) -> None:
        name = expr.this.name
        cond = self._condition_sql(expr.args.get("where"))
        sets = {e.this.name: e.expression.sql(DIALECT) for e in expr.expressions}
        q = lambda i: sg.to_identifier(i, quoted=True).sql(DIALECT)  # noqa: E731
        cols = ", ".join(
            f"CASE WHEN COALESCE({cond}, FALSE) THEN {sets[c]} ELSE {q(c)} END AS {q(c)}"
            if c in sets
            else q(c)
            for c in self._columns(name)
        )
        hit = self.con.sql(f"SELECT COUNT(*) AS n FROM {q(name)} WHERE {cond}", dialect=DIALECT)
        if int(hit.to_pyarrow()["n"][0].as_py()):
            self._rewrite(name, self.con.sql(f"SELECT {cols} FROM {q(name)}", dialect=DIALECT))

    # ------------------------------------------------------------------ temporary tables
    def _temporary_table(self, expr: ibis.Table) -> str:
        """A cached view of the session (memory, spilling to the executors' disks)."""
        name = TEMPORARY["materialized"](id=uuid.uuid4().hex[:10])
        self.materialize_as(name, expr)
        self._temporary.add(name)
        return name

    def drop_temporary(self, name: str) -> None:
        self._drop_view(name)
        df = self.con._cached_dataframes.pop(name, None)
        if df is not None:
            with contextlib.suppress(Exception):
                df.unpersist()
        self._temporary.discard(name)
        self._pending.discard(name)

    def close(self) -> None:
        self.con.disconnect()

    # ------------------------------------------------------------------ what doctor shows
    @classmethod
    def requirements(cls, config: Config, root: Path) -> list[tuple[str, Text, Text]]:
        """What must be there before a session can start: (code, problem, fix)."""
        out = []
        if pyspark_version() is None:
            out.append((
                "pyspark_missing",
                Text("backend spark needs pyspark, which is not installed",
                     "le moteur spark a besoin de pyspark, qui n'est pas installé"),
                Text(INSTALL_PYSPARK, INSTALL_PYSPARK),
            ))  # fmt: skip
        master = config.workspace.spark.master
        java_home = os.environ.get("JAVA_HOME")
        java = shutil.which("java") or (java_home and Path(java_home, "bin", "java").exists())
        if master.startswith("local") and not java:
            out.append((
                "java_missing",
                Text("Spark needs a Java runtime (17), and none was found",
                     "Spark a besoin d'un environnement Java (17), introuvable ici"),
                Text(INSTALL_JAVA, "installez Java 17 (Debian/Ubuntu : apt-get install "
                     "openjdk-17-jre-headless) ou renseignez JAVA_HOME"),
            ))  # fmt: skip
        try:
            warehouse = Path(warehouse_of(config, root))
        except WorkspaceError as exc:
            out.append((
                "warehouse_unsupported", Text(str(exc), str(exc)),
                Text("set workspace.spark.warehouse to a folder",
                     "indiquez un dossier dans workspace.spark.warehouse"),
            ))  # fmt: skip
            return out
        parent = next((p for p in [warehouse, *warehouse.parents] if p.exists()), None)
        if parent is None or not os.access(parent, os.W_OK):
            out.append((
                "warehouse_not_writable",
                Text(f"the warehouse {warehouse} cannot be written",
                     f"l'entrepôt {warehouse} n'est pas accessible en écriture"),
                Text("set workspace.spark.warehouse to a folder you can write",
                     "indiquez dans workspace.spark.warehouse un dossier où écrire"),
            ))  # fmt: skip
        return out

    @classmethod
    def connect_fix(cls, exc: Exception) -> Text:
        return Text(
            "check workspace.spark.master (local[N] or the cluster's URL), Java 17 and the "
            "Spark settings in workspace.spark.conf",
            "vérifiez workspace.spark.master (local[N] ou l'URL du cluster), Java 17 et les "
            "réglages Spark de workspace.spark.conf",
        )

    def table_bytes(self) -> dict[str, int]:
        """Bytes of Parquet files per table (the folders it reads)."""
        out = {}
        for name, entry in self._live.items():
            out[name] = sum(
                f.stat().st_size
                for folder in entry["folders"]
                for f in (Path(self.warehouse) / folder).rglob("*")
                if f.is_file()
            )
        return out

    def storage(self) -> dict:
        """Where the tables are and what they take on disk (the warehouse folder)."""
        total = sum(f.stat().st_size for f in Path(self.warehouse).rglob("*") if f.is_file())
        return {"warehouse": self.warehouse, "warehouse_bytes": total}

    def _orphans(self) -> list[Path]:
        used = {f for e in self._committed.values() for f in e["folders"]}
        out = []
        for table in Path(self.warehouse).iterdir():
            if table.is_dir():
                out += [f for f in table.iterdir() if f.is_dir()
                        and f"{table.name}/{f.name}" not in used]  # fmt: skip
        return out

    def storage_problems(self) -> list[tuple[str, Text, Text]]:
        """Folders no table reads (left by a write that was interrupted)."""
        orphans = self._orphans()
        if not orphans:
            return []
        mb = sum(f.stat().st_size for o in orphans for f in o.rglob("*") if f.is_file()) / 2**20
        names = ", ".join(str(o) for o in orphans[:3]) + (" ..." if len(orphans) > 3 else "")
        return [(
            "orphan_folders",
            Text(f"{len(orphans)} folder(s) of the warehouse belong to no table ({mb:,.1f} MB), "
                 f"left by an interrupted write: {names}",
                 f"{len(orphans)} dossier(s) de l'entrepôt n'appartiennent à aucune table "
                 f"({mb:,.1f} Mo), laissés par une écriture interrompue : {names}"),
            Text("delete them when no leadpilot command is running on the workspace",
                 "supprimez-les quand aucune commande leadpilot ne tourne sur l'espace"),
        )]  # fmt: skip


def warehouse_of(config: Config, root: Path) -> str:
    """The warehouse folder: ``workspace.spark.warehouse`` (relative to the workspace)."""
    w = config.workspace.spark.warehouse
    if w is None:
        return str((root / "spark-warehouse").resolve())
    if "://" in w:
        if not w.startswith("file://"):
            raise WorkspaceError(
                f"workspace.spark.warehouse {w!r}: only local or shared-mount folders are "
                "supported so far (mount the cluster's storage and give its path)"
            )
        w = w[len("file://") :]
    p = Path(w)
    return str((p if p.is_absolute() else root / p).resolve())


def _arrow_type(t: dt.DataType) -> pa.DataType:
    if t.is_timestamp():
        return pa.timestamp("us", tz="UTC")  # read by Spark as its TIMESTAMP (zone UTC)
    return t.to_pyarrow()


def _to_arrow(obj: Any) -> pa.Table:
    if isinstance(obj, pa.Table):
        return obj
    import pandas as pd

    if isinstance(obj, pd.DataFrame):
        return pa.Table.from_pandas(obj, preserve_index=False)
    return pa.table(obj)


def _remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
