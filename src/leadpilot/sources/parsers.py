"""Vectorised value parsers for source ingest, built on ``pyarrow.compute``.

CRM and marketing exports write dates, amounts and picklists in many local
styles. Each parser turns a whole text column into a typed Arrow array plus a
``failed`` mask (value present but unreadable), so ingest can report the bad
cells instead of guessing. Everything runs as column-wide Arrow kernels, never
as a Python loop over values, because one import can hold 20 million rows.

Shared conventions:

* input is a ``pa.Array`` or ``pa.ChunkedArray`` of strings; a chunked input
  gives chunked outputs with the same chunk layout (chunks are processed one at
  a time, which also bounds memory and never overflows 32-bit string offsets);
* already-typed input (Excel cells: numbers, dates, timestamps) is converted,
  not re-parsed, and never fails;
* null or blank (after trimming) input gives a null value and ``failed`` False.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "Parsed",
    "apply_na_values",
    "is_blank",
    "normalise_email",
    "normalise_enum",
    "parse_dates",
    "parse_numbers",
    "parse_timestamps",
]

ArrayLike: TypeAlias = pa.Array | pa.ChunkedArray

_US_PER_S = 1_000_000
# Parsers work on 32-bit-offset strings (cheaper, and not every kernel mixes
# string and large_string): bigger text arrays are processed in slices.
_MAX_BATCH_BYTES = 1 << 30
_US_PER_MIN = 60 * _US_PER_S


@dataclass(frozen=True)
class Parsed:
    """Result of a parser: typed values, the failure mask and, for money, currencies.

    ``failed[i]`` is True when input ``i`` was present but could not be parsed;
    its value is then null. ``currency`` holds ISO 4217 codes (only from
    ``parse_numbers(..., money=True)``), null where none was written.
    """

    values: ArrayLike
    failed: ArrayLike
    currency: ArrayLike | None = None


# ---------------------------------------------------------------------------
# shared helpers


def _as_arrow(values: object) -> ArrayLike:
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values
    return pa.array(values)  # convenience for lists in notebooks and tests


def _batched(arr: pa.Array, fn: Callable[[pa.Array], Parsed]) -> Parsed:
    """``fn(arr)``, run on slices when ``arr`` holds more text than 32-bit offsets address."""
    if arr.nbytes <= _MAX_BATCH_BYTES or len(arr) < 2:
        return fn(arr)
    parts = [_batched(arr.slice(0, len(arr) // 2), fn), _batched(arr.slice(len(arr) // 2), fn)]
    return Parsed(
        pa.concat_arrays([p.values for p in parts]),
        pa.concat_arrays([p.failed for p in parts]),
        None if parts[0].currency is None else pa.concat_arrays([p.currency for p in parts]),
    )


def _map_parsed(values: object, fn: Callable[[pa.Array], Parsed]) -> Parsed:
    """Apply ``fn`` to an array, or chunk by chunk to a chunked array."""
    values = _as_arrow(values)
    if isinstance(values, pa.Array):
        return _batched(values, fn)
    if values.num_chunks == 0:
        # run on an empty array only to learn the output types
        empty = fn(pa.array([], type=values.type))
        return Parsed(
            pa.chunked_array([], empty.values.type),
            pa.chunked_array([], pa.bool_()),
            None if empty.currency is None else pa.chunked_array([], pa.string()),
        )
    parts = [_batched(chunk, fn) for chunk in values.chunks]
    currency = None
    if parts[0].currency is not None:
        currency = pa.chunked_array([p.currency for p in parts], pa.string())
    return Parsed(
        pa.chunked_array([p.values for p in parts], parts[0].values.type),
        pa.chunked_array([p.failed for p in parts], pa.bool_()),
        currency,
    )


def _map_array(values: object, fn: Callable[[pa.Array], pa.Array]) -> ArrayLike:
    values = _as_arrow(values)
    if isinstance(values, pa.Array):
        return fn(values)
    if values.num_chunks == 0:
        return pa.chunked_array([], fn(pa.array([], type=values.type)).type)
    parts = [fn(chunk) for chunk in values.chunks]
    return pa.chunked_array(parts, parts[0].type)


def _text(arr: pa.Array) -> pa.Array | None:
    """``arr`` as an Arrow string array, or None when it is typed (not text)."""
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    t = arr.type
    if pa.types.is_null(t):
        return pa.nulls(len(arr), pa.string())
    if pa.types.is_string(t):
        return arr
    if pa.types.is_large_string(t) or pa.types.is_string_view(t):
        # some kernels take no views or mixed offset widths; callers bound the size
        small = pa.types.is_string_view(t) or arr.nbytes < _MAX_BATCH_BYTES
        return arr.cast(pa.string() if small else pa.large_string())
    return None


def _present(trimmed: pa.Array) -> pa.Array:
    """True where the trimmed text is neither null nor empty (never null itself)."""
    return pc.fill_null(pc.not_equal(trimmed, ""), False)


def _failed(present: pa.Array, values: pa.Array) -> pa.Array:
    return pc.and_(present, pc.is_null(values))


def _no_failures(n: int) -> pa.Array:
    return pc.fill_null(pa.nulls(n, pa.bool_()), False)


def _null_like(arr: pa.Array) -> pa.Scalar:
    return pa.scalar(None, arr.type)


def _subset(values: pa.Array, mask: pa.Array) -> pa.Array:
    """``values`` where ``mask`` is True; no copy when it selects every row."""
    return values if _all(mask) else pc.filter(values, mask)


def _scatter(base: pa.Array, mask: pa.Array, sub: pa.Array) -> pa.Array:
    """Write ``sub`` (one value per True in ``mask``, in order) into ``base``."""
    sub = sub.cast(base.type)
    return sub if len(sub) == len(base) else pc.replace_with_mask(base, mask, sub)


def _any(mask: pa.Array) -> bool:
    return bool(pc.any(mask).as_py())


def _all(mask: pa.Array) -> bool:
    return mask.null_count == 0 and bool(pc.all(mask).as_py())


def _on_distinct(values: pa.Array, fn: Callable[[pa.Array], tuple]) -> tuple:
    """``fn(values)``, computed on the distinct values when they repeat a lot.

    Export columns are often low-cardinality (a few thousand dates or amounts
    over millions of rows), so parsing each distinct string once and spreading
    the results back is much cheaper. A strided sample decides, because hashing
    an all-distinct column costs more than it saves.
    """
    n = len(values)
    if n >= 4096:
        sample = values.take(pa.array(range(0, n, max(1, n // 16384)), pa.int64()))
        if pc.count_distinct(sample).as_py() * 2 <= len(sample):
            encoded = pc.dictionary_encode(values)
            outs = fn(encoded.dictionary)
            return tuple(None if o is None else pc.take(o, encoded.indices) for o in outs)
    return fn(values)


# ---------------------------------------------------------------------------
# timestamps and dates

# ISO 8601 as exports write it: date, optional time (seconds and fraction
# optional, 'T' or space), optional offset; ' UTC' suffixes are common too.
_OFFSET = r"[Zz]|UTC|GMT|[+-]\d{2}(?::?\d{2})?"
_ISO_RE = (
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[Tt ](?P<hm>\d{2}:\d{2})(?::(?P<sec>\d{2})(?:[.,](?P<frac>\d{1,9}))?)?)?"
    rf"\s?(?P<tz>{_OFFSET})?$"
)
# a trailing offset, for user formats that end with %z
_TRAILING_OFFSET_RE = r"^(?P<rest>.*?)\s?(?P<tz>[Zz]|UTC|GMT|[+-]\d{2}:?\d{2})$"
_NAMES_RE = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)[a-z]*"


def _check_timezone(timezone: str) -> None:
    try:
        pc.assume_timezone(pa.array([0], pa.timestamp("us")), timezone)
    except (pa.ArrowInvalid, pa.ArrowKeyError) as exc:
        raise ValueError(f"unknown timezone {timezone!r} (expected an IANA name)") from exc


def _check_formats(formats: Sequence[str]) -> None:
    if isinstance(formats, str):
        raise TypeError("formats must be a sequence of strftime formats, not one string")
    for fmt in formats:
        body = fmt[:-2] if fmt.endswith("%z") else fmt
        if "%z" in body or "%f" in body or "%Z" in body:
            raise ValueError(
                f"unsupported format {fmt!r}: %z is only allowed at the end, %f and %Z not at all"
            )


def _offset_us(tz: pa.Array) -> pa.Array:
    """Offset text ('Z', '+02:00', '-0530', '+02', '') to int64 microseconds east of UTC.

    Empty means 'no offset written' and gives null; out-of-range offsets give
    null too, and callers treat those rows as failed via ``bad``.
    """
    upper = pc.utf8_upper(tz)
    is_utc = pc.is_in(upper, value_set=pa.array(["Z", "UTC", "GMT"]))
    digits = pc.replace_substring(tz, ":", "")
    sign = pc.if_else(pc.equal(pc.utf8_slice_codeunits(digits, 0, 1), "-"), -1, 1)
    hh_txt = pc.utf8_slice_codeunits(digits, 1, 3)
    mm_txt = pc.utf8_slice_codeunits(digits, 3, 5)
    numeric = pc.match_substring_regex(hh_txt, r"^\d{2}$")
    hh = pc.cast(pc.if_else(numeric, hh_txt, "0"), pa.int64())
    mm = pc.cast(pc.if_else(pc.match_substring_regex(mm_txt, r"^\d{2}$"), mm_txt, "0"), pa.int64())
    in_range = pc.and_(pc.less(hh, 24), pc.less(mm, 60))
    minutes = pc.multiply(sign, pc.add(pc.multiply(hh, 60), mm))
    offset = pc.multiply(minutes, _US_PER_MIN)
    offset = pc.if_else(pc.and_(numeric, in_range), offset, _null_like(offset))
    return pc.if_else(is_utc, pa.scalar(0, pa.int64()), offset)


def _parse_iso(s: pa.Array) -> tuple[pa.Array, pa.Array]:
    """ISO 8601 text to (wall-clock int64 µs, offset int64 µs or null); null wall = no match."""
    # capturing regexes are slow in Arrow: run the capture only where the cheap match hits
    hit = pc.fill_null(pc.match_substring_regex(s, _ISO_RE), False)
    wall = pa.nulls(len(s), pa.int64())
    offset = pa.nulls(len(s), pa.int64())
    if not _any(hit):
        return wall, offset
    m = pc.extract_regex(_subset(s, hit), _ISO_RE)
    date = pc.struct_field(m, "date")
    hm = pc.struct_field(m, "hm")
    sec = pc.struct_field(m, "sec")
    frac = pc.struct_field(m, "frac")
    tz = pc.struct_field(m, "tz")
    hm = pc.if_else(pc.equal(hm, ""), "00:00", hm)
    sec = pc.if_else(pc.equal(sec, ""), "00", sec)
    canon = pc.binary_join_element_wise(pc.binary_join_element_wise(date, hm, " "), sec, ":")
    base = pc.strptime(canon, "%Y-%m-%d %H:%M:%S", unit="s", error_is_null=True)
    # strptime rolls impossible dates over (2021-02-30 -> 03-02, :60 -> next minute)
    # instead of rejecting them: require the day and second to read back unchanged.
    day = pc.cast(pc.utf8_slice_codeunits(date, 8, 10), pa.int64())
    same = pc.and_(pc.equal(pc.day(base), day), pc.equal(pc.second(base), pc.cast(sec, pa.int64())))
    sub_wall = pc.multiply(pc.cast(base, pa.int64()), _US_PER_S)
    sub_wall = pc.if_else(same, sub_wall, _null_like(sub_wall))
    if _any(pc.fill_null(pc.not_equal(frac, ""), False)):
        # fractions beyond microseconds are truncated, as the output unit is µs
        micros = pc.utf8_slice_codeunits(pc.utf8_rpad(frac, 6, "0"), 0, 6)
        sub_wall = pc.add(sub_wall, pc.cast(micros, pa.int64()))
    has_tz = pc.fill_null(pc.not_equal(tz, ""), False)
    if _any(has_tz):
        sub_offset = _offset_us(tz)
        # an offset that is written but impossible (+25:00) fails the whole value
        sub_wall = pc.if_else(
            pc.and_(has_tz, pc.is_null(sub_offset)), _null_like(sub_wall), sub_wall
        )
        offset = _scatter(offset, hit, sub_offset)
    return _scatter(wall, hit, sub_wall), offset


def _canon_datetime_text(text: pa.Array) -> pa.Array:
    """Text form used to compare an input with its re-formatted parse."""
    text = pc.utf8_lower(text)
    text = pc.replace_substring_regex(text, _NAMES_RE, r"\1")  # 'April' == 'Apr'
    text = pc.replace_substring_regex(text, r"(^|\D)0+(\d)", r"\1\2")  # '5' == '05'
    return pc.replace_substring_regex(text, r"\s+", "")  # strptime skips any whitespace


def _reads_back(parsed: pa.Array, text: pa.Array, fmt: str) -> pa.Array:
    """True where formatting ``parsed`` with ``fmt`` gives ``text`` back (up to padding/case)."""
    again = pc.strftime(parsed, fmt)
    same = pc.fill_null(pc.equal(again, text), False)
    loose = pc.invert(same)
    if _any(loose):
        # only values written differently ('5' for '05', 'APR') need the slow comparison
        canon = pc.equal(
            _canon_datetime_text(_subset(again, loose)),
            _canon_datetime_text(_subset(text, loose)),
        )
        same = _scatter(same, loose, canon)
    return same


def _parse_format(s: pa.Array, fmt: str) -> tuple[pa.Array, pa.Array]:
    """One strftime format to (wall int64 µs, offset int64 µs or null); null wall = no match."""
    needs_offset = fmt.endswith("%z")
    if needs_offset:
        # handle the offset ourselves so that the wall-clock date stays available
        m = pc.extract_regex(s, _TRAILING_OFFSET_RE)
        text = pc.struct_field(m, "rest")
        offset = _offset_us(pc.struct_field(m, "tz"))
        fmt = fmt[:-2].rstrip()
    else:
        text = s
        offset = pa.nulls(len(s), pa.int64())
    parsed = pc.strptime(text, fmt, unit="s", error_is_null=True)
    # strptime reads '21' with %Y as year 21: almost surely a %y value
    ok = pc.fill_null(pc.greater_equal(pc.year(parsed), 1000), False)
    if needs_offset:
        ok = pc.and_(ok, pc.is_valid(offset))  # missing or impossible offset
    # strptime also rolls impossible dates over (31 Apr -> 1 May, 30 Feb -> 2 Mar)
    # instead of failing. Such a date lands on 1-3 March or on the 1st after a
    # 30-day month, so only those rows pay for the (slow) check: format the
    # result again and compare.
    day, month = pc.day(parsed), pc.month(parsed)
    suspect = pc.or_(
        pc.and_(pc.equal(month, 3), pc.less_equal(day, 3)),
        pc.and_(pc.equal(day, 1), pc.is_in(month, value_set=pa.array([5, 7, 10, 12], pa.int64()))),
    )
    suspect = pc.and_(ok, pc.fill_null(suspect, False))
    if _any(suspect):
        back = _reads_back(_subset(parsed, suspect), _subset(text, suspect), fmt)
        ok = _scatter(ok, suspect, back)
    wall = pc.multiply(pc.cast(parsed, pa.int64()), _US_PER_S)
    return pc.if_else(ok, wall, _null_like(wall)), offset


# ISO 8601 that Arrow's own cast reads and cannot reject: naive, 'Z' or a
# +hh:mm / +hhmm offset, with valid month/day pairs and clock values.
# 29 February and anything unusual (',' fractions, ' UTC', '+hh') take the
# slower general path instead.
_FAST_ISO_RE = (
    r"^\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|02-(?:0[1-9]|1\d|2[0-8]))"
    r"(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?"
    r"(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?)?$"
)
_SIGNS = pa.array([b"+", b"-"], pa.binary())
# explicit end for binary_slice: with stop=None pyarrow passes sys.maxsize, and
# Arrow's output-size estimate (rows * (stop - start)) overflows for some lengths
_TO_END = 2**31 - 1


def _bytes(s: pa.Array) -> pa.Array:
    """Zero-copy binary view of a string array.

    Byte slicing is much cheaper than code-point slicing; callers only rely on
    it for ASCII text (or compare the bytes with ASCII).
    """
    return s.view(pa.large_binary() if pa.types.is_large_string(s.type) else pa.binary())


def _is_sign(b: pa.Array, start: int, stop: int) -> pa.Array:
    return pc.fill_null(pc.is_in(pc.binary_slice(b, start, stop), value_set=_SIGNS), False)


def _offset_tail_us(last6: pa.Array) -> tuple[pa.Array]:
    """Last 6 bytes of strings ending in +hh:mm or +hhmm to the offset in µs."""
    text = pc.if_else(_is_sign(last6, 0, 1), last6, pc.binary_slice(last6, 1, _TO_END))
    digits = lambda start, stop: pc.cast(  # noqa: E731
        pc.cast(pc.binary_slice(text, start, stop), pa.string()), pa.int64()
    )
    minutes = pc.add(pc.multiply(digits(1, 3), 60), digits(-2, _TO_END))
    negative = pc.equal(pc.binary_slice(text, 0, 1), pa.scalar(b"-", pa.binary()))
    return (pc.multiply(pc.if_else(negative, pc.negate(minutes), minutes), _US_PER_MIN),)


def _parse_fast_iso(s: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """(mask of rows handled, wall µs, offset µs) using Arrow's own ISO cast."""
    fast = pc.fill_null(pc.match_substring_regex(s, _FAST_ISO_RE), False)
    wall = pa.nulls(len(s), pa.int64())
    offset = pa.nulls(len(s), pa.int64())
    if not _any(fast):
        return fast, wall, offset
    # in a matched string, '+' or a third '-' can only start an offset
    signed = pc.or_(pc.match_substring(s, "+"), pc.greater(pc.count_substring(s, "-"), 2))
    has_offset = pc.and_(fast, pc.fill_null(signed, False))
    zulu = pc.and_(fast, pc.fill_null(pc.ends_with(s, "Z"), False))
    aware = pc.or_(zulu, has_offset)
    naive = pc.and_(fast, pc.invert(aware))
    sub = _subset(s, aware)
    try:
        wall = pc.cast(pc.if_else(naive, s, _null_like(s)), pa.timestamp("us")).view(pa.int64())
        utc = pc.cast(sub, pa.timestamp("us", "UTC")).view(pa.int64())
    except pa.ArrowInvalid:
        # the pattern should make this unreachable; if Arrow disagrees, stay correct
        return pc.fill_null(pa.nulls(len(s), pa.bool_()), False), offset, offset
    if len(sub):
        sub_offset = pc.fill_null(pa.nulls(len(sub), pa.int64()), 0)
        sub_has = _subset(has_offset, aware)
        if _any(sub_has):
            # offsets repeat a lot: decode each distinct tail once
            tails = pc.binary_slice(_bytes(_subset(sub, sub_has)), -6, _TO_END)
            (found,) = _on_distinct(tails, _offset_tail_us)
            sub_offset = _scatter(sub_offset, sub_has, found)
        wall = _scatter(wall, aware, pc.add(utc, sub_offset))
        offset = _scatter(offset, aware, sub_offset)
    return fast, wall, offset


def _parse_slow(s: pa.Array, formats: Sequence[str]) -> tuple[pa.Array, pa.Array]:
    """General ISO 8601, then each format in order, on trimmed non-blank text."""
    wall, offset = _parse_iso(s)
    for fmt in formats:
        pending = pc.is_null(wall)
        if not _any(pending):
            break
        # only the rows still unparsed try the next format
        sub_wall, sub_offset = _parse_format(_subset(s, pending), fmt)
        wall = _scatter(wall, pending, sub_wall)
        offset = _scatter(offset, pending, sub_offset)
    return wall, offset


def _parse_wall(text: pa.Array, formats: Sequence[str]) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Text to (wall int64 µs, offset int64 µs or null, present mask)."""
    s = pc.utf8_trim_whitespace(text)
    present = _present(s)
    fast, wall, offset = _parse_fast_iso(s)
    rest = pc.and_(present, pc.invert(fast))
    if _any(rest):
        sub_wall, sub_offset = _on_distinct(_subset(s, rest), lambda u: _parse_slow(u, formats))
        wall = _scatter(wall, rest, sub_wall)
        offset = _scatter(offset, rest, sub_offset)
    return wall, offset, present


def _typed_wall(arr: pa.Array) -> tuple[pa.Array, pa.Array] | None:
    """Typed date/timestamp array to (wall int64 µs, offset int64 µs or null)."""
    t = arr.type
    if pa.types.is_date(t):
        ts = pc.cast(arr, pa.timestamp("us"))
        return pc.cast(ts, pa.int64()), pa.nulls(len(arr), pa.int64())
    if not pa.types.is_timestamp(t):
        return None
    ts = pc.cast(arr, pa.timestamp("us", t.tz), safe=False)  # ns -> µs truncates
    utc = ts.view(pa.int64())
    if t.tz is None:
        return utc, pa.nulls(len(arr), pa.int64())
    wall = pc.local_timestamp(ts).view(pa.int64())
    return wall, pc.subtract(wall, utc)


def _wall_of(arr: pa.Array, formats: Sequence[str]) -> tuple[pa.Array, pa.Array, pa.Array]:
    """(wall µs, offset µs or null, failed) for text or typed input."""
    text = _text(arr)
    if text is not None:
        wall, offset, present = _parse_wall(text, formats)
        return wall, offset, _failed(present, wall)
    typed = _typed_wall(arr)
    if typed is None:
        raise TypeError(f"expected strings, dates or timestamps, got {arr.type}")
    return typed[0], typed[1], _no_failures(len(arr))


def _to_utc(wall: pa.Array, offset: pa.Array, timezone: str) -> pa.Array:
    """Int64 µs UTC: subtract written offsets, read the others as wall time in ``timezone``."""
    if timezone == "UTC":
        local = wall
    else:
        # ambiguous wall times (DST end) take the first occurrence, like Python's
        # fold=0; times skipped by DST start move to the end of the gap (pandas'
        # 'shift_forward'), since failing them would drop real CRM events.
        aware = pc.assume_timezone(
            pc.cast(wall, pa.timestamp("us")), timezone, ambiguous="earliest", nonexistent="latest"
        )
        local = aware.view(pa.int64())
    if offset.null_count == len(offset):
        return local
    return pc.if_else(pc.is_valid(offset), pc.subtract(wall, offset), local)


def _to_local(wall: pa.Array, offset: pa.Array, utc: pa.Array, timezone: str) -> pa.Array:
    """Int64 µs wall-clock time in ``timezone``: values written with an offset are moved to
    it, the others are already its wall time."""
    if offset.null_count == len(offset) or timezone == "UTC":
        return wall if timezone != "UTC" else utc
    moved = pc.local_timestamp(utc.view(pa.timestamp("us", timezone))).view(pa.int64())
    return pc.if_else(pc.is_valid(offset), moved, wall)


def parse_timestamps(
    values: ArrayLike, formats: Sequence[str] = (), timezone: str = "UTC", local: bool = False
) -> Parsed:
    """Parse text to naive ``timestamp('us')`` values in UTC.

    ISO 8601 is always accepted ('2021-04-15', '2021-04-15 10:30',
    '2021-04-15T10:30:00.123+02:00', ...); then each strftime format of
    ``formats`` is tried in order (first success wins, e.g. Zoho's
    '%d %b, %Y %H:%M:%S'). A format may end with %z. Values without an offset
    are wall times in ``timezone`` (IANA name). Impossible dates fail. Typed
    timestamps/dates pass through: aware ones are converted to UTC, naive ones
    are read in ``timezone`` like text. With ``local=True`` the result is the
    wall-clock time in ``timezone`` instead of UTC (values written with another
    offset are moved to it), which is how a workspace stores its timestamps.
    """
    _check_formats(formats)
    _check_timezone(timezone)

    def one(arr: pa.Array) -> Parsed:
        wall, offset, failed = _wall_of(arr, formats)
        utc = _to_utc(wall, offset, timezone)
        if local:
            utc = _to_local(wall, offset, utc, timezone)
        return Parsed(pc.cast(utc, pa.timestamp("us")), failed)

    return _map_parsed(values, one)


def parse_dates(
    values: ArrayLike, formats: Sequence[str] = (), timezone: str | None = None
) -> Parsed:
    """Parse text to ``date32`` values; a timestamp is truncated to its date.

    Accepts the same text as :func:`parse_timestamps`. With ``timezone=None``
    the date is the one written (offsets ignored: '2021-04-15T23:30-05:00' is
    2021-04-15). With a ``timezone``, values are first turned into instants
    (wall times without offset are read in ``timezone``) and the date is taken
    in ``timezone``.
    """
    _check_formats(formats)
    if timezone is not None:
        _check_timezone(timezone)

    def one(arr: pa.Array) -> Parsed:
        if pa.types.is_date32(arr.type):
            return Parsed(arr, _no_failures(len(arr)))
        wall, offset, failed = _wall_of(arr, formats)
        if timezone is not None:
            utc = _to_utc(wall, offset, timezone)
            ts = pc.local_timestamp(utc.view(pa.timestamp("us", timezone)))
        else:
            ts = pc.cast(wall, pa.timestamp("us"))
        return Parsed(pc.cast(ts, pa.date32()), failed)

    return _map_parsed(values, one)


# ---------------------------------------------------------------------------
# numbers and money

# Active ISO 4217 codes (plus CNH, widely used for offshore yuan).
_ISO_CODES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
    BWP BYN BZD CAD CDF CHF CLP CNH CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR
    FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD
    JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT
    MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG
    QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS
    TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER
    ZAR ZMW ZWG ZWL
    """.split()
)
# Symbols (keys upper-cased, matched case-insensitively); '$' and '¥' are read
# as USD and JPY, the usual meaning in exports.
_CURRENCY_SYMBOLS = {
    "US$": "USD",
    "CA$": "CAD",
    "AU$": "AUD",
    "NZ$": "NZD",
    "HK$": "HKD",
    "MX$": "MXN",
    "C$": "CAD",
    "A$": "AUD",
    "S$": "SGD",
    "R$": "BRL",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "￥": "JPY",
    "₹": "INR",
    "₩": "KRW",
    "₽": "RUB",
    "₺": "TRY",
    "₪": "ILS",
    "₫": "VND",
    "₱": "PHP",
    "₦": "NGN",
    "฿": "THB",
    "ZŁ": "PLN",
}


# Spaces that exports put between thousands groups and around symbols (plain,
# NBSP, narrow NBSP, thin, figure space): listed so that literal replaces can
# remove them, which is far cheaper in Arrow than a regex replace.
_SPACES = " \u00a0\u202f\u2009\u2007"
_SP = "[" + _SPACES + "]"
_W = _SP + "*"
_SIGN = r"[+\-\x{2212}]"  # hyphen escaped: "+-−" inside [] would be a character range
_MINUS_RE = r"^[^0-9.]*[\-\x{2212}]"  # a minus before the first digit (not an exponent's)
# The currency slot is loose ('XY$', any 3 capitals): the token is then looked up
# in a table, far cheaper than a regex alternation over ~180 codes.
_CURRENCY_TOKEN = r"(?:[A-Za-z]{0,3}\$|[A-Z]{3}|[€£¥￥₹₩₽₺₪₫₱₦฿]|[zZ][łŁ])"
_CURRENCY_KEYS = pa.array(list(_CURRENCY_SYMBOLS) + sorted(_ISO_CODES), pa.string())
_CURRENCY_CODES = pa.array(list(_CURRENCY_SYMBOLS.values()) + sorted(_ISO_CODES), pa.string())
_NUMBER_START = pa.array(list("0123456789.+-\u2212("))
_NUMBER_END = pa.array([c.encode() for c in "0123456789."], pa.binary())
_MULT_KEYS = pa.array(list("kmb"))
_MULT_EXPONENTS = pa.array(["e3", "e6", "e9"])
# every character that may surround the digits of a valid money value
_AFFIX_CHARS = "".join(
    sorted(
        set("+-\u2212()$")
        | set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        | set("".join(_CURRENCY_SYMBOLS).lower() + "".join(_CURRENCY_SYMBOLS))
    )
)


def _number_re(decimal: str, money: bool) -> str:
    """Whole-value pattern, checked with Arrow's fast (DFA) matcher.

    One number, thousands grouped by exactly 3 with one kind of separator, at
    most one sign, or parentheses instead of a sign; with ``money``, a currency
    token before and/or after and a K/M/B multiplier (never with an exponent).
    """
    if decimal == ".":
        grouped = rf"\d{{1,3}}(?:,\d{{3}})+|\d{{1,3}}(?:{_SP}\d{{3}})+|\d{{1,3}}(?:['’]\d{{3}})+"
        frac, bare = r"\.\d*", r"\.\d+"
    else:
        grouped = rf"\d{{1,3}}(?:\.\d{{3}})+|\d{{1,3}}(?:{_SP}\d{{3}})+"
        frac, bare = r",\d*", r",\d+"
    num = rf"(?:(?:{grouped}|\d+)(?:{frac})?|{bare})"
    exp = r"[eE][+-]?\d+"
    if not money:
        num = rf"{num}(?:{exp})?"
        return rf"^(?:(?:{_SIGN}{_W})?{num}|\({_W}{num}{_W}\))$"
    num = rf"{num}(?:{exp}|{_W}[kKmMbB])?"
    cur = rf"(?:{_CURRENCY_TOKEN}{_W})?"
    post = rf"(?:{_W}{_CURRENCY_TOKEN})?"
    signed = rf"{_SIGN}{_W}{cur}{num}{post}|{cur}(?:{_SIGN}{_W})?{num}{post}"
    # the parentheses may enclose the currency or not, on either side
    opened = rf"\({_W}{cur}|{cur}\({_W}"
    closed = rf"{_W}\){post}|{post}{_W}\)"
    return rf"^(?:{signed}|(?:{opened}){num}(?:{closed}))$"


def _lookup_currency(token: pa.Array) -> pa.Array:
    """Token as written ('$', 'US$', 'EUR', upper-cased) to its ISO code; null if unknown."""
    return pc.take(_CURRENCY_CODES, pc.index_in(token, value_set=_CURRENCY_KEYS))


def _longest_currency(text: pa.Array, at_end: bool) -> tuple[pa.Array, pa.Array]:
    """(ISO code or null, token length) of the longest known token at one end of ``text``."""
    upper = pc.utf8_upper(text)
    code = pa.nulls(len(text), pa.string())
    length = pc.fill_null(pa.nulls(len(text), pa.int64()), 0)
    for width in (1, 2, 3):  # tokens are 1-3 characters; longer matches overwrite
        if at_end:
            piece = pc.utf8_slice_codeunits(upper, -width)
        else:
            piece = pc.utf8_slice_codeunits(upper, 0, width)
        hit = _lookup_currency(piece)
        found = pc.is_valid(hit)
        code = pc.if_else(found, hit, code)
        length = pc.if_else(found, width, length)
    return code, length


def _head_info(head: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """First 5 characters to (currency code or null, unknown-token flag, minus flag).

    That covers a sign, a currency token of up to 3 characters and the
    character after it ('-US$5', 'US$-5').
    """
    stripped = pc.utf8_ltrim(head, "+-\u2212")
    code, length = _longest_currency(stripped, at_end=False)
    # the number must start right after the token (or at once when there is none):
    # this rejects unknown tokens ('XY$5') and known codes glued to more ('USD$5')
    after = pc.choose(
        pc.cast(length, pa.int8()),
        *(pc.utf8_slice_codeunits(stripped, i, i + 1) for i in range(4)),
    )
    unknown = pc.invert(pc.fill_null(pc.is_in(after, value_set=_NUMBER_START), False))
    return code, unknown, pc.match_substring_regex(head, _MINUS_RE)


def _tail_info(tail: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Last characters to (currency code or null, K/M/B as a decimal exponent or '', bad flag).

    After the digits may come a multiplier and then a currency token, so the
    characters that are neither digits nor the token must be exactly one K/M/B.
    """
    code, length = _longest_currency(tail, at_end=True)
    affix_len = pc.subtract(pc.utf8_length(tail), pc.utf8_length(pc.utf8_rtrim(tail, _AFFIX_CHARS)))
    mult_len = pc.subtract(affix_len, length)
    mult = pc.choose(
        pc.cast(length, pa.int8()),
        pc.utf8_slice_codeunits(tail, -1),
        pc.utf8_slice_codeunits(tail, -2, -1),
        pc.utf8_slice_codeunits(tail, -3, -2),
        pc.utf8_slice_codeunits(tail, -4, -3),
    )
    pos = pc.index_in(pc.utf8_lower(mult), value_set=_MULT_KEYS)
    has_mult = pc.equal(mult_len, 1)
    bad = pc.or_(pc.greater(mult_len, 1), pc.and_(has_mult, pc.is_null(pos)))
    # a decimal exponent keeps '141.56K' exactly 141560.0 (x * 1000 can be 1 ulp off)
    exponent = pc.if_else(has_mult, pc.take(_MULT_EXPONENTS, pos), "")
    return code, exponent, bad


def _parse_complex_numbers(
    s: pa.Array, decimal: str, money: bool
) -> tuple[pa.Array, pa.Array | None]:
    """Full grammar on trimmed, present text: (float64 or null, ISO currency or None).

    A whole-value regex match (Arrow's fast DFA path) validates; the pieces are
    then taken apart with literal replaces, trims and fixed-width slices, since
    Arrow's capturing regex kernels cost several times more per row.
    """
    valid = pc.fill_null(pc.match_substring_regex(s, _number_re(decimal, money)), False)
    # the grammar is checked, so separators and spaces can go wherever they are
    c = pc.replace_substring(s, "," if decimal == "." else ".", "")
    rare = "'’" + _SPACES if decimal == "." else _SPACES
    if _any(pc.fill_null(pc.match_substring_regex(c, f"[{rare}]"), False)):
        for sep in rare:
            c = pc.replace_substring(c, sep, "")
    if decimal == ",":
        c = pc.replace_substring(c, ",", ".")
    paren = pc.fill_null(pc.match_substring(c, "("), False)
    if _any(paren):
        # balanced by the grammar; dropped so only currency and multiplier surround digits
        c = pc.replace_substring(pc.replace_substring(c, "(", ""), ")", "")
    num = pc.utf8_trim(c, characters=_AFFIX_CHARS)  # an exponent sits between digits: kept
    if not money:
        minus = pc.or_(pc.starts_with(c, "-"), pc.starts_with(c, "\u2212"))
        value = _to_float(pc.if_else(valid, num, _null_like(num)))
        return pc.if_else(pc.or_(paren, pc.fill_null(minus, False)), pc.negate(value), value), None
    # heads ('$-1', 'EUR1') and tails ('€', 'KUSD') repeat far more than whole
    # values, so they are analysed once per distinct string
    pre, unknown, minus = _on_distinct(pc.utf8_slice_codeunits(c, 0, 5), _head_info)
    negative = pc.or_(paren, pc.fill_null(minus, False))
    # most values end in a digit: only the others can carry a multiplier or currency
    last = pc.binary_slice(_bytes(c), -1, _TO_END)
    tailed = pc.invert(pc.fill_null(pc.is_in(last, value_set=_NUMBER_END), True))
    post = pa.nulls(len(c), pa.string())
    bad = pc.fill_null(unknown, True)
    if _any(tailed):
        # drop leading digits first so that the 5-character tail repeats
        tails = pc.utf8_ltrim(_subset(c, tailed), "0123456789.")
        sub_post, exponent, sub_bad = _on_distinct(pc.utf8_slice_codeunits(tails, -5), _tail_info)
        sub_bad = pc.fill_null(sub_bad, True)
        scaled = pc.fill_null(pc.not_equal(exponent, ""), False)
        if _any(scaled):
            sub_num = _subset(num, tailed)
            # '9E2bC$' can pass the grammar as exponent + 'b' + 'C$': never stack the two
            stacked = pc.and_(scaled, pc.match_substring(sub_num, "e", ignore_case=True))
            sub_bad = pc.or_(sub_bad, stacked)
            num = _scatter(num, tailed, pc.binary_join_element_wise(sub_num, exponent, ""))
        post = _scatter(post, tailed, sub_post)
        bad = pc.or_(bad, _scatter(_no_failures(len(c)), tailed, sub_bad))
    # '$5 USD' is fine, '€5 USD' contradicts itself
    bad = pc.or_(bad, pc.fill_null(pc.not_equal(pre, post), False))
    valid = pc.and_(valid, pc.invert(bad))
    currency = pc.coalesce(pre, post)
    value = _to_float(pc.if_else(valid, num, _null_like(num)))
    return pc.if_else(negative, pc.negate(value), value), currency


def _to_float(text: pa.Array) -> pa.Array:
    """Cast float literals; anything else (never expected here) becomes null, not an error."""
    try:
        return pc.cast(text, pa.float64())
    except pa.ArrowInvalid:
        # the grammar should only let literals through: if one slips, fail that value alone
        ok = pc.match_substring_regex(text, r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
        return pc.cast(pc.if_else(ok, text, _null_like(text)), pa.float64())


def _plain_number_re(decimal: str) -> str:
    # the common case that a bare float cast reads correctly
    return r"^[+-]?\d+(?:\.\d+)?$" if decimal == "." else r"^[+-]?\d+$"


def parse_numbers(values: ArrayLike, decimal: str = ".", money: bool = False) -> Parsed:
    """Parse text to ``float64``.

    Accepts surrounding whitespace, a leading sign, negatives in parentheses,
    scientific notation and thousands separators grouped by 3 (',', space,
    NBSP, narrow NBSP or apostrophe with ``decimal='.'``; '.' or spaces with
    ``decimal=','``); so '1,234' is 1234 with ``decimal='.'``. With
    ``money=True``, a currency symbol or ISO code before or after the number
    and a K/M/B multiplier are accepted, and ``currency`` holds the ISO code
    ('$' is USD, '¥' JPY). Anything else (currency without ``money``, '1.2.3',
    non-finite results) fails. Typed numbers are cast to float64.
    """
    if decimal not in (".", ","):
        raise ValueError(f"decimal must be '.' or ',', got {decimal!r}")

    def one(arr: pa.Array) -> Parsed:
        text = _text(arr)
        if text is None:
            t = arr.type
            if not (
                pa.types.is_integer(t)
                or pa.types.is_floating(t)
                or pa.types.is_decimal(t)
                or pa.types.is_boolean(t)
            ):
                raise TypeError(f"expected strings or numbers, got {t}")
            out = pc.cast(arr, pa.float64(), safe=False)  # decimal128 may round
            currency = pa.nulls(len(arr), pa.string()) if money else None
            return Parsed(out, _no_failures(len(arr)), currency)
        s = pc.utf8_trim_whitespace(text)
        present = _present(s)
        plain = pc.fill_null(pc.match_substring_regex(s, _plain_number_re(decimal)), False)
        out = pc.cast(pc.if_else(plain, s, _null_like(s)), pa.float64())
        currency = pa.nulls(len(arr), pa.string()) if money else None
        rest = pc.and_(present, pc.invert(plain))
        if _any(rest):
            # only the rows that are not plain numbers pay for the full grammar
            sub_values, sub_currency = _on_distinct(
                _subset(s, rest), lambda u: _parse_complex_numbers(u, decimal, money)
            )
            out = _scatter(out, rest, sub_values)
            if currency is not None and sub_currency is not None:
                currency = _scatter(currency, rest, sub_currency)
        # '1e999' and 400-digit integers overflow to inf: not a usable amount
        out = pc.if_else(pc.is_finite(out), out, _null_like(out))
        failed = _failed(present, out)
        if currency is not None:
            currency = pc.if_else(failed, _null_like(currency), currency)
        return Parsed(out, failed, currency)

    return _map_parsed(values, one)


# ---------------------------------------------------------------------------
# enums, e-mails, blanks


def _canon_enum(values: pa.Array) -> pa.Array:
    # runs of spaces, '-' and '_' become one '_': 'Closed - Won' == 'closed_won'
    return pc.replace_substring_regex(pc.utf8_lower(values), r"[\s_-]+", "_")


def normalise_enum(
    values: ArrayLike, allowed: Sequence[str], mapping: Mapping[str, str | None] | None = None
) -> Parsed:
    """Normalise picklist text to one of ``allowed``.

    Values are trimmed; ``mapping`` then maps exact (trimmed) source values,
    with key '*' as the default for every other present value (a ``None``
    target means null, not failed). The result is lower-cased, runs of spaces,
    '-' and '_' become one '_', and it must equal an ``allowed`` value
    compared the same way; the output is that ``allowed`` value as written.
    Works on the distinct values only (dictionary encoding), so it is cheap on
    long columns.
    """
    allowed_arr = pa.array(list(allowed), pa.string())
    allowed_canon = _canon_enum(allowed_arr)
    if len(set(allowed_canon.to_pylist())) != len(allowed_arr):
        raise ValueError(f"allowed values collide once normalised: {list(allowed)}")
    keys: list[str] = []
    targets: list[str | None] = []
    default: str | None = None
    has_default = False
    for key, target in (mapping or {}).items():
        if key == "*":
            has_default, default = True, target
        else:
            keys.append(key)
            targets.append(target)

    def one(arr: pa.Array) -> Parsed:
        text = _text(arr)
        if text is None:
            text = pc.cast(arr, pa.string())
        s = pc.utf8_trim_whitespace(text)
        s = pc.if_else(pc.equal(s, ""), _null_like(s), s)
        encoded = pc.dictionary_encode(s)
        distinct = encoded.dictionary.cast(pa.string())
        if keys or has_default:
            pos = pc.index_in(distinct, value_set=pa.array(keys, pa.string()))
            mapped = pc.take(pa.array(targets, pa.string()), pos)
            fallback = pa.scalar(default, pa.string()) if has_default else distinct
            distinct = pc.if_else(pc.is_valid(pos), mapped, fallback)
        pos = pc.index_in(_canon_enum(distinct), value_set=allowed_canon)
        out = pc.take(allowed_arr, pos)
        bad = pc.and_(pc.is_valid(distinct), pc.is_null(pos))
        return Parsed(
            pc.take(out, encoded.indices),
            pc.fill_null(pc.take(bad, encoded.indices), False),
        )

    return _map_parsed(values, one)


def normalise_email(values: ArrayLike) -> ArrayLike:
    """Trim and lower-case e-mail addresses; blank becomes null."""

    def one(arr: pa.Array) -> pa.Array:
        text = _text(arr)
        if text is None:
            raise TypeError(f"expected strings, got {arr.type}")
        s = pc.utf8_lower(pc.utf8_trim_whitespace(text))
        return pc.if_else(pc.equal(s, ""), _null_like(s), s)

    return _map_array(values, one)


def is_blank(values: ArrayLike) -> ArrayLike:
    """True where the value is null or, for text, empty after trimming."""

    def one(arr: pa.Array) -> pa.Array:
        text = _text(arr)
        if text is None:
            return pc.is_null(arr)
        return pc.invert(_present(pc.utf8_trim_whitespace(text)))

    return _map_array(values, one)


def apply_na_values(values: ArrayLike, na_values: Sequence[str]) -> ArrayLike:
    """Null out placeholder strings ('N/A', 'Select', ...) compared after trimming.

    Matching is exact (case-sensitive); other values are returned unchanged.
    Typed (non-text) input is returned as is.
    """
    if isinstance(na_values, str):
        raise TypeError("na_values must be a sequence of strings, not one string")
    placeholders = pa.array(sorted({v.strip() for v in na_values}), pa.string())

    def one(arr: pa.Array) -> pa.Array:
        text = _text(arr)
        if text is None:
            return arr
        if len(placeholders) == 0:
            return text
        hit = pc.is_in(pc.utf8_trim_whitespace(text), value_set=placeholders.cast(text.type))
        return pc.if_else(hit, _null_like(text), text)

    return _map_array(values, one)
