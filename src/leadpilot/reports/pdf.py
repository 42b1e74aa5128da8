"""The report as PDF: the HTML page printed by WeasyPrint (A4, its print stylesheet)."""

from __future__ import annotations

import logging


def render_pdf(html: str) -> bytes:
    """The PDF of the report's HTML (which needs no network: nothing is fetched)."""
    from weasyprint import HTML

    # WeasyPrint logs every CSS property it ignores (screen-only rules): keep them quiet.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"the report fetches nothing: {url}")
