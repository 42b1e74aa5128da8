"""Is a rate's change real? Two-proportion tests from statsmodels and SciPy.

A rate compared between two periods (a conversion, an acceptance rate) gets the
difference of the proportions with its 95 % interval (Newcombe's hybrid score interval,
``statsmodels.stats.proportion.confint_proportions_2indep``) and a p-value: the
two-proportion z-test (``proportions_ztest``) when every expected count is at least 5,
Fisher's exact test (``scipy.stats.fisher_exact``) otherwise, where the normal
approximation is not trustworthy. statsmodels and SciPy are imported when a test runs,
not when leadpilot starts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

ALPHA = 0.05
MIN_EXPECTED = 5  # below it in any cell, the exact test replaces the z-test


@dataclass(frozen=True)
class RateChange:
    """A proportion in two periods, the difference and whether it is significant."""

    successes_before: int
    trials_before: int
    successes_after: int
    trials_after: int
    before: float | None
    after: float | None
    difference: float | None  # after - before
    low: float | None  # 95 % interval of the difference
    high: float | None
    p_value: float | None
    test: str  # "two-proportion z-test", "Fisher's exact test" or "none"

    def significant(self, alpha: float = ALPHA) -> bool:
        return self.p_value is not None and self.p_value < alpha

    def as_dict(self) -> dict:
        return asdict(self)


def compare_rates(x1: int, n1: int, x2: int, n2: int) -> RateChange:
    """Compare ``x1 / n1`` (before) with ``x2 / n2`` (after).

    Examples
    --------
    >>> c = compare_rates(60, 400, 48, 800)  # closing 15 % -> 6 %
    >>> round(c.difference, 3), c.test, c.significant()
    (-0.09, 'two-proportion z-test', True)
    """
    x1, n1, x2, n2 = int(x1), int(n1), int(x2), int(n2)
    if min(n1, n2) < 0 or x1 < 0 or x2 < 0 or x1 > n1 or x2 > n2:
        raise ValueError(f"not proportions: {x1}/{n1}, {x2}/{n2}")
    p1 = x1 / n1 if n1 else None
    p2 = x2 / n2 if n2 else None
    if not n1 or not n2:
        return RateChange(x1, n1, x2, n2, p1, p2, None, None, None, None, "none")
    diff = p2 - p1
    pooled = (x1 + x2) / (n1 + n2)
    expected = [n * pooled for n in (n1, n2)] + [n * (1 - pooled) for n in (n1, n2)]
    if x1 + x2 == 0 or x1 + x2 == n1 + n2:
        # the same rate (0 or 1) in both periods: no evidence of a change
        return RateChange(x1, n1, x2, n2, p1, p2, diff, 0.0, 0.0, 1.0, "none")
    from statsmodels.stats.proportion import confint_proportions_2indep

    low, high = confint_proportions_2indep(x2, n2, x1, n1, method="newcomb", compare="diff")
    if min(expected) < MIN_EXPECTED:
        from scipy.stats import fisher_exact

        _, p = fisher_exact([[x2, n2 - x2], [x1, n1 - x1]])
        test = "Fisher's exact test"
    else:
        from statsmodels.stats.proportion import proportions_ztest

        _, p = proportions_ztest([x2, x1], [n2, n1])
        test = "two-proportion z-test"
    return RateChange(x1, n1, x2, n2, p1, p2, diff, float(low), float(high), float(p), test)
