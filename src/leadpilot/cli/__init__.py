"""The command line: a thin Typer layer over :mod:`leadpilot.pilot`.

One module per command group — :mod:`.ingest` (ingest, quarantine, presets),
:mod:`.analyses` (kpis, funnel, velocity, content, sources, retention),
:mod:`.attribution`, :mod:`.scoring` (score train / evaluate / apply / threshold),
:mod:`.diagnostics` (diagnose, plan, forecast), :mod:`.report` (report), :mod:`.doctor`
(doctor) and
:mod:`.workspace` (init, config schema, generate, demo) — on the options and output of
:mod:`.common`. Commands call :class:`~leadpilot.pilot.Pilot` and render its Results with
:mod:`leadpilot.results` (``report`` writes documents with :mod:`leadpilot.reports`); they
import nothing else of leadpilot but ``config``, ``i18n`` and ``errors``.

:func:`main` alone turns domain errors into a one-line message on stderr and a non-zero
exit status.
"""

from __future__ import annotations

import importlib
import json
import os
import sys

import typer

from ..errors import LeadpilotError, ValidationError
from ..i18n import ERROR_PREFIX, error_text, problem_text
from .common import app, err, terminal

__all__ = ["app", "main"]
# The command groups, registered (and listed in --help) in this order.
GROUPS = ("workspace", "ingest", "analyses", "attribution", "scoring", "diagnostics", "service",
          "report", "doctor")
for _group in GROUPS:
    importlib.import_module(f"{__name__}.{_group}")


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
    """The ``leadpilot`` command: exit 0 on success, else one line on stderr and the error's
    exit code (70 for a bug, 130 when interrupted)."""
    try:
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:  # a command's own status (diagnose --fail-on)
            sys.exit(code)
    except LeadpilotError as exc:
        if _wants_json(sys.argv[1:]):
            # scripts get every problem, on stdout, as JSON; the one line still goes to stderr
            print(json.dumps(_error_document(exc), indent=2, default=str))
        lang = terminal().lang  # the command's --lang, once its options were read
        msg = error_text(exc, lang).replace("\n", " ")
        err.print(
            f"{ERROR_PREFIX[lang]}{msg}", markup=False, highlight=False,
            soft_wrap=True,
        )  # fmt: skip
        if isinstance(exc, ValidationError) and len(exc.problems) > 1:
            for p in exc.problems[:20]:
                err.print(f"  - {problem_text(p, lang)}", markup=False, highlight=False,
                          soft_wrap=True)  # fmt: skip
            if exc.total > 20:
                more = terminal().n(exc.total - 20)
                err.print(
                    f"  … {more} more: --format json lists every one" if lang == "en" else
                    f"  … {more} de plus : --format json les donne tous",
                    markup=False,
                    highlight=False,
                )  # fmt: skip
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
