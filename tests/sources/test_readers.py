"""The readers on their own: line numbers, lines that do not fit, headers, what a file is.

The corpus (tests/corpus) runs the same situations through a whole ingest; these tests
pin the functions that changed, and fuzz the CSV reader against Python's csv writer.
"""

from __future__ import annotations

import csv
import io
import json
import os

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadpilot.errors import SourceError
from leadpilot.sources import readers
from leadpilot.sources.dates import DateColumns
from leadpilot.sources.readers import LINE, ROW, clean_header, read_file
from leadpilot.sources.typing import _time_cells


def rows_of(frame) -> list[dict]:
    return frame.data.to_pylist()


def unpack(line: str) -> tuple[str, str, str]:
    expected, fix, text = line.split("\x00", 2)
    return expected, fix, text


# ------------------------------------------------------------------ line numbers
def test_rows_are_line_numbers_with_blank_lines_and_quoted_newlines(tmp_path):
    p = tmp_path / "leads.csv"
    p.write_text('a,b\n\n1,"x\ny"\n\n\n2,z\n', encoding="utf-8")
    rows = rows_of(read_file(p))
    assert [(r["a"], r["b"], r[ROW]) for r in rows] == [("1", "x\ny", 3), ("2", "z", 7)]


def test_fast_path_numbers_lines_from_two(tmp_path):
    p = tmp_path / "leads.csv"
    p.write_text("a,b\n1,x\n2,y\n", encoding="utf-8")
    frame = read_file(p)
    assert frame.data[ROW].to_pylist() == [2, 3]
    assert LINE not in frame.data.column_names


@pytest.mark.parametrize("blank", [False, True])
def test_a_line_with_too_many_fields_is_kept_with_its_text(tmp_path, blank):
    """On Arrow's path (each record one line) and the line reader's (a blank line)."""
    p = tmp_path / "leads.csv"
    gap = "\n" if blank else ""
    p.write_text(f"id,name,day\n1,Beta,d1\n{gap}2,Acme, Inc.,d2\n3,Gamma,d3\n")
    rows = {r[ROW]: r for r in rows_of(read_file(p))}
    bad = 4 if blank else 3
    assert sorted(rows) == sorted([2, bad, bad + 1])
    expected, fix, text = unpack(rows[bad][LINE])
    assert text == "2,Acme, Inc.,d2"
    assert "3 fields (id, name, day)" in expected and "found 4" in expected
    assert '"Acme, Inc."' in fix
    assert rows[bad]["id"] is None and rows[bad + 1]["name"] == "Gamma"


def test_unbalanced_quote_does_not_swallow_the_next_rows(tmp_path):
    p = tmp_path / "leads.csv"
    p.write_text('id,name,day\n1,"Acme,d1\n2,Beta,d2\n3,Gamma,d3\n')
    rows = rows_of(read_file(p))
    assert [r["name"] for r in rows] == [None, "Beta", "Gamma"]
    expected, _, text = unpack(rows[0][LINE])
    assert rows[0][ROW] == 2 and text == '1,"Acme,d1' and "closing quote" in expected


def test_a_real_multiline_value_is_not_taken_for_a_stray_quote(tmp_path):
    p = tmp_path / "leads.csv"
    p.write_text('id,address,day\n1,"12 rue X\nParis",d1\n2,Lyon,d2\n')
    rows = rows_of(read_file(p))
    assert [r["address"] for r in rows] == ["12 rue X\nParis", "Lyon"]
    assert [r[ROW] for r in rows] == [2, 4]


def test_truncated_last_line_and_nul_bytes(tmp_path):
    p = tmp_path / "leads.csv"
    p.write_text("id,name,day\n1,A\x00B,d1\n2,Beta,d2\n3,Gam")
    rows = {r[ROW]: r for r in rows_of(read_file(p))}
    assert "NUL" in unpack(rows[2][LINE])[0] and "A\\x00B" in unpack(rows[2][LINE])[2]
    assert rows[3][LINE] is None
    assert "found 2" in unpack(rows[4][LINE])[0] and unpack(rows[4][LINE])[2] == "3,Gam"


def test_bare_separator_rows_are_skipped_and_noted(tmp_path):
    p = tmp_path / "leads.csv"
    p.write_text("id,name\n1,a\n,\n , \n2,b\n")
    frame = read_file(p)
    assert frame.data["id"].to_pylist() == ["1", "2"]
    assert frame.data[ROW].to_pylist() == [2, 5]
    assert frame.note.code == "blank_rows_skipped" and "2 line(s)" in frame.note


def test_trailing_separators(tmp_path):
    p = tmp_path / "leads.csv"
    p.write_text("id,name,\n1,a,\n2,b\n")
    frame = read_file(p)
    assert frame.data.column_names == ["id", "name", ROW]
    assert frame.data["name"].to_pylist() == ["a", "b"]


def test_long_lines_are_shortened_in_the_problem(tmp_path):
    p = tmp_path / "leads.csv"
    p.write_text("id,name\n1,a\n2," + ",".join(["x"] * 5000) + "\n")
    (row,) = [r for r in rows_of(read_file(p)) if r[LINE]]
    expected, _, text = unpack(row[LINE])
    assert "far more" in expected and text.endswith("characters in all)") and len(text) < 300


# ------------------------------------------------------------------ fuzzing
cells = st.text(alphabet=st.sampled_from(list('ab,;"\n\r é€\t') + ["\u00a0", "x"]), max_size=12)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.lists(cells, min_size=3, max_size=3), max_size=12),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    crlf=st.booleans(),
)
def test_read_file_gives_back_what_csv_wrote(tmp_path, rows, delimiter, crlf):
    """Any table written by Python's csv module reads back as written, each record at the
    line where it starts (rows of blank cells only are skipped)."""
    if not crlf:  # csv quotes a bare CR only when it is part of its line terminator
        rows = [[v.replace("\r", "") for v in r] for r in rows]
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n" if crlf else "\n")
    header = ["id", "name", "note"]
    w.writerow(header)
    starts, kept, line = [], [], 2
    for r in rows:
        s = io.StringIO(newline="")
        csv.writer(s, delimiter=delimiter, lineterminator="\r\n" if crlf else "\n").writerow(r)
        text = s.getvalue()
        if any(v.strip() for v in r):
            kept.append(r)
            starts.append(line)
        # a record spans one line more per line break inside its quoted values
        line += text.count("\n") + text.replace("\r\n", "").count("\r")
        w.writerow(r)
    p = tmp_path / "fuzz.csv"
    p.write_bytes(buf.getvalue().encode("utf-8"))
    frame = read_file(p, delimiter=delimiter)
    data = frame.data
    assert LINE not in data.column_names
    got = [[r[h] for h in header] for r in data.to_pylist()]
    assert got == kept
    assert data[ROW].to_pylist() == starts


# ------------------------------------------------------------------ headers
def test_clean_header_refuses_names_of_one_column():
    assert clean_header(readers.Path("f.csv"), ["a", None, " b "]) == ["a", "column_2", "b"]
    with pytest.raises(SourceError, match="'Email' and 'email'"):
        clean_header(readers.Path("f.csv"), ["Email", "email"])
    with pytest.raises(SourceError, match="'Lead ID' and 'lead_id'"):
        clean_header(readers.Path("f.csv"), ["Lead ID", "lead_id"])
    with pytest.raises(SourceError, match="'Société' and 'societe'"):
        clean_header(readers.Path("f.csv"), ["Société", "societe"])


# ------------------------------------------------------------------ what a file is
@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"PK\x03\x04rest", "a ZIP archive, not a CSV export"),
        (b"<!DOCTYPE html><html><body>x</body></html>", "an HTML page, not a CSV export"),
        (b"  \n<html lang='fr'>", "an HTML page"),
        (b"%PDF-1.7\n", "a PDF document"),
        (b"PAR1\x00\x00", "a Parquet file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1", "Excel 97-2003"),
        (b"\x1f\x8b\x08", "gzip"),
    ],
)
def test_files_that_are_not_csv_are_named(tmp_path, content, said):
    p = tmp_path / "leads.csv"
    p.write_bytes(content)
    with pytest.raises(SourceError, match="fix: ") as info:
        read_file(p)
    assert said in str(info.value)


def test_symbolic_links(tmp_path):
    inside = tmp_path / "src"
    inside.mkdir()
    (inside / "real.csv").write_text("id\n1\n")
    os.symlink(inside / "real.csv", inside / "leads.csv")
    assert read_file(inside / "leads.csv").data["id"].to_pylist() == ["1"]
    secret = tmp_path / "secret.csv"
    secret.write_text("password\nhunter2\n")
    os.symlink(secret, inside / "deals.csv")
    with pytest.raises(SourceError, match="symbolic link") as info:
        read_file(inside / "deals.csv")
    assert "hunter2" not in str(info.value) and "password" not in str(info.value)


# ------------------------------------------------------------------ encodings
def test_legacy_western_text_is_read_as_windows_1252(tmp_path):
    p = tmp_path / "leads.csv"
    p.write_bytes("id,company\n1,Hôtel Côté Mer\n2,Crédit €\n".encode("cp1252"))
    frame = read_file(p)
    assert frame.data["company"].to_pylist() == ["Hôtel Côté Mer", "Crédit €"]
    assert frame.note.code == "encoding_detected" and "windows-1252" in frame.note


def test_mixed_encodings_are_refused_at_the_bad_line(tmp_path):
    p = tmp_path / "leads.csv"
    p.write_bytes("id,company\n1,Société\n2,Müller\n".encode() + b"3,Caf\xe9\n")
    with pytest.raises(SourceError, match="line 4") as info:
        read_file(p)
    assert "mixes two text encodings" in str(info.value)


def test_utf16_without_bom(tmp_path):
    p = tmp_path / "leads.csv"
    p.write_bytes("id,company\n1,Müller\n".encode("utf-16-le"))
    frame = read_file(p)
    assert frame.data["company"].to_pylist() == ["Müller"] and "utf-16-le" in frame.note


# ------------------------------------------------------------------ json
def test_json_rows_are_the_lines_where_records_start(tmp_path):
    p = tmp_path / "leads.json"
    p.write_text(json.dumps([{"id": 1, "c": {"n": "A", "s": 2}}, {"id": 2, "t": [1]}], indent=2))
    frame = read_file(p)
    rows = rows_of(frame)
    assert [r[ROW] for r in rows] == [2, 9]
    assert rows[0]["id"] == "1" and rows[0]["c.n"] == "A" and rows[0]["c.s"] == "2"
    assert rows[1]["t"] == "[1]" and frame.note.code == "nested_as_json"


def test_json_lines_bad_line_is_kept_with_its_text(tmp_path):
    p = tmp_path / "leads.jsonl"
    p.write_text('{"id": "1"}\n\n{"id": \n[1, 2]\n{"id": "4"}\n')
    rows = rows_of(read_file(p))
    assert [r[ROW] for r in rows] == [1, 3, 4, 5]
    assert rows[0][LINE] is None and rows[3]["id"] == "4"
    assert unpack(rows[1][LINE])[2] == '{"id": ' and "not list" in unpack(rows[2][LINE])[0]


# ------------------------------------------------------------------ parquet
def test_nested_parquet_values_become_json_text(tmp_path):
    import pyarrow.parquet as pq

    p = tmp_path / "leads.parquet"
    pq.write_table(pa.table({"id": ["1"], "a": pa.array([{"x": 1, "y": "b"}])}), p)
    frame = read_file(p)
    assert json.loads(frame.data["a"][0].as_py()) == {"x": 1, "y": "b"}
    assert frame.note.code == "nested_as_json"


# ------------------------------------------------------------------ xlsx
def test_workbook_header_below_titles_and_blank_rows(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for r in [["Export"], [], ["id", "day"], ["1", 45658], [None, None], ["2", 45659]]:
        ws.append(r)
    wb.save(tmp_path / "leads.xlsx")
    frame = read_file(tmp_path / "leads.xlsx")
    assert frame.data["id"].to_pylist() == ["1", "2"]
    assert frame.data[ROW].to_pylist() == [4, 6]
    assert frame.note.code == "header_below_title" and "header is row 3" in frame.note


def test_excel_serials_become_dates_only_in_workbooks():
    dates = DateColumns("leads.xlsx", "leads")
    got = _time_cells(pa.array([45658, 45659.5, 0, None]), "leads.xlsx", "day", dates)
    assert got.to_pylist() == ["2025-01-01T00:00:00", "2025-01-02T12:00:00", "0", None]
    assert "excel_serial_dates" in [n.code for n in dates.notes()]
    text = _time_cells(pa.array(["45658", "2025-01-03"]), "leads.xlsx", "d2", dates)
    assert text.to_pylist() == ["2025-01-01", "2025-01-03"]
    other = DateColumns("leads.parquet", "leads")
    as_written = _time_cells(pa.array([20250102]), "leads.parquet", "day", other)
    assert as_written.to_pylist() == ["20250102"] and not other.notes()


@pytest.mark.parametrize(
    ("data", "arrow"),
    [
        (b"a,b\n1,x\n2,y\n\n\n", True),  # empty lines at the end shift no row
        (b"a,b\r\n1,x\r\n2,y\r\n\r\n", True),
        (b"a,b\n1,x\n\n2,y\n", False),  # one inside: read line by line
        (b'a,b\n1,"x\n\n', False),  # a quote never closed at the very end
    ],
)
def test_which_reader_numbers_the_lines(tmp_path, data, arrow):
    p = tmp_path / "leads.csv"
    p.write_bytes(data)
    assert (readers._read_csv_arrow(p, ",", "utf-8", None) is not None) is arrow
    frame = read_file(p)
    assert frame.data[ROW].to_pylist()[0] == 2


def test_the_date_fix_fits_the_cell():
    dates = DateColumns("leads.parquet", "leads")
    assert "'%Y%m%d'" in dates.fix("20250102")
    assert "Unix time" in dates.fix("1735776000") and "Unix time" in dates.fix("1735776000000")
    # the layout that reads the cell itself: its separators and time of day
    assert "['%d.%m.%Y'] for 31.12.2024" in dates.fix("31.12.2024")
    assert "['%d-%m-%Y %H:%M'] or ['%m-%d-%Y %H:%M']" in dates.fix("01-02-2018 05:34")
    assert "'%d/%m/%Y'" in dates.fix(None) and "'%d/%m/%Y'" in dates.fix("not a date")


def _month_first(n: int) -> list[str]:
    """n distinct month-first-only dates (day above 12)."""
    return [f"{m:02d}/{d}/2025" for m in range(1, 13) for d in range(13, 29)][:n]


@pytest.mark.parametrize(
    ("day_first_only", "mixed"),
    [
        (["13/02/2025", "14/02/2025", "15/02/2025"], True),  # two offices' exports appended
        (["13/02/2025"], False),  # one slip: set aside alone, the column stays month-first
        (["13/02/2025", "14/02/2025"], False),  # two among 60: under 5 %
    ],
)
def test_a_column_mixing_date_orders_is_told_from_a_slip(day_first_only, mixed):
    values = [*_month_first(4 if mixed else 60), *day_first_only, "02/03/2025", "05/05/2025"]
    dates = DateColumns("leads.csv", "leads")
    text = pa.array(values)
    assert dates.resolve({"created_at": (text, text)}, pa.array(range(2, len(values) + 2))) == []
    assert dates.choices["created_at"].family.order == "mdy"
    rival = dates.rival_of("created_at")
    assert (rival is not None and rival.order == "dmy") is mixed
    said = [n for n in dates.notes() if "mixes two date orders" in n]
    assert bool(said) is mixed
    if mixed:
        assert "4 value(s) read only month-first (%m/%d/%Y), 3 only day-first" in said[0]


def test_a_windows_1252_file_with_accents_in_its_header_only_is_detected(tmp_path):
    """Read as UTF-8, its header came out 'Cr\ufffd\ufffd le' without an error: the column
    mapped to 'Créé le' was missing and an unmapped one became a misnamed attribute."""
    p = tmp_path / "leads.csv"
    p.write_bytes("lead_id,Créé le,Page d'arrivée\nL1,2025-01-02,home\n".encode("cp1252"))
    frame = readers.read_csv(p)
    assert frame.data.column_names[:3] == ["lead_id", "Créé le", "Page d'arrivée"]
    assert frame.note is not None and frame.note.code == "encoding_detected"
    assert "windows-1252" in frame.note


def test_a_tie_of_two_date_orders_is_said_mixed_not_every_value_ambiguous():
    values = ["01/13/2025", "13/02/2025", "02/03/2025"]
    dates = DateColumns("leads.csv", "leads")
    text = pa.array(values)
    (problem,) = dates.resolve({"created_at": (text, text)}, pa.array([2, 3, 4]))
    assert "mixes orders as much one way as the other (1 value(s) read only" in problem.expected
    assert "every value of this column fits" not in problem.expected
    (problem,) = DateColumns("l.csv", "leads").resolve(
        {"d": (pa.array(["02/03/2025"]), pa.array(["02/03/2025"]))}, pa.array([2])
    )
    assert "every value of this column fits several orders" in problem.expected


def test_a_detected_date_layout_is_named_as_the_column_writes_it():
    dates = DateColumns("leads.csv", "leads")
    text = pa.array(["13.01.2025", "14.02.2025"])
    assert dates.resolve({"created_at": (text, text)}, pa.array([2, 3])) == []
    assert dates.notes() == [
        "leads.csv: column 'created_at' read as day-first (%d.%m.%Y) dates (detected from its "
        "values)"
    ]
