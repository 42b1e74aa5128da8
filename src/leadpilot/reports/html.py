"""The report as one self-contained HTML page (Jinja2): inline CSS, inline SVG charts,
no script and no request, readable on a phone and printable."""

from __future__ import annotations

import re
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from . import charts
from .labels import label
from .view import Chart, ReportView

_CODE = re.compile(r"`([^`]+)`")


def code(text: str) -> Markup:
    """``text`` escaped, what it quotes between backticks (a command to type) as code that
    a translator leaves alone: ``leadpilot diagnose --current 2025-Q2`` stays as typed."""
    return Markup(_CODE.sub(r'<code translate="no">\1</code>', str(escape(text))))


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("leadpilot.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["code"] = code
    return env


@cache
def stylesheet() -> str:
    return _environment().loader.get_source(_environment(), "report.css")[0]


def draw_charts(view: ReportView) -> None:
    """Render every chart of the view to inline SVG (once: a chart keeps its SVG)."""
    for section in view.sections:
        for block in section.blocks:
            if isinstance(block, Chart) and not block.svg:
                block.svg = charts.to_svg(block.spec, view.lang, view.currency, block.key)
                block.svg_narrow = charts.to_svg(block.make(charts.NARROW), view.lang,
                                                 view.currency, block.key)  # fmt: skip


def render_html(view: ReportView) -> str:
    """The HTML document of ``view``."""
    draw_charts(view)
    template = _environment().get_template("report.html.j2")
    return template.render(
        v=view, css=stylesheet(), t=lambda key, **values: label(key, view.lang, **values)
    )
