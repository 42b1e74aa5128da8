"""What the report says of its figures, on a small workspace made for it (defects found on
the demo, HubSpot, Salesforce and Zoho exports):

- the comparison column keeps its figures when the reported period has no lead (the
  Markdown and HTML wrote "–" where the workbook had them);
- money is written exactly in both languages ("12 M €" stood for 12 345 678 €);
- the notes count the won deals without an amount, of each period;
- "organic channels need none" is said of channels without spend in any period only;
- the Markdown's channel caption describes its table, not the HTML chart;
- a change that rounds to zero has no arrow and no sign; the bridge's effects are signed
  as the headline's changes are;
- the findings say they are computed by channel, and how diagnose gives the same.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

import leadpilot
from leadpilot.i18n import Formatter
from leadpilot.reports.view import unvalued_counts

CHANNELS = ("ads", "seo", "mail")  # ads: spend in Q1 only; seo: never; mail: both
BIG = 12_345_678


def _data() -> dict[str, str]:
    """Q1 2025: 199 leads, 6 won (no amount); Q2: 100 leads, 3 won (one with an amount);
    the data ends on 15 July 2025 (a deal lost)."""
    leads, deals = ["lead_id,created_at,channel"], [
        "deal_id,lead_id,created_at,status,closed_at,amount"
    ]
    for i in range(199):
        day = date(2025, 1, 2) + timedelta(days=i % 78)
        leads.append(f"Q{i},{day},{CHANNELS[i % 3]}")
        if i < 6:
            deals.append(f"DQ{i},Q{i},{day},won,{day + timedelta(days=5)},")
    for j in range(100):
        day = date(2025, 4, 2) + timedelta(days=j % 80)
        leads.append(f"R{j},{day},{CHANNELS[j % 3]}")
        if j < 3:
            amount = BIG if CHANNELS[j % 3] == "mail" else ""
            deals.append(f"DR{j},R{j},{day},won,{day + timedelta(days=5)},{amount}")
    deals.append("DR3,R3,2025-04-05,lost,2025-07-15,")
    spend = ["date,channel,amount", "2025-01-01,ads,500", "2025-01-01,mail,300",
             "2025-04-01,mail,200"]  # fmt: skip
    return {"leads": leads, "deals": deals, "spend": spend}


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    base = tmp_path_factory.mktemp("figures-said")
    src = base / "src"
    src.mkdir()
    for name, rows in _data().items():
        (src / f"{name}.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    with leadpilot.open(base / "ws", create=True) as lp:
        lp.ingest(src)
    return base / "ws"


@pytest.fixture(scope="module")
def q2(ws):
    with leadpilot.open(ws) as lp:
        return lp.report("2025-Q2")


@pytest.fixture(scope="module")
def q3(ws):
    """A period without any lead (the data ends on 15 July)."""
    with leadpilot.open(ws) as lp:
        return lp.report("2025-Q3")


def _cards(report, lang: str) -> dict:
    block = report.view(lang).section("headline").blocks[0]
    return {c.key: c for c in [*block.items, *block.secondary]}


def _md_headline(report, lang: str) -> dict[str, list[str]]:
    """The Markdown headline's rows: label -> [period, comparison period, change]."""
    md = report.markdown(lang).split("## 1. ", 1)[1].split("## 2. ", 1)[0]
    rows = [line.strip("|").split(" | ") for line in md.splitlines() if line.startswith("| ")]
    return {r[0].strip(): [x.strip().strip("*") for x in r[1:]] for r in rows[1:]}


def _notes(report, lang: str) -> list[str]:
    return next(b for b in report.view(lang).section("quality").blocks if b.kind == "notes").items


# ---------------------------------------------------------------- 1. comparison column
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_comparison_column_stands_when_the_period_has_no_lead(q3, lang):
    d = q3.data
    assert not d.current_row().get("leads") and d.comparable
    before = d.previous_row()
    fmt = Formatter(lang, d.currency)
    expected = {
        "customers": fmt.number(before["customers"]),
        "spend": fmt.money(before["spend"]),
        "cpl": fmt.money(before["cpl"]),
        "lead_to_customer": fmt.percent(before["lead_to_customer"]),
        "revenue": fmt.money(before["revenue"]),
    }
    assert before["customers"] == 3 and before["revenue"] == BIG
    cards = _cards(q3, lang)
    md = _md_headline(q3, lang)
    html = q3.html(lang)
    for key, text in expected.items():
        card = cards[key]
        assert card.text == "–" and card.before_text == text, key
        assert md[card.label][:2] == ["–", text], (key, md[card.label])
        assert text in card.previous_text and card.previous_text in html, key


def test_a_period_without_lead_claims_no_age(q3):
    findings = q3.view("en").section("findings").blocks
    items = [f for b in findings if b.kind == "findings" for f in b.items]
    assert "immature_cohort" not in [f.code for f in items]
    assert "days old" not in q3.markdown("en") and "0 jour" not in q3.markdown("fr")


# ---------------------------------------------------------------- 5. exact money
def test_money_is_exact_in_both_languages(q2, q3):
    for lang, text in (("en", "€12,345,678"), ("fr", "12\u202f345\u202f678\xa0€")):
        assert _cards(q2, lang)["revenue"].text == text
        assert _cards(q2, lang)["avg_deal_size"].text == text
        assert _md_headline(q2, lang)[_cards(q2, lang)["revenue"].label][0] == text
        assert _cards(q3, lang)["revenue"].before_text == text
        assert f": {text}" in _cards(q3, lang)["revenue"].previous_text
        assert " M" not in q2.markdown(lang).split("## 2. ", 1)[0]


# ---------------------------------------------------------------- 4. won deals without amount
def test_the_notes_count_the_won_deals_without_an_amount(q2):
    en, fr = _notes(q2, "en"), _notes(q2, "fr")
    assert (
        "In Q2 2025, 2 of the 3 won deals have no amount: revenue and ROI count them as "
        "nothing, and the average deal size is that of the other 1." in en
    )
    assert (
        "In Q1 2025 (the comparison period), 6 of the 6 won deals have no amount: revenue, "
        "ROI and the average deal size are unknown (–)." in en
    )
    assert any(n.startswith("En T2 2025, 2 des 3 affaires gagnées n'ont pas de") for n in fr)
    assert any(n.startswith("En T1 2025 (période de comparaison), 6 des 6 affaires") for n in fr)
    # the general sentence is not said beside the counted ones
    assert not [n for n in en if n.startswith("Won deals without an amount")]


def test_the_counts_are_read_from_the_kpi_notice():
    from leadpilot.errors import Notice

    class Result:  # the counts from the notice's data, not from its sentence
        notices = [Notice("unvalued", "(reworded)", {"lacking": 1299, "total": 1313})]

    assert unvalued_counts(Result()) == (1299, 1313)
    assert unvalued_counts(None) is None


# ---------------------------------------------------------------- 6. organic or not
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_organic_is_said_of_channels_without_spend_in_any_period(q2, lang):
    table = next(b for b in q2.view(lang).section("channels").blocks if b.kind == "table")
    organic = "organic channels need none" if lang == "en" else "les canaux organiques"
    first, _, second = table.note.partition(". ")
    assert "seo" in first and organic in first and "ads" not in first
    assert "ads" in second and organic not in second and "seo" not in second
    period = "in Q2 2025" if lang == "en" else "en T2 2025"
    assert period in second
    notes = [n for n in _notes(q2, lang) if "ads (" in n or "seo (" in n]
    assert len(notes) == 2
    (seo,) = [n for n in notes if "seo (" in n]
    (ads,) = [n for n in notes if "ads (" in n]
    assert organic in seo and "ads (" not in seo
    assert organic not in ads and "seo (" not in ads and period in ads


# ---------------------------------------------------------------- 8. the Markdown caption
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_markdown_caption_describes_its_table(q2, lang):
    md = q2.markdown(lang).split("## 4. ", 1)[1].split("## 5. ", 1)[0]
    chart = next(b for b in q2.view(lang).section("channels").blocks if b.kind == "chart")
    assert chart.note and chart.note not in md  # the HTML chart's caption
    assert ("orange" not in md) and ("cost per lead." not in md) and ("coût par lead." not in md)
    assert ("sorted by revenue" if lang == "en" else "triés par chiffre d'affaires") in md
    assert chart.note in q2.html(lang).replace("&#39;", "'")
    # the table is sorted as said: revenue first
    rows = [x for x in md.splitlines() if x.startswith("| ") and "**" not in x][1:]
    assert rows[0].startswith("| mail ")


# ---------------------------------------------------------------- 10. zero changes, signs
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_change_that_rounds_to_zero_has_no_arrow_nor_sign(q2, lang):
    closing = _cards(q2, lang)["lead_to_customer"]
    assert 0 < abs(closing.change) < 0.0005  # 3/100 against 6/199
    zero = "0.0 pts" if lang == "en" else "0,0 pts"
    assert (closing.arrow, closing.change_text, closing.tone) == ("", zero, "neutral")
    assert _md_headline(q2, lang)[closing.label][2] == zero
    # the bridge's effects carry a true minus, as the headline's changes do
    bridge = q2.markdown(lang).split("## 2. ", 1)[1].split("## 3. ", 1)[0]
    effects = [x for x in bridge.splitlines() if x.startswith("| ")][2:-1]
    assert effects and all(x.split(" | ")[1][0] in "+−0" for x in effects), effects
    assert "| -" not in bridge


# ---------------------------------------------------------------- 2. by channel
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_findings_say_they_are_by_channel(q2, lang):
    assert q2.data.diagnosis.meta["by"] == "channel"
    md = q2.markdown(lang).split("## 2. ", 1)[1].split("## 3. ", 1)[0]
    assert "`leadpilot diagnose --current 2025-Q2 --by channel`" in md
    assert ("channel by channel" if lang == "en" else "canal par canal") in md
    # a command to type: code, left as typed by a translator ('2025-Q2', not 'T2 2025')
    html = q2.html(lang)
    assert '<code translate="no">leadpilot diagnose --current 2025-Q2 --by channel</code>' in html
