"""The REST API against the real server: the CLI's JSON, caching per version, real-time
scoring, ingestion (validated like files, idempotent, atomic) and erasure (no trace)."""

from __future__ import annotations

import json
import threading
import time

import pytest
from typer.testing import CliRunner

import leadpilot.pilot as pilot
from leadpilot.cli import app as cli

API = "/api/v1/workspaces"

# (route with query, CLI arguments): the same question asked both ways
SAME = [
    ("kpis", ["kpis"]),
    ("kpis?by=channel&period=quarter", ["kpis", "--by", "channel", "--period", "quarter"]),
    ("kpis?by=channel&kpi=all&view=activity",
     ["kpis", "--by", "channel", "--kpi", "all", "--view", "activity"]),
    ("kpis?from=2025-01-01&to=2025-06-30&by=campaign",
     ["kpis", "--from", "2025-01-01", "--to", "2025-06-30", "--by", "campaign"]),
    ("funnel?by=channel", ["funnel", "--by", "channel"]),
    ("velocity?period=quarter", ["velocity", "--period", "quarter"]),
    ("content", ["content"]),
    ("sources?period=year", ["sources", "--period", "year"]),
    ("retention?months=3", ["retention", "--months", "3"]),
    ("attribution?model=first_touch,linear&by=channel",
     ["attribution", "-m", "first_touch,linear", "--by", "channel"]),
    ("attribution?model=last_touch&from=2025-04-01&to=2025-06-30",
     ["attribution", "-m", "last_touch", "--from", "2025-04-01", "--to", "2025-06-30"]),
    ("diagnose?current=2025-Q2&vs=previous&by=channel",
     ["diagnose", "--current", "2025-Q2", "--vs", "previous", "--by", "channel"]),
    ("plan?target_revenue=500000", ["plan", "--target-revenue", "500000"]),
    ("plan?budget=60000&shift=paid_social%3D-5000,outbound%3D%2B5000",
     ["plan", "--budget", "60000", "--shift", "paid_social=-5000,outbound=+5000"]),
    ("forecast?months=4", ["forecast", "--months", "4"]),
]  # fmt: skip


@pytest.mark.parametrize("route,args", SAME, ids=[s[0] for s in SAME])
def test_json_answers_equal_the_cli(service, route, args):
    with service.client("acme", "read") as c:
        r = c.get(f"{API}/acme/{route}")
    assert r.status_code == 200, r.text
    out = CliRunner().invoke(cli, [*args, "-w", str(service.root / "acme"), "--format", "json"])
    assert out.exit_code == 0, out.output
    assert r.text == out.stdout.rstrip("\n")  # byte for byte what --format json prints


def test_errors_are_http_statuses_with_the_reason(service):
    with service.client("acme", "read") as c:
        r = c.get(f"{API}/acme/kpis?by=no_such_dimension")
        assert r.status_code == 400 and r.json()["error"]["type"] == "UsageError"
        r = c.get(f"{API}/acme/kpis?period=fortnight")
        assert r.status_code == 422 and r.json()["error"]["problems"]
        r = c.get(f"{API}/acme/plan")  # neither a target nor a budget
        assert r.status_code == 400 and "exactly one" in r.json()["error"]["message"]


def test_answers_are_cached_per_workspace_version(service):
    with service.client("globex", "read") as c:
        first = c.get(f"{API}/globex/funnel?by=channel&period=year")
        again = c.get(f"{API}/globex/funnel?by=channel&period=year")
        fresh = c.get(f"{API}/globex/funnel?by=channel&period=year",
                      headers={"Cache-Control": "no-cache"})  # fmt: skip
    assert first.headers["X-Cache"] == "miss" and again.headers["X-Cache"] == "hit"
    assert fresh.headers["X-Cache"] == "miss"
    assert first.text == again.text == fresh.text


def test_score_one_lead_and_a_small_batch(service):
    lead = {"lead_id": "web-1", "created_at": "2026-03-01", "seniority": "vp",
            "company_size": 250, "email": "ceo@example.com"}  # fmt: skip
    with service.client("acme", "read") as c:
        r = c.post(f"{API}/acme/score", json={"leads": [lead]})
        assert r.status_code == 200, r.text
        row = r.json()["rows"][0]
        assert row["lead_id"] == "web-1" and row["score"] == 25 and row["band"] in "ABCD"
        assert row["reason_1"] and "example.com" not in json.dumps(row)
        batch = [lead | {"lead_id": f"web-{i}", "seniority": s}
                 for i, s in enumerate(["vp", "individual", "director"])]  # fmt: skip
        rows = c.post(f"{API}/acme/score?reasons=false", json={"leads": batch}).json()["rows"]
        assert [x["score"] for x in rows] == [25, 10, 25]
        bad = c.post(f"{API}/acme/score", json={"leads": [lead | {"created_at": "someday"}]})
        assert bad.status_code == 422
        problem = bad.json()["error"]["problems"][0]
        assert (problem["row"], problem["column"], problem["value"]) == (1, "created_at",
                                                                         "someday")
        assert "leadpilot-batch" not in bad.text  # no temporary path leaks
        too_many = c.post(f"{API}/acme/score", json={"leads": [lead] * 101})
        assert too_many.status_code == 422


def _counts(c, ws):
    return c.get(f"{API}/{ws}").json()["tables"]


LEADS = [
    {"lead_id": "api-1", "created_at": "2026-02-01 10:00", "email": "ann@acme-api.io",
     "channel": "paid_search", "campaign": "brand", "company_size": 120},
    {"lead_id": "api-2", "created_at": "2026-02-02", "email": "bob@acme-api.io",
     "channel": "organic_search", "company_size": None},
]  # fmt: skip


def test_ingestion_is_idempotent_by_key(service):
    with service.client("scratch", "write") as c:
        before = _counts(c, "scratch")
        r1 = c.post(f"{API}/scratch/ingest/leads", json=LEADS)
        assert r1.status_code == 200, r1.text
        kpis1 = c.get(f"{API}/scratch/kpis?by=channel").text
        after1 = _counts(c, "scratch")
        r2 = c.post(f"{API}/scratch/ingest/leads", json={"records": LEADS})
        assert r2.status_code == 200
        assert _counts(c, "scratch") == after1
        assert c.get(f"{API}/scratch/kpis?by=channel").text == kpis1
        assert r2.json()["version"] > r1.json()["version"]
        assert after1["leads"] == before["leads"] + 2
        csv = "lead_id,ts,type,touch_id\napi-1,2026-02-03,email_click,t-api-1\n"
        for _ in range(2):
            r = c.post(f"{API}/scratch/ingest/touchpoints", content=csv,
                       headers={"Content-Type": "text/csv"})  # fmt: skip
            assert r.status_code == 200, r.text
        assert _counts(c, "scratch")["touchpoints"] == before["touchpoints"] + 1


def test_a_bad_batch_changes_nothing_and_says_every_problem(service):
    with service.client("scratch", "write") as c:
        before = _counts(c, "scratch")
        kpis = c.get(f"{API}/scratch/kpis?by=channel").text
        version = c.get(f"{API}/scratch").json()["version"]
        batch = [
            {"lead_id": "bad-1", "created_at": "2026-02-01"},
            {"lead_id": "bad-2", "created_at": "31/31/2026"},
            {"lead_id": "bad-3", "created_at": "2026-02-01", "acquisition": "telepathy"},
            {"lead_id": "bad-4", "created_at": "2026-02-01", "company_size": -5},
        ]
        r = c.post(f"{API}/scratch/ingest/leads", json=batch)
        assert r.status_code == 422
        err = r.json()["error"]
        assert err["total"] == 3
        got = {(p["row"], p["column"], p["value"]) for p in err["problems"]}
        assert got == {(2, "created_at", "31/31/2026"), (3, "acquisition", "telepathy"),
                       (4, "company_size", "-5")}  # fmt: skip
        assert all(p["expected"] and p["file"] == "leads batch" for p in err["problems"])
        csv = "lead_id,ts,type\napi-1,2026-02-03,visit\nnobody,2026-02-03,visit\n"
        r = c.post(f"{API}/scratch/ingest/touchpoints", content=csv,
                   headers={"Content-Type": "text/csv"})  # fmt: skip
        assert r.status_code == 422
        assert r.json()["error"]["problems"][0]["row"] == 3  # the CSV line
        assert _counts(c, "scratch") == before
        assert c.get(f"{API}/scratch/kpis?by=channel").text == kpis
        assert c.get(f"{API}/scratch").json()["version"] == version
        assert "leadpilot-batch" not in r.text
        shape = c.post(f"{API}/scratch/ingest/leads", json=[{"lead_id": {"nested": 1}}])
        assert shape.status_code == 422


def test_quarantine_policy_loads_the_good_records(service):
    with service.client("scratch", "write") as c:
        before = _counts(c, "scratch")
        batch = [{"lead_id": "q-1", "created_at": "2026-02-01"},
                 {"lead_id": "q-2", "created_at": "never"}]  # fmt: skip
        r = c.post(f"{API}/scratch/ingest/leads?policy=quarantine", json=batch)
        assert r.status_code == 200
        assert r.json()["summary"]["tables"]["leads"]["rows_quarantined"] == 1
        assert _counts(c, "scratch")["leads"] == before["leads"] + 1
        q = c.get(f"{API}/scratch/quarantine?table=leads").json()["rows"]
        assert any(x["value"] == "never" and x["file"] == "leads batch" for x in q)


def _everywhere(root, needles: list[str]) -> dict[str, int]:
    """Rows of any table of the workspace's database holding one of ``needles``."""
    found = {}
    with pilot.open(root) as lp:
        con = lp.workspace.con
        for name in con.list_tables():
            df = con.table(name).to_pandas().astype(str)
            hits = df.apply(lambda col: col.str.contains("|".join(needles), regex=True)).any(
                axis=1
            )
            if hits.any():
                found[name] = int(hits.sum())
    return found


def test_erasure_leaves_no_trace(service):
    lead = {"lead_id": "gdpr-1", "created_at": "2026-01-10", "email": "erase.me@forget.eu",
            "channel": "paid_social", "company": "Forget Me SA"}  # fmt: skip
    dup = lead | {"lead_id": "gdpr-2", "created_at": "2026-01-20"}  # same person, merged
    with service.client("scratch", "admin") as c:
        assert c.post(f"{API}/scratch/ingest/leads", json=[lead, dup]).status_code == 200
        touches = [{"lead_id": "gdpr-1", "ts": "2026-01-11", "type": "email_open"},
                   {"lead_id": "gdpr-2", "ts": "2026-01-21", "type": "webinar_attendance"}]
        assert c.post(f"{API}/scratch/ingest/touchpoints", json=touches).status_code == 200
        stages = [{"lead_id": "gdpr-1", "stage": "mql", "ts": "2026-01-12"}]
        assert c.post(f"{API}/scratch/ingest/stage_events", json=stages).status_code == 200
        deals = [{"deal_id": "d-gdpr", "lead_id": "gdpr-1", "created_at": "2026-01-15",
                  "status": "won", "closed_at": "2026-02-01", "amount": 9000}]  # fmt: skip
        assert c.post(f"{API}/scratch/ingest/deals", json=deals).status_code == 200
        bad_touch = [{"lead_id": "gdpr-1", "ts": "2026-01-13", "type": "carrier_pigeon"}]
        r = c.post(f"{API}/scratch/ingest/touchpoints?policy=quarantine", json=bad_touch)
        assert r.status_code == 200
        with service.handle("scratch").writer() as lp:  # the scores, as score apply keeps them
            lp.score_apply_result(store=True, reasons=False)
        needles = ["gdpr-1", "gdpr-2", "erase.me@forget.eu", "Forget Me SA", "d-gdpr"]
        before = _everywhere(service.root / "scratch", needles)
        assert {"leads", "touchpoints", "stage_events", "deals", "scores",
                "quarantine"} <= set(before)  # fmt: skip
        r = c.delete(f"{API}/scratch/leads/gdpr-1")
        assert r.status_code == 200, r.text
        report = r.json()
        assert report["lead_ids"] == ["gdpr-1", "gdpr-2"]
        assert report["removed"] == {"leads": 2, "touchpoints": 2, "stage_events": 1,
                                     "deals": 1, "scores": 1, "quarantine": 1}
        assert _everywhere(service.root / "scratch", needles) == {}
        assert c.delete(f"{API}/scratch/leads/gdpr-1").status_code == 404
        kpis = c.get(f"{API}/scratch/kpis?kpi=leads").json()["rows"][0]["leads"]
        assert kpis == c.get(f"{API}/scratch/kpis?kpi=leads",
                             headers={"Cache-Control": "no-cache"}).json()["rows"][0]["leads"]


def test_reads_are_served_while_an_ingest_runs(service, tmp_path):
    """An ingest holds the writer; reads go on (cached and cold), each seeing the data
    before or after it, never a mix; after it, the version has moved."""
    batch = [{"lead_id": f"bulk-{i}", "created_at": "2026-03-01", "channel": "events"}
             for i in range(20000)]  # fmt: skip
    with service.client("scratch", "read") as c:
        base = c.get(f"{API}/scratch/kpis?kpi=leads").json()["rows"][0]["leads"]
    seen, errors, done = [], [], threading.Event()

    def ingest():
        with service.client("scratch", "write") as w:
            r = w.post(f"{API}/scratch/ingest/leads", json=batch)
            if r.status_code != 200:
                errors.append(r.text)
        done.set()

    t = threading.Thread(target=ingest)
    t.start()
    with service.client("scratch", "read") as c:
        while not done.is_set():
            r = c.get(f"{API}/scratch/kpis?kpi=leads", headers={"Cache-Control": "no-cache"})
            assert r.status_code == 200
            seen.append(r.json()["rows"][0]["leads"])
            time.sleep(0.02)
        t.join()
        final = c.get(f"{API}/scratch/kpis?kpi=leads").json()["rows"][0]["leads"]
    assert not errors, errors
    assert set(seen) <= {base, base + 20000}, set(seen)
    assert base in seen
    assert final == base + 20000


def test_a_report_is_computed_once_for_every_format_and_language(service, monkeypatch):
    """Writing a report in a second format or language reuses the analyses computed for
    the first (per workspace version); ``Cache-Control: no-cache`` computes them again."""
    computed = []
    report = pilot.Pilot.report

    def counted(self, *args, **kwargs):
        computed.append(kwargs.get("period"))
        return report(self, *args, **kwargs)

    monkeypatch.setattr(pilot.Pilot, "report", counted)
    fresh = {"Cache-Control": "no-cache"}
    with service.client("acme", "read") as c:
        html = c.get(f"{API}/acme/report?period=2025-Q1&lang=fr", headers=fresh)
        assert html.status_code == 200 and computed == ["2025-Q1"]
        for query in ("format=xlsx", "format=md&lang=en", "lang=en"):
            answer = c.get(f"{API}/acme/report?period=2025-Q1&{query}")
            assert answer.status_code == 200 and answer.headers["X-Cache"] == "miss", query
        assert computed == ["2025-Q1"]
        assert 'lang="en"' in answer.text  # the English HTML, not the French one cached
        c.get(f"{API}/acme/report?period=2025-Q1&format=md&lang=en", headers=fresh)
        assert computed == ["2025-Q1", "2025-Q1"]
        other = c.get(f"{API}/acme/report?period=2025-01&format=md")  # its own analyses
        assert other.status_code == 200 and computed == ["2025-Q1", "2025-Q1", "2025-01"]


def test_report_download(service):
    with service.client("acme", "read") as c:
        html = c.get(f"{API}/acme/report?period=2025-Q2&lang=fr")
        assert html.status_code == 200, html.text[:500]
        assert html.headers["content-type"].startswith("text/html")
        assert 'attachment; filename="leadpilot-report-acme-2025-Q2-fr.html"' == (
            html.headers["content-disposition"]
        )
        assert html.text.startswith("<!DOCTYPE html>") and 'lang="fr"' in html.text
        xlsx = c.get(f"{API}/acme/report?period=2025-Q2&format=xlsx")
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"  # a zip: the workbook
        md = c.get(f"{API}/acme/report?period=2025-Q2&format=md")
        assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
        again = c.get(f"{API}/acme/report?period=2025-Q2&lang=fr")
        assert again.headers["X-Cache"] == "hit" and again.content == html.content
    out = CliRunner().invoke(cli, ["report", "-w", str(service.root / "acme"), "--period",
                                   "2025-Q2", "--lang", "fr", "--out", "-"])  # fmt: skip
    assert out.exit_code == 0, out.output
    assert out.stdout == html.text  # the same document as `leadpilot report`
