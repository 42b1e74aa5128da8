"""What the dashboard tells a person beside its figures: the report its links download is
the report of the board shown (even "All time" and "no comparison"), a cost card without
spend says why it is empty, the forecast says which months it forecasts and that the
filters do not apply to it, a cold cache computes the diagnosis once for the panels that
show it, French reads as French, and ``leadpilot serve`` lists only real workspaces.

The panels are fetched from the session's server (``acme``: 3,000 leads, seed 11)."""

from __future__ import annotations

import re
import shutil
import threading
import time
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlparse

import pytest
from typer.testing import CliRunner

import leadpilot.pilot as pilot
from leadpilot.access import KeyStore
from leadpilot.api.workspaces import Registry
from leadpilot.cli import app as cli
from leadpilot.i18n import Formatter
from leadpilot.reports.labels import label, period_name, typeset

API = "/api/v1/workspaces"
BARE_COLON = re.compile(r"(?<!\u202f):(?=\s|$)")  # a French colon without its space
COSTS = ("spend", "cpl", "cac", "roi")


class _Page(HTMLParser):
    """The texts a person reads (not scripts) and the tooltips (title attributes)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.titles: dict[str, str] = {}  # data-kpi -> title
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "style", "title"):
            self._skip += 1
        if a.get("title") and a.get("data-kpi"):
            self.titles[a["data-kpi"]] = a["title"]

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title"):
            self._skip -= 1

    def handle_data(self, data):
        if data.strip() and not self._skip:
            # (str.split would take the narrow no-break space for a plain one)
            self.texts.append(re.sub(r"[ \t\r\n]+", " ", data).strip())


def _read(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _get(service, path: str, ws: str = "acme", **query) -> str:
    with service.client(ws, "read") as c:
        # (no params when the path holds its query: httpx would replace it)
        r = c.get(path.format(ws=ws), params=query or None)
    assert r.status_code == 200, r.text[:500]
    return r.text


def _cards(html: str) -> dict[str, str]:
    """Each headline card's HTML, by KPI."""
    parts = re.split(r'(?=<div class="kpi" data-kpi=")', html)[1:]
    return {re.match(r'<div class="kpi" data-kpi="(\w+)"', p).group(1): p for p in parts}


# ---------------------------------------------------------------- the report links
@pytest.mark.parametrize(
    ("period", "compare"), [("all", "previous"), ("2025-Q4", "none"), ("2025-Q4", "last-year")]
)
def test_the_report_links_download_the_report_of_the_board_shown(service, period, compare):
    query = {"period": period, "compare": compare, "lang": "en"}
    # a filter change swaps the board in: the header's links come with it, out of band
    board = _get(service, "/w/{ws}/board", **query)
    links = re.search(r'<span class="links" id="links" hx-swap-oob="true">(.*?)</span>\s*'
                      r'<a class="lang', board, re.S)  # fmt: skip
    assert links is not None
    hrefs = [unescape(h) for h in re.findall(r'href="([^"]*report[^"]*)"', links.group(1))]
    assert [parse_qs(urlparse(h).query)["format"] for h in hrefs] == [["html"], ["pdf"], ["xlsx"]]
    for h in hrefs:
        asked = parse_qs(urlparse(h).query)
        assert asked["period"] == [period] and asked["compare"] == [compare]
    # the page itself carries the same links
    page = _get(service, "/w/{ws}/", **query)
    assert unescape(hrefs[0]).replace("&", "&amp;") in page

    md = _get(service, hrefs[0].replace("format=html", "format=md"))
    title, facts = md.splitlines()[0], md.splitlines()[2]
    if period == "all":
        assert title.endswith(f"— {label('all_time', 'en')}")
    else:
        assert title.endswith(f"— {period_name(period, 'en')}")
    compared = label("compared_with", "en")
    if compare == "last-year" and period != "all":
        previous = period_name(f"{int(period[:4]) - 1}{period[4:]}", "en")
        assert f"{compared} {previous} ({label('same_period_last_year', 'en')})" in facts
    else:  # what the board shows: no comparison, and the report says why
        assert compared not in facts
        assert label("no_comparison_all" if period == "all" else "no_comparison", "en") in md


def test_the_rest_report_takes_all_and_none(service):
    with service.client("acme", "read") as c:
        r = c.get(f"{API}/acme/report", params={"period": "all", "vs": "none", "format": "md"})
        assert r.status_code == 200, r.text[:300]
        assert r.text.splitlines()[0].endswith(label("all_time", "en"))
        assert c.get(f"{API}/acme/report", params={"period": "al"}).status_code == 422


# ---------------------------------------------------------------- no spend loaded
@pytest.fixture(scope="module")
def nospend(service, tmp_path_factory) -> str:
    """A workspace of the server without any spend row (a CRM export alone)."""
    name = "nospend"
    data = tmp_path_factory.mktemp("nospend-data")
    pilot.generate(data, leads=300, seed=8)
    (data / "spend.parquet").unlink()
    with pilot.open(service.root / name, create=True) as lp:
        lp.ingest(data)
    service.keys[name] = {"read": KeyStore(service.root / name).create("read", "test")[0]}
    yield name
    service.keys.pop(name, None)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_cost_cards_say_no_spend_is_loaded(service, nospend, lang):
    reason = {"en": "no spend loaded", "fr": "aucune dépense chargée"}[lang]
    cards = _cards(_get(service, "/w/{ws}/panel/headline", ws=nospend, period="all", lang=lang))
    assert set(COSTS) <= set(cards)
    for name, html in cards.items():
        assert (reason in html) == (name in COSTS), name
        if name in COSTS:
            assert 'data-value=""' in html  # empty indeed, and now it says why
    channels = _get(service, "/w/{ws}/panel/channels", ws=nospend, period="all", lang=lang)
    assert 'class="muted no-spend"' in channels
    # a workspace with spend says nothing of the kind
    acme = _get(service, "/w/{ws}/panel/headline", period="all", lang=lang)
    assert reason not in acme


# ---------------------------------------------------------------- the forecast's scope
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_forecast_says_which_months_it_forecasts_whatever_the_period(service, lang):
    with service.client("acme", "read") as c:
        doc = c.get(f"{API}/acme/forecast", params={"months": 6}).json()
    fmt = Formatter(lang, doc["meta"]["currency"])
    first = period_name(doc["rows"][0]["month"], lang)
    last = period_name(doc["rows"][-1]["month"], lang)
    scopes = set()
    for period in ("2025-Q2", "all"):
        html = _get(service, "/w/{ws}/panel/forecast", period=period, lang=lang)
        scope = re.search(r'<p class="muted forecast-scope">(.*?)</p>', html, re.S)
        assert scope is not None, period
        text = unescape(scope.group(1))
        assert first in text and last in text and fmt.date(doc["meta"]["as_of"]) in text
        assert fmt.number(doc["meta"]["open_deals"]) in text
        scopes.add(text)
    assert len(scopes) == 1  # it does not follow the period: it says so, the same way


# ---------------------------------------------------------------- one diagnosis per page
def test_a_cold_cache_computes_the_diagnosis_once_for_the_panels(service, monkeypatch):
    """The headline (its comparison period) and "What changed" load in parallel and need
    the same diagnosis: the second waits for the first instead of computing it again."""
    computed = []
    diagnosis = pilot.Pilot.diagnosis

    def slow(self, *args, **kwargs):
        computed.append(kwargs.get("current"))
        time.sleep(0.5)  # both panels ask while it is being computed
        return diagnosis(self, *args, **kwargs)

    monkeypatch.setattr(pilot.Pilot, "diagnosis", slow)
    query = {"period": "2024-08", "compare": "previous", "lang": "en"}  # asked nowhere else
    answers: dict[str, str] = {}

    def ask(name: str) -> None:
        answers[name] = _get(service, f"/w/{{ws}}/panel/{name}", **query)

    threads = [threading.Thread(target=ask, args=(n,)) for n in ("headline", "findings")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert set(answers) == {"headline", "findings"}
    assert computed == ["2024-08"]
    assert "Aug 2024 vs Jul 2024</small>" in answers["headline"]
    assert "Aug 2024 vs Jul 2024</small>" in answers["findings"]


# ---------------------------------------------------------------- French
def test_the_french_dashboard_writes_french(service):
    query = {"period": "2025-Q4", "compare": "previous", "lang": "fr"}
    page = _read(_get(service, "/w/{ws}/", **query))
    panels = {
        name: _read(_get(service, f"/w/{{ws}}/panel/{name}", **query))
        for name in ("headline", "findings", "funnel", "channels", "forecast", "velocity")
    }
    texts = page.texts + [t for p in panels.values() for t in p.texts]
    # periods as the report names them: T4 2025, not 2025-Q4
    assert [t for t in texts if re.search(r"\b\d{4}-Q[1-4]\b", t)] == []
    quarter, previous = period_name("2025-Q4", "fr"), period_name("2025-Q3", "fr")
    assert f"{quarter} vs {previous}" in " ".join(panels["headline"].texts)
    assert f"{quarter} vs {previous}" in " ".join(panels["findings"].texts)
    assert quarter in page.texts  # the period filter's option
    # a narrow no-break space before every colon, whoever wrote the sentence
    assert sum(":" in t for t in texts) > 3
    assert [t for t in texts if BARE_COLON.search(t)] == []
    # the velocity rules in French, as the report gives them (the JSON holds English)
    with pilot.open(service.root / "acme") as lp:
        rules = lp.velocity_result(date_from="2025-10-01", date_to="2025-12-31")
    french, english = rules.definitions_in("fr"), rules.definitions_in("en")
    tips = panels["velocity"].titles
    assert set(tips) == {"days_to_mql", "days_to_sql", "days_to_opportunity", "sales_cycle_days"}
    for name, tip in tips.items():
        assert tip == typeset(french[name], "fr") and tip != english[name], name


# ---------------------------------------------------------------- the workspaces served
def test_serve_lists_only_real_workspaces(tmp_path, monkeypatch):
    """A folder of exports with a sources leadpilot.yaml is no workspace: neither listed
    nor opened (opening it would create an empty database among the exports)."""
    root = tmp_path / "root"
    root.mkdir()
    with pilot.open(root / "client", create=True):
        pass
    exports = root / "exports"
    exports.mkdir()
    (exports / "leads.csv").write_text("lead_id,created_at\nL1,2025-01-02\n")
    (exports / "leadpilot.yaml").write_text("sources:\n  - table: leads\n    path: leads.csv\n")
    (root / "notes").mkdir()
    registry = Registry(root)
    try:
        assert registry.names() == ["client"]
        assert registry.get("exports") is None and registry.get("client") is not None
    finally:
        registry.close()
    assert sorted(p.name for p in exports.iterdir()) == ["leadpilot.yaml", "leads.csv"]

    import uvicorn

    served = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: served.append(a))
    for key in ("ROOT", "READERS", "AUTH_FAILURES", "MAX_BATCH"):  # serve sets them
        monkeypatch.setenv(f"LEADPILOT_SERVE_{key}", "")
    out = CliRunner().invoke(cli, ["serve", "--root", str(root)])
    assert out.exit_code == 0, out.output
    assert served and "/w/client/" in out.output
    assert "/w/exports/" not in out.output and "/w/notes/" not in out.output
    shutil.rmtree(root)


# ---------------------------------------------------------------- the period it opens on
def test_the_board_opens_on_the_period_of_diagnose_and_the_report(service):
    """Without a period in the query, the page shows the one diagnose and the report
    choose (Pilot.default_period); it took the second-to-last quarter holding leads."""
    with pilot.open(service.root / "acme") as lp:
        chosen = lp.default_period()
        assert lp.diagnosis().meta["current"]["label"] == chosen
        assert lp.report().data.period.label == chosen
    page = _get(service, "/w/{ws}/", lang="en")
    selected = re.search(r'<option value="([^"]+)" selected>', page)
    assert selected is not None and selected.group(1) == chosen
