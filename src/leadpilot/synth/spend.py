"""Daily spend per paid campaign and daily website visitors, drawn around the lead volumes.

Spend follows each campaign's expected daily leads so that its cost per lead comes out at the
catalog's CPL; visitors follow expected leads divided by the channel's visitor->lead rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import catalog as cat
from .leads import CAMPAIGN_CHANNEL, LeadDraw
from .timeline import DAY, START_S
from .vocab import CONTENT_INDEX, CONTENTS

CLICK_TO_VISIT = 0.9  # share of ad clicks that land as a tracked visit
MIN_DAY_SHARE = 0.1  # days below this fraction of an average day get no spend row


@dataclass
class Spend:
    day: np.ndarray  # index into the day grid
    channel: np.ndarray
    campaign: np.ndarray
    amount: np.ndarray
    impressions: np.ndarray  # NaN when the channel has none
    clicks: np.ndarray


@dataclass
class Traffic:
    day: np.ndarray
    channel: np.ndarray
    content: np.ndarray
    visitors: np.ndarray


def draw_spend(rng: np.random.Generator, leads: LeadDraw) -> Spend:
    parts = []
    for c, camp in enumerate(cat.CAMPAIGNS):
        n_leads = int(leads.campaign_counts[c])
        if camp.cpl is None or n_leads == 0:
            continue
        days = np.flatnonzero(leads.expected[c] > 0)
        share = leads.expected[c, days] * np.exp(0.25 * rng.standard_normal(len(days)))
        keep = share >= MIN_DAY_SHARE * share.mean()
        days, share = days[keep], share[keep] / share[keep].sum()
        total = camp.cpl * n_leads * (1 + 0.015 * rng.standard_normal())
        amount = np.round(total * share, 2)
        ch = cat.CHANNELS[CAMPAIGN_CHANNEL[c]]
        if ch.ctr > 0:
            cpc = camp.cpl * ch.landing_cvr * CLICK_TO_VISIT  # cost per click behind the CPL
            cpc = cpc * np.exp(0.1 * rng.standard_normal(len(days)))
            clicks = np.rint(amount / cpc)
            ctr = ch.ctr * np.exp(0.15 * rng.standard_normal(len(days)))
            impressions = np.maximum(np.rint(clicks / ctr), clicks)
        else:
            clicks = impressions = np.full(len(days), np.nan)
        parts.append((days, np.full(len(days), CAMPAIGN_CHANNEL[c]), np.full(len(days), c),
                      amount, impressions, clicks))  # fmt: skip
    cols = [np.concatenate([p[i] for p in parts]) if parts else np.zeros(0) for i in range(6)]
    order = np.lexsort((cols[2], cols[1], cols[0]))
    return Spend(*(col[order] for col in cols))


def draw_traffic(rng: np.random.Generator, leads: LeadDraw) -> Traffic:
    grid = leads.grid
    n_content = len(CONTENTS)
    day = (leads.created - START_S) // DAY
    # Realised leads per (channel, content, day): visitors are never fewer.
    key = (leads.channel * n_content + np.maximum(leads.content, 0)) * grid.n + day
    realised = np.bincount(key, minlength=len(cat.CHANNELS) * n_content * grid.n)
    realised = realised.reshape(len(cat.CHANNELS), n_content, grid.n)
    parts = []
    for ch_i, ch in enumerate(cat.CHANNELS):
        if ch.landing_cvr <= 0:
            continue
        expected = np.zeros((n_content, grid.n))
        for c, camp in enumerate(cat.CAMPAIGNS):
            if CAMPAIGN_CHANNEL[c] != ch_i:
                continue
            total = sum(w for _, w in camp.contents)
            for page, w in camp.contents:
                expected[CONTENT_INDEX[page]] += leads.expected[c] * w / total
        landing = expected / ch.landing_cvr
        # Home page and blog: visitors who never fill a form.
        extra = landing.sum(axis=0) * ch.extra_visitors
        blog = 0.8 if ch.name == "organic_search" else 0.3
        landing[CONTENT_INDEX["/blog"]] += extra * blog
        landing[CONTENT_INDEX["/"]] += extra * (1 - blog)
        noise = np.exp(0.15 * rng.standard_normal(landing.shape))
        visitors = np.maximum(rng.poisson(landing * noise), realised[ch_i])
        content, days = np.nonzero(visitors)
        parts.append((days, np.full(len(days), ch_i), content, visitors[content, days]))
    cols = [np.concatenate([p[i] for p in parts]) for i in range(4)]
    order = np.lexsort((cols[2], cols[1], cols[0]))
    return Traffic(*(col[order] for col in cols))
