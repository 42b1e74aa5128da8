"""Batches of JSON records (the service's POST ingest/{table}), read as a file would be,
without the three ways a single CSV of them went wrong: a field a record leaves out
cleared its stored value when another record of the batch named it; JSON numbers were
re-read under the workspace's decimal setting (1.054 stored as 1054 with decimal ','); a
quarantined record's row was its CSV line, one more than the position a refusal gave."""

from __future__ import annotations

import pytest
from helpers import write_config

import leadpilot
from leadpilot.errors import ValidationError

LEADS = [
    {"lead_id": "L1", "created_at": "2025-01-02", "industry": "Logistics", "company": "A"},
    {"lead_id": "L2", "created_at": "2025-01-03", "industry": "Retail", "company": "B"},
]


def _stored(lp, table: str, key: str) -> dict:
    return {r[key]: r for r in lp.workspace.table(table).to_pyarrow().to_pylist()}


def test_a_field_left_out_keeps_its_stored_value_null_clears_it(tmp_path):
    ws = write_config(tmp_path / "ws", "duckdb").parent
    with leadpilot.open(ws) as lp:
        lp.ingest_records("leads", LEADS)
        # L1 leaves industry out (an update of its company only), L2 names it; L3 is new;
        # then L2 sends industry null: that clears it
        lp.ingest_records("leads", [
            {"lead_id": "L1", "created_at": "2025-01-02", "company": "A2"},
            {"lead_id": "L2", "created_at": "2025-01-03", "industry": "Travel"},
            {"lead_id": "L3", "created_at": "2025-01-04", "industry": "Retail"},
        ])  # fmt: skip
        after = _stored(lp, "leads", "lead_id")
        lp.ingest_records("leads", [{"lead_id": "L2", "created_at": "2025-01-03",
                                     "industry": None}])  # fmt: skip
        cleared = _stored(lp, "leads", "lead_id")
    assert after["L1"]["industry"] == "Logistics" and after["L1"]["company"] == "A2"
    assert after["L2"]["industry"] == "Travel" and after["L2"]["company"] == "B"
    assert after["L3"]["industry"] == "Retail"
    assert cleared["L2"]["industry"] is None


def test_json_numbers_are_read_with_a_point_whatever_the_files_decimal(tmp_path):
    ws = write_config(tmp_path / "ws", "duckdb", ingest={"decimal": ","}).parent
    deals = [
        {"deal_id": "D1", "lead_id": "L1", "created_at": "2025-01-05", "status": "won",
         "closed_at": "2025-01-06", "amount": 1.054},
        {"deal_id": "D2", "lead_id": "L2", "created_at": "2025-01-05", "status": "won",
         "closed_at": "2025-01-06", "amount": 2500},
        {"deal_id": "D3", "lead_id": "L2", "created_at": "2025-01-05", "status": "won",
         "closed_at": "2025-01-06", "amount": 1234.5},
    ]  # fmt: skip
    with leadpilot.open(ws) as lp:
        lp.ingest_records("leads", LEADS)
        lp.ingest_records("deals", deals)
        stored = _stored(lp, "deals", "deal_id")
    assert [stored[d]["amount"] for d in ("D1", "D2", "D3")] == [1.054, 2500, 1234.5]


def test_a_records_row_is_its_position_in_the_refusal_and_the_quarantine(tmp_path):
    ws = write_config(tmp_path / "ws", "duckdb").parent
    bad = [LEADS[0], {"lead_id": "L9", "created_at": "not a date"}, LEADS[1]]
    with leadpilot.open(ws) as lp:
        with pytest.raises(ValidationError) as refused:
            lp.ingest_records("leads", bad)
        lp.ingest_records("leads", bad, policy="quarantine")
        q = lp.quarantine()
    (problem,) = refused.value.problems
    assert problem.row == 2 and problem.file == "leads batch"
    assert q["row"].tolist() == [2] and q["file"].tolist() == ["leads batch"]
