"""Shared fixtures: tiny workspaces on every backend (DuckDB and PostgreSQL; Spark too for
the tests marked ``spark``: the backend-parity, engine and contract suites)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import CHROMIUM, CHROMIUM_ARGS, DATA, write_config
from pgserver import pg_db_url, pg_server, pg_url  # noqa: F401  (fixtures)
from sparksession import spark  # noqa: F401  (fixture)

BACKENDS = ["duckdb", "postgres"]
SPARK = "spark"  # added to BACKENDS for the tests marked spark (Spark local is slower)


def pytest_generate_tests(metafunc):
    """Every test using ``backend`` runs on each backend; those marked ``spark`` on Spark too."""
    if "backend" in metafunc.fixturenames and not _parametrizes_backend(metafunc):
        params = BACKENDS + ([SPARK] if metafunc.definition.get_closest_marker("spark") else [])
        metafunc.parametrize("backend", params, indirect=True)


def _parametrizes_backend(metafunc) -> bool:
    """The test chose its backends itself (``@pytest.mark.parametrize("backend", ...)``)."""
    for mark in metafunc.definition.iter_markers("parametrize"):
        names = mark.args[0] if mark.args else mark.kwargs.get("argnames", "")
        if isinstance(names, str):
            names = [n.strip() for n in names.split(",")]
        if "backend" in names:
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


@pytest.fixture
def good_dir(tmp_path) -> Path:
    target = tmp_path / "good"
    shutil.copytree(DATA / "good", target)
    return target
