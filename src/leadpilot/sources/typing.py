"""Turning mapped text columns into typed canonical columns, row by row problems.

Parsing is decoding, done with vectorised Arrow kernels (``parsers``); every
value that cannot be decoded becomes an issue row (row, column, value,
expected), never a silent null.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..config import Config, SourceSpec
from ..errors import Problem
from ..schema import TABLES, Column
from . import parsers
from .dates import DateColumns
from .mapping import Mapped, fold_name, normalise_name
from .parsers.numbers import attribute_numbers
from .readers import LINE, ROW, note

ISSUE_SCHEMA = pa.schema(
    [
        ("row", pa.int64()),
        ("column", pa.string()),
        ("value", pa.string()),
        ("expected", pa.string()),
        ("severity", pa.string()),
        ("fix", pa.string()),
        ("part", pa.string()),
    ]
)
# A file row can hold several records (a contact's wide stage dates, a deal's contacts):
# PART tells them apart in the quarantine; LABEL is the file's header for a checked column.
PART = "__part"
LABEL = "__label"


def raw_column(name: str) -> str:
    """Staged text of a date column read with a non-ISO layout: errors show the cell."""
    return f"__raw_{name}"


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
    fix: str | None = None,
    part: str | None = None,
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
            pa.array([fix] * n, pa.string()),
            pa.array([part] * n, pa.string()),
        ],
        schema=ISSUE_SCHEMA,
    )


@dataclass
class Typed:
    """Typed canonical rows of one table from one or more files, with their issues."""

    table: str
    data: pa.Table  # ROW, __file, canonical columns, extras
    issues: pa.Table  # ROW, __file, column, value, expected, severity, fix
    problems: list[Problem] = field(default_factory=list)  # file-level: nothing can load
    # wide stage-date columns of a leads file: stage -> (cells, timestamps, failed mask)
    stage_dates: dict[str, tuple] = field(default_factory=dict)
    dates: DateColumns | None = None
    # display labels: ("column", attribute) or ("value:channel", value) -> text as written
    labels: dict[tuple[str, str], str] = field(default_factory=dict)
    # values a mapping's '*' caught: (canonical column, header) -> {value as written: rows}
    defaulted: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)


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
    """Map source values: exact match first, then folded ('EMAIL_MARKETING' finds the key
    'Email Marketing'; case, accents, spaces and punctuation aside)."""
    if not mapping:
        return arr
    keys = [k for k in mapping if k != "*"]
    idx = pc.index_in(arr, value_set=pa.array(keys, pa.string()))
    folded_keys: dict[str, str] = {}
    for k in keys:
        folded_keys.setdefault(fold_name(k), k)
    loose = pc.index_in(
        fold(arr), value_set=pa.array(list(folded_keys), pa.string())
    )
    loose_targets = pa.array([mapping[k] for k in folded_keys.values()], pa.string())
    mapped = pc.coalesce(
        pc.take(pa.array([mapping[k] for k in keys], pa.string()), idx),
        pc.take(loose_targets, loose),
    )
    default = mapping.get("*")
    if default is not None:
        fallback = pc.if_else(pc.is_null(arr), arr, pa.scalar(default, pa.string()))
    else:
        fallback = arr
    return pc.coalesce(mapped, fallback)


_LIGATURES = {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O"}


def fold(arr: pa.Array) -> pa.Array:
    """'Liste achetée' -> 'liste_achetee': accents transliterated, not stripped; lower
    case; runs of anything but letters and digits become one '_'."""
    arr = pc.utf8_normalize(pc.cast(arr, pa.string()), "NFKD")
    arr = pc.replace_substring_regex(arr, r"\p{Mn}+", "")
    for lig, plain in _LIGATURES.items():
        arr = pc.replace_substring(arr, lig, plain)
    arr = pc.utf8_lower(arr)
    arr = pc.replace_substring_regex(arr, r"[^0-9a-z]+", "_")
    return pc.replace_substring_regex(arr, r"^_+|_+$", "")


@on_distinct
def snake(arr: pa.Array) -> pa.Array:
    """'Paid Search' -> 'paid_search', 'Publicité' -> 'publicite' (channel names must join
    across tables)."""
    arr = fold(arr)
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


def _type_column(
    col: Column, arr: pa.Array, spec: SourceSpec, config: Config
) -> tuple[pa.Array, pa.Array | None, str, pa.Array | None]:
    """Return (typed values, failed mask, expectation text, detected currency)."""
    decimal = spec.decimal or config.ingest.decimal
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


def _number_fixes(
    arr: pa.Array, failed: pa.Array, decimal: str, name: str, money: bool
) -> list[tuple[pa.Array, str]]:
    """(cells, fix) for the numbers of column ``name`` that could not be read, each fix
    tried on its cells: the other decimal separator ('1 054,00' read with decimal '.'),
    ``money`` for currency signs and K / M suffixes ('$1.5K'), ``na_values`` for a
    placeholder ('n/a'); the others get what a number looks like and the settings that
    read other ways of writing one."""
    text = parsers._text(arr)
    if text is None:  # typed cells that are no number (a boolean column)
        return [(failed, "correct the cells: a number such as 1234.56")]
    failed = pc.fill_null(failed, False)
    text = pc.utf8_trim_whitespace(pc.filter(text, failed))  # the failed cells only
    other = "," if decimal != "," else "."
    as_money = name == "amount" and not money  # money: reads amounts only

    def reads(dec: str, with_money: bool) -> pa.Array:
        p = parsers.parse_numbers(text, decimal=dec, money=with_money)
        return pc.and_(pc.invert(p.failed), pc.is_valid(p.values))

    def placeholder(cell: str) -> str:
        return (
            f"{cell!r} holds no number: if the export writes it for a missing value, list it "
            f"in na_values on this source in leadpilot.yaml (na_values: ['{cell}']); else "
            "correct the cells"
        )

    def other_decimal(cell: str) -> str:
        return (
            f"these numbers use {other!r} as the decimal separator: set decimal: '{other}' on "
            f"this source (or ingest.decimal: '{other}' for every file) in leadpilot.yaml"
        )

    def written_as_money(also: str) -> Callable[[str], str]:
        return lambda cell: (
            f"written as money ({cell!r}): set money: [amount]{also} on this source in "
            "leadpilot.yaml to read currency signs and codes and K / M suffixes"
        )

    ways = ([] if decimal == "," else ["decimal: ',' for '1 054,00'"]) + (
        ["money: [amount] for '$1.5K' or 'EUR 1,200'"] if as_money else []
    )
    rest = "correct the cells: a number such as 1234.56, without text or unit" + (
        "; leadpilot.yaml reads other ways of writing one: " + ", ".join(ways) if ways else ""
    )
    kinds: list[tuple[pa.Array, Callable[[str], str]]] = [
        (pc.invert(pc.match_substring_regex(text, r"\d")), placeholder),
        (reads(other, money), other_decimal),
    ]
    if as_money:
        kinds.append((reads(decimal, True), written_as_money("")))
        kinds.append((reads(other, True), written_as_money(f" and decimal: '{other}'")))
    kinds.append((pa.array([True] * len(text)), lambda cell: rest))
    out, left = [], pa.array([True] * len(text))
    none = pa.array([False] * len(arr))
    for fits, fix in kinds:  # each failed cell takes the first fix that reads it
        mine = pc.and_(left, pc.fill_null(fits, False))
        if pc.any(mine).as_py():
            example = pc.filter(text, mine)[0].as_py()
            # back on the column's rows: its failed rows, in order, take ``mine``
            out.append((pc.replace_with_mask(none, failed, mine), fix(example)))
            left = pc.and_(left, pc.invert(mine))
    return out


def date_columns(spec: SourceSpec, config: Config, file: str, table: str) -> DateColumns:
    """The date-format decisions of one file, with the formats by precedence: the
    source's own > the workspace's > the preset's default (> detected layouts)."""
    if spec.date_formats:
        user, setting = spec.date_formats, "date_formats of this source"
    elif config.ingest.date_formats:
        user, setting = config.ingest.date_formats, "ingest.date_formats"
    else:
        user, setting = [], "date_formats"
    return DateColumns(
        file=file,
        table=table,
        user_formats=tuple(user),
        preset_formats=tuple(spec.preset_date_formats),
        setting=setting,
    )


def read_zone(spec: SourceSpec, config: Config) -> str:
    """The time zone a source's times without an offset are written in: its own
    ``timezone`` (or its configuration's), else the workspace's."""
    return spec.timezone or config.timezone


def _parse_time(
    kind: str, arr: pa.Array, formats, config: Config, zone: str | None = None
) -> parsers.Parsed:
    if kind == "date":
        # a day is the day written (a spend or traffic day has no time to move)
        return parsers.parse_dates(arr, formats, timezone=config.timezone)
    # the workspace keeps wall-clock times of its own time zone: periods (a month, a day)
    # are then cut where its users see them, on every engine; an export written in
    # another zone (``zone``) is moved to it
    return parsers.parse_timestamps(
        arr, formats, timezone=zone or config.timezone, local=True, store=config.timezone
    )


def _failed_text(arr: pa.Array, failed: pa.Array) -> pa.Array:
    """Distinct trimmed text of the cells that ISO 8601 did not read."""
    text = parsers._text(arr)
    if text is None or not pc.any(failed).as_py():
        return pa.array([], pa.string())
    return pc.unique(pc.utf8_trim_whitespace(pc.filter(text, failed)))


def _reparse(
    kind: str, arr: pa.Array, first: parsers.Parsed, formats, config: Config, zone: str
) -> tuple[pa.Array, pa.Array]:
    """Read the cells ISO 8601 could not with the column's chosen formats."""
    values, failed = first.values, first.failed
    if not formats or not pc.any(failed).as_py():
        return values, failed
    second = _parse_time(kind, pc.filter(arr, failed), formats, config, zone)
    values = pc.replace_with_mask(values, failed, second.values.cast(values.type))
    failed = pc.replace_with_mask(failed, failed, second.failed)
    return values, failed


def type_mapped(
    mapped: Mapped,
    spec: SourceSpec,
    config: Config,
    dates: DateColumns | None = None,
    attribute_decimal: str | None = None,
) -> Typed:
    """Type a mapped chunk; ``dates`` keeps a file's date-format decisions across chunks;
    ``attribute_decimal`` (else the source's) types the lead attributes: 'auto' when no
    value of the file told its separator, so that an attribute read two ways ('1.054')
    stays text as written, as in a scored file, rather than the file's default.

    Lines the reader could not split into fields become problems with their line and
    raw text (and leave the chunk, ``mapped`` included, so later steps never see them).
    """
    malformed = drop_malformed(mapped)
    typed = _type_rows(mapped, spec, config, dates, attribute_decimal)
    if malformed is not None:
        typed.issues = pa.concat_tables([typed.issues, _with_file(malformed, mapped.file)])
    return typed


def drop_malformed(mapped: Mapped) -> pa.Table | None:
    """The issues of the lines a reader could not split (``readers.LINE``); those rows are
    taken out of ``mapped`` in place. None when every line was read."""
    raw = mapped.raw
    if raw is None or LINE not in raw.column_names:
        return None
    line = raw[LINE].combine_chunks()
    bad = pc.is_valid(line)
    if not pc.any(bad).as_py():
        return None
    parts = pc.split_pattern(pc.filter(line, bad), "\x00", max_splits=2)
    expected, fix, text = (pc.list_element(parts, i) for i in range(3))
    rows = pc.filter(mapped.rows, bad)
    n = len(rows)
    issues = pa.table(
        [
            rows,
            pa.nulls(n, pa.string()),
            text,
            expected,
            pa.array(["error"] * n, pa.string()),
            fix,
            pa.nulls(n, pa.string()),
        ],
        schema=ISSUE_SCHEMA,
    )
    keep = pc.invert(bad)
    mapped.rows = pc.filter(mapped.rows, keep)
    mapped.columns = {k: pc.filter(v, keep) for k, v in mapped.columns.items()}
    mapped.extras = {k: pc.filter(v, keep) for k, v in mapped.extras.items()}
    mapped.stage_dates = {k: pc.filter(v, keep) for k, v in mapped.stage_dates.items()}
    mapped.raw = raw.filter(keep).drop_columns([LINE])
    return issues


_EXCEL_EPOCH_S = -2_209_161_600  # 1899-12-30, day 0 of Excel's serial dates
_SERIAL = r"^\s*\d{1,7}(\.\d+)?\s*$"


def _time_cells(arr: pa.Array, file: str, header: str, dates: DateColumns) -> pa.Array:
    """A date column as the parsers take it: numbers become text (as written) and, in a
    workbook, numbers are Excel's serial day numbers (a date cell that lost its format)."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    t = arr.type
    numeric = pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)
    if not (numeric or pa.types.is_boolean(t) or pa.types.is_string(t)):
        return arr
    text = pc.cast(arr, pa.string())
    if not file.lower().endswith(".xlsx") or pa.types.is_boolean(t):
        return text if numeric or pa.types.is_boolean(t) else arr
    serial = pc.fill_null(pc.match_substring_regex(text, _SERIAL), False)
    if not pc.any(serial).as_py():
        return text
    days = pc.cast(pc.if_else(serial, text, "0"), pa.float64())
    ok = pc.and_(serial, pc.and_(pc.greater_equal(days, 1.0), pc.less(days, 2_958_466.0)))
    seconds = pc.round(pc.multiply(pc.if_else(ok, days, 0.0), 86_400.0))
    stamps = pc.cast(pc.add(pc.cast(seconds, pa.int64()), _EXCEL_EPOCH_S), pa.timestamp("s"))
    whole = pc.all(pc.equal(pc.filter(pc.floor(days), ok), pc.filter(days, ok))).as_py()
    iso = pc.strftime(stamps, "%Y-%m-%d" if whole is not False else "%Y-%m-%dT%H:%M:%S")
    n = pc.sum(ok).as_py() or 0
    if n and header not in dates.read_notes:
        dates.read_notes[header] = note(
            "excel_serial_dates",
            f"{file}: column {header!r}: {n:,} date(s) written as Excel serial day numbers "
            "(e.g. 45658 = 2025-01-01) read as dates; format the column as dates in the "
            "workbook to say so",
        )
    return pc.if_else(ok, iso, text)


def _first_failed(arr: pa.Array, failed: pa.Array) -> str | None:
    """The first cell (as text) that could not be read, to fit a fix to it."""
    if not pc.any(failed).as_py():
        return None
    return pc.cast(pc.filter(arr, failed)[0], pa.string()).as_py()


def _type_rows(
    mapped: Mapped,
    spec: SourceSpec,
    config: Config,
    dates: DateColumns | None = None,
    attribute_decimal: str | None = None,
) -> Typed:
    table = TABLES[mapped.table]
    n = mapped.num_rows
    rows = mapped.rows
    issue_parts: list[pa.Table] = []
    out: dict[str, pa.Array] = {ROW: rows}
    currency_detected: pa.Array | None = None
    if dates is None:
        dates = date_columns(spec, config, mapped.file, mapped.table)
    zone = read_zone(spec, config)

    # Dates first: ISO 8601 is read at once; the other cells of every date column of the
    # file decide each column's layout together (see dates.py), then are read with it.
    first: dict[str, tuple[pa.Array, parsers.Parsed]] = {}
    pending: dict[str, tuple[pa.Array, pa.Array]] = {}
    for col in table.columns:
        if col.kind in ("timestamp", "date") and col.name in mapped.columns:
            header = mapped.origin.get(col.name, col.name)
            arr = _time_cells(_na(mapped.columns[col.name], spec), mapped.file, header, dates)
            first[col.name] = (arr, _parse_time(col.kind, arr, (), config, zone))
            pending[header] = (_failed_text(arr, first[col.name][1].failed), arr)
    for stage, arr in mapped.stage_dates.items():
        arr = _time_cells(_na(arr, spec), mapped.file, spec.stage_dates[stage], dates)
        first[f"stage:{stage}"] = (arr, _parse_time("timestamp", arr, (), config, zone))
        failed_text = _failed_text(arr, first[f"stage:{stage}"][1].failed)
        pending[spec.stage_dates[stage]] = (failed_text, arr)
    problems = dates.resolve(pending, rows)
    parsed_stage_dates: dict[str, tuple[pa.Array, pa.Array, pa.Array]] = {}
    for stage in mapped.stage_dates:
        header = spec.stage_dates[stage]
        arr, p = first[f"stage:{stage}"]
        values, failed = _reparse("timestamp", arr, p, dates.formats_for(header), config, zone)
        parsed_stage_dates[stage] = (arr, values, failed)

    for col in table.columns:
        arr = mapped.columns.get(col.name)
        if arr is None:
            out[col.name] = pa.nulls(n, _arrow_type(col))
            continue
        label = mapped.origin.get(col.name, col.name)
        fix = None
        if col.name in first:
            arr, p = first[col.name]
            blank = parsers.is_blank(arr)
            formats = dates.formats_for(label)
            values, failed = _reparse(col.kind, arr, p, formats, config, zone)
            expected, currency = dates.expected(label, col.kind), None
            fix = dates.fix(_first_failed(arr, failed))
            rival = dates.rival_of(label)
            if rival is not None:  # a column mixing two orders: what fits both is unknown
                other = _parse_time(col.kind, arr, rival.formats, config, zone).values
                both = pc.and_(pc.is_valid(values), pc.is_valid(other))
                unsure = pc.and_(both, pc.fill_null(pc.not_equal(values, other), False))
                issue_parts.append(issues_where(
                    unsure, rows, label, arr, dates.mixed_expected(label), fix=dates.MIXED_FIX
                ))  # fmt: skip
            if formats and pc.any(p.failed).as_py() and parsers._text(arr) is not None:
                out[raw_column(col.name)] = parsers._text(arr)
        elif col.kind in ("string", "enum") and _low_cardinality(arr := _na(arr, spec)):
            # Type each distinct text once (a few channels over millions of rows).
            enc = pc.dictionary_encode(arr, null_encoding="encode")
            blank = pc.take(parsers.is_blank(enc.dictionary), enc.indices)
            values, failed, expected, currency = _type_column(col, enc.dictionary, spec, config)
            values = pc.take(values, enc.indices)
            failed = None if failed is None else pc.take(failed, enc.indices)
        else:
            blank = parsers.is_blank(arr)
            values, failed, expected, currency = _type_column(col, arr, spec, config)
        if col.kind == "number" and failed is not None and pc.any(failed).as_py():
            # each cell with the setting that reads it ('1 054,00', '$1.5K', 'n/a')
            decimal = spec.decimal or config.ingest.decimal
            money = col.name in spec.money
            for cells, fix in _number_fixes(arr, failed, decimal, col.name, money):
                issue_parts.append(issues_where(cells, rows, label, arr, expected, fix=fix))
        elif failed is not None:
            issue_parts.append(issues_where(failed, rows, label, arr, expected, fix=fix))
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
        decimal = attribute_decimal or spec.decimal or config.ingest.decimal
        out[name] = _type_extra(_na(arr, spec), decimal, name)

    if mapped.table == "leads":
        out["email_norm"] = parsers.normalise_email(out["email"])

    data = pa.table(out)
    data = data.append_column("__file", file_column(mapped.file, n))
    issues = _with_file(
        pa.concat_tables(issue_parts) if issue_parts else empty_issues(), mapped.file
    )
    labels = {("column", name): header for name, header in mapped.extra_headers.items()
              if header != name}  # fmt: skip
    # leads and spend name the channels a reader sees (touchpoints repeat them, by millions)
    for name in CHANNEL_COLUMNS if mapped.table in ("leads", "spend", "traffic") else ():
        if name in mapped.columns:
            labels.update(_value_labels(name, mapped.columns[name]))
    defaulted = {}
    for name, mapping in spec.values.items():
        if "*" in mapping and name in mapped.columns:
            caught = _caught_by_default(mapped.columns[name], mapping)
            if caught:
                defaulted[(name, mapped.origin.get(name, name))] = caught
    return Typed(
        mapped.table, data, issues, problems, parsed_stage_dates, dates, labels, defaulted
    )


def _caught_by_default(arr: pa.Array, mapping: dict[str, str]) -> dict[str, int]:
    """The present values no key of ``mapping`` names (exactly or folded), with counts."""
    text = pc.utf8_trim_whitespace(pc.cast(arr, pa.string()))
    counts = pc.value_counts(pc.filter(text, pc.fill_null(pc.not_equal(text, ""), False)))
    keys = {k for k in mapping if k != "*"}
    folded = {fold_name(k) for k in keys}
    out = {}
    for item in counts.to_pylist():
        value = item["values"]
        if value not in keys and fold_name(value) not in folded:
            out[value] = item["counts"]
    return out


_OUTCOME_WORDS = re.compile(
    r"won|win|lost|lose|closed|gagn|perd|ferm|gewonn|verlor|ganad|perdid|vint|chius", re.I
)


def default_notes(
    table: str, defaulted: dict[tuple[str, str], dict[str, int]], spec: SourceSpec
) -> tuple[list[str], list[str]]:
    """(warnings, notes) on values that a mapping's '*' turned into its default.

    A caught value that reads like an outcome ('Fermée gagnée', 'Closed Won - Renewal') is
    a warning: a won deal read as open loses its revenue without an error.
    """
    warnings, notes = [], []
    for (name, header), caught in defaulted.items():
        target = spec.values[name]["*"]
        listed = ", ".join(f"{v!r} ({n:,})" for v, n in sorted(caught.items(), key=lambda x: -x[1]))
        suspicious = [v for v in caught if _OUTCOME_WORDS.search(fold_name(v))]
        line = (
            f"{table}: {header!r} values not listed in values.{name} became {target!r} "
            f"through '*': {listed}"
        )
        if suspicious:
            warnings.append(
                line + f"; {', '.join(map(repr, suspicious))} read(s) like an outcome: map it "
                f"in leadpilot.yaml (values: {{{name}: {{'{suspicious[0]}': won}}}}) if it is one"
            )
        else:
            notes.append(line)
    return warnings, notes


def _value_labels(name: str, written: pa.Array) -> dict[tuple[str, str], str]:
    """Stored value -> the text the file wrote, wherever folding changed it ('liste_achetee'
    -> 'Liste achetée', 'site_web' -> 'Site web': a report showed the first as written and
    the second folded). A value a mapping renames is stored under the mapping's name,
    which needs no label."""
    out: dict[tuple[str, str], str] = {}
    texts = pc.unique(pc.cast(written, pa.string())).to_pylist()
    if len(texts) > 10_000:  # identifiers rather than channel names: nothing to show
        return out
    for text in texts:
        text = (text or "").strip()
        key = fold_name(text)
        if text and key and text != key:
            out.setdefault((f"value:{name}", key), text)
    return out


def _na(arr: pa.Array, spec: SourceSpec) -> pa.Array:
    if spec.na_values and pa.types.is_string(arr.type):
        return parsers.apply_na_values(arr, spec.na_values)
    return arr


def file_column(file: str, n: int) -> pa.DictionaryArray:
    """The source file of every row, dictionary-encoded: one string, not millions."""
    return pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(n, dtype=np.int32)), pa.array([file], pa.string())
    )


def _with_file(issues: pa.Table, file: str) -> pa.Table:
    return issues.append_column("file", pa.array([file] * issues.num_rows, pa.string()))


def _type_extra(arr: pa.Array, decimal: str, name: str | None = None) -> pa.Array:
    """Extra lead attributes stay text as written unless every present value is a number
    (not a code: see ``parsers.numbers.attribute_numbers``)."""
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
    numbers = attribute_numbers(clean, decimal, name)
    return clean if numbers is None else numbers


def stage_events_from_dates(mapped: Mapped, typed_leads: Typed, spec: SourceSpec) -> Typed | None:
    """Wide lifecycle date columns (HubSpot 'Became a ... Date') become stage events.

    Each cell is its own record: ``__part`` (the stage) sets it apart from the other
    events of the same file row, so a bad cell is set aside alone.
    """
    if not typed_leads.stage_dates:
        return None
    dates = typed_leads.dates
    parts, issue_parts = [], []
    for stage, (arr, values, failed) in typed_leads.stage_dates.items():
        source = spec.stage_dates[stage]
        issue_parts.append(
            issues_where(
                failed,
                mapped.rows,
                source,
                arr,
                dates.expected(source, "timestamp") if dates else "an ISO 8601 date",
                fix=dates.fix() if dates else None,
                part=stage,
            )
        )
        present = pc.invert(pc.is_null(values))
        n = pc.sum(present).as_py() or 0
        parts.append(
            pa.table(
                {
                    ROW: pc.filter(mapped.rows, present),
                    "lead_id": pc.filter(typed_leads.data["lead_id"], present),
                    "stage": pa.array([stage] * n, pa.string()),
                    "ts": pc.filter(values, present),
                    "reason": pa.nulls(n, pa.string()),
                    "owner": pa.nulls(n, pa.string()),
                    PART: pa.array([stage] * n, pa.string()),
                    LABEL: pa.array([source] * n, pa.string()),
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


_CONTACT_SEPARATORS = r"\s*[;,]\s*"


def several_contacts(typed: Typed, spec: SourceSpec) -> tuple[Typed, str | None]:
    """Deals whose lead_id lists several contacts ('101;102', as HubSpot exports them).

    ``spec.multi_contact``: first (default) credits the first contact listed; split makes
    one deal per contact (deal_id 'D1#101') with the amount spread evenly; all does the
    same with the whole amount for each. Never rejected: a B2B deal often has several
    contacts. Returns the typed rows and a line for the summary.
    """
    data = typed.data
    ids = data["lead_id"].combine_chunks()
    several = pc.fill_null(pc.match_substring_regex(ids, r"[;,]"), False)
    n = pc.sum(several).as_py() or 0
    if n == 0:
        return typed, None
    lists = pc.split_pattern_regex(pc.utf8_trim(ids, " ;,"), _CONTACT_SEPARATORS)
    mode = spec.multi_contact
    label = spec.columns.get("lead_id", "lead_id")
    note = (
        f"deals: {n:,} deal(s) list several contacts in {label!r}: "
        + {
            "first": "each credited to its first contact (multi_contact: first; 'split' "
            "spreads the amount over the contacts, 'all' credits each with the whole amount)",
            "split": "one deal per contact, the amount spread evenly (multi_contact: split)",
            "all": "one deal per contact, each with the whole amount (multi_contact: all; "
            "totals by lead count those deals several times)",
        }[mode]
    )
    if mode == "first":
        first = pc.list_element(lists, 0)
        return _replace(typed, data.set_column(data.column_names.index("lead_id"), "lead_id",
                                               first)), note  # fmt: skip
    parents = pc.list_parent_indices(lists)
    contacts = pc.list_flatten(lists)
    counts = pc.list_value_length(lists)
    out = data.take(parents)
    out = out.set_column(out.column_names.index("lead_id"), "lead_id", contacts)
    multi = pc.take(several, parents)
    deal_ids = pc.if_else(
        multi,
        pc.binary_join_element_wise(out["deal_id"], contacts, "#"),
        out["deal_id"],
    )
    out = out.set_column(out.column_names.index("deal_id"), "deal_id", deal_ids)
    if mode == "split":
        share = pc.divide(pa.scalar(1.0), pc.cast(pc.take(counts, parents), pa.float64()))
        out = out.set_column(
            out.column_names.index("amount"), "amount", pc.multiply(out["amount"], share)
        )
    part = pc.if_else(multi, contacts, pa.scalar(None, pa.string()))
    out = out.append_column(PART, part)
    return _replace(typed, out), note


def _replace(typed: Typed, data: pa.Table) -> Typed:
    return Typed(
        typed.table, data, typed.issues, typed.problems, typed.stage_dates, typed.dates,
        typed.labels, typed.defaulted,
    )  # fmt: skip
