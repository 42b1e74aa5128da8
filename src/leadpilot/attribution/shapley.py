"""Shapley attribution over channel sets: sets counted in the engine, values exact in NumPy.

The engine returns, per period, one row per observed channel set (a bit mask over at most
``shapley_max_channels`` players): journeys, conversions, revenue. NumPy then computes the
characteristic function v over all 2^K sets and, for each observed converting set, the
exact Shapley values of the game restricted to it (definitions.py states the rules).
"""

from __future__ import annotations

from math import factorial

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

OTHER = "other"


def players(touches: ir.Table, column: str, cap: int) -> tuple[list[str], bool]:
    """The values with the most attribution touches (a cheap pass over the touches, before
    the journeys are built); True when the rest become 'other'."""
    # a path-file row stands for conv + nulls journeys
    weight = (touches.conv + touches.nulls).sum() if "nulls" in touches.columns else None
    t = touches.group_by(_v=touches[column]).aggregate(
        w=weight if weight is not None else touches.count()
    )
    ranked = t.order_by([ibis.desc("w"), "_v"]).to_pandas()["_v"].tolist()
    if len(ranked) <= cap:
        return sorted(ranked), False
    return sorted(ranked[: cap - 1]) + [OTHER], True


def set_counts(j: ir.Table, names: list[str]) -> pd.DataFrame:
    """Per period and channel-set bit mask: journeys, conversions, revenue."""
    grouped = names[-1] == OTHER
    named = names[:-1] if grouped else names
    bit = ibis.cases(
        *[(j.dim == name, 1 << i) for i, name in enumerate(named)],
        else_=(1 << (len(names) - 1)) if grouped else 0,
    ).cast("int64")
    per = j.mutate(_bit=bit).group_by(["jid", "period"]).aggregate(
        mask=ibis._._bit.bit_or(),
        conv=ibis._.conv.max(),
        nulls=ibis._.nulls.max(),
        value=ibis._.value.max(),
    )
    out = per.group_by(["period", "mask"]).aggregate(
        journeys=(per.conv + per.nulls).sum(), conv=per.conv.sum(), value=per.value.sum()
    )
    return out.to_pandas()


def characteristic(masks: np.ndarray, rates: np.ndarray, k: int) -> np.ndarray:
    """v over all 2^k sets: the highest conversion rate among the observed subsets of the set
    (itself included); v(empty) = 0. Adding a channel never lowers the worth, so no channel
    gets a negative credit, and an unobserved set is worth its best observed subset."""
    size = 1 << k
    v = np.zeros(size)
    v[masks] = rates
    all_masks = np.arange(size)
    pop = _popcount(all_masks)
    for level in range(2, k + 1):  # subsets are settled before their supersets
        m = all_masks[pop == level]
        best = v[m]
        for b in range(k):
            has = (m >> b) & 1 == 1
            best[has] = np.maximum(best[has], v[m[has] ^ (1 << b)])
        v[m] = best
    return v


def shapley_of_set(v: np.ndarray, s: int, k: int) -> np.ndarray:
    """Shapley value of each player of set ``s`` in the game v restricted to ``s``."""
    size = 1 << k
    all_masks = np.arange(size)
    subsets = all_masks[(all_masks & ~s) == 0]
    m = bin(s).count("1")
    weights = np.array([factorial(t) * factorial(m - t - 1) / factorial(m) for t in range(m)])
    pop = _popcount(subsets)
    phi = np.zeros(k)
    for c in range(k):
        bit = 1 << c
        if not s & bit:
            continue
        t = subsets[(subsets & bit) == 0]
        phi[c] = float(np.sum(weights[pop[(subsets & bit) == 0]] * (v[t | bit] - v[t])))
    return phi


def attribute(counts: pd.DataFrame, names: list[str]) -> dict[str, tuple[float, float]]:
    """Conversions and revenue per player for one period's set counts."""
    k = len(names)
    counts = counts[counts["mask"] > 0]
    masks = counts["mask"].to_numpy(np.int64)
    journeys = counts["journeys"].to_numpy(float)
    conv = counts["conv"].to_numpy(float)
    value = counts["value"].to_numpy(float)
    rates = np.divide(conv, journeys, out=np.zeros_like(conv), where=journeys > 0)
    v = characteristic(masks, rates, k)
    credit = np.zeros(k)
    credit_v = np.zeros(k)
    for mask, c, val in zip(masks, conv, value, strict=True):
        if c <= 0:
            continue
        phi = shapley_of_set(v, int(mask), k)
        share = phi / v[mask]  # sums to 1 over the set (efficiency of the Shapley value)
        credit += c * share
        credit_v += val * share
    return {name: (credit[i], credit_v[i]) for i, name in enumerate(names)}


def _popcount(a: np.ndarray) -> np.ndarray:
    a = a.astype(np.int64)
    out = np.zeros(a.shape, dtype=np.int64)
    while np.any(a):
        out += a & 1
        a = a >> 1
    return out
