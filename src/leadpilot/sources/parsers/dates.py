"""Timestamps and dates as exports write them: ISO 8601, user formats, offsets, zones."""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from ._arrow import (
    _TO_END,
    ArrayLike,
    Parsed,
    _any,
    _bytes,
    _failed,
    _map_parsed,
    _no_failures,
    _null_like,
    _on_distinct,
    _present,
    _scatter,
    _subset,
    _text,
)

_US_PER_S = 1_000_000
_US_PER_MIN = 60 * _US_PER_S

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
    return pc.if_else(pc.is_valid(offset), _wall_in(utc, timezone), wall)


def _wall_in(utc: pa.Array, timezone: str) -> pa.Array:
    """Int64 µs UTC -> int64 µs wall-clock time in ``timezone``."""
    if timezone == "UTC":
        return utc
    return pc.local_timestamp(utc.view(pa.timestamp("us", timezone))).view(pa.int64())


def parse_timestamps(
    values: ArrayLike,
    formats: Sequence[str] = (),
    timezone: str = "UTC",
    local: bool = False,
    store: str | None = None,
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
    offset are moved to it), which is how a workspace stores its timestamps; ``store``
    names another zone for that wall-clock time (an export written in Paris time, a
    workspace kept in UTC): times are then moved to it, while a day without a time
    (midnight, no offset: '2025-07-01') stays that day rather than becoming the evening
    before.
    """
    _check_formats(formats)
    _check_timezone(timezone)
    if store is not None:
        _check_timezone(store)
    moved = local and store is not None and store != timezone

    def one(arr: pa.Array) -> Parsed:
        wall, offset, failed = _wall_of(arr, formats)
        utc = _to_utc(wall, offset, timezone)
        if moved:
            ts = pc.cast(wall, pa.timestamp("us"))
            day = pc.and_(pc.is_null(offset), pc.equal(pc.floor_temporal(ts, unit="day"), ts))
            utc = pc.if_else(pc.fill_null(day, False), wall, _wall_in(utc, store))
        elif local:
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
