"""Reasons: the largest contributions of each lead, as text, built with NumPy and Arrow.

Shared by the learned models ('industry=software (+0.83)', contributions to the log-odds)
and the rules score ('webinar (+10)', points of each rule).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def top_reasons(
    contrib: np.ndarray,
    values: list[Callable[[np.ndarray], tuple[np.ndarray, list[str]]]],
    k: int,
    sign_format: str,
    *,
    min_abs: float,
) -> list[pa.Array]:
    """Reason i of each row: the label of its i-th largest entry of ``contrib`` in absolute
    value, then the entry formatted by ``sign_format`` ('industry=software (+0.83)'); null
    below ``min_abs``.

    ``values[j](rows)`` gives column j's label code for each of ``rows`` and the labels;
    entries are rounded to hundredths before formatting. Vectorised: the distinct labels
    and numbers are formatted once, Arrow joins the texts.
    """
    n, m = contrib.shape
    k = min(k, m)
    if not n or not k:
        return [pa.nulls(n, pa.string()) for _ in range(k)]
    order = np.argsort(-np.abs(contrib), axis=1, kind="stable")[:, :k]
    rows = np.arange(n)
    out = []
    for r in range(k):
        column = order[:, r]
        c = contrib[rows, column]
        label_idx = np.zeros(n, dtype=np.int64)
        labels: list[str] = []
        for j in np.unique(column):
            at = np.flatnonzero(column == j)
            codes, texts = values[j](at)
            label_idx[at] = len(labels) + codes
            labels += texts
        # hundredths, and the sign apart so that -0.004 still reads (-0.00)
        keys, inverse = np.unique(
            np.rint(c * 100).astype(np.int64) * 2 + (c < 0), return_inverse=True
        )
        signs = [sign_format.format(_hundredths(key)) for key in keys.tolist()]
        label = pa.DictionaryArray.from_arrays(pa.array(label_idx), pa.array(labels, pa.string()))
        sign = pa.DictionaryArray.from_arrays(
            pa.array(inverse.astype(np.int64)), pa.array(signs, pa.string())
        )
        text = pc.binary_join_element_wise(label.cast(pa.string()), sign.cast(pa.string()), " ")
        out.append(pc.if_else(pa.array(np.abs(c) >= min_abs), text, pa.scalar(None, pa.string())))
    return out


def _hundredths(key: int) -> float:
    """Decode 2 x hundredths + (value < 0) back to a number, keeping the sign of zero."""
    h = (key - (key & 1)) // 2
    return h / 100 if h else (-0.0 if key & 1 else 0.0)
