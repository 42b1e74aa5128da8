"""How processes share a workspace: one writer at a time, readers never blocked.

The protocol
------------
DuckDB lets one process hold a database file for writing, and no other process may
even read it meanwhile ("Could not set lock on file ... Conflicting lock is held").
A workspace is shared by command-line readers, notebooks, the service and ingests, so
leadpilot never writes the workspace's file in place:

1. **Writers queue on the workspace's write lock**: ``flock`` on ``.leadpilot-write.lock``
   in the workspace folder (an open-file lock: two processes, or two threads opening it
   separately, exclude each other; the kernel drops it when the holder dies, SIGKILL
   included, so a crashed writer never leaves a stale lock). A writer waits up to
   ``workspace.write_wait`` seconds (``--wait``), then stops with
   :class:`~leadpilot.errors.WorkspaceBusyError` naming the holder (pid, command, since
   when) and the setting. The holder's pid and command are written into the lock file
   for that message only; the lock itself is the ``flock``.
2. **A DuckDB writer works on a shadow copy** (``Capabilities.file_swap``): under the lock
   it copies the database file to ``.<file>.writing-<pid>`` beside it (same folder, same
   file system), opens the copy read-write and writes there, in one transaction as
   before. The live file is untouched: every reader keeps answering from it.
3. **Publishing is one rename**: the copy is checkpointed (no ``.wal`` left), closed,
   ``fsync``-ed, then ``os.replace``-d over the live file and the folder is ``fsync``-ed.
   ``rename(2)`` is atomic: a process opening the workspace sees the file before or after
   the write, never a mix. Readers that had the old file open keep reading the old file
   (its inode lives until they close it): a query started before the write ends on the
   data it started with.
4. **Readers open the file read-only**, attached to a private in-memory DuckDB (one
   instance per connection). DuckDB's Python client shares one instance per file path
   within a process; after a rename that shared instance would still be the old file,
   so the reader attaches the file by itself instead. :meth:`Workspace.refresh` re-opens
   when the file was replaced (the service calls it before each read; a ``Pilot``'s own
   writes refresh it).

Crash safety follows: a writer killed at any point (reading, loading, checkpointing,
even between the checkpoint and the rename) leaves the live file as it was, plus a
``.writing-<pid>`` copy that the next writer deletes under the lock. A writer killed
after the rename has published a complete, checkpointed file.

Costs, stated: a write copies the database file first (about 1 s per 400 MB here; a
reflink where the file system offers one), and needs that much free disk while it runs.
Engines with their own concurrency control (PostgreSQL: MVCC transactions) write in
place, under the same write lock so that ingests still queue.

The lock is advisory and local: it works for the processes of one machine sharing the
folder (not across NFS clients), and a leadpilot older than this protocol does not take
it (its workspaces are migrated on first use; see :mod:`.versions`). It needs POSIX
(``flock``, and renaming over a file that readers hold open): Linux and macOS.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from ..errors import WorkspaceBusyError

LOCK_FILE = ".leadpilot-write.lock"
SHADOW = ".{name}.writing-{pid}"  # a writer's copy of the database file
FICLONE = 0x40049409  # ioctl: share the blocks of another file (btrfs, XFS)
POLL = 0.05  # first wait between two attempts at the lock (doubles up to 0.5 s)

# Called with the name of each phase a write goes through ("locked", "copied",
# "committed", "checkpointed", "published"): the crash tests stop a writer exactly there.
on_phase: Callable[[str], None] | None = None


def phase(name: str) -> None:
    """A write reached ``name`` (see :data:`on_phase`)."""
    if on_phase is not None:
        on_phase(name)


def shadow_name(db: Path, pid: int | None = None) -> Path:
    return db.with_name(SHADOW.format(name=db.name, pid=os.getpid() if pid is None else pid))


def _holder(lock: Path) -> str:
    try:
        text = lock.read_text(encoding="utf-8").strip()
    except OSError:
        return ""
    return f" ({text})" if text else ""


@contextlib.contextmanager
def write_lock(root: Path, wait: float, what: str = "write") -> Iterator[None]:
    """Hold the workspace's write lock for the block, waiting up to ``wait`` seconds.

    Raises
    ------
    WorkspaceBusyError
        Another writer still held it after ``wait`` seconds (its pid and command named).
    """
    path = Path(root) / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + max(0.0, wait)
        pause = POLL
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise
            if time.monotonic() >= deadline:
                raise WorkspaceBusyError(
                    f"workspace {root} is being written by another process{_holder(path)}; "
                    f"waited {wait:g} s for it to finish. Run the {what} again when it ends, "
                    "or wait longer: --wait SECONDS (setting workspace.write_wait)"
                ) from None
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, 0.5)
        since = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        command = " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))
        info = f"pid {os.getpid()}, {what}, since {since}, {command[:200]}"
        os.ftruncate(fd, 0)
        os.pwrite(fd, info.encode("utf-8", "replace"), 0)
        phase("locked")
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def remove_stale_shadows(db: Path) -> list[Path]:
    """Delete the copies left by writers that died (call it holding the write lock)."""
    removed = []
    for p in db.parent.glob(SHADOW.format(name=db.name, pid="*")):
        for q in (p, p.with_name(p.name + ".wal")):
            with contextlib.suppress(FileNotFoundError):
                q.unlink()
                removed.append(q)
    return removed


def copy_file(src: Path, dst: Path) -> None:
    """Copy a database file: a reflink (instant, shared blocks) when the file system
    offers one, else a plain copy (``sendfile`` on Linux)."""
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        try:
            fcntl.ioctl(fout.fileno(), FICLONE, fin.fileno())
            return
        except OSError:
            pass
    shutil.copyfile(src, dst)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(shadow: Path, db: Path) -> None:
    """Make the written copy the workspace's database: fsync, rename, fsync the folder."""
    wal = shadow.with_name(shadow.name + ".wal")
    if wal.exists():  # the copy was not checkpointed: publishing it would lose the WAL
        raise RuntimeError(f"{shadow}: a write-ahead log is left after the checkpoint")
    fsync_file(shadow)
    phase("checkpointed")
    os.replace(shadow, db)
    dir_fd = os.open(db.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    phase("published")


def identity(path: Path) -> tuple[int, int, int] | None:
    """What changes when the file is replaced or rewritten (inode, size, mtime)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)
