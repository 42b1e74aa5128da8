"""Crash safety: an ingest killed (SIGKILL, by its pid) at any point leaves a workspace
that opens and equals the state before that ingest or the state after it, never a mix;
the next write cleans what the killed one left and works.

The kill points: the named phases of a write (:mod:`leadpilot.engine.writing`: lock
taken, copy made, transaction committed in the copy, copy checkpointed and synced, copy
renamed over the live file) and random moments of the ingest (reading, validating,
loading). ``make test`` runs ``LEADPILOT_RELIABILITY_KILLS`` = 3 of them, ``make
reliability`` many more.
"""

from __future__ import annotations

import random
import time

import pytest
from helpers import data_only
from reliability_kit import FIGURES, KILLS, shadows, state

import leadpilot

pytestmark = pytest.mark.slow  # make test-quick leaves it out

PHASES = ["committed", "checkpointed", "copied", "published", "locked"]
SEED = int(time.time()) if KILLS > 3 else 20261205
# make test: a random moment and the two phases around the commit; then every phase
PLAN = (["random", "committed", "checkpointed"] + PHASES[2:] + ["random"] * KILLS)[:KILLS]
if KILLS > 3:
    PLAN = (PHASES + ["random"] * KILLS)[:KILLS]
OUTCOMES: dict[str, int] = {}


@pytest.mark.parametrize("i, point", list(enumerate(PLAN)), ids=lambda v: str(v))
def test_a_killed_ingest_leaves_the_state_before_or_after(bench, i, point):
    ws = bench.copy()
    rng = random.Random(SEED + i)
    if point == "random":
        w = bench.ingest_b(ws)
        time.sleep(rng.uniform(0.5, max(1.0, bench.seconds)))
        ended = w.proc.poll() is not None
        if not ended:
            w.kill()
    else:
        w = bench.ingest_b(ws, point)
        assert w.paused(), w.finish()[2]
        w.kill()
        ended = False
    got = state(ws)  # opens
    outcome = "after" if got == bench.after else "before" if got == bench.before else "MIXED"
    key = f"{point} ({'ended before the kill' if ended else 'killed'}) -> {outcome}"
    OUTCOMES[key] = OUTCOMES.get(key, 0) + 1
    FIGURES["kills"] = dict(sorted(OUTCOMES.items()))
    FIGURES["kill seed"] = SEED
    assert outcome != "MIXED", f"{point}: the workspace is neither before nor after"
    if point == "published":
        assert outcome == "after"
    if point in ("locked", "copied", "committed", "checkpointed"):
        assert outcome == "before"
    if i == 0 or KILLS > 3:
        # the next writer: waits for no one (the kernel dropped the lock), removes the copy
        with leadpilot.open(ws) as lp:
            lp.ingest(bench.data_b, wait=5)
        now, want = state(ws), dict(bench.after)
        assert data_only(now) == data_only(want)  # one more write recorded if it was after
        assert shadows(ws) == []
