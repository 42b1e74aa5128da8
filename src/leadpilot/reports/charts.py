"""The report's charts: Vega-Lite specifications (Altair) rendered to SVG (vl-convert).

Every builder takes plain rows whose labels and value texts are already written for the
reader (:mod:`leadpilot.reports.view` formats them with Babel), so a chart never shows a
key or a number in the wrong language; axis ticks follow a d3 number locale built from
Babel's symbols. :func:`to_svg` renders a specification once (a process cache keyed by
the specification) with no network access (``allowed_base_urls=[]``), and makes the SVG's
ids unique so that several charts can live inline in one HTML page.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from functools import lru_cache

import altair as alt
from babel import Locale
from babel.numbers import get_currency_symbol

FONT = '-apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "DejaVu Sans", sans-serif'
WIDTH = 600  # desktop and print
NARROW = 330  # phones: the same chart drawn narrow, shown under 600 px
NAVY = "#1f3a5f"
BLUE = "#3d7ab8"
LIGHT = "#a9c4e2"
ORANGE = "#e07b00"
GREEN = "#2e7d32"
RED = "#c62828"
GREY = "#8a8f98"
MODEL_COLORS = [
    "#1f3a5f",
    "#3d7ab8",
    "#7fb0dd",
    "#e07b00",
    "#f2b36b",
    "#2e7d32",
    "#8cc68f",
    "#8e44ad",
    "#c39bd3",
    "#8a8f98",
]

CONFIG = {
    "font": FONT,
    "view": {"stroke": None},
    "title": {
        "fontSize": 15,
        "fontWeight": 600,
        "anchor": "start",
        "color": "#1b2430",
        "offset": 12,
    },
    "axis": {
        "labelFontSize": 12,
        "titleFontSize": 12,
        "titleFontWeight": 500,
        "labelColor": "#333",
        "titleColor": "#333",
        "gridColor": "#e6e9ee",
        "domainColor": "#9aa3ad",
        "tickColor": "#9aa3ad",
        "labelLimit": 180,
    },
    "legend": {
        "labelFontSize": 12,
        "titleFontSize": 12,
        "orient": "bottom",
        "direction": "horizontal",
        "labelLimit": 240,
    },
    "text": {"fontSize": 12},
    "concat": {"spacing": 18},
}


def number_locale(lang: str, currency: str) -> dict:
    """A d3-format locale from Babel's symbols: axis ticks read '1 234 €' in French."""
    loc = Locale.parse(lang)
    symbols = loc.number_symbols["latn"]
    symbol = get_currency_symbol(currency, locale=lang)
    pattern = loc.currency_formats["standard"].pattern.split(";")[0]
    before = pattern.strip().startswith("¤")
    nbsp = "\u00a0" if "\u00a0" in pattern or pattern.endswith(" ¤") else ""
    if lang == "fr":
        nbsp = "\u00a0"
    return {
        "decimal": symbols["decimal"],
        "thousands": symbols["group"],
        "grouping": [3],
        "currency": [symbol, ""] if before else ["", nbsp + symbol],
        "percent": "\u00a0%" if lang == "fr" else "%",
        "minus": "\u2212",
    }


def _spec(chart: alt.TopLevelMixin) -> dict:
    spec = chart.configure(**{k: v for k, v in CONFIG.items() if k != "font"}).to_dict()
    spec["config"]["font"] = FONT
    spec.pop("$schema", None)
    # The chart's title is the page's (an HTML heading that wraps on a phone): the SVG
    # keeps only the panels' own titles.
    spec.pop("title", None)
    return spec


# ---------------------------------------------------------------- the builders
def funnel(rows: list[dict], title: str, x_title: str, width: int = WIDTH) -> dict:
    """rows: stage (label), count, count_text, rate_text (from the previous stage)."""
    order = [r["stage"] for r in rows]
    base = alt.Chart(alt.Data(values=rows)).encode(
        y=alt.Y("stage:N", sort=order, title=None, axis=alt.Axis(labelFontSize=13)),
    )
    bars = base.mark_bar(color=NAVY, cornerRadiusEnd=3, height=26).encode(
        x=alt.X("count:Q", title=x_title, axis=alt.Axis(format=",.0f", tickCount=5)),
    )
    counts = base.mark_text(align="left", dx=6, fontWeight=600, color="#1b2430").encode(
        x="count:Q", text="label:N"
    )
    return _spec((bars + counts).properties(title=title, width=width - 150, height=38 * len(rows)))


def bridge(rows: list[dict], title: str, x_title: str, money: bool, width: int = WIDTH) -> dict:
    """A horizontal waterfall: rows are step (label), start, end, kind (total, up, down),
    text; the effects add up from the first total to the last."""
    order = [r["step"] for r in rows]
    colors = alt.Scale(domain=["total", "up", "down"], range=[NAVY, GREEN, RED])
    base = alt.Chart(alt.Data(values=rows)).encode(
        y=alt.Y("step:N", sort=order, title=None, axis=alt.Axis(labelFontSize=13)),
    )
    fmt = "$,.0f" if money else ",.0f"
    bars = base.mark_bar(height=24, cornerRadius=2).encode(
        x=alt.X(
            "start:Q", title=x_title, axis=alt.Axis(format=fmt, tickCount=4, labels=width > NARROW)
        ),
        x2="end:Q",
        color=alt.Color("kind:N", scale=colors, legend=None),
    )
    labels = base.mark_text(align="left", dx=6, color="#1b2430", fontWeight=600).encode(
        x=alt.X("right:Q"), text="text:N"
    )
    return _spec((bars + labels).properties(title=title, width=width - 200, height=36 * len(rows)))


def costs(
    rows: list[dict], titles: tuple[str, str], legend: tuple[str, str, str], width: int = WIDTH
) -> dict:
    """Two panels sharing the channels (sorted by cost per lead): cost per lead and cost
    per customer, the cheap-lead trap in orange. rows: channel, cpl, cac, cpl_text,
    cac_text, trap (bool)."""
    order = [r["channel"] for r in sorted(rows, key=lambda r: r["cpl"])]
    for r in rows:
        r["group"] = legend[1] if r["trap"] else legend[2]
    color = alt.Color(
        "group:N",
        scale=alt.Scale(domain=[legend[1], legend[2]], range=[ORANGE, BLUE]),
        legend=alt.Legend(title=None),
    )
    y = alt.Y("channel:N", sort=order, title=None)

    def panel(field: str, title: str, show_y: bool) -> alt.LayerChart:
        base = alt.Chart(alt.Data(values=rows)).encode(
            y=y if show_y else alt.Y("channel:N", sort=order, axis=None)
        )
        bar = base.mark_bar(height=18, cornerRadiusEnd=2).encode(
            x=alt.X(
                f"{field}:Q",
                title=title,
                axis=alt.Axis(labels=False, ticks=False, grid=False, domain=False),
            ),
            color=color,
        )
        text = base.mark_text(align="left", dx=4, fontSize=11, color="#1b2430").encode(
            x=f"{field}:Q", text=f"{field}_text:N"
        )
        return (bar + text).properties(width=w, height=28 * len(rows))

    if width > NARROW:  # side by side: the inversion at a glance
        w = (width - 190) // 2
        chart = alt.hconcat(panel("cpl", titles[0], True), panel("cac", titles[1], False))
    else:  # one above the other on a phone
        w = width - 150
        chart = alt.vconcat(panel("cpl", titles[0], True), panel("cac", titles[1], True))
    return _spec(chart.properties(title=legend[0]))


def trends(
    rows: list[dict],
    titles: tuple[str, str, str],
    legend: tuple[str, str],
    money: bool,
    width: int = WIDTH,
) -> dict:
    """Three panels by month: leads, revenue (or customers) and closing rate; immature
    cohorts lighter. rows: month (label), leads, revenue, rate, maturity (label)."""
    order = [r["month"] for r in rows]
    color = alt.Color(
        "maturity:N",
        scale=alt.Scale(domain=list(legend), range=[NAVY, LIGHT]),
        legend=alt.Legend(title=None),
    )
    x = alt.X("month:N", sort=order, title=None, axis=alt.Axis(labelAngle=-40))
    base = alt.Chart(alt.Data(values=rows))
    leads = (
        base.mark_bar(cornerRadiusEnd=2)
        .encode(
            x=x,
            y=alt.Y("leads:Q", title=None, axis=alt.Axis(format=",.0f", tickCount=4)),
            color=color,
        )
        .properties(title=titles[0], width=width - 70, height=110)
    )
    value = (
        base.mark_bar(cornerRadiusEnd=2)
        .encode(
            x=x,
            y=alt.Y(
                "revenue:Q",
                title=None,
                axis=alt.Axis(format="$,.0f" if money else ",.0f", tickCount=4),
            ),
            color=color,
        )
        .properties(title=titles[1], width=width - 70, height=110)
    )
    line = base.mark_line(color=NAVY, strokeWidth=2).encode(
        x=x, y=alt.Y("rate:Q", title=None, axis=alt.Axis(format=".0%", tickCount=4))
    )
    points = base.mark_point(filled=True, size=60).encode(x=x, y="rate:Q", color=color)
    rate = (line + points).properties(title=titles[2], width=width - 70, height=110)
    return _spec(alt.vconcat(leads, value, rate).resolve_scale(color="shared"))


def cycle(
    rows: list[dict], title: str, x_title: str, names: tuple[str, str], width: int = WIDTH
) -> dict:
    """Per channel: the median sales cycle (dot) and the 75th percentile (tick), joined.
    rows: channel, median, p75, median_text."""
    order = [r["channel"] for r in sorted(rows, key=lambda r: r["median"])]
    base = alt.Chart(alt.Data(values=rows)).encode(y=alt.Y("channel:N", sort=order, title=None))
    rule = base.mark_rule(color=GREY, strokeWidth=2).encode(
        x=alt.X("median:Q", title=x_title, axis=alt.Axis(format=",.0f", tickCount=5)),
        x2="p75:Q",
    )
    long = [{**r, "measure": names[0], "days": r["median"]} for r in rows] + [
        {**r, "measure": names[1], "days": r["p75"]} for r in rows
    ]
    marks = (
        alt.Chart(alt.Data(values=long))
        .mark_point(filled=True, size=90)
        .encode(
            y=alt.Y("channel:N", sort=order, title=None),
            x="days:Q",
            color=alt.Color(
                "measure:N",
                scale=alt.Scale(domain=list(names), range=[NAVY, ORANGE]),
                legend=alt.Legend(title=None),
            ),
            shape=alt.Shape(
                "measure:N",
                scale=alt.Scale(domain=list(names), range=["circle", "diamond"]),
                legend=alt.Legend(title=None),
            ),
        )
    )
    text = base.mark_text(align="right", dx=-9, dy=-9, fontSize=11, color=NAVY).encode(
        x="median:Q", text="median_text:N"
    )
    return _spec(
        (rule + marks + text).properties(title=title, width=width - 150, height=28 * len(rows))
    )


LABEL_GAP = 16  # px between two end-of-line labels (12 px text and air): never overlapping


def survival(
    rows: list[dict], title: str, x_title: str, y_title: str, names: list[str], width: int = WIDTH
) -> dict:
    """Kaplan–Meier cumulative conversion by age; rows: day, share, stage (label), text.

    Each curve's last share is written right of its end, dodged vertically so that two
    curves ending close together keep their labels :data:`LABEL_GAP` pixels apart (the
    y scale is fixed here, so the labels' pixels are known before rendering)."""
    height = 220
    top, step = _share_axis(max(r["share"] for r in rows))
    y_scale = alt.Scale(domain=[0, top], nice=False)
    ticks = [round(i * step, 4) for i in range(round(top / step) + 1)]
    color = alt.Color(
        "stage:N", scale=alt.Scale(domain=names, range=[BLUE, GREEN]), legend=alt.Legend(title=None)
    )
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X(
            "day:Q",
            title=x_title,
            scale=alt.Scale(domain=[0, max(r["day"] for r in rows)]),
            axis=alt.Axis(values=sorted({r["day"] for r in rows}), format=",.0f"),
        ),
        y=alt.Y("share:Q", title=y_title, scale=y_scale, axis=alt.Axis(format=".0%", values=ticks)),
        color=color,
    )
    line = base.mark_line(strokeWidth=2.5)  # measured at these ages only: joined
    points = base.mark_point(filled=True, size=50)
    last = max(r["day"] for r in rows)
    ends = sorted((r for r in rows if r["day"] == last), key=lambda r: -r["share"])
    pixels = _dodge([height * (1 - r["share"] / top) for r in ends], LABEL_GAP, height)
    labels = [{**r, "label_y": top * (1 - y / height)} for r, y in zip(ends, pixels, strict=True)]
    text = (
        alt.Chart(alt.Data(values=labels))
        .mark_text(align="left", baseline="middle", dx=8, fontWeight=600)
        .encode(x="day:Q", y=alt.Y("label_y:Q", scale=y_scale), text="text:N", color=color)
    )
    # the labels stand right of the plot: it is narrower by their width
    return _spec((line + points + text).properties(title=title, width=width - 130, height=height))


def _share_axis(value: float) -> tuple[float, float]:
    """(top, step) of a share axis from 0: ``value`` rounded up to a step of whole percents
    (ticks read '1 %', '2 %', never '2 %' twice), at most five steps."""
    for step in (0.01, 0.02, 0.05, 0.1, 0.2, 0.25):
        if value <= 5 * step:
            return max(step, math.ceil(value / step - 1e-9) * step), step
    return 1.0, 0.25


def _dodge(ys: list[float], gap: float, height: float) -> list[float]:
    """Pixel positions (0 at the top, sorted top first) moved apart by ``gap`` at least,
    kept within 0..height: a label pushed below the plot moves the ones above it up."""
    out = list(ys)
    for i in range(1, len(out)):
        out[i] = max(out[i], out[i - 1] + gap)
    if out and out[-1] > height:
        out[-1] = height
        for i in range(len(out) - 2, -1, -1):
            out[i] = min(out[i], out[i + 1] - gap)
    return out


def attribution(
    rows: list[dict],
    spread: list[dict],
    title: str,
    x_title: str,
    models: list[str],
    width: int = WIDTH,
) -> dict:
    """Per channel, every model's share (dots) over the range between models (a rule).
    rows: channel, model (label), share; spread: channel, low, high."""
    order = [s["channel"] for s in sorted(spread, key=lambda s: -s["high"])]
    ranges = (
        alt.Chart(alt.Data(values=spread))
        .mark_rule(color="#c9ced6", strokeWidth=7, strokeCap="round")
        .encode(
            y=alt.Y("channel:N", sort=order, title=None),
            x=alt.X("low:Q", title=x_title, axis=alt.Axis(format=".0%", tickCount=5)),
            x2="high:Q",
        )
    )
    dots = (
        alt.Chart(alt.Data(values=rows))
        .mark_point(filled=True, size=70, opacity=0.9)
        .encode(
            y=alt.Y("channel:N", sort=order, title=None),
            x="share:Q",
            color=alt.Color(
                "model:N",
                scale=alt.Scale(domain=models, range=MODEL_COLORS[: len(models)]),
                legend=alt.Legend(title=None, columns=2 if width > NARROW else 1, symbolLimit=0),
            ),
        )
    )
    return _spec(
        (ranges + dots).properties(title=title, width=width - 150, height=30 * len(spread))
    )


def lift(
    rows: list[dict], title: str, x_title: str, y_title: str, names: list[str], width: int = WIDTH
) -> dict:
    """Lift by decile of each score; rows: decile, lift, score (label)."""
    base = alt.Chart(alt.Data(values=rows))
    bars = base.mark_bar(cornerRadiusEnd=2).encode(
        x=alt.X("decile:O", title=x_title, axis=alt.Axis(labelAngle=0)),
        xOffset="score:N",
        y=alt.Y("lift:Q", title=y_title, axis=alt.Axis(format=",.1f", tickCount=5)),
        color=alt.Color(
            "score:N",
            scale=alt.Scale(domain=names, range=[NAVY, ORANGE]),
            legend=alt.Legend(title=None),
        ),
    )
    one = (
        alt.Chart(alt.Data(values=[{"y": 1}]))
        .mark_rule(color=GREY, strokeDash=[4, 3])
        .encode(y="y:Q")
    )
    return _spec((bars + one).properties(title=title, width=width - 70, height=220))


# ---------------------------------------------------------------- rendering
@lru_cache(maxsize=256)
def _render(spec_json: str, lang: str, currency: str) -> str:
    import vl_convert as vlc

    return vlc.vegalite_to_svg(
        json.loads(spec_json),
        format_locale=number_locale(lang, currency),
        allowed_base_urls=[],
    )


def to_svg(spec: dict, lang: str, currency: str, name: str = "chart") -> str:
    """The chart as an inline SVG element: scalable, with ids of its own.

    The ids are prefixed with a digest of the chart (not a counter of the process), so the
    same report is the same document whichever process writes it (the CLI, the service)."""
    spec_json = json.dumps(spec, sort_keys=True)
    svg = _render(spec_json, lang, currency)
    digest = hashlib.sha1(f"{spec_json}|{lang}|{currency}".encode()).hexdigest()[:10]
    prefix = f"lp-{name}-{digest}-"
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    for old in sorted(ids, key=len, reverse=True):
        svg = svg.replace(f'id="{old}"', f'id="{prefix}{old}"')
        svg = svg.replace(f"url(#{old})", f"url(#{prefix}{old})")
        svg = svg.replace(f'href="#{old}"', f'href="#{prefix}{old}"')
    return svg.replace("<svg ", '<svg role="img" preserveAspectRatio="xMinYMin meet" ', 1)
