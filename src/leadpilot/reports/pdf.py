"""The report as PDF: the HTML page printed by WeasyPrint (A4, its print stylesheet)."""

from __future__ import annotations

import logging


def layout(html: str):
    """The report's HTML laid out on A4 pages (a WeasyPrint document: ``pages``,
    ``write_pdf()``); it needs no network: nothing is fetched."""
    from weasyprint import HTML

    # WeasyPrint logs every CSS property it ignores (screen-only rules): keep them quiet.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return HTML(string=html, url_fetcher=_no_fetch).render()


def render_pdf(html: str) -> bytes:
    """The PDF of the report's HTML."""
    return layout(html).write_pdf()


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"the report fetches nothing: {url}")
