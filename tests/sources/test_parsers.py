"""Tests for the vectorised value parsers of ``leadpilot.sources.parsers``.

Run this file as a script for a throughput check on 5 million strings.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from leadpilot.sources.parsers import (
    Parsed,
    apply_na_values,
    is_blank,
    normalise_email,
    normalise_enum,
    parse_dates,
    parse_numbers,
    parse_timestamps,
)

D = dt.datetime
ZOHO = "%d %b, %Y %H:%M:%S"
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def one_ts(text: str, **kwargs) -> tuple[object, bool]:
    r = parse_timestamps(pa.array([text]), **kwargs)
    return r.values[0].as_py(), r.failed[0].as_py()


def one_num(text: str, **kwargs) -> tuple[object, bool, object]:
    r = parse_numbers(pa.array([text]), **kwargs)
    cur = None if r.currency is None else r.currency[0].as_py()
    return r.values[0].as_py(), r.failed[0].as_py(), cur


# ---------------------------------------------------------------------------
# timestamps


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-04-15", D(2021, 4, 15)),
        ("2021-04-15 10:30", D(2021, 4, 15, 10, 30)),
        ("2021-04-15T10:30", D(2021, 4, 15, 10, 30)),
        ("2021-04-15T10:30:05", D(2021, 4, 15, 10, 30, 5)),
        ("2021-04-15 10:30:05.123456", D(2021, 4, 15, 10, 30, 5, 123456)),
        ("2021-04-15T10:30:05.5Z", D(2021, 4, 15, 10, 30, 5, 500000)),
        ("2021-04-15T10:30:05.123456789Z", D(2021, 4, 15, 10, 30, 5, 123456)),  # truncated
        ("2021-04-15T10:30:05,25", D(2021, 4, 15, 10, 30, 5, 250000)),
        ("2021-04-15T10:30:00Z", D(2021, 4, 15, 10, 30)),
        ("2021-04-15t10:30:00z", D(2021, 4, 15, 10, 30)),
        ("2021-04-15 10:30:00 UTC", D(2021, 4, 15, 10, 30)),
        ("2021-04-15T10:30:00+02:00", D(2021, 4, 15, 8, 30)),
        ("2021-04-15T10:30:00+0200", D(2021, 4, 15, 8, 30)),
        ("2021-04-15T10:30+02:00", D(2021, 4, 15, 8, 30)),
        ("2021-04-15T10:30:00+02", D(2021, 4, 15, 8, 30)),
        ("2021-04-15 10:30:00 -05:30", D(2021, 4, 15, 16, 0)),
        ("2021-04-15T01:00:00.25+03:00", D(2021, 4, 14, 22, 0, 0, 250000)),
        ("2020-02-29", D(2020, 2, 29)),
        ("2000-02-29T12:00:00", D(2000, 2, 29, 12)),
        ("  2021-04-15\t", D(2021, 4, 15)),
    ],
)
def test_iso_timestamps(text: str, expected: D) -> None:
    assert one_ts(text) == (expected, False)


@pytest.mark.parametrize(
    "text",
    [
        "2021-02-30",
        "2021-02-29",
        "1900-02-29",
        "2021-04-31 10:00",
        "2021-13-01",
        "2021-00-10",
        "2021-04-00",
        "2021-04-15T24:00:00",
        "2021-04-15T10:60",
        "2021-04-15T23:59:60",
        "2021-04-15T10:30:00+25:00",
        "2021-04-15T10:30:00+02:61",
        "2021-04-15 10:30:00 +02:00 extra",
        "2021-4-15",
        "15/04/2021",
        "junk",
        "0",
    ],
)
def test_invalid_timestamps_fail(text: str) -> None:
    assert one_ts(text) == (None, True)


def test_zoho_format_and_timezone() -> None:
    assert one_ts("15 Apr, 2021 00:03:00", formats=[ZOHO]) == (D(2021, 4, 15, 0, 3), False)
    # the export is in the account's timezone: IST is UTC+05:30
    got = one_ts("15 Apr, 2021 00:03:00", formats=[ZOHO], timezone="Asia/Kolkata")
    assert got == (D(2021, 4, 14, 18, 33), False)
    # month names are case-insensitive, full names are accepted, padding optional
    assert one_ts("5 APRIL, 2021 00:03:00", formats=[ZOHO]) == (D(2021, 4, 5, 0, 3), False)
    assert one_ts("31 Apr, 2021 00:03:00", formats=[ZOHO]) == (None, True)


def test_formats_are_tried_in_order() -> None:
    formats = ["%d/%m/%Y", "%m/%d/%Y %H:%M"]
    r = parse_timestamps(pa.array(["04/05/2021", "05/13/2021 17:45", "13/05/2021"]), formats)
    assert r.values.to_pylist() == [D(2021, 5, 4), D(2021, 5, 13, 17, 45), D(2021, 5, 13)]
    assert r.failed.to_pylist() == [False, False, False]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("29/02/2020", D(2020, 2, 29)),
        ("1/4/2021", D(2021, 4, 1)),
        ("01/03/2021", D(2021, 3, 1)),
        ("29/02/2021", None),
        ("30/02/2020", None),
        ("31/02/2021", None),
        ("31/04/2021", None),
        ("31/06/2021", None),
        ("31/09/2021", None),
        ("31/11/2021", None),
        ("32/01/2021", None),
        ("15/04/21", None),  # %Y must not read '21' as the year 21
    ],
)
def test_formats_reject_impossible_dates(text: str, expected: D | None) -> None:
    assert one_ts(text, formats=["%d/%m/%Y"]) == (expected, expected is None)


def test_two_digit_year_falls_through_to_next_format() -> None:
    assert one_ts("15/04/21", formats=["%d/%m/%Y", "%d/%m/%y"]) == (D(2021, 4, 15), False)


def test_format_with_trailing_offset() -> None:
    fmt = ["%d/%m/%Y %H:%M %z"]
    assert one_ts("15/04/2021 10:00 +0200", formats=fmt) == (D(2021, 4, 15, 8), False)
    assert one_ts("15/04/2021 10:00 -05:30", formats=fmt) == (D(2021, 4, 15, 15, 30), False)
    assert one_ts("15/04/2021 10:00", formats=fmt) == (None, True)
    # the written date is kept for parse_dates
    r = parse_dates(pa.array(["15/04/2021 23:00 -0500"]), formats=fmt)
    assert r.values.to_pylist() == [dt.date(2021, 4, 15)]


def test_timezone_is_applied_to_naive_values_only() -> None:
    text = [
        "2021-04-15 10:30",  # CEST, UTC+2
        "2021-01-15 10:30",  # CET, UTC+1
        "2021-03-28 02:30",  # skipped by DST: moved to the end of the gap
        "2021-10-31 02:30",  # happens twice: first occurrence
        "2021-04-15T10:30:00Z",
        "2021-04-15T10:30:00-04:00",
    ]
    r = parse_timestamps(pa.array(text), timezone="Europe/Paris")
    assert r.values.to_pylist() == [
        D(2021, 4, 15, 8, 30),
        D(2021, 1, 15, 9, 30),
        D(2021, 3, 28, 1, 0),
        D(2021, 10, 31, 0, 30),
        D(2021, 4, 15, 10, 30),
        D(2021, 4, 15, 14, 30),
    ]
    assert r.values.type == pa.timestamp("us")


def test_bad_arguments_raise() -> None:
    with pytest.raises(ValueError, match="timezone"):
        parse_timestamps(pa.array(["2021-04-15"]), timezone="Mars/Olympus")
    with pytest.raises(ValueError, match="unsupported format"):
        parse_timestamps(pa.array(["x"]), formats=["%Y-%m-%d %H:%M:%S.%f"])
    with pytest.raises(ValueError, match="unsupported format"):
        parse_timestamps(pa.array(["x"]), formats=["%z %Y"])
    with pytest.raises(TypeError):
        parse_timestamps(pa.array(["x"]), formats="%d/%m/%Y")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        parse_timestamps(pa.array([1.5]))


def test_null_and_blank_are_not_failures() -> None:
    r = parse_timestamps(pa.array([None, "", "   ", "x"]))
    assert r.values.to_pylist() == [None, None, None, None]
    assert r.failed.to_pylist() == [False, False, False, True]
    assert isinstance(r, Parsed) and r.currency is None
    r = parse_timestamps(pa.nulls(3))
    assert r.failed.to_pylist() == [False] * 3


def test_typed_timestamps_pass_through() -> None:
    naive = pa.array([D(2021, 4, 15, 10, 30), None], pa.timestamp("ns"))
    r = parse_timestamps(naive)
    assert r.values.type == pa.timestamp("us")
    assert r.values.to_pylist() == [D(2021, 4, 15, 10, 30), None]
    assert r.failed.to_pylist() == [False, False]
    # naive Excel cells are wall times in the given timezone, like text
    assert parse_timestamps(naive, timezone="Europe/Paris").values[0].as_py() == D(
        2021, 4, 15, 8, 30
    )
    aware = pa.array([D(2021, 4, 15, 8, 30)], pa.timestamp("ms", "UTC")).cast(
        pa.timestamp("ms", "America/New_York")
    )
    assert parse_timestamps(aware, timezone="Asia/Tokyo").values[0].as_py() == D(2021, 4, 15, 8, 30)
    dates = pa.array([dt.date(2021, 4, 15)], pa.date32())
    assert parse_timestamps(dates).values[0].as_py() == D(2021, 4, 15)
    assert parse_timestamps(dates, timezone="Asia/Tokyo").values[0].as_py() == D(2021, 4, 14, 15)


# ---------------------------------------------------------------------------
# dates


def test_parse_dates() -> None:
    text = ["2021-04-15", "2021-04-15T23:30:00-05:00", "15/04/2021", "2021-02-30", None, " "]
    r = parse_dates(pa.array(text), formats=["%d/%m/%Y"])
    assert r.values.type == pa.date32()
    assert r.values.to_pylist() == [dt.date(2021, 4, 15)] * 3 + [None] * 3
    assert r.failed.to_pylist() == [False, False, False, True, False, False]


def test_parse_dates_in_a_timezone() -> None:
    text = pa.array(["2021-04-15T23:30:00Z", "2021-04-15 23:30", "1969-12-31T23:30:00"])
    assert parse_dates(text).values.to_pylist() == [
        dt.date(2021, 4, 15),
        dt.date(2021, 4, 15),
        dt.date(1969, 12, 31),
    ]
    assert parse_dates(text, timezone="Europe/Paris").values.to_pylist() == [
        dt.date(2021, 4, 16),
        dt.date(2021, 4, 15),
        dt.date(1969, 12, 31),
    ]


def test_parse_dates_typed() -> None:
    dates = pa.array([dt.date(2021, 4, 15), None], pa.date32())
    assert parse_dates(dates).values.equals(dates)
    stamps = pa.array([D(2021, 4, 15, 23, 30)], pa.timestamp("s", "UTC"))
    assert parse_dates(stamps).values.to_pylist() == [dt.date(2021, 4, 15)]
    assert parse_dates(stamps, timezone="Asia/Tokyo").values.to_pylist() == [dt.date(2021, 4, 16)]
    d64 = pa.array([dt.date(2021, 4, 15)], pa.date64())
    assert parse_dates(d64).values.to_pylist() == [dt.date(2021, 4, 15)]


# ---------------------------------------------------------------------------
# numbers


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("42", ".", 42.0),
        ("  -3.5 ", ".", -3.5),
        ("+7", ".", 7.0),
        ("1,234", ".", 1234.0),  # ambiguous, read as thousands
        ("1,234,567.89", ".", 1234567.89),
        ("1 234 567.5", ".", 1234567.5),
        ("1\u00a0234.5", ".", 1234.5),
        ("1\u202f234.5", ".", 1234.5),
        ("1'234.5", ".", 1234.5),
        ("1’234.5", ".", 1234.5),
        ("(1,234.50)", ".", -1234.5),
        ("( 12 )", ".", -12.0),
        ("-1e3", ".", -1000.0),
        ("2.5E-3", ".", 0.0025),
        ("1.5e+2", ".", 150.0),
        (".5", ".", 0.5),
        ("5.", ".", 5.0),
        ("\u22125", ".", -5.0),
        ("- 5", ".", -5.0),
        ("-0", ".", 0.0),
        ("1.234,5", ",", 1234.5),
        ("1,5", ",", 1.5),
        ("1.234", ",", 1234.0),
        ("1 234,56", ",", 1234.56),
        ("1\u202f234,56", ",", 1234.56),
        ("(1.234,50)", ",", -1234.5),
        ("-1,5e3", ",", -1500.0),
        (",5", ",", 0.5),
        ("12", ",", 12.0),
    ],
)
def test_numbers(text: str, decimal: str, expected: float) -> None:
    assert one_num(text, decimal=decimal) == (expected, False, None)


@pytest.mark.parametrize(
    ("text", "decimal"),
    [
        ("abc", "."),
        ("12abc", "."),
        ("1.2.3", "."),
        ("1,23", "."),
        ("1,2345", "."),
        ("12,34,567", "."),  # lakh grouping is not supported
        ("1,234 567", "."),  # mixed separators
        ("1.5", ","),
        ("1,2,3", ","),
        ("$5", "."),  # currency needs money=True
        ("5 EUR", "."),
        ("5K", "."),
        ("(-5)", "."),
        ("-(5)", "."),
        ("(5", "."),
        ("--5", "."),
        ("1e", "."),
        ("e5", "."),
        ("1e999", "."),
        ("9" * 400, "."),
        ("inf", "."),
        ("nan", "."),
        ("0x10", "."),
        ("1_000", "."),
        (".", "."),
        ("-", "."),
        ("1 2", "."),
        ("5\n6", "."),
    ],
)
def test_numbers_fail(text: str, decimal: str) -> None:
    assert one_num(text, decimal=decimal) == (None, True, None)


@pytest.mark.parametrize(
    ("text", "decimal", "expected", "currency"),
    [
        ("$22,700.00", ".", 22700.0, "USD"),
        ("141,56 €", ",", 141.56, "EUR"),
        ("1.234,56 €", ",", 1234.56, "EUR"),
        ("EUR 1 200", ".", 1200.0, "EUR"),
        ("EUR 1 200", ",", 1200.0, "EUR"),
        ("1200 USD", ".", 1200.0, "USD"),
        ("1200USD", ".", 1200.0, "USD"),
        ("£3.5", ".", 3.5, "GBP"),
        ("¥1,000", ".", 1000.0, "JPY"),
        ("CHF 1'234.50", ".", 1234.5, "CHF"),
        ("US$ 7", ".", 7.0, "USD"),
        ("5 C$", ".", 5.0, "CAD"),
        ("zł 5", ".", 5.0, "PLN"),
        ("$141.56K", ".", 141560.0, "USD"),
        ("$1.2M", ".", 1200000.0, "USD"),
        ("$2B", ".", 2e9, "USD"),
        ("$2b", ".", 2e9, "USD"),
        ("1.5 k", ".", 1500.0, None),
        ("1.2M USD", ".", 1.2e6, "USD"),
        ("-1,5K €", ",", -1500.0, "EUR"),
        ("($5)", ".", -5.0, "USD"),
        ("$(5)", ".", -5.0, "USD"),
        ("(5 USD)", ".", -5.0, "USD"),
        ("(5) USD", ".", -5.0, "USD"),
        ("(1.234,56 €)", ",", -1234.56, "EUR"),
        ("-$5", ".", -5.0, "USD"),
        ("$-5", ".", -5.0, "USD"),
        ("$5 USD", ".", 5.0, "USD"),
        ("42", ".", 42.0, None),
        ("-5e-3", ".", -0.005, None),
    ],
)
def test_money(text: str, decimal: str, expected: float, currency: str | None) -> None:
    assert one_num(text, decimal=decimal, money=True) == (expected, False, currency)


@pytest.mark.parametrize(
    "text",
    [
        "€5 USD",
        "USD",
        "$",
        "5 usd",
        "XY$5",
        "USD$5",
        "5 ABC",
        "1e3K",
        "9E2bC$",
        "5 KK",
        "K5",
        "((5))",
        "-$-5",
        "5 X",
    ],
)
def test_money_fail(text: str) -> None:
    assert one_num(text, money=True) == (None, True, None)


def test_k_suffix_is_exact() -> None:
    # 141.56 * 1000 in binary floating point is not always 141560.0
    r = parse_numbers(pa.array(["$141.56K", "$0.1K", "$1.005M"]), money=True)
    assert r.values.to_pylist() == [141560.0, 100.0, 1005000.0]


def test_numbers_null_blank_and_typed() -> None:
    r = parse_numbers(pa.array([None, "", "  ", "x", "1"]), money=True)
    assert r.values.to_pylist() == [None, None, None, None, 1.0]
    assert r.failed.to_pylist() == [False, False, False, True, False]
    assert r.currency is not None and r.currency.to_pylist() == [None] * 5
    assert parse_numbers(pa.array(["1"])).currency is None
    for typed in (
        pa.array([1, None], pa.int32()),
        pa.array([1.0, None]),
        pa.array([Decimal("1.00"), None], pa.decimal128(10, 2)),
    ):
        r = parse_numbers(typed, money=True)
        assert r.values.type == pa.float64()
        assert r.values.to_pylist() == [1.0, None]
        assert r.failed.to_pylist() == [False, False]
    with pytest.raises(ValueError, match="decimal"):
        parse_numbers(pa.array(["1"]), decimal=";")
    with pytest.raises(TypeError):
        parse_numbers(pa.array([D(2021, 1, 1)]))


# ---------------------------------------------------------------------------
# enums, e-mails, blanks


def test_normalise_enum() -> None:
    values = pa.array(
        ["Closed Won", " closed-won ", "CLOSED_WON", "Lost", "Select", "foo", None, ""]
    )
    r = normalise_enum(
        values, ["closed_won", "closed_lost"], {"Lost": "Closed Lost", "Select": None}
    )
    assert r.values.to_pylist() == [
        "closed_won",
        "closed_won",
        "closed_won",
        "closed_lost",
        None,
        None,
        None,
        None,
    ]
    assert r.failed.to_pylist() == [False, False, False, False, False, True, False, False]


def test_normalise_enum_default_and_allowed_as_written() -> None:
    mapping = {"Closed Won": "won", "*": "other"}
    r = normalise_enum(pa.array(["Closed Won", "??", "won", None, " "]), ["Won", "Other"], mapping)
    # '*' catches every value that is not a key, even one that is allowed as it is
    assert r.values.to_pylist() == ["Won", "Other", "Other", None, None]
    assert r.failed.to_pylist() == [False] * 5
    r = normalise_enum(pa.array([1, 2, None]), ["1"])  # typed picklists are read as text
    assert r.values.to_pylist() == ["1", None, None]
    assert r.failed.to_pylist() == [False, True, False]
    with pytest.raises(ValueError, match="collide"):
        normalise_enum(pa.array(["a"]), ["closed won", "closed-won"])


def test_normalise_email() -> None:
    out = normalise_email(pa.array(["  Jane.Doe@Example.COM ", "", "  ", None]))
    assert out.to_pylist() == ["jane.doe@example.com", None, None, None]


def test_is_blank_and_na_values() -> None:
    values = pa.array([" ", None, "x", "\u00a0", " N/A ", "Select", "n/a"])
    assert is_blank(values).to_pylist() == [True, True, False, True, False, False, False]
    assert apply_na_values(values, ["N/A", "Select"]).to_pylist() == [
        " ",
        None,
        "x",
        "\u00a0",
        None,
        None,
        "n/a",
    ]
    assert is_blank(pa.array([1, None])).to_pylist() == [False, True]
    assert apply_na_values(pa.array([1, None]), ["N/A"]).to_pylist() == [1, None]


@pytest.mark.parametrize("typ", [pa.large_string(), pa.string_view()])
def test_other_string_types(typ: pa.DataType) -> None:
    values = pa.array(
        ["$1,234.5K", "2021-04-15T10:00:00+02:00", "15 Apr, 2021 00:03:00", None], typ
    )
    assert parse_numbers(values, money=True).values.to_pylist() == [1234500.0, None, None, None]
    assert parse_timestamps(values, formats=[ZOHO]).values.to_pylist() == [
        None,
        D(2021, 4, 15, 8),
        D(2021, 4, 15, 0, 3),
        None,
    ]
    assert normalise_enum(values, ["x"]).failed.to_pylist() == [True, True, True, False]
    dictionary = pa.array(["1", "x", "1", None]).dictionary_encode()
    assert parse_numbers(dictionary).values.to_pylist() == [1.0, None, 1.0, None]


def test_repeated_values_take_the_distinct_value_path() -> None:
    # long low-cardinality columns are parsed once per distinct value: same results
    numbers = ["$1,200.50", "(3,000)", "x", None, "1.5K EUR", "€5 USD", "12"]
    stamps = ["15 Apr, 2021 00:03:00", "31 Apr, 2021 00:03:00", "2020-02-29", "junk", None]
    for parse, pool in [
        (lambda a: parse_numbers(a, money=True), numbers),
        (lambda a: parse_timestamps(a, formats=[ZOHO]), stamps),
    ]:
        small = parse(pa.array(pool))
        big = parse(pa.array(pool * 2000))
        assert big.values.to_pylist() == small.values.to_pylist() * 2000
        assert big.failed.to_pylist() == small.failed.to_pylist() * 2000


# ---------------------------------------------------------------------------
# properties


def _grouped(v: float, sep: str = ",", point: str = ".") -> str:
    text = f"{v:,.2f}"
    return text.replace(",", "\0").replace(".", point).replace("\0", sep)


# (formatter, decimal, money, expected currency)
NUMBER_STYLES = [
    (lambda v: f"{v:.2f}", ".", False, None),
    (lambda v: f"{v:,.2f}", ".", False, None),
    (lambda v: _grouped(v, "'"), ".", False, None),
    (lambda v: _grouped(v, "\u00a0"), ".", False, None),
    (lambda v: _grouped(v, ".", ","), ",", False, None),
    (lambda v: _grouped(v, "\u202f", ","), ",", False, None),
    (lambda v: f"({abs(v):,.2f})" if v < 0 else f"{v:,.2f}", ".", False, None),
    (lambda v: f"{v:.2f}".replace(".", ","), ",", False, None),
    (lambda v: f"{v:.2e}", ".", False, None),
    (lambda v: f"${v:,.2f}", ".", True, "USD"),
    (lambda v: f"-${abs(v):,.2f}" if v < 0 else f"${v:,.2f}", ".", True, "USD"),
    (lambda v: f"{_grouped(v, '.', ',')} €", ",", True, "EUR"),
    (lambda v: f"EUR {_grouped(v, ' ', ',')}", ",", True, "EUR"),
    (lambda v: f"{v:,.2f} USD", ".", True, "USD"),
    (lambda v: f"£{v:.2f}", ".", True, "GBP"),
    (lambda v: f"(CHF {abs(v):,.2f})" if v < 0 else f"CHF {v:,.2f}", ".", True, "CHF"),
    (lambda v: f"${v / 1000:.5f}K", ".", True, "USD"),
    (lambda v: f"{v / 1e6:.8f}M EUR", ".", True, "EUR"),
]


@PROPERTY
@given(
    style=st.sampled_from(NUMBER_STYLES),
    numbers=st.lists(
        st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15),
        min_size=1,
        max_size=30,
    ),
)
def test_formatted_numbers_parse_back(style, numbers: list[float]) -> None:
    fmt, decimal, money, currency = style
    expected = [round(x, 2) for x in numbers]
    if fmt(1.0).endswith("e+00"):
        expected = [float(f"{v:.2e}") for v in expected]  # scientific keeps 3 digits
    text = [fmt(v) for v in expected]
    r = parse_numbers(pa.array(text), decimal=decimal, money=money)
    assert r.failed.to_pylist() == [False] * len(text), text
    for got, want, raw in zip(r.values.to_pylist(), expected, text, strict=True):
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12), (raw, got, want)
    if money:
        assert r.currency is not None and r.currency.to_pylist() == [currency] * len(text)


FORMATS = ["%d/%m/%Y %H:%M:%S", "%m/%d/%Y %I:%M %p", ZOHO, "%d.%m.%Y", "%d %B %Y %H:%M"]
offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))


def _render(style: str, d: D, tz: dt.timezone) -> tuple[str, D]:
    """Text for ``d`` in one style and the UTC instant it denotes."""
    if style == "space":
        return d.isoformat(sep=" "), d
    if style == "T":
        return d.isoformat(), d
    if style == "Z":
        return d.isoformat() + "Z", d
    aware = d.replace(tzinfo=tz)
    utc = aware.astimezone(dt.UTC).replace(tzinfo=None)
    if style == "offset":
        return aware.isoformat(), utc
    if style == "compact offset":
        return aware.strftime("%Y-%m-%dT%H:%M:%S%z"), utc.replace(microsecond=d.microsecond)
    raise AssertionError(style)


@PROPERTY
@given(
    style=st.sampled_from(["space", "T", "Z", "offset", "compact offset"]),
    stamps=st.lists(
        st.tuples(st.datetimes(min_value=D(1990, 1, 1), max_value=D(2100, 12, 31)), offsets),
        min_size=1,
        max_size=20,
    ),
)
def test_iso_datetimes_parse_back(style: str, stamps: list[tuple[D, dt.timezone]]) -> None:
    if style == "compact offset":
        stamps = [(d.replace(microsecond=0), tz) for d, tz in stamps]
    text, expected = zip(*(_render(style, d, tz) for d, tz in stamps), strict=True)
    r = parse_timestamps(pa.array(text))
    assert r.failed.to_pylist() == [False] * len(text), text
    assert r.values.to_pylist() == list(expected), text


@PROPERTY
@given(
    fmt=st.sampled_from(FORMATS),
    stamps=st.lists(
        st.datetimes(min_value=D(1990, 1, 1), max_value=D(2100, 12, 31)), min_size=1, max_size=20
    ),
)
def test_formatted_datetimes_parse_back(fmt: str, stamps: list[D]) -> None:
    text = [d.strftime(fmt) for d in stamps]
    expected = [D.strptime(t, fmt) for t in text]  # what the format can carry
    r = parse_timestamps(pa.array(text), formats=[fmt])
    assert r.failed.to_pylist() == [False] * len(text), text
    assert r.values.to_pylist() == expected, text


@PROPERTY
@given(
    # Arrow reads DST rules from the tz database transitions, which stop in 2037
    instants=st.lists(
        st.datetimes(min_value=D(1990, 1, 1), max_value=D(2037, 12, 31)), min_size=1, max_size=20
    ),
    zone=st.sampled_from(["America/New_York", "Europe/Paris", "Asia/Kolkata", "Australia/Sydney"]),
)
def test_local_wall_times_parse_back(instants: list[D], zone: str) -> None:
    local = [i.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone)) for i in instants]
    # the second occurrence of an ambiguous wall time cannot be told from its text
    assume(all(t.fold == 0 for t in local))
    text = [t.replace(tzinfo=None).isoformat(sep=" ") for t in local]
    r = parse_timestamps(pa.array(text), timezone=zone)
    assert r.values.to_pylist() == instants


NUMBERISH = "0123456789.,-+()$€£KkMmBe '\u00a0\u202fUSDER"
texts = st.lists(
    st.one_of(
        st.none(),
        st.text(st.characters(exclude_categories=("Cs",)), max_size=25),
        st.text(NUMBERISH, max_size=14),
        st.text("0123456789-:TZ +", max_size=26),
    ),
    max_size=40,
)


def _check_consistent(text: list[str | None], r: Parsed) -> None:
    assert len(r.values) == len(r.failed) == len(text)
    assert r.failed.null_count == 0
    blank = [t is None or not t.strip() for t in text]
    for raw, empty, value, failed in zip(
        text, blank, r.values.to_pylist(), r.failed.to_pylist(), strict=True
    ):
        if empty:
            assert value is None and not failed, raw
        else:
            assert (value is None) == failed, raw


@PROPERTY
@given(text=texts, decimal=st.sampled_from([".", ","]), money=st.booleans())
def test_random_text_never_raises(text: list[str | None], decimal: str, money: bool) -> None:
    arr = pa.array(text, pa.string())
    r = parse_numbers(arr, decimal=decimal, money=money)
    _check_consistent(text, r)
    assert all(math.isfinite(v) for v in r.values.to_pylist() if v is not None)
    if money:
        assert r.currency is not None and len(r.currency) == len(text)
        for value, code in zip(r.values.to_pylist(), r.currency.to_pylist(), strict=True):
            assert code is None or (value is not None and len(code) == 3)
    for parse in (parse_timestamps, parse_dates):
        _check_consistent(text, parse(arr, formats=["%d/%m/%Y", ZOHO]))
    _check_consistent(text, normalise_enum(arr, ["a", "b_c"], {"x": "a"}))
    assert len(normalise_email(arr)) == len(is_blank(arr)) == len(text)


@PROPERTY
@given(text=st.lists(st.text("0123456789.e+-", min_size=1, max_size=12), max_size=30))
def test_plain_literals_agree_with_python_float(text: list[str]) -> None:
    r = parse_numbers(pa.array(text))
    for raw, value in zip(text, r.values.to_pylist(), strict=True):
        try:
            want = float(raw)
        except ValueError:
            continue
        if math.isfinite(want):
            assert value == want, raw


@PROPERTY
@given(text=texts, cuts=st.lists(st.integers(0, 40), max_size=4))
def test_chunked_input_matches_flat_input(text: list[str | None], cuts: list[int]) -> None:
    bounds = sorted({min(c, len(text)) for c in cuts} | {0, len(text)})
    chunks = [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    chunked = pa.chunked_array([pa.array(c, pa.string()) for c in chunks], pa.string())
    flat = pa.array(text, pa.string())
    for parse in (
        lambda a: parse_numbers(a, money=True),
        lambda a: parse_timestamps(a, formats=[ZOHO], timezone="Europe/Paris"),
        lambda a: parse_dates(a),
        lambda a: normalise_enum(a, ["a"]),
    ):
        got, want = parse(chunked), parse(flat)
        assert isinstance(got.values, pa.ChunkedArray)
        assert [len(c) for c in got.values.chunks] == [len(c) for c in chunks]
        assert got.values.to_pylist() == want.values.to_pylist()
        assert got.failed.to_pylist() == want.failed.to_pylist()
        if want.currency is not None:
            assert got.currency is not None
            assert got.currency.to_pylist() == want.currency.to_pylist()
    assert normalise_email(chunked).to_pylist() == normalise_email(flat).to_pylist()
    assert is_blank(chunked).to_pylist() == is_blank(flat).to_pylist()
    assert apply_na_values(chunked, ["a"]).to_pylist() == apply_na_values(flat, ["a"]).to_pylist()


# ---------------------------------------------------------------------------
# throughput (not a test: ``python tests/sources/test_parsers.py``)


def _throughput(n: int = 5_000_000) -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    amounts = rng.normal(0, 1e5, 2_000)
    stamps = pa.array(rng.integers(631_152_000, 4_102_444_800, n), pa.timestamp("s"))
    cases = {
        "numbers, plain, distinct": (
            pc.cast(pc.round(pa.array(rng.normal(0, 1e6, n)), 2), pa.string()),
            lambda a: parse_numbers(a),
        ),
        "numbers, '$1,234.56', 2k distinct": (
            pa.array([f"${x:,.2f}" for x in amounts]),
            lambda a: parse_numbers(a, money=True),
        ),
        "numbers, '1 234,56 €', 2k distinct": (
            pa.array([_grouped(x, "\u202f", ",") + " €" for x in amounts]),
            lambda a: parse_numbers(a, decimal=",", money=True),
        ),
        "numbers, '$-1234.56', distinct": (
            pc.binary_join_element_wise(
                "$", pc.cast(pc.round(pa.array(rng.normal(0, 1e6, n)), 2), pa.string()), ""
            ),
            lambda a: parse_numbers(a, money=True),
        ),
        "timestamps, ISO naive, distinct": (
            pc.strftime(stamps, "%Y-%m-%d %H:%M:%S"),
            lambda a: parse_timestamps(a),
        ),
        "timestamps, ISO +02:00, distinct": (
            pc.strftime(stamps, "%Y-%m-%dT%H:%M:%S+02:00"),
            lambda a: parse_timestamps(a),
        ),
        "timestamps, naive in Europe/Paris, distinct": (
            pc.strftime(stamps, "%Y-%m-%d %H:%M:%S"),
            lambda a: parse_timestamps(a, timezone="Europe/Paris"),
        ),
        "timestamps, Zoho, distinct": (
            pc.strftime(stamps, ZOHO),
            lambda a: parse_timestamps(a, formats=[ZOHO]),
        ),
        "timestamps, %m/%d/%Y, 2k distinct": (
            pc.strftime(stamps.slice(0, 2000), "%m/%d/%Y"),
            lambda a: parse_timestamps(a, formats=["%m/%d/%Y"]),
        ),
    }
    for name, (pool, parse) in cases.items():
        values = pool if len(pool) == n else pc.take(pool, pa.array(rng.integers(0, len(pool), n)))
        start = time.perf_counter()
        result = parse(values)
        seconds = time.perf_counter() - start
        bad = pc.sum(result.failed).as_py()
        print(
            f"{name:45s} {n:,} rows {seconds:6.2f} s  {n / seconds / 1e6:5.2f} M rows/s  "
            f"failed={bad}"
        )


if __name__ == "__main__":
    _throughput()
