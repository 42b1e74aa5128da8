"""Throwaway PostgreSQL server for the test session, and the pytest fixtures that use it.

Use from ``tests/conftest.py``::

    from pgserver import pg_db_url, pg_server, pg_url  # noqa: F401

* ``pg_server`` (session scope): a :class:`PgServer`; ``.url`` is
  ``postgresql://postgres@127.0.0.1:PORT/leadpilot_test``.
* ``pg_url`` (function scope): URL of a new, empty schema in ``leadpilot_test``, dropped after
  the test (~1 ms each way): ``postgresql://postgres@127.0.0.1:PORT/leadpilot_test?options=
  -csearch_path%3Dt_<test>_<hex>``.  ``ibis.connect(url)`` hands ``options`` to libpq, so that
  schema is the session's ``search_path`` and ``current_database``: ``create_table``, ``table``,
  ``list_tables``, ``insert`` without ``database=`` all use it, and so does
  ``psycopg.connect(url)``.  (``ibis.postgres.connect(url)`` takes no URL: it would be the host.)
  One difference from ``public``: ibis' ``list_tables()`` adds the session's temp tables (e.g.
  uploaded ``ibis_pyarrow_memtable_*``) only when the current schema is ``public``.
* ``pg_db_url`` (function scope): URL of a new, empty *database* (so ``public``), dropped after
  the test with ``DROP DATABASE ... WITH (FORCE)``.  50-350 ms per test; for code that must run
  on ``public`` or needs a database of its own.

Without PostgreSQL the tests that use them are skipped with a one-line notice, except under CI
(``CI=true``) where they fail.  PostgreSQL that is installed but does not start is a failure.

``LEADPILOT_TEST_PG_URL=postgresql://user:pw@host:port/db`` uses an existing server instead of
starting one (the role needs CREATE on that database; CREATEDB for ``pg_db_url``).

The server is started with ``initdb``/``pg_ctl`` from ``/usr/lib/postgresql/<highest>/bin``
(Debian/Ubuntu) or from ``PATH``.  PostgreSQL refuses to run as root, so as root both run as the
``postgres`` system user on a data directory under ``/tmp`` owned by it.  Trust auth, TCP on
127.0.0.1 only (free port), the unix socket in the temp dir, durability switched off for speed.
It is stopped, and its directory deleted, at the end of the session (and at exit as a fallback).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import pytest

ENV_URL = "LEADPILOT_TEST_PG_URL"
DBNAME = "leadpilot_test"
SUPERUSER = "postgres"
START_TIMEOUT = 30.0
SKIP_NOTICE = "PostgreSQL not found (install postgresql to run the parity tests)"

SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_connections": "200",
    "log_min_messages": "warning",
}


class PgUnavailable(RuntimeError):
    """No usable PostgreSQL: binaries missing, or the server could not be started."""


class PgNotFound(PgUnavailable):
    """No PostgreSQL binaries on this machine."""


# --------------------------------------------------------------------------------------------
# Locating the binaries


def _version_key(bindir: Path) -> tuple[int, ...]:
    # /usr/lib/postgresql/15/bin -> (15,); 9.6 -> (9, 6)
    return tuple(int(p) for p in re.findall(r"\d+", bindir.parent.name)) or (0,)


def find_bindir() -> Path | None:
    """Directory holding initdb, pg_ctl and postgres: highest Debian version, else PATH."""

    def complete(d: Path) -> bool:
        return all(os.access(d / exe, os.X_OK) for exe in ("initdb", "pg_ctl", "postgres"))

    debian = [d for d in Path("/usr/lib/postgresql").glob("*/bin") if complete(d)]
    if debian:
        return max(debian, key=_version_key)
    if initdb := shutil.which("initdb"):
        # Resolve symlinks (/usr/local/bin/initdb -> .../15/bin/initdb) to find its siblings.
        d = Path(initdb).resolve().parent
        if complete(d):
            return d
    return None


# --------------------------------------------------------------------------------------------
# URLs and connections


def _with_dbname(url: str, dbname: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + dbname))


def _with_search_path(url: str, schema: str) -> str:
    """Add ``options=-csearch_path=<schema>`` to a libpq URL (keeping other parameters)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    option = f"-csearch_path={schema}"
    query["options"] = f"{query['options']} {option}" if query.get("options") else option
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


def _connect(url: str, **kwargs):
    import psycopg

    return psycopg.connect(url, autocommit=True, **kwargs)


def _wait_ready(url: str, timeout: float = START_TIMEOUT) -> None:
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            with _connect(url, connect_timeout=2):
                return
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                raise PgUnavailable(f"PostgreSQL not ready after {timeout:.0f} s: {exc}") from exc
            time.sleep(0.05)


# --------------------------------------------------------------------------------------------
# The server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_as_postgres_prefix() -> list[str]:
    """argv prefix that runs a command as the postgres system user (empty unless root)."""
    if os.geteuid() != 0:
        return []
    import pwd

    try:
        pwd.getpwnam(SUPERUSER)
    except KeyError as exc:
        raise PgUnavailable(
            "running as root and there is no 'postgres' system user to run the server as"
        ) from exc
    if runuser := shutil.which("runuser"):
        return [runuser, "-u", SUPERUSER, "--"]
    if su := shutil.which("su"):
        return [su, SUPERUSER, "-s", "/bin/sh", "-c"]  # _wrap() appends one shell string
    raise PgUnavailable("running as root and neither runuser nor su is available")


def _wrap(run_as: list[str], argv: list[str]) -> list[str]:
    if run_as and run_as[-1] == "-c":  # su
        return [*run_as, shlex.join(argv)]
    return [*run_as, *argv]


@dataclass
class PgServer:
    url: str  # postgresql://postgres@127.0.0.1:PORT/leadpilot_test
    tmpdir: Path | None = None  # None: an external server ($LEADPILOT_TEST_PG_URL)
    bindir: Path | None = None
    start_seconds: float = 0.0
    _run_as: list[str] = field(default_factory=list, repr=False)
    _stopped: bool = field(default=False, repr=False)
    _admin: Any = field(default=None, repr=False)  # psycopg.Connection, see admin()

    @property
    def owned(self) -> bool:
        return self.tmpdir is not None

    @property
    def datadir(self) -> Path | None:
        return self.tmpdir / "data" if self.tmpdir else None

    def admin(self):
        """A psycopg connection (autocommit) to ``url`` for setup work, kept for the session."""
        import psycopg

        if self._admin is not None:
            try:
                self._admin.execute("SELECT 1")
                return self._admin
            except psycopg.Error:
                self._admin.close()  # e.g. a test terminated all backends
        self._admin = _connect(self.url)
        # Fail rather than hang if a test left a transaction open on what we drop.
        self._admin.execute("SET lock_timeout = '10s'")
        return self._admin

    def url_for(self, dbname: str) -> str:
        return _with_dbname(self.url, dbname)

    def log_tail(self, lines: int = 30) -> str:
        if not self.tmpdir:
            return ""
        try:
            text = (self.tmpdir / "server.log").read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def _pg(self, *args: str) -> list[str]:
        assert self.bindir is not None
        return _wrap(self._run_as, [str(self.bindir / args[0]), *args[1:]])

    def _start(self) -> None:
        assert self.tmpdir is not None
        datadir = self.datadir
        assert datadir is not None
        initdb = self._pg(
            "initdb", "-D", str(datadir), "-U", SUPERUSER, "--auth=trust",
            "--encoding=UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        proc = _run(initdb, self.tmpdir)
        if proc.returncode != 0:
            raise PgUnavailable(f"initdb failed ({shlex.join(initdb)}):\n{proc.stdout.strip()}")
        conf = datadir / "postgresql.conf"
        base_conf = conf.read_text()
        for attempt in range(3):  # the port can be taken between _free_port() and listen()
            port = _free_port()
            settings = {
                **SERVER_SETTINGS,
                "port": str(port),
                "unix_socket_directories": f"'{self.tmpdir}'",
            }
            lines = "".join(f"{k} = {v}\n" for k, v in settings.items())
            conf.write_text(f"{base_conf}\n# leadpilot tests\n{lines}")
            log = str(self.tmpdir / "server.log")
            start = self._pg("pg_ctl", "-D", str(datadir), "-l", log, "-w", "start")
            proc = _run(start, self.tmpdir)
            if proc.returncode == 0:
                break
            if attempt == 2 or "already in use" not in self.log_tail():
                out = proc.stdout.strip()
                raise PgUnavailable(
                    f"pg_ctl start failed:\n{out}\n--- {log} ---\n{self.log_tail()}"
                )
        self.url = f"postgresql://{SUPERUSER}@127.0.0.1:{port}/{DBNAME}"
        _wait_ready(self.url_for("postgres"))
        with _connect(self.url_for("postgres")) as con:
            con.execute(f'CREATE DATABASE "{DBNAME}"')

    def stop(self) -> None:
        """Stop the server (immediate mode: it is thrown away) and delete its files. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        if self._admin is not None:
            self._admin.close()
        if self.tmpdir is None:
            return
        if self.datadir is not None and (self.datadir / "postmaster.pid").exists():
            stop = self._pg("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop")
            _run(stop, self.tmpdir)
        shutil.rmtree(self.tmpdir, ignore_errors=True)


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PGCTLTIMEOUT": str(int(START_TIMEOUT)), "LC_ALL": "C"}
    return subprocess.run(
        argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, check=False,
    )  # fmt: skip


def start_server() -> PgServer:
    """Start a throwaway server (or use $LEADPILOT_TEST_PG_URL). Raises PgUnavailable."""
    t0 = time.monotonic()
    if url := os.environ.get(ENV_URL):
        try:
            _wait_ready(url, timeout=5)  # an external server should already be up
        except PgUnavailable as exc:
            raise PgUnavailable(f"${ENV_URL} is set but {exc.__cause__}") from exc
        return PgServer(url=url, start_seconds=time.monotonic() - t0)
    bindir = find_bindir()
    if bindir is None:
        raise PgNotFound(SKIP_NOTICE)
    run_as = _run_as_postgres_prefix()
    # As root use /tmp: $TMPDIR may be somewhere the postgres user cannot reach.
    tmpdir = Path(tempfile.mkdtemp(prefix="leadpilot-pg-", dir="/tmp" if run_as else None))
    server = PgServer(url="", tmpdir=tmpdir, bindir=bindir, _run_as=run_as)
    atexit.register(server.stop)  # fallback; the pg_server fixture stops it first
    try:
        if run_as:
            shutil.chown(tmpdir, user=SUPERUSER)
        server._start()
    except BaseException:
        server.stop()
        raise
    server.start_seconds = time.monotonic() - t0
    return server


# --------------------------------------------------------------------------------------------
# Per-test namespaces


def _new_name(label: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:40]
    return f"t_{slug}_{uuid.uuid4().hex[:8]}" if slug else f"t_{uuid.uuid4().hex[:12]}"


@contextlib.contextmanager
def fresh_schema_url(server: PgServer, label: str = "") -> Iterator[str]:
    """URL whose search_path is a new, empty schema; the schema is dropped on exit.

    On a server of our own, schemas the test created besides (e.g. a workspace configured with
    ``schema: sales``) are dropped too, so that they do not leak into later tests.  Not on a
    $LEADPILOT_TEST_PG_URL server, which may be shared.
    """
    from psycopg import sql

    name = _new_name(label)
    con = server.admin()
    before = _user_schemas(con)
    con.execute(f'CREATE SCHEMA "{name}"')
    try:
        yield _with_search_path(server.url, name)
    finally:
        con = server.admin()
        extra = sorted(_user_schemas(con) - before - {name}) if server.owned else []
        for schema in [name, *extra]:
            con.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def _user_schemas(con) -> set[str]:
    rows = con.execute(
        "SELECT nspname FROM pg_namespace"
        " WHERE nspname NOT LIKE 'pg\\_%' AND nspname NOT IN ('information_schema', 'public')"
    )
    return {schema for (schema,) in rows}


@contextlib.contextmanager
def fresh_database_url(server: PgServer, label: str = "") -> Iterator[str]:
    """URL of a new, empty database; dropped on exit, disconnecting whoever is still on it."""
    name = _new_name(label)
    # file_copy: with fsync off, copying template0's files is a little faster than WAL-logging.
    server.admin().execute(f'CREATE DATABASE "{name}" TEMPLATE template0 STRATEGY file_copy')
    try:
        yield server.url_for(name)
    finally:
        server.admin().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --------------------------------------------------------------------------------------------
# pytest fixtures


class _SkipNotice:
    """Prints the notice once in the terminal summary (skip reasons are hidden by default)."""

    def pytest_terminal_summary(self, terminalreporter) -> None:
        terminalreporter.write_line(SKIP_NOTICE, yellow=True)


@pytest.fixture(scope="session")
def pg_server(request: pytest.FixtureRequest) -> Iterator[PgServer]:
    """The session's PostgreSQL server. Absent: skip (fail under CI=true)."""
    try:
        server: PgServer | None = start_server()
        problem = ""
    except PgNotFound:
        server, problem = None, ""
    except PgUnavailable as exc:
        server, problem = None, str(exc)
    # Outside the except clauses, so that the reports carry no "During handling..." chain.
    if problem:
        pytest.fail(f"PostgreSQL unusable for the tests: {problem}", pytrace=False)
    if server is None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "CI=true requires PostgreSQL for the parity tests, but no initdb/pg_ctl was "
                "found under /usr/lib/postgresql/*/bin or on PATH (run scripts/pg-ensure.sh)",
                pytrace=False,
            )
        plugins = request.config.pluginmanager
        if not plugins.has_plugin("leadpilot-pg-notice"):
            plugins.register(_SkipNotice(), "leadpilot-pg-notice")
        pytest.skip(SKIP_NOTICE)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer, request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of a new, empty schema (as search_path) for this test only."""
    with fresh_schema_url(pg_server, request.node.name) as url:
        yield url


@pytest.fixture
def pg_db_url(pg_server: PgServer, request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of a new, empty database for this test only (slower than pg_url)."""
    with fresh_database_url(pg_server, request.node.name) as url:
        yield url
