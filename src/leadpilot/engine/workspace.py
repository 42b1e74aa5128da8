"""A workspace: a folder holding leadpilot.yaml and (by default) its embedded database."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

import ibis

from ..config import CONFIG_FILE, Config, load_config
from ..errors import WorkspaceError
from ..schema import DERIVED, TABLES
from .base import Backend, backend_class, table_schema


@dataclass
class Workspace:
    """A folder holding leadpilot.yaml and (by default) its embedded database."""

    root: Path
    config: Config
    con: ibis.BaseBackend = field(repr=False)

    @property
    def backend(self) -> Backend:
        """The engine behind the workspace, with its capabilities."""
        return Backend.of(self.con)

    @property
    def backend_name(self) -> str:
        return self.con.name

    def table(self, name: str) -> ibis.Table:
        return self.con.table(name)

    def has_table(self, name: str) -> bool:
        return name in self.con.list_tables()

    def materialize(self, expr: ibis.Table) -> ibis.Table:
        """``expr`` computed once into a temporary table, dropped when no longer used."""
        return self.backend.materialize(expr)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.con.disconnect()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(config: Config, root: Path) -> ibis.BaseBackend:
    """Open the database ``workspace.backend`` names, through its backend class."""
    setting = config.workspace.backend
    cls = backend_class(setting)
    try:
        return cls.connect(setting, config, root).con
    except Exception as exc:  # the driver's own message says what is wrong (auth, host, lock)
        raise WorkspaceError(f"cannot open the {setting.split(':')[0]} database: {exc}") from None


def open_workspace(path: str | Path = ".", create: bool = False) -> Workspace:
    root = Path(path)
    cfg_file = root / CONFIG_FILE
    if not root.exists():
        if not create:
            raise WorkspaceError(
                f"workspace {root} does not exist; create it with `leadpilot init {root}` "
                "or ingest into it with `leadpilot ingest SOURCE -w DIR`"
            )
        root.mkdir(parents=True)
    config = load_config(cfg_file)
    if not create and not cfg_file.exists() and not (root / config.workspace.database).exists():
        raise WorkspaceError(
            f"{root} is not a leadpilot workspace (no {CONFIG_FILE} and no database); "
            f"run `leadpilot init {root}` or `leadpilot ingest SOURCE -w {root}`"
        )
    ws = Workspace(root=root, config=config, con=connect(config, root))
    ensure_tables(ws)
    return ws


def ensure_tables(ws: Workspace) -> None:
    """Create the canonical tables and the derived tables made at opening, as declared."""
    backend = ws.backend
    existing = set(ws.con.list_tables())
    for table in TABLES.values():
        if table.name not in existing:
            backend.create(table)
    for derived in DERIVED.values():
        if not derived.on_open:
            continue
        if derived.name not in existing:
            backend.create(derived)
            continue
        # workspaces made before a column was added
        have = ws.con.table(derived.name).schema()
        missing = {c: t for c, t in table_schema(derived).items() if c not in have}
        if missing:
            backend.add_columns(derived.name, missing)
