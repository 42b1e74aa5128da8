"""The HTML report in a real browser (Playwright on Debian's Chromium), opened from disk
with every network request blocked: it loads whole, without a console error; its sections
come in the issue's order; the figures it shows are the command line's JSON, written for
the reader; it reads on a phone. Screenshots (French and English, desktop and phone) go
to tests/artifacts/."""

from __future__ import annotations

import pytest
from report_kit import PERIOD, Visit, cli_json

from leadpilot.i18n import Formatter
from leadpilot.reports import SECTIONS
from leadpilot.reports.labels import typeset

LANGS = ("fr", "en")


@pytest.mark.parametrize("lang", LANGS)
def test_the_report_opens_offline_without_errors(visits, lang):
    v = visits[lang]
    assert v.blocked == [], f"the report asked the network for {v.blocked}"
    assert v.failed == [] and v.errors == []
    # nothing outside the file itself: no stylesheet, script, image or font to fetch
    assert v.page.locator("script, link[rel=stylesheet], img[src], iframe").count() == 0
    assert v.page.evaluate("document.documentElement.lang") == lang


@pytest.mark.parametrize("lang", LANGS)
def test_every_section_is_there_in_order(visits, lang):
    page = visits[lang].page
    keys = page.eval_on_selector_all("section[data-section]", "s => s.map(x => x.dataset.section)")
    assert tuple(keys) == SECTIONS
    for key in SECTIONS:
        section = page.locator(f"section#{key}")
        assert section.is_visible()
        assert section.locator("h2").inner_text().strip()


def test_the_headline_is_the_cli_json(visits, demo_ws):
    """Revenue, customers, spend and ROI of the period (cohort view) and of the comparison
    period read at the same age, as ``leadpilot diagnose`` computes them."""
    doc = cli_json("diagnose", "-w", str(demo_ws), "--current", PERIOD)
    rows = {r["kpi"]: r for r in doc["rows"]}
    kpis = cli_json("kpis", "-w", str(demo_ws), "--from", "2025-04-01", "--to", "2025-06-30",
                    "--kpi", "revenue,customers,spend,roi")["rows"][0]  # fmt: skip
    for lang in LANGS:
        page = visits[lang].page
        for name in ("revenue", "customers", "spend", "roi"):
            card = page.locator(f".cards .card[data-kpi='{name}']")
            assert float(card.get_attribute("data-value")) == pytest.approx(kpis[name])
            assert kpis[name] == pytest.approx(rows[name]["current"])
        revenue = page.locator(".cards .card[data-kpi='revenue']")
        fmt = Formatter(lang, "EUR")
        assert revenue.locator(".card-value").inner_text() == fmt.money(kpis["revenue"])
        change = rows["revenue"]["relative_change"]
        sign = "+" if change >= 0 else "−"
        assert (
            revenue.locator(".card-change").inner_text().endswith(sign + fmt.percent(abs(change)))
        )
        assert fmt.money(rows["revenue"]["previous"]) in revenue.locator(".card-prev").inner_text()


def test_the_channel_table_is_the_cli_json(visits, demo_ws):
    doc = cli_json("kpis", "-w", str(demo_ws), "--by", "channel", "--from", "2025-04-01",
                   "--to", "2025-06-30", "--kpi", "leads,lead_to_customer,cpl")  # fmt: skip
    assert len(doc["rows"]) >= 5
    for lang in LANGS:
        page = visits[lang].page
        fmt = Formatter(lang, "EUR")
        for row in doc["rows"]:
            channel = row["channel"]
            leads = page.locator(
                f"table[data-table=channels] td[data-kpi=leads][data-group={channel}]"
            )
            assert int(float(leads.get_attribute("data-value"))) == row["leads"]
            assert leads.inner_text() == fmt.number(row["leads"])
            rate = page.locator(
                f"table[data-table=channels] td[data-kpi=lead_to_customer][data-group={channel}]"
            )
            assert float(rate.get_attribute("data-value")) == pytest.approx(row["lead_to_customer"])
            assert rate.inner_text() == fmt.percent(row["lead_to_customer"])
            cpl = page.locator(f"table[data-table=channels] td[data-kpi=cpl][data-group={channel}]")
            assert cpl.inner_text() == fmt.money(row["cpl"])


def test_the_findings_are_the_cli_json(visits, demo_ws):
    doc = cli_json("diagnose", "-w", str(demo_ws), "--current", PERIOD, "--by", "channel")
    findings = doc["meta"]["findings"]
    assert {"volume_up_revenue_flat", "cheap_leads_expensive_customers"} <= {
        f["code"] for f in findings
    }
    for lang in LANGS:
        page = visits[lang].page
        shown = page.locator("section#findings .finding")
        assert shown.count() == len(findings)
        for i, f in enumerate(findings):
            item = shown.nth(i)
            assert item.get_attribute("data-code") == f["code"]
            # as the report writes French: a narrow no-break space before a colon
            title = typeset(f["title_fr"] if lang == "fr" else f["title"], lang)
            assert item.locator(".finding-title").inner_text() == title
            assert f"sev-{f['severity']}" in item.get_attribute("class")
            actions = [
                typeset(a, lang) for a in (f["actions_fr"] if lang == "fr" else f["actions"])
            ]
            assert item.locator(".actions li").all_inner_texts() == actions
        # the severity colours: a high finding is red, a medium one orange
        high = page.locator(".finding.sev-high .badge").first
        assert high.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(198, 40, 40)"


def test_the_funnel_is_the_cli_json(visits, demo_ws):
    doc = cli_json("funnel", "-w", str(demo_ws), "--from", "2025-04-01", "--to", "2025-06-30")
    acceptance = doc["meta"]["acceptance"][0]
    for lang in LANGS:
        page = visits[lang].page
        for row in doc["rows"]:
            if row.get("exit"):
                continue
            cell = page.locator(f"td[data-kpi='funnel.count'][data-group={row['stage']}]")
            assert int(float(cell.get_attribute("data-value"))) == row["count"]
        meter = page.locator(".meter[data-kpi=acceptance_rate]")
        assert float(meter.get_attribute("data-value")) == pytest.approx(
            acceptance["acceptance_rate"]
        )
        assert Formatter(lang).percent(acceptance["acceptance_rate"]) in meter.inner_text()


@pytest.mark.parametrize("lang", LANGS)
def test_the_charts_are_inline_svg_with_text_in_the_language(visits, lang):
    page = visits[lang].page
    charts = page.locator("figure.chart")
    assert charts.count() >= 7
    keys = charts.evaluate_all("fs => fs.map(f => f.dataset.chart)")
    assert {"bridge", "funnel", "costs", "trends", "cycle", "survival", "attribution"} <= set(keys)
    for i in range(charts.count()):
        figure = charts.nth(i)
        svg = figure.locator(".wide svg")
        box = svg.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100  # drawn, not empty
        assert svg.locator("path, rect").count() > 3
        assert figure.locator(".chart-title").inner_text().strip()
    # the bars' labels are the funnel's rates, written by Babel for the language
    text = page.locator("figure[data-chart=funnel] .wide svg").text_content()
    mql = page.locator("td[data-kpi='funnel.from_previous'][data-group=mql]")
    rate = float(mql.get_attribute("data-value"))
    assert "Leads" in text and f"({Formatter(lang).percent(rate)})" in text
    assert ("Opportunité" if lang == "fr" else "Opportunity") in text


@pytest.mark.parametrize("lang", LANGS)
def test_screenshots_desktop_and_phone(browser, demo_html, artifacts, lang):
    """Full-page screenshots for a person to look at; on a phone nothing but the wide
    tables (in their own scrolling box) is wider than the screen."""
    for name, width in (("desktop", 1200), ("phone", 390)):
        v = Visit(browser, demo_html[lang], width=width, height=844)
        try:
            assert v.errors == [] and v.blocked == []
            v.page.screenshot(path=str(artifacts / f"report-{lang}-{name}.png"), full_page=True)
            overflow = v.page.evaluate("document.documentElement.scrollWidth")
            assert overflow <= width, f"{name}: the page is {overflow}px wide"
            if name == "phone":
                narrow = v.page.locator("figure[data-chart=funnel] .narrow svg")
                assert narrow.is_visible()
                assert not v.page.locator("figure[data-chart=funnel] .wide svg").is_visible()
                assert narrow.bounding_box()["width"] <= width
        finally:
            v.close()
