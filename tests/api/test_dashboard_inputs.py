"""What a new user's trial of the dashboard found (trial 33), each checked here:

- "What changed" over all channels lists the report's findings (the same diagnosis: by
  channel), and with one channel chosen that channel's findings, not a finding about the
  whole channel mix as if it were about it (it says how many it leaves to All channels);
- a filter value that does not exist (a period that is none, one after the data ends, a
  channel or campaign no lead has, a comparison or a language the page does not know)
  gets a message in the page's language naming the value and what is expected, and
  nothing is computed for it; the report route refuses a bad period as the API does;
- the report links say the report covers every channel when one is chosen;
- the headline's notes follow the channel chosen;
- a workspace without any revenue draws no axis of "NaN": the trend shows the leads, the
  channel chart the leads of each channel, the forecast says there is nothing to forecast;
- at a phone's width, in French, a KPI card holds its figure ("24 527 400 $US"), the
  filters show their options whole, the forecast's months are not written over one
  another;
- French severity badges (a caveat too), a wrong key on the French sign-in form answers
  the form again in French, and the velocity says its period and channel.

Panels are fetched from the session's server (``acme``: 3,000 leads, data as of
2026-03-30) and two workspaces added to it here: ``norevenue`` (no won deal has
an amount) and ``bigusd`` (amounts in US dollars, sixty times the generated ones)."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import pytest

import leadpilot.pilot as pilot
from leadpilot.access import KeyStore
from leadpilot.api.dashboard import UI, env
from leadpilot.reports.labels import NOTICES, SEVERITY, label, period_name, typeset

API = "/api/v1/workspaces"
SPEC = re.compile(r'<script type="application/json" class="vl-spec">(.*?)</script>', re.S)


def _get(service, path: str, ws: str = "acme", status: int = 200, **query):
    with service.client(ws, "read") as c:
        r = c.get(path.format(ws=ws), params=query or None)
    assert r.status_code == status, r.text[:500]
    return r


def _panel(service, name: str, ws: str = "acme", **query) -> str:
    return _get(service, f"/w/{{ws}}/panel/{name}", ws, **query).text


def _spec(html: str) -> dict | None:
    m = SPEC.search(html)
    return json.loads(m.group(1).replace("<\\/", "</")) if m else None


def _codes(html: str, block: str) -> list[str]:
    m = re.search(rf'<div class="{block}">(.*?)</ul>\s*</div>', html, re.S)
    return re.findall(r'data-code="(\w+)"', m.group(1)) if m else []


def _notes(html: str) -> list[str]:
    block = re.search(r'<ul class="notes"[^>]*>(.*?)</ul>', html, re.S)
    if block is None:
        return []
    return [unescape(n).strip() for n in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)]


def _problems(html: str) -> dict[str, str]:
    block = re.search(r'<section class="problems"[^>]*>(.*?)</section>', html, re.S)
    if block is None:
        return {}
    found = re.findall(r'<li data-filter="(\w+)">(.*?)</li>', block.group(1), re.S)
    return {k: unescape(v).strip() for k, v in found}


def _add(service, tmp_path_factory, name: str, config: str | None, change) -> str:
    """A workspace of the server from generated data that ``change`` edits (made once a
    session: pytest may run this module's browser tests apart from the others)."""
    if name in service.keys:
        return name
    data = tmp_path_factory.mktemp(f"{name}-data")
    pilot.generate(data, leads=400, seed=7)
    change(data)
    ws = service.root / name
    ws.mkdir()
    if config:
        (ws / "leadpilot.yaml").write_text(config)
    with pilot.open(ws, create=True) as lp:
        lp.ingest(data)
    service.keys[name] = {"read": KeyStore(ws).create("read", "test")[0]}
    return name


@pytest.fixture(scope="module")
def acme(service):
    with pilot.open(service.root / "acme") as lp:
        yield lp


@pytest.fixture(scope="session")
def norevenue(service, tmp_path_factory):
    """No won deal has an amount: revenue is unknown everywhere (the x_education export)."""

    def no_amount(data):
        deals = pd.read_parquet(data / "deals.parquet")
        deals["amount"] = None
        deals.to_parquet(data / "deals.parquet")

    return _add(service, tmp_path_factory, "norevenue", None, no_amount)


@pytest.fixture(scope="session")
def bigusd(service, tmp_path_factory):
    """Amounts in US dollars, sixty times the generated ones: French writes its revenue
    "24 527 400 $US" over all the data (the Zoho export's "11 289 900 $US")."""

    def dollars(data):
        for table, column in (("deals", "amount"), ("spend", "amount")):
            frame = pd.read_parquet(data / f"{table}.parquet")
            if table == "deals":
                frame[column] = frame[column] * 60
            frame["currency"] = "USD"
            frame.to_parquet(data / f"{table}.parquet")

    return _add(service, tmp_path_factory, "bigusd", "currency: USD\n", dollars)


# ---------------------------------------------------------------- 1. the findings
@pytest.mark.parametrize(("period", "vs"), [("2025-Q4", "last-year"), ("2025", "previous")])
def test_all_channels_lists_the_report_findings(service, acme, period, vs):
    """The report diagnoses by channel (its leads have one); "All channels" diagnosed the
    totals only and missed the mix shift and the channels' economics the report lists."""
    report = acme.report(period=period, vs=vs).data.diagnosis.meta
    expected = [f["code"] for f in report["findings"]]
    assert "mix_shift_to_low_converting_channels" in expected  # the point of the test
    html = _panel(service, "findings", period=period, compare=vs, lang="en")
    assert _codes(html, "findings-main") == expected
    # the data-quality findings come after them, under their own heading (the report's
    # section 9), not among "what changed"
    assert _codes(html, "findings-quality") == [f["code"] for f in report["data_quality"]]
    # a finding about one channel names it, as the report does
    assert "(channel paid_social)" in unescape(html)


def test_one_channel_shows_its_findings_not_the_whole_mix(service, acme):
    query = {"period": "2025-Q4", "compare": "last-year", "lang": "en"}
    meta = acme.diagnosis(current="2025-Q4", vs="last-year", by="channel").meta
    mine = [f["code"] for f in meta["findings"] if f["group"] == {"channel": "paid_social"}]
    whole = [f for f in [*meta["findings"], *meta["data_quality"]] if not f["group"]]
    assert mine and whole  # the point: some of each
    html = _panel(service, "findings", channel="paid_social", **query)
    assert _codes(html, "findings-main") == mine
    assert "mix_shift_to_low_converting_channels" not in html
    left = UI["en"]["whole_findings"].format(n=len(whole), scope="channel paid_social")
    assert left in unescape(html)
    # a channel without a finding of its own says so (it showed the mix shift)
    html = _panel(service, "findings", channel="events", **query)
    assert _codes(html, "findings-main") == [] and "mix_shift" not in html
    assert UI["en"]["no_scope_findings"].format(scope="channel events") in unescape(html)


# ---------------------------------------------------------------- 2. values that do not exist
CASES = [
    # (query, language, the filter said wrong, its message: UI key and values)
    ({"period": "2025-Q4", "channel": "bogus"}, "en", "channel",
     ("bad_channel", {"value": "bogus", "names": "direct, email, events, organic_search, "
                      "outbound, paid_search, paid_social, partners, referral"})),
    ({"period": "garbage"}, "en", "period", ("bad_period", {"value": "garbage"})),
    ({"period": "2025-Q5"}, "fr", "period", ("bad_period", {"value": "2025-Q5"})),
    ({"period": "2030-Q1"}, "en", "period",
     ("after_end", {"value": "2030-Q1", "name": " (Q1 2030)", "day": "Mar 30, 2026"})),
    ({"period": "2030-Q1"}, "fr", "period",
     ("after_end", {"value": "2030-Q1", "name": " (T1 2030)", "day": "30 mars 2026"})),
    ({"period": "2031"}, "en", "period",
     ("after_end", {"value": "2031", "name": "", "day": "Mar 30, 2026"})),
    ({"compare": "yesterday"}, "en", "compare", ("bad_compare", {"value": "yesterday"})),
    ({"channel": "events", "campaign": "ps_brand"}, "en", "campaign",
     ("bad_campaign", {"value": "ps_brand", "channel": "events",
                       "names": "ev_martech_expo_2024, ev_martech_expo_2025, "
                       "ev_revops_summit_2025, ev_saas_connect_2024"})),
    ({"campaign": "ps_brand"}, "en", "campaign", ("campaign_alone", {"value": "ps_brand"})),
    ({"lang": "de"}, None, "lang", ("bad_lang", {"value": "de"})),
]  # fmt: skip


@pytest.mark.parametrize(("query", "lang", "key", "message"), CASES)
def test_a_value_that_does_not_exist_is_said_and_nothing_is_computed(
    service, monkeypatch, query, lang, key, message
):
    """``?channel=bogus`` filtered every panel to 'bogus' under a menu showing All
    channels; ``?period=garbage`` showed All time; ``?period=2030-Q1`` showed 0 and –;
    ``?lang=de`` answered the API's JSON 422. The page says what is wrong, in its
    language, shows the value asked in its menu, and loads no panel."""
    computed = []
    for method in ("diagnosis", "funnel_result", "velocity_result", "forecast"):
        original = getattr(pilot.Pilot, method)

        def spy(self, *a, _name=method, _original=original, **kw):
            computed.append(_name)
            return _original(self, *a, **kw)

        monkeypatch.setattr(pilot.Pilot, method, spy)
    asked = query | ({"lang": lang} if lang else {})
    for route in ("/w/{ws}/", "/w/{ws}/board"):
        with service.client("acme", "read") as c:
            r = c.get(route.format(ws="acme"), params=asked)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        html = r.text
        assert "/panel/" not in html  # no panel is loaded
        text, values = message
        page = lang or "en"
        assert _problems(html) == {key: typeset(UI[page][text].format(**values), page)}, route
        assert 'id="report-links"' not in html  # nor a report offered for it
        if key in ("period", "compare", "channel", "campaign"):  # its menu shows it
            value = query[key]
            shown = f'<option value="{value}" selected>{value} – {UI[lang]["not_available"]}'
            assert shown in html, route
    # a panel asked directly answers the same message, and computes nothing either
    html = _panel(service, "headline", **asked)
    assert "data-kpi" not in html and _problems(html) == {key: _problems(r.text)[key]}
    assert computed == []


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_parameter_the_page_does_not_take_is_said_on_the_page(service, monkeypatch, lang):
    """``?vs=2024`` (or a misspelt ``perod``) answered the API's JSON 422 to a person: the
    page says it among its problems, in its language, and computes nothing; a route that
    is not a page (the report download) still refuses it as the API does."""
    computed = []
    monkeypatch.setattr(pilot.Pilot, "diagnosis", lambda *a, **k: computed.append(1))
    for route in ("/w/{ws}/", "/w/{ws}/board", "/w/{ws}/panel/headline"):
        r = _get(service, route, vs="2024", perod="2025-Q1", lang=lang)
        assert r.headers["content-type"].startswith("text/html")
        problems = _problems(r.text)
        assert set(problems) == {"vs", "perod"}, route
        expected = typeset(UI[lang]["bad_parameter"].format(value="vs"), lang)
        assert problems["vs"] == expected and "/panel/" not in r.text.split("problems")[-1]
    assert computed == []
    r = _get(service, "/w/{ws}/report", status=422, vs="2024")
    assert r.headers["content-type"] == "application/json"


def test_the_french_page_says_it_in_french(service):
    html = _get(service, "/w/{ws}/", period="2025-Q4", channel="bogus", lang="fr").text
    problems = _problems(html)
    assert problems["channel"].startswith("Le canal «\u00a0bogus\u00a0» n'existe pas")
    assert UI["fr"]["problems"] in html and '<html lang="fr">' in html


def test_the_board_after_a_bad_value_shows_the_panels_again(service):
    """Choosing a value that exists from the menu (the board a filter change swaps in)
    draws the panels again."""
    html = _get(service, "/w/{ws}/board", period="2025-Q4", channel="paid_search").text
    assert _problems(html) == {} and 'id="panel-headline"' in html


@pytest.mark.parametrize("period", ["garbage", "2025-Q5", "2030-Q1", ""])
def test_the_report_route_refuses_a_bad_period_as_the_api_does(service, period):
    """``/w/acme/report?period=garbage`` returned the All-time report."""
    with service.client("acme", "read") as c:
        mine = c.get("/w/acme/report", params={"period": period, "format": "md"})
        api = c.get(f"{API}/acme/report", params={"period": period, "format": "md"})
    assert api.status_code in (400, 422)
    assert (mine.status_code, mine.json()) == (api.status_code, api.json())


# ---------------------------------------------------------------- 3. the report links
def test_the_report_links_say_they_cover_every_channel(service):
    board = _get(service, "/w/{ws}/board", period="2025-Q4", channel="paid_search").text
    links = re.search(r'<span class="report" id="report-links"(.*?)</span>\s*<a class="lang',
                      board, re.S).group(1)  # fmt: skip
    assert f'<span class="report-scope" id="report-scope">{UI["en"]["report_scope"]}' in links
    assert "every channel" in unescape(links)  # and why, in the tooltip
    for href in re.findall(r'href="([^"]+)"', links):  # the links themselves unchanged
        assert "channel=" not in unescape(href)
    board = _get(service, "/w/{ws}/board", period="2025-Q4", lang="fr").text
    assert 'id="report-scope"' not in board  # over all channels: nothing to say
    fr = _get(service, "/w/{ws}/board", period="2025-Q4", channel="events", lang="fr").text
    assert UI["fr"]["report_scope"] == "(tous les canaux)" and "(tous les canaux)" in fr


# ---------------------------------------------------------------- 4. notes follow the filter
def test_the_headline_notes_follow_the_channel_chosen(service):
    """The notes of the by-channel result are about some channels (no spend for direct,
    organic_search, referral): a channel with spend was told its cost KPIs are empty."""
    with service.client("acme", "read") as c:
        doc = c.get(f"{API}/acme/kpis", params={
            "by": "channel", "from": "2025-10-01", "to": "2025-12-31",
            "kpi": "leads,mqls,sqls,customers,revenue,spend,cpl,cac,lead_to_customer,roi",
        }).json()  # fmt: skip
    codes = {n["code"] for n in doc["meta"]["notices"]}
    assert {"no_spend", "not_recorded", "division_by_zero"} <= codes  # the point
    spend = {r["channel"]: r["spend"] for r in doc["rows"]}
    assert spend["paid_search"] and spend["organic_search"] is None
    sentences = [typeset(NOTICES[c]["en"], "en") for c in ("no_spend", "not_recorded")]
    paid = _notes(_panel(service, "headline", period="2025-Q4", channel="paid_search"))
    assert not [n for n in paid if n in sentences]
    assert typeset(NOTICES["division_by_zero"]["en"], "en") not in paid  # its CAC is known
    organic = _notes(_panel(service, "headline", period="2025-Q4", channel="organic_search"))
    assert [n for n in organic if n in sentences]  # a channel without spend is told


# ---------------------------------------------------------------- 5. no revenue at all
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_workspace_without_revenue_draws_no_axis_of_nan(service, norevenue, lang):
    with service.client(norevenue, "read") as c:
        rows = c.get(f"{API}/{norevenue}/kpis", params={"by": "channel"}).json()["rows"]
        forecast = c.get(f"{API}/{norevenue}/forecast", params={"months": 6}).json()
    assert all(r["revenue"] is None for r in rows) and any(r["leads"] for r in rows)
    assert forecast["meta"]["nothing_to_forecast"]
    over = label("over_all_data", lang)
    # the trend: the leads, without a revenue axis (one tick of "NaN"), and says so
    html = _panel(service, "trend", norevenue, period="all", lang=lang)
    spec = _spec(html)
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar"]
    assert "revenue" not in json.dumps(spec["layer"]) and "resolve" not in spec
    assert unescape(UI[lang]["no_revenue_trend"]) in unescape(html)
    # the channels: the leads of each channel (it said "nothing to draw" beside them)
    html = _panel(service, "channels", norevenue, period="all", lang=lang)
    spec = _spec(html)
    assert spec is not None
    assert [layer["encoding"]["x"]["field"] for layer in spec["layer"]] == ["leads"]
    by_leads = [r["channel"] for r in sorted(rows, key=lambda r: -r["leads"])]
    assert spec["encoding"]["y"]["sort"] == by_leads
    assert UI[lang]["no_revenue_channels"].format(over=over) in unescape(html)
    # the forecast: no flat line on an axis of "NaN", the reason instead
    html = _panel(service, "forecast", norevenue, period="all", lang=lang)
    assert _spec(html) is None
    assert f'<p class="muted nothing">{UI[lang]["no_forecast_amount"]}</p>' in unescape(html)


# ---------------------------------------------------------------- 7. French, sign-in
def test_every_severity_has_its_french_badge():
    """The "caveat" badge read CAVEAT on the French page; the report says "À lire avec
    prudence"."""
    for code in SEVERITY:
        assert UI["fr"]["severity"][code] == SEVERITY[code]["fr"]
        assert UI["en"]["severity"][code] == SEVERITY[code]["en"]
    html = env.get_template("panel_findings.html").render(
        f=type("F", (), {"channel": "", "campaign": ""})(), ui=UI["fr"], current="T4 2025",
        previous="T3 2025", quality=[], left=None, notes=[], empty="",
        findings=[{"code": "immature_cohort", "severity": "caveat", "title": "Cohorte jeune",
                   "group": "", "explanation": "…", "actions": []}],
    )  # fmt: skip
    assert '<span class="sev">À lire avec prudence</span>' in html


def test_the_french_caveat_of_a_young_cohort(service, bigusd):
    html = _panel(service, "findings", bigusd, period="2025-Q4", lang="fr")
    assert 'data-code="immature_cohort"' in html
    assert '<span class="sev">À lire avec prudence</span>' in html


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_wrong_key_answers_the_sign_in_form_again_in_its_language(service, lang):
    """A wrong key on the French form landed on the API's English JSON."""
    with service.client() as c:
        r = c.post("/w/acme/login", data={"key": "lpk_wrong", "lang": lang})
    assert r.status_code == 401 and r.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}">' in r.text and 'id="key"' in r.text
    assert f'name="lang" value="{lang}"' in r.text  # the next try stays in that language
    message = typeset(UI[lang]["bad_key"].format(ws="acme"), lang)
    assert f'<p class="problem" id="sign-in-problem" role="alert">{message}</p>' in unescape(
        r.text
    )
    assert "Set-Cookie" not in r.headers
    # a script signing in with a header, no form, still gets the API's JSON error
    with service.client(headers={"X-API-Key": "lpk_wrong"}) as c:
        r = c.post("/w/acme/login")
    assert r.status_code == 401 and r.headers["content-type"] == "application/json"


# ---------------------------------------------------------------- 8. the velocity's scope
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_velocity_says_its_period_and_channel(service, lang):
    html = _panel(service, "velocity", period="2025-Q4", channel="paid_search", lang=lang)
    h2 = re.search(r"<h2>(.*?)</h2>", html, re.S).group(1)
    assert "paid_search" in h2 and period_name("2025-Q4", lang) in h2
    html = _panel(service, "velocity", period="all", lang=lang)
    assert period_name("all", lang) in re.search(r"<h2>(.*?)</h2>", html, re.S).group(1)


# ---------------------------------------------------------------- 5, 6. in a browser
@pytest.fixture
def phone(browser, service):
    context = browser.new_context(viewport={"width": 390, "height": 844})

    def gate(route):  # nothing leaves loopback
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost", "::1"):
            return route.continue_()
        return route.abort()

    context.route("**/*", gate)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


def _sign_in(page, service, ws: str, lang: str) -> None:
    page.goto(f"{service.url}/w/{ws}/?lang={lang}")
    page.fill("#key", service.keys[ws]["read"])
    page.click("button[type=submit]")
    page.wait_for_selector("#board")
    page.errors[:] = [e for e in page.errors if "401" not in e]


def _settled(page) -> None:
    page.wait_for_function(
        "() => !document.querySelector('.loading') && !document.querySelector('.htmx-request')"
        " && [...document.querySelectorAll('.chart')].every(c => c.dataset.ready"
        " || c.dataset.error)",
        timeout=90_000,
    )


# labels written over one another: upright, their boxes meet; slanted (parallel), the
# distance between two neighbours across their direction is under a line of text
OVERLAPS = """sel => { const ts = [...document.querySelectorAll(sel)]
  .filter(t => t.getAttribute('opacity') !== '0').map(t => {
    const tr = t.getAttribute('transform') || '';
    const at = /translate\\(([-\\d.]+)/.exec(tr), turn = /rotate\\(([-\\d.]+)\\)/.exec(tr);
    return {x: at ? +at[1] : 0, angle: turn ? +turn[1] : 0, box: t.getBoundingClientRect(),
            size: parseFloat(getComputedStyle(t).fontSize)}; });
  let n = 0;
  for (let i = 1; i < ts.length; i++) { const a = ts[i - 1], b = ts[i];
    if (!a.angle && !b.angle) {
      if (a.box.right > b.box.left + 1 && a.box.left < b.box.right - 1) n++;
    } else if (Math.abs(b.x - a.x) * Math.abs(Math.sin(b.angle * Math.PI / 180)) < b.size) n++; }
  return {labels: ts.length, overlaps: n}; }"""  # fmt: skip
CUT_CARDS = """() => [...document.querySelectorAll('#panel-headline .kpi')].filter(k => {
  const v = k.querySelector('.kpi-value'); return v.scrollWidth > v.clientWidth + 0.5
    || v.getBoundingClientRect().right > k.getBoundingClientRect().right + 0.5; })
  .map(k => k.dataset.kpi + ': ' + k.querySelector('.kpi-value').textContent)"""  # fmt: skip
CUT_MENUS = """() => [...document.querySelectorAll('.filters select')].filter(s => {
  const st = getComputedStyle(s), ctx = document.createElement('canvas').getContext('2d');
  ctx.font = st.font; const text = s.options[s.selectedIndex].text;
  const room = s.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight) - 16;
  return ctx.measureText(text).width > room; }).map(s => s.options[s.selectedIndex].text)"""


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_phone_shows_whole_figures_menus_and_months(phone, service, bigusd, lang):
    """390 px wide: "11 289 900 $US" ran under the next card, the menus read "Tous les
    canau", the forecast's months were written over one another."""
    _sign_in(phone, service, bigusd, lang)
    _settled(phone)
    phone.goto(f"{service.url}/w/{bigusd}/?period=all&lang={lang}")
    _settled(phone)
    revenue = phone.inner_text("#panel-headline [data-kpi=revenue] .kpi-value")
    assert len(re.sub(r"\D", "", revenue)) >= 8, revenue  # the point: a wide figure
    assert phone.evaluate(CUT_CARDS) == []
    assert phone.evaluate(CUT_MENUS) == []
    axis = "[aria-label^=X-axis] .role-axis-label text"
    months = phone.evaluate(OVERLAPS, f"#panel-forecast {axis}")
    assert months["labels"] == 7 and months["overlaps"] == 0, months
    # over all the data, the trend names one month in two (or three...): not 24 at once
    trend = phone.evaluate(OVERLAPS, f"#panel-trend {axis}")
    assert 6 <= trend["labels"] <= 12 and trend["overlaps"] == 0, trend
    phone.screenshot(path=str(_artifacts() / f"dashboard-phone-{lang}.png"), full_page=True)
    # a figure fits its card at other widths too (a small phone, a tablet, a laptop)
    for width in (360, 760, 1024):
        phone.set_viewport_size({"width": width, "height": 900})
        phone.wait_for_timeout(100)
        assert phone.evaluate(CUT_CARDS) == [], width
    assert not phone.errors, phone.errors


def test_no_nan_on_a_workspace_without_revenue_and_bad_values_said(phone, service, norevenue):
    _sign_in(phone, service, norevenue, "fr")
    _settled(phone)
    texts = phone.eval_on_selector_all("svg text", "ts => ts.map(t => t.textContent)")
    assert texts and not [t for t in texts if "NaN" in t], texts
    assert phone.is_visible("#panel-forecast .nothing")
    # a channel that does not exist: said, then choosing one that does draws the panels
    phone.goto(f"{service.url}/w/{norevenue}/?period=all&channel=bogus&lang=fr")
    assert phone.is_visible("#problems") and not phone.query_selector("#panel-headline")
    channel = phone.eval_on_selector(
        "#f-channel", "s => [...s.options].map(o => o.value).filter(v => v && v !== 'bogus')[0]"
    )
    phone.select_option("#f-channel", channel)
    phone.wait_for_selector(f"#panel-headline h2:has-text('{channel}')", timeout=60_000)
    _settled(phone)
    assert not phone.query_selector("#problems") and f"channel={channel}" in phone.url
    phone.screenshot(path=str(_artifacts() / "dashboard-phone-norevenue.png"), full_page=True)
    assert not phone.errors, phone.errors


def _artifacts() -> Path:
    folder = Path(__file__).resolve().parents[1] / "artifacts" / "dashboard"  # not committed
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_campaign_goes_with_its_channel(phone, service):
    """Another channel: the campaign of the former one is not sent with it (it would be a
    campaign the new channel does not have)."""
    _sign_in(phone, service, "acme", "en")
    _settled(phone)
    phone.goto(f"{service.url}/w/acme/?period=2025&channel=paid_search&campaign=ps_brand")
    _settled(phone)
    phone.select_option("#f-channel", "events")
    phone.wait_for_selector("#panel-headline h2:has-text('events')", timeout=60_000)
    _settled(phone)
    assert not phone.query_selector("#problems")
    assert "campaign=" not in phone.url and "channel=events" in phone.url
    assert not phone.errors, phone.errors
