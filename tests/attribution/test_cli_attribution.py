"""`leadpilot attribution` end to end: JSON contract, CSV, table, path file, errors."""

from __future__ import annotations

import csv
import io
import json

import pytest
from journeys import write
from typer.testing import CliRunner

import leadpilot
from leadpilot.cli import app
from leadpilot.errors import UsageError

runner = CliRunner()


@pytest.fixture
def ws(shared_workspaces, backend_kind):
    """The journeys' workspace, shared by the module's tests (they only read it)."""

    def ingest(path):
        with leadpilot.open(path) as lp:
            lp.ingest(write(path.parent / f"{path.name}-src"))

    return shared_workspaces.get(backend_kind, "journeys", ingest)


@pytest.mark.parametrize("backend_kind", ["duckdb"], indirect=True)
def test_json_contract(ws):
    r = runner.invoke(
        app, ["attribution", "-w", str(ws), "--model", "all", "--format", "json"],
        env={"COLUMNS": "100"},
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert set(doc) == {"rows", "meta"}
    row = doc["rows"][0]
    for key in ("model", "channel", "conversions", "revenue", "share", "spend",
                "cost_per_conversion", "roas", "roi", "period"):  # fmt: skip
        assert key in row
    meta = doc["meta"]
    assert len(meta["models"]) == 10 and set(meta["models"]) <= set(meta["definitions"])
    assert meta["spread"] and {"spread", "min_model", "max_model"} <= set(meta["spread"][0])
    assert isinstance(meta["warnings"], list)


@pytest.mark.parametrize("backend_kind", ["duckdb"], indirect=True)
def test_csv_table_and_campaign(ws):
    r = runner.invoke(
        app, ["attribution", "-w", str(ws), "-m", "linear", "--by", "campaign", "-f", "csv"]
    )
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert {x["campaign"] for x in rows} >= {"ps_generic", "pso_retargeting"}
    r = runner.invoke(app, ["attribution", "-w", str(ws)], env={"COLUMNS": "100"})
    assert r.exit_code == 0, r.output
    assert "spread" in r.stdout and "markov" in r.stdout
    assert max(len(line) for line in r.stdout.splitlines() if "│" in line) <= 100
    r = runner.invoke(app, ["attribution", "-w", str(ws), "-m", "markov"])
    assert "Attribution — markov" in r.stdout


def test_path_file(tmp_path):
    f = tmp_path / "paths.csv"
    f.write_text("path,total_conversions,total_null\nA > B,2,1\nB,1,3\n")
    r = runner.invoke(
        app, ["attribution", "--paths", str(f), "-w", str(tmp_path), "-m", "markov,shapley",
              "-f", "json"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert {x["model"] for x in doc["rows"]} == {"markov", "shapley"}
    assert "path file" in doc["meta"]["source"]
    r = runner.invoke(app, ["attribution", "--paths", str(f), "--by", "campaign"])
    assert isinstance(r.exception, UsageError) and "--paths" in str(r.exception)


@pytest.mark.parametrize("backend_kind", ["duckdb"], indirect=True)
def test_errors_are_domain_errors(ws):
    r = runner.invoke(app, ["attribution", "-w", str(ws), "-m", "best_model"])
    assert isinstance(r.exception, UsageError) and "unknown model" in str(r.exception)
    r = runner.invoke(app, ["attribution", "-w", str(ws), "--by", "country"])
    assert isinstance(r.exception, UsageError) and "--by" in str(r.exception)
    r = runner.invoke(app, ["attribution", "-w", str(ws), "--conversion", "sal"])
    assert isinstance(r.exception, UsageError)
