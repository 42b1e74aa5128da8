"""Markov-chain attribution: transitions counted in the engine, the chain solved exactly.

The engine returns one row per (period, state, next channel) with the journeys that made
the transition; a state of order k is the tuple of the last k channels (fewer at the start
of a journey). NumPy/SciPy then solve the absorbing chain: the probability of reaching
'conversion' from 'start' is x[start] in (I - Q) x = r, where Q holds the transient
transition probabilities and r the probabilities of converting in one step. Removing a
channel sends every state containing it to 'null'; its removal effect is
1 - x'[start] / x[start]. No simulation: the answer is deterministic and exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix, identity
from scipy.sparse.linalg import spsolve

START = ("<start>",)


def transition_counts(
    j: ir.Table, order: int = 1, collapse: bool = True, null_paths: bool = True
) -> pd.DataFrame:
    """Rows: period, f0..f{k-1} (f0 the current channel, f1 the previous...), nxt (null at
    the end of the journey), first (journeys starting in this state), paths, conv, nulls,
    value."""
    if not null_paths:
        j = j.filter(j.conv > 0)
    w = ibis.window(group_by=j.jid, order_by=j.pos)
    if collapse:  # a -> a -> b counts as a -> b
        # a column first, then the filter: PostgreSQL has no QUALIFY
        j = j.mutate(_prev=j.dim.lag().over(w))
        j = j.filter(j._prev.isnull() | (j.dim != j._prev)).drop("_prev")
        w = ibis.window(group_by=j.jid, order_by=j.pos)
    weight = j.conv + j.nulls if null_paths else j.conv
    cols = {f"f{i}": j.dim.lag(i).over(w) if i else j.dim for i in range(order)}
    j = j.mutate(
        **cols,
        nxt=j.dim.lead().over(w),
        _first=ibis.row_number().over(w) == 0,
        _w=weight,
    )
    end = j.nxt.isnull()
    out = j.group_by(["period", *cols, "nxt"]).aggregate(
        first=j._w.sum(where=j._first),
        paths=j._w.sum(),
        conv=j.conv.sum(where=end),
        nulls=j.nulls.sum(where=end) if null_paths else (j.nulls * 0).sum(),
        value=j.value.sum(where=end),
    )
    return out.to_pandas()


@dataclass
class MarkovFit:
    channels: list[str]
    removal_effects: dict[str, float]
    removal_effects_value: dict[str, float]
    conversion_probability: float
    states: int


def fit(counts: pd.DataFrame, order: int = 1) -> MarkovFit:
    """Solve the chain of one period's transition counts."""
    counts = counts.fillna({"first": 0.0, "conv": 0.0, "nulls": 0.0, "value": 0.0})
    fcols = [f"f{i}" for i in range(order)]
    # state tuple, oldest channel first; None where the journey had fewer than k touches
    state_of = [
        tuple(None if pd.isna(v) else v for v in reversed(row))
        for row in counts[fcols].itertuples(index=False, name=None)
    ]
    nxt = [None if pd.isna(v) else v for v in counts["nxt"]]
    next_state = [
        s[1:] + (c,) if c is not None else None for s, c in zip(state_of, nxt, strict=True)
    ]
    states = sorted({*state_of, *(s for s in next_state if s is not None)}, key=_key)
    index = {s: i + 1 for i, s in enumerate(states)}  # 0 is start
    n = len(states) + 1
    rows, cols, data = [], [], []
    out = np.zeros(n)
    to_conv = np.zeros(n)
    to_value = np.zeros(n)
    first = counts["first"].to_numpy(float)
    paths = counts["paths"].to_numpy(float)
    conv = counts["conv"].to_numpy(float)
    nulls = counts["nulls"].to_numpy(float)
    value = counts["value"].to_numpy(float)
    for k, (s, t) in enumerate(zip(state_of, next_state, strict=True)):
        i = index[s]
        if first[k]:
            rows.append(0)
            cols.append(i)
            data.append(first[k])
            out[0] += first[k]
        if t is None:
            to_conv[i] += conv[k]
            to_value[i] += value[k]
            out[i] += conv[k] + nulls[k]
        else:
            rows.append(i)
            cols.append(index[t])
            data.append(paths[k])
            out[i] += paths[k]
    safe = np.where(out > 0, out, 1.0)
    counts_m = csr_matrix((data, (rows, cols)), shape=(n, n))
    q = csr_matrix(counts_m.multiply(1.0 / safe[:, None]))
    r = to_conv / safe
    rv = to_value / safe
    channels = sorted({c for s in states for c in s if c is not None})
    base, base_v = _solve(q, r, rv)
    effects, effects_v = {}, {}
    for c in channels:
        keep = np.ones(n)
        for s, i in index.items():
            if c in s:
                keep[i] = 0.0  # the state now leads to null
        x, xv = _solve(_scale_rows(q, keep), r * keep, rv * keep)
        effects[c] = 1.0 - x / base if base > 0 else 0.0
        effects_v[c] = 1.0 - xv / base_v if base_v > 0 else 0.0
    return MarkovFit(channels, effects, effects_v, base, n)


def _key(s: tuple) -> tuple:
    return tuple("" if v is None else v for v in s)


def _scale_rows(q: csr_matrix, keep: np.ndarray) -> csr_matrix:
    return csr_matrix(q.multiply(keep[:, None]))


def _solve(q: csr_matrix, r: np.ndarray, rv: np.ndarray) -> tuple[float, float]:
    a = (identity(q.shape[0], format="csc") - q).tocsc()
    x = spsolve(a, np.column_stack([r, rv]))
    x = np.asarray(x).reshape(q.shape[0], 2)
    return float(x[0, 0]), float(x[0, 1])


def attribute(
    m: MarkovFit, total_conv: float, total_value: float
) -> dict[str, tuple[float, float]]:
    """Removal effects normalised to the total conversions and revenue."""
    s = sum(m.removal_effects.values())
    sv = sum(m.removal_effects_value.values())
    return {
        c: (
            total_conv * m.removal_effects[c] / s if s > 0 else 0.0,
            total_value * m.removal_effects_value[c] / sv if sv > 0 else 0.0,
        )
        for c in m.channels
    }
