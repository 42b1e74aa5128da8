"""Turning mapped text columns into typed canonical columns, row by row problems.

Parsing is decoding, done with vectorised Arrow kernels (``parsers``); every
value that cannot be decoded becomes an issue row (row, column, value,
expected), never a silent null.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..config import Config, SourceSpec
from ..schema import TABLES, Column
from . import parsers
from .mapping import Mapped, normalise_name
from .readers import ROW

ISSUE_SCHEMA = pa.schema(
    [
        ("row", pa.int64()),
        ("column", pa.string()),
        ("value", pa.string()),
        ("expected", pa.string()),
        ("severity", pa.string()),
    ]
)
CHANNEL_COLUMNS = ("channel",)


def empty_issues() -> pa.Table:
    return ISSUE_SCHEMA.empty_table()


def issues_where(
    mask: pa.Array,
    rows: pa.Array,
    column: str,
    values: pa.Array,
    expected: str,
    severity: str = "error",
) -> pa.Table:
    mask = pc.fill_null(mask, False)
    r = pc.filter(rows, mask)
    n = len(r)
    if n == 0:
        return empty_issues()
    v = (
        pc.cast(pc.filter(values, mask), pa.string())
        if values is not None
        else pa.nulls(n, pa.string())
    )
    return pa.table(
        [
            r,
            pa.array([column] * n, pa.string()),
            v,
            pa.array([expected] * n, pa.string()),
            pa.array([severity] * n, pa.string()),
        ],
        schema=ISSUE_SCHEMA,
    )


@dataclass
class Typed:
    """Typed canonical rows of one table from one or more files, with their issues."""

    table: str
    data: pa.Table  # ROW, __file, canonical columns, extras
    issues: pa.Table  # ROW, __file, column, value, expected, severity


def on_distinct(fn):
    """Apply a string transform to the distinct values only, then expand.

    Export columns (channel, type, campaign) repeat a few values millions of
    times; transforming the dictionary is what keeps ingest linear and fast.
    """

    def wrapper(arr: pa.Array, *args, **kwargs) -> pa.Array:
        arr = pc.cast(arr, pa.string()) if not pa.types.is_dictionary(arr.type) else arr
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        if len(arr) < 10_000:
            return fn(arr, *args, **kwargs)
        if not pa.types.is_dictionary(arr.type) and not _repeats(arr):
            # Identifiers are all distinct: hashing them would cost more than it saves.
            return fn(arr, *args, **kwargs)
        enc = arr if pa.types.is_dictionary(arr.type) else pc.dictionary_encode(arr)
        if len(enc.dictionary) > len(arr) // 4:
            return fn(pc.cast(arr, pa.string()), *args, **kwargs)
        out = fn(enc.dictionary, *args, **kwargs)
        return pc.take(out, enc.indices)

    return wrapper


def _low_cardinality(arr: pa.Array) -> bool:
    return (
        len(arr) >= 10_000
        and (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type))
        and _repeats(arr)
    )


def _repeats(arr: pa.Array) -> bool:
    """A strided sample of about 16k values tells whether values repeat a lot."""
    n = len(arr)
    sample = arr.take(pa.array(range(0, n, max(1, n // 16384)), pa.int64()))
    return pc.count_distinct(sample).as_py() * 4 <= len(sample)


@on_distinct
def _clean_strings(arr: pa.Array) -> pa.Array:
    arr = pc.cast(arr, pa.string())
    # Copy only when something needs cleaning: most exports are clean, and columns are long.
    if pc.any(pc.match_substring_regex(arr, r"^\s|\s$")).as_py():
        arr = pc.utf8_trim_whitespace(arr)
    blank = pc.equal(arr, "")
    if pc.any(blank).as_py():
        arr = pc.if_else(blank, pa.scalar(None, pa.string()), arr)
    return arr


@on_distinct
def _map_values(arr: pa.Array, mapping: dict[str, str]) -> pa.Array:
    if not mapping:
        return arr
    keys = [k for k in mapping if k != "*"]
    idx = pc.index_in(arr, value_set=pa.array(keys, pa.string()))
    mapped = pc.take(pa.array([mapping[k] for k in keys], pa.string()), idx)
    default = mapping.get("*")
    if default is not None:
        fallback = pc.if_else(pc.is_null(arr), arr, pa.scalar(default, pa.string()))
    else:
        fallback = arr
    return pc.coalesce(mapped, fallback)


@on_distinct
def snake(arr: pa.Array) -> pa.Array:
    """'Paid Search' -> 'paid_search' (channel names must join across tables)."""
    arr = pc.utf8_lower(arr)
    arr = pc.replace_substring_regex(arr, r"[^0-9a-z]+", "_")
    arr = pc.replace_substring_regex(arr, r"^_+|_+$", "")
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


def _type_column(
    col: Column, arr: pa.Array, spec: SourceSpec, config: Config
) -> tuple[pa.Array, pa.Array | None, str, pa.Array | None]:
    """Return (typed values, failed mask, expectation text, detected currency)."""
    formats = spec.date_formats if spec.date_formats is not None else config.ingest.date_formats
    decimal = spec.decimal or config.ingest.decimal
    fmt_text = "an ISO 8601 date" + (f" or one of {formats}" if formats else "")
    if col.kind == "timestamp":
        p = parsers.parse_timestamps(arr, formats, timezone=config.timezone)
        return p.values, p.failed, f"{fmt_text} (date or date-time)", None
    if col.kind == "date":
        p = parsers.parse_dates(arr, formats, timezone=config.timezone)
        return p.values, p.failed, fmt_text, None
    if col.kind == "number":
        money = col.name in spec.money
        p = parsers.parse_numbers(arr, decimal=decimal, money=money)
        what = "an amount such as 1234.56" if money else "a number"
        if decimal == ",":
            what += " (decimal comma)"
        return p.values, p.failed, what, p.currency
    strings = _map_values(_clean_strings(arr), spec.values.get(col.name, {}))
    if col.kind == "enum":
        p = parsers.normalise_enum(strings, col.allowed or (), None)
        return p.values, p.failed, "one of " + ", ".join(col.allowed or ()), None
    if col.name in CHANNEL_COLUMNS:
        strings = snake(strings)
    return strings, None, "", None


def type_mapped(mapped: Mapped, spec: SourceSpec, config: Config) -> Typed:
    table = TABLES[mapped.table]
    n = mapped.num_rows
    rows = mapped.rows
    issue_parts: list[pa.Table] = []
    out: dict[str, pa.Array] = {ROW: rows}
    currency_detected: pa.Array | None = None

    for col in table.columns:
        arr = mapped.columns.get(col.name)
        if arr is None:
            out[col.name] = pa.nulls(n, _arrow_type(col))
            continue
        if spec.na_values and pa.types.is_string(arr.type):
            arr = parsers.apply_na_values(arr, spec.na_values)
        if col.kind in ("string", "enum") and _low_cardinality(arr):
            # Type each distinct text once (a few channels over millions of rows).
            enc = pc.dictionary_encode(arr, null_encoding="encode")
            blank = pc.take(parsers.is_blank(enc.dictionary), enc.indices)
            values, failed, expected, currency = _type_column(col, enc.dictionary, spec, config)
            values = pc.take(values, enc.indices)
            failed = None if failed is None else pc.take(failed, enc.indices)
        else:
            blank = parsers.is_blank(arr)
            values, failed, expected, currency = _type_column(col, arr, spec, config)
        label = mapped.origin.get(col.name, col.name)
        if failed is not None:
            issue_parts.append(issues_where(failed, rows, label, arr, expected))
        if col.required:
            issue_parts.append(
                issues_where(blank, rows, label, arr, f"a value ({col.name} is required)")
            )
        if currency is not None and currency_detected is None:
            currency_detected = currency
        out[col.name] = pc.cast(values, _arrow_type(col))

    if currency_detected is not None and "currency" in out:
        out["currency"] = pc.coalesce(out["currency"], currency_detected)

    for name, arr in mapped.extras.items():
        if spec.na_values and pa.types.is_string(arr.type):
            arr = parsers.apply_na_values(arr, spec.na_values)
        out[name] = _type_extra(arr, config)

    if mapped.table == "leads":
        out["email_norm"] = parsers.normalise_email(out["email"])

    data = pa.table(out)
    data = data.append_column("__file", file_column(mapped.file, n))
    issues = _with_file(
        pa.concat_tables(issue_parts) if issue_parts else empty_issues(), mapped.file
    )
    return Typed(mapped.table, data, issues)


def file_column(file: str, n: int) -> pa.DictionaryArray:
    """The source file of every row, dictionary-encoded: one string, not millions."""
    return pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(n, dtype=np.int32)), pa.array([file], pa.string())
    )


def _with_file(issues: pa.Table, file: str) -> pa.Table:
    return issues.append_column("file", pa.array([file] * issues.num_rows, pa.string()))


def _type_extra(arr: pa.Array, config: Config) -> pa.Array:
    """Extra lead attributes stay text unless every present value is a number."""
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type):
            return pc.cast(arr, pa.float64())
        if (
            pa.types.is_timestamp(arr.type)
            or pa.types.is_date(arr.type)
            or pa.types.is_boolean(arr.type)
        ):
            return arr
        return pc.cast(arr, pa.string())
    clean = _clean_strings(arr)
    if pc.all(pc.is_null(clean)).as_py():
        return clean
    p = parsers.parse_numbers(clean, decimal=config.ingest.decimal, money=False)
    if not pc.any(p.failed).as_py():
        return p.values
    return clean


def stage_events_from_dates(
    mapped: Mapped, typed_leads: pa.Table, spec: SourceSpec, config: Config
) -> Typed | None:
    """Wide lifecycle date columns (HubSpot 'Became a ... Date') become stage events."""
    if not mapped.stage_dates:
        return None
    formats = spec.date_formats if spec.date_formats is not None else config.ingest.date_formats
    parts, issue_parts = [], []
    for stage, arr in mapped.stage_dates.items():
        if spec.na_values and pa.types.is_string(arr.type):
            arr = parsers.apply_na_values(arr, spec.na_values)
        p = parsers.parse_timestamps(arr, formats, timezone=config.timezone)
        source = spec.stage_dates[stage]
        issue_parts.append(
            issues_where(
                p.failed,
                mapped.rows,
                source,
                arr,
                "an ISO 8601 date" + (f" or one of {formats}" if formats else ""),
            )
        )
        present = pc.invert(pc.is_null(p.values))
        n = pc.sum(present).as_py() or 0
        parts.append(
            pa.table(
                {
                    ROW: pc.filter(mapped.rows, present),
                    "lead_id": pc.filter(typed_leads["lead_id"], present),
                    "stage": pa.array([stage] * n, pa.string()),
                    "ts": pc.filter(p.values, present),
                    "reason": pa.nulls(n, pa.string()),
                    "owner": pa.nulls(n, pa.string()),
                    "__file": file_column(mapped.file, n),
                }
            )
        )
    data = pa.concat_tables(parts)
    issues = _with_file(pa.concat_tables(issue_parts), mapped.file)
    return Typed("stage_events", data, issues)


def _arrow_type(col: Column) -> pa.DataType:
    return {
        "timestamp": pa.timestamp("us"),
        "date": pa.date32(),
        "number": pa.float64(),
    }.get(col.kind, pa.string())


def derived_key_column(table: str, data: pa.Table) -> tuple[pa.Array, bool]:
    """The single key column stored in the database; True when built from other columns."""
    t = TABLES[table]
    if len(t.key) == 1 and t.key[0] == t.key_column:
        col = data[t.key_column].combine_chunks()
        if table == "touchpoints" and col.null_count:
            # Exports without touch ids: the event itself is the identity.
            derived = _join_key(data, ("lead_id", "ts", "type", "channel", "campaign", "content"))
            return pc.coalesce(col, derived), True
        return col, False
    return _join_key(data, t.key), True


def _join_key(data: pa.Table, cols: tuple[str, ...]) -> pa.Array:
    parts = [pc.cast(data[c].combine_chunks(), pa.string()) for c in cols]
    return pc.binary_join_element_wise(*parts, "|", null_handling="replace", null_replacement="")


normalise_header = normalise_name
