"""``diagnose``, ``plan`` and ``forecast``: what the numbers mean, and what comes next."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from ..results.diagnosis import diagnosis_markdown, show_diagnosis, show_forecast, show_plan
from ..results.render import check_format
from .common import FormatOpt, LangOpt, WorkspaceOpt, app, currency, emit, pilot, start, terminal

FAIL_ON = {"high": ("high",), "medium": ("high", "medium"), "low": ("high", "medium", "low")}
# exit status of `diagnose --fail-on` when a finding that severe (or worse) was raised
FINDINGS_EXIT = 8


@app.command()
def diagnose(
    workspace: WorkspaceOpt = Path("."),
    current: Annotated[
        str | None,
        typer.Option(help="Period: 2025-Q2, 2025-03 or 2025 (default: last complete quarter)."),
    ] = None,
    previous: Annotated[
        str | None, typer.Option(help="Period to compare with (default: the one before).")
    ] = None,
    vs: Annotated[
        str | None, typer.Option(help="previous or last-year (the same period a year ago).")
    ] = None,
    by: Annotated[
        str | None, typer.Option(help="channel, campaign, content, acquisition, ...")
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(help="Exit 8 when a finding this severe or worse is raised: high, medium "
                          "or low."),  # fmt: skip
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="table, json, csv or markdown.")
    ] = "table",
    lang: LangOpt = "en",
):
    """Compare two periods: decomposition, significance, findings with actions."""
    start(lang)
    if fmt != "markdown":
        check_format(fmt)
    if fail_on is not None and fail_on not in FAIL_ON:
        raise UsageError(f"--fail-on {fail_on!r}: expected high, medium or low")
    with pilot.open(workspace) as lp:
        currency(lp)
        result = lp.diagnosis(current=current, previous=previous, vs=vs, by=by)
    if fmt == "markdown":
        sys.stdout.write(diagnosis_markdown(result, terminal().lang, result.meta["currency"]))
    else:
        emit(result, fmt, lambda r: show_diagnosis(terminal(), r))
    if fail_on is not None:
        raised = [f for f in (*result.meta["findings"], *result.meta["data_quality"])
                  if f["severity"] in FAIL_ON[fail_on]]  # fmt: skip
        if raised:
            codes = ", ".join(sorted({f["code"] for f in raised}))
            print(f"leadpilot: findings at --fail-on {fail_on} or worse: {codes}",
                  file=sys.stderr)  # fmt: skip
            raise typer.Exit(FINDINGS_EXIT)


@app.command()
def plan(
    workspace: WorkspaceOpt = Path("."),
    target_revenue: Annotated[
        float | None, typer.Option(help="Revenue to reach: the reverse funnel.")
    ] = None,
    budget: Annotated[float | None, typer.Option(help="Budget of the what-if.")] = None,
    mix: Annotated[
        str | None,
        typer.Option(help="current, or revenue shares: paid_search=0.5,outbound=0.5."),
    ] = None,
    shift: Annotated[
        str | None, typer.Option(help="Budget moves: paid_social=-20000,outbound=+20000.")
    ] = None,
    months: Annotated[
        int | None, typer.Option(help="Months the budget covers (--budget only; default 3).")
    ] = None,
    fmt: FormatOpt = "table",
    lang: LangOpt = "en",
):
    """Reverse funnel from a revenue target, or a budget what-if by channel."""
    start(lang, fmt)
    with pilot.open(workspace) as lp:
        currency(lp)
        result = lp.plan(
            target_revenue=target_revenue,
            budget=budget,
            mix=None if mix in (None, "current") else mix,
            shift=shift,
            months=months,
        )
    emit(result, fmt, lambda r: show_plan(terminal(), r))


@app.command()
def forecast(
    workspace: WorkspaceOpt = Path("."),
    months: Annotated[int, typer.Option(help="Months to forecast.")] = 6,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Forecast from the state of this day.")
    ] = None,
    fmt: FormatOpt = "table",
    lang: LangOpt = "en",
):
    """Expected won revenue per month from open deals and leads in the funnel."""
    start(lang, fmt)
    with pilot.open(workspace) as lp:
        currency(lp)
        result = lp.forecast(months=months, as_of=as_of)
    emit(result, fmt, lambda r: show_forecast(terminal(), r))
