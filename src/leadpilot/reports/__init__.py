"""Reports people read: one period's lead generation as HTML, PDF, Excel or Markdown, in
English or French.

- :func:`collect` gathers the Results a report shows (:class:`ReportData`, no language);
- :class:`Report` writes them for a reader: :meth:`Report.view` (the sections as blocks,
  :mod:`.view`), then :meth:`~Report.html` (self-contained: inline CSS and SVG charts,
  :mod:`.html`), :meth:`~Report.pdf` (WeasyPrint prints that HTML), :meth:`~Report.xlsx`
  (one sheet per section, numbers with number formats) and :meth:`~Report.markdown`.

The sections, in order: headline, findings, funnel, KPIs by channel, monthly trends,
velocity, attribution, scoring quality, data quality, definitions. What the data cannot
show is said, with the reason, in the section it belongs to.

``Pilot.report(...)`` is the entry point; this package imports results, diagnostics,
i18n and text, never ``pilot``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..i18n import check_language
from ..results.wording import speaking_to_its_reader

if TYPE_CHECKING:
    from .collect import ReportData, Source
    from .view import SECTIONS, ReportView

__all__ = ["FORMATS", "SECTIONS", "Report", "ReportData", "ReportView", "Source",
           "check_report_format", "file_format"]  # fmt: skip

FORMATS = ("html", "pdf", "xlsx", "md")
# a file's extension -> the format it names
_SUFFIXES = {**{f: f for f in FORMATS}, "htm": "html", "markdown": "md"}

# The command line checks --format with this package before computing anything: the
# collection and the views (Altair, Jinja2) are imported when first used, not at start-up.
# (``collect`` the function is reached as ``reports.collect.collect``: the package's attribute
# ``collect`` is the submodule once it is imported.)
_LAZY = {"ReportData": "collect", "Source": "collect", "SECTIONS": "view", "ReportView": "view"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def check_report_format(fmt: str) -> str:
    """The format, or a UsageError naming the ones there are."""
    code = (fmt or "html").strip().lower()
    if code == "markdown":
        code = "md"
    if code not in FORMATS:
        raise UsageError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return code


def file_format(path: str | Path, fmt: str | None = None) -> str:
    """The format a report written to ``path`` takes: ``fmt``, else the one the file's
    extension names, else HTML (a folder, or a name without an extension). A file named
    for another format than ``fmt`` is refused (``report.md`` holding HTML), and so is an
    extension that names no format when ``fmt`` does not say one (``q2.docx``: HTML in
    it would open in no word processor)."""
    path = Path(path)
    folder = path.is_dir() or not path.suffix
    named = None if folder else _SUFFIXES.get(path.suffix.lstrip(".").lower())
    if not folder and named is None and not fmt:
        raise UsageError(
            f"{path.name}: the extension {path.suffix} names no report format; name the "
            f"file .html, .pdf, .xlsx or .md, or state the format ({', '.join(FORMATS)})"
        )
    fmt = check_report_format(fmt or named or "html")
    if named is not None and named != fmt:
        raise UsageError(
            f"--out {path.name} names a {named} file, but --format {fmt} was asked: name "
            f"the file .{fmt}, or leave --format out (the format follows the file name)"
        )
    return fmt


@speaking_to_its_reader
class Report:
    """One period's report, ready to be written in any language and format.

    Examples
    --------
    >>> report = Report(data)                          # doctest: +SKIP
    >>> report.html("fr")[:15]                          # doctest: +SKIP
    '<!DOCTYPE html>'
    """

    def __init__(self, data: ReportData, names: str = "options") -> None:
        self.data = data
        # how errors name the options (a language, a format, a file): as the Pilot that
        # made the report names them to its reader (see leadpilot.results.wording)
        self.names = names
        self._views: dict[str, ReportView] = {}
        self.pages: dict[str, int] = {}  # pages of the last PDF written, per language

    def view(self, lang: str = "en") -> ReportView:
        """The sections in ``lang`` (built once per language; charts drawn once)."""
        lang = check_language(lang)
        if lang not in self._views:
            from .view import build

            self._views[lang] = build(self.data, lang)
        return self._views[lang]

    def html(self, lang: str = "en") -> str:
        from .html import render_html

        return render_html(self.view(lang))

    def pdf(self, lang: str = "en") -> bytes:
        from .pdf import layout

        document = layout(self.html(lang))
        self.pages[check_language(lang)] = len(document.pages)
        return document.write_pdf()

    def xlsx(self, lang: str = "en") -> bytes:
        from .xlsx import render_xlsx

        return render_xlsx(self.view(lang))

    def markdown(self, lang: str = "en") -> str:
        from .markdown import render_markdown

        return render_markdown(self.view(lang))

    def render(self, fmt: str = "html", lang: str = "en") -> bytes:
        """The document's bytes (HTML and Markdown in UTF-8)."""
        fmt = check_report_format(fmt)
        if fmt == "pdf":
            return self.pdf(lang)
        if fmt == "xlsx":
            return self.xlsx(lang)
        text = self.html(lang) if fmt == "html" else self.markdown(lang)
        return text.encode("utf-8")

    def filename(self, fmt: str = "html", lang: str = "en") -> str:
        """``leadpilot-report-2025-Q2-fr.html``."""
        return f"leadpilot-report-{self.data.period.label}-{check_language(lang)}." + (
            check_report_format(fmt)
        )

    def write(self, path: str | Path, fmt: str | None = None, lang: str = "en") -> Path:
        """Write the report to ``path`` (a file, or a folder, existing or without an extension,
        for :meth:`filename`); the format defaults to the file's extension, else HTML. A
        file named for another format than ``fmt`` is refused (``report.md`` holding
        HTML), and so is an extension that names none without ``fmt`` (``q2.docx``): a
        UsageError naming the formats there are. Returns the file written."""
        path = Path(path)
        folder = path.is_dir() or not path.suffix
        fmt = file_format(path, fmt)
        if folder:
            path = path / self.filename(fmt, lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.render(fmt, lang))
        return path
