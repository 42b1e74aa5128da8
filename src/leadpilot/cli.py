"""The command line: a thin Typer layer over the domain functions.

This module alone turns domain errors into a one-line message on stderr and a
non-zero exit status.
"""

from __future__ import annotations

import csv
import io
import json
import os
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
from .i18n import Formatter, check_language, tr

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
LangOpt = Annotated[
    str,
    typer.Option(
        "--lang",
        envvar="LEADPILOT_LANG",
        help="en or fr: labels, numbers, dates and amounts in tables (JSON and CSV never "
        "change).",
    ),
]
_FMT = [Formatter()]  # the command's language and the workspace's currency
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Analyse the data as of this day (YYYY-MM-DD): later events are left out "
        "(default: the latest event in the data).",
    ),
]


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
def init(
    directory: Annotated[Path, typer.Argument(help="Workspace folder.")] = Path("."),
    lang: LangOpt = "en",
):
    """Write a commented leadpilot.yaml into DIRECTORY."""
    _lang(lang)
    path = config_mod.write_template(directory)
    err.print(f"wrote {path}")


@config_app.command("schema")
def config_schema(lang: LangOpt = "en"):
    """Print the JSON Schema of leadpilot.yaml (for editors)."""
    _lang(lang)
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
    lang: LangOpt = "en",
):
    """Load source files into the workspace database (validated, idempotent)."""
    _lang(lang)
    from .pilot import open as open_ws

    if policy not in (None, "strict", "quarantine"):
        raise UsageError(f"--policy {policy!r}: expected strict or quarantine")
    created = not workspace.exists()
    try:
        with open_ws(workspace, create=True) as lp, _progress() as progress:
            _currency(lp)
            summary = lp.ingest(source, policy=policy, progress=_progress_factory(progress))
    except BaseException:
        if created:  # a failed ingest leaves no half-made workspace behind
            import shutil

            shutil.rmtree(workspace, ignore_errors=True)
        raise
    if fmt == "json":
        print(json.dumps(summary.as_dict(), indent=2, default=str))
        return
    _print_ingest(summary, workspace)


def _print_ingest(summary, workspace: Path | None = None) -> None:
    t = Table(title=f"{_t('Ingest summary')} ({_t('policy')}: {summary.policy})")
    for c in ("table", "read", "loaded", "merged", "quarantined"):
        t.add_column(_t(c), justify="left" if c == "table" else "right")
    for name, s in summary.tables.items():
        t.add_row(
            name,
            f"{_n(s.rows_read)}",
            f"{_n(s.rows_loaded)}",
            f"{_n(s.rows_merged)}",
            f"{_n(s.rows_quarantined)}",
        )
    out.print(t)
    quarantined = 0
    for name, s in summary.tables.items():
        quarantined += s.problems_quarantined
        for reason, n in s.quarantine_reasons.most_common(10):
            _line("  ", f"quarantined {name}: {_n(n)} × expected {reason}")
    if quarantined:
        where = f" -w {workspace}" if workspace is not None and str(workspace) != "." else ""
        _line("", f"{_n(quarantined)} problem(s) set aside: `leadpilot quarantine{where}` lists "
                  "each with its row, cell and fix")  # fmt: skip
    out.print(
        f"{_t('Leads merged')}: {_n(summary.leads_merged)}"
        + "".join(f" ({n} {r})" for r, n in summary.merge_reasons.items())
        + f"; {_t('excluded by the lead rule')}: {_n(summary.leads_excluded)}; "
        f"{_t('channel derived from UTM/referrer')}: {_n(summary.channels_derived)}"
        + (
            f"; {_t('no channel at all (unknown)')}: {_n(summary.channels_unknown)}"
            if summary.channels_unknown
            else ""
        ),
        markup=False,
    )
    if summary.channels:
        out.print(
            f"{_t('Leads by channel')}: "
            + ", ".join(f"{c or 'unknown'} {_n(n)}" for c, n in summary.channels.items()),
            markup=False,
        )
    for n in summary.notes:
        _line(_t("note"), n, "dim")
    for w in summary.warnings:
        _line(_t("warning"), w, "yellow")


def _line(label: str, text: str, style: str = "") -> None:
    """A labelled line whose text is printed as is (values may hold '[...]')."""
    from rich.text import Text

    line = Text()
    if label.strip():
        line.append(label, style=style or None)
        line.append(": ")
    else:
        line.append(label)
    line.append(text)
    out.print(line)


@app.command()
def quarantine(
    workspace: WorkspaceOpt = Path("."),
    table: Annotated[str | None, typer.Option(help="Only this table's records.")] = None,
    limit: Annotated[int, typer.Option(help="Rows shown in the table output (0: all).")] = 50,
    fmt: FormatOpt = "table",
    lang: LangOpt = "en",
):
    """What the last ingest of each file set aside, and why: row, column, cell, fix."""
    _lang(lang)
    from .pilot import open as open_ws

    _check_format(fmt)
    with open_ws(workspace) as lp:
        _currency(lp)
        df = lp.quarantine(table=table)
    rows = df.astype(object).where(df.notna(), None).to_dict(orient="records")
    if fmt == "json":
        print(json.dumps({"rows": rows, "meta": df.attrs.get("meta", {})}, indent=2, default=str))
        return
    if fmt == "csv":
        _print_csv(rows)
        return
    if not rows:
        out.print("The quarantine is empty: every row of the last ingests loaded.")
        return
    records = len({(r["table_name"], r["file"], r["row"], r["record"]) for r in rows})
    shown = rows if limit == 0 else rows[:limit]
    t = Table(
        title=f"{_t('Quarantine')} — {_n(len(rows))} {_t('problem(s) in')} {_n(records)} "
        f"{_t('record(s)')}"
    )
    for c in ("table", "file", "row", "column", "value", "expected"):
        t.add_column(_t(c), overflow="fold")
    for r in shown:
        t.add_row(
            r["table_name"], Path(r["file"]).name, str(r["row"]), r["column_name"] or "",
            "" if r["value"] is None else str(r["value"]), r["reason"] or "",
        )  # fmt: skip
    out.print(t)
    if len(shown) < len(rows):
        out.print(f"[dim]{_n(len(rows) - len(shown))} more: --limit 0, or --format csv[/]")
    fixes: dict[str, int] = {}
    for r in rows:
        if r["fix"]:
            fixes[r["fix"]] = fixes.get(r["fix"], 0) + 1
    for fix, n in fixes.items():
        _line(_t("fix"), f"{fix} ({_n(n)} problem(s))", "green")


@app.command()
def presets(
    name: Annotated[str | None, typer.Argument(help="A preset to show.")] = None,
    lang: LangOpt = "en",
):
    """List the export presets, or show one: its columns, stage dates and value mappings."""
    _lang(lang)
    from .sources.mapping import available_presets, preset_info

    if name is None:
        t = Table(title="Presets (sources[].preset in leadpilot.yaml)")
        t.add_column("preset")
        t.add_column("table")
        t.add_column("export")
        for n in available_presets():
            info = preset_info(n)
            t.add_row(n, info["table"] or "(any)", info["title"])
        out.print(t)
        out.print("[dim]leadpilot presets NAME shows one preset's mapping[/]")
        return
    info = preset_info(name)
    out.print(f"[bold]{name}[/] → {info['table']}", highlight=False)
    _line("", info["doc"])
    spec = info["spec"]
    t = Table(title="Columns (leadpilot column ← export header)")
    t.add_column("column")
    t.add_column("header")
    for col, header in spec.get("columns", {}).items():
        t.add_row(col, header if isinstance(header, str) else " | ".join(header))
    for stage, header in spec.get("stage_dates", {}).items():
        t.add_row(f"stage {stage} (date)", header)
    out.print(t)
    for col, mapping in spec.get("values", {}).items():
        v = Table(title=f"Values of {col} (matched exactly, then ignoring case and accents)")
        v.add_column("export value")
        v.add_column(col)
        for key, target in mapping.items():
            v.add_row("any other value" if key == "*" else key, str(target))
        out.print(v)
    if spec.get("date_formats"):
        _line("date formats (default, below yours)", ", ".join(spec["date_formats"]))
    if spec.get("money"):
        _line("money columns", ", ".join(spec["money"]))


@app.command()
def generate(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write the six canonical tables.")],
    leads: Annotated[int, typer.Option(help="Number of leads.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data).")] = 42,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "parquet",
    lang: LangOpt = "en",
):
    """Generate a realistic synthetic B2B dataset."""
    _lang(lang)
    from .synth import generate as gen
    from .synth import write_tables

    if fmt not in ("csv", "parquet"):
        raise UsageError(f"--format {fmt!r}: expected csv or parquet")
    if leads < 1:
        raise UsageError("--leads must be at least 1")
    with err.status(f"generating {_n(leads)} leads"):
        tables = gen(leads, seed=seed)
        paths = write_tables(tables, out_dir, fmt=fmt)
    for p in paths:
        err.print(f"wrote {p}")


@app.command()
def demo(
    workspace: WorkspaceOpt = Path("demo-workspace"),
    leads: Annotated[int, typer.Option(help="Number of synthetic leads.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 42,
    lang: LangOpt = "en",
):
    """Generate -> ingest -> headline table, in one command."""
    _lang(lang)
    from .pilot import open as open_ws
    from .synth import generate as gen
    from .synth import write_tables

    data_dir = workspace / "data"
    with err.status(f"generating {_n(leads)} synthetic leads (seed {seed})"):
        write_tables(gen(leads, seed=seed), data_dir, fmt="parquet")
    if not (workspace / config_mod.CONFIG_FILE).exists():
        config_mod.write_template(workspace)
    with open_ws(workspace, create=True) as lp:
        _currency(lp)
        with _progress() as progress:
            summary = lp.ingest(data_dir, progress=_progress_factory(progress))
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
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
    lang: LangOpt = "en",
):
    """Lead-generation KPIs by period and dimension, with their definitions."""
    _lang(lang)
    from .pilot import open as open_ws

    _check_format(fmt)
    with open_ws(workspace) as lp:
        _currency(lp)
        result = lp.kpi_result(
            by=_split(by),
            period=period,
            kpis=_split(kpi),
            view=view,
            date_from=_date(date_from, "--from"),
            date_to=_date(date_to, "--to"),
            as_of=_date(as_of, "--as-of"),
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
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
    lang: LangOpt = "en",
):
    """The stage chain with next-step and cumulative conversion, acceptance and exits."""
    _lang(lang)
    from .pilot import open as open_ws

    _check_format(fmt)
    with open_ws(workspace) as lp:
        _currency(lp)
        result = lp.funnel_result(
            by=_split(by),
            period=period,
            view=view,
            date_from=_date(date_from, "--from"),
            date_to=_date(date_to, "--to"),
            as_of=_date(as_of, "--as-of"),
        )
    _emit(result, fmt, _print_funnel)


@app.command()
def velocity(
    workspace: WorkspaceOpt = Path("."),
    by: ByOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
    lang: LangOpt = "en",
):
    """Days to each stage (median, mean, p75) and conversion by age (Kaplan–Meier)."""
    _lang(lang)
    from .pilot import open as open_ws

    _check_format(fmt)
    with open_ws(workspace) as lp:
        _currency(lp)
        result = lp.velocity_result(by=_split(by), as_of=_date(as_of, "--as-of"))
    _emit(result, fmt, _print_velocity)


def _print_velocity(result) -> None:
    from .metrics.velocity import DURATIONS, HORIZONS

    t = Table(
        title=f"{_t('Velocity')} ({_t('days')}; {_t('as of')} {_date_text(result.as_of)})"
    )
    for d in result.by:
        t.add_column(_t(d))
    t.add_column(_t("measure"))
    for c in ("median", "mean", "p75", "n"):
        t.add_column(_t(c), justify="right")
    from .metrics.catalog import CATALOG

    for r in result.rows:
        for name in DURATIONS:
            shown = CATALOG[name].label_fr if _FMT[0].lang == "fr" and name in CATALOG else name
            t.add_row(
                *[_label(r[d]) for d in result.by],
                shown,
                *[_fmt(r[f"{name}{s}"], "days") for s in ("", "_mean", "_p75")],
                _n(r[f'{name}_n']),
            )
    out.print(t)
    k = Table(title=_t("Share converted by age (Kaplan–Meier, open leads censored)"))
    for d in result.by:
        k.add_column(_t(d))
    k.add_column(_t("stage"))
    for h in HORIZONS:
        k.add_column(f"{_t('day')} {h}", justify="right")
    for r in result.rows:
        for stage in ("sql", "customer"):
            k.add_row(
                *[_label(r[d]) for d in result.by],
                stage,
                *[_fmt(r.get(f"{stage}_by_day_{h}"), "fraction") for h in HORIZONS],
            )
    out.print(k)
    _notes(result.warnings)


def _print_result(
    result,
    fmt: str,
    title: str,
    units: dict[str, str],
    dims: tuple[str, ...] = (),
    report: str | None = None,
) -> None:
    title = _t(title)
    if getattr(result, "as_of", None) is not None and result.as_of.label:
        title += f" — {_t('as of')} {_date_text(result.as_of.label)}"
    _emit(result, fmt, lambda r: _print_table(r, title, units, dims, report))


def _emit(result, fmt: str, print_table) -> None:
    """One place for the output contract: JSON document, CSV rows, or a terminal table."""
    if fmt == "json":
        print(json.dumps(result.to_json(), indent=2, default=str))
    elif fmt == "csv":
        _print_csv(result.rows)
    else:
        print_table(result)


def _label(value) -> str:
    """A group value in a table: a missing one is the group '(none)' (JSON keeps null)."""
    from .metrics.compute import NONE

    return NONE if value is None else str(value)


def _print_table(
    result,
    title: str,
    units: dict[str, str],
    dims: tuple[str, ...] = (),
    report: str | None = None,
) -> None:
    from .metrics.catalog import REPORT_MEASURES

    measures = REPORT_MEASURES.get(report or "", {})
    t = Table(title=title)
    cols = list(result.rows[0]) if result.rows else []
    cols = [c for c in cols if not c.endswith(("_low", "_high"))]
    for c in cols:
        header = _t(c)
        if _FMT[0].lang == "fr" and c in measures:
            header = measures[c].label_fr
        t.add_column(header, justify="left" if c in ("content", "cohort", "period", *dims)
                     else "right")  # fmt: skip
    for r in result.rows:
        t.add_row(
            *[
                _label(r[c])
                if c in dims
                else (_fmt(r[c], units.get(c, "")) if not isinstance(r[c], str) else r[c])
                for c in cols
            ]
        )
    out.print(t)
    for name, text in _definitions(result).items():
        rule = _rule(measures[name]) if name in measures else text
        _dim(f"  {name}: {rule}")
    _notes(getattr(result, "warnings", []))


@app.command()
def content(
    workspace: WorkspaceOpt = Path("."),
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
    lang: LangOpt = "en",
):
    """Content performance: views, CTA clicks, leads first touched, downstream revenue."""
    _lang(lang)
    from .pilot import open as open_ws

    _check_format(fmt)
    with open_ws(workspace) as lp:
        _currency(lp)
        result = lp.content_result(as_of=_date(as_of, "--as-of"))
    _print_result(
        result,
        fmt,
        "Content performance",
        {"revenue": "currency", "lead_to_customer": "fraction"},
        report="content",
    )


@app.command()
def sources(
    workspace: WorkspaceOpt = Path("."),
    by: Annotated[str, typer.Option(help="Source dimension.")] = "channel",
    period: Annotated[
        str, typer.Option(help="day, week, month, quarter, year or all.")
    ] = "quarter",
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
    lang: LangOpt = "en",
):
    """Lead-source mix per period: is volume shifting toward low-converting sources?"""
    _lang(lang)
    from .pilot import open as open_ws

    _check_format(fmt)
    with open_ws(workspace) as lp:
        _currency(lp)
        result = lp.sources_result(by, period, as_of=_date(as_of, "--as-of"))
    _print_result(
        result,
        fmt,
        f"{_t('Lead-source mix by')} {by}",
        {k: "fraction" for k in ("lead_share", "customer_share", "lead_to_customer")},
        dims=(by,),
        report="sources",
    )


@app.command()
def retention(
    workspace: WorkspaceOpt = Path("."),
    months: Annotated[int, typer.Option(help="Months after creation.")] = 6,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
    lang: LangOpt = "en",
):
    """Interest retention: share of each monthly cohort still engaging k months later."""
    _lang(lang)
    from .pilot import open as open_ws

    _check_format(fmt)
    with open_ws(workspace) as lp:
        _currency(lp)
        result = lp.retention_result(months, as_of=_date(as_of, "--as-of"))
    _print_result(
        result,
        fmt,
        "Interest retention",
        {f"month_{m}": "fraction" for m in range(months + 1)},
        report="retention",
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
    t = Table(
        title=f"{_t('Funnel')} — {_t(result.view + ' view')} — {_t('as of')} "
        f"{_date_text(result.as_of.label)}"
    )
    for k in (*keys, "stage"):
        t.add_column(_t(k))
    for c in ("count", "from previous", "from lead"):
        t.add_column(_t(c), justify="right")
    for r in result.rows:
        t.add_row(
            *[_label(r.get(k)) for k in keys],
            r["stage"] + (f" ({_t('exit')})" if r.get("exit") else ""),
            f"{_n(r['count'])}",
            _fmt(r.get("conversion_from_previous"), "fraction"),
            _fmt(r.get("conversion_from_lead"), "fraction"),
        )
    out.print(t)
    for a in result.acceptance:
        label = " ".join(_label(a[k]) for k in keys) or _t("all")
        if not a["measured"]:  # no verdict on a rate the data does not hold
            why = "no MQL" if a["reason"] == "no MQL in the group" else "no sal/rejected event"
            out.print(f"{_t('acceptance')} {label}: {_t('not measured')} ({_t(why)})")
            continue
        verdict = (
            f"[green]{_t('meets')}[/]" if a["meets_threshold"] else f"[red]{_t('below')}[/]"
        )
        out.print(
            f"{_t('acceptance')} {label}: {_fmt(a['acceptance_rate'], 'fraction')} "
            f"({_n(a['mqls_accepted'])}/{_n(a['mqls_transmitted'])} MQL) — {verdict} "
            f"{_t('the agreed')} {_p(result.threshold, 0)}"
        )
    if result.rejection_reasons:
        _line(
            _t("rejection reasons"),
            ", ".join(f"{r['reason']} {_n(r['rejected'])}" for r in result.rejection_reasons[:8]),
        )
    _notes(result.warnings)


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
    """A cell for a person: numbers, rates, amounts and days in the command's language."""
    return _FMT[0].value(value, unit)


def _n(value) -> str:
    return _FMT[0].number(value)


def _p(value, digits: int = 1) -> str:
    return _FMT[0].percent(value, digits)


def _t(text: str) -> str:
    """Interface text in the command's language."""
    return tr(text, _FMT[0].lang)


def _date_text(value) -> str:
    return _FMT[0].date(value)


def _dim(text: str) -> None:
    """A footnote line, printed as written (rules hold '[...]')."""
    from rich.text import Text

    out.print(Text(text, style="dim"))


def _notes(warnings) -> None:
    for w in warnings:
        _line(_t("note"), str(w), "yellow")


def _rule(kpi) -> str:
    """A KPI's calculation rule in the command's language (English when none is written)."""
    if _FMT[0].lang == "fr" and getattr(kpi, "rule_fr", None):
        return kpi.rule_fr
    return kpi.rule


def _definitions(result) -> dict[str, str]:
    """A result's definitions in the command's language (English when none is written)."""
    lang = _FMT[0].lang
    for attr in ("definitions_in",):
        fn = getattr(result, attr, None)
        if callable(fn):
            return fn(lang)
    if lang == "fr" and isinstance(getattr(result, "definitions_fr", None), dict):
        return {**result.definitions, **result.definitions_fr}
    return dict(result.definitions)


def _lang(lang: str) -> None:
    """Every command calls this first: an unknown language is an error, never ignored."""
    _FMT[0] = Formatter(check_language(lang))


def _currency(lp) -> None:
    """Amounts are shown in the workspace's currency."""
    _FMT[0] = Formatter(_FMT[0].lang, lp.config.currency)


def _print_kpis(result, lang: str | None = None) -> None:
    lang = lang or _FMT[0].lang
    title = f"{_t('KPIs')} — {_t(result.view + ' view')}"
    if result.as_of is not None and result.as_of.label:
        title += f" — {_t('as of')} {_date_text(result.as_of.label)}"
    keys = ["period", *result.by] if result.period != "all" else list(result.by)
    key_width = sum(
        max([len(k)] + [len(_label(r.get(k))) + 2 for r in result.rows]) + 3 for k in keys
    )
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
            t.add_column(_t(k))
        for _, header in chunk:
            t.add_column(header, justify="right")
        for r in result.rows:
            labels = [_label(r.get(k)) for k in keys]
            if r.get("immature") and labels:
                labels[0] += " *"  # an immature cohort: its rates will still grow
            t.add_row(*labels, *[_fmt(r.get(k.name), k.unit) for k, _ in chunk])
        out.print(t)
    meta = result.to_json()["meta"]
    _dim(result.view_rule_in(_FMT[0].lang))
    if meta["as_of"]:
        _dim(f"{_t('as of')} {_date_text(meta['as_of'])}: {result.as_of.rule_in(_FMT[0].lang)}.")
    if any(r.get("immature") for r in result.rows):
        _dim(f"* {_t('immature cohort: its rates will still grow')}")
    _dim(f"{_t('Amounts in')} {result.currency}. {_t('Definitions')}:")
    for k in result.kpis:
        _dim(f"  {k.name}: {_rule(k)}")
    _notes(result.warnings)


# ---------------------------------------------------------------- attribution
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
    paths: Annotated[
        Path | None,
        typer.Option(help="Aggregated path file (ChannelAttribution format) instead of -w."),
    ] = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
    lang: LangOpt = "en",
):
    """Credit per channel under each attribution model, side by side, with ROI."""
    _lang(lang)
    from .attribution import compute_attribution_from_paths

    _check_format(fmt)
    if paths is not None:
        if (
            by != "channel"
            or period != "all"
            or lookback is not None
            or conversion != "customer"
            or as_of is not None
        ):
            raise UsageError(
                "--paths: a path file holds channel paths and their conversions only; "
                "--by, --period, --lookback, --conversion and --as-of do not apply to it"
            )
        cfg = config_mod.load_config(workspace) if workspace.exists() else None
        result = compute_attribution_from_paths(paths, cfg, models=model)
    else:
        from .pilot import open as open_ws

        with open_ws(workspace) as lp:
            _currency(lp)
            result = lp.attribution_result(
                models=model,
                conversion=conversion,
                by=by,
                lookback=lookback,
                period=period,
                as_of=_date(as_of, "--as-of"),
            )
    _emit(result, fmt, _print_attribution)


def _print_attribution(result) -> None:
    by, models = result.by, result.models
    periods = list(dict.fromkeys(r["period"] for r in result.rows))
    costs = bool(result.rows) and "spend" in result.rows[0]
    if len(models) == 1:
        cols = ["conversions", "revenue", "share"]
        cols += ["spend", "cost_per_conversion", "roas", "roi"] if costs else []
        units = {"share": "fraction", "roas": "multiple", "roi": "fraction",
                 "revenue": "currency", "spend": "currency",
                 "cost_per_conversion": "currency"}  # fmt: skip
        t = Table(title=f"{_t('Attribution')} — {models[0]} ({result.conversion})")
        for c in (["period"] if len(periods) > 1 else []) + [by, *cols]:
            t.add_column(_t(c.replace("cost_per_conversion", "cost/conv")),
                         justify="left" if c in ("period", by) else "right")  # fmt: skip
        for r in result.rows:
            keys = ([r["period"]] if len(periods) > 1 else []) + [_label(r[by])]
            t.add_row(*keys, *[_fmt(r.get(c), units.get(c, "")) for c in cols])
        out.print(t)
    else:
        cells = {(r["model"], r["period"], r[by]): r for r in result.rows}
        spread = {(s["period"], s[by]): s["spread"] for s in result.spread}
        keys = list(dict.fromkeys((r["period"], r[by]) for r in result.rows))
        # Models side by side, split into tables that fit the terminal.
        width = max([len(by)] + [len(_label(k[1])) for k in keys]) + 4
        chunks, cur, used = [], [], width + (10 if len(periods) > 1 else 0)
        for m in models:
            w = max(len(m), 8) + 3
            if cur and used + w > out.width - 10:
                chunks.append(cur)
                cur, used = [], width + (10 if len(periods) > 1 else 0)
            cur.append(m)
            used += w
        chunks.append(cur)
        for i, chunk in enumerate(chunks):
            t = Table(
                title=f"{_t('Attributed conversions and share by model')} ({result.conversion})"
            )
            if len(periods) > 1:
                t.add_column(_t("period"))
            t.add_column(_t(by))
            for m in chunk:
                t.add_column(m, justify="right")
            last = i == len(chunks) - 1
            if last:
                t.add_column(_t("spread"), justify="right")
            for k in keys:
                row = [k[0]] if len(periods) > 1 else []
                row.append(_label(k[1]))
                for m in chunk:
                    c = cells.get((m, *k))
                    row.append(
                        f"{_fmt(c['conversions'], '')} {_fmt(c['share'], 'fraction')}" if c else "–"
                    )
                if last:
                    row.append(_fmt(spread.get(k), "fraction"))
                t.add_row(*row)
            out.print(t)
        if costs:
            for chunk in chunks:
                t = Table(title=_t("ROI by model ((attributed revenue - spend) / spend)"))
                if len(periods) > 1:
                    t.add_column(_t("period"))
                t.add_column(_t(by))
                t.add_column(_t("spend"), justify="right")
                for m in chunk:
                    t.add_column(m, justify="right")
                for k in keys:
                    first = cells.get((chunk[0], *k)) or {}
                    row = ([k[0]] if len(periods) > 1 else []) + [_label(k[1])]
                    row.append(_fmt(first.get("spend"), "currency"))
                    row += [_fmt((cells.get((m, *k)) or {}).get("roi"), "fraction")
                            for m in chunk]  # fmt: skip
                    t.add_row(*row)
                out.print(t)
    as_of = (
        f"; {_t('as of')} {_date_text(result.as_of.label)} ({result.as_of.rule_in(_FMT[0].lang)})"
        if result.as_of
        else ""
    )
    _dim(
        f"{_t('Source')}: {result.source}{as_of}; {_t('Amounts in')} {result.currency}. "
        f"{_t('Definitions')}:"
    )
    for name, text in _definitions(result).items():
        _dim(f"  {name}: {text}")
    _notes(result.warnings)


# ---------------------------------------------------------------- lead scoring
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
    _lang(lang)
    from .pilot import open as open_ws

    _check_format(fmt)
    with open_ws(workspace) as lp, err.status("training") as status:
        _currency(lp)
        result = lp.score_train(
            target=target, horizon=horizon, model=model, status=lambda m: status.update(m)
        )
    _emit(result, fmt, _print_train)


def _print_train(result) -> None:
    from rich.markup import escape  # column names and values may hold [brackets]

    c = result.card
    within = f"within {c['horizon_days']} days" if c["horizon_days"] else "outcomes final"
    t = Table(title=f"{_t('Scoring model')} — {c['model']} (target {c['target']}, {within})")
    t.add_column(_t("measure"))
    t.add_column(_t("value"), justify="right")
    pop, m = c["population"], c["metrics"]
    held_out = _fmt(m["held_out_auc"], "")
    if m.get("held_out_auc_warning"):
        held_out = f"[bold red]{held_out} — too good: leakage, see the warning below[/]"
    for label, value in (
        ("leads with a known outcome", f"{_n(pop['leads_known_outcome'])}"),
        ("left out (younger than the horizon)", f"{_n(pop['leads_too_young'])}"),
        ("converted", f"{_n(pop['positives'])}"),
        ("train + validation / held out",
         f"{_n(pop['train_leads'])} / {_n(pop['held_out_leads'])}"),  # fmt: skip
        ("validation AUC logistic", _fmt(m["validation_auc"].get("logistic"), "")),
        ("validation AUC boosted", _fmt(m["validation_auc"].get("boosted"), "")),
        ("held-out AUC", held_out),
        ("held-out Brier score", _fmt(m["held_out_brier"], "")),
        ("training period", f"{c['training_period']['from'][:10]} – "
                            f"{c['training_period']['to'][:10]}"),  # fmt: skip
        ("split", c["split"]["kind"]),
    ):
        t.add_row(_t(label), value)
    out.print(t)
    guard = c.get("guard", {})
    if guard.get("left_out"):
        g = Table(title="Columns left out of the features (leakage guard)")
        for col in ("column", "reason", "detail"):
            g.add_column(col)
        for x in guard["left_out"]:
            g.add_row(escape(x["column"]), escape(x["reason"]), escape(x["detail"]))
        out.print(g)
    for x in guard.get("included_despite_guard", []):
        out.print(
            f"[yellow]included by scoring.model.include[/]: {escape(x['column'])} "
            f"({escape(x['reason'])}: {escape(x['detail'])})"
        )
    for x in c.get("leakage_suspects", []):
        out.print(
            f"[bold yellow]leakage suspect[/]: {escape(x['feature'])}: {escape(x['why'])}; "
            f"{escape(x['advice'])}",
            highlight=False,
        )
    bands = f"; bands: {escape(_bands_text(c['bands']))}" if c.get("bands") else ""
    out.print(f"[dim]{len(c['features'])} features; saved in models/ with its card{bands}[/]")
    out.print("[dim]To use a left-out column anyway: scoring.model.include in leadpilot.yaml[/]")
    _notes(result.warnings)


@score_app.command("evaluate")
def score_evaluate(
    workspace: WorkspaceOpt = Path("."), fmt: FormatOpt = "table", lang: LangOpt = "en"
):
    """AUC, calibration, lift by decile and acceptance of the model and the rules score."""
    _lang(lang)
    from .pilot import open as open_ws

    _check_format(fmt)
    with open_ws(workspace) as lp:
        _currency(lp)
        result = lp.score_evaluate()
    _emit(result, fmt, _print_evaluation)


def _print_evaluation(result) -> None:
    fractions = ("base_rate", "conversion_above", "conversion_below", "mql_precision_sal",
                 "mql_precision_sql")  # fmt: skip
    t = Table(title=_t("Scores on held-out leads"))
    t.add_column(_t("measure"))
    for r in result.rows:
        t.add_column(r["score"], justify="right")
    for key in [k for k in (result.rows[0] if result.rows else {}) if k != "score"]:
        if key == "auc_warning":  # printed as a note below, the AUC cell says so
            continue
        unit = "fraction" if key in fractions else ""
        cells = [_fmt(r[key], unit) for r in result.rows]
        if key == "auc":
            cells = [
                f"[bold red]{c} — too good: leakage, see the note[/]" if r.get("auc_warning")
                else c
                for c, r in zip(cells, result.rows, strict=True)
            ]
        t.add_row(key, *cells)
    out.print(t)
    for name, text in _definitions(result).items():
        _dim(f"  {name}: {text}")
    for name, rows in result.details["deciles"].items():
        t = Table(title=f"Lift and cumulative gains by decile — {name}")
        for c in ("decile", "n", "rate", "lift", "cumulative gain"):
            t.add_column(c, justify="right")
        for r in rows:
            t.add_row(
                str(r["decile"]),
                f"{_n(r['n'])}",
                _fmt(r["rate"], "fraction"),
                _fmt(r["lift"], "multiple"),
                _fmt(r["cumulative_gain"], "fraction"),
            )
        out.print(t)
    for name, rows in result.details["reliability"].items():
        t = Table(title=f"Reliability — {name}")
        for c in ("bin", "n", "mean predicted", "observed"):
            t.add_column(c, justify="right")
        for r in rows:
            if r["n"]:
                t.add_row(f"{r['low']:.1f}–{r['high']:.1f}", f"{_n(r['n'])}",
                          _fmt(r["mean_predicted"], "fraction"),
                          _fmt(r["observed_rate"], "fraction"))  # fmt: skip
        out.print(t)
    _notes(result.warnings)


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
    _lang(lang)
    from rich.progress import MofNCompleteColumn, TimeElapsedColumn

    from .pilot import open as open_ws

    _check_format(fmt)
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    with open_ws(workspace) as lp, bar:
        _currency(lp)
        df = lp.score_apply(
            input=input_file,
            as_of=_date(as_of, "--as-of"),
            reasons=reasons,
            progress=_progress_factory(bar),
        )
    meta = df.attrs["meta"]
    if out_file is not None:
        with open(out_file, "wb") as f:
            _write_scores_csv(df, f)
        err.print(f"wrote {_n(len(df))} scores to {out_file}")
        err.print(f"bands: {_bands_text(meta['bands'])}", markup=False)
        for w in meta["warnings"]:
            err.print(f"note: {w}", markup=False)
        return
    if fmt == "json":
        # pandas writes a million rows in C; the document is the usual {"rows", "meta"}
        rows = df.to_json(orient="records", double_precision=15, force_ascii=False)
        head = json.dumps(meta, indent=2, default=str)
        sys.stdout.write(f'{{"rows": {rows},\n"meta": {head}}}\n')
    elif fmt == "csv":
        buffer = io.BytesIO()
        _write_scores_csv(df, buffer)
        sys.stdout.write(buffer.getvalue().decode("utf-8"))
        for w in meta["warnings"]:
            err.print(f"note: {w}", markup=False)
    else:
        _print_scores(df)


class _Rows:
    """A table of rows and its meta, for the output contract."""

    def __init__(self, rows: list[dict], meta: dict):
        self.rows, self.meta = rows, meta
        self.definitions = meta.get("definitions", {})

    def to_json(self) -> dict:
        return {"rows": self.rows, "meta": self.meta}


def _write_scores_csv(df, stream) -> None:
    """The scores as CSV, as pandas writes them (no quotes unless needed, True / False;
    whole floats without '.0') but through Arrow's writer: a million rows in about a second
    where pandas takes four. When a value needs quotes (a comma in a reason) pandas writes
    the file instead."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pa_csv

    table = pa.Table.from_pandas(df, preserve_index=False)
    for i, name in enumerate(table.column_names):
        if pa.types.is_boolean(table.schema.field(name).type):
            text = pc.if_else(table.column(name), pa.scalar("True"), pa.scalar("False"))
            table = table.set_column(i, name, text)
    buffer = io.BytesIO()
    buffer.write((",".join(table.column_names) + "\n").encode("utf-8"))
    try:
        options = pa_csv.WriteOptions(include_header=False, quoting_style="none")
        pa_csv.write_csv(table, buffer, options)
    except pa.ArrowInvalid:  # a value holds a comma, a quote or a line break
        buffer = io.BytesIO(df.to_csv(index=False).encode("utf-8"))
    stream.write(buffer.getbuffer())


def _bands_text(bands: dict) -> str:
    from .scoring.bands import text

    return text(bands)


def _print_scores(df) -> None:
    """The 20 best leads, the count and share of leads per band, and the bands' rule."""
    from rich.markup import escape  # reasons hold '[personal data]', not markup

    meta = df.attrs["meta"]
    top = df.sort_values("score", ascending=False, kind="stable").head(20)
    shown = [
        {k: escape(v) if isinstance(v, str) else v for k, v in row.items()}
        for row in top.astype(object).where(top.notna(), None).to_dict(orient="records")
    ]
    title = (
        f"{_t('Top')} {len(shown)} {_t('of')} {_n(len(df))} {_t('leads')} "
        f"(score: {meta['score']}, {_t('as of')} {_date_text(meta['as_of'])})"
    )
    _print_table(_Rows(shown, {}), title, {})
    counts = df["band"].value_counts()
    out.print(
        f"{_t('Leads by band')}: "
        + ", ".join(
            f"{b} {_n(int(counts.get(b, 0)))} ({_p(meta['bands']['shares'][b])})" for b in "ABCD"
        )
    )
    out.print(f"[dim]bands: {escape(_bands_text(meta['bands']))}[/]")
    from .metrics.catalog import texts_in
    from .scoring.apply import DEFINITIONS

    _dim(f"{_t('Definitions')}:")
    for name, text in texts_in(DEFINITIONS, _FMT[0].lang).items():
        _dim(f"  {name}: {text}")
    _notes(meta["warnings"])


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
    _lang(lang)
    from .pilot import open as open_ws

    _check_format(fmt)
    with open_ws(workspace) as lp:
        _currency(lp)
        result = lp.score_threshold(
            capacity=capacity, target_acceptance=target_acceptance, using=using
        )
    _emit(result, fmt, _print_threshold)


def _print_threshold(result) -> None:
    t = Table(title=f"{_t('Threshold trade-off')} ({result.using} score)")
    for c in ("threshold", "MQLs/month", "acceptance", "conversion", "customers/month", ""):
        t.add_column(c, justify="right")
    for r in result.rows:
        t.add_row(_fmt(r["threshold"], ""), _fmt(r["mqls_per_month"], ""),
                  _fmt(r["expected_acceptance"], "fraction"), _fmt(r["conversion"], "fraction"),
                  _fmt(r["expected_customers_per_month"], ""),
                  "[bold green]◀ recommended[/]" if r["recommended"] else "")  # fmt: skip
    out.print(t)
    rec = "none" if result.recommended is None else _fmt(result.recommended, "")
    _line(_t("recommended threshold"), f"{rec} ({result.rule})")
    pop = result.population
    if pop:
        out.print(
            f"[dim]rates from {_n(pop['held_out_leads'])} held-out leads, per month for the "
            f"{_n(pop['leads_known_outcome'])} leads with a known outcome over "
            f"{pop['months']:.1f} months ({str(pop['created_from'])[:10]} – "
            f"{str(pop['created_to'])[:10]})[/]"
        )
    for name, text in _definitions(result).items():
        _dim(f"  {name}: {text}")
    _notes(result.warnings)


def _wants_json(args: list[str]) -> bool:
    for i, a in enumerate(args):
        if a in ("--format=json", "-f=json"):
            return True
        if a in ("--format", "-f") and i + 1 < len(args) and args[i + 1] == "json":
            return True
    return False


def _error_document(exc: LeadpilotError) -> dict:
    doc = {"error": {"type": type(exc).__name__, "message": str(exc)}}
    if isinstance(exc, ValidationError):
        doc["error"]["total"] = exc.total
        doc["error"]["problems"] = [p.as_dict() for p in exc.problems]
    return doc


def main() -> None:
    try:
        app(standalone_mode=False)
    except LeadpilotError as exc:
        if _wants_json(sys.argv[1:]):
            # scripts get every problem, on stdout, as JSON; the one line still goes to stderr
            print(json.dumps(_error_document(exc), indent=2, default=str))
        msg = str(exc).replace("\n", " ")
        err.print(f"leadpilot: error: {msg}", markup=False, highlight=False, soft_wrap=True)
        if isinstance(exc, ValidationError) and len(exc.problems) > 1:
            for p in exc.problems[:20]:
                err.print(f"  - {p}", markup=False, highlight=False, soft_wrap=True)
            if exc.total > 20:
                err.print(
                    f"  … {_n(exc.total - 20)} more: --format json lists every one",
                    markup=False,
                    highlight=False,
                )
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err.print("leadpilot: aborted")
        sys.exit(130)
    except Exception as exc:
        # Command-line usage errors (click's, or typer's own since typer 0.2x) show themselves.
        code = getattr(exc, "exit_code", None)
        if code is not None and callable(getattr(exc, "show", None)):
            exc.show()
            sys.exit(code)
        if code is not None and type(exc).__name__ == "Exit":
            sys.exit(code)
        if os.environ.get("LEADPILOT_DEBUG"):
            raise
        err.print(
            f"leadpilot: internal error: {type(exc).__name__}: {exc} "
            "(a bug: please report it; LEADPILOT_DEBUG=1 shows the traceback)",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(70)
