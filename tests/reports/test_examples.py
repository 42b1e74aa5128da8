"""The reports of the two real examples say what their data cannot show, and why, instead
of drawing empty charts: X Education (one creation date for every lead, no deal, no spend,
no touchpoint) and Zoho CRM (amounts in US dollars, no touchpoint, deals dated before
their lead)."""

from __future__ import annotations

import pytest
from report_kit import Visit
from texts import untranslated

import leadpilot
from leadpilot.i18n import Formatter
from leadpilot.reports import SECTIONS


@pytest.fixture(scope="module")
def xedu(xedu_ws):
    with leadpilot.open(xedu_ws) as lp:
        return lp.report()


@pytest.fixture(scope="module")
def zoho(zoho_ws):
    with leadpilot.open(zoho_ws) as lp:
        return lp.report()


def _gaps(report) -> dict[str, list[str]]:
    return {k: [g.key for g in v] for k, v in report.data.gaps.items()}


def _messages(report, lang: str, section: str) -> list[str]:
    return [b.text for b in report.view(lang).section(section).blocks if b.kind == "message"]


def test_x_education_says_what_it_cannot_show(xedu):
    assert xedu.data.period.label == "2019-Q4"  # the quarter holding the leads
    gaps = _gaps(xedu)
    assert {"one_creation_day", "no_deals", "no_spend"} <= set(gaps["headline"])
    assert gaps["trends"] == ["one_creation_day"] and gaps["velocity"] == ["one_creation_day"]
    assert gaps["attribution"] == ["no_touchpoints"]
    assert "scoring" not in gaps  # its points score is evaluated: lift by decile
    fr = xedu.view("fr")
    assert _messages(xedu, "fr", "trends") == [
        "Tous les leads ont la même date de création (30 déc. 2019)\u202f: l'export ne contient "
        "pas de vraies dates, on ne peut donc ni comparer des périodes, ni tracer de tendance "
        "mensuelle, ni mesurer la vitesse de conversion."
    ]
    assert "points de contact" in _messages(xedu, "fr", "attribution")[0]
    # no chart where there is nothing to draw, no card for what cannot be computed
    charts = {b.key for s in fr.sections for b in s.blocks if b.kind == "chart"}
    assert charts == {"funnel", "lift"}
    cards = fr.section("headline").blocks[0]
    assert [c.key for c in cards.items] == ["customers"]
    assert all(c.change_text == "" for c in cards.items + cards.secondary)
    # channels: volume and conversion only, no cost column
    table = next(b for b in fr.section("channels").blocks if b.kind == "table")
    assert [c.key for c in table.columns] == ["channel", "leads", "customers", "lead_to_customer"]


def test_zoho_reports_in_dollars_and_without_attribution(zoho):
    assert zoho.data.currency == "USD"
    gaps = _gaps(zoho)
    assert gaps["attribution"] == ["no_touchpoints"]
    # deals created before their lead: a caveat on the speeds shown, not a gap
    assert "negative_durations" not in gaps.get("velocity", [])
    assert "negative_durations" in [c.key for c in zoho.data.caveats["velocity"]]
    revenue = zoho.data.current_row()["revenue"]
    cards = {c.key: c for c in zoho.view("en").section("headline").blocks[0].items}
    assert cards["revenue"].full_text == Formatter("en", "USD").money(revenue)
    assert cards["revenue"].text.startswith("$")
    assert Formatter("fr", "USD").money(revenue).endswith("$US")
    fr = zoho.view("fr")
    assert any("$US" in c.text for c in fr.section("headline").blocks[0].items)
    # the data-quality findings name the deals created before their lead, in French
    quality = next(b for b in fr.section("quality").blocks if b.kind == "findings")
    assert "Affaires créées avant leur lead" in [f.title for f in quality.items]


@pytest.mark.parametrize("example", ["xedu", "zoho"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_examples_render_in_every_format(request, browser, artifacts, example, lang):
    report = request.getfixturevalue(example)
    html = report.write(artifacts / f"report-{example}-{lang}.html", lang=lang)
    assert untranslated(html.read_text(), lang) == []
    assert len(report.markdown(lang)) > 1000 and len(report.xlsx(lang)) > 5000
    v = Visit(browser, html)
    try:
        assert v.errors == [] and v.blocked == []
        keys = v.page.eval_on_selector_all(
            "section[data-section]", "s => s.map(x => x.dataset.section)"
        )
        assert tuple(keys) == SECTIONS
        # the headline's values fit their cards (Zoho's '$11,289,900' ran over the edge)
        over = v.page.eval_on_selector_all(
            ".card-value", "vs => vs.filter(v => v.scrollWidth > v.clientWidth + 1)"
            ".map(v => v.textContent)",
        )
        assert over == []
        # every chart drawn has marks: none is an empty frame
        for svg in v.page.locator("figure.chart .wide svg").all():
            assert svg.locator("path, rect").count() > 3
        v.page.screenshot(path=str(artifacts / f"report-{example}-{lang}.png"), full_page=True)
    finally:
        v.close()


def test_the_x_education_pdf_renders(xedu, artifacts):
    pdf = xedu.write(artifacts / "report-xedu-fr.pdf", lang="fr")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000
