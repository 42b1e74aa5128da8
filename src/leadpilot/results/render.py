"""A result as a document: the JSON of ``--format json``, the CSV of ``--format csv``, or
terminal tables (:class:`~leadpilot.results.terminal.Terminal`).

The JSON document is ``{"rows": [...], "meta": {...}}`` (rows as the analysis made them,
meta with ``definitions``, ``warnings`` and ``notices``); the CSV holds the rows only,
one column per key in first-seen order. Results backed by a large frame (every lead's
score) are written by pandas and Arrow, never as a million dicts.

CSV is opened in spreadsheets, which run a cell starting with ``=``, ``+``, ``-`` or
``@`` (or a tab or carriage return before one) as a formula: a channel named
``=HYPERLINK(...)`` or ``+cmd|...`` in a CRM export would run on the reader's machine.
Every text cell and header starting with one of those characters is written with a
``'`` before it, as OWASP recommends (CSV injection); numbers are written as numbers
(``-5`` stays ``-5``). JSON is never altered: scripts read the values as they are.
"""

from __future__ import annotations

import csv
import io
import json
from typing import IO

from ..errors import UsageError
from .result import Result

FORMATS = ("table", "json", "csv")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet may read these as a formula
_FORMULA_PATTERN = r"^[=+\-@\t\r]"


def neutral(value):
    """A text cell made safe for spreadsheets: ``'`` before a formula-starting character;
    anything else unchanged.

    >>> neutral("=1+2"), neutral("-5"), neutral(-5), neutral("seo")
    ("'=1+2", "'-5", -5, 'seo')
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def check_format(fmt: str) -> None:
    """A UsageError unless ``fmt`` is table, json or csv."""
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: expected one of table, json, csv")


def json_text(result: Result) -> str:
    """The JSON document (indented), as ``--format json`` prints it.

    >>> from leadpilot.results import Meta, Result
    >>> print(json_text(Result([{"leads": 3}], Meta("demo"))))  # doctest: +ELLIPSIS
    {
      "rows": [
        {
          "leads": 3
        }
      ],
      "meta": {
        "definitions": {},
        "warnings": [],
        "notices": []
      }
    }
    """
    if result.frame is not None:
        # pandas writes a million rows in C; the document is the usual {"rows", "meta"}
        rows = result.frame.to_json(orient="records", double_precision=15, force_ascii=False)
        head = json.dumps(result.meta.to_json(), indent=2, default=str)
        return f'{{"rows": {rows},\n"meta": {head}}}'
    return json.dumps(result.to_json(), indent=2, default=str)


def csv_text(rows: list[dict]) -> str:
    """Rows as CSV: one column per key, in first-seen order (nothing when there are none).

    >>> csv_text([{"channel": "seo", "leads": 3}, {"channel": None, "leads": 1}])
    'channel,leads\\r\\nseo,3\\r\\n,1\\r\\n'
    """
    buf = io.StringIO()
    if rows:
        fields = list(dict.fromkeys(k for r in rows for k in r))
        w = csv.writer(buf)
        w.writerow([neutral(f) for f in fields])
        w.writerows([neutral(r.get(f)) if r.get(f) is not None else "" for f in fields]
                    for r in rows)  # fmt: skip
    return buf.getvalue()


def write_frame_csv(df, stream: IO[bytes]) -> None:
    """A frame as CSV, as pandas writes it (no quotes unless needed, True / False; whole
    floats without '.0') but through Arrow's writer: a million rows in about a second where
    pandas takes four. When a value needs quotes (a comma in a reason) pandas writes the
    file instead."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pa_csv
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    def pd_numeric(col) -> bool:
        return is_numeric_dtype(col.dtype) or is_bool_dtype(col.dtype)

    table = pa.Table.from_pandas(df, preserve_index=False)
    for i, name in enumerate(table.column_names):
        if pa.types.is_boolean(table.schema.field(name).type):
            text = pc.if_else(table.column(name), pa.scalar("True"), pa.scalar("False"))
            table = table.set_column(i, name, text)
        elif pa.types.is_string(table.schema.field(name).type) or pa.types.is_large_string(
            table.schema.field(name).type
        ):
            column = table.column(name)
            risky = pc.fill_null(pc.match_substring_regex(column, _FORMULA_PATTERN), False)
            if pc.any(risky).as_py():
                kind = column.type
                quoted = pc.binary_join_element_wise(
                    pa.scalar("'", kind), column, pa.scalar("", kind)
                )
                table = table.set_column(i, name, pc.if_else(risky, quoted, column))
    headers = [neutral(c) for c in table.column_names]
    buffer = io.BytesIO()
    try:
        options = pa_csv.WriteOptions(include_header=False, quoting_style="none")
        pa_csv.write_csv(table, buffer, options)
        if any("," in h or '"' in h or "\n" in h for h in headers):
            raise pa.ArrowInvalid("a header needs quotes")
        buffer = io.BytesIO((",".join(headers) + "\n").encode("utf-8") + buffer.getvalue())
    except pa.ArrowInvalid:  # a value holds a comma, a quote or a line break
        safe = df.copy()
        safe.columns = headers
        for c in safe.columns:
            if not pd_numeric(safe[c]):
                safe[c] = safe[c].map(neutral)
        buffer = io.BytesIO(safe.to_csv(index=False).encode("utf-8"))
    stream.write(buffer.getbuffer())


def write_csv(result: Result, stream: IO[str]) -> None:
    """The result's rows as CSV on a text stream."""
    if result.frame is not None:
        buffer = io.BytesIO()
        write_frame_csv(result.frame, buffer)
        stream.write(buffer.getvalue().decode("utf-8"))
    else:
        stream.write(csv_text(result.rows))
