"""``report``: one period's report, for people, as HTML, PDF, Excel or Markdown."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from ..reports import FORMATS, check_report_format, file_format
from .common import LangOpt, WorkspaceOpt, app, currency, err, pilot, start, terminal


@app.command()
def report(
    workspace: WorkspaceOpt = Path("."),
    period: Annotated[
        str | None,
        typer.Option(help="2025-Q2, 2025-03 or 2025 (default: the last complete quarter)."),
    ] = None,
    vs: Annotated[
        str | None, typer.Option(help="previous (default) or last-year: the comparison.")
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help=f"{', '.join(FORMATS)} (default: the --out file's extension, else html).",
        ),
    ] = None,
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            "-o",
            help="File to write, or '-' for standard output (html, md); default: "
            "WORKSPACE/reports/leadpilot-report-PERIOD-LANG.EXT.",
        ),
    ] = None,
    lang: LangOpt = "en",
):
    """Write the report of a period: headline, findings, funnel, channels, trends,
    velocity, attribution, scoring, data quality and definitions; prints the file's path."""
    start(lang)
    if out == "-":
        fmt = check_report_format(fmt or "html")
    else:  # checked before the figures are gathered: refused at once, not after them
        fmt = file_format(out or workspace / "reports", fmt)
    lang = terminal().lang
    if out == "-" and fmt in ("pdf", "xlsx"):
        raise UsageError(f"--format {fmt} is binary: give a file with --out, not '-'")
    with pilot.open(workspace) as lp:
        currency(lp)
        with err.status("gathering the report's figures"):
            document = lp.report(period=period, vs=vs)
    if out == "-":
        sys.stdout.write(document.render(fmt, lang).decode("utf-8"))
        return
    target = Path(out) if out else workspace / "reports"
    with err.status(f"writing the {fmt} report"):
        path = document.write(target, fmt, lang)
    print(path.resolve())
