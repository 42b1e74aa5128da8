"""Shared fixtures: tiny workspaces on every backend (DuckDB and PostgreSQL)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from pgserver import pg_db_url, pg_server, pg_url  # noqa: F401  (fixtures)

import leadpilot

DATA = Path(__file__).parent / "data"
BACKENDS = ["duckdb", "postgres"]


def write_config(directory: Path, backend_url: str = "duckdb", **settings) -> Path:
    cfg = {"workspace": {"backend": backend_url}, **settings}
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "leadpilot.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return path


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """'duckdb' or a fresh PostgreSQL URL (skipped with a notice when PostgreSQL is absent)."""
    if request.param == "duckdb":
        return "duckdb"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def make_workspace(tmp_path, backend):
    """Create a workspace folder on the current backend; returns a function(settings)."""
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


def snapshot(ws_path: Path) -> dict:
    """Every table's rows, sorted, to compare workspaces before and after."""
    out = {}
    with leadpilot.open(ws_path) as lp:
        for name in sorted(lp.workspace.con.list_tables()):
            df = lp.workspace.table(name).to_pandas()
            df = df.reindex(sorted(df.columns), axis=1)
            out[name] = (
                df.sort_values(list(df.columns)[:3]).astype(str).values.tolist() if len(df) else []
            )
    return out
