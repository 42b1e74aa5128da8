"""The one result type of every analysis, and the one place that renders it.

- :class:`Result`: rows (``to_frame()``, ``to_arrow()``, ``to_json()``) and a
  :class:`Meta` (parameters, view, as-of, definitions in English and French, details,
  warnings as :class:`~leadpilot.errors.Notice` with a stable code, listed in
  :data:`leadpilot.results.notices.CODES`);
- :mod:`leadpilot.results.render`: JSON and CSV documents, and the terminal tables
  (:class:`~leadpilot.results.terminal.Terminal`) the command line, the reports and the
  web service share.

It imports :mod:`leadpilot.errors`, :mod:`leadpilot.text` and :mod:`leadpilot.i18n` only.
"""

from __future__ import annotations

from ..errors import Notice
from .result import NONE, UNDATED, Meta, Result, group_name, notice, param

__all__ = ["NONE", "UNDATED", "Meta", "Notice", "Result", "group_name", "notice", "param"]
