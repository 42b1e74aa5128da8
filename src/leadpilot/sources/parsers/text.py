"""Picklist values, e-mails, blanks and the cells an export uses for "no value"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from ._arrow import (
    ArrayLike,
    Parsed,
    _map_array,
    _map_parsed,
    _null_like,
    _present,
    _text,
)


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
