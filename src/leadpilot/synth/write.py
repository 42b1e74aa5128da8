"""Write generated (or any canonical) tables as Parquet or CSV files named after the table."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

FORMATS = ("parquet", "csv")


def _csv_ready(table: pa.Table) -> pa.Table:
    """Timestamps as 'YYYY-MM-DD HH:MM:SS' (Arrow would add microseconds)."""
    columns = []
    for field, column in zip(table.schema, table.columns, strict=True):
        if pa.types.is_timestamp(field.type):
            seconds = pc.cast(column, pa.timestamp("s", tz=field.type.tz), safe=False)
            if field.type.tz:
                column = pc.strftime(seconds, format="%Y-%m-%d %H:%M:%S")
            else:
                column = seconds.cast(pa.string())
        columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)


def _write_csv(table: pa.Table, path: Path) -> None:
    """Plain fields without quotes; quoted only when some value holds a comma, quote or newline
    (Arrow refuses to write those unquoted)."""
    try:
        options = pcsv.WriteOptions(quoting_style="none", quoting_header="none")
        pcsv.write_csv(table, path, write_options=options)
    except pa.ArrowInvalid:
        options = pcsv.WriteOptions(quoting_style="needed", quoting_header="needed")
        pcsv.write_csv(table, path, write_options=options)


def write_tables(
    tables: dict[str, pa.Table], out_dir: str | Path, fmt: str = "parquet"
) -> list[Path]:
    """Write each table to ``out_dir/<name>.<fmt>``; returns the paths written, in order.

    CSV: header row, ISO dates and timestamps without fractions, empty field for null.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in tables.items():
        path = out / f"{name}.{fmt}"
        if fmt == "parquet":
            pq.write_table(table, path, compression="zstd")
        else:
            _write_csv(_csv_ready(table), path)
        paths.append(path)
    return paths
