"""``attribution``: credit per channel under each model, side by side, from a workspace or
from an aggregated path file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from .common import (
    AsOfOpt,
    FormatOpt,
    FromOpt,
    LangOpt,
    PeriodOpt,
    ToOpt,
    WorkspaceOpt,
    app,
    day,
    emit,
    pilot,
    run,
    start,
)


@app.command()
def attribution(
    workspace: WorkspaceOpt = Path("."),
    model: Annotated[
        str, typer.Option("--model", "-m", help="Model name(s), comma-separated, or all.")
    ] = "last_touch,linear,markov",
    conversion: Annotated[
        str, typer.Option(help="lead, mql, sql, opportunity, customer or revenue.")
    ] = "customer",
    by: Annotated[str, typer.Option(help="channel, campaign or content.")] = "channel",
    lookback: Annotated[
        int | None, typer.Option(help="Days of touches before the conversion (default: config).")
    ] = None,
    period: PeriodOpt = "all",
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    paths: Annotated[
        Path | None,
        typer.Option(help="Aggregated path file (ChannelAttribution format) instead of -w."),
    ] = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
    lang: LangOpt = "en",
):
    """Credit per channel under each attribution model, side by side, with ROI.

    --from / --to select the conversions by their date (a lead that did not convert by its
    last touch); their earlier touches in the lookback window count."""
    start(lang, fmt)
    if paths is not None:
        if (
            by != "channel"
            or period != "all"
            or lookback is not None
            or conversion != "customer"
            or as_of is not None
            or date_from is not None
            or date_to is not None
        ):
            raise UsageError(
                "--paths: a path file holds channel paths and their conversions only (no "
                "dates); --by, --period, --lookback, --conversion, --from, --to and --as-of "
                "do not apply to it"
            )
        emit(pilot.path_attribution(paths, models=model, workspace=workspace), fmt)
        return
    run(workspace, lang, fmt, lambda lp: lp.attribution_result(
        models=model,
        conversion=conversion,
        by=by,
        lookback=lookback,
        period=period,
        as_of=day(as_of, "--as-of"),
        date_from=day(date_from, "--from"),
        date_to=day(date_to, "--to"),
    ))  # fmt: skip
