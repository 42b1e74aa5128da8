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


# What records the writes rather than the data: the ingest log (one row per ingest) and
# the meta table (its data version counts every write).
WRITE_RECORDS = ("ingest_log", "leadpilot_meta")


def data_only(state: dict) -> dict:
    """A workspace state (:func:`snapshot` and the like) without the write records: two
    workspaces holding the same data after a different number of writes compare equal."""
    return {name: rows for name, rows in state.items() if name not in WRITE_RECORDS}


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


def build(folder: Path, groups: list[dict]) -> Path:
    """Canonical CSVs for groups of identical leads.

    Each group: channel, campaign, n leads, how many reached mql / sql / customer,
    basket (won amount per customer), spend (total, dated on the first day), month.
    """
    folder.mkdir(parents=True, exist_ok=True)
    leads = ["lead_id,created_at,channel,campaign"]
    events = ["lead_id,stage,ts"]
    deals = ["deal_id,lead_id,created_at,status,closed_at,amount"]
    spend = ["date,channel,campaign,amount"]
    k = 0
    for g in groups:
        month = g.get("month", "2025-01")
        for i in range(g["n"]):
            k += 1
            lid = f"L{k}"
            leads.append(f"{lid},{month}-02,{g['channel']},{g.get('campaign', '')}")
            if i < g.get("mql", 0):
                events.append(f"{lid},mql,{month}-05")
            if i < g.get("sal", 0):
                events.append(f"{lid},sal,{month}-07")
            if i < g.get("sql", 0):
                events.append(f"{lid},sql,{month}-10")
            if i < g.get("opportunity", 0):
                events.append(f"{lid},opportunity,{month}-11")
                if i >= g.get("customers", 0):  # opportunities that did not close: lost deals
                    deals.append(f"D{k},{lid},{month}-11,lost,{month}-25,0")
            if i < g.get("customers", 0):
                deals.append(f"D{k},{lid},{month}-12,won,{month}-20,{g.get('basket', 1000)}")
        if g.get("spend"):
            spend.append(f"{month}-01,{g['channel']},{g.get('campaign', '')},{g['spend']}")
    for name, rows in (
        ("leads", leads),
        ("stage_events", events),
        ("deals", deals),
        ("spend", spend),
    ):
        (folder / f"{name}.csv").write_text("\n".join(rows) + "\n")
    return folder


# The browser tests' Chromium: Debian's package, offline (Playwright never downloads one).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
