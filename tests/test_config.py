"""Configuration: every problem reported with key and line; init; JSON Schema."""

from __future__ import annotations

import pytest

from leadpilot import config
from leadpilot.errors import ConfigError


def test_template_is_valid_and_commented(tmp_path):
    path = config.write_template(tmp_path / "ws")
    text = path.read_text()
    assert text.count("#") > 20
    cfg = config.load_config(path)
    assert cfg.ingest.policy == "strict" and cfg.workspace.backend == "duckdb"


def test_init_never_overwrites(tmp_path):
    config.write_template(tmp_path)
    with pytest.raises(ConfigError, match="already exists"):
        config.write_template(tmp_path)


def test_all_problems_with_key_and_line():
    text = "currency: EUR\ningest:\n  policy: lax\n  decimal: ';'\nsources:\n  - table: foo\n"
    with pytest.raises(ConfigError) as info:
        config.parse_config(text, origin="ws/leadpilot.yaml")
    msg = str(info.value)
    assert "ws/leadpilot.yaml" in msg and "4 problem(s)" in msg
    assert "line 3, ingest.policy" in msg
    assert "line 4, ingest.decimal" in msg
    assert "line 6, sources.0.table" in msg
    assert "sources.0.path" in msg  # missing key, reported at its item's line


def test_unknown_key_is_an_error():
    with pytest.raises(ConfigError, match="line 1, colour"):
        config.parse_config("colour: blue\n")


def test_yaml_syntax_error_names_line():
    with pytest.raises(ConfigError, match="line 2"):
        config.parse_config("a: 1\n b: [\n")


def test_json_schema_lists_sections():
    schema = config.json_schema()
    assert {"workspace", "ingest", "leads", "sources"} <= set(schema["properties"])
