"""The README's Python snippet and every example's commands run as written.

The examples are run from a copy of the repository's layout (main/examples next to
shared/), as a user who just cloned it would: `leadpilot ...` lines through the CLI in
process, `python examples/...` lines (scripts that write an export) with this Python, in
the same folder and in the README's order.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from leadpilot.cli import main
from leadpilot.synth import generate, write_tables

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def _blocks(markdown: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", markdown, flags=re.S)


def _cli(args: list[str], monkeypatch) -> int:
    monkeypatch.setattr(sys, "argv", ["leadpilot", *args])
    try:
        main()
    except SystemExit as exc:
        return exc.code or 0
    return 0


def test_readme_python_snippet_runs_on_a_fresh_folder(tmp_path, monkeypatch):
    (snippet,) = _blocks((ROOT / "README.md").read_text(encoding="utf-8"), "python")
    write_tables(generate(3000, seed=3), tmp_path / "data", fmt="parquet")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(snippet, "README.md", "exec"), namespace)  # noqa: S102 - the doc's own code
    # every counted lead scored once (e-mail duplicates are merged into their first lead)
    assert len(namespace["scores"]) == namespace["df"]["leads"].sum() > 2900
    assert "cpl" in namespace["df"].attrs["meta"]["definitions"]
    namespace["lp"].close()


EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/README.md"))


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_commands_run_as_written(example, tmp_path, monkeypatch, capsys):
    if not SHARED.exists():
        pytest.fail(f"{SHARED} is missing: the examples read its datasets")
    readme = (ROOT / "examples" / example / "README.md").read_text(encoding="utf-8")
    commands = [
        line.split("#")[0].strip()
        for block in _blocks(readme, "")
        for line in block.splitlines()
        if line.strip().startswith(("leadpilot ", "python examples/"))
    ]
    assert any(c.startswith("leadpilot ") for c in commands), (
        f"examples/{example}/README.md shows no leadpilot command"
    )
    # a fresh clone: main/ (with a copy of its examples: scripts may write into them)
    # next to shared/
    clone = tmp_path / "main"
    clone.mkdir()
    shutil.copytree(
        ROOT / "examples",
        clone / "examples",
        ignore=shutil.ignore_patterns("export", "__pycache__"),
    )
    (tmp_path / "shared").symlink_to(SHARED)
    monkeypatch.chdir(clone)
    for command in commands:
        args = shlex.split(command)
        if args[0] == "python":
            done = subprocess.run(
                [sys.executable, *args[1:]], cwd=clone, capture_output=True, text=True
            )
            assert done.returncode == 0, f"{command!r} failed: {done.stderr}"
            continue
        code = _cli(args[1:], monkeypatch)
        output = capsys.readouterr()
        assert code == 0, f"{command!r} failed: {output.err}"
