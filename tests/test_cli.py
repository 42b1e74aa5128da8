"""End-to-end command line: generate -> ingest -> kpis JSON, and errors without tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import DATA


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-m", "leadpilot", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "data"
    r = run("generate", str(out), "--leads", "3000", "--seed", "7", "--format", "csv")
    assert r.returncode == 0, r.stderr
    return out


def test_generate_ingest_kpis_json(generated, tmp_path):
    ws = tmp_path / "ws"
    r = run("ingest", str(generated), "-w", str(ws))
    assert r.returncode == 0, r.stderr
    assert "Ingest summary" in r.stdout
    r = run("kpis", "-w", str(ws), "--by", "channel", "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert set(doc) == {"rows", "meta"} and doc["meta"]["view"] == "cohort"
    assert {"leads", "cpl", "lead_to_customer"} <= set(doc["meta"]["definitions"])
    channels = {row["channel"] for row in doc["rows"]}
    assert len(channels) >= 8
    total = sum(row["leads"] for row in doc["rows"])
    r = run("kpis", "-w", str(ws), "--format", "json")
    assert json.loads(r.stdout)["rows"][0]["leads"] == total


def test_kpis_csv_and_table(generated, tmp_path):
    ws = tmp_path / "ws"
    assert run("ingest", str(generated), "-w", str(ws)).returncode == 0
    r = run("kpis", "-w", str(ws), "--by", "channel", "--period", "quarter", "--format", "csv")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines[0].startswith("period,channel,leads")
    assert len(lines) > 8
    r = run("kpis", "-w", str(ws), "--by", "channel")
    assert r.returncode == 0 and "cpl" in r.stdout
    assert max(len(line) for line in r.stdout.splitlines()) <= 100
    r = run("kpis", "-w", str(ws), "--by", "channel", "--period", "quarter", "--kpi", "all")
    assert r.returncode == 0, r.stderr
    assert max(len(line) for line in r.stdout.splitlines()) <= 100
    assert "roas" in r.stdout and "engaged" in r.stdout


def test_funnel_velocity_and_secondary_commands(generated, tmp_path):
    ws = tmp_path / "ws"
    assert run("ingest", str(generated), "-w", str(ws)).returncode == 0
    for args in (
        ["funnel", "--by", "channel"],
        ["velocity"],
        ["content"],
        ["sources"],
        ["retention"],
        ["kpis", "--view", "activity", "--period", "month"],
    ):
        r = run(*args, "-w", str(ws), "--format", "json")
        assert r.returncode == 0, (args, r.stderr)
        doc = json.loads(r.stdout)
        assert set(doc) == {"rows", "meta"} and doc["rows"], args
        r = run(*args, "-w", str(ws))
        assert r.returncode == 0 and "Traceback" not in r.stderr, args


def test_generate_is_deterministic(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert run("generate", str(a), "--leads", "500", "--seed", "3").returncode == 0
    assert run("generate", str(b), "--leads", "500", "--seed", "3").returncode == 0
    for f in sorted(a.iterdir()):
        assert f.read_bytes() == (b / f.name).read_bytes(), f.name


def test_bad_input_exits_non_zero_with_one_line_reason(tmp_path):
    ws = tmp_path / "ws"
    r = run("ingest", str(DATA / "bad" / "bad_date"), "-w", str(ws))
    assert r.returncode != 0
    first = r.stderr.strip().splitlines()[0]
    assert first.startswith("leadpilot: error:") and "row 3" in first
    assert "Traceback" not in r.stderr


def test_missing_workspace_and_bad_options(tmp_path):
    r = run("kpis", "-w", str(tmp_path / "nope"))
    assert r.returncode != 0 and "does not exist" in r.stderr and "Traceback" not in r.stderr
    r = run("kpis", "-w", str(tmp_path), "--format", "xml")
    assert r.returncode != 0 and "Traceback" not in r.stderr
    r = run("kpis", "--no-such-option")  # a usage error from the command-line parser
    assert r.returncode == 2 and "No such option" in r.stderr and "Traceback" not in r.stderr


def test_init_writes_config(tmp_path):
    r = run("init", str(tmp_path / "ws"))
    assert r.returncode == 0
    assert (tmp_path / "ws" / "leadpilot.yaml").exists()
    r = run("init", str(tmp_path / "ws"))
    assert r.returncode != 0 and "already exists" in r.stderr
