"""Numbers and money in local styles: separators, signs, currencies, k / m / b."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from ._arrow import (
    _TO_END,
    ArrayLike,
    Parsed,
    _all,
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
    if decimal not in (".", ",", "auto"):
        raise ValueError(f"decimal must be '.', ',' or 'auto', got {decimal!r}")
    if decimal == "auto":
        text = _text(pc.cast(_as_chunk(values), pa.string())) if _is_text(values) else None
        decimal = decide_decimal(text).decimal if text is not None else "."

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
            if pa.types.is_floating(t):
                # NaN and inf typed in a Parquet or Excel file are no usable amount either
                finite = pc.fill_null(pc.is_finite(out), True)
                if not _all(finite):
                    failed = pc.invert(finite)
                    return Parsed(pc.if_else(finite, out, _null_like(out)), failed, currency)
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


# ---------------------------------------------------------------- which decimal separator
# Anything around the digits (a sign, a currency, spaces): the patterns look at digits.
_A = r"[^0-9]*"
_G = r"[ \x{a0}\x{202f}\x{2009}\x{2007}'’]"  # groups that never hold a decimal (spaces, ')
# Values that can only be read one way. A comma followed by 1, 2 or 4+ digits, or after
# dot-grouped thousands, or a '0,' start, is a decimal comma; the same with the roles
# swapped is a decimal point. '1 054' and '1054' say nothing.
COMMA_CLEAR = (
    rf"^{_A}\d+,(?:\d{{1,2}}|\d{{4,}}){_A}$",  # 12,5  1250,00  0,12345
    rf"^{_A}0,\d+{_A}$",  # 0,125
    rf"^{_A}\d{{1,3}}(?:\.\d{{3}})+,\d*{_A}$",  # 1.054,00
    rf"^{_A}\d{{1,3}}(?:{_G}\d{{3}})+,\d+{_A}$",  # 1 054,00
    rf"^{_A}\d{{1,3}}(?:\.\d{{3}}){{2,}}{_A}$",  # 1.054.000
)
POINT_CLEAR = (
    rf"^{_A}\d*\.(?:\d{{1,2}}|\d{{4,}}){_A}$",  # 12.5  1054.50  .5
    rf"^{_A}0\.\d+{_A}$",  # 0.125
    rf"^{_A}\d{{1,3}}(?:,\d{{3}})+\.\d*{_A}$",  # 1,054.00
    rf"^{_A}\d{{1,3}}(?:{_G}\d{{3}})+\.\d+{_A}$",  # 1 054.00  1'054.00
    rf"^{_A}\d{{1,3}}(?:,\d{{3}}){{2,}}{_A}$",  # 1,054,000
)
# '1,250' is 1250 or 1.25, '1.054' is 1054 or 1.054: only the rest of the data can tell.
_AMBIGUOUS = rf"^{_A}[1-9]\d{{0,2}}[.,]\d{{3}}{_A}$"


@dataclass(frozen=True)
class DecimalEvidence:
    """What a text column says about its decimal separator.

    ``comma`` and ``point`` count the values that can only be read with a decimal comma
    or a decimal point; ``ambiguous`` marks the values that read as two different
    numbers ('1,250': 1250 or 1.25); ``decimal`` is the column's separator when the
    values tell it (the more frequent style when both appear), else '.'.
    """

    comma: int
    point: int
    ambiguous: pa.Array | None
    decimal: str

    @property
    def told(self) -> bool:
        return bool(self.comma or self.point)

    @property
    def n_ambiguous(self) -> int:
        if self.ambiguous is None:
            return 0
        return int(pc.sum(self.ambiguous).as_py() or 0)


def _hits(values: pa.Array, patterns: tuple[str, ...]) -> pa.Array:
    hit = pc.fill_null(pc.match_substring_regex(values, patterns[0]), False)
    for p in patterns[1:]:
        hit = pc.or_(hit, pc.fill_null(pc.match_substring_regex(values, p), False))
    return hit


def decide_decimal(text: pa.Array | None) -> DecimalEvidence:
    """The decimal separator a text column's values show (see :class:`DecimalEvidence`).

    Examples
    --------
    >>> decide_decimal(pa.array(["1,250", "12,5"])).decimal
    ','
    >>> e = decide_decimal(pa.array(["1,250", "2,500"]))
    >>> e.told, e.n_ambiguous
    (False, 2)
    >>> decide_decimal(pa.array(["1,054.00", "12"])).decimal
    '.'
    """
    if text is None or len(text) == 0:
        return DecimalEvidence(0, 0, None, ".")
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    s = pc.utf8_trim_whitespace(pc.cast(text, pa.string()))
    # the distinct values are matched (a few amounts repeat over many rows); rows count
    vc = pc.value_counts(s)
    values, counts = vc.field("values"), vc.field("counts")
    comma = int(pc.sum(pc.if_else(_hits(values, COMMA_CLEAR), counts, 0)).as_py() or 0)
    point = int(pc.sum(pc.if_else(_hits(values, POINT_CLEAR), counts, 0)).as_py() or 0)
    amb_values = pc.filter(values, _hits(values, (_AMBIGUOUS,)))
    ambiguous = pc.fill_null(pc.is_in(s, value_set=amb_values), False)
    decimal = "," if comma > point else "."
    return DecimalEvidence(comma, point, ambiguous, decimal)


_NUMERIC_CHARS = r"^[-+()0-9 .,'’\x{a0}\x{202f}\x{2009}eE$€£¥%]*$"


def looks_numeric(text: pa.Array, sample: int = 2000) -> bool:
    """Whether the first ``sample`` values hold only what numbers are written with: a
    cheap test that spares a text column (names, titles) the full number grammar."""
    head = text.slice(0, sample) if len(text) > sample else text
    return bool(pc.all(pc.fill_null(pc.match_substring_regex(head, _NUMERIC_CHARS), True)).as_py())


def _is_text(values: object) -> bool:
    t = getattr(values, "type", None)
    return t is not None and (pa.types.is_string(t) or pa.types.is_large_string(t))


def _as_chunk(values: object) -> pa.Array:
    values = values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values)
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


# ---------------------------------------------------------------- lead attributes
# Columns whose digits are a code, never a quantity: kept as text whatever they hold.
_CODE_NAME = (
    r"(^|_)(zip|zipcode|postal|postcode|post_code|postal_code|code_postal|cp|plz|cep|"
    r"phone|telephone|tel|mobile|cell|fax|portable|siren|siret|vat|tva|ein|duns|naics|"
    r"sic|id|ref|reference|number|no|num|iban|code)(_|$)"
)


def attribute_numbers(
    values: pa.Array, decimal: str = "auto", name: str | None = None
) -> pa.Array | None:
    """An extra lead attribute as numbers, or None when it must stay text as written.

    Text stays text when any present value is not a number, when a number carries a
    leading zero ('01234': a postal code, a phone number), when the values could be read
    two ways ('1,250' without anything telling the decimal separator) or when the
    column's name says it holds codes (zip, phone, siret, id...).

    Examples
    --------
    >>> attribute_numbers(pa.array(["01234", "75001"])) is None
    True
    >>> attribute_numbers(pa.array(["12", "7.5"])).to_pylist()
    [12.0, 7.5]
    >>> attribute_numbers(pa.array(["75001"]), name="postal_code") is None
    True
    """
    import re

    if name is not None and re.search(_CODE_NAME, name.lower()):
        return None
    s = pc.utf8_trim_whitespace(pc.cast(values, pa.string()))
    if not looks_numeric(s):
        return None  # names, countries, titles: no need to read every value as a number
    present = pc.fill_null(pc.not_equal(s, ""), False)
    p = pc.filter(s, present)
    if len(p) == 0:
        return None
    # a leading zero before another digit, or a '+' sign: a code, as written
    if pc.any(pc.match_substring_regex(p, r"^[+\-]?0\d|^\+")).as_py():
        return None
    if decimal == "auto":
        e = decide_decimal(p)
        if not e.told and e.n_ambiguous:
            return None
        decimal = e.decimal
    parsed = parse_numbers(s, decimal=decimal, money=False)
    if pc.any(parsed.failed).as_py():
        return None
    return parsed.values
