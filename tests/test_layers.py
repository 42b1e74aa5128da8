"""The layer contract of ARCHITECTURE.md (.importlinter) holds: a lower layer never imports
a higher one, metrics never import sources. Also run by `make test` before the suite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_import_layers_are_kept():
    script = Path(sys.executable).with_name("lint-imports")
    if not script.exists():
        if os.environ.get("CI"):
            pytest.fail("import-linter is not installed (pip install -e '.[test]')")
        pytest.skip("import-linter not installed (pip install -e '.[test]')")
    run = subprocess.run(
        [str(script), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
