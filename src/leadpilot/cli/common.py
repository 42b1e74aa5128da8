"""What every command shares: the Typer apps, the consoles, the options declared once,
the command's language and currency, and the output of a result.

A command parses its options, calls :class:`leadpilot.pilot.Pilot` (or a function of
:mod:`leadpilot.pilot`), and hands the result to :func:`emit`: JSON, CSV or the terminal
tables of :mod:`leadpilot.results.terminal`.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from ..errors import UsageError
from ..i18n import check_language
from ..results import Result
from ..results.render import check_format, json_text, write_csv
from ..results.terminal import Terminal


class _Pilot:
    """:mod:`leadpilot.pilot`, imported when a command first uses it: ``--help`` and the
    option checks do not pay for the engine, the metrics and the sources."""

    def __getattr__(self, name: str):
        from .. import pilot as module

        return getattr(module, name)


pilot = _Pilot()

app = typer.Typer(
    name="leadpilot",
    help="Pilot B2B lead generation by revenue, not by volume.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

def _show_version(asked: bool) -> None:
    if asked:
        from importlib import metadata

        try:
            version = metadata.version("leadpilot")
        except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
            version = "unknown"
        print(f"leadpilot {version}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Pilot B2B lead generation by revenue, not by volume."""


# Values are printed as written: no emoji codes (':white_check_mark:' in a bad value
# stays searchable); markup only where the terminal adds its own styles (results.terminal).
out = Console(soft_wrap=False, emoji=False)
err = Console(stderr=True, emoji=False)

# ---------------------------------------------------------------- options, declared once
WorkspaceOpt = Annotated[Path, typer.Option("--workspace", "-w", help="Workspace folder.")]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")]
ByOpt = Annotated[str | None, typer.Option(help="Dimensions, comma-separated.")]
PeriodOpt = Annotated[str, typer.Option(help="day, week, month, quarter, year or all.")]
ViewOpt = Annotated[str, typer.Option(help="cohort or activity.")]
FromOpt = Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD).")]
ToOpt = Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD).")]
LangOpt = Annotated[
    str,
    typer.Option(
        "--lang",
        envvar="LEADPILOT_LANG",
        help="en or fr: labels, numbers, dates and amounts in tables (JSON and CSV never "
        "change).",
    ),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Analyse the data as of this day (YYYY-MM-DD): later events are left out "
        "(default: the latest event in the data).",
    ),
]

# The command's terminal: its language, then the workspace's currency once it is open.
_TERMINAL = [Terminal(out)]


def terminal() -> Terminal:
    """The current command's terminal (language and currency)."""
    return _TERMINAL[0]


def start(lang: str, fmt: str | None = None) -> None:
    """Every command calls this first: an unknown language or format is an error."""
    # the terminal's width as it is now (COLUMNS included), not as it was when the
    # console was made: commands run in-process (tests, notebooks) see their own
    out.width = None  # type: ignore[assignment]
    _TERMINAL[0] = Terminal(out, lang=check_language(lang))
    if fmt is not None:
        check_format(fmt)


def currency(lp) -> None:
    """Amounts are shown in the workspace's currency."""
    _TERMINAL[0] = Terminal(out, lang=terminal().lang, currency=lp.config.currency)


def emit(result: Result, fmt: str, show=None) -> None:
    """One place for the output contract: the JSON document, CSV rows or terminal tables."""
    if fmt == "json":
        sys.stdout.write(json_text(result) + "\n")
    elif fmt == "csv":
        write_csv(result, sys.stdout)
    else:
        (show or terminal().show)(result)


def run(workspace: Path, lang: str, fmt: str, analysis, show=None) -> None:
    """The life of an analysis command: check the language and format, open the
    workspace, ``analysis(lp)`` -> Result, emit it."""
    start(lang, fmt)
    with pilot.open(workspace) as lp:
        currency(lp)
        result = analysis(lp)
    emit(result, fmt, show)


# ---------------------------------------------------------------- parsing
def split(value: str | None) -> list[str] | None:
    """``"a, b"`` -> ``["a", "b"]``; nothing -> None."""
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def day(value: str | None, option: str) -> date | None:
    """An option's ISO date, or a UsageError naming the option."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} {value!r}: expected a date like 2025-03-31") from None


# ---------------------------------------------------------------- progress
def progress_bar(*columns) -> Progress:
    """A transient progress bar on stderr (default: bytes read and time left)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        *(columns or (DownloadColumn(), TimeRemainingColumn())),
        console=err,
        transient=True,
    )


def progress_factory(progress: Progress):
    """``progress(label, total) -> tick(n)`` over a rich Progress (ingest, score apply)."""

    def factory(label: str, total: int):
        task = progress.add_task(label, total=total or None)
        return lambda n: progress.advance(task, n)

    return factory
