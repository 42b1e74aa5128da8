"""Every analysis that takes ``--by`` groups by any lead column: the lead's id, its
creation date, a column with nulls, a numeric one (the first two were internal errors: a
column selected twice).

In the activity view a record is grouped by the lead it counts for, as in the cohort
view: a merged lead's deal, touches and rejection count for the lead it was merged into,
and under that lead's groups (its channel, its creation date), never a column of the
record's own with the same name (a deal's created_at, a touch's channel).
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from typer.testing import CliRunner

import leadpilot
from leadpilot.cli import app

# L1b has L1's e-mail, written otherwise, and comes later: it is merged into L1
MERGED, SURVIVOR = "L1b", "L1"
SIZES = [10, 50, None, 200]  # company_size: a number, or none
CONTENTS = [None, "/pricing", "/blog"]


def leads_of(month: str, first: int, n: int) -> list[dict]:
    return [
        {
            "lead_id": f"L{k}",
            "created_at": f"{month}-{2 + i:02d}",
            "email": f"p{k}@x.com",
            "channel": ("email", "paid_search")[k % 2],
            "content": CONTENTS[k % 3],
            "company_size": SIZES[k % 4],
        }
        for i, k in enumerate(range(first, first + n))
    ]


LEADS = [
    *leads_of("2025-01", 1, 12),
    {"lead_id": MERGED, "created_at": "2025-02-10", "email": " P1@X.com", "channel": "email",
     "content": "/blog", "company_size": 10},
    *leads_of("2025-04", 13, 12),
    *leads_of("2025-09", 25, 1),  # the data runs past both quarters: they are complete
]  # fmt: skip


def write_sources(folder):
    """The leads above; every third reaches MQL, L4 and L16 are won, L7 is rejected; the
    merged record's won deal, touch and rejection count for L1."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["lead_id,created_at,email,channel,content,company_size"]
    rows += [
        ",".join("" if x[c] is None else str(x[c]) for c in rows[0].split(",")) for x in LEADS
    ]
    events = ["lead_id,stage,ts,reason"]
    events += [f"{x['lead_id']},mql,{x['created_at'][:8]}20," for x in LEADS[::3]]
    events += ["L7,rejected,2025-01-25,no budget", f"{MERGED},rejected,2025-02-25,timing"]
    deals = [
        "deal_id,lead_id,created_at,status,closed_at,amount",
        "D4,L4,2025-01-15,won,2025-02-15,1000",
        f"DM,{MERGED},2025-02-15,won,2025-03-20,700",
        "D16,L16,2025-04-15,won,2025-05-15,3000",
        "D17,L17,2025-04-20,open,,400",
    ]
    touches = [
        "touch_id,lead_id,ts,type,channel,content",
        "t1,L1,2025-01-03,visit,email,/pricing",
        f"t2,{MERGED},2025-02-11,visit,email,",
        "t3,L13,2025-04-03,visit,paid_search,/blog",
        "t4,L2,2025-01-05,visit,paid_search,/pricing",  # L2 came by e-mail, to /blog
    ]
    spend = ["date,channel,amount"]
    spend += [f"{m}-01,{c},300" for m in ("2025-01", "2025-04") for c in ("email", "paid_search")]
    for name, lines in (("leads", rows), ("stage_events", events), ("deals", deals),
                        ("touchpoints", touches), ("spend", spend)):  # fmt: skip
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n")
    return folder


def ingest(ws):
    with leadpilot.open(ws) as lp:
        lp.ingest(write_sources(ws.parent / f"{ws.name}-data"))


@pytest.fixture
def ws(shared_workspaces):
    return shared_workspaces.get("duckdb", "any_column", ingest)


@pytest.fixture
def each_backend_ws(shared_workspaces, backend_kind):
    """The workspace on DuckDB and PostgreSQL: the lead a record counts for is an Ibis
    expression each engine computes."""
    return shared_workspaces.get(backend_kind, "any_column", ingest)


COUNTED = [x for x in LEADS if x["lead_id"] != MERGED]


def value(lead: dict, dim: str):
    """The lead's group value as the analyses return it."""
    v = lead[dim]
    if dim == "created_at":
        return datetime.fromisoformat(v)
    return float(v) if dim == "company_size" and v is not None else v


DIMS = ["lead_id", "created_at", "content", "company_size"]


def groups(rows: list[dict], by: list[str]) -> set:
    return {tuple(r[d] for d in by) for r in rows}


@pytest.mark.parametrize("by", [*[[d] for d in DIMS], ["channel", "created_at"]], ids=str)
def test_every_analysis_groups_by_the_column(ws, by):
    expected = {tuple(value(x, d) for d in by) for x in COUNTED}
    with leadpilot.open(ws) as lp:
        cohort = lp.kpi_result(by=by, kpis="all")
        results = {
            "kpis activity": lp.kpi_result(by=by, view="activity", kpis="all"),
            "funnel": lp.funnel_result(by=by),
            "funnel activity": lp.funnel_result(by=by, view="activity"),
            "velocity": lp.velocity_result(by=by),
            "velocity activity": lp.velocity_result(by=by, view="activity"),
        }
        if len(by) == 1:  # the source mix is split by one dimension at a time
            results["sources"] = lp.sources_result(by=by[0])
    # the cohort view: one group per value of the counted leads (a null one included)
    assert groups(cohort.rows, by) == expected
    assert sum(r["leads"] for r in cohort.rows) == len(COUNTED)
    for name, result in results.items():
        assert result.rows, name
        json.dumps(result.to_json(), default=str)  # as --format json writes it
        if name != "kpis activity" or "created_at" not in by:  # see the expected failure
            assert groups(result.rows, by) <= expected, name


def test_null_and_numeric_groups_keep_their_values(ws):
    with leadpilot.open(ws) as lp:
        content = {r["content"]: r["leads"] for r in lp.kpi_result(by="content").rows}
        size = {r["company_size"]: r["leads"] for r in lp.kpi_result(by="company_size").rows}
    assert content[None] == sum(x["content"] is None for x in COUNTED)
    assert size[None] == sum(x["company_size"] is None for x in COUNTED)
    assert size[10.0] == sum(x["company_size"] == 10 for x in COUNTED)


@pytest.mark.parametrize("view", ["cohort", "activity"])
def test_a_merged_leads_records_count_for_the_lead_it_was_merged_into(each_backend_ws, view):
    with leadpilot.open(each_backend_ws) as lp:
        rows = lp.kpi_result(by="lead_id", view=view, kpis="revenue,customers").rows
        funnel = lp.funnel_result(by="lead_id", view=view)
        touches = lp.kpi_result(by="lead_id", view=view, kpis="touches_per_lead").rows
        merged_into = lp.table("leads").set_index("lead_id")["merged_into"]
    assert merged_into[MERGED] == SURVIVOR
    by_lead = {r["lead_id"]: r for r in rows}
    assert MERGED not in by_lead
    # the merged record's won deal (700): the survivor's revenue and customer
    assert by_lead[SURVIVOR]["revenue"] == 700 and by_lead[SURVIVOR]["customers"] == 1
    assert by_lead["L4"]["revenue"] == 1000
    assert sum(r["revenue"] or 0 for r in rows) == 1000 + 700 + 3000
    touched = {r["lead_id"]: r["touches_per_lead"] for r in touches}
    assert touched[SURVIVOR] == 2 and MERGED not in touched
    reasons = {(r["lead_id"], r["reason"]): r["rejected"] for r in funnel.rejection_reasons}
    assert reasons == {(SURVIVOR, "timing"): 1, ("L7", "no budget"): 1}


def test_activity_view_groups_a_deal_by_its_leads_creation_date(ws):
    with leadpilot.open(ws) as lp:
        rows = lp.kpi_result(by="created_at", view="activity", kpis="revenue").rows
    revenue = {r["created_at"]: r["revenue"] for r in rows if r["revenue"]}
    created = {x["lead_id"]: value(x, "created_at") for x in COUNTED}
    assert revenue == {created["L4"]: 1000, created[SURVIVOR]: 700, created["L16"]: 3000}


def test_activity_view_groups_a_touch_by_its_leads_channel_and_content(each_backend_ws):
    """As in the cohort view: the touches of the leads of a channel (t4, a paid_search
    visit of L2, an e-mail lead, is the e-mail leads' touch); by content, both views
    agree (t4 was grouped under its own content in the activity view)."""
    lead = {x["lead_id"]: x for x in COUNTED}
    touched = ["L1", SURVIVOR, "L13", "L2"]  # t1..t4, the merged record's for the survivor
    with leadpilot.open(each_backend_ws) as lp:
        for view in ("activity", "cohort"):
            rows = lp.kpi_result(by="channel", view=view, kpis="touches_per_lead").rows
            got = {r["channel"]: r["touches_per_lead"] for r in rows}
            expected = {
                c: sum(lead[k]["channel"] == c for k in touched)
                / sum(x["channel"] == c for x in COUNTED)
                for c in ("email", "paid_search")
            }
            assert got == pytest.approx(expected, rel=1e-5), view
        by_content = [
            lp.kpi_result(by="content", view=view, kpis="touches_per_lead").rows
            for view in ("activity", "cohort")
        ]
    assert by_content[0] == by_content[1]


def test_rejection_reasons_by_creation_date(ws):
    with leadpilot.open(ws) as lp:
        f = lp.funnel_result(by=["channel", "created_at"])
    (r,) = [r for r in f.rejection_reasons if r["reason"] == "no budget"]
    assert (r["channel"], r["created_at"]) == ("paid_search", datetime(2025, 1, 8))


def test_cli_groups_the_activity_view_by_lead_and_the_funnel_by_date(ws):
    runner = CliRunner()
    r = runner.invoke(app, ["kpis", "-w", str(ws), "--view", "activity", "--by", "lead_id",
                            "--kpi", "revenue", "-f", "json"])  # fmt: skip
    assert r.exit_code == 0, r.output
    revenue = {row["lead_id"]: row["revenue"] for row in json.loads(r.stdout)["rows"]}
    assert revenue[SURVIVOR] == 700 and MERGED not in revenue
    r = runner.invoke(app, ["funnel", "-w", str(ws), "--by", "campaign,created_at",
                            "--view", "activity"], env={"COLUMNS": "200"})  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "2025-01-08" in r.stdout
