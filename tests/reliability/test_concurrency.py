"""Processes sharing a workspace: while an ingest writes, every reader (the command line,
the Python API, the service's handles) answers from the last committed state, and a
second ingest waits for the first, or, past its --wait, is refused with a clear message;
nothing is lost or mixed."""

from __future__ import annotations

import json
import time

import pytest
from helpers import data_only
from reliability_kit import FIGURES, shadows, start_writer, state
from typer.testing import CliRunner

import leadpilot
from leadpilot.api.workspaces import Registry
from leadpilot.cli import app as cli
from leadpilot.errors import WorkspaceBusyError

runner = CliRunner()


pytestmark = pytest.mark.slow  # make test-quick leaves it out

def _leads(ws) -> int:
    out = runner.invoke(cli, ["kpis", "-w", str(ws), "--kpi", "leads", "--format", "json"])
    assert out.exit_code == 0, out.output  # never "Could not set lock on file"
    return json.loads(out.stdout)["rows"][0]["leads"]


@pytest.fixture(scope="module")
def extra(bench):
    """A small set C of new leads (ids no other set uses)."""
    folder = bench.root / "c"
    folder.mkdir(exist_ok=True)
    rows = "\n".join(f"C{i},2025-06-0{1 + i % 9},events" for i in range(50))
    (folder / "leads.csv").write_text("lead_id,created_at,channel\n" + rows + "\n")
    return folder


def test_readers_answer_from_the_last_commit_while_an_ingest_runs(bench):
    ws = bench.copy()
    before = _leads(ws)
    early = leadpilot.open(ws)  # a notebook's Pilot, opened before the ingest
    handle = Registry(ws.parent).get(ws.name)  # the service's handle of the workspace
    with handle.reader() as lp:
        assert lp.kpi_result(kpis=["leads"]).rows[0]["leads"] == before
    version = handle.version
    w = bench.ingest_b(ws, "committed")  # written in its copy, not published yet
    assert w.paused(), w.finish()[2]
    try:
        assert _leads(ws) == before  # the command line
        with leadpilot.open(ws) as lp:  # the Python API, opened during the ingest
            assert lp.kpi_result(kpis=["leads"]).rows[0]["leads"] == before
        assert early.kpi_result(kpis=["leads"]).rows[0]["leads"] == before
        with handle.reader() as lp:
            assert lp.kpi_result(kpis=["leads"]).rows[0]["leads"] == before
        assert handle.version == version
    finally:
        w.go_on()
    code, out, err = w.finish()
    assert code == 0, err
    after = _leads(ws)
    assert after != before
    # a Pilot keeps its state until it refreshes (the service's reads refresh each time)
    assert early.kpi_result(kpis=["leads"]).rows[0]["leads"] == before
    assert early.refresh() is True
    assert early.kpi_result(kpis=["leads"]).rows[0]["leads"] == after
    early.close()
    assert handle.version > version
    with handle.reader() as lp:
        assert lp.kpi_result(kpis=["leads"]).rows[0]["leads"] == after
    handle.close()
    assert state(ws) == bench.after


def test_a_second_ingest_waits_for_the_first(bench, extra):
    ws = bench.copy()
    first = bench.ingest_b(ws, "copied")
    assert first.paused(), first.finish()[2]
    second = start_writer(bench.root / "ctl-second", ["ingest", extra, "-w", ws, "--wait", "120"])
    time.sleep(1.5)
    assert second.proc.poll() is None  # waiting for the lock, not failing
    holder = (ws / ".leadpilot-write.lock").read_text()
    assert f"pid {first.proc.pid}, ingest" in holder
    started = time.monotonic()
    first.go_on()
    assert first.finish()[0] == 0
    code, out, err = second.finish()
    FIGURES["second ingest: waited then loaded (seconds after the first ended)"] = round(
        time.monotonic() - started, 2
    )
    assert code == 0, err
    # nothing lost or mixed: the same as one ingest after the other (set B's ingest into
    # the base is the bench's, whose state every test here compares with bench.after)
    ref = bench.copy(bench.after_ws)
    with leadpilot.open(ref) as lp:
        lp.ingest(extra)
    got, want = state(ws), state(ref)
    assert data_only(got) == data_only(want)  # the logged source paths differ
    assert shadows(ws) == []


def test_a_second_ingest_past_its_wait_is_refused_clearly(bench, extra):
    ws = bench.copy()
    first = bench.ingest_b(ws, "committed")
    assert first.paused(), first.finish()[2]
    try:
        second = start_writer(bench.root / "ctl-refused", ["ingest", extra, "-w", ws,
                                                           "--wait", "0.5"])  # fmt: skip
        code, out, err = second.finish()
        assert code == 75, (code, err)
        line = err.strip()
        assert line.startswith("leadpilot: error: workspace ") and "\n" not in line
        assert f"being written by another process (pid {first.proc.pid}, ingest" in line
        assert "waited 0.5 s" in line and "--wait SECONDS" in line
        assert "workspace.write_wait" in line and "lock" not in line.lower().split("(")[0]
        # the Python API says the same, as a typed error
        with leadpilot.open(ws) as lp, pytest.raises(WorkspaceBusyError, match="waited 0 s"):
            lp.ingest(extra, wait=0)
    finally:
        first.go_on()
    assert first.finish()[0] == 0
    assert state(ws) == bench.after  # the refused ones changed nothing


def test_a_crashed_writer_does_not_hold_the_lock(bench):
    ws = bench.copy()
    w = bench.ingest_b(ws, "copied")
    assert w.paused()
    w.kill()
    assert shadows(ws)  # its copy is still there ...
    with leadpilot.open(ws) as lp:
        started = time.monotonic()
        lp.ingest(bench.data_b, wait=0)  # ... the lock is not: no wait at all
        assert time.monotonic() - started < 60
    assert shadows(ws) == [] and state(ws) == bench.after


def test_a_refused_first_ingest_never_removes_a_workspace_another_is_filling(bench, extra):
    """Two first ingests into a new folder: the refused one must not remove the folder
    (a failed first ingest removes only a workspace nothing was committed into and no one
    is writing)."""
    ws = bench.root / "new-ws"
    first = bench.ingest_b(ws, "committed#2")  # the ingest's commit (#1: the creation's)
    assert first.paused(), first.finish()[2]
    try:
        second = start_writer(bench.root / "ctl-new", ["ingest", extra, "-w", ws, "--wait", "0"])
        code, out, err = second.finish()
        assert code == 75, err
        assert ws.is_dir()
    finally:
        first.go_on()
    assert first.finish()[0] == 0
    with leadpilot.open(ws) as lp:
        assert lp.kpi_result(kpis=["leads"]).rows[0]["leads"] > 0
    failed = bench.root / "failed-ws"  # alone and refused: nothing left behind
    out = runner.invoke(cli, ["ingest", str(bench.root / "no-such-folder"), "-w", str(failed)])
    assert out.exit_code != 0 and not failed.exists()
