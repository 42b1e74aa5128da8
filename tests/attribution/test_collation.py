"""Touches at the same time are ordered by their id in byte order on every engine. A
PostgreSQL database with a language's collation (ICU en-US, as servers are often made)
sorted 'facebook-1' before 'ONLINE_VIDEO-1', where DuckDB, Spark and a C database sort
by bytes: the first and last touch of such ties, and every model reading the order,
credited other channels (25 of 30 credits differed on the real touchpoint log with
mixed-case ids)."""

from __future__ import annotations

import contextlib
import csv

import pytest
from helpers import write_config
from pgserver import _new_name

import leadpilot

LEADS = 10


@pytest.fixture
def icu_database_url(pg_server):
    name = _new_name("icu")
    pg_server.admin().execute(
        f'CREATE DATABASE "{name}" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE '
        "'en-US' LOCALE 'C'"
    )
    try:
        yield pg_server.url_for(name)
    finally:
        pg_server.admin().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _data(folder):
    folder.mkdir()
    tables = {
        "leads": [{"lead_id": f"L{i}", "created_at": "2025-01-01"} for i in range(LEADS)],
        # two touches at one time: their ids decide which is first (and last)
        "touchpoints": [
            {"lead_id": f"L{i}", "ts": "2025-01-02 10:00:00", "type": "ad_click",
             "channel": channel, "touch_id": f"{prefix}-{i}"}
            for i in range(LEADS)
            for channel, prefix in (("facebook", "facebook"), ("online_video", "ONLINE_VIDEO"))
        ],
        "stage_events": [{"lead_id": f"L{i}", "stage": "customer", "ts": "2025-01-10"}
                         for i in range(LEADS)],
    }  # fmt: skip
    for name, rows in tables.items():
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    return folder


def _credits(ws, data) -> dict:
    with contextlib.closing(leadpilot.open(ws)) as lp:
        lp.ingest(data)
        rows = lp.attribution_result(models=["first_touch", "last_touch"],
                                     conversion="customer").rows  # fmt: skip
        first = lp.workspace.table("touchpoints").order_by(["ts", "touch_id"]).to_pyarrow()
    credits = {(r["model"], r["channel"]): r["conversions"] for r in rows}
    return credits, first["touch_id"].to_pylist()[0]


def test_ties_break_in_byte_order_on_a_database_of_another_collation(tmp_path, icu_database_url):
    data = _data(tmp_path / "data")
    duck = _credits(write_config(tmp_path / "duck").parent, data)
    icu = _credits(write_config(tmp_path / "icu", icu_database_url).parent, data)
    # bytes: 'O' (0x4F) sorts before 'f' (0x66), so ONLINE_VIDEO's touch comes first
    assert duck[0][("first_touch", "online_video")] == LEADS
    assert duck[0][("last_touch", "facebook")] == LEADS
    assert icu == duck
    assert duck[1] == "ONLINE_VIDEO-0"
