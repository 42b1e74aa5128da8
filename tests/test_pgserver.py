"""The throwaway PostgreSQL server of tests/pgserver.py, and the ibis behaviour we rely on."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import ibis
import psycopg
import pyarrow as pa
import pytest
from pgserver import PgServer, fresh_schema_url

postgres = pytest.mark.postgres

LEADS = pa.table({"lead_id": [1, 2, 3], "company": ["Acme", "Globex", "Initech"]})


def _schemas(server: PgServer) -> set[str]:
    with psycopg.connect(server.url, autocommit=True) as con:
        rows = con.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%'")
        return {name for (name,) in rows}


@postgres
def test_create_and_read_back(pg_url: str) -> None:
    con = ibis.connect(pg_url)
    try:
        assert con.name == "postgres"
        assert con.list_tables() == []
        con.create_table("leads", LEADS)
        assert con.list_tables() == ["leads"]
        back = con.table("leads").order_by("lead_id").to_pyarrow()
        assert back.to_pydict() == LEADS.to_pydict()
        # The table went to the per-test schema named in the URL's search_path, not to public.
        schema = con.current_database
        assert schema.startswith("t_test_create_and_read_back_")
        with psycopg.connect(pg_url) as raw:  # plain libpq clients get the same search_path
            assert raw.execute("SELECT current_schema(), count(*) FROM leads").fetchone() == (
                schema,
                3,
            )
    finally:
        con.disconnect()


@postgres
def test_namespaces_are_isolated(pg_server: PgServer, pg_url: str) -> None:
    con = ibis.connect(pg_url)
    con.create_table("leads", LEADS)
    with fresh_schema_url(pg_server, "other") as other_url:
        assert other_url != pg_url
        other = ibis.connect(other_url)
        assert other.current_database != con.current_database
        assert other.list_tables() == []  # does not see the first namespace's table
        other.create_table("leads", LEADS.slice(0, 1))  # same name, no clash
        assert other.table("leads").count().execute() == 1
        assert con.table("leads").count().execute() == 3
        other_schema = other.current_database
        other.disconnect()
    assert other_schema not in _schemas(pg_server)  # dropped on exit
    con.disconnect()


@postgres
def test_other_schemas_made_by_a_test_are_dropped(pg_server: PgServer) -> None:
    with fresh_schema_url(pg_server, "leaky") as url:
        with psycopg.connect(url, autocommit=True) as raw:  # e.g. a workspace with `schema:`
            raw.execute("CREATE SCHEMA t_sales; CREATE TABLE t_sales.leads (id int)")
        assert "t_sales" in _schemas(pg_server)
    assert "t_sales" not in _schemas(pg_server)


@postgres
def test_setup_connection_survives_terminated_backends(pg_server: PgServer, pg_url: str) -> None:
    # Code under test may kill sessions; the fixture's teardown must still drop the schema.
    with psycopg.connect(pg_url, autocommit=True) as raw:
        raw.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
    assert pg_server.admin().execute("SELECT 1").fetchone() == (1,)


@postgres
def test_rollback_leaves_no_table(pg_url: str) -> None:
    con = ibis.connect(pg_url)
    assert con.con.autocommit  # ibis' psycopg 3 connection; transaction() is an explicit BEGIN
    with pytest.raises(RuntimeError, match="abort ingest"):
        with con.con.transaction():
            con.create_table("leads", LEADS)  # ibis' own transaction() nests as a savepoint
            con.create_table("accounts", schema={"account_id": "int64"})
            assert sorted(con.list_tables()) == ["accounts", "leads"]
            raise RuntimeError("abort ingest")
    assert con.list_tables() == []
    assert con.con.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    # The connection is still usable and the same ingest can be retried.
    con.create_table("leads", LEADS)
    assert con.table("leads").count().execute() == 3
    con.disconnect()


@postgres
def test_rollback_and_reused_memtable(pg_url: str) -> None:
    """Pitfall: retry an ingest with a fresh memtable (or the pyarrow table), not the same one.

    ibis remembers which memtables it uploaded (as temp tables) on a connection; a rollback
    drops the temp table but not that memory, so reusing the memtable object fails.
    If this test starts failing, ibis fixed it.
    """
    con = ibis.connect(pg_url)
    leads = ibis.memtable(LEADS)
    with pytest.raises(RuntimeError):
        with con.con.transaction():
            con.create_table("leads", leads)
            raise RuntimeError
    with pytest.raises(psycopg.errors.UndefinedTable):
        con.create_table("leads", leads)
    con.create_table("leads", ibis.memtable(LEADS))
    assert con.table("leads").count().execute() == 3
    con.disconnect()


@postgres
def test_database_per_test(pg_server: PgServer, pg_db_url: str) -> None:
    con = ibis.connect(pg_db_url)
    assert con.current_catalog != "leadpilot_test"
    assert con.current_database == "public"
    con.create_table("leads", LEADS)
    # On public, ibis' list_tables() also lists the session's temp tables, including the
    # memtable it uploaded for create_table (not so on any other schema, e.g. with pg_url).
    assert "leads" in con.list_tables()
    con.disconnect()


# --------------------------------------------------------------------------------------------
# Without PostgreSQL: skip on a user's machine, fail under CI. Runs a nested pytest in which
# pgserver finds no binaries.

_CONFTEST = """
import pgserver
pgserver.find_bindir = lambda: None
from pgserver import pg_server, pg_url  # noqa: F401
"""

_TEST = """
def test_uses_postgres(pg_url):
    pass
"""


def _run_without_postgres(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "conftest.py").write_text(textwrap.dedent(_CONFTEST))
    (tmp_path / "test_it.py").write_text(textwrap.dedent(_TEST))
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "LEADPILOT_TEST_PG_URL")}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # faster: no hypothesis etc.
    if ci is not None:
        env["CI"] = ci
    paths = [str(Path(__file__).parent), *filter(None, [env.get("PYTHONPATH")])]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("ci", [None, "false"])
def test_missing_postgres_skips_locally(tmp_path: Path, ci: str | None) -> None:
    proc = _run_without_postgres(tmp_path, ci)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 skipped" in proc.stdout
    notice = "PostgreSQL not found (install postgresql to run the parity tests)"
    assert proc.stdout.count(notice) == 1, proc.stdout


def test_missing_postgres_fails_under_ci(tmp_path: Path) -> None:
    proc = _run_without_postgres(tmp_path, "true")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "1 error" in proc.stdout
    assert "skipped" not in proc.stdout
    assert "CI=true requires PostgreSQL" in proc.stdout
