"""What Spark workspaces do not do yet, declared as strict expected failures naming the
exception (in the style of Ibis's backend markers): when one starts working, its test
passes, the xfail turns into a failure, and this list must be updated."""

from __future__ import annotations

import pytest
from helpers import DATA

import leadpilot
from leadpilot.errors import WorkspaceError


@pytest.mark.xfail(
    strict=True,
    raises=WorkspaceError,
    reason="table_format delta / iceberg: tables are Parquet folders only so far",
)
@pytest.mark.parametrize("fmt", ["delta", "iceberg"])
def test_delta_and_iceberg_tables(tmp_path, fmt):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "leadpilot.yaml").write_text(
        f"workspace:\n  backend: spark\n  spark:\n    table_format: {fmt}\n"
    )
    with leadpilot.open(ws) as lp:
        lp.ingest(DATA / "good")


@pytest.mark.xfail(
    strict=True,
    raises=WorkspaceError,
    reason="warehouse on hdfs:// or s3a://: only folders the driver can write (shared mounts)",
)
def test_a_warehouse_on_object_storage(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "leadpilot.yaml").write_text(
        "workspace:\n  backend: spark\n  spark:\n    warehouse: s3a://bucket/leadpilot\n"
    )
    with leadpilot.open(ws) as lp:
        lp.ingest(DATA / "good")
