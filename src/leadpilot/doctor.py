"""``leadpilot doctor``: what a workspace runs on, and what is wrong with it, with a fix each.

It reports the backend and its version, the capabilities it declares, the size of every
table (rows, and bytes when the engine knows them), the disk the workspace uses, and
every problem it finds — configuration, engine, missing dependencies, data — each with
the fix, in English and French. It never changes the workspace, and it still reports
when the workspace cannot be opened (that is then the problem it explains).

The document is ``{"rows": [one per table], "meta": {"backend", "capabilities", "disk",
"problems", "ok"}}``; its texts are English in JSON (codes are stable), in the chosen
language in the terminal.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import engine
from .config import CONFIG_FILE, Config, load_config
from .engine import versions
from .errors import LeadpilotError
from .schema import DERIVED, TABLES
from .sources.leadrule import rule_changed
from .text import Text

MIN_FREE_BYTES = 1 << 30  # below 1 GiB free next to the workspace: say so


@dataclass
class Problem:
    """One thing wrong, with its fix (``severity``: error stops commands, warning does not)."""

    code: str
    severity: str
    message: Text
    fix: Text

    def as_dict(self, lang: str = "en") -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message[lang],
            "fix": self.fix[lang],
        }


@dataclass
class Checkup:
    """What :func:`examine` found."""

    workspace: str
    backend: dict
    capabilities: dict
    tables: list[dict]
    disk: dict
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    def to_json(self, lang: str = "en") -> dict:
        """The ``--format json`` document (texts in English unless ``lang`` says)."""
        return {
            "rows": self.tables,
            "meta": {
                "kind": "doctor",
                "workspace": self.workspace,
                "backend": self.backend,
                "capabilities": self.capabilities,
                "disk": self.disk,
                "problems": [p.as_dict(lang) for p in self.problems],
                "ok": self.ok,
            },
        }


def _folder_bytes(path: Path) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(root, f))
            except OSError:
                pass
    return total


def _version(name: str) -> str | None:
    try:
        from importlib.metadata import version

        return version(name)
    except Exception:
        return None


def _setup_problems(root: Path, config: Config, setting: str) -> list[Problem]:
    """Problems found before connecting: the engine's own requirements, the sources."""
    out: list[Problem] = []
    cls = engine.backend_class(setting)
    requires = getattr(cls, "requirements", None)
    if requires is not None:
        for code, message, fix in requires(config, root):
            out.append(Problem(code, "error", message, fix))
    elif "spark" in config.model_dump(exclude_unset=True).get("workspace", {}):
        out.append(
            Problem(
                "spark_settings_ignored",
                "warning",
                Text(
                    "workspace.spark is set but the backend is not Spark: it is ignored",
                    "workspace.spark est renseigné mais le moteur n'est pas Spark : il est "
                    "ignoré",
                ),
                Text(
                    "set workspace.backend: spark, or remove workspace.spark",
                    "indiquez workspace.backend: spark, ou supprimez workspace.spark",
                ),
            )
        )
    for i, s in enumerate(config.sources):
        if s.path is None:
            continue
        p = Path(s.path)
        p = p if p.is_absolute() else root / p
        if not p.exists():
            out.append(
                Problem(
                    "source_file_missing",
                    "error",
                    Text(
                        f"sources[{i}] ({s.table}): {p} does not exist",
                        f"sources[{i}] ({s.table}) : {p} n'existe pas",
                    ),
                    Text(
                        f"fix sources[{i}].path in {CONFIG_FILE} (relative to its folder)",
                        f"corrigez sources[{i}].path dans {CONFIG_FILE} (relatif à son dossier)",
                    ),
                )
            )
    return out


def _data_problems(counts: dict[str, int], root: Path) -> list[Problem]:
    out = []
    ingest = f"leadpilot ingest SOURCE -w {root}"
    if counts.get("leads", 0) == 0:
        out.append(
            Problem(
                "no_leads",
                "warning",
                Text(
                    "no leads yet: every analysis is empty", "aucun lead : toute analyse est vide"
                ),
                Text(f"load your exports: {ingest}", f"chargez vos exports : {ingest}"),
            )
        )
        return out
    if counts.get("spend", 0) == 0:
        out.append(
            Problem(
                "no_spend",
                "warning",
                Text(
                    "no spend: cost KPIs (cpl, cac, roi, roas) cannot be computed",
                    "aucune dépense : les KPI de coût (cpl, cac, roi, roas) sont incalculables",
                ),
                Text(
                    f"ingest a spend file (date, channel, amount): {ingest}",
                    f"chargez un fichier spend (date, channel, amount) : {ingest}",
                ),
            )
        )
    if counts.get("touchpoints", 0) == 0:
        out.append(
            Problem(
                "no_touchpoints",
                "warning",
                Text(
                    "no touchpoints: attribution and engagement KPIs cannot be computed",
                    "aucun point de contact : attribution et KPI d'engagement incalculables",
                ),
                Text(
                    f"ingest a touchpoints file (lead_id, ts, type): {ingest}",
                    f"chargez un fichier touchpoints (lead_id, ts, type) : {ingest}",
                ),
            )
        )
    if counts.get("quarantine", 0):
        n = counts["quarantine"]
        out.append(
            Problem(
                "rows_in_quarantine",
                "warning",
                Text(
                    f"{n:,} row(s) in quarantine were not loaded",
                    f"{n:,} ligne(s) en quarantaine n'ont pas été chargées",
                ),
                Text(
                    f"see them with `leadpilot quarantine -w {root}`, fix the source and "
                    "ingest it again",
                    f"consultez-les avec `leadpilot quarantine -w {root}`, corrigez la source "
                    "puis chargez-la à nouveau",
                ),
            )
        )
    return out


_RULE_EDITED = Problem(
    "lead_rule_changed",
    "warning",
    Text(
        "the lead rule of leadpilot.yaml (leads:) changed since the last ingest: the "
        "analyses apply it as they read the data (slower on large workspaces)",
        "la règle des leads de leadpilot.yaml (leads:) a changé depuis le dernier "
        "chargement : les analyses l'appliquent en lisant les données (plus lent sur de "
        "gros espaces de travail)",
    ),
    Text(
        "ingest any file (or the same files again): the rule is then stored with the leads",
        "chargez un fichier (ou les mêmes à nouveau) : la règle est alors enregistrée avec "
        "les leads",
    ),
)


def examine(path: str | Path = ".") -> Checkup:
    """Check a workspace: backend, version, capabilities, tables, disk, problems and fixes.

    Parameters
    ----------
    path : str or Path
        The workspace folder.

    Returns
    -------
    Checkup
        ``to_json(lang)`` is the ``--format json`` document; ``ok`` is False when a problem
        stops commands.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> ws = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (ws / "leadpilot.yaml").write_text("workspace: {backend: duckdb}")
    >>> c = examine(ws)
    >>> c.backend["setting"], c.ok, [p.code for p in c.problems]
    ('duckdb', True, ['no_leads'])
    """
    root = Path(path)
    backend = {"setting": None, "engine": None, "version": None,
               "ibis": _version("ibis-framework"), "leadpilot": _version("leadpilot")}  # fmt: skip
    checkup = Checkup(str(root), backend, {}, [], {}, [])
    problems = checkup.problems
    try:
        config = load_config(root / CONFIG_FILE)
    except LeadpilotError as exc:
        problems.append(
            Problem(
                "config_invalid",
                "error",
                Text(str(exc), str(exc)),
                Text(
                    f"edit {root / CONFIG_FILE} as the message says "
                    "(`leadpilot config schema` lists every key)",
                    f"corrigez {root / CONFIG_FILE} comme l'indique le message "
                    "(`leadpilot config schema` liste toutes les clés)",
                ),
            )
        )
        return checkup
    setting = config.workspace.backend
    backend["setting"] = setting
    try:
        cls = engine.backend_class(setting)
    except LeadpilotError as exc:
        problems.append(
            Problem(
                "backend_unsupported",
                "error",
                Text(str(exc), str(exc)),
                Text(
                    f"set workspace.backend in {root / CONFIG_FILE}",
                    f"corrigez workspace.backend dans {root / CONFIG_FILE}",
                ),
            )
        )
        return checkup
    backend["engine"] = cls.name
    checkup.capabilities = dataclasses.asdict(cls.capabilities)
    problems.extend(_setup_problems(root, config, setting))
    disk = checkup.disk
    if root.exists():
        disk["workspace_bytes"] = _folder_bytes(root)
        disk["free_bytes"] = shutil.disk_usage(root).free
        if disk["free_bytes"] < MIN_FREE_BYTES:
            gib = disk["free_bytes"] / 2**30
            problems.append(
                Problem(
                    "low_disk",
                    "warning",
                    Text(
                        f"only {gib:.1f} GiB free next to the workspace: an ingest spills "
                        "to disk and may fail",
                        f"seulement {gib:.1f} Gio libres près de l'espace de travail : un "
                        "chargement déborde sur disque et peut échouer",
                    ),
                    Text("free some disk space", "libérez de l'espace disque"),
                )
            )
    if any(p.severity == "error" for p in problems):
        return checkup
    if not (root / CONFIG_FILE).exists() and not any(root.glob("*.duckdb")):
        problems.append(
            Problem(
                "not_a_workspace",
                "error",
                Text(f"{root} is not a leadpilot workspace", f"{root} n'est pas un espace de "
                     "travail leadpilot"),  # fmt: skip
                Text(
                    f"create it with `leadpilot init {root}` or ingest into it",
                    f"créez-le avec `leadpilot init {root}` ou chargez-y des données",
                ),
            )
        )
        return checkup
    try:
        ws = engine.open_workspace(root)
    except Exception as exc:
        hint = getattr(cls, "connect_fix", None)
        fix = hint(exc) if hint else Text(
            "check workspace.backend (host, port, user, password) and that the engine runs",
            "vérifiez workspace.backend (hôte, port, utilisateur, mot de passe) et que le "
            "moteur tourne",
        )  # fmt: skip
        problems.append(Problem("cannot_open", "error", Text(str(exc), str(exc)), fix))
        return checkup
    try:
        backend["version"] = str(ws.con.version)
        sizes = getattr(ws.backend, "table_bytes", None)
        sizes = sizes() if sizes else {}
        present = set(ws.con.list_tables())
        names = [n for n in (*TABLES, *[d.name for d in DERIVED.values()]) if n in present]
        counts = versions.row_counts(ws.con, tuple(names)) if names else {}
        for name in names:
            checkup.tables.append({"table": name, "rows": counts[name], "bytes": sizes.get(name)})
        extra = getattr(ws.backend, "storage", None)
        if extra:
            disk.update(extra())
        for code, message, fix in getattr(ws.backend, "storage_problems", lambda: [])():
            problems.append(Problem(code, "warning", message, fix))
        problems.extend(_data_problems(counts, root))
        if rule_changed(versions.meta_values(ws.con, list(present)), config.leads):
            problems.append(_RULE_EDITED)
    finally:
        ws.close()
    return checkup
