"""ROC AUC: the one function the model choice, the leakage guard, training and evaluation
use (scikit-learn's roc_auc_score gives the same number; a test holds them equal)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def auc(y: np.ndarray, score: np.ndarray) -> float | None:
    """ROC AUC by the rank-sum (Mann-Whitney) formula, average ranks for ties: the
    probability that a random converter scores above a random non-converter, ties counting
    one half. None when ``y`` does not hold both outcomes.

    Examples
    --------
    >>> auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
    0.75
    """
    y = np.asarray(y).astype(bool)
    pos, neg = int(y.sum()), int((~y).sum())
    if pos == 0 or neg == 0:
        return None
    ranks = pd.Series(np.asarray(score, dtype=float)).rank(method="average").to_numpy()
    return float((ranks[y].sum() - pos * (pos + 1) / 2) / (pos * neg))
