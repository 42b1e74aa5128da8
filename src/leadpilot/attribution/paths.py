"""Journeys: the attribution touches of each lead, in order, up to its conversion.

One row per touch, computed in the engine. Every later step (heuristic weights, Markov
transitions, Shapley channel sets) reads this one table, whose columns are:

- ``jid``: the journey (a lead id, or a path-file row);
- ``pos`` (0-based, ordered by time then touch_id) and ``n`` (touches in the journey);
- ``dim``: the value of the --by dimension ('(none)' when empty); ``channel``;
- ``period``: the period of the conversion date (null when period is 'all');
  with ``date_from`` / ``date_to``, only the journeys whose ``end_at`` is in the range;
- ``conv`` / ``nulls``: how many journeys of this row converted / did not (1/0 for a lead;
  counts for a path-file row); ``value``: their revenue;
- from a workspace only: ``ts``, ``end_at`` (conversion date, or the last touch of a lead
  that did not convert), ``created_at``, ``opportunity_at``, ``customer_at``.
"""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir

from ..config import Config
from ..errors import MissingDataError, UsageError
from ..metrics.compute import PERIOD_UNITS, in_range
from ..metrics.model import lead_keys, lead_model
from .definitions import CONVERSIONS

NONE_LABEL = "(none)"
BY_DIMENSIONS = ("channel", "campaign", "content")


def check_options(conversion: str, by: str, period: str, lookback: int) -> None:
    if conversion not in CONVERSIONS:
        raise UsageError(f"--conversion {conversion!r}: expected one of {', '.join(CONVERSIONS)}")
    if by not in BY_DIMENSIONS:
        raise UsageError(f"--by {by!r}: expected one of {', '.join(BY_DIMENSIONS)}")
    if period not in PERIOD_UNITS:
        raise UsageError(f"--period {period!r}: expected one of {', '.join(PERIOD_UNITS)}")
    if lookback < 1:
        raise UsageError(f"--lookback {lookback}: expected a number of days >= 1")


def conversion_column(conversion: str) -> str:
    """'revenue' converts at the customer stage; its shares are shares of revenue."""
    if conversion == "lead":
        return "created_at"
    return "customer_at" if conversion == "revenue" else f"{conversion}_at"


def journeys(
    tables: dict[str, ir.Table],
    config: Config,
    *,
    conversion: str,
    by: str,
    lookback: int,
    period: str,
    date_from: date | None = None,
    date_to: date | None = None,
) -> ir.Table:
    """The touch table of every lead with at least one attribution touch in its window.

    ``date_from`` / ``date_to`` keep the journeys that end in the range (from the start of
    the first day to the end of the last): ``end_at``, the conversion date, or the last
    attribution touch of a lead that did not convert. Their touches before the range (in
    the lookback window) still count."""
    model = lead_model(
        tables,
        implied=config.stages.implied,
        keep=["mql_at", "sql_at", "opportunity_at", "customer_at", "revenue"],
    )
    conv_at = model[conversion_column(conversion)]
    model = model.select(
        _lk=model.lead_id,
        conv_at=conv_at,
        created_at=model.created_at,
        opportunity_at=model.opportunity_at,
        customer_at=model.customer_at,
        revenue=model.revenue,
    )
    keys = lead_keys(tables["leads"])
    # record -> its lead's dates, joined first on the (small) lead side: one join of the
    # touches instead of two; merged records count for the lead they were merged into
    facts = keys.join(model, keys.lead_key == model._lk)
    tp = attribution_touches(tables, config, by)
    tp = tp.join(facts, tp.lead_id == facts.record_id)
    # A lead that did not convert: its journey so far, up to its last attribution touch.
    last = tp.ts.max().over(ibis.window(group_by=tp.lead_key))
    tp = tp.mutate(end_at=ibis.coalesce(tp.conv_at, last))
    age = tp.end_at.epoch_seconds() - tp.ts.epoch_seconds()
    tp = tp.filter((age >= 0) & (age <= lookback * 86400))
    if date_from is not None or date_to is not None:
        tp = tp.filter(in_range(tp.end_at, date_from, date_to))
    converted = tp.conv_at.notnull()
    unit = PERIOD_UNITS[period]
    j = tp.select(
        jid=tp.lead_key,
        ts=tp.ts,
        touch_id=tp.touch_id,
        dim=tp[by].fill_null(NONE_LABEL),
        channel=tp.channel.fill_null(NONE_LABEL),
        period=tp.end_at.truncate(unit).date() if unit else ibis.literal(None, "date"),
        # integers cast to doubles: PostgreSQL reads a literal 1.0 as numeric
        conv=converted.ifelse(1, 0).cast("float64"),
        nulls=converted.ifelse(0, 1).cast("float64"),
        value=converted.ifelse(tp.revenue, 0.0),
        end_at=tp.end_at,
        created_at=tp.created_at,
        opportunity_at=tp.opportunity_at,
        customer_at=tp.customer_at,
    )
    w = ibis.window(group_by=j.jid, order_by=[j.ts, j.touch_id])
    return j.mutate(
        pos=ibis.row_number().over(w),
        n=j.jid.count().over(ibis.window(group_by=j.jid)),
    )


def attribution_touches(tables: dict[str, ir.Table], config: Config, by: str) -> ir.Table:
    """Touches of the attribution types; without a value of ``by`` they cannot take credit
    (unless keep_unlabelled)."""
    s = config.attribution
    tp = tables["touchpoints"]
    tp = tp.filter(tp.type.isin(s.touch_types))
    if not s.keep_unlabelled:
        tp = tp.filter(tp[by].notnull())
    return tp


NEEDS_TOUCHES = (
    "attribution credits the touches (touchpoints table: lead_id, ts, type, channel) that "
    "precede each conversion"
)


def check_touches(tables: dict[str, ir.Table], config: Config, by: str) -> None:
    """Every model needs attribution touches: say which are missing, and how to get them.

    One small query; raises :class:`MissingDataError` when the workspace has no
    touchpoints, none of the attribution types, or none with a value of ``by``.
    """
    s = config.attribution
    tp = tables["touchpoints"]
    typed = tp.type.isin(s.touch_types)
    row = (
        tp.aggregate(n=tp.count(), typed=typed.sum(), labelled=(typed & tp[by].notnull()).sum())
        .to_pyarrow()
        .to_pylist()[0]
    )
    n, n_typed, n_labelled = (int(row[k] or 0) for k in ("n", "typed", "labelled"))
    if n == 0:
        raise MissingDataError(
            f"{NEEDS_TOUCHES}, and this workspace has no touchpoints (a CRM-only export "
            "holds none); ingest a touchpoints file (web visits, form submits, e-mail clicks, "
            "ad clicks, …) to use any attribution model; meanwhile `leadpilot kpis --by "
            "channel` gives revenue by the lead's own source channel"
        )
    if n_typed == 0:
        found = sorted(
            str(v) for v in tp.select("type").distinct().to_pyarrow().column(0).to_pylist()
        )
        raise MissingDataError(
            f"{NEEDS_TOUCHES}, and none of the {n:,} touchpoints has an attribution type "
            f"(attribution.touch_types: {', '.join(s.touch_types)}; types found: "
            f"{', '.join(found)}); add the types that count to attribution.touch_types in "
            "leadpilot.yaml"
        )
    if n_labelled == 0 and not s.keep_unlabelled:
        raise MissingDataError(
            f"{NEEDS_TOUCHES}, and none of the {n_typed:,} attribution touches has a {by}; "
            f"attribute by another dimension (--by), or set attribution.keep_unlabelled: true "
            f"to credit them as {NONE_LABEL!r}"
        )


def conversion_totals(
    tables: dict[str, ir.Table],
    config: Config,
    conversion: str,
    date_from: date | None = None,
    date_to: date | None = None,
) -> dict:
    """All conversions at the stage and their revenue, touched or not (one small query);
    with ``date_from`` / ``date_to``, those whose conversion date is in the range."""
    model = lead_model(
        tables,
        implied=config.stages.implied,
        keep=["mql_at", "sql_at", "opportunity_at", "customer_at", "revenue"],
    )
    at = model[conversion_column(conversion)]
    conv = model.filter(at.notnull() & in_range(at, date_from, date_to))
    row = conv.aggregate(n=conv.count(), revenue=conv.revenue.sum()).to_pyarrow().to_pylist()[0]
    return {"n": int(row["n"] or 0), "revenue": float(row["revenue"] or 0.0)}
