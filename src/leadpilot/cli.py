"""The command line: a thin Typer layer over the domain functions.

This module alone turns domain errors into a one-line message on stderr and a
non-zero exit status.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from . import config as config_mod
from .errors import LeadpilotError, UsageError, ValidationError

app = typer.Typer(
    name="leadpilot",
    help="Pilot B2B lead generation by revenue, not by volume.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
config_app = typer.Typer(help="Workspace configuration helpers.", no_args_is_help=True)
app.add_typer(config_app, name="config")

out = Console(soft_wrap=False)
err = Console(stderr=True)

WorkspaceOpt = Annotated[Path, typer.Option("--workspace", "-w", help="Workspace folder.")]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")]
# Options shared by the analysis commands, declared once.
ByOpt = Annotated[str | None, typer.Option(help="Dimensions, comma-separated.")]
PeriodOpt = Annotated[str, typer.Option(help="day, week, month, quarter, year or all.")]
ViewOpt = Annotated[str, typer.Option(help="cohort or activity.")]
FromOpt = Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD).")]
ToOpt = Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD).")]


def _progress_factory(progress: Progress):
    def factory(label: str, total: int):
        task = progress.add_task(label, total=total or None)
        return lambda n: progress.advance(task, n)

    return factory


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )


# ---------------------------------------------------------------- commands
@app.command()
def init(directory: Annotated[Path, typer.Argument(help="Workspace folder.")] = Path(".")):
    """Write a commented leadpilot.yaml into DIRECTORY."""
    path = config_mod.write_template(directory)
    err.print(f"wrote {path}")


@config_app.command("schema")
def config_schema():
    """Print the JSON Schema of leadpilot.yaml (for editors)."""
    print(json.dumps(config_mod.json_schema(), indent=2))


@app.command()
def ingest(
    source: Annotated[
        Path, typer.Argument(help="A folder of canonical files or a leadpilot.yaml.")
    ],
    workspace: WorkspaceOpt = Path("."),
    policy: Annotated[
        str | None, typer.Option(help="strict or quarantine (default: config).")
    ] = None,
    fmt: FormatOpt = "table",
):
    """Load source files into the workspace database (validated, idempotent)."""
    from .pilot import open as open_ws
    from .sources.load import ingest as do_ingest

    if policy not in (None, "strict", "quarantine"):
        raise UsageError(f"--policy {policy!r}: expected strict or quarantine")
    with open_ws(workspace, create=True) as lp, _progress() as progress:
        summary = do_ingest(
            lp.workspace, source, policy=policy, progress=_progress_factory(progress)
        )
    if fmt == "json":
        print(json.dumps(summary.as_dict(), indent=2, default=str))
        return
    _print_ingest(summary)


def _print_ingest(summary) -> None:
    t = Table(title=f"Ingest summary (policy: {summary.policy})")
    for c in ("table", "read", "loaded", "merged", "quarantined"):
        t.add_column(c, justify="left" if c == "table" else "right")
    for name, s in summary.tables.items():
        t.add_row(
            name,
            f"{s.rows_read:,}",
            f"{s.rows_loaded:,}",
            f"{s.rows_merged:,}",
            f"{s.rows_quarantined:,}",
        )
    out.print(t)
    for name, s in summary.tables.items():
        for reason, n in s.quarantine_reasons.most_common(10):
            out.print(f"  quarantined {name}: {n} × expected {reason}")
    out.print(
        f"Leads merged: {summary.leads_merged:,}"
        + "".join(f" ({n} {r})" for r, n in summary.merge_reasons.items())
        + f"; excluded by the lead rule: {summary.leads_excluded:,}; "
        f"channel derived from UTM/referrer: {summary.channels_derived:,}"
    )
    if summary.channels:
        out.print(
            "Leads by channel: "
            + ", ".join(f"{c or 'unknown'} {n:,}" for c, n in summary.channels.items())
        )
    for w in summary.warnings:
        out.print(f"[yellow]warning[/]: {w}")


@app.command()
def generate(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write the six canonical tables.")],
    leads: Annotated[int, typer.Option(help="Number of leads.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data).")] = 42,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "parquet",
):
    """Generate a realistic synthetic B2B dataset."""
    from .synth import generate as gen
    from .synth import write_tables

    if fmt not in ("csv", "parquet"):
        raise UsageError(f"--format {fmt!r}: expected csv or parquet")
    if leads < 1:
        raise UsageError("--leads must be at least 1")
    with err.status(f"generating {leads:,} leads"):
        tables = gen(leads, seed=seed)
        paths = write_tables(tables, out_dir, fmt=fmt)
    for p in paths:
        err.print(f"wrote {p}")


@app.command()
def demo(
    workspace: WorkspaceOpt = Path("demo-workspace"),
    leads: Annotated[int, typer.Option(help="Number of synthetic leads.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 42,
    lang: Annotated[str, typer.Option(help="en or fr.")] = "en",
):
    """Generate -> ingest -> headline table, in one command."""
    from .pilot import open as open_ws
    from .sources.load import ingest as do_ingest
    from .synth import generate as gen
    from .synth import write_tables

    data_dir = workspace / "data"
    with err.status(f"generating {leads:,} synthetic leads (seed {seed})"):
        write_tables(gen(leads, seed=seed), data_dir, fmt="parquet")
    if not (workspace / config_mod.CONFIG_FILE).exists():
        config_mod.write_template(workspace)
    with open_ws(workspace, create=True) as lp:
        with _progress() as progress:
            summary = do_ingest(lp.workspace, data_dir, progress=_progress_factory(progress))
        _print_ingest(summary)
        result = lp.kpi_result(by=["channel"])
    _print_kpis(result, lang)


@app.command()
def kpis(
    workspace: WorkspaceOpt = Path("."),
    period: PeriodOpt = "all",
    by: ByOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    view: ViewOpt = "cohort",
    kpi: Annotated[str | None, typer.Option(help="KPI names, comma-separated, or all.")] = None,
    fmt: FormatOpt = "table",
    lang: Annotated[str, typer.Option(help="en or fr (table labels).")] = "en",
):
    """Lead-generation KPIs by period and dimension, with their definitions."""
    from .pilot import open as open_ws

    _check_format(fmt)
    with open_ws(workspace) as lp:
        result = lp.kpi_result(
            by=_split(by),
            period=period,
            kpis=_split(kpi),
            view=view,
            date_from=_date(date_from, "--from"),
            date_to=_date(date_to, "--to"),
        )
    _emit(result, fmt, lambda r: _print_kpis(r, lang))


@app.command()
def funnel(
    workspace: WorkspaceOpt = Path("."),
    by: ByOpt = None,
    period: PeriodOpt = "all",
    view: ViewOpt = "cohort",
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    fmt: FormatOpt = "table",
):
    """The stage chain with next-step and cumulative conversion, acceptance and exits."""
    from .pilot import open as open_ws

    _check_format(fmt)
    with open_ws(workspace) as lp:
        result = lp.funnel_result(
            by=_split(by),
            period=period,
            view=view,
            date_from=_date(date_from, "--from"),
            date_to=_date(date_to, "--to"),
        )
    _emit(result, fmt, _print_funnel)


@app.command()
def velocity(
    workspace: WorkspaceOpt = Path("."),
    by: ByOpt = None,
    fmt: FormatOpt = "table",
):
    """Days to each stage (median, mean, p75) and conversion by age (Kaplan–Meier)."""
    from .pilot import open as open_ws

    _check_format(fmt)
    with open_ws(workspace) as lp:
        result = lp.velocity_result(by=_split(by))
    _emit(result, fmt, _print_velocity)


def _print_velocity(result) -> None:
    from .metrics.velocity import DURATIONS, HORIZONS

    t = Table(title=f"Velocity (days; as of {result.as_of})")
    for d in result.by:
        t.add_column(d)
    t.add_column("measure")
    for c in ("median", "mean", "p75", "n"):
        t.add_column(c, justify="right")
    for r in result.rows:
        for name in DURATIONS:
            t.add_row(
                *[str(r[d]) for d in result.by],
                name,
                *[_fmt(r[f"{name}{s}"], "days") for s in ("", "_mean", "_p75")],
                f"{r[f'{name}_n']:,}",
            )
    out.print(t)
    k = Table(title="Share converted by age (Kaplan–Meier, open leads censored)")
    for d in result.by:
        k.add_column(d)
    k.add_column("stage")
    for h in HORIZONS:
        k.add_column(f"day {h}", justify="right")
    for r in result.rows:
        for stage in ("sql", "customer"):
            k.add_row(
                *[str(r[d]) for d in result.by],
                stage,
                *[_fmt(r.get(f"{stage}_by_day_{h}"), "fraction") for h in HORIZONS],
            )
    out.print(k)
    for w in result.warnings:
        out.print(f"[yellow]note[/]: {w}")


def _print_result(result, fmt: str, title: str, units: dict[str, str]) -> None:
    _emit(result, fmt, lambda r: _print_table(r, title, units))


def _emit(result, fmt: str, print_table) -> None:
    """One place for the output contract: JSON document, CSV rows, or a terminal table."""
    if fmt == "json":
        print(json.dumps(result.to_json(), indent=2, default=str))
    elif fmt == "csv":
        _print_csv(result.rows)
    else:
        print_table(result)


def _print_table(result, title: str, units: dict[str, str]) -> None:
    t = Table(title=title)
    cols = list(result.rows[0]) if result.rows else []
    cols = [c for c in cols if not c.endswith(("_low", "_high"))]
    for c in cols:
        t.add_column(c, justify="left" if c in ("content", "cohort", "period") else "right")
    for r in result.rows:
        t.add_row(
            *[_fmt(r[c], units.get(c, "")) if not isinstance(r[c], str) else r[c] for c in cols]
        )
    out.print(t)
    for name, text in result.definitions.items():
        out.print(f"[dim]  {name}: {text}[/]")


@app.command()
def content(workspace: WorkspaceOpt = Path("."), fmt: FormatOpt = "table"):
    """Content performance: views, CTA clicks, leads first touched, downstream revenue."""
    from .metrics.secondary import content_performance
    from .pilot import open as open_ws

    _check_format(fmt)
    with open_ws(workspace) as lp:
        result = content_performance(lp.tables(), lp.config)
    _print_result(
        result, fmt, "Content performance", {"revenue": "currency", "lead_to_customer": "fraction"}
    )


@app.command()
def sources(
    workspace: WorkspaceOpt = Path("."),
    by: Annotated[str, typer.Option(help="Source dimension.")] = "channel",
    period: Annotated[
        str, typer.Option(help="day, week, month, quarter, year or all.")
    ] = "quarter",
    fmt: FormatOpt = "table",
):
    """Lead-source mix per period: is volume shifting toward low-converting sources?"""
    from .metrics.secondary import source_mix
    from .pilot import open as open_ws

    _check_format(fmt)
    with open_ws(workspace) as lp:
        result = source_mix(lp.tables(), lp.config, by=by, period=period)
    _print_result(
        result,
        fmt,
        f"Lead-source mix by {by}",
        {k: "fraction" for k in ("lead_share", "customer_share", "lead_to_customer")},
    )


@app.command()
def retention(
    workspace: WorkspaceOpt = Path("."),
    months: Annotated[int, typer.Option(help="Months after creation.")] = 6,
    fmt: FormatOpt = "table",
):
    """Interest retention: share of each monthly cohort still engaging k months later."""
    from .metrics.secondary import interest_retention
    from .pilot import open as open_ws

    _check_format(fmt)
    with open_ws(workspace) as lp:
        result = interest_retention(lp.tables(), lp.config, months=months)
    _print_result(
        result, fmt, "Interest retention", {f"month_{m}": "fraction" for m in range(months + 1)}
    )


def _check_format(fmt: str) -> None:
    if fmt not in ("table", "json", "csv"):
        raise UsageError(f"--format {fmt!r}: expected table, json or csv")


def _print_csv(rows: list[dict]) -> None:
    buf = io.StringIO()
    if rows:
        fields = list(dict.fromkeys(k for r in rows for k in r))
        w = csv.DictWriter(buf, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    sys.stdout.write(buf.getvalue())


def _print_funnel(result) -> None:
    keys = (["period"] if result.period != "all" else []) + result.by
    t = Table(title=f"Funnel — {result.view} view")
    for k in (*keys, "stage"):
        t.add_column(k)
    for c in ("count", "from previous", "from lead"):
        t.add_column(c, justify="right")
    for r in result.rows:
        t.add_row(
            *[str(r.get(k)) for k in keys],
            r["stage"] + (" (exit)" if r.get("exit") else ""),
            f"{r['count']:,}",
            _fmt(r.get("conversion_from_previous"), "fraction"),
            _fmt(r.get("conversion_from_lead"), "fraction"),
        )
    out.print(t)
    for a in result.acceptance:
        label = " ".join(str(a[k]) for k in keys) or "all"
        verdict = {True: "[green]meets[/]", False: "[red]below[/]", None: "n/a"}[
            a["meets_threshold"]
        ]
        out.print(
            f"acceptance {label}: {_fmt(a['acceptance_rate'], 'fraction')} "
            f"({a['mqls_accepted']}/{a['mqls_transmitted']} MQLs) — {verdict} the "
            f"agreed {result.threshold:.0%}"
        )
    if result.rejection_reasons:
        out.print(
            "rejection reasons: "
            + ", ".join(f"{r['reason']} {r['rejected']}" for r in result.rejection_reasons[:8])
        )
    for w in result.warnings:
        out.print(f"[yellow]note[/]: {w}")


def _split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} {value!r}: expected a date like 2025-03-31") from None


def _fmt(value, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "fraction":
        return f"{value:.1%}"
    if unit == "multiple":
        return f"{value:.2f}×"
    if unit == "days":
        return f"{value:,.1f}"
    if isinstance(value, float) and (abs(value) >= 100 or value == int(value)):
        return f"{value:,.0f}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}"


def _print_kpis(result, lang: str = "en") -> None:
    title = ("Indicateurs" if lang == "fr" else "KPIs") + f" — {result.view} view"
    keys = ["period", *result.by] if result.period != "all" else list(result.by)
    key_width = sum(max([len(k)] + [len(str(r.get(k))) + 2 for r in result.rows]) + 3 for k in keys)
    # Split wide KPI sets into several tables that fit the terminal (e.g. --kpi all).
    chunks, current, width = [], [], key_width
    for k in result.kpis:
        header = k.label_fr if lang == "fr" else k.header
        w = max(len(header), 9) + 3
        if current and width + w > out.width:
            chunks.append(current)
            current, width = [], key_width
        current.append((k, header))
        width += w
    if current:
        chunks.append(current)
    for chunk in chunks:
        t = Table(title=title)
        for k in keys:
            t.add_column(k)
        for _, header in chunk:
            t.add_column(header, justify="right")
        for r in result.rows:
            labels = [str(r.get(k) if r.get(k) is not None else "(none)") for k in keys]
            if r.get("immature") and labels:
                labels[0] += " *"  # an immature cohort: its rates will still grow
            t.add_row(*labels, *[_fmt(r.get(k.name), k.unit) for k, _ in chunk])
        out.print(t)
    out.print(f"[dim]{result.to_json()['meta']['view_rule']}[/]")
    out.print(f"[dim]Amounts in {result.currency}. Definitions:[/]")
    for k in result.kpis:
        out.print(f"[dim]  {k.name}: {k.rule}[/]")
    for w in result.warnings:
        out.print(f"[yellow]note[/]: {w}")


def main() -> None:
    try:
        app(standalone_mode=False)
    except LeadpilotError as exc:
        msg = str(exc).replace("\n", " ")
        err.print(f"leadpilot: error: {msg}", markup=False, highlight=False, soft_wrap=True)
        if isinstance(exc, ValidationError) and len(exc.problems) > 1:
            for p in exc.problems[:20]:
                err.print(f"  - {p}", markup=False, highlight=False, soft_wrap=True)
            if exc.total > 20:
                err.print(f"  … {exc.total - 20} more", markup=False, highlight=False)
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err.print("leadpilot: aborted")
        sys.exit(130)
    except Exception as exc:  # click usage errors come through here
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Exit):
            sys.exit(exc.exit_code)
        raise
