"""workspace.memory_limit caps what DuckDB's queries hold (the rest spills to disk)."""

from __future__ import annotations

import pytest
from helpers import write_config

import leadpilot
from leadpilot.errors import ConfigError


def _limit(lp) -> str:
    return lp.workspace.con.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]


def test_the_commands_queries_hold_at_most_the_memory_limit(tmp_path, good_dir):
    ws = write_config(tmp_path / "ws", workspace={"backend": "duckdb", "memory_limit": "300MB"})
    with leadpilot.open(ws.parent) as lp:
        lp.ingest(good_dir)
        assert _limit(lp) == "286.1 MiB"  # DuckDB shows 300 MB in MiB
        assert lp.kpi_result().rows[0]["leads"] > 0
    default = write_config(tmp_path / "default")
    with leadpilot.open(default.parent, create=True) as lp:
        assert _limit(lp) == "3.7 GiB"  # 4 GB unless set
    own = write_config(tmp_path / "own", workspace={"backend": "duckdb", "memory_limit": None})
    with leadpilot.open(own.parent, create=True) as lp:
        assert _limit(lp) not in ("3.7 GiB", "286.1 MiB")  # DuckDB's own: 80 % of memory


def test_a_memory_limit_duckdb_cannot_read_names_the_setting(tmp_path):
    ws = write_config(tmp_path / "ws", workspace={"backend": "duckdb", "memory_limit": "lots"})
    with pytest.raises(ConfigError) as err:
        leadpilot.open(ws.parent, create=True)
    assert "workspace.memory_limit 'lots'" in str(err.value)
    assert "'4GB'" in str(err.value)
