"""leadpilot doctor (in-process, Typer's runner): backend and version, capabilities, table
sizes, disk used, and every misconfiguration with its fix, in English and French."""

from __future__ import annotations

import json
import re

import duckdb
import pytest
import yaml
from helpers import write_config
from typer.testing import CliRunner

import leadpilot
from leadpilot.cli import app
from leadpilot.engine import spark as spark_engine

runner = CliRunner()


def doctor(ws, *args):
    res = runner.invoke(app, ["doctor", "-w", str(ws), *args])
    return res


def doc(ws, *args) -> tuple[int, dict]:
    res = doctor(ws, "--format", "json", *args)
    return res.exit_code, json.loads(res.stdout)


def codes(document: dict) -> list[str]:
    return [p["code"] for p in document["meta"]["problems"]]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    from helpers import DATA

    ws = write_config(tmp_path_factory.mktemp("doctor") / "ws").parent
    with leadpilot.open(ws) as lp:
        lp.ingest(DATA / "good")
    return ws


def test_a_healthy_workspace(loaded):
    code, d = doc(loaded)
    assert code == 0 and d["meta"]["ok"] is True
    backend = d["meta"]["backend"]
    assert backend["setting"] == "duckdb" and backend["engine"] == "duckdb"
    assert backend["version"].lstrip("v").startswith(duckdb.__version__.split("-")[0][:3])
    assert backend["leadpilot"] and backend["ibis"].startswith("12")
    assert d["meta"]["capabilities"]["transactions"] is True
    rows = {r["table"]: r["rows"] for r in d["rows"]}
    assert rows["leads"] > 0 and rows["touchpoints"] > 0 and rows["quarantine"] == 0
    assert d["meta"]["disk"]["workspace_bytes"] > 0 and d["meta"]["disk"]["free_bytes"] > 0
    assert [p for p in d["meta"]["problems"] if p["severity"] == "error"] == []


def test_the_terminal_speaks_english_and_french(loaded):
    en = doctor(loaded)
    fr = doctor(loaded, "--lang", "fr")
    assert en.exit_code == fr.exit_code == 0
    assert "Backend: duckdb" in en.stdout and "Capabilities" in en.stdout
    assert "Moteur : duckdb" in fr.stdout and "Disque : dossier de l'espace" in fr.stdout
    assert "Capacités :" in fr.stdout and "lignes" in fr.stdout
    assert " ; libre à côté" in fr.stdout and "Disk: workspace folder" in en.stdout


def test_an_empty_workspace_says_to_ingest(tmp_path):
    ws = write_config(tmp_path / "ws").parent
    code, d = doc(ws)
    assert code == 0
    problem = d["meta"]["problems"][0]
    assert problem["code"] == "no_leads" and f"leadpilot ingest SOURCE -w {ws}" in problem["fix"]


def test_an_invalid_configuration_is_an_error_with_its_fix(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "leadpilot.yaml").write_text("ingest:\n  policy: lax\n")
    code, d = doc(ws)
    assert code == 1 and codes(d) == ["config_invalid"]
    assert "ingest.policy" in d["meta"]["problems"][0]["message"]
    assert "leadpilot config schema" in d["meta"]["problems"][0]["fix"]


def test_an_unsupported_backend(tmp_path):
    ws = write_config(tmp_path / "ws", "mysql://host/db").parent
    code, d = doc(ws)
    assert code == 1 and codes(d) == ["backend_unsupported"]
    assert "'spark'" in d["meta"]["problems"][0]["message"]


def test_a_server_that_does_not_answer(tmp_path):
    ws = write_config(tmp_path / "ws", "postgresql://nobody@127.0.0.1:1/nowhere").parent
    code, d = doc(ws)
    assert code == 1 and codes(d) == ["cannot_open"]
    assert d["meta"]["backend"]["engine"] == "postgres"
    assert "workspace.backend" in d["meta"]["problems"][0]["fix"]


def test_a_missing_source_file_and_ignored_spark_settings(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    cfg = {
        "workspace": {"backend": "duckdb", "spark": {"master": "local[4]"}},
        "sources": [{"table": "leads", "path": "exports/leads.csv"}],
    }
    (ws / "leadpilot.yaml").write_text(yaml.safe_dump(cfg))
    code, d = doc(ws)
    assert code == 1
    assert codes(d)[:2] == ["spark_settings_ignored", "source_file_missing"]
    assert "sources[0].path" in d["meta"]["problems"][1]["fix"]


def test_spark_without_pyspark_or_java_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(spark_engine, "pyspark_version", lambda: None)
    monkeypatch.setattr(spark_engine.shutil, "which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    ws = write_config(tmp_path / "ws", "spark").parent
    code, d = doc(ws)
    assert code == 1 and codes(d) == ["pyspark_missing", "java_missing"]
    fixes = [p["fix"] for p in d["meta"]["problems"]]
    assert "leadpilot[spark]" in fixes[0] and "openjdk-17-jre-headless" in fixes[1]
    fr = doctor(ws, "--lang", "fr")
    assert "installez Java 17" in fr.stdout


def test_an_unknown_format_is_a_usage_error(loaded):
    res = doctor(loaded, "--format", "csv")
    assert res.exit_code != 0


@pytest.mark.usefixtures("spark")
def test_a_spark_workspace(tmp_path):
    from helpers import DATA

    ws = write_config(tmp_path / "ws", "spark").parent
    with leadpilot.open(ws) as lp:
        lp.ingest(DATA / "good")
    code, d = doc(ws)
    assert code == 0, d["meta"]["problems"]
    assert d["meta"]["backend"]["engine"] == "pyspark"
    assert d["meta"]["backend"]["version"] == spark_engine.pyspark_version()
    assert d["meta"]["capabilities"]["transactions"] is False
    assert d["meta"]["capabilities"]["row_updates"] is False
    sizes = {r["table"]: r["bytes"] for r in d["rows"]}
    assert sizes["leads"] > 0 and sizes["quarantine"] == 0  # a table without rows: 0
    assert d["meta"]["disk"]["warehouse"] == str((ws / "spark-warehouse").resolve())
    assert "orphan_folders" not in codes(d)  # an ingest leaves no folder behind


def test_table_sizes_on_postgresql_and_no_column_of_dashes_on_duckdb(loaded, pg_url, tmp_path):
    """PostgreSQL says each table's size (pg_total_relation_size); DuckDB keeps none per
    table: its table shows rows only (the file's size is under Disk)."""
    from helpers import DATA

    assert "size" not in doctor(loaded).stdout.split("Disk")[0]
    ws = write_config(tmp_path / "pg", pg_url).parent
    with leadpilot.open(ws) as lp:
        lp.ingest(DATA / "good")
    code, d = doc(ws)
    sizes = {r["table"]: r["bytes"] for r in d["rows"]}
    assert code == 0 and sizes["leads"] > 0 and sizes["deals"] > 0, sizes
    tables = doctor(ws).stdout.split("Disk")[0]
    assert "size" in tables, tables
    assert re.search(r"leads\s*│\s*[\d,]+\s*│\s*[\d.,]+ (?:KB|MB)", tables), tables
