"""diagnose by any lead column (a date, a column with nulls, a number: they were internal
errors), and channel economics stated with the current period's figures, those of the
KPI table printed beside them."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from helpers import build, write_config
from typer.testing import CliRunner

import leadpilot
from leadpilot.cli import app
from leadpilot.diagnostics.decompose import Group, decompose
from leadpilot.diagnostics.findings import find

SIZES = [10, 50, None, 200]  # company_size: a number, or none
CONTENTS = [None, "/pricing", "/blog"]
GROUPS = [
    # paid_social loses money in Q2 (6,000 spent, 1,000 won) but not over both quarters
    # together (11,000 spent, 3,000 won): what the finding says tells which it read
    {"channel": "paid_social", "n": 40, "mql": 20, "customers": 2, "basket": 1000,
     "spend": 5000, "month": "2025-01"},
    {"channel": "email", "n": 30, "mql": 15, "customers": 3, "basket": 1000, "spend": 500,
     "month": "2025-01"},
    {"channel": "paid_social", "n": 40, "mql": 20, "customers": 1, "basket": 1000,
     "spend": 6000, "month": "2025-04"},
    {"channel": "email", "n": 30, "mql": 15, "customers": 3, "basket": 1000, "spend": 500,
     "month": "2025-04"},
    {"channel": "email", "n": 1, "month": "2025-09"},  # the data runs past both quarters
]  # fmt: skip


def leads() -> list[dict]:
    """The leads ``build`` writes (L1, L2, ... in the groups' order), with a content and
    a company size each."""
    out = []
    for g in GROUPS:
        created = datetime.fromisoformat(f"{g['month']}-02")
        for _ in range(g["n"]):
            k = len(out) + 1
            out.append({"lead_id": f"L{k}", "created_at": created,
                        "content": CONTENTS[k % 3], "company_size": SIZES[k % 4]})  # fmt: skip
    return out


LEADS = leads()
COMPARED = [x for x in LEADS if x["created_at"] < datetime(2025, 7, 1)]  # Q1 and Q2


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    base = tmp_path_factory.mktemp("diagnose-any")
    folder = build(base / "data", GROUPS)
    head, *rows = (folder / "leads.csv").read_text().splitlines()
    extra = [f"{x['content'] or ''},{x['company_size'] or ''}" for x in LEADS]
    rows = [f"{r},{e}" for r, e in zip(rows, extra, strict=True)]
    (folder / "leads.csv").write_text("\n".join([f"{head},content,company_size", *rows]) + "\n")
    write_config(base / "ws")
    with leadpilot.open(base / "ws") as lp:
        lp.ingest(folder)
    return base / "ws"


def diagnosis(ws, by: str):
    with leadpilot.open(ws) as lp:
        return lp.diagnosis(current="2025-Q2", previous="2025-Q1", by=by)


def value(lead: dict, dim: str):
    v = lead[dim]
    return float(v) if dim == "company_size" and v is not None else v


@pytest.mark.parametrize("by", ["lead_id", "created_at", "content", "company_size"])
def test_diagnose_by_any_lead_column(ws, by):
    r = diagnosis(ws, by)
    assert {row[by] for row in r.rows} == {value(x, by) for x in COMPARED}
    doc = json.loads(json.dumps(r.to_json(), default=str))  # as --format json writes it
    d = doc["meta"]["decomposition"]["revenue"]
    assert sum(d["effects"].values()) == pytest.approx(d["change"])
    assert len(d["by_group"]) == len({value(x, by) for x in COMPARED})


def test_diagnose_by_a_column_with_nulls_has_a_row_for_the_null_group(ws):
    r = diagnosis(ws, "content")
    none = {row["kpi"]: row for row in r.rows if row["content"] is None}
    q2 = [x for x in COMPARED if x["created_at"] >= datetime(2025, 4, 1)]
    assert none["leads"]["current"] == sum(x["content"] is None for x in q2)
    assert none["leads"]["previous"] == sum(x["content"] is None for x in COMPARED) - len(
        [x for x in q2 if x["content"] is None]
    )
    assert r.rows[0]["content"] is None  # listed first, as kpis lists it


def test_group_values_that_are_none_or_numbers_read_as_text_in_findings():
    """Leads move from the converting group (no size) to the one of size 10: a mix shift
    whose explanation names them as tables do; its evidence is JSON."""
    before = {None: Group(100, 10, 10_000), 10.0: Group(100, 1, 1_000)}
    after = {None: Group(20, 2, 2_000), 10.0: Group(180, 2, 2_000)}
    d = decompose(before, after)
    totals = [{"leads": 200, "mqls": 200, "sqls": 200, "opportunities": 200, "customers": c,
               "revenue": c * 1000} for c in (11, 4)]  # fmt: skip
    (mix,) = [f for f in find(*totals, decomposition=d, dimension="company_size")
              if f.code == "mix_shift_to_low_converting_channels"]  # fmt: skip
    assert "away from (none) toward 10.0" in mix.explanation("en")
    json.dumps([mix.evidence, d.as_dict()])
    by_date = decompose({datetime(2025, 1, 2): Group(1, 1, 10)}, {None: Group(1, 0, 0)})
    assert json.loads(json.dumps(by_date.as_dict()))["by_group"].keys() == {
        "2025-01-02 00:00:00", "null"
    }


def test_cli_diagnose_by_a_column_with_nulls(ws):
    runner = CliRunner()
    args = ["diagnose", "-w", str(ws), "--current", "2025-Q2", "--previous", "2025-Q1"]
    r = runner.invoke(app, [*args, "--by", "content"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "(none)" in r.stdout
    r = runner.invoke(app, [*args, "--by", "created_at", "-f", "json"])
    assert r.exit_code == 0, r.output
    assert {row["created_at"] for row in json.loads(r.stdout)["rows"]} == {
        "2025-01-02 00:00:00", "2025-04-02 00:00:00"
    }


def test_channel_losing_money_states_the_current_periods_figures(ws):
    r = diagnosis(ws, "channel")
    table = {row["kpi"]: row["current"] for row in r.rows if row["channel"] == "paid_social"}
    (f,) = [f for f in r.meta["findings"] if f["code"] == "channel_roi_negative"]
    assert f["group"] == {"channel": "paid_social"}
    assert (table["spend"], table["revenue"]) == (6000, 1000)
    assert f["evidence"]["spend"] == table["spend"]
    assert f["evidence"]["revenue"] == table["revenue"]
    assert f["evidence"]["roi"] == pytest.approx(table["roi"])
    assert "€6,000 spent for €1,000 of revenue" in f["explanation"]
    assert "(ROI −83.3%)" in f["explanation"]


def test_no_money_lost_where_the_current_revenue_is_unknown_or_the_cohort_young():
    """Q1 earned 9,000 on 1,000 spent; Q2 spent 1,000 for 200, then for revenue unknown
    (won deals without an amount), then for 200 in a young cohort."""
    total = {"leads": 80, "mqls": 80, "sqls": 80, "opportunities": 80, "customers": 2}
    q1 = {"ads": {"leads": 40, "customers": 1, "revenue": 9000.0, "spend": 1000.0}}
    q2 = {"ads": {"leads": 40, "customers": 1, "revenue": 200.0, "spend": 1000.0}}

    def losing(after, maturity=None):
        found = find(total, total, groups_before=q1, groups_after=after, dimension="channel",
                     maturity=maturity)  # fmt: skip
        return [f.evidence for f in found if f.code == "channel_roi_negative"]

    assert losing(q2) == [{"spend": 1000.0, "revenue": 200.0, "roi": -0.8}]
    assert losing({"ads": {**q2["ads"], "revenue": None}}) == []
    assert losing(q2, {"immature": True, "age": 10, "delay": 60}) == []
