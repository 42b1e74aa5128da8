"""Writing the tables as Parquet and CSV."""

from __future__ import annotations

import re

import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from leadpilot.schema import TABLES
from leadpilot.synth import write_tables


def test_parquet_round_trip(small, tmp_path):
    paths = write_tables(small, tmp_path)
    assert [p.name for p in paths] == [f"{name}.parquet" for name in TABLES]
    for path in paths:
        assert pq.read_table(path).equals(small[path.stem])


def test_csv_round_trip(small, tmp_path):
    paths = write_tables(small, tmp_path / "out", fmt="csv")
    assert [p.name for p in paths] == [f"{name}.csv" for name in TABLES]
    for path in paths:
        table = pcsv.read_csv(path)
        assert table.num_rows == small[path.stem].num_rows
        assert table.column_names == small[path.stem].column_names


def test_csv_text_format(medium, tmp_path):
    write_tables({"deals": medium["deals"], "spend": medium["spend"]}, tmp_path, fmt="csv")
    lines = (tmp_path / "deals.csv").read_text().splitlines()
    assert lines[0] == ",".join(TABLES["deals"].column_names)
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
    open_deal = re.compile(rf"^D\d+,L\d+,{stamp},open,,[\d.]+,EUR$")
    closed_deal = re.compile(rf"^D\d+,L\d+,{stamp},(won|lost),{stamp},[\d.]+,EUR$")
    assert all(open_deal.match(x) or closed_deal.match(x) for x in lines[1:])
    assert any(open_deal.match(x) for x in lines[1:])
    spend = (tmp_path / "spend.csv").read_text().splitlines()
    assert re.match(r"^\d{4}-\d\d-\d\d,", spend[1])


def test_unknown_format(small, tmp_path):
    with pytest.raises(ValueError):
        write_tables(small, tmp_path, fmt="xlsx")
