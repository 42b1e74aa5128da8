"""The dashboard in a real browser (Debian's Chromium driven by Playwright), served by
the session's server on loopback; every request leaving loopback is blocked.

It signs in with a key, checks that the numbers shown equal the API's for the same
filters, changes filters (the panels update without a page load), switches to French,
and finds no console error and no failed request. Screenshots go to
``tests/artifacts/dashboard/`` (not committed)."""

from __future__ import annotations

import calendar
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import pytest

from leadpilot.api.dashboard import UI
from leadpilot.i18n import period_name

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "dashboard"
HEADLINE = "leads,mqls,sqls,customers,revenue,spend,cpl,cac,lead_to_customer,roi"
PANELS = ("headline", "trend", "funnel", "channels", "findings", "forecast", "velocity")


class Watch:
    """What a page did wrong: console errors, failed requests, error statuses, and any
    request that tried to leave loopback (blocked)."""

    def __init__(self, page):
        self.errors: list[str] = []
        self.outside: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url}"))
        page.on("response", lambda r: r.status >= 400 and self.errors.append(
            f"{r.status}: {r.url}"))  # fmt: skip


@pytest.fixture
def page(browser, service):
    """A page of pytest-playwright's one browser of the session (Debian's Chromium, see
    tests/conftest.py): one browser per process, whichever tests ran before."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    outside: list[str] = []

    def gate(route):
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", "localhost", "::1"):
            return route.continue_()
        outside.append(route.request.url)
        return route.abort()

    context.route("**/*", gate)
    p = context.new_page()
    p.watch = Watch(p)
    p.watch.outside = outside
    yield p
    context.close()


def sign_in(page, service, ws="acme", lang="en"):
    page.goto(f"{service.url}/w/{ws}/?lang={lang}")
    page.fill("#key", service.keys[ws]["read"])
    page.click("button[type=submit]")
    page.wait_for_selector("#board")
    # the page asked without a key answered 401 with the sign-in form: that one is expected
    page.watch.errors = [e for e in page.watch.errors if "401" not in e]


def settled(page):
    """Every panel loaded and every chart drawn."""
    for name in PANELS:
        page.wait_for_selector(f"#panel-{name} h2", timeout=60_000)
    page.wait_for_function(
        "() => !document.querySelector('.loading') && !document.querySelector('.htmx-request')"
        " && [...document.querySelectorAll('.chart')].every(c => c.dataset.ready"
        " || c.dataset.error)",
        timeout=60_000,
    )
    errors = page.eval_on_selector_all(".chart[data-error]", "cs => cs.map(c => c.dataset.error)")
    assert not errors, errors


def bounds(period: str) -> tuple[str, str]:
    year = int(period[:4])
    q = int(period[-1])
    last = date(year, 3 * q, calendar.monthrange(year, 3 * q)[1])
    return date(year, 3 * q - 2, 1).isoformat(), last.isoformat()


def shown(page, scope: str) -> dict[str, str]:
    return page.eval_on_selector_all(
        f"{scope} [data-kpi]", "els => Object.fromEntries(els.map(e => [e.dataset.kpi, "
        "e.dataset.value]))",
    )


def same(value_shown: str, value_api) -> bool:
    if value_api is None:
        return value_shown == ""
    return abs(float(value_shown) - float(value_api)) <= 1e-9 * max(1.0, abs(float(value_api)))


def check_headline(page, service, period, channel=None):
    start, end = bounds(period)
    by = "&by=channel" if channel else ""
    with service.client("acme", "read") as c:
        doc = c.get(f"/api/v1/workspaces/acme/kpis?kpi={HEADLINE}&from={start}&to={end}{by}")
    rows = [r for r in doc.json()["rows"] if not channel or r["channel"] == channel]
    assert len(rows) == 1
    values = shown(page, "#panel-headline")
    assert set(values) == set(HEADLINE.split(","))
    wrong = {k: (values[k], rows[0][k]) for k in values if not same(values[k], rows[0][k])}
    assert not wrong, wrong


def test_dashboard_shows_the_api_numbers_and_follows_filters(page, service):
    sign_in(page, service)
    settled(page)
    period = page.eval_on_selector("#f-period", "s => s.value")
    assert period[4:6] == "-Q"
    check_headline(page, service, period)
    # the channels table: every cell equals the API's
    start, end = bounds(period)
    with service.client("acme", "read") as c:
        rows = c.get(
            f"/api/v1/workspaces/acme/kpis?by=channel&from={start}&to={end}&kpi=leads,customers,"
            "lead_to_customer,revenue,spend,cpl,cac,roi"
        ).json()["rows"]
    for r in rows:
        cells = shown(page, f"#panel-channels tr[data-channel='{r['channel']}']")
        assert all(same(v, r[k]) for k, v in cells.items()), (r, cells)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-en.png"), full_page=True)

    # a filter: one channel; the board is swapped in place, not reloaded
    page.evaluate("window.__same_page = true")
    page.select_option("#f-channel", "paid_search")
    page.wait_for_selector("#panel-headline h2:has-text('paid_search')", timeout=60_000)
    settled(page)
    assert page.evaluate("window.__same_page") is True
    assert "channel=paid_search" in page.url  # the URL follows, so it can be shared
    check_headline(page, service, period, channel="paid_search")
    assert not page.is_disabled("#f-campaign")  # its campaigns are offered now

    # another period
    other = page.eval_on_selector(
        "#f-period", "s => [...s.options].map(o => o.value).filter(v => v.includes('-Q'))[2]"
    )
    page.select_option("#f-period", other)
    page.wait_for_selector(
        f"#panel-headline h2:has-text('{period_name(other, 'en')}')", timeout=60_000
    )
    settled(page)
    check_headline(page, service, other, channel="paid_search")
    page.screenshot(path=str(ARTIFACTS / "dashboard-en-paid_search.png"), full_page=True)
    assert not page.watch.errors, page.watch.errors
    assert not page.watch.outside, page.watch.outside


def test_dashboard_in_french(page, service):
    sign_in(page, service, lang="fr")
    settled(page)
    assert page.get_attribute("html", "lang") == "fr"
    assert page.is_visible("text=Entonnoir") and page.is_visible("text=Chiffre d'affaires")
    revenue = page.inner_text("#panel-headline [data-kpi=revenue] .kpi-value")
    assert revenue.strip().endswith("€") and "\u202f" in revenue or "\xa0" in revenue
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-fr.png"), full_page=True)
    assert not page.watch.errors, page.watch.errors
    assert not page.watch.outside, page.watch.outside


def test_dashboard_needs_a_key(page, service):
    r = page.goto(f"{service.url}/w/acme/")
    assert r.status == 401 and page.is_visible("#key")
    page.fill("#key", service.keys["globex"]["admin"])  # another workspace's key
    page.click("button[type=submit]")
    assert "acme" in page.url and not page.query_selector("#board")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_channel_table_shows_every_column_whole(page, service, lang):
    """French amounts ('601 130 €') are wider than English ones: at a laptop's width the
    table showed "1" of an ROI of "10 307,0 %", cut at the card's edge. Every column shows
    whole at desktop widths (down to where the panels stack); narrower, the table scrolls."""
    sign_in(page, service, lang=lang)
    settled(page)  # (leaving a page still loading would abort its requests)
    for width in (1300, 1101):
        page.set_viewport_size({"width": width, "height": 1000})
        page.goto(f"{service.url}/w/acme/?period=all&lang={lang}")
        settled(page)
        cut = page.evaluate(
            """() => { const wrap = document.querySelector('#panel-channels .table-wrap');
            const edge = wrap.getBoundingClientRect().right + 0.5;
            return {overflow: wrap.scrollWidth - wrap.clientWidth,
                    cut: [...wrap.querySelectorAll('th, td')]
                      .filter(c => c.getBoundingClientRect().right > edge).length}; }"""
        )
        assert cut == {"overflow": 0, "cut": 0}, (width, cut)
        roi = page.inner_text("#panel-channels tbody tr:first-child td[data-kpi=roi]")
        assert roi.strip().endswith("%"), roi
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"dashboard-channels-{lang}.png"), full_page=True)
    assert not page.watch.errors, page.watch.errors


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_channel_of_unknown_revenue_draws_no_bar_of_zero(page, service, flawed, lang):
    """``flawed``: most won deals lack an amount, so some channels' revenue is unknown
    (null, "–" in the table). The channel chart drew them a bar of 0; it draws a bar for
    each channel of known revenue only, and writes "no amount" on the others' rows."""
    with service.client(flawed, "read") as c:
        rows = c.get(f"/api/v1/workspaces/{flawed}/kpis?by=channel").json()["rows"]
    known = [r["channel"] for r in rows if r["revenue"] is not None]
    unknown = [r["channel"] for r in rows if r["revenue"] is None]
    assert known and unknown and None not in known + unknown  # the point: some of each
    sign_in(page, service, ws=flawed, lang=lang)
    settled(page)  # (leaving a page still loading would abort its requests)
    page.goto(f"{service.url}/w/{flawed}/?period=all&lang={lang}")
    settled(page)
    chart = "#panel-channels .chart svg"
    bars = page.eval_on_selector_all(f"{chart} .mark-rect.role-mark path", "ps => ps.length")
    assert bars == len(known)
    texts = "ts => ts.map(t => t.textContent)"
    labels = page.eval_on_selector_all(f"{chart} .mark-text.role-mark text", texts)
    assert labels == [UI[lang]["no_amount"]] * len(unknown)
    # each label sits on its channel's row (the y axis lists every channel)
    axis = page.eval_on_selector_all(f"{chart} .role-axis-label text", texts)
    assert set(unknown) <= set(axis) and set(known) <= set(axis)
    for r in rows:  # the table beside it says "–" where the chart says "no amount"
        cell = page.inner_text(f"#panel-channels tr[data-channel='{r['channel']}'] "
                               "td[data-kpi=revenue]")  # fmt: skip
        assert (cell.strip() == "–") == (r["channel"] in unknown), (r["channel"], cell)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator("#panel-channels").screenshot(
        path=str(ARTIFACTS / f"dashboard-channels-unknown-revenue-{lang}.png")
    )
    assert not page.watch.errors, page.watch.errors


def test_a_period_without_leads_draws_no_empty_axis(page, service):
    """?period=2026-Q1 (no lead created in it): the menu shows it, and the funnel and the
    channel chart say there is nothing to draw instead of an axis of 0.000000 or NaN."""
    sign_in(page, service)
    settled(page)
    page.goto(f"{service.url}/w/acme/?period=2026-Q1&lang=en")
    settled(page)
    assert page.eval_on_selector("#f-period", "s => s.value") == "2026-Q1"
    assert page.eval_on_selector("#f-period", "s => s.options[s.selectedIndex].text") == (
        period_name("2026-Q1", "en")
    )
    texts = page.eval_on_selector_all("svg text", "ts => ts.map(t => t.textContent)")
    assert not [t for t in texts if "NaN" in t or "0.000000" in t], texts
    for name in ("funnel", "channels"):
        assert page.is_visible(f"#panel-{name} .nothing"), name
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-empty-period.png"), full_page=True)
    assert not page.watch.errors, page.watch.errors
