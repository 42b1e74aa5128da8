"""Analyses a workspace lacks the data for exit 7 (documented: 'the workspace lacks the
data the analysis needs'), not 2 (a usage error): diagnose, plan and forecast on an empty
workspace, plan without spend, a threshold without any lead of known outcome."""

from __future__ import annotations

import pytest
from helpers import write_config

import leadpilot
from leadpilot.errors import MissingDataError


@pytest.fixture(scope="module")
def empty(tmp_path_factory):
    ws = tmp_path_factory.mktemp("empty") / "ws"
    write_config(ws)
    with leadpilot.open(ws):
        pass
    return ws


@pytest.fixture(scope="module")
def leads_only(tmp_path_factory):
    ws = tmp_path_factory.mktemp("leads") / "ws"
    write_config(ws)
    src = ws.parent / "src"
    src.mkdir()
    rows = ["lead_id,created_at,channel"] + [f"L{i},2025-0{1 + i % 6}-10,seo" for i in range(30)]
    (src / "leads.csv").write_text("\n".join(rows) + "\n")
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
    return ws


@pytest.mark.parametrize(
    "args",
    [["diagnose"], ["plan", "--target-revenue", "1000"], ["forecast"]],
    ids=["diagnose", "plan", "forecast"],
)
def test_an_empty_workspace(empty, cli, args):
    assert cli(*args, "-w", str(empty))[0] == 7


def test_plan_a_budget_without_spend(leads_only, cli):
    assert cli("plan", "--budget", "1000", "-w", str(leads_only))[0] == 7


def test_a_threshold_without_known_outcomes(leads_only):
    with leadpilot.open(leads_only) as lp, pytest.raises(MissingDataError):
        lp.score_threshold(capacity=10)
