"""``score train | evaluate | apply | threshold``: lead scoring, rules and model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import MofNCompleteColumn, TimeElapsedColumn

from ..results.render import write_frame_csv
from ..results.terminal import bands_text
from .common import (
    FormatOpt,
    LangOpt,
    WorkspaceOpt,
    app,
    currency,
    day,
    emit,
    err,
    pilot,
    progress_bar,
    progress_factory,
    run,
    start,
    terminal,
)

score_app = typer.Typer(
    help="Lead scoring: rules and a predictive model, evaluated against outcomes.",
    no_args_is_help=True,
)
app.add_typer(score_app, name="score")


@score_app.command("train")
def score_train(
    workspace: WorkspaceOpt = Path("."),
    target: Annotated[
        str | None, typer.Option(help="sql, opportunity or customer (default: config).")
    ] = None,
    horizon: Annotated[
        int | None,
        typer.Option(help="Days after creation to reach the target (0: outcomes are final)."),
    ] = None,
    model: Annotated[str, typer.Option(help="auto (chosen on validation), logistic, boosted.")] = (
        "auto"
    ),
    fmt: FormatOpt = "table",
    lang: LangOpt = "en",
):
    """Train the predictive model on leads whose outcome is known; save it in the workspace."""

    def train(lp):
        with err.status("training") as status:
            return lp.score_train(
                target=target, horizon=horizon, model=model, status=lambda m: status.update(m)
            )

    run(workspace, lang, fmt, train)


@score_app.command("evaluate")
def score_evaluate(
    workspace: WorkspaceOpt = Path("."), fmt: FormatOpt = "table", lang: LangOpt = "en"
):
    """AUC, calibration, lift by decile and acceptance of the model and the rules score."""
    run(workspace, lang, fmt, lambda lp: lp.score_evaluate())


@score_app.command("apply")
def score_apply(
    workspace: WorkspaceOpt = Path("."),
    input_file: Annotated[
        Path | None, typer.Option("--input", help="A new leads file (canonical layout).")
    ] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the scores as CSV.")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Score as of this day (default: data end).")
    ] = None,
    reasons: Annotated[bool, typer.Option(help="Add the top three reasons.")] = True,
    fmt: FormatOpt = "table",
    lang: LangOpt = "en",
):
    """Score every workspace lead (kept for --by score_band) or the leads of a new file."""
    start(lang, fmt)
    bar = progress_bar(MofNCompleteColumn(), TimeElapsedColumn())
    with pilot.open(workspace) as lp, bar:
        currency(lp)
        result = lp.score_apply_result(
            input=input_file,
            as_of=day(as_of, "--as-of"),
            reasons=reasons,
            progress=progress_factory(bar),
        )
    if out_file is not None:
        with open(out_file, "wb") as f:
            write_frame_csv(result.frame, f)
        err.print(f"wrote {terminal().n(len(result))} scores to {out_file}", markup=False)
        err.print(f"bands: {bands_text(result.meta['bands'])}", markup=False)
        _notes_on_stderr(result)
        return
    emit(result, fmt)
    if fmt == "csv":
        _notes_on_stderr(result)


def _notes_on_stderr(result) -> None:
    """The scores went to a file or to stdout as CSV: the notes go to stderr."""
    for w in result.warnings:
        err.print(f"note: {w}", markup=False)


@score_app.command("threshold")
def score_threshold(
    workspace: WorkspaceOpt = Path("."),
    capacity: Annotated[
        float | None, typer.Option(help="MQLs sales can handle per month.")
    ] = None,
    target_acceptance: Annotated[
        float | None, typer.Option(help="Acceptance rate to reach, e.g. 0.6.")
    ] = None,
    using: Annotated[str, typer.Option(help="auto, model or rules.")] = "auto",
    fmt: FormatOpt = "table",
    lang: LangOpt = "en",
):
    """Recommend the threshold that fits sales capacity or a target acceptance rate."""
    run(workspace, lang, fmt, lambda lp: lp.score_threshold(
        capacity=capacity, target_acceptance=target_acceptance, using=using
    ))  # fmt: skip

