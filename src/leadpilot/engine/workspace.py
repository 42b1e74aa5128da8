"""A workspace: a folder holding leadpilot.yaml and (by default) its embedded database.

A :class:`Workspace` reads through one connection and writes only inside
:meth:`Workspace.writing`: one writer at a time per workspace (the others wait), readers
of every process never blocked. How, and why a killed writer changes nothing, is in
:mod:`.writing`; the schema version checked at opening is in :mod:`.versions`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import ibis

from ..config import CONFIG_FILE, Config, load_config
from ..errors import LeadpilotError, WorkspaceBusyError, WorkspaceError
from . import versions, writing
from .base import Backend, backend_class
from .versions import ensure_tables  # noqa: F401 - kept for the callers of engine.ensure_tables

# a file held by another process (lock) or by another handle of this process
LOCK_CONFLICT = ("Could not set lock", "Conflicting lock", "database is locked",
                 "Unique file handle conflict")  # fmt: skip


@dataclass
class Workspace:
    """A folder holding leadpilot.yaml and (by default) its embedded database."""

    root: Path
    config: Config
    con: ibis.BaseBackend | None = field(repr=False)
    _identity: tuple | None = field(default=None, repr=False)
    _writing: bool = field(default=False, repr=False)
    _data_version: int = field(default=0, repr=False)

    @property
    def backend(self) -> Backend:
        """The engine behind the workspace, with its capabilities."""
        return Backend.of(self.con)

    @property
    def backend_name(self) -> str:
        return self.con.name

    @property
    def engine(self) -> type[Backend]:
        """The backend class ``workspace.backend`` names."""
        return backend_class(self.config.workspace.backend)

    @property
    def database_file(self) -> Path | None:
        """The database file (engines that keep one: DuckDB), else None."""
        return self.engine.database_file(self.config, self.root)

    def table(self, name: str) -> ibis.Table:
        return self.con.table(name)

    def has_table(self, name: str) -> bool:
        return name in self.con.list_tables()

    @property
    def is_writing(self) -> bool:
        """Inside a :meth:`writing` block (a nested block is the same write)."""
        return self._writing

    @property
    def writing_version(self) -> int:
        """Inside a :meth:`writing` block: the data version it commits if it ends well."""
        if not self._writing:
            raise WorkspaceError("the data version of a write is known inside writing() only")
        return self._data_version

    def _count_write(self) -> None:
        versions.set_meta(self, {versions.DATA_VERSION: str(self._data_version)})

    def materialize(self, expr: ibis.Table) -> ibis.Table:
        """``expr`` computed once into a temporary table, dropped when no longer used."""
        return self.backend.materialize(expr)

    # ------------------------------------------------------------------ reading
    def refresh(self) -> bool:
        """Read the last committed state from now on: re-open the database when another
        writer replaced its file since this connection opened it. True if re-opened.

        Expressions made on the previous connection cannot be used afterwards."""
        if self._writing or not self.engine.capabilities.file_swap:
            return False
        if self.con is not None and writing.identity(self.database_file) == self._identity:
            return False
        self._reopen()
        return True

    def _reopen(self) -> None:
        old, self.con = self.con, None
        if old is not None:
            with contextlib.suppress(Exception):
                old.disconnect()
        db = self.database_file
        self._identity = writing.identity(db) if db is not None else None
        self.con = connect(self.config, self.root, wait=self.config.workspace.write_wait)

    # ------------------------------------------------------------------ writing
    @contextlib.contextmanager
    def writing(self, wait: float | None = None, what: str = "write") -> Iterator[Workspace]:
        """Write inside the block; it is published whole when the block ends, or not at all.

        Takes the workspace's write lock (waiting up to ``wait`` seconds, default
        ``workspace.write_wait``); on a ``file_swap`` engine, ``self.con`` is a writable
        copy of the database during the block, and readers (this process's and others')
        go on reading the last published file. A writer inside a writer is the same one.
        Each block that ends well counts one more data version (:attr:`writing_version`):
        what a write stores beside the data is trusted only when stamped with it.

        Raises
        ------
        WorkspaceBusyError
            Another process kept the lock longer than ``wait``.
        """
        if self._writing:
            yield self
            return
        wait = self.config.workspace.write_wait if wait is None else float(wait)
        with writing.write_lock(self.root, wait, what):
            if not self.engine.capabilities.file_swap:
                if self.con is None:
                    self.con = connect(self.config, self.root)
                self._writing = True
                try:
                    versions.upgrade(self)
                    with versions.buffered_meta(self):
                        self._data_version = versions.next_data_version(self)
                        yield self
                        self._count_write()
                finally:
                    self._writing = False
                return
            yield from self._swap_write(wait)

    def _swap_write(self, wait: float) -> Iterator[Workspace]:
        db = self.database_file
        writing.remove_stale_shadows(db)
        if db.with_name(db.name + ".wal").exists():
            self.close()  # DuckDB lets one handle of a process hold the file: let go of ours
            self.con = None
            _recover_log(db, wait)
        shadow = writing.shadow_name(db)
        if db.exists():
            writing.copy_file(db, shadow)
        writing.phase("copied")
        try:
            writer = self.engine.open_file(shadow, read_only=False, spill=_spill(db))
        except BaseException:
            _unlink(shadow)
            raise
        reader, self.con = self.con, writer.con
        self._writing = True
        done = False
        try:
            versions.upgrade(self)
            with versions.buffered_meta(self):
                self._data_version = versions.next_data_version(self)
                yield self
                self._count_write()
            writing.phase("committed")
            writer.checkpoint()
            done = True
        finally:
            self._writing = False
            self.con = reader
            writer.close()
            if not done:
                _unlink(shadow)
                if reader is None:  # closed to apply a log: readable again
                    with contextlib.suppress(Exception):
                        self._reopen()
        try:
            writing.publish(shadow, db)
        except BaseException:
            _unlink(shadow)
            raise
        self._reopen()

    def close(self) -> None:
        if self.con is not None:
            with contextlib.suppress(Exception):
                self.con.disconnect()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _spill(db: Path) -> Path:
    return db.with_name(db.name + ".tmp")


def _unlink(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def _recover_log(db: Path, wait: float) -> None:
    """A write-ahead log beside the live file: a writer of a leadpilot before the shadow
    copies died mid-write. DuckDB's own recovery replays it in place (under the write
    lock, once no reader holds the file), so that the copy holds every committed write."""
    log = db.with_name(db.name + ".wal")
    if not log.exists():
        return
    from .duckdb import DuckDBBackend

    deadline = time.monotonic() + wait
    while True:
        try:
            backend = DuckDBBackend.open_file(db, read_only=False, spill=_spill(db))
            break
        except Exception as exc:
            if not any(s in str(exc) for s in LOCK_CONFLICT):
                raise
            if time.monotonic() > deadline:
                raise WorkspaceBusyError(
                    f"{db}: its write-ahead log (left by a writer that stopped) must be "
                    f"applied first, and readers still held the file after {wait:g} s; close "
                    f"them and write again, or wait longer: --wait SECONDS ({exc})"
                ) from None
            time.sleep(0.2)
    try:
        backend.checkpoint()
    finally:
        backend.close()


def connect(config: Config, root: Path, wait: float = 0.0) -> ibis.BaseBackend:
    """Open the database ``workspace.backend`` names, for reading, through its backend
    class. A file held by a writer of another kind (an older leadpilot writing in place)
    is tried again for up to ``wait`` seconds."""
    setting = config.workspace.backend
    cls = backend_class(setting)
    deadline = time.monotonic() + wait
    pause = 0.05
    while True:
        try:
            return cls.connect(setting, config, root).con
        except LeadpilotError:
            raise
        except Exception as exc:  # the driver's own message says what is wrong (auth, host)
            if any(s in str(exc) for s in LOCK_CONFLICT):
                if time.monotonic() < deadline:
                    time.sleep(pause)
                    pause = min(pause * 2, 1.0)
                    continue
                raise WorkspaceBusyError(
                    f"cannot open the {setting.split(':')[0]} database of {root}: another "
                    f"program holds it for writing (waited {wait:g} s; --wait SECONDS or "
                    f"workspace.write_wait waits longer): {exc}"
                ) from None
            raise WorkspaceError(
                f"cannot open the {setting.split(':')[0]} database: {exc}"
            ) from None


def open_workspace(path: str | Path = ".", create: bool = False) -> Workspace:
    """Open a workspace for reading (writes go through :meth:`Workspace.writing`).

    A new database is created, and one written by an older leadpilot migrated, under the
    write lock before the workspace is opened; one that cannot be migrated is refused.
    """
    root = Path(path)
    cfg_file = root / CONFIG_FILE
    if not root.exists():
        if not create:
            raise WorkspaceError(
                f"workspace {root} does not exist; create it with `leadpilot init {root}` "
                "or ingest into it with `leadpilot ingest SOURCE -w DIR`"
            )
        root.mkdir(parents=True, exist_ok=True)
    config = load_config(cfg_file)
    cls = backend_class(config.workspace.backend)
    db = cls.database_file(config, root)
    if not create and not cfg_file.exists() and not (db is not None and db.exists()):
        raise WorkspaceError(
            f"{root} is not a leadpilot workspace (no {CONFIG_FILE} and no database); "
            f"run `leadpilot init {root}` or `leadpilot ingest SOURCE -w {root}`"
        )
    ws = Workspace(root=root, config=config, con=None)
    if db is not None and not db.exists():
        with ws.writing(what="creation of the workspace"):
            pass  # the writer creates the tables and stamps the version
        return ws
    ws._reopen()
    try:
        if not versions.check(ws):
            with ws.writing(what="upgrade of the workspace"):
                pass
    except BaseException:
        ws.close()
        raise
    return ws
