"""Shared fixtures: tiny workspaces on every backend (DuckDB and PostgreSQL)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import DATA, write_config
from pgserver import pg_db_url, pg_server, pg_url  # noqa: F401  (fixtures)

BACKENDS = ["duckdb", "postgres"]


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """'duckdb' or a fresh PostgreSQL URL (skipped with a notice when PostgreSQL is absent)."""
    if request.param == "duckdb":
        return "duckdb"
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
