"""A workspace stores its schema version; one written by an older leadpilot is migrated
(under the write lock, published whole), one that cannot be migrated or that a newer
leadpilot wrote is refused with a message naming both versions and the fix."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from helpers import DATA, write_config
from reliability_kit import state
from typer.testing import CliRunner

import leadpilot
from leadpilot.cli import app as cli
from leadpilot.engine import versions, writing
from leadpilot.errors import WorkspaceError


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    ws = write_config(tmp_path_factory.mktemp("versions") / "ws").parent
    with leadpilot.open(ws) as lp:
        lp.ingest(DATA / "good")
    return ws


@pytest.fixture
def ws(template, tmp_path) -> Path:
    import shutil

    return Path(shutil.copytree(template, tmp_path / "ws"))


def _alter(ws: Path, *statements: str) -> None:
    """Change the database as another leadpilot would have left it."""
    con = duckdb.connect(str(ws / "leadpilot.duckdb"))
    for s in statements:
        con.execute(s)
    con.close()


def _version(ws: Path):
    con = duckdb.connect(str(ws / "leadpilot.duckdb"), read_only=True)
    try:
        return con.execute(
            "SELECT value FROM leadpilot_meta WHERE key = 'schema_version'"
        ).fetchone()
    finally:
        con.close()


def test_a_new_workspace_stores_the_current_version(template):
    assert _version(template) == (str(versions.SCHEMA_VERSION),)


def test_an_unversioned_workspace_is_migrated_and_keeps_its_data(ws):
    before = state(ws)
    _alter(ws, "DROP TABLE leadpilot_meta", "DROP TABLE labels")  # as before versions
    with leadpilot.open(ws) as lp:
        assert lp.kpi_result(kpis=["leads"]).rows[0]["leads"] > 0
    assert _version(ws) == (str(versions.SCHEMA_VERSION),)
    after = state(ws)
    assert after.keys() == before.keys()  # the missing table is back
    # the data as it was (the meta table was dropped: its write count starts again)
    rewritten = ("labels", "leadpilot_meta")
    assert {k: v for k, v in after.items() if k not in rewritten} == {
        k: v for k, v in before.items() if k not in rewritten
    }
    assert not list(ws.glob(".*writing-*"))


def test_a_workspace_of_a_newer_leadpilot_is_refused(ws):
    _alter(ws, "UPDATE leadpilot_meta SET value = '99' WHERE key = 'schema_version'",
           "UPDATE leadpilot_meta SET value = '9.0.0' WHERE key = 'written_by'")  # fmt: skip
    stamp = writing.identity(ws / "leadpilot.duckdb")
    with pytest.raises(WorkspaceError) as err:
        leadpilot.open(ws)
    msg = str(err.value)
    assert "schema version 99" in msg and "leadpilot 9.0.0" in msg
    assert f"reads schema version {versions.SCHEMA_VERSION} and older" in msg
    assert "pip install --upgrade leadpilot" in msg
    assert writing.identity(ws / "leadpilot.duckdb") == stamp  # not touched
    out = CliRunner().invoke(cli, ["kpis", "-w", str(ws)])  # main() turns it into exit 3
    assert isinstance(out.exception, WorkspaceError) and "schema version 99" in str(out.exception)


def test_a_version_no_migration_starts_from_is_refused(ws, monkeypatch):
    _alter(ws, "UPDATE leadpilot_meta SET value = '0' WHERE key = 'schema_version'")
    with pytest.raises(WorkspaceError) as err:
        leadpilot.open(ws)
    msg = str(err.value)
    assert "schema version 0" in msg
    assert f"migrates schema versions 1 to {versions.SCHEMA_VERSION} only" in msg
    assert "leadpilot ingest SOURCE -w NEW_DIR" in msg


def test_a_failed_migration_leaves_the_old_version(ws, monkeypatch):
    _alter(ws, "DROP TABLE leadpilot_meta")
    before = writing.identity(ws / "leadpilot.duckdb")

    def broken(_ws):
        raise RuntimeError("migration step failed")

    monkeypatch.setitem(versions.MIGRATIONS, versions.UNVERSIONED, broken)
    with pytest.raises(RuntimeError):
        leadpilot.open(ws)
    assert writing.identity(ws / "leadpilot.duckdb") == before
    assert not list(ws.glob(".*writing-*"))
    monkeypatch.undo()
    with leadpilot.open(ws):
        pass
    assert _version(ws) == (str(versions.SCHEMA_VERSION),)


def test_a_log_left_by_an_in_place_writer_is_applied_first(ws):
    """An older leadpilot wrote the file in place and was killed: its write-ahead log holds
    committed rows. Readers see them; the next writer applies the log before copying."""
    import os
    import subprocess
    import sys

    db = ws / "leadpilot.duckdb"
    code = (
        f"import duckdb, os; c = duckdb.connect({str(db)!r}); "
        "c.execute(\"SET checkpoint_threshold = '1GB'\"); "
        "c.execute(\"INSERT INTO labels VALUES ('k:wal', 'k', 'wal', 'from the log')\"); "
        "os.kill(os.getpid(), 9)"
    )
    subprocess.run([sys.executable, "-c", code], check=False)
    assert db.with_name(db.name + ".wal").exists()
    with leadpilot.open(ws) as lp:  # a reader: the log's rows are there
        assert "k:wal" in lp.table("labels").label_key.tolist()
        lp.ingest(DATA / "good")  # a writer: applies the log in place, then copies
        assert "k:wal" in lp.table("labels").label_key.tolist()
    assert not db.with_name(db.name + ".wal").exists()
    assert os.path.exists(db)
