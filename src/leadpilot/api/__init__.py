"""The web service: a REST API and a dashboard over the workspaces under one root.

``leadpilot serve --root DIR`` runs :func:`create_app` under uvicorn (one process: the
workspaces' DuckDB files have one writer). See :mod:`.workspaces` for how reads and writes
share a database, :mod:`.security` for the access rules, :mod:`.routes` for the API and
:mod:`.dashboard` for the dashboard. Like the command line, it reaches leadpilot through
:class:`~leadpilot.pilot.Pilot` only.
"""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app", "serve"]


def serve(root, host: str = "127.0.0.1", port: int = 8000, **options) -> None:
    """Serve every workspace under ``root`` until interrupted."""
    import uvicorn

    app = create_app(root, **options)
    uvicorn.run(app, host=host, port=port, workers=1, log_level="info", access_log=False)
