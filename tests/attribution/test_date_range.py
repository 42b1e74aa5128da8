"""Attribution over a date range (``date_from`` / ``date_to``, ``--from`` / ``--to``).

The range selects journeys by their end: the conversion date, or the last attribution
touch of a lead that did not convert (a null path). Touches before the range in a
conversion's lookback window still count; the totals count the conversions of the range;
the spend joined is the spend of the range. Every expected number is worked out below in
plain Python from the rows written to the workspace.

Leads (range of most tests: February 2025):

- L1 converts at the first instant of the range; one of its two touches is in January.
- L2 converts in the last half hour of the range after three touches.
- L3 has its only touch in the range but converts at the first instant of March.
- L4 converts in January. L5 did not convert; its last touch is in the range (a null
  path). L6 did not convert; a touch in the range, its last one in March.
- L7 converts in the range, its only touch months before (outside the lookback).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date, datetime, timedelta

import pytest
from typer.testing import CliRunner

import leadpilot
from leadpilot.attribution import compute_attribution_from_paths
from leadpilot.cli import app
from leadpilot.errors import MissingDataError, UsageError

runner = CliRunner()
LOOKBACK = 90  # the configuration's default lookback_days

LEADS = {
    "L1": "2025-01-20T00:00:00",
    "L2": "2025-02-03T00:00:00",
    "L3": "2025-02-15T00:00:00",
    "L4": "2025-01-05T00:00:00",
    "L5": "2025-02-10T00:00:00",
    "L6": "2025-02-20T00:00:00",
    "L7": "2024-09-01T00:00:00",
}
# touch_id, lead_id, ts, type, channel: every type is an attribution type
TOUCHES = [
    ("t11", "L1", "2025-01-20T09:00:00", "ad_click", "paid_search"),
    ("t12", "L1", "2025-01-31T12:00:00", "email_click", "email"),
    ("t21", "L2", "2025-02-03T10:00:00", "social", "social"),
    ("t22", "L2", "2025-02-04T10:00:00", "ad_click", "paid_search"),
    ("t23", "L2", "2025-02-06T10:00:00", "email_click", "email"),
    ("t31", "L3", "2025-02-15T10:00:00", "ad_click", "paid_search"),
    ("t41", "L4", "2025-01-05T10:00:00", "email_click", "email"),
    ("t51", "L5", "2025-02-10T10:00:00", "social", "social"),
    ("t52", "L5", "2025-02-12T10:00:00", "ad_click", "paid_search"),
    ("t61", "L6", "2025-02-20T10:00:00", "email_click", "email"),
    ("t62", "L6", "2025-03-10T10:00:00", "social", "social"),
    ("t71", "L7", "2024-09-01T10:00:00", "social", "social"),
]
# deal_id, lead_id, created_at, closed_at (won), amount
DEALS = [
    ("D1", "L1", "2025-01-25T00:00:00", "2025-02-01T00:00:00", 1000.0),
    ("D2", "L2", "2025-02-10T00:00:00", "2025-02-28T23:30:00", 500.0),
    ("D3", "L3", "2025-02-20T00:00:00", "2025-03-01T00:00:00", 2000.0),
    ("D4", "L4", "2025-01-10T00:00:00", "2025-01-15T00:00:00", 300.0),
    ("D7", "L7", "2025-02-01T00:00:00", "2025-02-25T00:00:00", 700.0),
]
SPEND = [
    ("2025-01-31", "paid_search", 100.0),
    ("2025-02-01", "paid_search", 200.0),
    ("2025-02-15", "social", 30.0),
    ("2025-02-28", "email", 50.0),
    ("2025-03-01", "email", 999.0),
    ("2025-02-10", "display", 40.0),  # spend in February, no touch: 0 conversions
    ("2025-03-02", "events", 70.0),
]
FEB = (date(2025, 2, 1), date(2025, 2, 28))
IN_FEB = ("L1", "L2", "L5", "L7")  # the leads whose journey ends in February


def _write(folder, leads=tuple(LEADS)):
    """The workspace's source files, holding ``leads`` only (and their rows)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "leads.csv": ["lead_id,created_at"] + [f"{k},{LEADS[k]}" for k in leads],
        "touchpoints.csv": ["touch_id,lead_id,ts,type,channel"]
        + [",".join(t) for t in TOUCHES if t[1] in leads],
        "stage_events.csv": ["lead_id,stage,ts"]
        + [f"{k},mql,{LEADS[k]}" for k in leads if k == "L1"],
        "deals.csv": ["deal_id,lead_id,created_at,status,closed_at,amount"]
        + [f"{d},{lead},{c},won,{w},{a}" for d, lead, c, w, a in DEALS if lead in leads],
        "spend.csv": ["date,channel,amount"] + [f"{d},{ch},{a}" for d, ch, a in SPEND],
    }
    for name, lines in files.items():
        (folder / name).write_text("\n".join(lines) + "\n")
    return folder


@pytest.fixture
def ws(shared_workspaces, backend_kind):
    """Every lead, on the test's backend; shared by the module's tests (they only read)."""

    def ingest(path):
        with leadpilot.open(path) as lp:
            lp.ingest(_write(path.parent / f"{path.name}-src"))

    return shared_workspaces.get(backend_kind, "ranged", ingest)


@pytest.fixture
def feb_only(shared_workspaces, backend_kind):
    """Only the leads whose journey ends in February (and the same spend)."""

    def ingest(path):
        with leadpilot.open(path) as lp:
            lp.ingest(_write(path.parent / f"{path.name}-src", IN_FEB))

    return shared_workspaces.get(backend_kind, "feb_only", ingest)


# ------------------------------------------------------------------ plain Python
def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _in(at: datetime, first: date | None, last: date | None) -> bool:
    """From the start of ``first`` to the end of ``last``."""
    if first is not None and at < datetime.combine(first, datetime.min.time()):
        return False
    return last is None or at < datetime.combine(last, datetime.min.time()) + timedelta(1)


def _journeys(first, last, lookback=LOOKBACK) -> dict[str, tuple[list[str], float | None]]:
    """{lead: (channels in order, revenue or None when it did not convert)} of the range."""
    won = {lead: (_ts(w), a) for _, lead, _, w, a in DEALS}
    out = {}
    for lead in LEADS:
        touches = sorted((_ts(ts), tid, ch) for tid, lead_, ts, _, ch in TOUCHES if lead_ == lead)
        end, value = won.get(lead, (max(t[0] for t in touches), None))
        if not _in(end, first, last):
            continue
        path = [ch for ts, _, ch in touches if timedelta(0) <= end - ts <= timedelta(lookback)]
        if path:
            out[lead] = (path, value)
    return out


def _heuristic(model: str, first, last) -> dict[str, tuple[float, float]]:
    """{channel: (conversions, revenue)} of first_touch, last_touch or linear."""
    out: dict[str, list[float]] = {}
    for path, value in _journeys(first, last).values():
        if value is None:
            continue
        if model == "linear":
            credits = [(ch, 1 / len(path)) for ch in path]
        else:
            credits = [(path[0] if model == "first_touch" else path[-1], 1.0)]
        for ch, c in credits:
            acc = out.setdefault(ch, [0.0, 0.0])
            acc[0] += c
            acc[1] += c * value
    return {k: (v[0], v[1]) for k, v in out.items()}


def _conversions(first, last) -> tuple[int, float]:
    """Every conversion dated in the range, touched or not, and its revenue."""
    dated = [a for _, _, _, w, a in DEALS if _in(_ts(w), first, last)]
    return len(dated), sum(dated)


def _spend(first, last) -> dict[str, float]:
    out: dict[str, float] = {}
    for d, ch, a in SPEND:
        day = date.fromisoformat(d)
        if (first is None or day >= first) and (last is None or day <= last):
            out[ch] = out.get(ch, 0.0) + a
    return out


def _credited(rows, model) -> dict[str, tuple[float, float]]:
    return {r["channel"]: (r["conversions"], r["revenue"]) for r in rows
            if r["model"] == model and r["conversions"]}  # fmt: skip


def _close(got: dict, want: dict) -> None:
    assert set(got) == set(want), (got, want)
    for k, (c, v) in want.items():
        assert got[k][0] == pytest.approx(c, abs=1e-6), (k, got[k], want[k])
        assert got[k][1] == pytest.approx(v, abs=0.01), (k, got[k], want[k])


# ------------------------------------------------------------------ tests
RANGES = [
    FEB,
    (date(2025, 2, 1), date(2025, 2, 1)),  # one day: L1 at its first instant
    (None, date(2025, 1, 31)),  # up to January: L4 (L1 converts on Feb 1)
    (date(2025, 3, 1), None),  # from March: L3 at its first instant, L6's null path
    (None, None),
]


@pytest.mark.parametrize("first,last", RANGES, ids=lambda d: str(d))
def test_credits_are_those_of_the_conversions_dated_in_the_range(ws, first, last):
    with leadpilot.open(ws) as lp:
        r = lp.attribution_result(
            models="first_touch,last_touch,linear", date_from=first, date_to=last
        )
    for model in ("first_touch", "last_touch", "linear"):
        _close(_credited(r.rows, model), _heuristic(model, first, last))
    n, revenue = _conversions(first, last)
    credited = sum(1 for _, v in _journeys(first, last).values() if v is not None)
    assert r.totals["all_conversions"] == {"n": n, "revenue": pytest.approx(revenue)}
    assert r.totals["all"]["conversions"] == pytest.approx(credited)
    not_credited = [w for w in r.meta.notices if w.code == "not_credited"]
    assert len(not_credited) == (1 if n > credited else 0)
    # the spend of the range, per channel; a channel with spend and no credit shows 0
    spend = _spend(first, last)
    for row in r.rows:
        assert row["spend"] == (pytest.approx(spend[row["channel"]]) if row["channel"] in spend
                                else None)  # fmt: skip
    # rows: the credited channels and those with spend, at most those of the range's
    # journeys (a null path's channels may show with 0) and those with spend
    shown = {x["channel"] for x in r.rows if x["model"] == "linear"}
    touched = {ch for path, _ in _journeys(first, last).values() for ch in path}
    assert set(spend) | set(_heuristic("linear", first, last)) <= shown <= set(spend) | touched
    assert r.meta["date_from"] == (first and first.isoformat())
    assert r.meta["date_to"] == (last and last.isoformat())


def test_february_by_hand(ws):
    """The numbers of the February range, written out (the same rule as above)."""
    with leadpilot.open(ws) as lp:
        r = lp.attribution_result(models="linear", date_from="2025-02-01", date_to="2025-02-28")
    # L1: paid_search (January touch, in its window) + email; L2: social, paid_search, email
    _close(
        _credited(r.rows, "linear"),
        {"paid_search": (1 / 2 + 1 / 3, 500 + 500 / 3), "email": (1 / 2 + 1 / 3, 500 + 500 / 3),
         "social": (1 / 3, 500 / 3)},
    )  # fmt: skip
    # L3's touch is in February but it converts on March 1: not credited, not counted
    assert r.totals["all_conversions"] == {"n": 3, "revenue": 2200.0}  # L1, L2, L7
    (note,) = [w for w in r.meta.notices if w.code == "not_credited"]
    assert note.startswith("1 conversion(s) from 2025-02-01 to 2025-02-28 (revenue 700.00)")
    spend = {x["channel"]: x["spend"] for x in r.rows}
    assert spend == {"paid_search": 200.0, "email": 50.0, "social": 30.0, "display": 40.0}
    row = next(x for x in r.rows if x["channel"] == "paid_search")
    assert row["cost_per_conversion"] == pytest.approx(round(200 / (5 / 6), 2))
    assert row["roas"] == pytest.approx(round((500 + 500 / 3) / 200, 4))
    assert r.date_from == "2025-02-01" and r.date_to == "2025-02-28"
    assert "from 2025-02-01 to 2025-02-28" in r.definitions["journey"]
    assert "dated from 2025-02-01 to 2025-02-28" in r.definitions["spend"]
    assert "du 2025-02-01 au 2025-02-28" in r.definitions_in("fr")["journey"]


def test_every_model_on_the_range_equals_the_range_alone(ws, feb_only):
    """The data-driven models too: February's journeys (null paths included) give the same
    credits as a workspace holding only the leads whose journey ends in February."""
    with leadpilot.open(ws) as lp:
        ranged = lp.attribution_result(models="all", date_from=FEB[0], date_to=FEB[1])
    with leadpilot.open(feb_only) as lp:
        alone = lp.attribution_result(models="all")
    assert ranged.models == alone.models and len(ranged.models) == 10
    for model in ranged.models:
        _close(_credited(ranged.rows, model), _credited(alone.rows, model))
    assert ranged.totals == alone.totals
    # and February differs from the whole data (L3, L4 and L6 are left out)
    with leadpilot.open(ws) as lp:
        whole = lp.attribution_result(models="markov,linear")
    assert _credited(whole.rows, "markov") != _credited(ranged.rows, "markov")


def _reconciled(r) -> list[str]:
    return [w for w in r.meta.notices if w.code in ("spend_without_match", "no_spend")]


def test_the_names_reconciled_are_those_of_the_range(ws):
    """The spend and touch names compared are those the range counts: spend dated in it,
    touches its journeys can hold (lookback included), worked out from the rows above."""
    for first, last in [FEB, (date(2025, 3, 1), date(2025, 3, 1)), (None, None)]:
        with leadpilot.open(ws) as lp:
            r = lp.attribution_result(models="linear", date_from=first, date_to=last)
        spend = _spend(first, last)
        start = None if first is None else first - timedelta(days=LOOKBACK)
        touched = {ch for _, _, ts, _, ch in TOUCHES if _in(_ts(ts), start, last)}
        said = " | ".join(_reconciled(r))
        for channel in set(spend) - touched:  # spend that no touch names, with its amount
            assert f"names channel '{channel}' ({spend[channel]:,.2f} over" in said, said
        for channel in set(SPEND_CHANNELS) - (set(spend) - touched):
            assert f"names channel '{channel}'" not in said, (channel, said)
        for channel in touched - set(spend):  # touches no spend of the range names
            assert f"channel '{channel}' but no spend" in said or f" {channel} (" in said
        for channel in touched & set(spend):
            assert f"'{channel}' but no spend" not in said and f" {channel} (" not in said
        if first is not None:
            assert "from 2025-" in said
    # February: display's 40.00 (no touch); the 70.00 of 'events' (March) is not February's
    with leadpilot.open(ws) as lp:
        feb = lp.attribution_result(models="linear", date_from=FEB[0], date_to=FEB[1])
    (display,) = _reconciled(feb)
    assert display.startswith("spend from 2025-02-01 to 2025-02-28 names channel 'display' "
                              "(40.00 over 1 row(s))")  # fmt: skip


SPEND_CHANNELS = {ch for _, ch, _ in SPEND}


def test_a_conversion_outside_the_range_is_not_credited_for_its_touches_inside(ws):
    with leadpilot.open(ws) as lp:
        feb = lp.attribution_result(models="last_touch", date_from="2025-02-15",
                                    date_to="2025-02-28")  # fmt: skip
        march = lp.attribution_result(models="last_touch", date_from="2025-03-01",
                                      date_to="2025-03-01")  # fmt: skip
    # L3's paid_search touch (Feb 15) is in the first range, its conversion in the second
    assert _credited(feb.rows, "last_touch") == {"email": (1.0, 500.0)}  # L2
    assert _credited(march.rows, "last_touch") == {"paid_search": (1.0, 2000.0)}


def test_periods_within_a_range_and_the_dataframe(ws):
    with leadpilot.open(ws) as lp:
        r = lp.attribution_result(models="linear", period="month", date_from="2025-01-15",
                                  date_to=datetime(2025, 2, 28, 8))  # fmt: skip
        df = lp.attribution(models="linear", date_from="2025-02-01", date_to="2025-02-28")
    credited = {x["period"] for x in r.rows if x["conversions"]}
    assert credited == {"2025-01", "2025-02"}  # L4 in January; L1, L2 in February
    assert r.meta["date_to"] == "2025-02-28"  # a datetime counts for its day
    assert r.totals["2025-01"]["conversions"] == pytest.approx(1.0)
    assert df.attrs["meta"]["date_from"] == "2025-02-01"
    assert float(df["conversions"].sum()) == pytest.approx(2.0)


def test_errors_name_the_range(ws):
    with leadpilot.open(ws) as lp:
        # the Python API names its parameters (the command line, its flags: below)
        with pytest.raises(
            UsageError, match="date_from='2025-03-01' is after date_to='2025-02-01'"
        ):
            lp.attribution_result(date_from="2025-03-01", date_to="2025-02-01")
        with pytest.raises(UsageError, match="date_from='2025-02-30'"):
            lp.attribution_result(date_from="2025-02-30")
        with pytest.raises(MissingDataError) as e:
            lp.attribution_result(date_from="2025-06-01", date_to="2025-06-30")
        assert "no lead reached the customer stage from 2025-06-01 to 2025-06-30" in str(e.value)
        assert "date_from / date_to" in str(e.value)
        # a conversion in the range (L7) without a touch in its window; no touch at all in
        # the range's windows either (Shapley has no player)
        with pytest.raises(MissingDataError) as e:
            lp.attribution_result(models="all", date_from="2025-02-25", date_to="2025-02-25",
                                  lookback=1)  # fmt: skip
        assert "none of the 1 conversion(s) from 2025-02-25 to 2025-02-25 has" in str(e.value)


def test_path_file_has_no_dates(tmp_path):
    f = tmp_path / "paths.csv"
    f.write_text("path,total_conversions,total_null\nA > B,2,1\nB,1,3\n")
    with pytest.raises(UsageError, match="path file holds no dates"):
        compute_attribution_from_paths(f, date_from=date(2025, 1, 1))
    r = runner.invoke(app, ["attribution", "--paths", str(f), "-w", str(tmp_path),
                            "--to", "2025-01-31"])  # fmt: skip
    assert isinstance(r.exception, UsageError) and "--from, --to" in str(r.exception)


@pytest.mark.parametrize("backend_kind", ["duckdb"], indirect=True)
def test_cli_from_to(ws):
    args = ["attribution", "-w", str(ws), "-m", "linear", "--from", "2025-02-01",
            "--to", "2025-02-28"]  # fmt: skip
    r = runner.invoke(app, [*args, "-f", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["meta"]["date_from"] == "2025-02-01" and doc["meta"]["date_to"] == "2025-02-28"
    _close(_credited(doc["rows"], "linear"), _heuristic("linear", *FEB))
    r = runner.invoke(app, [*args, "-f", "csv"])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert {x["channel"]: float(x["spend"]) for x in rows} == _spend(*FEB)
    r = runner.invoke(app, args, env={"COLUMNS": "120"})
    assert r.exit_code == 0, r.output
    assert "Attribution — linear" in r.stdout and "2025-02-01" in r.stdout


@pytest.mark.parametrize("backend_kind", ["duckdb"], indirect=True)
def test_cli_bad_range_is_a_usage_error(ws):
    for bad, says in ((["--from", "2025-03-01", "--to", "2025-02-01"], "is after --to"),
                      (["--from", "2025-02-30"], "--from '2025-02-30'")):  # fmt: skip
        r = runner.invoke(app, ["attribution", "-w", str(ws), *bad])
        assert isinstance(r.exception, UsageError) and says in str(r.exception)
        assert r.exception.exit_code == 2
    # the command's exit status, as a script sees it
    p = subprocess.run(
        [sys.executable, "-m", "leadpilot", "attribution", "-w", str(ws), "--from",
         "2025-03-01", "--to", "2025-02-01"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert p.returncode == 2, p.stderr
    assert "--from 2025-03-01 is after --to 2025-02-01" in p.stderr


def test_revenue_won_after_the_range_is_said(ws):
    """A lead's revenue goes with its conversion: L1 converts (MQL) on January 20 and wins
    D1 (1,000) on February 1. In a January range its revenue counts, and the result says
    so and how to leave it out; as of January 31 it is out (the deal is not won yet)."""
    jan = {"date_from": "2025-01-01", "date_to": "2025-01-31", "conversion": "mql"}
    with leadpilot.open(ws) as lp:
        ranged = lp.attribution_result(models="linear", **jan)
        cut = lp.attribution_result(models="linear", as_of="2025-01-31", **jan)
    # MQLs of January: L1 (its event) and L4 (implied by its customer date, January 15)
    assert ranged.totals["all_conversions"] == {"n": 2, "revenue": 1300.0}
    (note,) = [w for w in ranged.meta.notices if w.code == "won_after_range"]
    assert note.startswith(
        "1 won deal(s) (revenue 1,000.00) of the leads converting from 2025-01-01 to "
        "2025-01-31 were won after 2025-01-31"
    )
    assert "--as-of 2025-01-31" in note
    assert "revenue won after the range counts in it" in ranged.definitions["revenue"]
    assert cut.totals["all_conversions"] == {"n": 2, "revenue": 300.0}
    assert not [w for w in cut.meta.notices if w.code == "won_after_range"]
