"""Assemble the six canonical tables from the drawn leads, funnel, touches, spend and traffic."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..schema import ALL_STAGES, DEAL_STATUSES, TABLES, TOUCHPOINT_TYPES
from . import catalog as cat
from .funnel import Funnel, draw_funnel
from .leads import UTM_OPTIONS, LeadDraw, draw_leads
from .people import emails, job_titles, repeat_variants, title_vocabulary
from .spend import Spend, Traffic, draw_spend, draw_traffic
from .timeline import DAY, START_DAY, START_S
from .touches import Touches, draw_touches
from .vocab import CAMPAIGN_NAMES, CHANNEL_NAMES, CONTENTS, OWNERS, numbered, strings

_ARROW_TYPES = {"timestamp": pa.timestamp("us"), "date": pa.date32(), "number": pa.float64()}
# UTM mediums whose links carry the campaign name in utm_campaign.
_TAGGED_MEDIUMS = ("cpc", "paid_social", "email", "affiliate")


def _timestamps(seconds: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    us = np.asarray(seconds, dtype=np.int64) * 1_000_000
    mask = None if valid is None else ~valid
    return pa.array(us, type=pa.timestamp("us"), mask=mask)


def _numbers(values: np.ndarray) -> pa.Array:
    values = np.asarray(values, dtype=np.float64)
    nan = np.isnan(values)
    return pa.array(values, type=pa.float64(), mask=nan if nan.any() else None)


def _table(name: str, columns: dict[str, pa.Array]) -> pa.Table:
    """Columns in the schema's order and types; refuses a missing or unknown column."""
    spec = TABLES[name]
    if set(columns) != set(spec.column_names):
        raise AssertionError(f"{name}: {sorted(set(columns) ^ set(spec.column_names))}")
    arrays, fields = [], []
    for col in spec.columns:
        arrow_type = _ARROW_TYPES.get(col.kind, pa.string())
        arrays.append(columns[col.name].cast(arrow_type))
        fields.append(pa.field(col.name, arrow_type))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _width(n: int) -> int:
    return max(6, len(str(n)))


def generate(n_leads: int, seed: int = 42) -> dict[str, pa.Table]:
    """Synthetic B2B lead-generation data: the six canonical tables, deterministic per seed.

    Leads are created over 2024-01-01 .. 2025-12-31 and followed until the snapshot date
    2026-03-31 (``catalog.AS_OF``): later events are not in the data yet. Volumes, spend and
    traffic scale with ``n_leads``; rates and costs per lead do not.
    """
    if n_leads < 1:
        raise ValueError("n_leads must be at least 1")
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(7)]
    n_dup = int(round(cat.DUPLICATE_SHARE * n_leads)) if n_leads >= 100 else 0
    n = n_leads - n_dup
    leads = draw_leads(rngs[0], n)
    funnel = draw_funnel(rngs[1], leads)

    # Repeat records: the same person filling a form again a few days later (no history).
    end_s = START_S + leads.grid.n * DAY
    eligible = np.flatnonzero(leads.created < end_s - cat.DUPLICATE_MAX_DAYS * DAY)
    dup_of = np.sort(rngs[2].choice(eligible, n_dup, replace=False))
    dup_created = leads.created[dup_of] + rngs[2].integers(DAY, cat.DUPLICATE_MAX_DAYS * DAY, n_dup)
    source = np.concatenate([np.arange(n), dup_of])
    created = np.concatenate([leads.created, dup_created])
    order = np.argsort(created, kind="stable")
    position = np.empty(n_leads, dtype=np.int64)
    position[order] = np.arange(n_leads)
    pos_of_original = position[:n]
    lead_ids = numbered("L", np.arange(1, n_leads + 1), _width(n_leads))
    row = source[order]  # original lead behind each output row

    address = emails(leads.companies, leads.people)
    address = pa.concat_arrays([address, repeat_variants(rngs[2], address.take(pa.array(dup_of)))])
    tables = {
        "leads": _leads_table(leads, row, created[order], lead_ids, address.take(pa.array(order))),
        "stage_events": _stage_table(funnel, pos_of_original, lead_ids),
        "deals": _deal_table(funnel, pos_of_original, lead_ids),
    }
    del address
    touches = draw_touches(rngs[3], leads, funnel)
    tables["touchpoints"] = _touch_table(touches, pos_of_original, _width(n_leads))
    del touches
    tables["spend"] = _spend_table(draw_spend(rngs[4], leads))
    tables["traffic"] = _traffic_table(draw_traffic(rngs[5], leads))
    return {name: tables[name] for name in TABLES}


def _leads_table(
    leads: LeadDraw, row: np.ndarray, created: np.ndarray, lead_ids: pa.Array, address: pa.Array
) -> pa.Table:
    comp, people = leads.companies, leads.people
    channel = leads.channel[row]
    company = people.company[row]
    utm = leads.utm[row]
    source, medium, referrer = (pa.array([u[k] for _, u in UTM_OPTIONS]) for k in range(3))
    tagged = np.array([u[1] in _TAGGED_MEDIUMS for _, u in UTM_OPTIONS])[utm]
    return _table("leads", {
        "lead_id": lead_ids,
        "created_at": _timestamps(created),
        "email": address,
        "channel": strings(np.where(leads.channel_missing[row], -1, channel), CHANNEL_NAMES),
        "campaign": strings(leads.campaign[row], CAMPAIGN_NAMES),
        "content": strings(leads.content[row], CONTENTS),
        "acquisition": strings(channel, tuple(c.acquisition for c in cat.CHANNELS)),
        "utm_source": strings(utm, source),
        "utm_medium": strings(utm, medium),
        "utm_campaign": strings(np.where(tagged, leads.campaign[row], -1), CAMPAIGN_NAMES),
        "referrer": strings(utm, referrer),
        "company": comp.name.take(pa.array(company)),
        "industry": strings(comp.industry[company], tuple(i[0] for i in cat.INDUSTRIES)),
        "company_size": _numbers(comp.size[company]),
        "country": strings(comp.country[company], tuple(c[0] for c in cat.COUNTRIES)),
        "job_title": strings(job_titles(people)[row], title_vocabulary()),
        "seniority": strings(people.seniority[row], tuple(s[0] for s in cat.SENIORITIES)),
    })  # fmt: skip


def _stage_table(funnel: Funnel, pos_of_original: np.ndarray, lead_ids: pa.Array) -> pa.Table:
    pos = pos_of_original[funnel.ev_lead]
    order = np.lexsort((funnel.ev_stage, pos, funnel.ev_ts))
    return _table("stage_events", {
        "lead_id": lead_ids.take(pa.array(pos[order])),
        "stage": strings(funnel.ev_stage[order], ALL_STAGES),
        "ts": _timestamps(funnel.ev_ts[order]),
        "reason": strings(funnel.ev_reason[order], cat.REJECT_REASONS),
        "owner": strings(funnel.ev_owner[order], OWNERS),
    })  # fmt: skip


def _deal_table(funnel: Funnel, pos_of_original: np.ndarray, lead_ids: pa.Array) -> pa.Table:
    pos = pos_of_original[funnel.deal_lead]
    order = np.lexsort((pos, funnel.deal_created))
    closed = funnel.deal_closed[order]
    return _table("deals", {
        "deal_id": numbered("D", np.arange(1, len(order) + 1), _width(len(order))),
        "lead_id": lead_ids.take(pa.array(pos[order])),
        "created_at": _timestamps(funnel.deal_created[order]),
        "status": strings(funnel.deal_status[order], DEAL_STATUSES),
        "closed_at": _timestamps(np.maximum(closed, 0), closed >= 0),
        "amount": _numbers(funnel.deal_amount[order]),
        "currency": pa.array(np.full(len(order), cat.CURRENCY)),
    })  # fmt: skip


def _touch_table(touches: Touches, pos_of_original: np.ndarray, width: int) -> pa.Table:
    n = len(touches.ts)
    return _table("touchpoints", {
        "lead_id": numbered("L", pos_of_original[touches.lead] + 1, width),
        "ts": _timestamps(touches.ts),
        "type": strings(touches.type, TOUCHPOINT_TYPES),
        "channel": strings(touches.channel, CHANNEL_NAMES),
        "campaign": strings(touches.campaign, CAMPAIGN_NAMES),
        "content": strings(touches.content, CONTENTS),
        "touch_id": numbered("T", np.arange(1, n + 1), _width(n)),
    })  # fmt: skip


def _dates(day: np.ndarray) -> pa.Array:
    return pa.array((START_DAY + np.asarray(day)).astype(np.int32), type=pa.date32())


def _spend_table(spend: Spend) -> pa.Table:
    n = len(spend.day)
    return _table("spend", {
        "date": _dates(spend.day),
        "channel": strings(spend.channel, CHANNEL_NAMES),
        "amount": _numbers(spend.amount),
        "campaign": strings(spend.campaign, CAMPAIGN_NAMES),
        "content": pa.nulls(n, pa.string()),
        "impressions": _numbers(spend.impressions),
        "clicks": _numbers(spend.clicks),
        "currency": pa.array(np.full(n, cat.CURRENCY)),
    })  # fmt: skip


def _traffic_table(traffic: Traffic) -> pa.Table:
    return _table("traffic", {
        "date": _dates(traffic.day),
        "visitors": _numbers(traffic.visitors),
        "channel": strings(traffic.channel, CHANNEL_NAMES),
        "content": strings(traffic.content, CONTENTS),
    })  # fmt: skip
