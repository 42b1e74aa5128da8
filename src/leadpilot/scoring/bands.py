"""Score bands A / B / C / D: which rule cuts the scores, and where.

Default rule, quantiles: A is the top 10 % of leads, B the next 20 %, C the next 30 %, D
the remaining 40 %. Why: conversion base rates are a few percent, so fixed cut-offs on a
probability (75 / 50 / 25) put nearly every lead in D and say nothing; ranks do. The top
10 % is the decile the evaluation's lift table leads with (the leads to call first), the
top 30 % (A + B) a usual share handed to sales, and D the bottom 40 % nobody should chase.

- model: the cut-offs are the quantiles of the score (100 x probability, rounded to the
  unit, as shown) on the model's training leads
  (train + validation parts, scored at creation + observation_days); they are stored in the
  model card, so a lead's band does not move with the population scored on a given day;
- rules score: the quantiles of rules_score on the leads being scored (rules are not
  trained, there is no other population);
- ``scoring.bands: [a, b, c]`` in leadpilot.yaml: fixed cut-offs on the 0-100 score column,
  used as they are.

Ties: leads with the same score always share a band, so a cut-off is the score whose share
of leads at or above it is closest to the target share (10 %, 30 %, 60 %); with many ties
(a points score) the bands' shares differ from the targets, and the output shows them.
"""

from __future__ import annotations

import numpy as np


def model_score(probability: np.ndarray) -> np.ndarray:
    """The 0-100 score a model's probability is shown as (scores.csv, the service): 100 x
    probability rounded to the unit. Thresholds compare this score, so a lead shown 50 is
    a scored-MQL at a threshold of 50 (49.6 was counted below it, while shown 50)."""
    return np.rint(np.asarray(probability, dtype=float) * 100)


LABELS = ("A", "B", "C", "D")
SHARES = (0.10, 0.20, 0.30, 0.40)  # A, B, C, D
QUANTILE_RULE = "quantiles: A the top 10 %, B the next 20 %, C the next 30 %, D the rest"


def quantile_cuts(
    scores: np.ndarray, shares: tuple[float, ...] = SHARES
) -> list[float | None]:
    """Cut-offs of bands A, B, C: for each cumulative target share (10 %, 30 %, 60 %), the
    score whose share of leads at or above it is closest to the target (ties share a band;
    on equal distance the higher cut-off, i.e. the smaller band, wins).

    The lowest score is never a cut-off: the leads that share it are D (with one score for
    every lead, e.g. no rule at all, every lead is D). None: nobody in that band.
    """
    s = np.asarray(scores, dtype=float)
    s = s[~np.isnan(s)]
    if not len(s):
        return [None, None, None]
    values, counts = np.unique(s, return_counts=True)  # ascending
    lowest = values[0]
    values, counts = values[::-1], counts[::-1]
    at_or_above = np.cumsum(counts) / len(s)
    cuts: list[float | None] = []
    for target in np.cumsum(shares)[:3]:
        cut = float(values[int(np.argmin(np.abs(at_or_above - target)))])
        cuts.append(None if cut == lowest else cut)
    return cuts


def band(score: np.ndarray, cuts: list[float | None]) -> np.ndarray:
    """'A' when score >= cuts[0], 'B' >= cuts[1], 'C' >= cuts[2], 'D' below (a None
    cut-off puts nobody in its band; missing scores are D)."""
    return np.array(LABELS, dtype=object)[band_codes(score, cuts)]


def band_codes(score: np.ndarray, cuts: list[float | None]) -> np.ndarray:
    """0 for A, 1 for B, 2 for C, 3 for D (see ``band``)."""
    s = np.asarray(score, dtype=float)
    out = np.full(s.shape, 3, dtype=np.int8)
    for code, cut in zip((2, 1, 0), cuts[::-1], strict=True):
        if cut is not None:
            out[s >= cut] = code
    return out


def describe(
    rule: str, cuts: list[float | None], compared: str, computed_on: str | None
) -> dict:
    """The bands' meta: the rule, the cut-offs, what they compare and where they came from."""
    return {
        "rule": rule,
        "cuts": {label: cut for label, cut in zip(LABELS, cuts, strict=False)},
        "compared": compared,
        "computed_on": computed_on,
    }
