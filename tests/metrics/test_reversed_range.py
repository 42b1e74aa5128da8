"""A range whose first day comes after its last is a usage error (exit 2) for every
analysis taking --from / --to, not an empty table of zeros."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import leadpilot
from leadpilot.cli import app
from leadpilot.errors import UsageError


@pytest.fixture
def ws(shared_workspaces):
    """Two leads on DuckDB, shared by the module's tests (they only read them)."""

    def ingest(ws):
        src = ws.parent / f"{ws.name}-src"
        src.mkdir()
        (src / "leads.csv").write_text("lead_id,created_at\nL1,2025-01-05\nL2,2025-02-05\n")
        with leadpilot.open(ws) as lp:
            lp.ingest(src)

    return shared_workspaces.get("duckdb", "two_leads", ingest)


@pytest.mark.parametrize("method", ["kpi_result", "funnel_result", "velocity_result"])
def test_the_api_refuses_it(ws, method):
    # named as the Python API names them (the command line says --from / --to: below)
    with leadpilot.open(ws) as lp, pytest.raises(UsageError, match="is after date_to="):
        getattr(lp, method)(date_from="2025-03-01", date_to="2025-02-01")
    with leadpilot.open(ws) as lp:  # one day is a range
        getattr(lp, method)(date_from="2025-01-05", date_to="2025-01-05")


@pytest.mark.parametrize("command", ["kpis", "funnel", "velocity"])
def test_the_cli_says_it(ws, command):
    out = CliRunner().invoke(app, [command, "-w", str(ws), "--from", "2025-03-01",
                                   "--to", "2025-02-01"])  # fmt: skip
    # the command's error, which main() prints with exit status 2 (a usage error)
    assert isinstance(out.exception, UsageError) and out.exception.exit_code == 2
    assert "is after --to" in str(out.exception)
