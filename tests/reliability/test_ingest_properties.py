"""Property-based fuzzing of ingest as a whole (Hypothesis).

For any small set of tables (leads, touchpoints, stage events, deals, spend), with
valid and invalid values mixed (bad dates, unknown types and stages, negative, NaN,
huge or non-numeric amounts, unknown leads, duplicate keys, formula and SQL-looking
text), ingested under ``strict`` or ``quarantine`` into a workspace that already holds
data:

- either it loads, and every row read is accounted for: read = loaded + merged +
  quarantined, per table (a lead merged by the e-mail rule is loaded: merged there counts
  stored records); every quarantined record is in the quarantine table with its
  record; under strict nothing is quarantined;
- or it fails with a leadpilot error (any other exception fails the test) and the
  workspace is exactly as it was;
- ingesting the same files again changes nothing, the quarantine included.

tests/sources/test_properties.py states the leads-only version (idempotence, e-mail
merges); this one covers every table, bad values and both policies. Examples: bounded
for ``make test`` (``LEADPILOT_RELIABILITY_EXAMPLES``, default 10); ``make reliability``
runs many more.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from helpers import DATA, data_only, write_config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_kit import FIGURES, state

import leadpilot
from leadpilot.errors import LeadpilotError

pytestmark = pytest.mark.slow  # make test-quick leaves it out

EXAMPLES = int(os.environ.get("LEADPILOT_RELIABILITY_EXAMPLES", "10"))
# make test: the same bounded examples on every run (a red CI names a change, not luck);
# make reliability: new random examples each time
DERANDOMIZE = "LEADPILOT_RELIABILITY_EXAMPLES" not in os.environ
SEEN = {"loaded": 0, "refused": 0, "with quarantine": 0, "examples": 0}

ODD = ["=HYPERLINK(\"http://x\",\"y\")", "'; DROP TABLE leads;--", "+cmd|' /C calc'!A0",
       ":white_check_mark:", "[bold]x[/bold]", "é\u00a0ü", ""]  # fmt: skip
ids = st.sampled_from(["L1", "L2", "L3", "N1", "N2", "N3", "N4"])  # L*: already stored
dates = st.one_of(
    st.dates(min_value=date(2024, 6, 1), max_value=date(2025, 12, 31)).map(str),
    st.sampled_from(["31/31/2025", "not a date", "", "2025-02-30", "1899-12-31", "9999-01-01"]),
)  # fmt: skip
amounts = st.one_of(
    st.integers(0, 50_000).map(str),
    st.sampled_from(["-5", "NaN", "inf", "1e308", "abc", "", "1,250", "12.5"]),
)
text = st.one_of(st.sampled_from(ODD), st.text("abcXYZ09 -_@.", max_size=8))


TABLES = {
    "leads": (["lead_id", "created_at", "email", "channel", "company_size", "note"],
              {"lead_id": ids, "created_at": dates,
               "email": st.sampled_from(["a@x.com", "A@X.com", "n/a", "", "z@q.org"]),
               "channel": st.sampled_from(["paid_search", "email", "", "Events", "odd"]),
               "company_size": amounts, "note": text}),
    "touchpoints": (["lead_id", "ts", "type", "channel"],
                    {"lead_id": ids, "ts": dates,
                     "type": st.sampled_from(["visit", "email_open", "telepathy", ""]),
                     "channel": st.sampled_from(["paid_search", "", "organic_search"])}),
    "stage_events": (["lead_id", "stage", "ts"],
                     {"lead_id": ids, "stage": st.sampled_from(["mql", "sql", "customer", "x"]),
                      "ts": dates}),
    "deals": (["deal_id", "lead_id", "created_at", "status", "closed_at", "amount"],
              {"deal_id": st.sampled_from(["D1", "D9", "D10"]), "lead_id": ids,
               "created_at": dates, "status": st.sampled_from(["open", "won", "lost", "maybe"]),
               "closed_at": dates, "amount": amounts}),
    "spend": (["date", "channel", "campaign", "amount"],
              {"date": dates, "channel": st.sampled_from(["paid_search", "email", ""]),
               "campaign": text, "amount": amounts}),
}  # fmt: skip


@st.composite
def table_sets(draw) -> dict[str, list[tuple]]:
    chosen = draw(st.lists(st.sampled_from(sorted(TABLES)), min_size=1, max_size=3, unique=True))
    out = {}
    for name in chosen:
        columns, values = TABLES[name]
        out[name] = draw(st.lists(st.tuples(*[values[c] for c in columns]), min_size=1,
                                  max_size=6))  # fmt: skip
    return out


@pytest.fixture(scope="module")
def stored(tmp_path_factory) -> Path:
    """A workspace already holding the small good data set."""
    ws = write_config(tmp_path_factory.mktemp("stored") / "ws").parent
    with leadpilot.open(ws) as lp:
        lp.ingest(DATA / "good")
    return ws


def _write(folder: Path, tables: dict[str, list[tuple]]) -> None:
    folder.mkdir(parents=True)
    for name, rows in tables.items():
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(TABLES[name][0])
        w.writerows(rows)
        (folder / f"{name}.csv").write_text(buf.getvalue(), encoding="utf-8")


def _quarantined(ws: Path, folder: Path) -> dict[str, set]:
    """The quarantined records of this folder's files: table -> {(file, row)}."""
    out: dict[str, set] = {}
    with leadpilot.open(ws) as lp:
        q = lp.quarantine()
    for r in q.itertuples():
        if str(folder) in str(r.file):
            assert r.record and json.loads(r.record) is not None  # the record is kept
            out.setdefault(r.table_name, set()).add((r.file, r.row))
    return out


@settings(max_examples=EXAMPLES, deadline=None, derandomize=DERANDOMIZE,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(tables=table_sets(), policy=st.sampled_from(["strict", "quarantine"]))
def test_ingest_accounts_for_every_row_or_changes_nothing(stored, tmp_path_factory, tables,
                                                         policy):  # fmt: skip
    base = tmp_path_factory.mktemp("fuzz")
    ws = base / "ws"
    shutil.copytree(stored, ws)
    src = base / "src"
    _write(src, tables)
    before = state(ws)
    SEEN["examples"] += 1
    FIGURES["ingest fuzzing (examples: loaded / refused / with quarantine)"] = SEEN
    try:
        with leadpilot.open(ws) as lp:
            summary = lp.ingest(src, policy=policy)
    except LeadpilotError:
        SEEN["refused"] += 1
        assert state(ws) == before, "a failed ingest changed the workspace"
        return
    SEEN["loaded"] += 1
    quarantined = _quarantined(ws, src)
    for name, s in summary.tables.items():
        assert s.rows_read == len(tables[name]), (name, s)
        # merged: identical event rows merged (not stored twice), spend rows of one key
        # summed; a lead merged by the e-mail rule is stored (rows_merged of leads counts
        # those merges workspace-wide), as tests/test_corpus.py's accounting
        merged = 0 if name == "leads" else s.rows_merged
        assert s.rows_read == s.rows_loaded + merged + s.rows_quarantined, (name, s)
        assert len(quarantined.get(name, ())) == s.rows_quarantined, (name, s, quarantined)
        if policy == "strict":
            assert s.rows_quarantined == 0
    if any(s.rows_quarantined for s in summary.tables.values()):
        SEEN["with quarantine"] += 1
    once = state(ws)
    with leadpilot.open(ws) as lp:
        again = lp.ingest(src, policy=policy)
    twice = state(ws)
    assert data_only(once) == data_only(twice), "re-ingesting the same files changed the workspace"
    assert {n: (s.rows_read, s.rows_quarantined) for n, s in again.tables.items()} == {
        n: (s.rows_read, s.rows_quarantined) for n, s in summary.tables.items()
    }
