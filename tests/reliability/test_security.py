"""Security checks that the service's tests (tests/api) do not already make: keys stored
only as keyed hashes, no SQL built from user input, YAML loaded safely, SQL-looking input
harmless. docs/security.md lists every point of the review with the test covering it."""

from __future__ import annotations

import ast
import hashlib
import hmac
import json
import os
import re
from pathlib import Path

import pytest
from helpers import write_config

import leadpilot
from leadpilot import access
from leadpilot.access import KEYS_FILE, KeyStore
from leadpilot.errors import ConfigError, LeadpilotError

SRC = Path(leadpilot.__file__).parent
SQL_CALLS = ("raw_sql", "sql", "execute", "copy")
# f-strings that build SQL: each interpolates only what sqlglot quoted (identifiers of the
# schema or the engine's own names, literals), never a value from a request or a file.
REVIEWED = {
    ("engine/base.py", "UPDATE"): "identifiers quoted by sg.to_identifier(quoted=True)",
    ("engine/duckdb.py", "ATTACH"): "path as sge.Literal.string, catalog as quoted identifier",
    ("engine/duckdb.py", "USE"): "quoted identifier (the engine's own catalog name)",
    ("engine/duckdb.py", "CHECKPOINT"): "quoted identifier (the engine's own catalog name)",
    ("engine/duckdb.py", "SET"): "memory limit as sge.Literal.string",
    ("engine/postgres.py", "SET"): "schema from leadpilot.yaml as a quoted identifier",
    ("engine/postgres.py", "COPY"): "table and columns quoted by sg.to_identifier",
    ("engine/spark.py", "SELECT"): "quoted identifiers and sqlglot-rendered conditions",
    # the operator's own SQL filter from leadpilot.yaml (sources[].filter), run on the
    # source database with the operator's own credentials; never taken from a request
    ("sources/tables.py", "SELECT"): "table quoted by sqlglot; filter: leadpilot.yaml's own SQL",
}


def _sql_fstrings() -> list[tuple[str, str, int]]:
    """(file, first SQL word, line) of every f-string passed to an SQL-running call."""
    found = []
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr not in SQL_CALLS or not node.args:
                continue
            arg = node.args[0]
            if isinstance(arg, ast.JoinedStr):
                head = "".join(v.value for v in arg.values if isinstance(v, ast.Constant))
                word = re.match(r"\s*(\w+)", head)
                found.append((str(path.relative_to(SRC)), word.group(1) if word else "?",
                              node.lineno))  # fmt: skip
    return found


def test_no_sql_is_built_from_user_input():
    """Every f-string SQL statement is one of the reviewed ones (quoted identifiers and
    literals only); everything else is built with sqlglot expressions or Ibis."""
    found = _sql_fstrings()
    unknown = [f for f in found if (f[0], f[1]) not in REVIEWED]
    assert not unknown, f"SQL built by an f-string, not reviewed: {unknown}"
    assert {(f, w) for f, w, _ in found} >= {("engine/base.py", "UPDATE")}  # the scan works


def test_sql_looking_values_are_data(tmp_path):
    """A value or a dimension name that looks like SQL is stored, grouped and erased as text."""
    src = tmp_path / "src"
    src.mkdir()
    evil = "x'); DROP TABLE leads; --"
    (src / "leads.csv").write_text(
        'lead_id,created_at,channel,campaign\n'
        f'"{evil}",2025-01-02,paid_search,"{evil}"\nL2,2025-01-03,email,ok\n'
    )
    ws = write_config(tmp_path / "ws").parent
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
        rows = lp.kpi_result(by="campaign", kpis=["leads"]).rows
        assert {r["campaign"] for r in rows} == {evil, "ok"}
        with pytest.raises(LeadpilotError):
            lp.kpi_result(by='campaign"; DROP TABLE leads; --', kpis=["leads"])
        assert lp.erase_lead(evil)["removed"]["leads"] == 1
        assert lp.erase_lead("' OR 1=1 --")["found"] is False
        assert len(lp.table("leads")) == 1


def test_yaml_is_loaded_safely(tmp_path):
    """No yaml.load / unsafe loader anywhere; a Python tag in leadpilot.yaml is an error,
    never run."""
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"yaml\.(load|unsafe_load|full_load)\(|Loader\s*=", text), path
    marker = tmp_path / "ran"
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "leadpilot.yaml").write_text(
        f'currency: !!python/object/apply:os.system ["touch {marker}"]\n'
    )
    with pytest.raises(ConfigError):
        leadpilot.open(ws)
    assert not marker.exists()


def test_keys_are_stored_as_keyed_hashes_only(tmp_path, monkeypatch):
    monkeypatch.setenv("LEADPILOT_SECRET_FILE", str(tmp_path / "secret" / "secret"))
    ws = write_config(tmp_path / "ws").parent
    store = KeyStore(ws)
    key, info = store.create("read", label="BI")
    text = (ws / KEYS_FILE).read_text()
    secret_part = key.split("_", 2)[2]
    assert key not in text and secret_part not in text
    (stored,) = json.loads(text)["keys"]
    assert stored["hash"] == hmac.new(
        access.load_secret(), key.encode(), hashlib.sha256
    ).hexdigest()  # HMAC-SHA256 with the server secret, kept outside the workspace
    assert oct(os.stat(ws / KEYS_FILE).st_mode & 0o777) == "0o600"
    assert oct(os.stat(tmp_path / "secret" / "secret").st_mode & 0o777) == "0o600"
    assert store.check(key).role == "read" and store.check(key[:-1] + "x") is None
    # a copy of the workspace carries no usable key without the server's secret
    monkeypatch.setenv("LEADPILOT_SECRET_FILE", str(tmp_path / "other" / "secret"))
    access._SECRETS.clear()
    with pytest.raises(LeadpilotError):
        KeyStore(ws).check(key)
    access._SECRETS.clear()


def test_a_source_path_is_only_read_as_a_table_export(tmp_path):
    """Error messages never show the content of a file that is not a table export."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "leads.csv").write_bytes(b"\x00\x01root:x:0:0:root:/root:/bin/bash\n")
    ws = write_config(tmp_path / "ws").parent
    with leadpilot.open(ws) as lp, pytest.raises(LeadpilotError) as err:
        lp.ingest(src)
    assert "/bin/bash" not in str(err.value)


def test_the_review_names_tests_that_exist():
    """docs/security.md cites ``file::test`` for each point: every one exists."""
    root = SRC.parents[1]
    doc = (root / "docs" / "security.md").read_text(encoding="utf-8")
    cited = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?(?:\[[^\]]*\])?`", doc)
    assert len(cited) >= 25
    for file, test in cited:
        text = (root / file).read_text(encoding="utf-8")
        if test:
            assert re.search(rf"^def {test}\(", text, re.M), f"{file}::{test} not found"
