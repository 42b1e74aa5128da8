"""The analyses: ``kpis``, ``funnel``, ``velocity``, ``content``, ``sources``, ``retention``.

Each takes the shared options (workspace, period, by, dates, view, as-of, format,
language), calls one :class:`~leadpilot.pilot.Pilot` method and emits its Result.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
    day,
    run,
    split,
)


def _grouped(method: str, workspace, by, period, view, date_from, date_to, as_of, fmt, lang,
             **more) -> None:  # fmt: skip
    """An analysis of grouped leads: the shared options, parsed once, passed to Pilot."""
    run(workspace, lang, fmt, lambda lp: getattr(lp, method)(
        by=split(by),
        period=period,
        view=view,
        date_from=day(date_from, "--from"),
        date_to=day(date_to, "--to"),
        as_of=day(as_of, "--as-of"),
        **more,
    ))  # fmt: skip


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
    _grouped("kpi_result", workspace, by, period, view, date_from, date_to, as_of, fmt, lang,
             kpis=split(kpi))  # fmt: skip


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
    _grouped("funnel_result", workspace, by, period, view, date_from, date_to, as_of, fmt, lang)


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
    _grouped("velocity_result", workspace, by, period, view, date_from, date_to, as_of, fmt, lang)


@app.command()
def content(
    workspace: WorkspaceOpt = Path("."),
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
    lang: LangOpt = "en",
):
    """Content performance: views, CTA clicks, leads first touched, downstream revenue."""
    run(workspace, lang, fmt, lambda lp: lp.content_result(as_of=day(as_of, "--as-of")))


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
    run(workspace, lang, fmt, lambda lp: lp.sources_result(
        by=by, period=period, as_of=day(as_of, "--as-of")
    ))  # fmt: skip


@app.command()
def retention(
    workspace: WorkspaceOpt = Path("."),
    months: Annotated[int, typer.Option(help="Months after creation.")] = 6,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
    lang: LangOpt = "en",
):
    """Interest retention: share of each monthly cohort still engaging k months later."""
    run(workspace, lang, fmt, lambda lp: lp.retention_result(
        months=months, as_of=day(as_of, "--as-of")
    ))  # fmt: skip
