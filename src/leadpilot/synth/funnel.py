"""How far each lead gets: stage events (with exits) and deals.

Each lead gets a probability of reaching every stage from its campaign's funnel rates, bent by
its own score (ICP fit, engagement, landing-page intent) and calibrated so that each campaign
keeps its designed rates on average. Who passes each stage is drawn by systematic sampling
within the lead's campaign and quarter: every lead keeps its own probability, yet the counts of
a cell are those expected (to one), so even 10,000 leads show the designed situations. Delays
are lognormal, and whatever would happen after the snapshot date (AS_OF) is not observed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import catalog as cat
from .leads import N_CAMPAIGNS, LeadDraw
from .timeline import AS_OF_S, lognormal_seconds
from .vocab import STAGE

MQL, SAL, SQL, OPP, CUSTOMER = range(5)
_REASON = {name: i for i, name in enumerate(cat.REJECT_REASONS)}
_INDIVIDUAL = [s[0] for s in cat.SENIORITIES].index("individual")


@dataclass
class Funnel:
    reached: np.ndarray  # (5, n) bool: stage observed by AS_OF (mql .. customer)
    ts: np.ndarray  # (5, n) epoch seconds of each stage (meaningful where reached)
    close: np.ndarray  # closing time of the lead's deal, -1 while open or without deal
    # Stage events (unsorted): lead index, stage code, ts, reason code, owner code (-1 null).
    ev_lead: np.ndarray
    ev_stage: np.ndarray
    ev_ts: np.ndarray
    ev_reason: np.ndarray
    ev_owner: np.ndarray
    # Deals (unsorted): lead index, created_at, status code (open/won/lost), closed_at, amount.
    deal_lead: np.ndarray
    deal_created: np.ndarray
    deal_status: np.ndarray
    deal_closed: np.ndarray
    deal_amount: np.ndarray


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def _calibrated(
    target: np.ndarray, shift: np.ndarray, campaign: np.ndarray, cap: np.ndarray
) -> np.ndarray:
    """Per-lead probabilities logit(target) + shift + d[campaign], capped, whose campaign mean
    equals ``target``: Newton steps on the per-campaign offset d."""
    counts = np.maximum(np.bincount(campaign, minlength=N_CAMPAIGNS), 1)
    t = np.clip(target, 1e-6, 1 - 1e-6)
    base = np.log(t / (1 - t))[campaign] + shift
    d = np.zeros(N_CAMPAIGNS)
    for _ in range(25):
        p = _expit(base + d[campaign])
        capped = p > cap
        p_eff = np.where(capped, cap, p)
        gap = np.bincount(campaign, p_eff, N_CAMPAIGNS) / counts - target
        if np.abs(gap).max() < 1e-6:
            break
        slope = np.bincount(campaign, np.where(capped, 0.0, p * (1 - p)), N_CAMPAIGNS) / counts
        d -= np.clip(gap / np.maximum(slope, 1e-9), -2, 2)
    return p_eff


def stage_probabilities(leads: LeadDraw) -> np.ndarray:
    """(5, n) probability of reaching MQL, SAL, SQL, opportunity, customer (cumulative)."""
    score = (
        cat.SCORE_FIT * leads.fit
        + cat.SCORE_ENGAGEMENT * leads.engagement
        + cat.SCORE_INTENT * leads.intent
    )
    counts = np.maximum(np.bincount(leads.campaign, minlength=N_CAMPAIGNS), 1)
    score -= (np.bincount(leads.campaign, score, N_CAMPAIGNS) / counts)[leads.campaign]
    targets = np.cumprod(np.array([c.rates for c in cat.CAMPAIGNS]), axis=1)
    p = np.empty((5, leads.n))
    cap = np.full(leads.n, 0.995)
    for k, slope in enumerate(cat.STAGE_SCORE_SLOPES):
        p[k] = _calibrated(targets[:, k], slope * score, leads.campaign, cap)
        cap = p[k]
    for quarter, factors in cat.QUARTER_STAGE_FACTORS.items():
        inside = leads.quarter == quarter
        p[:, inside] *= np.asarray(factors)[:, None]
    return np.minimum.accumulate(np.minimum(p, 0.995), axis=0)


def systematic_sample(rng: np.random.Generator, p: np.ndarray, cell: np.ndarray) -> np.ndarray:
    """Select each row with probability p (<= 1), drawing within each cell a count within one
    of the cell's sum of p: systematic sampling over a random order, random start per cell."""
    n = len(p)
    order = np.lexsort((rng.random(n), cell))
    p_sorted, cell_sorted = p[order], cell[order]
    n_cells = int(cell.max()) + 1 if n else 0
    totals = np.bincount(cell_sorted, p_sorted, n_cells)
    before = np.r_[0.0, np.cumsum(totals)[:-1]]
    upto = np.cumsum(p_sorted) - before[cell_sorted]  # running sum within the cell
    start = rng.random(n_cells)[cell_sorted]
    hit = np.floor(upto - start) > np.floor(upto - p_sorted - start)
    chosen = np.empty(n, dtype=bool)
    chosen[order] = hit
    return chosen


def _reasons(rng: np.random.Generator, leads: LeadDraw, idx: np.ndarray, early: bool) -> np.ndarray:
    """Why sales (or marketing, ``early``) turned a lead down; depends on who the lead is."""
    k = len(idx)
    w = np.tile(np.asarray(cat.REJECT_REASON_WEIGHTS, dtype=float), (k, 1))
    if early:  # before MQL: mostly leads outside the target market
        w[:, [_REASON["no budget"], _REASON["bad timing"]]] *= 0.1
        w[:, _REASON["out of ICP"]] *= 3
    w[:, _REASON["not decision maker"]] *= np.where(
        leads.people.seniority[idx] == _INDIVIDUAL, 4.0, 0.5
    )
    w[:, _REASON["out of ICP"]] *= np.where(leads.fit[idx] < 0.45, 3.0, 0.5)
    w[:, _REASON["bad timing"]] *= np.where(leads.quarter[idx] == cat.SWAMPED_QUARTER, 2.5, 1.0)
    cdf = np.cumsum(w, axis=1)
    u = rng.random(k) * cdf[:, -1]
    return np.minimum((cdf < u[:, None]).sum(axis=1), len(cat.REJECT_REASONS) - 1)


def draw_funnel(rng: np.random.Generator, leads: LeadDraw) -> Funnel:
    n = leads.n
    p = stage_probabilities(leads)
    reach = np.zeros((5, n), dtype=bool)
    reach[MQL] = systematic_sample(rng, p[MQL], leads.cell)
    for k in (SAL, SQL, OPP, CUSTOMER):
        # Among those who reached the previous stage, with the conditional probability.
        idx = np.flatnonzero(reach[k - 1])
        step = p[k, idx] / np.maximum(p[k - 1, idx], 1e-12)
        reach[k, idx] = systematic_sample(rng, np.minimum(step, 1.0), leads.cell[idx])

    mql_days = np.array([c.mql_days for c in cat.CHANNELS])[leads.channel]
    mql_days = mql_days * np.where(leads.intent > 0, 0.3, 1.0)  # demo requests are hot at once
    sal_days = np.full(n, cat.DELAY_SAL[0])
    for quarter, factor in cat.QUARTER_SAL_DELAY.items():
        sal_days[leads.quarter == quarter] *= factor
    ts = np.empty((5, n), dtype=np.int64)
    ts[MQL] = leads.created + lognormal_seconds(rng, mql_days, cat.MQL_SIGMA, n)
    ts[SAL] = ts[MQL] + lognormal_seconds(rng, sal_days, cat.DELAY_SAL[1], n)
    ts[SQL] = ts[SAL] + lognormal_seconds(rng, cat.DELAY_SQL[0], cat.DELAY_SQL[1], n)
    ts[OPP] = ts[SQL] + lognormal_seconds(rng, *cat.DELAY_OPPORTUNITY, n)

    size = leads.companies.size[leads.people.company]
    log_size = np.log(size)
    amount = cat.DEAL_MEDIAN * np.exp(
        cat.DEAL_SIGMA * rng.standard_normal(n)
        + cat.DEAL_SIZE_ELASTICITY * (log_size - np.median(log_size))
    )
    amount = np.maximum(np.round(amount, -1), 500.0)
    won_days = cat.DELAY_WON[0] * (amount / cat.DEAL_MEDIAN) ** 0.3
    t_won = ts[OPP] + lognormal_seconds(rng, won_days, cat.DELAY_WON[1], n)
    t_lost = ts[OPP] + lognormal_seconds(rng, *cat.DELAY_LOST, n)
    ts[CUSTOMER] = t_won

    seen = reach & (ts <= AS_OF_S)
    seen = np.logical_and.accumulate(seen, axis=0)  # a stage needs the earlier ones observed
    won = seen[CUSTOMER]
    stale = rng.random(n) < cat.STALE_DEAL_SHARE
    lost = seen[OPP] & ~reach[CUSTOMER] & (t_lost <= AS_OF_S) & ~stale
    close = np.where(won, t_won, np.where(lost, t_lost, -1))

    sdr = rng.choice(len(cat.SDRS), n, p=np.asarray(cat.SDR_WEIGHTS) / sum(cat.SDR_WEIGHTS))
    ae = len(cat.SDRS) + rng.choice(
        len(cat.ACCOUNT_EXECUTIVES), n, p=np.asarray(cat.AE_WEIGHTS) / sum(cat.AE_WEIGHTS)
    )
    parts: list[tuple[np.ndarray, int, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(mask: np.ndarray, stage: str, when: np.ndarray, owner=None, reason=None) -> None:
        idx = np.flatnonzero(mask)
        own = np.full(len(idx), -1) if owner is None else owner[idx]
        why = np.full(len(idx), -1) if reason is None else reason
        parts.append((idx, STAGE[stage], when[idx], why, own))

    add(rng.random(n) < cat.LEAD_EVENT_SHARE, "lead", leads.created)
    add(seen[MQL], "mql", ts[MQL])
    skipped = seen[SQL] & (rng.random(n) < cat.SKIP_SAL_SHARE)
    add(seen[SAL] & ~skipped, "sal", ts[SAL], sdr)
    add(seen[SQL], "sql", ts[SQL], sdr)
    add(seen[OPP], "opportunity", ts[OPP], ae)
    add(won, "customer", t_won, ae)

    # Sales turned down an MQL it did not accept.
    t_rej = ts[MQL] + lognormal_seconds(rng, *cat.DELAY_REJECTED, n)
    rejected = seen[MQL] & ~reach[SAL] & (rng.random(n) < cat.REJECTED_EVENT_SHARE)
    rejected &= t_rej <= AS_OF_S
    add(rejected, "rejected", t_rej, sdr, _reasons(rng, leads, np.flatnonzero(rejected), False))

    # Accepted leads that stalled before an opportunity, or poor-fit leads weeded out early.
    t_last = np.where(seen[SQL], ts[SQL], ts[SAL])
    t_dq = t_last + lognormal_seconds(rng, *cat.DELAY_DISQUALIFIED, n)
    dq = seen[SAL] & ~reach[OPP] & (rng.random(n) < cat.DISQUALIFIED_SHARE) & (t_dq <= AS_OF_S)
    add(dq, "disqualified", t_dq, sdr, _reasons(rng, leads, np.flatnonzero(dq), False))
    t_early = leads.created + lognormal_seconds(rng, *cat.DELAY_EARLY_DISQUALIFIED, n)
    p_early = cat.EARLY_DISQUALIFIED_SHARE * 2 * (1 - leads.fit)
    early = ~reach[MQL] & (rng.random(n) < p_early) & (t_early <= AS_OF_S)
    add(early, "disqualified", t_early, None, _reasons(rng, leads, np.flatnonzero(early), True))

    has_deal = seen[OPP]
    status = np.where(won, 1, np.where(lost, 2, 0))  # schema order: open, won, lost
    return Funnel(
        reached=seen, ts=ts, close=close,
        ev_lead=np.concatenate([p[0] for p in parts]),
        ev_stage=np.concatenate([np.full(len(p[0]), p[1]) for p in parts]),
        ev_ts=np.concatenate([p[2] for p in parts]),
        ev_reason=np.concatenate([p[3] for p in parts]),
        ev_owner=np.concatenate([p[4] for p in parts]),
        deal_lead=np.flatnonzero(has_deal),
        deal_created=ts[OPP][has_deal],
        deal_status=status[has_deal],
        deal_closed=close[has_deal],
        deal_amount=amount[has_deal],
    )  # fmt: skip
