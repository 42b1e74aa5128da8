"""Touchpoints: the path before a lead is created, its engagement afterwards, sales activity.

Counts per lead are drawn per touch type (engaged leads touch more, and convert more, since the
same propensity drives both); ``np.repeat`` turns counts into rows, so nothing loops over leads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import catalog as cat
from .funnel import OPP, SAL, SQL, Funnel
from .leads import LeadDraw
from .timeline import AS_OF_S, DAY, lognormal_seconds, month_index, time_order
from .timeline import truncated_exponential as trunc_exp
from .vocab import (
    ASSET_0,
    CONTENT_INDEX,
    NEWSLETTER_0,
    NURTURE_0,
    SEQUENCE_0,
    TOUCH_TYPE,
    WEBINAR_0,
)

_CH = cat.CHANNEL_INDEX
_CAMP = cat.CAMPAIGN_INDEX
_AD_CHANNELS = np.isin(np.arange(len(cat.CHANNELS)), [_CH["paid_search"], _CH["paid_social"]])
_CREATION = np.array([TOUCH_TYPE[c.creation_touch] for c in cat.CHANNELS])
_FORM = _CREATION == TOUCH_TYPE["form_submit"]


@dataclass
class Touches:
    lead: np.ndarray  # sorted by ts
    ts: np.ndarray
    type: np.ndarray
    channel: np.ndarray
    campaign: np.ndarray
    content: np.ndarray


class _Rows:
    """Collects blocks of touches; scalar fields are broadcast to the block."""

    def __init__(self) -> None:
        self.blocks: list[tuple[np.ndarray, ...]] = []

    def add(self, lead, ts, kind, channel=-1, campaign=-1, content=-1) -> None:
        k = len(lead)
        if k == 0:
            return
        kind = TOUCH_TYPE[kind] if isinstance(kind, str) else kind

        def col(v, dtype):
            return np.broadcast_to(np.asarray(v, dtype=dtype), (k,))

        self.blocks.append((
            col(lead, np.int32), col(ts, np.int64), col(kind, np.int8), col(channel, np.int8),
            col(campaign, np.int16), col(content, np.int16),
        ))  # fmt: skip

    def sorted(self) -> Touches:
        cols = [np.concatenate([b[i] for b in self.blocks]) for i in range(6)]
        self.blocks.clear()
        order = time_order(cols[1])
        return Touches(*(c[order] for c in cols))


def _pick(rng: np.random.Generator, options: dict[str, float] | tuple, k: int, index) -> np.ndarray:
    """k codes drawn from weighted names ({name: weight}) or uniformly from a tuple of names."""
    if isinstance(options, dict):
        names, w = list(options), np.array(list(options.values()), dtype=float)
    else:
        names, w = list(options), np.ones(len(options))
    codes = np.array([index[x] for x in names])
    return codes[rng.choice(len(codes), k, p=w / w.sum())]


def _repeat(counts: np.ndarray) -> np.ndarray:
    """Lead index of every row, for per-lead row counts."""
    return np.repeat(np.arange(len(counts), dtype=np.int32), counts)


def _poisson_rows(rng: np.random.Generator, mean: np.ndarray) -> np.ndarray:
    return _repeat(rng.poisson(mean))


def _pre_touches(rng: np.random.Generator, leads: LeadDraw, rows: _Rows) -> None:
    created, ch = leads.created, leads.channel
    # The click or visit of the lead's own channel, minutes before the form.
    own = _FORM[ch] & (rng.random(leads.n) < cat.PRE_SESSION_SHARE)
    i = np.flatnonzero(own)
    kind = np.where(_AD_CHANNELS[ch[i]], TOUCH_TYPE["ad_click"], TOUCH_TYPE["visit"])
    rows.add(i, created[i] - rng.integers(60, 1800, len(i)), kind, ch[i], leads.campaign[i],
             leads.content[i])  # fmt: skip
    # Earlier touches from any channel (other channels too: multi-touch paths).
    scale = np.where(_FORM[ch], 1.0, 0.3)
    eng = np.exp(0.5 * cat.ENGAGEMENT_SIGMA * leads.engagement)
    i = _poisson_rows(rng, cat.PRE_TOUCHES * scale * eng / eng.mean())
    before = lognormal_seconds(rng, *cat.PRE_DAYS, len(i), max_days=cat.PRE_MAX_DAYS)
    ts = created[i] - before - 1800
    pre_ch = _pick(rng, dict(cat.PRE_MIX), len(i), _CH)
    for name, c in _CH.items():
        sel = pre_ch == c
        if not sel.any():
            continue
        k = int(sel.sum())
        campaigns = cat.PRE_TOUCH_CAMPAIGNS.get(name)
        campaign = -1 if campaigns is None else _pick(rng, campaigns, k, _CAMP)
        kind = np.full(k, TOUCH_TYPE["ad_click" if _AD_CHANNELS[c] else "visit"])
        if name == "paid_social":
            kind[rng.random(k) < 0.3] = TOUCH_TYPE["social"]
        content = _pick(rng, cat.PRE_TOUCH_PAGES[name], k, CONTENT_INDEX)
        rows.add(i[sel], ts[sel], kind, c, campaign, content)


def _creation_touches(rng: np.random.Generator, leads: LeadDraw, rows: _Rows) -> None:
    created, ch, camp = leads.created, leads.channel, leads.campaign
    form = np.flatnonzero(_FORM[ch])
    rows.add(form, created[form], "form_submit", ch[form], camp[form], leads.content[form])
    events = np.flatnonzero(ch == _CH["events"])
    rows.add(events, created[events], "other", ch[events], camp[events],
             CONTENT_INDEX["booth_scan"])  # fmt: skip
    follow = created[events] + lognormal_seconds(rng, 1.5, 0.4, len(events))
    rows.add(events, follow, "email_send", ch[events], camp[events])
    # Outbound: the SDR sequence starts when the prospect is added as a lead.
    ob = np.flatnonzero(ch == _CH["outbound"])
    step_days = np.array([0, 3, 7, 12, 18])
    sent = rng.random((len(ob), cat.OUTBOUND_STEPS)) < np.r_[1.0, np.full(4, 0.85)]
    r, step = np.nonzero(sent)
    lead = ob[r]
    ts = created[lead] + step_days[step] * DAY + np.where(step > 0, rng.integers(0, DAY, len(r)), 0)
    keep = ts <= AS_OF_S
    lead, ts, step = lead[keep], ts[keep], step[keep]
    rows.add(lead, ts, "email_send", ch[lead], camp[lead], SEQUENCE_0 + step)
    opened = rng.random(len(lead)) < cat.OUTBOUND_OPEN_RATE
    t_open = ts + lognormal_seconds(rng, 0.2, 1.0, len(lead))
    opened &= t_open <= AS_OF_S
    rows.add(lead[opened], t_open[opened], "email_open", ch[lead[opened]], camp[lead[opened]],
             SEQUENCE_0 + step[opened])  # fmt: skip
    calls = _poisson_rows(rng, np.full(len(ob), cat.OUTBOUND_CALLS))
    lead = ob[calls]
    ts = created[lead] + rng.integers(3600, 21 * DAY, len(lead))
    keep = ts <= AS_OF_S
    rows.add(lead[keep], ts[keep], "call", ch[lead[keep]], camp[lead[keep]])


def _email_touches(rng: np.random.Generator, leads: LeadDraw, rows: _Rows) -> None:
    n = leads.n
    z = leads.engagement
    horizon = np.minimum(cat.SEND_MONTHS * 30.4 * DAY, AS_OF_S - leads.created)
    appetite = rng.gamma(1.0, 1.0, n)  # how many lists the lead ended up on: skewed
    sends = _poisson_rows(rng, cat.SENDS_PER_MONTH * appetite * horizon / (30.4 * DAY))
    ts = leads.created[sends] + (rng.random(len(sends)) * horizon[sends]).astype(np.int64)
    campaign = _pick(rng, dict(cat.EMAIL_MIX), len(sends), _CAMP)
    content = np.full(len(sends), CONTENT_INDEX["webinar_invite"])
    newsletter = campaign == _CAMP["em_newsletter"]
    content[newsletter] = NEWSLETTER_0 + month_index(ts[newsletter])
    nurture = campaign == _CAMP["em_nurture"]
    content[nurture] = NURTURE_0 + rng.integers(0, cat.NURTURE_STEPS, int(nurture.sum()))
    email = _CH["email"]
    rows.add(sends, ts, "email_send", email, campaign, content)

    # Opens are a subset of sends, clicks a subset of opens; both follow engagement.
    p_open = np.minimum(cat.OPEN_RATE * np.exp(0.6 * z - 0.18), 0.95)
    opened = rng.random(len(sends)) < p_open[sends]
    t_open = ts + lognormal_seconds(rng, 0.15, 1.2, len(sends))
    opened &= t_open <= AS_OF_S
    o = np.flatnonzero(opened)
    rows.add(sends[o], t_open[o], "email_open", email, campaign[o], content[o])
    p_click = np.minimum(cat.CLICK_GIVEN_OPEN * np.exp(0.4 * z - 0.08), 0.9)
    clicked = rng.random(len(o)) < p_click[sends[o]]
    t_click = t_open[o] + rng.integers(5, 900, len(o))
    clicked &= t_click <= AS_OF_S
    c = o[clicked]
    rows.add(sends[c], t_click[clicked], "email_click", email, campaign[c], content[c])


def _engagement_touches(rng: np.random.Generator, leads: LeadDraw, rows: _Rows) -> None:
    eng = np.exp(cat.ENGAGEMENT_SIGMA * leads.engagement - cat.ENGAGEMENT_SIGMA**2 / 2)
    life = (AS_OF_S - leads.created).astype(float)

    def later(lead: np.ndarray, scale_days: float) -> np.ndarray:
        off = trunc_exp(rng, scale_days * DAY, life[lead])
        return leads.created[lead] + np.maximum(off.astype(np.int64), 60)

    i = _poisson_rows(rng, cat.DOWNLOADS * eng)
    ch = _pick(rng, dict(cat.DOWNLOAD_MIX), len(i), _CH)
    campaign = np.where(ch == _CH["email"], _CAMP["em_nurture"], -1)
    rows.add(i, later(i, cat.INTEREST_DAYS), "download", ch, campaign,
             ASSET_0 + rng.integers(0, len(cat.ASSETS), len(i)))  # fmt: skip

    i = _poisson_rows(rng, cat.WEBINAR_REGISTRATIONS * eng)
    ts = later(i, cat.INTEREST_DAYS)
    quarter = np.clip(month_index(ts) // 3, 0, 9)
    rows.add(i, ts, "webinar_registration", _CH["email"], _CAMP["em_webinar_invites"],
             WEBINAR_0 + quarter)  # fmt: skip
    went = rng.random(len(i)) < np.minimum(cat.WEBINAR_ATTENDANCE * eng[i] ** 0.3, 0.95)
    t_live = ts + lognormal_seconds(rng, 5.0, 0.5, len(i))
    went &= t_live <= AS_OF_S
    rows.add(i[went], t_live[went], "webinar_attendance", _CH["email"],
             _CAMP["em_webinar_invites"], WEBINAR_0 + quarter[went])  # fmt: skip

    i = _poisson_rows(rng, cat.POST_VISITS * eng)
    ch = _pick(rng, dict(cat.POST_VISIT_MIX), len(i), _CH)
    retarget = ch == _CH["paid_social"]
    kind = np.where(retarget, TOUCH_TYPE["ad_click"], TOUCH_TYPE["visit"])
    campaign = np.select([retarget, ch == _CH["email"]],
                         [_CAMP["pso_retargeting"], _CAMP["em_newsletter"]], -1)  # fmt: skip
    rows.add(i, later(i, 60.0), kind, ch, campaign,
             _pick(rng, cat.POST_PAGES, len(i), CONTENT_INDEX))  # fmt: skip

    i = _poisson_rows(rng, cat.POST_SOCIAL * eng)
    rows.add(i, later(i, cat.INTEREST_DAYS), "social", _CH["paid_social"],
             _CAMP["pso_thought_leadership"])  # fmt: skip


def _sales_touches(rng: np.random.Generator, funnel: Funnel, rows: _Rows) -> None:
    """Calls while qualifying, meetings once qualified: no marketing channel."""
    seen, ts = funnel.reached, funnel.ts
    end_sal = np.where(seen[SQL], ts[SQL], ts[SAL] + 14 * DAY)
    end_sql = np.where(seen[OPP], ts[OPP], ts[SQL] + 21 * DAY)
    end_opp = np.where(funnel.close >= 0, funnel.close, ts[OPP] + 120 * DAY)
    plans = (
        (SAL, "call", cat.SALES_CALLS, 0, end_sal),
        (SQL, "meeting", cat.SALES_MEETINGS_SQL, 1, end_sql),  # plus one discovery meeting
        (OPP, "meeting", cat.SALES_MEETINGS_OPP, 0, end_opp),
    )
    for stage, kind, mean, extra, end in plans:
        who = np.flatnonzero(seen[stage])
        i = who[_repeat(extra + rng.poisson(mean, len(who)))]
        start = ts[stage][i]
        span = np.maximum(np.minimum(end[i], AS_OF_S) - start, 0)
        rows.add(i, start + (rng.random(len(i)) * span).astype(np.int64), kind)


def draw_touches(rng: np.random.Generator, leads: LeadDraw, funnel: Funnel) -> Touches:
    rows = _Rows()
    _pre_touches(rng, leads, rows)
    _creation_touches(rng, leads, rows)
    _email_touches(rng, leads, rows)
    _engagement_touches(rng, leads, rows)
    _sales_touches(rng, funnel, rows)
    return rows.sorted()
