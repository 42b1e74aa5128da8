"""Who the leads are and when they arrive: volumes per campaign and quarter, attributes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import catalog as cat
from .people import Companies, People, draw_people, fit_score, make_companies
from .timeline import DAY, START_S, DayGrid
from .vocab import CONTENT_INDEX, CONTENTS

N_CAMPAIGNS = len(cat.CAMPAIGNS)
CAMPAIGN_CHANNEL = np.array([cat.CHANNEL_INDEX[c.channel] for c in cat.CAMPAIGNS])
# Every channel's UTM options in one list; a lead stores the index of its option.
UTM_OPTIONS = tuple((i, u) for i, ch in enumerate(cat.CHANNELS) for u in ch.utm)
# Intent of each landing page, indexed by content code + 1 (no content: 0).
INTENT = np.zeros(len(CONTENTS) + 1)
INTENT[[CONTENT_INDEX[p] + 1 for p in cat.INTENT_PAGES]] = 1.0
INTENT[[CONTENT_INDEX[p] + 1 for p in cat.CONTENT_PAGES]] = -1.0


@dataclass
class LeadDraw:
    """The original leads (repeat records excluded), sorted by creation time."""

    n: int
    campaign: np.ndarray
    channel: np.ndarray
    quarter: np.ndarray
    created: np.ndarray  # epoch seconds
    content: np.ndarray  # content code, -1 none
    utm: np.ndarray  # index into UTM_OPTIONS
    channel_missing: np.ndarray  # bool: the CRM lost the channel, UTMs remain
    fit: np.ndarray
    engagement: np.ndarray  # standard normal propensity to engage
    intent: np.ndarray  # +1 intent page, -1 content page, 0 other
    cell: np.ndarray  # (campaign, quarter) cell: conversions are sampled within it
    people: People
    companies: Companies
    grid: DayGrid
    expected: np.ndarray  # expected leads per campaign and day (for spend and traffic)
    campaign_counts: np.ndarray


def day_weights(grid: DayGrid) -> np.ndarray:
    """Relative lead volume of each campaign on each day of the grid."""
    w = np.zeros((N_CAMPAIGNS, grid.n))
    for c, camp in enumerate(cat.CAMPAIGNS):
        workday = camp.channel in ("events", "outbound", "partners")
        base = grid.weights(cat.WORKDAY_ONLY_WEIGHTS if workday else cat.WEEKDAY_WEIGHTS)
        if camp.window is not None:
            first, last = grid.index(camp.window[0]), grid.index(camp.window[1])
            shape = np.zeros(grid.n)
            shape[first : last + 1] = 1.0
            if camp.peak_days:
                # Show days carry the scans; a few trickle in while badges are uploaded.
                after = np.arange(last + 1 - first - camp.peak_days)
                shape[first + camp.peak_days : last + 1] = 0.12 * 0.7**after
                base = np.ones(grid.n)
            w[c] = base * shape
        elif camp.quarters is not None:
            w[c] = base * np.isin(grid.quarter, camp.quarters)
        else:
            w[c] = base
    return w


def quarter_mass(grid: DayGrid, weights: np.ndarray) -> np.ndarray:
    """Total day weight of each campaign in each quarter."""
    return np.stack([weights[:, grid.quarter == q].sum(1) for q in range(cat.N_QUARTERS)], 1)


def expected_per_quarter(grid: DayGrid, weights: np.ndarray) -> np.ndarray:
    """Expected leads per campaign and quarter, per 10,000 leads."""
    mass = quarter_mass(grid, weights)
    e = np.zeros((N_CAMPAIGNS, cat.N_QUARTERS))
    fixed = np.array([c.fixed for c in cat.CAMPAIGNS])
    is_fixed = fixed > 0
    e[is_fixed] = fixed[is_fixed, None] * mass[is_fixed] / mass[is_fixed].sum(1, keepdims=True)
    regular = np.asarray(cat.QUARTER_TOTALS, dtype=float) - e.sum(axis=0)
    if (regular < 0).any():
        raise ValueError("fixed campaigns exceed a quarter's total volume in the catalog")
    for ch_i, ch in enumerate(cat.CHANNELS):
        members = [
            c for c, camp in enumerate(cat.CAMPAIGNS)
            if CAMPAIGN_CHANNEL[c] == ch_i and not camp.fixed
        ]  # fmt: skip
        for q in range(cat.N_QUARTERS):
            active = [c for c in members if mass[c, q] > 0]
            total = sum(cat.CAMPAIGNS[c].weight for c in active)
            for c in active:
                e[c, q] = regular[q] * ch.share * cat.CAMPAIGNS[c].weight / total
    return e


def largest_remainder(rng: np.random.Generator, expected: np.ndarray, total: int) -> np.ndarray:
    """Integer counts summing to ``total`` that follow ``expected`` as closely as possible."""
    scaled = expected.ravel() * total / expected.sum()
    counts = np.floor(scaled).astype(np.int64)
    missing = total - counts.sum()
    if missing > 0:
        frac = scaled - counts + rng.random(len(scaled)) * 1e-6  # random tie-break
        counts[np.argsort(-frac, kind="stable")[:missing]] += 1
    return counts.reshape(expected.shape)


def _sample_days(
    rng: np.random.Generator,
    grid: DayGrid,
    weights: np.ndarray,
    cells: np.ndarray,
    lead_cell: np.ndarray,
) -> np.ndarray:
    """Day index of each lead, drawn from its (campaign, quarter) cell's day weights."""
    c_of, q_of = cells // cat.N_QUARTERS, cells % cat.N_QUARTERS
    rows = weights[c_of] * (grid.quarter[None, :] == q_of[:, None])
    cdf = np.cumsum(rows, axis=1)
    cdf /= cdf[:, -1:]
    flat = (cdf + np.arange(len(cells))[:, None]).ravel()
    pos = np.searchsorted(flat, lead_cell + rng.random(len(lead_cell)), side="right")
    return np.minimum(pos - lead_cell * grid.n, grid.n - 1)


def draw_leads(rng: np.random.Generator, n: int) -> LeadDraw:
    grid = DayGrid()
    weights = day_weights(grid)
    per_q = expected_per_quarter(grid, weights)
    counts = largest_remainder(rng, per_q, n)  # (campaign, quarter)
    cells = np.flatnonzero(counts.ravel())
    lead_cell = np.repeat(np.arange(len(cells)), counts.ravel()[cells])
    campaign = cells[lead_cell] // cat.N_QUARTERS
    day = _sample_days(rng, grid, weights, cells, lead_cell)
    hour = rng.choice(24, n, p=np.asarray(cat.HOUR_WEIGHTS) / sum(cat.HOUR_WEIGHTS))
    created = START_S + day * DAY + hour * 3600 + rng.integers(0, 3600, n)

    # Expected leads per campaign and day: what spend and traffic are drawn around.
    mass = quarter_mass(grid, weights)
    per_day_factor = np.divide(counts, mass, out=np.zeros_like(per_q), where=mass > 0)
    expected = weights * per_day_factor[:, grid.quarter]

    channel = CAMPAIGN_CHANNEL[campaign]
    content = np.full(n, -1, dtype=np.int64)
    utm = np.zeros(n, dtype=np.int64)
    campaign_counts = np.bincount(campaign, minlength=N_CAMPAIGNS)
    bounds = np.r_[0, np.cumsum(campaign_counts)]  # leads are grouped by campaign here
    blocks = []
    for c, camp in enumerate(cat.CAMPAIGNS):
        start, stop = int(bounds[c]), int(bounds[c + 1])
        codes = np.array([-1 if x is None else CONTENT_INDEX[x] for x, _ in camp.contents])
        p = np.array([w for _, w in camp.contents])
        content[start:stop] = codes[rng.choice(len(codes), stop - start, p=p / p.sum())]
        ch = cat.CHANNELS[CAMPAIGN_CHANNEL[c]]
        bias = ch.icp_bias if camp.icp_bias is None else camp.icp_bias
        blocks.append((start, stop, bias))
    for ch_i in range(len(cat.CHANNELS)):
        options = [k for k, (i, _) in enumerate(UTM_OPTIONS) if i == ch_i]
        p = np.array([UTM_OPTIONS[k][1][3] for k in options])
        mask = channel == ch_i
        utm[mask] = np.asarray(options)[rng.choice(len(options), mask.sum(), p=p / p.sum())]
    for c, camp in enumerate(cat.CAMPAIGNS):
        if camp.utm_source is not None:
            fixed = [k for k, (_, u) in enumerate(UTM_OPTIONS) if u[0] == camp.utm_source]
            utm[bounds[c] : bounds[c + 1]] = fixed[0]

    companies = make_companies(rng, max(10, n // cat.LEADS_PER_COMPANY))
    people = draw_people(rng, companies, blocks)
    fit = fit_score(companies, people)
    engagement = rng.standard_normal(n)
    intent = INTENT[content + 1]
    # The CRM lost the channel of some web leads; their UTMs still tell where they came from.
    derivable = np.array([ch.utm[0][1] is not None for ch in cat.CHANNELS])[channel]
    p_missing = min(1.0, cat.MISSING_CHANNEL_SHARE * n / max(1, derivable.sum()))
    channel_missing = derivable & (rng.random(n) < p_missing)

    order = np.argsort(created, kind="stable")

    def o(a: np.ndarray) -> np.ndarray:
        return a[order]

    people = People(*(o(getattr(people, f)) for f in People.__dataclass_fields__))
    return LeadDraw(
        n=n, campaign=o(campaign), channel=o(channel), quarter=o(grid.quarter[day]),
        created=o(created), content=o(content), utm=o(utm), channel_missing=o(channel_missing),
        fit=o(fit), engagement=o(engagement), intent=o(intent), cell=o(lead_cell), people=people,
        companies=companies, grid=grid, expected=expected, campaign_counts=campaign_counts,
    )  # fmt: skip
