"""Temporary tables are dropped when done: nothing is left behind after an ingest
(staging's typed_*, bad_*, err_*, known_leads*, good_leads, bulk-load tables) or
after a query (the materialized lead model), neither as a table of the workspace
nor as a temporary object of the connection."""

from __future__ import annotations

import pytest

import leadpilot
from leadpilot.engine.versions import META
from leadpilot.schema import DERIVED, TABLES


def leftovers(con) -> list[str]:
    """Temporary tables and views of the connection, attached scratch databases, and
    workspace tables that the schema does not declare."""
    declared = set(TABLES) | set(DERIVED) | {META}
    out = [f"workspace table {t}" for t in con.list_tables() if t not in declared]
    if con.name == "pyspark":  # the session's temporary views are listed with its tables
        return out
    if con.name == "duckdb":
        q = (
            "SELECT table_name AS n FROM duckdb_tables() WHERE temporary "
            "UNION ALL SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal "
            "UNION ALL SELECT 'database ' || database_name FROM duckdb_databases() "
            "WHERE NOT internal AND database_name NOT IN (current_database(), 'memory')"
        )
    else:
        q = (
            "SELECT c.relname AS n FROM pg_class c "
            "WHERE c.relnamespace = pg_my_temp_schema() AND c.relkind IN ('r', 'v', 'm')"
        )
    return out + [f"temporary {n}" for n in con.sql(q).to_pyarrow()["n"].to_pylist()]


@pytest.mark.spark
def test_no_temporary_table_after_ingest_and_queries(make_workspace, good_dir, tmp_path):
    mixed = tmp_path / "mixed"  # a bad date and an unknown type: bad_*, err_*, quarantine
    mixed.mkdir()
    (mixed / "leads.csv").write_text(
        "lead_id,created_at,email\nL1,2025-01-05,a@x.com\nL2,not a date,b@x.com\n"
    )
    (mixed / "touchpoints.csv").write_text(
        "lead_id,ts,type\nL1,2025-01-06,visit\nL1,2025-01-08,telepathy\n"
    )
    with leadpilot.open(make_workspace(), create=True) as lp:
        left = {}
        lp.ingest(good_dir)  # the connection after a write reads what it published
        left["ingest"] = leftovers(lp.workspace.con)
        lp.ingest(mixed, policy="quarantine")
        left["ingest with quarantine"] = leftovers(lp.workspace.con)
        con = lp.workspace.con
        lp.kpis(by="channel")
        lp.kpi_result(by="channel", period="quarter", kpis=["leads", "pipeline_value"])
        left["kpis"] = leftovers(con)
        lp.funnel_result(by="channel")
        lp.velocity_result(by="channel")
        left["funnel, velocity"] = leftovers(con)
    assert {step: names for step, names in left.items() if names} == {}
