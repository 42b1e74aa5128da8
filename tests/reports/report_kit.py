"""What the report tests share besides fixtures: the period, the in-process command line and
a page visit that blocks the network. (A module of its own: ``from conftest import`` finds
whichever conftest was imported first, which depends on the order the tests run in.)"""

from __future__ import annotations

import json
from pathlib import Path

from helpers import CHROMIUM, CHROMIUM_ARGS  # noqa: F401  (the report tests import them here)
from typer.testing import CliRunner

from leadpilot.cli import app

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
PERIOD = "2025-Q2"
runner = CliRunner()


def cli_json(*args: str) -> dict:
    """The command line's JSON document (in-process)."""
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


class Visit:
    """A page opened from disk with every non-file request aborted; what went wrong."""

    def __init__(self, browser, path: Path, width: int = 1200, height: int = 900) -> None:
        self.failed: list[str] = []
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.page.route("**/*", self._route)
        self.page.goto(path.resolve().as_uri(), wait_until="load")

    def _route(self, route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def close(self) -> None:
        self.context.close()
