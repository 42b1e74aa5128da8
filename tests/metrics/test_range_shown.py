"""A run over --from / --to says its range in the table's title (a pasted table read as the
all-time one), and the funnel records it in its meta as the KPIs do."""

from __future__ import annotations

import json

import pytest
from helpers import DATA, write_config

import leadpilot


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    ws = write_config(tmp_path_factory.mktemp("range") / "ws").parent
    with leadpilot.open(ws) as lp:
        lp.ingest(DATA / "good")
    return ws


@pytest.mark.parametrize("command", ["kpis", "funnel"])
def test_the_title_says_the_range(cli, ws, command):
    code, out, err = cli(command, "-w", str(ws), "--from", "2025-01-01", "--to", "2025-03-31")
    assert code == 0, err
    assert "— Jan 1, 2025 – Mar 31, 2025 —" in out.splitlines()[0]
    code, out, err = cli(command, "-w", str(ws), "--from", "2025-01-01", "--lang", "fr")
    assert code == 0, err
    assert "— 1 janv. 2025 – … —" in out.splitlines()[0]
    code, out, err = cli(command, "-w", str(ws))
    assert " – " not in out.splitlines()[0]  # no range: no dates but the as-of one


def test_the_funnel_records_its_range(cli, ws):
    code, out, err = cli("funnel", "-w", str(ws), "--to", "2025-03-31", "-f", "json")
    assert code == 0, err
    meta = json.loads(out)["meta"]
    assert meta["date_to"] == "2025-03-31" and "date_from" not in meta
