"""A workspace on PostgreSQL served beside the DuckDB ones: the same answers as the CLI,
the same ingestion rules (atomic, idempotent), erasure, and snapshot reads."""

from __future__ import annotations

import pytest
import yaml
from typer.testing import CliRunner

import leadpilot.pilot as pilot
from leadpilot.access import KeyStore
from leadpilot.cli import app as cli

API = "/api/v1/workspaces/pgco"


@pytest.fixture(scope="module")
def pg_workspace(service, pg_server, tmp_path_factory):
    from pgserver import fresh_schema_url

    with fresh_schema_url(pg_server, "service_pgco") as url:
        ws = service.root / "pgco"
        ws.mkdir()
        (ws / "leadpilot.yaml").write_text(yaml.safe_dump({"workspace": {"backend": url}}))
        data = tmp_path_factory.mktemp("pgdata")
        pilot.generate(data, leads=400, seed=9)
        with pilot.open(ws) as lp:
            lp.ingest(data)
        keys = {r: KeyStore(ws).create(r)[0] for r in ("read", "write", "admin")}
        yield ws, keys


def test_postgres_workspace_answers_as_the_cli(service, pg_workspace):
    ws, keys = pg_workspace
    with service.client(headers={"X-API-Key": keys["read"]}) as c:
        info = c.get(API).json()
        assert info["backend"] == "postgres"
        for route, args in (("kpis?by=channel", ["kpis", "--by", "channel"]),
                            ("funnel", ["funnel"])):  # fmt: skip
            r = c.get(f"{API}/{route}")
            assert r.status_code == 200, r.text
            out = CliRunner().invoke(cli, [*args, "-w", str(ws), "--format", "json"])
            assert r.text == out.stdout.rstrip("\n")


def test_postgres_ingestion_is_atomic_and_idempotent_and_erasure_works(service, pg_workspace):
    _, keys = pg_workspace
    with service.client(headers={"X-API-Key": keys["admin"]}) as c:
        before = c.get(API).json()["tables"]
        bad = [{"lead_id": "pg-1", "created_at": "2026-01-01"},
               {"lead_id": "pg-2", "created_at": "not a date"}]  # fmt: skip
        r = c.post(f"{API}/ingest/leads", json=bad)
        assert r.status_code == 422 and r.json()["error"]["problems"][0]["row"] == 2
        assert c.get(API).json()["tables"] == before
        good = [{"lead_id": "pg-1", "created_at": "2026-01-01", "email": "pg@x.io"}]
        for _ in range(2):
            assert c.post(f"{API}/ingest/leads", json=good).status_code == 200
        assert c.get(API).json()["tables"]["leads"] == before["leads"] + 1
        r = c.delete(f"{API}/leads/pg-1")
        assert r.status_code == 200 and r.json()["removed"]["leads"] == 1
        assert c.get(API).json()["tables"] == before
