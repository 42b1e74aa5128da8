"""What the report says beside its figures: the notes on the numbers count over the
report's period, once, in the reader's language; a caveat on a figure shown is not a gap;
French is typeset as French; and the report of all the data, or without a comparison, is
the one the dashboard's "All time" and "no comparison" choices show."""

from __future__ import annotations

import re
from html import unescape

import pytest
from report_kit import PERIOD
from texts import ENGLISH_WORDS, WORD, reader_texts

import leadpilot
from leadpilot.reports.labels import NOTICES, label, period_name

# a colon ending a clause without the narrow no-break space French puts before it
BARE_COLON = re.compile(r"(?<!\u202f):(?=\s|$)")


def _notes(view) -> list[str]:
    return next(b for b in view.section("quality").blocks if b.kind == "notes").items


def _results(data) -> list:
    return [
        r
        for r in (
            data.headline,
            data.headline_previous,
            data.diagnosis,
            data.funnel,
            data.channels,
            data.trends,
            data.velocity,
            data.velocity_channels,
            data.attribution,
            data.evaluation,
        )  # fmt: skip
        if r is not None
    ]


# ---------------------------------------------------------------- notes on the numbers
def test_the_notes_count_over_the_period_once(demo_report, demo_ws):
    d = demo_report.data
    view = demo_report.view("en")
    notes = _notes(view)
    assert len(notes) == len(set(notes))
    quarter = period_name(PERIOD, "en")
    with leadpilot.open(demo_ws) as lp:
        every = {r["channel"]: r["leads"] for r in lp.kpi_result(by="channel").rows}
        won = lp.kpi_result(
            view="activity", kpis=["customers"], date_from=d.period.start, date_to=d.period.end
        ).rows[0]["customers"]

    # channels without spend: their leads of the period, as the channel table shows them
    unpaid = [r for r in d.channels.rows if r["leads"] and r.get("spend") is None]
    assert unpaid and all(every[r["channel"]] != r["leads"] for r in unpaid)  # the point
    (note,) = [n for n in notes if "no spend" in n]
    assert f" in {quarter} " in note
    for r in unpaid:
        assert f"{r['channel']} ({r['leads']:,} leads)" in note
        assert f"({every[r['channel']]:,} leads)" not in note  # not the count of all the data

    # conversions not credited: out of the customers won in the period, the others being
    # the conversions the attribution section says it credits
    credited = round(d.attribution.meta["totals"][PERIOD]["conversions"])
    assert 0 < credited < won
    (note,) = [n for n in notes if "attribution touch" in n]
    assert note.startswith(f"{won - credited} of the {won} customers won in {quarter} ")
    assert note.rstrip(".").endswith(f"the other {credited}")
    chart = next(b for b in view.section("attribution").blocks if b.kind == "chart")
    assert chart.note.startswith(f"{credited} conversions in the period")

    # nothing about what the report does not show (attribution costs), nothing twice
    text = unescape(demo_report.html("en"))
    assert "channel value(s)" not in text and " touches)" not in text
    assert all(str(n) not in text for r in _results(d) for n in r.notices)


def test_the_french_notes_and_workbook_hold_no_english_sentence(demo_report, artifacts):
    from openpyxl import load_workbook

    raw = {str(n) for r in _results(demo_report.data) for n in r.notices}
    assert raw
    html = unescape(demo_report.html("fr"))
    assert not [x for x in raw if x in html]
    for note in _notes(demo_report.view("fr")):
        assert not {w.lower() for w in WORD.findall(note)} & ENGLISH_WORDS, note
    book = load_workbook(demo_report.write(artifacts / "report-demo-notes-fr.xlsx", lang="fr"))
    cells = {c.value for s in book.worksheets for row in s.iter_rows() for c in row}
    assert not raw & cells


# ---------------------------------------------------------------- a caveat is not a gap
LEADS = """lead_id,created_at,channel
L1,2025-04-02,email
L2,2025-04-05,paid_search
L3,2025-04-05,email
L4,2025-04-20,paid_search
L5,2025-05-03,email
L6,2025-01-10,email
L7,2025-02-10,paid_search
"""
# L3's deal was won before L3 was created (a contact re-created in the CRM)
DEALS = """deal_id,lead_id,created_at,status,closed_at,amount
D1,L1,2025-04-10,won,2025-05-15,1000
D2,L2,2025-04-12,won,2025-06-01,2000
D3,L3,2025-03-01,won,2025-03-20,500
D4,L6,2025-01-20,won,2025-02-20,700
"""
STAGES = """lead_id,stage,ts
L1,mql,2025-04-03
L2,mql,2025-04-06
L4,mql,2025-04-22
"""


@pytest.fixture(scope="module")
def deal_before_lead(tmp_path_factory):
    base = tmp_path_factory.mktemp("deal-before-lead")
    data = base / "data"
    data.mkdir()
    for name, text in (("leads", LEADS), ("deals", DEALS), ("stage_events", STAGES)):
        (data / f"{name}.csv").write_text(text)
    with leadpilot.open(base / "ws", create=True) as lp:
        lp.ingest(data)
        return lp.report(PERIOD)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_durations_left_out_are_a_caveat_on_the_speeds_shown(deal_before_lead, lang):
    report = deal_before_lead
    assert "velocity" not in report.data.gaps
    section = report.view(lang).section("velocity")
    messages = [b for b in section.blocks if b.kind == "message"]
    assert [m.level for m in messages] == ["caveat"]
    shown = [b for b in section.blocks if b.kind == "table" and b.key == "velocity"]
    assert shown and shown[0].rows  # the speeds stand beside the caveat
    html = report.html(lang)
    velocity = html.split('id="velocity"', 1)[1].split("<section", 1)[0]
    assert f"<strong>{label('read_with_care', lang)}.</strong>" in velocity
    assert label("cannot_show", lang) not in velocity
    md = report.markdown(lang).split("## 6. ", 1)[1].split("## 7. ", 1)[0]
    assert f"**{label('read_with_care', lang)}.**" in md
    assert label("cannot_show", lang) not in md


# ---------------------------------------------------------------- French typography
def test_french_puts_a_narrow_no_break_space_before_each_colon(demo_report):
    texts = reader_texts(demo_report.html("fr"))
    assert sum(":" in t for t in texts) > 10
    assert [t for t in texts if BARE_COLON.search(t)] == []
    md = demo_report.markdown("fr")
    assert [line for line in md.splitlines() if BARE_COLON.search(line)] == []
    assert "\u202f:" not in demo_report.html("en")  # English keeps its own colon


def test_french_names_the_periods_as_french(demo_report):
    html = unescape(demo_report.html("fr"))
    texts = reader_texts(html)
    assert not [t for t in texts if re.search(r"\b\d{4}-Q[1-4]\b", t)]
    assert period_name(PERIOD, "fr") in demo_report.view("fr").subtitle


# ---------------------------------------------------------------- all the data, no comparison
def _cards(report, lang: str = "en"):
    cards = report.view(lang).section("headline").blocks[0]
    return cards, {c.key: c for c in [*cards.items, *cards.secondary]}


def test_the_report_of_all_the_data_is_the_dashboards_all_time(demo_ws):
    with leadpilot.open(demo_ws) as lp:
        report = lp.report("all")
        every = lp.kpi_result().rows[0]  # the dashboard's "All time" headline
    d = report.data
    assert d.period.label == "all" and d.previous is None and not d.comparable
    for name in ("leads", "customers", "revenue", "spend"):
        assert d.current_row()[name] == every[name], name
    view = report.view("en")
    assert view.subtitle.endswith(label("all_time", "en"))
    cards, by_key = _cards(report)
    assert not cards.compared and all(c.change_text == "" for c in by_key.values())
    findings = view.section("findings").blocks
    assert [(b.kind, b.level) for b in findings] == [("message", "info")]
    assert label("compared_with", "en") not in " ".join(view.facts)
    md = report.markdown("en")
    assert f"| {label('kpi', 'en')} | {label('current_value', 'en')} |\n" in md
    assert report.data.attribution is not None  # attribution over every period


def test_a_report_without_comparison_shows_the_period_alone(demo_ws, demo_report):
    with leadpilot.open(demo_ws) as lp:
        report = lp.report(PERIOD, vs="none")
    d = report.data
    assert d.period == demo_report.data.period and d.previous is None
    assert d.current_row() == demo_report.data.current_row()
    assert d.headline_previous is None and not d.comparable
    view = report.view("fr")
    assert label("compared_with", "fr") not in " ".join(view.facts)
    assert [(b.kind, b.level) for b in view.section("findings").blocks] == [("message", "info")]
    # the data-quality findings stand without a comparison
    quality = next(b for b in view.section("quality").blocks if b.kind == "findings")
    shown = next(
        b for b in demo_report.view("fr").section("quality").blocks if b.kind == "findings"
    )
    assert [f.code for f in quality.items] == [f.code for f in shown.items]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_an_open_pipeline_without_amounts_is_blank_and_said(tmp_path, lang):
    """Open deals exported without their amount (Maven's 'Engaging' deals): the headline's
    open pipeline is blank (it read $0.00, -100 %), and the notes say why."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "leads.csv").write_text(LEADS)
    (data / "deals.csv").write_text(DEALS + "D5,L4,2025-05-01,open,,\nD6,L5,2025-05-10,open,,\n")
    with leadpilot.open(tmp_path / "ws", create=True) as lp:
        lp.ingest(data)
        report = lp.report(PERIOD)
    assert report.data.pipeline[0] is None
    assert NOTICES["unvalued_pipeline"][lang] in _notes(report.view(lang))
