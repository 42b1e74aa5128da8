"""Calendar helpers: the day grid of the lead window and random delays, all in epoch seconds."""

from __future__ import annotations

import numpy as np

from . import catalog as cat

DAY = 86_400
AS_OF_S = int(cat.AS_OF.astype("datetime64[s]").astype(np.int64))
START_S = int(cat.LEADS_START.astype("datetime64[s]").astype(np.int64))
START_DAY = int(cat.LEADS_START.astype(np.int64))  # days since 1970-01-01


class DayGrid:
    """Every day on which leads can be created, with its quarter, weekday and seasonal factor."""

    def __init__(self) -> None:
        days = np.arange(cat.LEADS_START, cat.LEADS_END + np.timedelta64(1, "D"))
        self.days = days
        self.n = len(days)
        months = days.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
        self.quarter = ((months - (2024 - 1970) * 12) // 3).astype(np.int64)
        self.weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
        season = np.ones(self.n)
        for first, last, factor in cat.SEASONAL_DIPS:
            inside = (days >= np.datetime64(first)) & (days <= np.datetime64(last))
            season[inside] *= factor
        self.season = season

    def index(self, day: str) -> int:
        return int((np.datetime64(day, "D") - cat.LEADS_START).astype(np.int64))

    def weights(self, weekday_weights: tuple[float, ...]) -> np.ndarray:
        return np.asarray(weekday_weights)[self.weekday] * self.season


def lognormal_seconds(
    rng: np.random.Generator,
    median_days: float | np.ndarray,
    sigma: float,
    size: int,
    max_days: float = cat.MAX_DELAY_DAYS,
) -> np.ndarray:
    """Positive delays (whole seconds, at least MIN_DELAY_SECONDS) with a lognormal shape;
    capped, since millions of draws reach absurd tails (years)."""
    days = np.minimum(np.asarray(median_days) * np.exp(sigma * rng.standard_normal(size)), max_days)
    return np.maximum(np.rint(days * DAY), cat.MIN_DELAY_SECONDS).astype(np.int64)


def truncated_exponential(rng: np.random.Generator, scale: float, limit: np.ndarray) -> np.ndarray:
    """Offsets in [0, limit) that decay with ``scale`` (interest fades after creation)."""
    u = rng.random(len(limit))
    return -scale * np.log1p(-u * -np.expm1(-limit / scale))


_TABLE_FIRST_DAY = int(np.datetime64("2020-01-01", "D").astype(np.int64))
_MONTH_OF_DAY = (
    np.arange(np.datetime64("2020-01-01", "D"), np.datetime64("2031-01-01", "D"))
    .astype("datetime64[M]")
    .astype(np.int64)
)


def month_index(ts: np.ndarray, since: str = "2024-01") -> np.ndarray:
    """Months elapsed between ``since`` and each timestamp (seconds); a table lookup, since
    NumPy's datetime64 month conversion is slow on millions of rows."""
    months = _MONTH_OF_DAY[ts // DAY - _TABLE_FIRST_DAY]
    return months - np.datetime64(since, "M").astype(np.int64)


def time_order(ts: np.ndarray) -> np.ndarray:
    """Stable sorting order by timestamp; packs (time, position) into one int64 and sorts the
    values, which NumPy does several times faster than an argsort."""
    n = len(ts)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    bits = max(1, int(n).bit_length())
    rel = ts - ts.min()
    if int(rel.max()).bit_length() + bits > 63:
        return np.argsort(ts, kind="stable")
    packed = (rel.astype(np.int64) << bits) | np.arange(n, dtype=np.int64)
    packed.sort()
    return packed & ((1 << bits) - 1)
