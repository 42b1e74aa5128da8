"""The analyses: ``kpis``, ``funnel``, ``velocity``, ``content``, ``sources``, ``retention``.

Each takes the shared options (workspace, period, by, dates, view, as-of, format,
language), calls one :class:`~leadpilot.pilot.Pilot` method and emits its Result.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .. import pilot
from .common import (
    AsOfOpt,
    ByOpt,
    FormatOpt,
    FromOpt,
    LangOpt,
    PeriodOpt,
    ToOpt,
    ViewOpt,
    WorkspaceOpt,
    app,
    currency,
    day,
    emit,
    split,
    start,
)


@app.command()
def kpis(
    workspace: WorkspaceOpt = Path("."),
    period: PeriodOpt = "all",
    by: ByOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    view: ViewOpt = "cohort",
    kpi: Annotated[
        str | None,
        typer.Option(help="KPI names, comma-separated, or all (every KPI of the view)."),
    ] = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
    lang: LangOpt = "en",
):
    """Lead-generation KPIs by period and dimension, with their definitions."""
    start(lang, fmt)
    with pilot.open(workspace) as lp:
        currency(lp)
        result = lp.kpi_result(
            by=split(by),
            period=period,
            kpis=split(kpi),
            view=view,
            date_from=day(date_from, "--from"),
            date_to=day(date_to, "--to"),
            as_of=day(as_of, "--as-of"),
        )
    emit(result, fmt)


@app.command()
def funnel(
    workspace: WorkspaceOpt = Path("."),
    by: ByOpt = None,
    period: PeriodOpt = "all",
    view: ViewOpt = "cohort",
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
    lang: LangOpt = "en",
):
    """The stage chain with next-step and cumulative conversion, acceptance and exits."""
    start(lang, fmt)
    with pilot.open(workspace) as lp:
        currency(lp)
        result = lp.funnel_result(
            by=split(by),
            period=period,
            view=view,
            date_from=day(date_from, "--from"),
            date_to=day(date_to, "--to"),
            as_of=day(as_of, "--as-of"),
        )
    emit(result, fmt)


@app.command()
def velocity(
    workspace: WorkspaceOpt = Path("."),
    by: ByOpt = None,
    period: PeriodOpt = "all",
    view: ViewOpt = "cohort",
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
    lang: LangOpt = "en",
):
    """Days to each stage (median, mean, p75) and conversion by age (Kaplan–Meier)."""
    start(lang, fmt)
    with pilot.open(workspace) as lp:
        currency(lp)
        result = lp.velocity_result(
            by=split(by),
            period=period,
            view=view,
            date_from=day(date_from, "--from"),
            date_to=day(date_to, "--to"),
            as_of=day(as_of, "--as-of"),
        )
    emit(result, fmt)


@app.command()
def content(
    workspace: WorkspaceOpt = Path("."),
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
    lang: LangOpt = "en",
):
    """Content performance: views, CTA clicks, leads first touched, downstream revenue."""
    start(lang, fmt)
    with pilot.open(workspace) as lp:
        currency(lp)
        result = lp.content_result(as_of=day(as_of, "--as-of"))
    emit(result, fmt)


@app.command()
def sources(
    workspace: WorkspaceOpt = Path("."),
    by: Annotated[str, typer.Option(help="Source dimension.")] = "channel",
    period: PeriodOpt = "all",
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
    lang: LangOpt = "en",
):
    """Lead-source mix per period: is volume shifting toward low-converting sources?"""
    start(lang, fmt)
    with pilot.open(workspace) as lp:
        currency(lp)
        result = lp.sources_result(by=by, period=period, as_of=day(as_of, "--as-of"))
    emit(result, fmt)


@app.command()
def retention(
    workspace: WorkspaceOpt = Path("."),
    months: Annotated[int, typer.Option(help="Months after creation.")] = 6,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
    lang: LangOpt = "en",
):
    """Interest retention: share of each monthly cohort still engaging k months later."""
    start(lang, fmt)
    with pilot.open(workspace) as lp:
        currency(lp)
        result = lp.retention_result(months=months, as_of=day(as_of, "--as-of"))
    emit(result, fmt)
