"""The screen of an ingest's checks: one scan says which row checks some row fails and
whether a key may repeat; only those checks then list their rows. A check the screen
passes over must have nothing to report, whatever the rows (Hypothesis)."""

from __future__ import annotations

from datetime import datetime

import ibis
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from leadpilot.config import Config
from leadpilot.sources import checks
from leadpilot.sources.readers import ROW

NOW = datetime(2025, 6, 1)
DATES = [None, datetime(1899, 12, 30), datetime(2025, 1, 3), datetime(2031, 1, 1)]

deal_st = st.fixed_dictionaries(
    {
        "deal_id": st.sampled_from([None, "D1", "D2", "D3"]),
        "created_at": st.sampled_from(DATES),
        "closed_at": st.sampled_from(DATES),
        "status": st.sampled_from(["open", "won", "lost"]),
        "amount": st.sampled_from([None, -5.0, 0.0, 120.0, 1e12]),
        "currency": st.sampled_from([None, "EUR", "usd", "XYZ"]),
    }
)


def _table(rows: list[dict]) -> ibis.Table:
    schema = pa.schema(
        [
            ("deal_id", pa.string()),
            ("created_at", pa.timestamp("us")),
            ("closed_at", pa.timestamp("us")),
            ("status", pa.string()),
            ("amount", pa.float64()),
            ("currency", pa.string()),
            (ROW, pa.int64()),
            ("__file", pa.string()),
        ]
    )
    rows = [{**r, ROW: i + 2, "__file": "deals.csv"} for i, r in enumerate(rows)]
    return ibis.memtable(pa.Table.from_pylist(rows, schema=schema))


@settings(max_examples=40, deadline=None)
@given(st.lists(deal_st, max_size=6))
def test_the_screen_passes_over_exactly_the_checks_with_nothing_to_report(rows):
    con = ibis.duckdb.connect()
    t = _table(rows)
    found = checks.row_checks(t, "deals", Config(currency="EUR"), NOW)
    flags = con.to_pyarrow(checks.screen(t, found, "deal_id")).to_pylist()[0]
    for i, check in enumerate(found):
        reported = con.to_pyarrow(check.issues(t)).num_rows
        assert bool(flags[f"check_{i}"]) == (reported > 0), (check.column, check.expected)
    keys = [r["deal_id"] for r in rows if r["deal_id"] is not None]
    assert bool(flags["repeated_keys"]) == (len(keys) != len(set(keys)))
    dups = con.to_pyarrow(checks.duplicate_keys(t, "deal_id", "deal_id", False)).num_rows
    assert dups == len(keys) - len(set(keys))


def test_a_repeated_key_beside_blank_keys_is_seen():
    """Blank keys are no key: two A and one blank is a repeat, one A and two blanks not."""
    con = ibis.duckdb.connect()
    for ids, repeated in ((["D1", "D1", None], True), (["D1", None, None], False)):
        t = _table([{"deal_id": i, "status": "open"} for i in ids])
        flags = con.to_pyarrow(checks.screen(t, [], "deal_id")).to_pylist()[0]
        assert bool(flags["repeated_keys"]) is repeated, ids
