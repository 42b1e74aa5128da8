"""Getting data in: ``ingest``, ``quarantine`` and ``presets``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from .common import (
    FormatOpt,
    LangOpt,
    WorkspaceOpt,
    app,
    currency,
    pilot,
    progress_bar,
    progress_factory,
    run,
    start,
    terminal,
)


@app.command()
def ingest(
    source: Annotated[
        Path, typer.Argument(help="A folder of canonical files or a leadpilot.yaml.")
    ],
    workspace: WorkspaceOpt = Path("."),
    policy: Annotated[
        str | None, typer.Option(help="strict or quarantine (default: config).")
    ] = None,
    wait: Annotated[
        float | None,
        typer.Option(
            help="Seconds to wait while another ingest writes the workspace (default: "
            "workspace.write_wait, 600); then exit 75 saying who holds it.",
            min=0,
        ),
    ] = None,
    fmt: FormatOpt = "table",
    lang: LangOpt = "en",
):
    """Load source files into the workspace database (validated, idempotent).

    One ingest at a time per workspace: a second one waits for the first; commands
    reading the workspace meanwhile answer from the data before it."""
    start(lang)
    if fmt not in ("table", "json"):  # an unknown format printed the table, exit 0
        raise UsageError(f"--format {fmt!r}: expected table or json")
    created = not workspace.exists()
    try:
        with pilot.open(workspace, create=True) as lp, progress_bar() as progress:
            currency(lp)
            summary = lp.ingest(
                source, policy=policy, progress=progress_factory(progress), wait=wait
            )
    except BaseException:
        if created:  # a failed first ingest leaves no half-made workspace behind
            pilot.remove_unused_workspace(workspace)
        raise
    if fmt == "json":
        print(json.dumps(summary.as_dict(), indent=2, default=str))
        return
    terminal().ingest(summary, workspace)


@app.command()
def quarantine(
    workspace: WorkspaceOpt = Path("."),
    table: Annotated[str | None, typer.Option(help="Only this table's records.")] = None,
    limit: Annotated[int, typer.Option(help="Rows shown in the table output (0: all).")] = 50,
    fmt: FormatOpt = "table",
    lang: LangOpt = "en",
):
    """What the last ingest of each file set aside, and why: row, column, cell, fix."""
    run(workspace, lang, fmt, lambda lp: lp.quarantine_result(table=table),
        show=lambda r: terminal().quarantine(r, limit))  # fmt: skip


@app.command()
def presets(
    name: Annotated[str | None, typer.Argument(help="A preset to show.")] = None,
    lang: LangOpt = "en",
):
    """List the export presets, or show one: its columns, stage dates and value mappings."""
    start(lang)
    if name is None:
        terminal().presets(pilot.presets())
    else:
        terminal().preset(name, pilot.preset(name))
