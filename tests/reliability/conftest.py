"""Fixtures of the reliability tests (their helpers are in :mod:`reliability_kit`). The
figures they measure travel with the tests' reports; tests/conftest.py prints them at the
end of the session (from pytest-xdist's workers too)."""

from __future__ import annotations

import time

import pytest
from reliability_kit import FIGURES, LEADS, Bench, state

from leadpilot import pilot


@pytest.fixture(autouse=True)
def _report_figures(request):
    """After each test, the figures measured so far travel with its report."""
    yield
    if FIGURES:
        request.node.user_properties.append(("figures:reliability figures", dict(FIGURES)))


@pytest.fixture(scope="session")
def bench(tmp_path_factory) -> Bench:
    root = tmp_path_factory.mktemp("reliability")
    pilot.generate(root / "a", leads=LEADS, seed=1)
    pilot.generate(root / "b", leads=LEADS + LEADS // 3, seed=2)  # more leads: counts move
    base = root / "base"
    with pilot.open(base, create=True) as lp:
        lp.ingest(root / "a")
    b = Bench(root, root / "b", base, state(base), {}, 0.0)
    ref = b.copy()
    w = b.ingest_b(ref)
    code, out, err = w.finish()
    assert code == 0, err
    b.seconds = time.monotonic() - w.started
    b.after = state(ref)
    b.after_ws = ref
    assert b.after != b.before
    FIGURES["ingest (process, seconds)"] = round(b.seconds, 2)
    FIGURES["leads per generated set"] = LEADS
    return b
