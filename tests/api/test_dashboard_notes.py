"""What the dashboard says beside its figures, as the CLI, the API and the report say it:
the notes of the results each panel draws (won deals without an amount, durations left
out of a median), in the page's language; a month without a known revenue is a gap in
the trend, not a 0, and a channel without one gets no bar in the channel chart but a
"no amount" label; a period without any lead is the period the menu shows, and its
empty charts say so instead of drawing an axis of NaN or 0.000000.

The panels are fetched from the session's server: ``flawed`` (400 generated leads, 29 of
its 32 won deals without an amount, 25 MQLs dated before their lead's creation; the
fixture is in conftest.py, the browser tests draw it too) and
``acme`` (3,000 leads, data as of 2026-03-30, no lead created in 2026)."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

import leadpilot.pilot as pilot
from leadpilot.api.dashboard import UI
from leadpilot.i18n import Formatter
from leadpilot.reports.labels import NOTICES, label, period_name, typeset
from leadpilot.reports.view import unvalued_note

API = "/api/v1/workspaces"
HEADLINE = "leads,mqls,sqls,customers,revenue,spend,cpl,cac,lead_to_customer,roi"
SPEC = re.compile(r'<script type="application/json" class="vl-spec">(.*?)</script>', re.S)


def _get(service, path: str, ws: str, **query) -> str:
    with service.client(ws, "read") as c:
        r = c.get(path.format(ws=ws), params=query or None)
    assert r.status_code == 200, r.text[:500]
    return r.text


def _api(service, ws: str, name: str, **query) -> dict:
    with service.client(ws, "read") as c:
        r = c.get(f"{API}/{ws}/{name}", params=query)
    assert r.status_code == 200, r.text[:500]
    return r.json()


def _notes(html: str) -> list[str]:
    block = re.search(r'<ul class="notes"[^>]*>(.*?)</ul>', html, re.S)
    if block is None:
        return []
    return [unescape(n).strip() for n in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_panels_show_the_notes_of_the_results_they_draw(service, flawed, lang):
    # the headline: the won deals without an amount, counted as the report counts them
    with pilot.open(service.root / flawed) as lp:
        result = lp.kpi_result(kpis=HEADLINE)
        currency = lp.config.currency
    over = label("over_all_data", lang)
    expected = typeset(unvalued_note(result, over, lang, Formatter(lang, currency)), lang)
    assert "29" in expected and "32" in expected
    headline = _get(service, "/w/{ws}/panel/headline", flawed, period="all", lang=lang)
    assert expected in _notes(headline)
    assert 'data-kpi="revenue" data-value="' in headline  # the figure stays, with its note

    # the velocity: the durations left out of each median, beside its n, and the note
    doc = _api(service, flawed, "velocity")
    left_out = {}
    for n in doc["meta"]["notices"]:
        m = re.match(r"(\w+): (\d+) duration\(s\) left out", n["message"])
        if n["code"] == "negative_durations" and m:
            left_out[m[1]] = int(m[2])
    assert left_out == {"days_to_mql": 25}
    velocity = _get(service, "/w/{ws}/panel/velocity", flawed, period="all", lang=lang)
    shown = dict(re.findall(r'data-kpi="(\w+)".*?data-left-out="(\d+)"', velocity, re.S))
    assert {k: int(v) for k, v in shown.items()} == left_out
    assert typeset(NOTICES["negative_durations"][lang], lang) in _notes(velocity)

    # the trend and the channels draw the same revenue: they say it too
    for name in ("trend", "channels"):
        html = _get(service, f"/w/{{ws}}/panel/{name}", flawed, period="all", lang=lang)
        assert typeset(NOTICES["unvalued"][lang], lang) in _notes(html), name

    if lang == "fr":  # French notes, French typography
        notes = _notes(headline) + _notes(velocity)
        assert not [n for n in notes if "won deals" in n or "left out" in n]
        assert not [n for n in notes if re.search(r"(?<!\u202f):", n)]


def test_one_channel_shows_the_durations_it_left_out(service, flawed):
    """With a channel chosen, the velocity showed no count of the durations left out (the
    notice counted every group): each channel shows its own now, and they add up to the
    whole workspace's 25."""
    channels = [r["channel"] for r in _api(service, flawed, "kpis", by="channel")["rows"]]
    shown = {}
    for channel in channels:
        html = _get(service, "/w/{ws}/panel/velocity", flawed, period="all", channel=channel)
        found = re.findall(r'data-kpi="days_to_mql".*?data-left-out="(\d+)"', html, re.S)
        shown[channel] = int(found[0]) if found else 0
    assert sum(shown.values()) == 25 and len([n for n in shown.values() if n]) > 1, shown
    doc = _api(service, flawed, "velocity", by="channel")
    (notice,) = [n for n in doc["meta"]["notices"] if n["code"] == "negative_durations"]
    groups = {g["channel"]: g["left_out"] for g in notice["data"]["groups"]}
    assert groups == {c: n for c, n in shown.items() if n}


def test_a_panel_without_notices_shows_no_note(service):
    html = _get(service, "/w/{ws}/panel/velocity", "acme", period="2025-Q2", lang="en")
    doc = _api(service, "acme", "velocity", **{"from": "2025-04-01", "to": "2025-06-30"})
    assert doc["meta"]["notices"] == [] and _notes(html) == []


def test_a_month_without_known_revenue_is_a_gap_in_the_trend_not_a_zero(service, flawed):
    rows = _api(service, flawed, "kpis", period="month", kpi="leads,customers,revenue")["rows"]
    assert any(r["revenue"] is None for r in rows) and any(r["revenue"] == 0 for r in rows)
    html = _get(service, "/w/{ws}/panel/trend", flawed, period="all", lang="en")
    spec = json.loads(SPEC.search(html).group(1).replace("<\\/", "</"))
    values = spec["data"]["values"]
    assert [v["revenue"] for v in values] == [r["revenue"] for r in rows]
    line = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "line")
    assert line["mark"]["invalid"].startswith("break-paths")  # a null breaks the line


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_channel_without_known_revenue_is_no_bar_in_the_channel_chart(service, flawed, lang):
    """The table says "–" for a channel whose won deals all lack an amount (revenue null):
    the chart beside it drew a bar of 0. It draws no bar there and says "no amount" on the
    channel's row, as the trend breaks its line on a month of unknown revenue."""
    rows = _api(service, flawed, "kpis", by="channel")["rows"]
    for r in rows:  # the chart names a missing channel as the tables do
        r["channel"] = r["channel"] or UI[lang]["missing_group"]
    unknown = {r["channel"] for r in rows if r["revenue"] is None}
    assert unknown and any(r["revenue"] for r in rows)  # the point: some of each
    html = _get(service, "/w/{ws}/panel/channels", flawed, period="all", lang=lang)
    spec = json.loads(SPEC.search(html).group(1).replace("<\\/", "</"))
    values = {v["channel"]: v for v in spec["data"]["values"]}
    assert {c for c, v in values.items() if v["revenue"] is None} == unknown  # not 0
    layers = {layer["mark"]["type"]: layer for layer in spec["layer"]}
    assert layers["bar"]["mark"]["invalid"] == "filter"  # a null draws no bar
    label = layers["text"]  # the rows of unknown revenue say so
    assert label["transform"] == [{"filter": "datum.revenue === null"}]
    assert label["encoding"]["text"]["value"] == UI[lang]["no_amount"]
    # every channel keeps its row, in the table's order
    assert spec["encoding"]["y"]["sort"] == [r["channel"] for r in sorted(
        rows, key=lambda r: -(r["revenue"] or 0))]  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_period_without_leads_is_the_period_the_menu_shows(service, lang):
    period = "2026-Q1"
    rows = _api(service, "acme", "kpis", **{"from": "2026-01-01", "to": "2026-03-31"})["rows"]
    assert rows[0]["leads"] == 0  # the point of the test: no lead in it
    page = _get(service, "/w/{ws}/", "acme", period=period, lang=lang)
    selected = re.findall(r'<option value="([^"]+)" selected>([^<]*)</option>', page)
    assert (period, period_name(period, lang)) in selected
    assert not [s for s in selected if s[0] == "all"]
    # the empty charts say there is nothing to draw, instead of an axis of NaN / 0.000000
    over = label("in_period", lang, period=period_name(period, lang))
    nothing = UI[lang]["no_lead"].format(over=over, filtered="")
    for name in ("funnel", "channels"):
        html = _get(service, f"/w/{{ws}}/panel/{name}", "acme", period=period, lang=lang)
        assert SPEC.search(html) is None, name
        assert f'<p class="muted nothing">{nothing}</p>' in unescape(html), name
    # a period with leads draws its charts
    html = _get(service, "/w/{ws}/panel/funnel", "acme", period="2025-Q2", lang=lang)
    assert SPEC.search(html) is not None and 'class="muted nothing"' not in html
