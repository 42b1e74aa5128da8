"""The workspaces a service serves: one handle per workspace folder under the root.

How reads and writes share a workspace's database
-------------------------------------------------
The service is one process. Per workspace it keeps:

- one **writer** connection, used only under the workspace's write lock: ingests and
  erasures run one at a time, each in its own transaction (DuckDB allows one writing
  process per file; inside it, this lock is the one writer);
- a small **pool of reader** connections to the same database (DuckDB serves several
  connections of one process from one database instance; PostgreSQL connections are
  independent). Every read runs inside one transaction (:meth:`Pilot.snapshot`), so it
  sees the workspace as it was when it started: a read served while an ingest runs sees
  the data before the ingest, never half of it, and is never blocked by it;
- a **version**, bumped after every write the service commits, and a cache of answers
  keyed by that version: a cached answer is never served once the data changed; the
  real-time scorer (``Pilot.realtime_scorer``: the rules, the saved model, every lead's
  behaviour) is kept the same way, one per version.

Other processes write the same workspaces (``leadpilot ingest``, a notebook): they queue
on the workspace's write lock with the service's own writer, and publish a new database
file in one rename (``leadpilot.engine.writing``): no connection of the service writes
the live file, so none blocks them. The version also moves when the database file is
seen replaced (checked on every use of the version), and a reader whose file was
replaced re-opens before its snapshot starts: answers come from the last committed
state, cached or not.
"""

from __future__ import annotations

import contextlib
import queue
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import pilot
from ..access import KeyStore
from ..config import CONFIG_FILE
from ..errors import SourceError, UsageError, ValidationError

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


class Busy(Exception):
    """No reader connection became free in time."""


class Handle:
    """One workspace: its keys, connections, write lock, version and answer cache."""

    def __init__(self, path: Path, name: str, readers: int = 2, cache_size: int = 256):
        self.path, self.name = path, name
        self.keys = KeyStore(path)
        self.write_lock = threading.Lock()
        self._readers: queue.LifoQueue[pilot.Pilot] = queue.LifoQueue()
        self._made = 0
        self._max = max(1, readers)
        self._make_lock = threading.Lock()
        self._writer: pilot.Pilot | None = None
        self._version = 0
        self._database: Path | None = None  # known once a connection is open
        self._seen: tuple | None = None
        # (answer's bytes, media type), or (a computed object, what it is): a report's
        # analyses, written in each format asked
        self._cache: OrderedDict[tuple, tuple[Any, str]] = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()
        # one lock per answer being computed, and how many requests hold or wait for it:
        # the dashboard's panels load in parallel and ask for the same documents
        self._computing: dict[tuple, tuple[threading.Lock, int]] = {}
        # the real-time scorer of the current version (Pilot.realtime_scorer): made once,
        # by one request while the others wait for it
        self._scorer: tuple[int, object] | None = None
        self._scorer_lock = threading.Lock()
        # leadpilot.yaml as last seen: an edit (a lead rule, a currency rate) reaches the
        # next request, as it reaches the next command; connections opened before it
        # (which read the file once) are replaced as they come back
        self._config_file = path / CONFIG_FILE
        self._config_seen = _identity(self._config_file)
        self._generation = 0

    # ---------------------------------------------------------------- connections
    def _open(self) -> pilot.Pilot:
        lp = pilot.open(self.path)
        lp._handle_generation = self._generation  # the configuration it read
        if self._database is None:
            with self._cache_lock:
                self._database = lp.workspace.database_file
                self._seen = _identity(self._database)
        return lp

    @contextlib.contextmanager
    def reader(self, timeout: float = 60.0) -> Iterator[pilot.Pilot]:
        """A reader connection, inside one snapshot for the whole block."""
        lp = None
        try:
            lp = self._readers.get_nowait()
        except queue.Empty:
            with self._make_lock:
                if self._made < self._max:
                    self._made += 1
                    try:
                        lp = self._open()
                    except BaseException:
                        self._made -= 1
                        raise
        if lp is None:
            try:
                lp = self._readers.get(timeout=timeout)
            except queue.Empty:
                raise Busy(self.name) from None
        if self._stale(lp):  # opened before leadpilot.yaml changed: reopen it
            lp.close()
            lp = self._open()
        broken = False
        try:
            with lp.snapshot():
                yield lp
        except BaseException as exc:
            # a domain error leaves the connection fine; anything else: open a new one
            from ..errors import LeadpilotError

            broken = not isinstance(exc, LeadpilotError)
            raise
        finally:
            if broken:
                lp.close()
                with self._make_lock:
                    self._made -= 1
            else:
                self._readers.put(lp)

    @contextlib.contextmanager
    def writer(self) -> Iterator[pilot.Pilot]:
        """The writer connection, under the write lock; the version moves after it."""
        with self.write_lock:
            if self._writer is not None and self._stale(self._writer):
                self._writer.close()
                self._writer = None
            if self._writer is None:
                self._writer = self._open()
            try:
                yield self._writer
            except (ValidationError, UsageError, SourceError):
                raise  # refused before anything was written: the data did not move
            except BaseException:
                self.bump()  # whatever happened, no cached answer is trusted any more
                raise
            self.bump()

    def bump(self) -> None:
        with self._cache_lock:
            self._version += 1
            self._cache.clear()
            in_use, self._scorer = self._scorer is not None, None
            version = self._version
        self._rewarm(in_use, version)

    def _stale(self, lp: pilot.Pilot) -> bool:
        """Did leadpilot.yaml change since ``lp`` read it? (Checked here, and by the
        version: the answers computed with the old settings are not served either.)"""
        _ = self.version
        return getattr(lp, "_handle_generation", None) != self._generation

    @property
    def version(self) -> int:
        """The workspace's version: moves with every write, the service's or another
        process's (its database file seen replaced), and with an edit of leadpilot.yaml."""
        config = _identity(self._config_file)
        if config != self._config_seen:
            with self._cache_lock:
                if config != self._config_seen:
                    self._config_seen = config
                    self._generation += 1
                    self._version += 1
                    self._cache.clear()
                    self._scorer = None
        seen = _identity(self._database)
        if seen != self._seen:
            in_use = False
            with self._cache_lock:
                if seen != self._seen:
                    self._seen = seen
                    self._version += 1
                    self._cache.clear()
                    in_use, self._scorer = self._scorer is not None, None
                version = self._version
            self._rewarm(in_use, version)
        return self._version

    def _rewarm(self, in_use: bool, version: int) -> None:
        """Leads are scored here (a scorer was in use): make the new version's scorer now,
        in the background, rather than on the next form's request (seconds on a large
        workspace)."""
        if in_use:
            threading.Thread(target=self._warm, args=(version,), daemon=True,
                             name=f"scorer-{self.name}").start()  # fmt: skip

    def _warm(self, version: int) -> None:
        with contextlib.suppress(Exception):  # the next request makes it, or says why not
            self.scorer(version)

    def scorer(self, version: int):
        """The real-time scorer of ``version`` (``Pilot.realtime_scorer``), made in a
        reader's snapshot opened after ``version`` was read, when there is none yet; kept
        until the version moves, like the cached answers. One is made at a time: requests
        that need it meanwhile wait for it, holding no reader."""
        with self._scorer_lock:
            held = self._scorer
            if held is not None and held[0] == version:
                return held[1]
            with self.reader() as lp:
                made = lp.realtime_scorer()
            with self._cache_lock:
                if version == self._version:
                    self._scorer = (version, made)
            return made

    # ---------------------------------------------------------------- cache
    def cached(self, key: tuple) -> tuple[Any, str] | None:
        version = self.version
        with self._cache_lock:
            hit = self._cache.get((version, *key))
            if hit is not None:
                self._cache.move_to_end((version, *key))
            return hit

    @contextlib.contextmanager
    def computing(self, key: tuple) -> Iterator[None]:
        """Compute the answer ``key`` one request at a time: a request that finds it being
        computed waits for it, then reads it from the cache, instead of computing it again
        (a cold cache computed the diagnosis once per panel that shows it). Waiting holds
        no reader connection."""
        with self._cache_lock:
            lock, users = self._computing.get(key, (threading.Lock(), 0))
            self._computing[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._cache_lock:
                lock, users = self._computing[key]
                if users == 1:
                    del self._computing[key]
                else:
                    self._computing[key] = (lock, users - 1)

    def store(self, version: int, key: tuple, value: tuple[Any, str]) -> None:
        with self._cache_lock:
            if version != self._version:
                return  # the data moved on while this was computed
            self._cache[(version, *key)] = value
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def close(self) -> None:
        while True:
            try:
                self._readers.get_nowait().close()
            except queue.Empty:
                break
        if self._writer is not None:
            self._writer.close()
            self._writer = None


class Registry:
    """The workspaces under one root: a folder per workspace, its name its URL segment."""

    def __init__(self, root: str | Path, readers: int = 2, cache_size: int = 256):
        self.root = Path(root).resolve()
        self._handles: dict[str, Handle] = {}
        self._lock = threading.Lock()
        self._readers, self._cache_size = readers, cache_size

    def names(self) -> list[str]:
        """The workspace folders directly under the root (:func:`leadpilot.pilot.is_workspace`:
        a folder of exports whose leadpilot.yaml only lists sources is none)."""
        if not self.root.is_dir():
            return []
        return sorted(
            p.name
            for p in self.root.iterdir()
            if p.is_dir() and NAME.match(p.name) and _is_workspace(p)
        )

    def get(self, name: str) -> Handle | None:
        """The workspace named ``name`` (a name, never a path), or None."""
        if not NAME.match(name or ""):
            return None
        with self._lock:
            handle = self._handles.get(name)
            if handle is not None:
                return handle
            path = self.root / name
            if not (path.is_dir() and _is_workspace(path)):
                return None
            handle = Handle(path, name, self._readers, self._cache_size)
            self._handles[name] = handle
            return handle

    def close(self) -> None:
        with self._lock:
            for h in self._handles.values():
                h.close()
            self._handles.clear()


def _is_workspace(path: Path) -> bool:
    """A folder holding a workspace's database: never a folder of exports with a sources
    leadpilot.yaml (opening it would create an empty database among the exports)."""
    return pilot.is_workspace(path)


def _identity(path: Path | None) -> tuple[int, int, int] | None:
    if path is None:
        return None
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)
