"""``serve`` (the REST API and the dashboard) and ``keys create|list|revoke``.

The command line never imports the web service: ``serve`` hands uvicorn the service's
import name and its settings (environment variables of :mod:`leadpilot.api.app`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from ..access import KeyStore, check_role, secret_path
from ..errors import UsageError, WorkspaceError
from ..i18n import tr
from .common import LangOpt, WorkspaceOpt, app, out, start

keys_app = typer.Typer(
    help="API keys of a workspace (the service's access): create, list, revoke.",
    no_args_is_help=True,
)
app.add_typer(keys_app, name="keys")


@app.command()
def serve(
    root: Annotated[
        Path, typer.Option(help="Folder holding one workspace folder per client.")
    ] = Path("."),
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    readers: Annotated[int, typer.Option(help="Reader connections per workspace.")] = 2,
    auth_failures: Annotated[
        str, typer.Option(help="Failed authentications allowed per address.")
    ] = "30/minute",
    max_batch_mb: Annotated[int, typer.Option(help="Largest ingestion batch (MiB).")] = 16,
    lang: LangOpt = "en",
):
    """Serve the REST API and the dashboard for every workspace under --root.

    ``--lang`` is the language of these messages and of the dashboard links printed (each
    reader can switch language on the page)."""
    import uvicorn

    start(lang)

    if not root.is_dir():
        raise WorkspaceError(f"--root {root}: no such folder")
    os.environ["LEADPILOT_SERVE_ROOT"] = str(root.resolve())
    os.environ["LEADPILOT_SERVE_READERS"] = str(readers)
    os.environ["LEADPILOT_SERVE_AUTH_FAILURES"] = auth_failures
    os.environ["LEADPILOT_SERVE_MAX_BATCH"] = str(max_batch_mb << 20)
    from ..pilot import is_workspace

    # the service's own rule (leadpilot.api.workspaces): a sources-only folder is none
    names = sorted(p.name for p in root.iterdir() if is_workspace(p))
    out.print(tr("leadpilot: serving {root} on {url}", lang).format(
        root=root.resolve(), url=f"http://{host}:{port}"
    ), markup=False)
    for name in names:
        out.print(tr("  dashboard: {page}   API: {api}", lang).format(
            page=f"http://{host}:{port}/w/{name}/?lang={lang}", api=f"/api/v1/workspaces/{name}"
        ), markup=False)
    uvicorn.run(
        "leadpilot.api.app:from_environment",
        factory=True,
        host=host,
        port=port,
        workers=1,  # one process: a DuckDB file has one writer
        log_level="info",
        access_log=False,
    )


def _store(workspace: Path) -> KeyStore:
    if not workspace.is_dir():
        raise WorkspaceError(f"workspace {workspace} does not exist")
    return KeyStore(workspace)


@keys_app.command("create")
def keys_create(
    workspace: WorkspaceOpt = Path("."),
    role: Annotated[str, typer.Option(help="read, write or admin.")] = "read",
    label: Annotated[str, typer.Option(help="What the key is for (shown in keys list).")] = "",
    lang: LangOpt = "en",
):
    """Create an API key: printed once, only its keyed hash is stored."""
    start(lang)
    check_role(role)
    key, info = _store(workspace).create(role, label)
    print(key)
    typer.echo(
        f"leadpilot: key {info.id} ({info.role}) created for {workspace}; it is shown once. "
        f"Server secret: {secret_path()}",
        err=True,
    )


@keys_app.command("list")
def keys_list(
    workspace: WorkspaceOpt = Path("."),
    lang: LangOpt = "en",
):
    """The workspace's keys: id, role, label, dates (never the key)."""
    start(lang)
    keys = _store(workspace).list()
    if not keys:
        out.print("no API key: leadpilot keys create -w DIR --role read")
        return
    for k in keys:
        state = f"revoked {k.revoked_at}" if k.revoked_at else "active"
        out.print(f"{k.id}  {k.role:<5}  {state:<32}  created {k.created_at}  {k.label}",
                  markup=False)


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (keys list).")],
    workspace: WorkspaceOpt = Path("."),
    lang: LangOpt = "en",
):
    """Revoke a key at once (the service re-reads the keys on every request)."""
    start(lang)
    store = _store(workspace)
    if key_id not in {k.id for k in store.list()}:
        raise UsageError(f"no key {key_id!r} in {workspace}; `leadpilot keys list` shows them")
    info = store.revoke(key_id)
    out.print(f"key {info.id} revoked", markup=False)
