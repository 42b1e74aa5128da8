"""A posted batch is named to its sender as a batch: its records by their position, its
warnings with their notice codes, and fixes it can apply — not the files of its private
temporary folder, nor "date_formats on this source", a source entry a batch does not have.

Before: a JSON batch's warning said "record 3" while its problem said row 4 (the CSV line
of the part file), warnings lost their codes, a duplicate said "already in row 2" of a
file the sender never saw, "deals.csv" leaked into a warning, and every date, number and
placeholder problem pointed at a setting of a source entry.
"""

from __future__ import annotations

import pytest
from helpers import write_config

import leadpilot
from leadpilot.errors import ValidationError

LEADS = [{"lead_id": "L1", "created_at": "2025-01-02"},
         {"lead_id": "L2", "created_at": "2025-01-03"}]


def _deal(deal_id: str, amount: object, **more) -> dict:
    return {"deal_id": deal_id, "lead_id": "L1", "created_at": "2025-02-01", "status": "open",
            "amount": amount, **more}  # fmt: skip


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    ws = write_config(tmp_path_factory.mktemp("batches") / "ws").parent
    with leadpilot.open(ws) as lp:
        lp.ingest_records("leads", LEADS)
    return ws


def test_warnings_name_records_keep_their_code_and_problems_the_same_position(workspace):
    deals = [
        {**_deal("D1", 100), "status": "won", "closed_at": "2025-01-20"},  # before creation
        {**_deal("D2", 100), "status": "won", "closed_at": "2025-02-20"},
        {**_deal("D3", 100), "status": "won", "closed_at": "2025-01-25", "currency": "EUR"},
    ]  # D3 names one more field: a part file of its own, where it is line 2
    with leadpilot.open(workspace) as lp:
        summary = lp.ingest_records("deals", deals)
    (warning,) = summary.warnings
    assert warning.code == "closed_before_created"
    assert "2 record(s)" in warning and "row" not in warning
    assert "deals batch, record 1" in warning and "deals batch, record 3" in warning
    assert sorted(p.row for p in summary.problems) == [1, 3]
    assert {p.file for p in summary.problems} == {"deals batch"}


def test_a_csv_batch_keeps_its_lines_and_never_names_its_file(workspace):
    text = "deal_id,lead_id,created_at,status,amount\nD9,L1,2025-02-01,open,5\n"
    with leadpilot.open(workspace) as lp:
        summary = lp.ingest_records("deals", csv_text=text, label="crm push")
    (warning,) = summary.warnings  # no deal won or lost
    assert "crm push" in warning and "deals.csv" not in warning
    assert summary.tables["deals"].files == ["crm push"]


def test_a_repeated_key_names_the_first_record(workspace):
    records = [{"lead_id": "d", "created_at": "2025-01-02", "company": "A"},
               {"lead_id": "x", "created_at": "2025-01-02"},
               {"lead_id": "d", "created_at": "2025-01-05", "company": "B"}]  # fmt: skip
    with leadpilot.open(workspace) as lp, pytest.raises(ValidationError) as caught:
        lp.ingest_records("leads", records)
    (problem,) = caught.value.problems
    assert problem.row == 3 and "already in record 1" in problem.expected
    assert problem.fix.startswith("keep one record per key in the batch")


# one bad batch per fix a file's problem gives on its source entry, and what the sender
# reads instead (JSON records, or CSV text)
CASES = {
    "unreadable date": ("leads", [{"lead_id": "u", "created_at": "2025-13-45"}], None,
                        "send the dates as ISO 8601 text"),
    "ambiguous dates (JSON)": ("leads", [{"lead_id": "a", "created_at": "03/04/2025"},
                                         {"lead_id": "b", "created_at": "05/04/2025"}], None,
                               "ingest.date_formats: ['%d/%m/%Y'] or ['%m/%d/%Y']"),
    "ambiguous dates (CSV)": ("leads", None, "lead_id,created_at\na,03/04/2025\n",
                              "ingest.date_formats: ['%d/%m/%Y'] or ['%m/%d/%Y']"),
    "unix time": ("leads", [{"lead_id": "u", "created_at": 1735689600000}], None,
                  "which no date layout reads: send the dates as ISO 8601 text"),
    "placeholder (JSON)": ("deals", [_deal("D1", "N/A")], None,
                           "'N/A' holds no number: send null for a missing value"),
    "placeholder (CSV)": ("deals", None,
                          "deal_id,lead_id,created_at,status,amount\nD1,L1,2025-02-01,open,N/A\n",
                          "'N/A' holds no number: leave the cell empty"),
    "decimal comma (JSON)": ("deals", [_deal("D1", "12,50")], None,
                             "send numbers as JSON numbers (1234.56)"),
    "money": ("deals", [_deal("D1", "$1.5K")], None,
              "send the amount as a number (1500 for 1.5K)"),
}


@pytest.mark.parametrize("case", CASES)
def test_a_fix_is_what_the_sender_can_do(workspace, case):
    table, records, text, wanted = CASES[case]
    with leadpilot.open(workspace) as lp, pytest.raises(ValidationError) as caught:
        lp.ingest_records(table, records, csv_text=text)
    (problem,) = caught.value.problems
    assert wanted in problem.fix, problem.fix
    assert "on this source" not in problem.fix and "the file" not in problem.fix
    assert problem.row == (1 if records is not None else 2)
    assert "leadpilot-batch-" not in str(caught.value)


def test_the_setting_a_date_fix_names_reads_the_batch(tmp_path):
    """The workspace-wide ingest.date_formats the fix names does read a posted batch."""
    ws = write_config(tmp_path / "ws", ingest={"date_formats": ["%d/%m/%Y"]}).parent
    with leadpilot.open(ws) as lp:
        lp.ingest_records("leads", csv_text="lead_id,created_at\na,03/04/2025\n")
        stored = lp.workspace.table("leads").to_pyarrow().to_pylist()
    assert str(stored[0]["created_at"].date()) == "2025-04-03"


def test_the_spend_notes_after_a_batch_keep_their_rows(tmp_path):
    """The reconciliation's notes that follow a batch speak of stored spend rows: "over 2
    row(s)" was turned into "record(s)" with the batch's own warnings."""
    ws = write_config(tmp_path / "ws").parent
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "spend.csv").write_text(
        "date,channel,amount\n2025-01-01,radio,10\n2025-01-02,radio,20\n"
    )
    with leadpilot.open(ws) as lp:
        lp.ingest(tmp_path / "data")
        summary = lp.ingest_records("leads", LEADS)
    (note,) = [w for w in summary.warnings if w.code == "spend_without_match"]
    assert "over 2 row(s)" in note and "record" not in note
