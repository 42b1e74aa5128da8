"""Shared helpers of the parsers: Arrow text in, chunk by chunk, typed arrays out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

import pyarrow as pa
import pyarrow.compute as pc

ArrayLike: TypeAlias = pa.Array | pa.ChunkedArray

# Parsers work on 32-bit-offset strings (cheaper, and not every kernel mixes
# string and large_string): bigger text arrays are processed in slices.
_MAX_BATCH_BYTES = 1 << 30


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


# explicit end for binary_slice: with stop=None pyarrow passes sys.maxsize, and
# Arrow's output-size estimate (rows * (stop - start)) overflows for some lengths
_TO_END = 2**31 - 1


def _bytes(s: pa.Array) -> pa.Array:
    """Zero-copy binary view of a string array.

    Byte slicing is much cheaper than code-point slicing; callers only rely on
    it for ASCII text (or compare the bytes with ASCII).
    """
    return s.view(pa.large_binary() if pa.types.is_large_string(s.type) else pa.binary())
