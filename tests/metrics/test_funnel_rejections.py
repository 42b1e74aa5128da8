"""Funnel: rejection reasons explain the rejected rows of the same view, range and period."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

import leadpilot

# lead, created, channel, rejections (date, reason) — the leads whose creation and
# rejection fall in different quarters, or rejected twice, tell the two views apart
LEADS = [
    ("L1", "2025-02-10", "a", [("2025-04-05", "bad timing")]),  # created Q1, rejected Q2
    ("L2", "2025-04-03", "b", [("2025-04-10", "bad timing")]),  # Q2, Q2
    ("L3", "2025-05-01", "a", [("2025-07-15", "no budget")]),  # Q2, Q3
    ("L4", "2025-03-01", "a", [("2025-03-20", "out of ICP"), ("2025-05-01", "competitor")]),
    ("L5", "2025-04-20", "a", [("2025-04-25", "no budget"), ("2025-05-10", "bad timing")]),
    ("L6", "2025-04-21", "b", []),  # never rejected
]


@pytest.fixture
def ws(shared_workspaces, backend_kind):
    """The leads' workspace, shared by the module's tests (they only read it)."""

    def ingest(path):
        src = path.parent / f"{path.name}-src"
        src.mkdir()
        leads = ["lead_id,created_at,channel"]
        ev = ["lead_id,stage,ts,reason"]
        for lead, created, channel, rejections in LEADS:
            leads.append(f"{lead},{created},{channel}")
            ev.append(f"{lead},mql,{created},")
            ev += [f"{lead},rejected,{ts},{reason}" for ts, reason in rejections]
        (src / "leads.csv").write_text("\n".join(leads) + "\n")
        (src / "stage_events.csv").write_text("\n".join(ev) + "\n")
        with leadpilot.open(path) as lp:
            lp.ingest(src)

    return shared_workspaces.get(backend_kind, "rejections", ingest)


def funnel(ws, **kw):
    with leadpilot.open(ws) as lp:
        return lp.funnel_result(by=["channel"], **kw)


def reasons_by_group(result) -> dict:
    keys = (["period"] if result.period != "all" else []) + ["channel"]
    out: dict = {}
    for r in result.rejection_reasons:
        out.setdefault(tuple(r[k] for k in keys), {})[r["reason"]] = r["rejected"]
    return out


def assert_reasons_add_up(result) -> None:
    """Each group's reasons total its rejected row (every group with a rejection has
    reasons, and no reasons stand for a group without one)."""
    keys = (["period"] if result.period != "all" else []) + ["channel"]
    rejected = {
        tuple(r[k] for k in keys): r["count"]
        for r in result.rows
        if r["stage"] == "rejected" and r["count"]
    }
    totals = Counter()
    for r in result.rejection_reasons:
        totals[tuple(r[k] for k in keys)] += r["rejected"]
    assert dict(totals) == rejected


Q2 = {"date_from": date(2025, 4, 1), "date_to": date(2025, 6, 30)}


def test_activity_reasons_are_the_rejections_dated_in_the_range(ws):
    result = funnel(ws, period="quarter", view="activity", **Q2)
    # L1 (created in Q1) counts, L3 (rejected in Q3) and L4 (first rejected in Q1) do not;
    # L5 once, with the reason of its first rejection, as the rejected row counts it
    assert reasons_by_group(result) == {
        ("2025-Q2", "a"): {"bad timing": 1, "no budget": 1},
        ("2025-Q2", "b"): {"bad timing": 1},
    }
    assert_reasons_add_up(result)


def test_cohort_reasons_are_those_of_the_leads_created_in_the_range(ws):
    result = funnel(ws, period="quarter", view="cohort", **Q2)
    assert reasons_by_group(result) == {
        ("2025-Q2", "a"): {"no budget": 2},  # L3 (rejected later) and L5 (its first reason)
        ("2025-Q2", "b"): {"bad timing": 1},
    }
    assert_reasons_add_up(result)


@pytest.mark.parametrize("view", ["cohort", "activity"])
@pytest.mark.parametrize("period", ["all", "quarter", "month"])
def test_reasons_add_up_to_the_rejected_rows_per_period(ws, view, period):
    result = funnel(ws, period=period, view=view, date_from=date(2025, 1, 1))
    assert_reasons_add_up(result)
    assert sum(r["rejected"] for r in result.rejection_reasons) == 5  # every rejected lead


def test_activity_reasons_split_by_the_rejections_period(ws):
    result = funnel(ws, period="quarter", view="activity")
    assert reasons_by_group(result) == {
        ("2025-Q1", "a"): {"out of ICP": 1},
        ("2025-Q2", "a"): {"bad timing": 1, "no budget": 1},
        ("2025-Q2", "b"): {"bad timing": 1},
        ("2025-Q3", "a"): {"no budget": 1},
    }


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        ("cohort", {("a",): {"no budget": 2}, ("b",): {"bad timing": 1}}),
        ("activity", {("a",): {"bad timing": 1, "no budget": 1}, ("b",): {"bad timing": 1}}),
    ],
)
def test_reasons_over_the_range_follow_the_view(ws, view, expected):
    result = funnel(ws, view=view, **Q2)  # period "all": no period key, as before
    assert reasons_by_group(result) == expected
    assert all("period" not in r for r in result.rejection_reasons)
    assert_reasons_add_up(result)


@pytest.mark.parametrize("backend_kind", ["duckdb"], indirect=True)
def test_the_terminal_says_each_groups_reasons_on_its_own_line(ws):
    """Printed per group (period and channel), as the acceptance lines: the first reasons
    of all groups together were printed as one list, without saying whose."""
    from typer.testing import CliRunner

    from leadpilot.cli import app

    result = funnel(ws, period="quarter", view="activity")
    out = CliRunner().invoke(
        app, ["funnel", "-w", str(ws), "--by", "channel", "--period", "quarter",
              "--view", "activity"], env={"COLUMNS": "200"},
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("rejection reasons")]
    expected = {
        f"rejection reasons {period} {channel}": reasons
        for (period, channel), reasons in reasons_by_group(result).items()
    }
    assert len(lines) == len(expected)
    for line in lines:
        label, _, text = line.partition(": ")
        shown = dict(p.rsplit(" ", 1) for p in text.split(", "))
        assert {k: int(v) for k, v in shown.items()} == expected[label]
    out = CliRunner().invoke(app, ["funnel", "-w", str(ws), "--by", "channel", "--lang", "fr"])
    assert "motifs de rejet a : " in out.stdout  # a space before ':' in French
