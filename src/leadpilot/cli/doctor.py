"""leadpilot doctor: what a workspace runs on and what is wrong with it, a fix for each."""

from __future__ import annotations

import json
import sys

import typer
from rich.table import Table

from ..errors import UsageError
from .common import LangOpt, WorkspaceOpt, app, out, pilot, start

LABELS = {
    "en": {
        "backend": "Backend", "version": "version", "tables": "Tables", "table": "table",
        "rows": "rows", "size": "size", "capabilities": "Capabilities", "disk": "Disk",
        "problems": "Problems", "fix": "fix", "none": "No problem found.",
        "yes": "yes", "no": "no", "error": "error", "warning": "warning",
        "workspace_bytes": "workspace folder", "free_bytes": "free next to it",
        "warehouse": "warehouse", "warehouse_bytes": "its files",
    },
    "fr": {
        "backend": "Moteur", "version": "version", "tables": "Tables", "table": "table",
        "rows": "lignes", "size": "taille", "capabilities": "Capacités", "disk": "Disque",
        "problems": "Problèmes", "fix": "correction", "none": "Aucun problème trouvé.",
        "yes": "oui", "no": "non", "error": "erreur", "warning": "avertissement",
        "workspace_bytes": "dossier de l'espace", "free_bytes": "libre à côté",
        "warehouse": "entrepôt", "warehouse_bytes": "ses fichiers",
    },
}  # fmt: skip


def _size(n, lang: str) -> str:
    if n is None:
        return "—"
    unit = {"en": ["B", "KB", "MB", "GB", "TB"], "fr": ["o", "Ko", "Mo", "Go", "To"]}[lang]
    value, i = float(n), 0
    while value >= 1024 and i < len(unit) - 1:
        value, i = value / 1024, i + 1
    text = f"{value:,.0f}" if i == 0 else f"{value:,.1f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return f"{text} {unit[i]}"


def _count(n: int, lang: str) -> str:
    text = f"{n:,}"
    return text.replace(",", "\u202f") if lang == "fr" else text


def show(doc: dict, problems, lang: str) -> None:
    t = LABELS[lang]
    meta = doc["meta"]
    b = meta["backend"]
    # French typography: a space before ':' and ';'
    colon, semi = (" : ", " ; ") if lang == "fr" else (": ", "; ")
    out.print(f"[bold]{t['backend']}[/bold]{colon}{b['setting']} ({b['engine'] or '—'}"
              f"{', ' + t['version'] + ' ' + b['version'] if b['version'] else ''}){semi}"
              f"ibis {b['ibis']}, leadpilot {b['leadpilot']}")  # fmt: skip
    if meta["capabilities"]:
        caps = ", ".join(
            f"{k}={(t['yes'] if v else t['no']) if isinstance(v, bool) else v}"
            for k, v in meta["capabilities"].items()
        )
        out.print(f"[bold]{t['capabilities']}[/bold]{colon}{caps}")
    if doc["rows"]:
        table = Table(title=t["tables"], title_justify="left")
        table.add_column(t["table"])
        table.add_column(t["rows"], justify="right")
        # DuckDB keeps no size per table (its file's size is under Disk): no column of dashes
        sized = any(r["bytes"] is not None for r in doc["rows"])
        if sized:
            table.add_column(t["size"], justify="right")
        for r in doc["rows"]:
            cells = [r["table"], _count(r["rows"], lang)]
            table.add_row(*cells, *([_size(r["bytes"], lang)] if sized else []))
        out.print(table)
    if meta["disk"]:
        parts = [
            f"{t.get(k, k)} {v if k == 'warehouse' else _size(v, lang)}"
            for k, v in meta["disk"].items()
        ]
        out.print(f"[bold]{t['disk']}[/bold]{colon}" + semi.join(parts))
    if not problems:
        out.print(t["none"])
        return
    out.print(f"[bold]{t['problems']}[/bold]{colon.rstrip()}")
    for p in problems:
        out.print(f"- [{t[p.severity]}] {p.message[lang]}", markup=False)
        out.print(f"  {t['fix']}{colon}{p.fix[lang]}", markup=False)


@app.command("doctor")
def doctor(
    workspace: WorkspaceOpt = ".",
    lang: LangOpt = "en",
    fmt: str = typer.Option("table", "--format", "-f", help="table or json."),
) -> None:
    """Check a workspace: backend and version, capabilities, table sizes, disk used, and
    anything misconfigured with a fix for each (exit status 1 when a problem stops commands)."""
    start(lang)
    if fmt not in ("table", "json"):
        raise UsageError(f"--format {fmt!r}: expected table or json")
    checkup = pilot.doctor(workspace)
    if fmt == "json":
        sys.stdout.write(json.dumps(checkup.to_json(), ensure_ascii=False, indent=1) + "\n")
    else:
        show(checkup.to_json(), checkup.problems, lang)
    if not checkup.ok:
        raise typer.Exit(1)
