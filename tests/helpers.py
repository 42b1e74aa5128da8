"""Helpers shared by the test modules (imported as ``helpers``)."""

from __future__ import annotations

from pathlib import Path

import yaml

import leadpilot

DATA = Path(__file__).parent / "data"


def write_config(directory: Path, backend_url: str = "duckdb", **settings) -> Path:
    cfg = {"workspace": {"backend": backend_url}, **settings}
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "leadpilot.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return path


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
