"""Shared fixtures of the report tests: workspaces and reports built once per session.

- ``demo_ws``: 3,000 synthetic leads (the seeded 2025-Q2 story: leads doubled, revenue fell);
- ``demo_report``: its report of 2025-Q2, collected once; ``demo_html``: that report in
  French and English, written once to the artifacts folder;
- ``xedu_ws`` / ``zoho_ws``: the two real examples (shared/datasets), skipped when absent;
- ``browser``: pytest-playwright's one browser for the session, launched on Debian's
  Chromium (never ``playwright install``), with no network features.

Screenshots and rendered files go to ``tests/artifacts/`` (git-ignored), so a person can
look at what the tests looked at.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from report_kit import ARTIFACTS, PERIOD, ROOT, Visit

import leadpilot
from leadpilot.synth import generate, write_tables


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def demo_ws(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("report-demo")
    write_tables(generate(3000, seed=42), base / "data", fmt="parquet")
    with leadpilot.open(base / "ws", create=True) as lp:
        lp.ingest(base / "data")
    return base / "ws"


@pytest.fixture(scope="session")
def demo_report(demo_ws):
    with leadpilot.open(demo_ws) as lp:
        return lp.report(PERIOD)


@pytest.fixture(scope="session")
def demo_html(demo_report, artifacts) -> dict[str, Path]:
    """The demo report in each language, written once."""
    return {
        lang: demo_report.write(artifacts / f"report-demo-{lang}.html", lang=lang)
        for lang in ("fr", "en")
    }


def _example(tmp_path_factory, name: str) -> Path:
    config = ROOT / "examples" / name / "leadpilot.yaml"
    data = ROOT.parent / "shared" / "datasets"
    if not data.exists():
        pytest.skip("shared/datasets is absent")
    base = tmp_path_factory.mktemp(f"report-{name}")
    # the example's paths are relative to its folder, as in a clone next to shared/
    clone = base / "main"
    shutil.copytree(ROOT / "examples" / name, clone / "examples" / name)
    (base / "shared").symlink_to(ROOT.parent / "shared")
    with leadpilot.open(base / "ws", create=True) as lp:
        lp.ingest(clone / "examples" / name / config.name)
    return base / "ws"


@pytest.fixture(scope="session")
def xedu_ws(tmp_path_factory) -> Path:
    return _example(tmp_path_factory, "x_education")


@pytest.fixture(scope="session")
def zoho_ws(tmp_path_factory) -> Path:
    return _example(tmp_path_factory, "zoho_crm")


# ---------------------------------------------------------------- the browser
@pytest.fixture(scope="session")
def visits(browser, demo_html):
    """One page per language (desktop width), opened once for the session's tests."""
    opened = {lang: Visit(browser, path) for lang, path in demo_html.items()}
    yield opened
    for v in opened.values():
        v.close()
