"""Setting a workspace up: ``init``, ``config schema``, ``generate`` and ``demo``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from .. import config as config_mod
from .common import (
    LangOpt,
    WorkspaceOpt,
    app,
    currency,
    err,
    pilot,
    progress_bar,
    progress_factory,
    start,
    terminal,
)

config_app = typer.Typer(help="Workspace configuration helpers.", no_args_is_help=True)
app.add_typer(config_app, name="config")


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Workspace folder.")] = Path("."),
    lang: LangOpt = "en",
):
    """Write a commented leadpilot.yaml into DIRECTORY, and create its empty workspace
    (the service serves it at once: a first batch can be posted to it)."""
    start(lang)
    path = config_mod.write_template(directory)
    err.print(f"wrote {path}", markup=False)
    pilot.open(directory, create=True).close()


@config_app.command("schema")
def config_schema(lang: LangOpt = "en"):
    """Print the JSON Schema of leadpilot.yaml (for editors)."""
    start(lang)
    print(json.dumps(config_mod.json_schema(), indent=2))


@app.command()
def generate(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write the six canonical tables.")],
    leads: Annotated[int, typer.Option(help="Number of leads.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data).")] = 42,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "parquet",
    lang: LangOpt = "en",
):
    """Generate a realistic synthetic B2B dataset."""
    start(lang)
    with err.status(f"generating {terminal().n(leads)} leads"):
        paths = pilot.generate(out_dir, leads=leads, seed=seed, fmt=fmt)
    for p in paths:
        err.print(f"wrote {p}", markup=False)


@app.command()
def demo(
    workspace: WorkspaceOpt = Path("demo-workspace"),
    leads: Annotated[int, typer.Option(help="Number of synthetic leads.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 42,
    lang: LangOpt = "en",
):
    """Generate -> ingest -> headline table, in one command."""
    start(lang)
    data_dir = workspace / "data"
    with err.status(f"generating {terminal().n(leads)} synthetic leads (seed {seed})"):
        pilot.generate(data_dir, leads=leads, seed=seed, fmt="parquet")
    if not (workspace / config_mod.CONFIG_FILE).exists():
        config_mod.write_template(workspace)
    with pilot.open(workspace, create=True) as lp:
        currency(lp)
        with progress_bar() as progress:
            summary = lp.ingest(data_dir, progress=progress_factory(progress))
        terminal().ingest(summary)
        result = lp.kpi_result(by=["channel"])
    terminal().show(result)
