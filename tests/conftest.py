"""Shared fixtures: tiny workspaces on every backend (DuckDB and PostgreSQL; Spark too for
the tests marked ``spark``: the backend-parity, engine and contract suites)."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import CHROMIUM, CHROMIUM_ARGS, DATA, write_config
from pgserver import fresh_schema_url, pg_db_url, pg_server, pg_url  # noqa: F401  (fixtures)
from sparksession import spark  # noqa: F401  (fixture)

BACKENDS = ["duckdb", "postgres"]
SPARK = "spark"  # added to BACKENDS for the tests marked spark (Spark local is slower)


def pytest_generate_tests(metafunc):
    """Every test using ``backend`` (or ``backend_kind``) runs on each backend; those marked
    ``spark`` on Spark too."""
    for name in ("backend", "backend_kind"):
        if name in metafunc.fixturenames and not _parametrizes_backend(metafunc):
            marked = metafunc.definition.get_closest_marker("spark")
            metafunc.parametrize(name, BACKENDS + ([SPARK] if marked else []), indirect=True)
            return


def _parametrizes_backend(metafunc) -> bool:
    """The test chose its backends itself (``@pytest.mark.parametrize("backend", ...)``,
    or ``"backend_kind"``)."""
    for mark in metafunc.definition.iter_markers("parametrize"):
        names = mark.args[0] if mark.args else mark.kwargs.get("argnames", "")
        if isinstance(names, str):
            names = [n.strip() for n in names.split(",")]
        if "backend" in names or "backend_kind" in names:
            return True
    return False


# Figures a test measured (reliability: kills, fuzzing) travel with its report as a user
# property "figures:<section>"; the session prints them at its end, from xdist's workers too.
_FIGURES: dict[str, dict] = {}


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist, tests are sent to the workers by id: two tests sharing one id
    would silently run once (schemathesis's cases do; make test runs that file apart)."""
    if not hasattr(config, "workerinput"):
        return
    seen: set[str] = set()
    twice = sorted({i.nodeid for i in items if i.nodeid in seen or seen.add(i.nodeid)})
    if twice:
        raise pytest.UsageError(
            f"tests sharing an id would run once under xdist: {', '.join(twice[:5])}; "
            "run their file without xdist (-p no:xdist), as make test does for test_fuzz.py"
        )


def pytest_runtest_logreport(report):
    for name, value in getattr(report, "user_properties", ()):
        if isinstance(name, str) and name.startswith("figures:"):
            _FIGURES.setdefault(name.removeprefix("figures:"), {}).update(value)


def pytest_terminal_summary(terminalreporter):
    for section, figures in _FIGURES.items():
        terminalreporter.section(section)
        for k, v in figures.items():
            terminalreporter.write_line(f"{k}: {v}")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's one browser per test process is Debian's Chromium, offline (no
    download ever); every browser test (reports, dashboard) uses it."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (scripts/report-deps-ensure.sh)")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture
def cli(monkeypatch, capsys):
    """Run the CLI in process as its entry point does: (exit code, stdout, stderr)."""
    import sys

    from leadpilot.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["leadpilot", *args])
        monkeypatch.setenv("COLUMNS", "100")
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code or 0
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def backend(request) -> str:
    """'duckdb', a fresh PostgreSQL URL (skipped with a notice when PostgreSQL is absent), or
    'spark' (the session's local Spark; each workspace keeps its tables in its own folder)."""
    if request.param == "duckdb":
        return "duckdb"
    if request.param == SPARK:
        request.getfixturevalue("spark")
        return SPARK
    return request.getfixturevalue("pg_url")


@pytest.fixture
def make_workspace(tmp_path, backend):
    """Create a workspace folder on the current backend; returns a function(**settings)."""
    counter = {"n": 0}

    def make(**settings) -> Path:
        counter["n"] += 1
        ws = tmp_path / f"ws{counter['n']}"
        write_config(ws, backend, **settings)
        return ws

    return make


class SharedWorkspaces:
    """Workspaces the tests of a module share, one per (backend, key): built by the first
    test that asks, reused by the next ones. For tests that leave the workspace as they
    found it (a refused ingest, an analysis), so that the same ingest is not made again
    for each of them; :meth:`once` keeps a result computed from one the same way."""

    def __init__(self, request: pytest.FixtureRequest, tmp: Path, stack: contextlib.ExitStack):
        self._request, self._tmp, self._stack = request, tmp, stack
        self._made: dict[tuple[str, str], object] = {}

    def once(self, kind: str, key: str, compute: Callable[[], object]) -> object:
        """``compute()`` the first time (backend ``kind``, ``key``) is asked, then its value."""
        if (kind, key) not in self._made:
            self._made[(kind, key)] = compute()
        return self._made[(kind, key)]

    def get(self, kind: str, key: str, build: Callable[[Path], object], **settings) -> Path:
        """The workspace ``key`` on backend ``kind`` (duckdb, postgres or spark), made with
        ``settings`` and ``build(path)`` (e.g. an ingest) the first time."""

        def make() -> Path:
            if kind == "postgres":
                server = self._request.getfixturevalue("pg_server")
                setting = self._stack.enter_context(fresh_schema_url(server, f"shared_{key}"))
            else:
                if kind == SPARK:
                    self._request.getfixturevalue("spark")
                setting = kind
            ws = self._tmp / f"{kind}-{key}"
            write_config(ws, setting, **settings)
            build(ws)
            return ws

        return self.once(kind, f"workspace {key}", make)


@pytest.fixture(scope="module")
def shared_workspaces(request, tmp_path_factory) -> SharedWorkspaces:
    """See :class:`SharedWorkspaces`; with :func:`backend_kind` for the test's backend."""
    with contextlib.ExitStack() as stack:
        yield SharedWorkspaces(request, tmp_path_factory.mktemp("shared"), stack)


@pytest.fixture
def backend_kind(request) -> str:
    """The backend's name, duckdb, postgres or spark, for tests that share workspaces
    (:func:`shared_workspaces`): unlike ``backend``, no PostgreSQL schema per test."""
    if hasattr(request, "param"):
        return request.param
    return request.node.callspec.params["backend"]  # a test choosing its backends


@pytest.fixture
def good_dir(tmp_path) -> Path:
    target = tmp_path / "good"
    shutil.copytree(DATA / "good", target)
    return target
