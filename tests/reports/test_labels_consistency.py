"""The report's Kaplan–Meier chart keeps its end-of-line labels apart: two curves ending
close together (10.0 % and 9.5 %) write their shares one above the other, not over each
other (as drawn by vl-convert, the report's own renderer)."""

from __future__ import annotations

import re

import pytest

from leadpilot.reports import charts

DAYS = [0, 30, 60, 90, 180]
MIN_GAP = 14  # px between two labels' baselines: 12 px text, and air


def _rows(curves: dict[str, list[float]]) -> list[dict]:
    return [
        {"day": d, "share": v, "stage": name, "text": f"{name} {v:.1%}" if d else ""}
        for name, shares in curves.items()
        for d, v in zip(DAYS, shares, strict=True)
    ]


def _labels(svg: str) -> dict[str, tuple[float, float]]:
    """The text marks drawn: their text and (x, y) in pixels."""
    marks = re.findall(
        r'<text[^>]*aria-roledescription="text mark"[^>]*transform="translate\(([-\d.]+),'
        r'([-\d.]+)\)"[^>]*>([^<]*)</text>',
        svg,
    )
    return {text: (float(x), float(y)) for x, y, text in marks}


@pytest.mark.parametrize(
    "ends",
    [
        ([0, 0.05, 0.08, 0.095, 0.10], [0, 0.03, 0.06, 0.09, 0.095]),  # close
        ([0, 0.01, 0.02, 0.03, 0.03], [0, 0.01, 0.02, 0.03, 0.03]),  # the same share
        ([0, 0, 0, 0, 0.001], [0, 0, 0, 0, 0.0]),  # at the bottom: no room below
    ],
)
@pytest.mark.parametrize("width", [charts.WIDTH, charts.NARROW])
def test_the_survival_labels_never_overlap(ends, width):
    names = ["SQL", "customers"]
    rows = _rows(dict(zip(names, ends, strict=True)))
    spec = charts.survival(rows, "title", "Days", "Share converted", names, width=width)
    labels = _labels(charts.to_svg(spec, "en", "EUR", "survival"))
    top, bottom = (f"{name} {s[-1]:.1%}" for name, s in zip(names, ends, strict=True))
    assert set(labels) == {top, bottom}, labels
    (x1, y1), (x2, y2) = labels[top], labels[bottom]
    assert y2 - y1 >= MIN_GAP, labels
    assert x1 == x2  # both at the curves' end
