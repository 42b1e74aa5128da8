"""Compiling KPI definitions to Ibis and running them on the workspace backend.

Aggregation happens in the engine; only the grouped result (a few hundred rows
at most) comes back, where rates get their Wilson intervals and periods their
labels.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import ibis
import ibis.expr.types as ir

from ..config import Config
from ..engine import records, scalar
from ..errors import LeadpilotError, Notice, UsageError
from ..i18n import day_word
from ..results import NONE, Meta, Result, param
from ..schema import counted_leads
from .asof import AsOf, resolve_as_of, workspace_as_of
from .catalog import CATALOG, HEADLINE, Kpi, Text
from .measures import (
    MEASURES,
    Measure,
    aggregate,
    cohort_value,
    dated_totals,
    deal_match,
    derive,
    expand,
    in_days,
    lead_columns,
    row_value,
    touch_match,
)
from .model import (
    STAGE_COLUMNS,
    Materialize,
    engagement_for,
    lead_column,
    lead_model,
    remembered,
    row_count,
    to_lead,
    with_lead,
)

PERIOD_UNITS = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y", "all": None}
Z95 = 1.959963984540054


class KpiResult(Result):
    """KPIs by period and group (one row each), every KPI with its rule in the view computed.

    ``meta``: ``view`` and ``view_rule``, ``as_of`` and ``as_of_rule``, ``period``, ``by``,
    ``currency``, ``definitions`` (English; ``definitions_in(lang)``), ``maturity``
    (cohort view by period), ``kpis`` (each KPI's label, unit, kind, rule) and ``warnings``;
    ``kpis`` (attribute) holds the catalog entries.
    """

    def __init__(
        self,
        rows: list[dict],
        kpis: list[Kpi],
        by: list[str],
        period: str,
        view: str,
        currency: str,
        warnings: list[str] | None = None,
        maturity: dict | None = None,  # cohort view: as_of date and expected conversion delay
        as_of: AsOf | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> None:
        dates = {  # the range the rows cover, when one was given
            k: v.isoformat() for k, v in (("date_from", date_from), ("date_to", date_to)) if v
        }
        meta = Meta(
            "kpis",
            view=view,
            view_rule=VIEW_RULES[view],
            as_of=as_of,
            params={"period": period, "by": by, "currency": currency, **dates},
            definitions={k.name: k.definition_for(view) for k in kpis},
            details={"maturity": maturity, "kpis": {k.name: k.as_dict(view) for k in kpis}},
            headers={k.name: Text(k.header, k.label_fr) for k in kpis},
            units={k.name: k.unit for k in kpis},
            warnings=warnings or [],
        )
        super().__init__(rows, meta)
        self.kpis = list(kpis)
        self.as_of = as_of

    by = param("by")
    period = param("period")
    view = param("view")
    currency = param("currency")
    maturity = param("maturity")


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion."""
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # At k = 0 or k = n the exact Wilson bound is 0 or 1; rounding must not cut the rate out.
    low = 0.0 if successes == 0 else max(0.0, min(p, centre - half))
    high = 1.0 if successes == n else min(1.0, max(p, centre + half))
    return low, high


def period_label(start: date | datetime | None, period: str) -> str:
    if period == "all" or start is None:
        return "all"
    d = start.date() if isinstance(start, datetime) else start
    if period == "day":
        return d.isoformat()
    if period == "week":
        y, w, _ = d.isocalendar()
        return f"{y}-W{w:02d}"
    if period == "month":
        return f"{d.year}-{d.month:02d}"
    if period == "quarter":
        return f"{d.year}-Q{(d.month - 1) // 3 + 1}"
    return f"{d.year}"


def _model_columns(needed: set[str], kpis: list[Kpi]) -> list[str]:
    """The lead-model columns the chosen KPIs read (a smaller model is faster to compute
    and to store): their measures' dates and per-lead facts, the dates of the durations,
    and the customer date that dates the cohorts' maturity."""
    outcome = {*STAGE_COLUMNS, *lead_columns("deals")}
    read = [c for n in sorted(needed) for c in (MEASURES[n].column, MEASURES[n].at,
                                                MEASURES[n].lead_column)]  # fmt: skip
    read += [c for k in kpis if k.kind == "duration" for c in _dates(k)]
    return sorted({c for c in [*read, "customer_at"] if c in outcome})


def _measures_needed(kpis: list[Kpi]) -> set[str]:
    """The measures to aggregate (a duration reads dates, not measures); with a sum, the
    counts that tell whether its records held a value (:func:`_unvalued`)."""
    needed = expand(m for k in kpis if k.kind != "duration" for m in k.measures)
    return needed | {v for n in needed if n in MEASURES for v in MEASURES[n].valued_by}


def resolve_kpis(names: list[str] | None) -> list[Kpi]:
    if not names:
        return [CATALOG[n] for n in HEADLINE]
    if names == ["all"]:
        return list(CATALOG.values())
    unknown = [n for n in names if n not in CATALOG]
    if unknown:
        import difflib

        hints = []
        for n in unknown:
            near = difflib.get_close_matches(n, list(CATALOG), n=1)
            hints.append(f"{n!r}" + (f" (did you mean {near[0]!r}?)" if near else ""))
        raise UsageError(f"unknown KPI {', '.join(hints)}; known: {', '.join(CATALOG)}")
    return [CATALOG[n] for n in names]


def compute_kpis(
    tables: dict[str, ir.Table],
    config: Config,
    *,
    kpis: list[str] | None = None,
    by: list[str] | None = None,
    period: str = "all",
    date_from: date | None = None,
    date_to: date | None = None,
    view: str = "cohort",
    materialize: Materialize | None = None,
    model: ir.Table | None = None,
    as_of: date | datetime | AsOf | None = None,
) -> KpiResult:
    """KPIs by period and dimension.

    ``materialize`` (from the workspace) lets the lead model be computed once when several
    queries use it; ``model`` passes one already built from the same (as-of) tables.
    ``as_of``: the date ages are measured to (default: the latest event in the data; a
    date leaves out the events after it, see :mod:`leadpilot.metrics.asof`).

    Examples
    --------
    >>> compute_kpis(tables, config, by=["channel"], period="month").rows[0]  # doctest: +SKIP
    {'period': '2025-01', 'channel': 'email', 'leads': 120, ...}
    """
    if period not in PERIOD_UNITS:
        raise UsageError(f"unknown period {period!r}; expected one of {', '.join(PERIOD_UNITS)}")
    if view not in ("cohort", "activity"):
        raise UsageError(f"unknown view {view!r}; expected cohort or activity")
    chosen = resolve_kpis(kpis)
    left_out = [k.name for k in chosen if not k.applies_to(view)] if kpis == ["all"] else []
    chosen = [k for k in chosen if k.name not in left_out]
    by = list(by or [])
    tables, as_of = resolve_as_of(tables, as_of)
    needed = _measures_needed(chosen)
    touches_needed = any(MEASURES[m].table == "touchpoints" for m in needed)
    # the per-lead touch facts: only the cohort view reads them (activity counts touches)
    facts_needed = touches_needed and view == "cohort"
    touch_columns = lead_columns("touchpoints")
    # stored once when a second query reads it (durations count their negative ones);
    # the cohorts' maturity reads a model of its own, of the customer date only
    reused = view == "cohort" and any(k.kind == "duration" for k in chosen)
    if model is None or (facts_needed and not set(touch_columns) <= set(model.columns)):
        model = lead_model(
            tables,
            implied=config.stages.implied,
            icp=config.icp,
            engagement=config.engagement if facts_needed else engagement_for(by, config),
            materialize=materialize if reused else None,
            keep=[*by, *_model_columns(needed, chosen)] + (touch_columns if facts_needed else []),
        )  # lead_model checks the dimensions
    unit = PERIOD_UNITS[period]
    warnings: list[str] = []
    if left_out:  # --kpi all: every KPI the view can compute, and a note on the others
        warnings.append(Notice(
            "kpis_left_out",
            f"--kpi all in the {view} view leaves out {', '.join(left_out)}: cohort KPIs "
            "(leads engaged within the window after their creation); see them with --view "
            "cohort",
        ))  # fmt: skip

    keys = (["period"] if unit else []) + list(by)
    # aggregated with the lead groups, in registry order; leads always (every row has them)
    needed.add("leads")
    measures = [m for m in MEASURES.values() if m.from_lead_model and m.name in needed]
    durations = [k for k in chosen if k.kind == "duration"]
    if view == "cohort":
        agg = _cohort_measures(model, by, unit, measures, date_from, date_to, durations)
    else:
        agg = _activity_measures(
            model, tables, config, by, unit, measures, date_from, date_to, as_of
        )

    joined = []  # dated tables split like the rows: a group without a row has none recorded
    for m in MEASURES.values():
        if m.kind == "dated" and m.name in needed:
            agg, ok = _join_dated(agg, tables, m, by, unit, keys, date_from, date_to, warnings)
            joined += [m] if ok else []

    if durations and view == "cohort" and keys:
        # computed with the groups' leads; as when each was joined to the groups, what no
        # lead of a group made (or a group of the dated tables alone) counts 0
        lead_measures = {m.name: 0 for m in measures}
        agg = _fill_null(agg, {**lead_measures, **_duration_fill(durations, view)})
    elif durations:
        agg = _join_durations(agg, model, durations, by, unit, keys, date_from, date_to)

    result = agg.order_by([agg[k] for k in keys]) if keys else agg
    # every measure a KPI reads is a column here: a missing one would read as 0
    unread = sorted(n for n in needed if MEASURES[n].kind != "derived" and n not in agg.columns)
    if unread:
        raise LeadpilotError(f"internal error: measure(s) {unread} were not aggregated")
    raw = records(result)
    warnings += _unvalued(raw, needed)
    if any(k.reads("revenue") for k in chosen):
        warnings += _excluded_revenue(tables, view, date_from, date_to, config.currency)
        warnings += _customers_without_won_deal(tables, config, view, date_from, date_to)
    rows = [_finish_row(r, chosen, by, period, warnings) for r in raw]
    if touches_needed and row_count(tables, "touchpoints") == 0:
        warnings.append(_without_touches(chosen, rows))
    on_deals = [k for k in chosen if _uses_table(k, "deals")]
    if on_deals and customers_without_deals(tables):
        warnings.append(_without_deals(on_deals, rows))
    if durations:
        warnings += _negative_durations(model, raw, durations, view, date_from, date_to,
                                        by, period)  # fmt: skip
    for m in joined:
        warnings += _unrecorded(m, raw, rows, chosen, keys)
    spend = MEASURES["spend"]
    if spend in joined and any(k.reads("spend") for k in chosen):
        # only when names are matched: spend split by them
        from .reconcile import messages as reconcile_messages
        from .reconcile import reconcile

        ranged, span = _in_dates(tables, date_from, date_to)
        dims = [d for d in by if d in spend.dims]
        warnings += reconcile_messages(reconcile(ranged, dims=dims, span=span), span=span)
        warnings += _outside_spend_dates(tables, chosen, period, date_from, date_to)
        if "channel" not in by:
            warnings += _blended_costs(
                reconcile(ranged, dims=["channel"], span=span), chosen, raw, span
            )
    maturity = None
    if view == "cohort" and unit:
        converted = model
        if not reused:  # the customer dates alone: no other stage's events are read
            converted = lead_model(tables, implied=config.stages.implied, keep=["customer_at"])
        delay = scalar(median_delay(converted))
        maturity = _flag_immature(delay, raw, rows, period, warnings, as_of)
    if view == "activity":
        warnings.append(Notice("activity_rates", ACTIVITY_NOTE))
    warnings += _periods_cut(rows, period, date_from, date_to)
    partly = [k for k in chosen if k.measured_by]
    if partly and "channel" not in by and "channel" in tables["leads"].columns:
        warnings += _partly_recorded(tables, config, partly, view, date_from, date_to)
    rows.sort(
        key=lambda r: tuple("" if r.get(k) is None else str(r.get(k)) for k in ["period", *by])
    )
    return KpiResult(
        as_of=as_of,
        maturity=maturity,
        rows=rows,
        kpis=chosen,
        by=by,
        period=period,
        view=view,
        currency=config.currency,
        warnings=sorted(set(warnings)),
        date_from=date_from,
        date_to=date_to,
    )


def _outside_spend_dates(
    tables: dict, kpis: list[Kpi], period: str, date_from: date | None,
    date_to: date | None,
) -> list[Notice]:
    """Leads of a channel created before its first recorded spend or after its last, in a
    period that holds some of it (every period over --period all): an ad platform's export
    covering the last months of a longer CRM history. The cost KPIs divide the spend by
    those leads too, so CPL and CAC read low and ROI high there, silently; said with the
    dates that keep them apart. A period outside the spend's dates is null (not_recorded)."""
    affected = [k.name for k in kpis if k.reads("spend") and k.denominator]
    if not affected:  # spend alone is a sum over its own dates: nothing divides it
        return []
    s = tables["spend"]
    spans = s.group_by("channel").aggregate(
        first=s.date.min(), last=s.date.max(),
        off=(s.date.day() != 1).sum(), months=s.date.truncate("M").nunique(),
        days=s.date.nunique(),
    ).to_pyarrow().to_pylist()  # fmt: skip
    # a channel whose spend falls on one day (an event's cost) has no cadence to tell
    # what its spend covers: left out
    spans = [r for r in spans if r["channel"] is not None and (r["days"] or 0) >= 2]
    if not spans:
        return []
    leads = counted_leads(tables["leads"])
    leads = leads.filter(in_range(leads.created_at, date_from, date_to))
    leads = leads.filter(leads.channel.isin([r["channel"] for r in spans]))
    day = leads.created_at.date()
    outside = []
    for r in spans:
        last = r["last"]
        if not r["off"] and r["months"] >= 2:  # spend per month, dated on the 1st
            last = (last.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        else:  # the last spend day covers until the next would have come (an event's cost
            # on its day: the leads of the weeks after it)
            last += timedelta(days=round((last - r["first"]).days / (r["days"] - 1)) - 1)
        r["last"] = last
        cond = (leads.channel == r["channel"]) & ((day < r["first"]) | (day > last))
        if period != "all":  # only in a period holding some of the channel's spend
            start = leads.created_at.truncate(PERIOD_UNITS[period]).date()
            cond &= (start >= period_bounds(r["first"], period)[0]) & (start <= last)
        outside.append(cond)
    found = leads.group_by("channel").aggregate(
        n=leads.count(where=ibis.or_(*outside)), total=leads.count()
    ).to_pyarrow().to_pylist()
    # lumpy spend (events' costs on their days, their leads around them) leaves a few
    # leads outside: said from a share that moves the ratios
    found = [r for r in found if r["n"] and r["n"] >= MATERIAL_SHARE * r["total"]]
    if not found:
        return []
    span = {r["channel"]: r for r in spans}
    found.sort(key=lambda r: -r["n"])
    shown = "; ".join(
        f"{r['channel']}: {r['n']:,} of {r['total']:,} leads outside "
        f"{span[r['channel']]['first']} – "
        f"{span[r['channel']]['last']}" for r in found[:3]
    ) + (f"; and {len(found) - 3} more channel(s)" if len(found) > 3 else "")
    first = min(span[r["channel"]]["first"] for r in found)
    last = max(span[r["channel"]]["last"] for r in found)
    return [Notice(
        "outside_spend_dates",
        f"spend is recorded over part of the leads' dates only ({shown}): the cost KPIs "
        f"({', '.join(affected)}) divide the spend by those leads too, so costs per lead or "
        "customer read low and returns high; read them over the spend's dates (--from "
        f"{first} --to {last}) or by month",
        data={"leads": sum(r["n"] for r in found), "channels": len(found)},
    )]  # fmt: skip


MATERIAL_SHARE = 0.05  # of a channel's leads outside its spend's dates: said from there


def _partly_recorded(
    tables, config: Config, kpis: list[Kpi], view: str, date_from, date_to
) -> list[Notice]:
    """Sales acceptance recorded (sal or rejected events) for the leads of some channels
    only: a row over several channels counts the SALs the others' later stages imply as
    accepted, and reads neither channel's rate (the seed's 120 of 200 read 370 of 550).
    Said, with the split that reads each: --by channel."""
    m = lead_model(tables, implied=config.stages.implied,
                   keep=["channel", "mql_at", "sal_recorded_at", "rejected_at"])  # fmt: skip
    m = m.filter(in_range(m.mql_at if view == "activity" else m.created_at, date_from, date_to))
    recorded = m.sal_recorded_at.notnull() | m.rejected_at.notnull()
    per = m.group_by("channel").aggregate(
        mqls=m.mql_at.notnull().sum(), recorded=recorded.sum()
    )
    rows = records(per.filter(per.mqls > 0))
    with_it = sorted(str(r["channel"]) for r in rows if r["recorded"])
    without = sorted(str(r["channel"]) for r in rows if not r["recorded"])
    if not with_it or not without:
        return []
    names = ", ".join(k.name for k in kpis)
    return [Notice(
        "acceptance_partly_recorded",
        f"{names}: sales acceptance is recorded for the leads of {len(with_it):,} of "
        f"{len(with_it) + len(without):,} channels ({', '.join(with_it[:5])}"
        f"{', ...' if len(with_it) > 5 else ''}); elsewhere the SALs are only implied by "
        "later stages, and a row over several channels mixes the two: read it with --by "
        "channel",
        {"recorded": with_it, "not_recorded": without},
    )]  # fmt: skip


def period_bounds(day: date, period: str) -> tuple[date, date]:
    """The first and last day of the ``period`` (day, week, month, quarter, year) holding
    ``day``."""
    if period == "day":
        return day, day
    if period == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    first = date(day.year, (day.month - 1) // months * months + 1, 1)
    after = date(first.year + (first.month + months - 1) // 12,
                 (first.month + months - 1) % 12 + 1, 1)  # fmt: skip
    return first, after - timedelta(days=1)


def _periods_cut(
    rows: list[dict], period: str, date_from: date | None, date_to: date | None
) -> list[Notice]:
    """A range that starts or ends inside a period: that period's row holds the range's
    part of it only, under the whole period's label ('2025-Q1' from February 15)."""
    if period == "all" or not rows:
        return []
    cut = []
    if date_from is not None and period_bounds(date_from, period)[0] != date_from:
        cut.append((period_label(date_from, period), f"from {date_from.isoformat()}"))
    if date_to is not None and period_bounds(date_to, period)[1] != date_to:
        cut.append((period_label(date_to, period), f"up to {date_to.isoformat()}"))
    if not cut:
        return []
    said = "; ".join(f"{label} counts {part} only" for label, part in cut)
    return [Notice(
        "period_cut",
        f"the date range cuts {len(cut)} {period}(s): {said}, not the whole {period}",
    )]  # fmt: skip


def _unknown(rows: list[dict], names: list[str]) -> None:
    """The KPIs ``names`` of every row are unknown: null, with their numerator and interval."""
    for row in rows:
        for name in names:
            for key in (name, f"{name}_numerator", f"{name}_low", f"{name}_high"):
                if key in row:
                    row[key] = None


def _without_deals(kpis: list[Kpi], rows: list[dict]) -> Notice:
    """No deal loaded (customers from stage dates alone): revenue is unknown, not 0 — an
    ROI of -100 % would say every channel loses its spend."""
    names = [k.name for k in kpis]
    _unknown(rows, names)
    return Notice(
        "table_not_loaded",
        f"no deals loaded: {', '.join(names)} are null (–), not 0 — load a deals file (won "
        "deals with their amount) to measure revenue",
    )


def customers_without_deals(tables: dict) -> bool:
    """Customers recorded (customer stage events) while no deal is loaded: their revenue
    is unknown. Without any customer, a revenue of 0 is known (nobody converted)."""
    return row_count(tables, "deals") == 0 and _customer_events(tables)


def _uses_table(k: Kpi, table: str) -> bool:
    """Does the KPI aggregate a measure of ``table`` (a duration reads only dates)?"""
    return k.kind != "duration" and any(
        MEASURES[m].table == table for m in expand([k.numerator, k.denominator]) if m
    )


def _without_touches(kpis: list[Kpi], rows: list[dict]) -> Notice:
    """No touchpoint loaded: engagement KPIs are unknown (null), not 0 %."""
    names = [k.name for k in kpis if _uses_table(k, "touchpoints")]
    _unknown(rows, names)
    return Notice(
        "no_touchpoints",
        f"no touchpoints loaded: {', '.join(names)} are null (–), not 0 — load a touchpoints "
        "file (e-mail, web, events) to measure engagement",
    )


VIEW_RULES = {
    "cohort": Text(
        "cohort view: rows follow the leads created in the period to whatever they became, "
        "whenever it happened.",
        "vue cohorte : chaque ligne suit les leads créés sur la période et ce qu'ils sont "
        "devenus par la suite, quelle qu'en soit la date.",
    ),
    "activity": Text(
        "activity view: each measure counts what happened in the period (stages at their own "
        "date, revenue and deals at their closing date), whatever the lead's creation date.",
        "vue activité : chaque mesure compte ce qui s'est passé pendant la période (les étapes "
        "à leur propre date, le chiffre d'affaires et les affaires à leur date de clôture), "
        "quelle que soit la date de création du lead.",
    ),
}
ACTIVITY_NOTE = (
    "activity view: rates divide flows of the same period (e.g. customers won this month / "
    "leads created this month), not a cohort's conversion"
)


def period_end(start: date, period: str) -> date:
    """Last day of the period that starts on ``start``."""
    if period == "day":
        return start
    if period == "week":
        return start + timedelta(days=6)
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    y, m = divmod(start.month - 1 + months, 12)
    return date(start.year + y, m + 1, 1) - timedelta(days=1)


def median_delay(model: ir.Table) -> ir.Scalar:
    """The median lead -> customer delay of converters, in seconds: a customer dated
    before its lead's creation is left out, as velocity leaves out negative durations
    (the one rule of the cohorts' maturity, for kpis, diagnose and the report)."""
    secs = model.customer_at.epoch_seconds() - model.created_at.epoch_seconds()
    return secs.median(where=model.customer_at.notnull() & (secs >= 0))


def _flag_immature(seconds, raw, rows, period, warnings, as_of: AsOf) -> dict | None:
    """Cohorts younger than the typical lead -> customer delay are flagged, not judged."""
    if as_of.at is None or seconds is None:
        return None
    delay = round(seconds / 86400)
    as_of_day = as_of.at.date()
    young = []
    for r, row in zip(raw, rows, strict=True):
        start = r.get("period")
        if start is None:
            row["cohort_age_days"], row["immature"] = None, None
            continue
        start = start.date() if isinstance(start, datetime) else start
        age = max(0, (as_of_day - period_end(start, period)).days)
        row["cohort_age_days"] = age
        row["immature"] = age < delay
        if row["immature"]:
            young.append(row["period"])
    if young:
        labels = sorted(set(young))
        warnings.append(Notice(
            "immature_cohorts",
            f"immature cohorts {', '.join(labels)}: their period ended less than the median "
            f"lead→customer delay of {delay} {day_word(delay, 'en')} before the data's end "
            f"({as_of_day}); their rates will still grow and are not bad performance",
        ))  # fmt: skip
    return {
        "as_of": as_of.label,
        "expected_delay_days": delay,
        "rule": "a cohort is immature when the days from its period's end to the as-of date "
        f"({as_of.rule}) are fewer than the median lead→customer delay of converters",
    }


def check_range(
    date_from: date | datetime | None, date_to: date | datetime | None
) -> tuple[date | None, date | None]:
    """The range's days (a datetime counts for its day); a first day after the last is a
    UsageError, as an empty range would silently credit nothing."""
    days = tuple(d.date() if isinstance(d, datetime) else d for d in (date_from, date_to))
    first, last = days
    if first is not None and last is not None and first > last:
        raise UsageError(
            f"--from {first.isoformat()} is after --to {last.isoformat()}: the range holds "
            "no day; give a first day on or before the last"
        )
    return first, last


def _blended_costs(found: list, chosen: list, raw: list[dict], span: str) -> list[Notice]:
    """Rows not split by channel divide the spend by the leads, customers and revenue of
    every channel, paid or not (blended costs): said with the channels no spend names and
    their leads. A total CAC of 250 read as what a paid customer costs was 708 on the
    HubSpot example, where five channels without spend held most customers."""
    free = [w for w in found if w.code == "no_spend" and w.value is not None]
    costs = [k.name for k in chosen if k.reads("spend") and k.name != "spend"]
    if not free or not costs:
        return []
    leads = sum(int(r.get("leads") or 0) for r in raw)
    held = sum(w.count for w in free)
    names = ", ".join(str(w.value) for w in sorted(free, key=lambda w: -w.count)[:4])
    more = f" and {len(free) - 4:,} more" if len(free) > 4 else ""
    return [Notice(
        "blended_costs",
        f"{', '.join(costs)} divide{'s' if len(costs) == 1 else ''} the spend by the leads, "
        "customers and revenue of every "
        f"channel, paid or not (blended): {len(free):,} channel(s) without spend{span} "
        f"({names}{more}) hold {held:,} of the {leads:,} leads; --by channel gives them per "
        "paid channel",
        {"channels": [w.value for w in free], "leads": held, "of_leads": leads},
    )]  # fmt: skip


def _in_dates(
    tables: dict[str, ir.Table], date_from: date | None, date_to: date | None
) -> tuple[dict[str, ir.Table], str]:
    """The leads created and the spend dated between ``date_from`` and ``date_to``, and the
    range as the spend reconciliation says it (' from 2025-01-01 to 2025-03-31'): over a
    range, its notes counted every lead and every amount ever loaded (370 leads of a
    channel where the table beside showed 328)."""
    if date_from is None and date_to is None:
        return tables, ""
    leads = tables["leads"]
    ranged = {**tables, "leads": leads.filter(in_range(leads.created_at, date_from, date_to)),
              "spend": in_days(tables["spend"], "date", date_from, date_to)}  # fmt: skip
    return ranged, span_words(date_from, date_to)


def span_words(date_from: date | None, date_to: date | None) -> str:
    """A range as the English notes write it: ' from 2025-01-01 to 2025-03-31', ' from
    2025-01-01', ' up to 2025-03-31', or '' (no range); i18n reads it back in French."""
    a, b = (None if d is None else d.isoformat() for d in (date_from, date_to))
    return f" from {a} to {b}" if a and b else f" from {a}" if a else f" up to {b}" if b else ""


def left_out_scope(view: str, date_from: date | None, date_to: date | None) -> str:
    """Which records a 'left out' count is of when a range is given: two notes of one
    duration (diagnose's two periods) told two counts without saying which was which."""
    span = span_words(date_from, date_to)
    if not span:
        return ""
    return f" (leads created{span})" if view == "cohort" else f" (durations ending{span})"


def in_range(value: ir.Value, date_from: date | None, date_to: date | None) -> ir.BooleanValue:
    """``value`` (a timestamp) between the start of ``date_from`` and the end of ``date_to``."""
    cond = ibis.literal(True)
    if date_from is not None:
        cond &= value >= ibis.literal(datetime.combine(date_from, datetime.min.time()))
    if date_to is not None:
        end = datetime.combine(date_to, datetime.min.time()) + timedelta(days=1)
        cond &= value < ibis.literal(end)
    return cond


def _group(
    t: ir.Table, by: list[str], unit: str | None, date: ir.Value, *, of_lead: bool = False
) -> dict:
    """The group keys of ``t``'s rows; ``of_lead``: records from :func:`with_lead`, grouped
    by their lead's columns."""
    group = {d: t[lead_column(d) if of_lead else d] for d in by}
    if unit:
        group["period"] = date.truncate(unit).date()
    return group


def _cohort_measures(
    model, by, unit, measures: list[Measure], date_from, date_to, durations: list[Kpi]
) -> ir.Table:
    """Leads created in the period, followed to whatever they became; the ``durations``'
    statistics over the same leads, in the same pass (their groups are the leads' own)."""
    model = model.filter(in_range(model.created_at, date_from, date_to))
    group = _group(model, by, unit, model.created_at)
    metrics = {m.name: cohort_value(m, model) for m in measures}
    for k in durations:
        start, end = (model[c] for c in _dates(k))
        days = _days(model, k)
        metrics.update(_duration_stats(k, days, start.notnull() & end.notnull(), cohort=True))
    return aggregate(model, group, metrics)


def _duration_stats(k: Kpi, days: ir.NumericValue, made: ir.BooleanValue, cohort: bool) -> dict:
    """Median, mean, p75 and count of ``days`` over the rows that ``made`` the step,
    negative durations left out (and counted, in the cohort view)."""
    ok = made & (days >= 0)
    stats = {
        k.name: days.median(where=ok),
        f"{k.name}_mean": days.mean(where=ok),
        f"{k.name}_p75": days.quantile(0.75, where=ok),
        # over the rows that made the step: null when none did, as over an empty table
        f"{k.name}_n": (days >= 0).sum(where=made),
    }
    if cohort:
        stats[f"_neg_{k.name}"] = (days < 0).sum(where=made)
    return stats


def _duration_fill(durations: list[Kpi], view: str) -> dict[str, int]:
    """The counts of the durations' statistics that a group without a step holds: 0."""
    fill = {f"{k.name}_n": 0 for k in durations}
    if view == "cohort":
        fill.update({f"_neg_{k.name}": 0 for k in durations})
    return fill


def _fill_null(t: ir.Table, fill: dict) -> ir.Table:
    """``t`` with the nulls of the ``fill`` columns replaced, each by 0 of its own type."""
    return t.mutate(**{c: t[c].fill_null(ibis.literal(v, t[c].type())) for c, v in fill.items()})


def _activity_measures(
    model, tables, config, by, unit, measures: list[Measure], date_from, date_to, as_of
) -> ir.Table:
    """What happened in the period: each measure counted at its own date (a stage at the
    date it was reached, a deal at its closing, a touch at its time), a snapshot at the
    period's end."""
    cohort_only = [m for m in measures if not m.in_activity_view]
    if cohort_only:
        kpis = [k.name for k in CATALOG.values() if any(k.reads(m.name) for m in cohort_only)]
        why = (
            "leads engaged within the window after their creation"
            if any(m.window for m in cohort_only)
            else "leads counted once, not events of the period"
        )
        are = "are cohort KPIs" if len(kpis) > 1 else "is a cohort KPI"
        raise UsageError(f"{' and '.join(kpis)} {are} ({why}); use --view cohort")
    parts = []

    def counted_at(rows: ir.Table, m: Measure, match: ir.BooleanValue | None) -> None:
        at = rows[m.at]
        cond = at.notnull() & in_range(at, date_from, date_to)
        sel = rows.filter(cond if match is None else cond & match)
        parts.append(
            sel.select(
                **_group(sel, by, unit, sel[m.at], of_lead=m.table != "leads"),
                _m=ibis.literal(m.name),
                _v=row_value(m, sel).name("_v"),
            )
        )

    for m in measures:  # the lead model's own dates
        if m.table == "leads":
            counted_at(model, m, None)
    for table, match in (("deals", deal_match), ("touchpoints", touch_match)):
        flows = [m for m in measures if m.table == table and m.at is not None]
        if flows:
            rows = with_lead(tables[table], tables["leads"], model, by)
            for m in flows:
                counted_at(rows, m, match(m, rows))
    for m in measures:
        if m.snapshot:
            parts.append(_open_pipeline(m, model, tables, by, unit, date_from, date_to, as_of))
    long = ibis.union(*parts)
    group = {k: long[k] for k in (["period"] if unit else []) + list(by)}
    metrics = {m.name: long._v.sum(where=long._m == m.name) for m in measures}
    agg = aggregate(long, group, metrics)
    # A measure with no event in a group is 0, not missing. Counts are integers, and so is
    # the open pipeline here (cast as before measures became data: it rounds amounts to
    # whole units; see the note on _open_pipeline).
    return agg.mutate(
        **{
            m.name: agg[m.name].fill_null(0.0)
            if m.kind == "sum" and not m.snapshot
            else agg[m.name].fill_null(0).cast("int64")
            for m in measures
        }
    )


def _open_pipeline(
    m: Measure, model, tables, by, unit, date_from, date_to, as_of: AsOf
) -> ir.Table:
    """Amount of deals open at each period's end: created by then, not closed by then.

    Summed with the other activity measures, then cast to an integer like the counts (as
    before the measures became data): amounts are rounded to whole units in this view.
    """
    d = with_lead(tables[m.table], tables["leads"], model, by)
    bounds = records(d.aggregate(lo=d.created_at.min(), hi=d.created_at.max()))[0]
    if bounds["lo"] is not None:
        first = bounds["lo"].date()
        # up to the as-of date (not today: one "now" per workspace); an as-of date given
        # after the data's last event adds no period past it, as for every other measure
        latest = workspace_as_of(tables) if as_of.given else as_of.at
        now = latest.date() if latest else bounds["hi"].date()
        # No deal is open before the first one was created, none is known open after the
        # data ends: the periods outside the range hold nothing (asked for centuries by
        # day, they would be millions of rows crossed with every deal)
        lo, hi = max(date_from or first, first), min(date_to or now, now)
    if bounds["lo"] is None or lo > hi:
        return d.limit(0).select(
            **_group(d, by, unit, d.created_at, of_lead=True),
            _m=ibis.literal(m.name),
            _v=ibis.literal(0.0),
        )
    starts = _period_starts(lo, hi, unit)
    ends = ibis.memtable(
        {
            "_start": starts,
            "_end": [
                datetime.combine(
                    period_end(s, _PERIOD_OF_UNIT[unit]) if unit else hi, datetime.max.time()
                )
                for s in starts
            ],
        }
    )
    j = d.cross_join(ends)
    j = j.filter((j.created_at <= j._end) & (j.closed_at.isnull() | (j.closed_at > j._end)))
    group = {b: j[lead_column(b)] for b in by}
    if unit:
        group["period"] = j._start.cast("date")
    return j.select(**group, _m=ibis.literal(m.name), _v=row_value(m, j).cast("float64"))


_PERIOD_OF_UNIT = {v: k for k, v in PERIOD_UNITS.items() if v}


def _period_starts(lo: date, hi: date, unit: str | None) -> list[date]:
    if unit is None:
        return [lo]
    period = _PERIOD_OF_UNIT[unit]
    if period == "week":
        start = lo - timedelta(days=lo.weekday())
    elif period == "day":
        start = lo
    elif period == "month":
        start = lo.replace(day=1)
    elif period == "quarter":
        start = date(lo.year, 3 * ((lo.month - 1) // 3) + 1, 1)
    else:
        start = date(lo.year, 1, 1)
    out = []
    while start <= hi:
        out.append(start)
        start = period_end(start, period) + timedelta(days=1)
    return out


def _join_dated(agg, tables, m: Measure, by, unit, keys, date_from, date_to, warnings):
    """Outer-join a day-dated table (spend, traffic) on the groups: rows without leads stay,
    and a group without a row stays null — nothing recorded is not 0 (a row of 0 is).

    Returns the joined table and whether the measure could be split like the rows."""
    if row_count(tables, m.table) == 0:
        warnings.append(Notice("table_not_loaded", f"no {m.table} loaded: {m.missing} are null"))
        return agg.mutate(**{m.name: ibis.literal(None, "float64")}), False
    other = [d for d in by if d not in m.dims]
    if other:
        warnings.append(Notice(
            "cannot_split",
            f"{m.table} cannot be split by {', '.join(other)}: {m.missing} are null for those "
            "groups",
        ))  # fmt: skip
        return agg.mutate(**{m.name: ibis.literal(None, "float64")}), False
    finer = unit in ("D", "W") or _cuts_a_month(date_from, date_to)
    if finer and _recorded_per_month(tables, m):
        warnings.append(Notice(
            "dated_per_month",
            f"{m.table} is recorded per month (every row dated on a month's first day): "
            f"{'by ' + _UNIT_WORDS[unit] + ', ' if unit in ('D', 'W') else ''}"
            f"a month's {m.table} falls on its first day, so {m.missing} of the other "
            f"{'days' if unit == 'D' else 'weeks' if unit == 'W' else 'days of a month'} "
            "are null and those of its first are the whole month's; read them by month, "
            "quarter or year (and date ranges from a 1st to a month's end)",
        ))  # fmt: skip
    s = dated_totals(tables, m, by, unit, date_from, date_to)
    return _outer_join(agg, s, keys, {}), True


_UNIT_WORDS = {"D": "day", "W": "week"}


def _cuts_a_month(date_from: date | None, date_to: date | None) -> bool:
    """A date range starting after a month's first day, or ending before its last."""
    return (date_from is not None and date_from.day != 1) or (
        date_to is not None and (date_to + timedelta(days=1)).day != 1
    )


def _recorded_per_month(tables: dict, m: Measure) -> bool:
    """Every row of the dated table on a month's first day, over several months: a monthly
    export (an ad platform's invoice, a spend sheet written '2017-07')."""
    t = tables[m.table]
    day = t[m.at]

    def compute() -> bool:
        facts = t.aggregate(
            off=(day.day() != 1).sum(), months=day.truncate("M").nunique()
        ).to_pyarrow().to_pylist()[0]
        return not facts["off"] and (facts["months"] or 0) >= 2

    return remembered(tables, (m.table,), ("per_month", m.table), compute)


def _stand_in(t) -> object:
    """A value of the key's type for NULL in a join condition (see _same_key)."""
    if t.is_string():
        return ""
    if t.is_boolean():
        return False
    if t.is_numeric():
        return 0
    if t.is_date():
        return date(1970, 1, 1)
    if t.is_timestamp():
        return datetime(1970, 1, 1)
    return None


def _same_key(a: ir.Value, b: ir.Value) -> list[ir.BooleanValue]:
    """NULL-safe equality of two group keys: a NULL group matches the NULL group.

    Not IS NOT DISTINCT FROM (``identical_to``): PostgreSQL's FULL JOIN accepts only
    hash- or merge-joinable conditions. Coalescing to a stand-in plus comparing the
    NULL flags keeps two plain equalities, and is exact even when the stand-in is a value.
    """
    b = b.cast(a.type())
    stand_in = _stand_in(a.type())
    if stand_in is None:  # other types: compare their text
        a, b, stand_in = a.cast("string"), b.cast("string"), ""
    return [a.fill_null(stand_in) == b.fill_null(stand_in), a.isnull() == b.isnull()]


def _outer_join(agg: ir.Table, s: ir.Table, keys: list[str], fill: dict) -> ir.Table:
    """Join grouped results so that a group present on either side stays once (a NULL key
    is one group), with counts absent on one side 0 and ``fill`` for the joined measures;
    dated measures (spend, visitors) stay null where nothing was recorded."""
    if not keys:
        return agg.cross_join(s)
    s = s.rename({f"_s_{k}": k for k in keys})
    j = agg.outer_join(s, [c for k in keys for c in _same_key(agg[k], s[f"_s_{k}"])])
    columns = {}  # one select over the join (each layer more is compiled again)
    for c in j.columns:
        m = MEASURES.get(c)
        if c in keys:
            columns[c] = ibis.coalesce(j[c], j[f"_s_{c}"].cast(agg[c].type()))
        elif c in fill:
            columns[c] = j[c] if fill[c] is None else j[c].fill_null(fill[c])
        elif m is not None and m.from_lead_model:
            # 0 of the column's own type: the open pipeline is whole units in the activity
            # view, and PostgreSQL makes COALESCE(bigint, 0.0) a numeric Arrow cannot read
            columns[c] = j[c].fill_null(ibis.literal(0, j[c].type()))
        elif c not in {f"_s_{k}" for k in keys}:
            columns[c] = j[c]
    # a select of a join would go on as the join's own columns, which the next join's
    # conditions cannot name: a projection of its own
    out = j.select(**columns)
    return out.select(*out.columns)


DAY = 86400


def _dates(k: Kpi) -> tuple[str, str]:
    """The lead-model dates a duration runs between: its measures' dates."""
    return MEASURES[k.numerator].at, MEASURES[k.denominator].at


def _days(model: ir.Table, k: Kpi) -> ir.NumericValue:
    start, end = _dates(k)
    return (model[end].epoch_seconds() - model[start].epoch_seconds()) / DAY


def _join_durations(agg, model, durations, by, unit, keys, date_from, date_to):
    """Activity view: median, mean and p75 of stage-to-stage days among the leads that
    made the step, grouped by the period in which the later stage was reached; negative
    durations (a later stage dated before the earlier one) are left out, and counted by
    _negative_durations so that they add no group of their own. Every duration's rows in
    one table (``_k`` names the duration), aggregated and joined to the groups once."""
    parts = []
    for k in durations:
        start, end = (model[c] for c in _dates(k))
        made = model.filter(
            start.notnull() & end.notnull() & in_range(end, date_from, date_to)
            & (_days(model, k) >= 0)
        )  # fmt: skip
        parts.append(made.select(
            **_group(made, by, unit, made[_dates(k)[1]]),
            _k=ibis.literal(k.name),
            _d=_days(made, k).cast("float64"),
        ))  # fmt: skip
    long = ibis.union(*parts) if len(parts) > 1 else parts[0]
    stats = {}
    for k in durations:
        mine = long._k == k.name
        stats.update(_duration_stats(k, long._d, mine, cohort=False))
    s = aggregate(long, {c: long[c] for c in keys}, stats)
    return _outer_join(agg, s, keys, _duration_fill(durations, "activity"))


def _negative_durations(
    model, raw, durations, view, date_from, date_to, by=(), period="all"
) -> list[Notice]:
    """A counted note per duration KPI for the durations left out because the later stage
    is dated before the earlier one (ingest keeps such records and counts them); in the
    cohort view its data says how many each group left out (``groups``: the group's
    dimensions and period, and ``left_out``), for a reader showing one group."""
    groups: dict[str, list[dict]] = {k.name: [] for k in durations}
    if view == "cohort":  # counted with the groups
        row = {k.name: sum(r.get(f"_neg_{k.name}") or 0 for r in raw) for k in durations}
        for r in raw:
            for k in durations:
                n = int(r.get(f"_neg_{k.name}") or 0)
                if n and (by or period != "all"):
                    group = {d: r.get(d) for d in by}
                    if period != "all":
                        group["period"] = period_label(r.get("period"), period)
                    groups[k.name].append({**group, "left_out": n})
    else:
        counts = {}
        for k in durations:
            start, end = (model[c] for c in _dates(k))
            bad = start.notnull() & end.notnull() & (_days(model, k) < 0)
            counts[k.name] = (bad & in_range(end, date_from, date_to)).sum()
        row = records(model.aggregate(**counts))[0]
    notes = []
    scope = left_out_scope(view, date_from, date_to)
    for k in durations:
        n = int(row[k.name] or 0)
        if n:
            notes.append(Notice(
                "negative_durations",
                f"{k.name}: {n:,} duration(s) left out{scope}: "
                f"{MEASURES[k.denominator].date_label} "
                f"dated before {MEASURES[k.numerator].date_label}",
                {"kpi": k.name, "left_out": n, **({"groups": groups[k.name]}
                                                 if groups[k.name] else {})},
            ))  # fmt: skip
    return notes


# the code of the note on a sum's records without a value, per measure
UNVALUED_CODES = {"revenue": "unvalued", "pipeline_value": "unvalued_pipeline"}


def _unvalued(raw: list[dict], needed: set[str]) -> list[Notice]:
    """A sum over records of which some hold no value (won deals without an amount): in a
    group where none holds one the sum is unknown, null rather than 0 (and so are the
    KPIs computed from it); where some lack one, it is said. Nulls ``raw`` in place."""
    notes = []
    for m in MEASURES.values():
        if not m.valued_by or m.name not in needed:
            continue
        valued, every = m.valued_by
        total = lacking = unknown = 0
        for r in raw:
            n_all, n_valued = int(r.get(every) or 0), int(r.get(valued) or 0)
            total += n_all
            lacking += n_all - n_valued
            if n_all and not n_valued:
                r[m.name] = None
                unknown += 1
        if lacking:
            where = f" (null, –, in {unknown:,} group(s) where none has one)" if unknown else ""
            averaged = any(k.denominator == valued for k in CATALOG.values())
            notes.append(Notice(
                UNVALUED_CODES.get(m.name, "unvalued"),
                f"{lacking:,} of {total:,} {MEASURES[every].rule.en} have no {m.column}: "
                f"{m.name} counts them as nothing{where}, and so do the KPIs computed from "
                "it" + (f"; averages per {MEASURES[valued].rule.en} leave them out"
                        if averaged else "")
                + f". Map the {m.column} column, or fill it in the source",
                {"measure": m.name, "lacking": lacking, "total": total, "unknown_groups": unknown},
            ))  # fmt: skip
    return notes


def _excluded_revenue(
    tables, view: str, date_from: date | None, date_to: date | None, currency: str
) -> list[Notice]:
    """Won deals of records the lead rule excludes count for no lead: the revenue KPIs
    say how much they leave out (the ingest said it once), and how much of it is the
    excluded contacts' part of deals listing several contacts (multi_contact)."""
    leads = tables["leads"]
    if not scalar(leads.excluded_reason.notnull().any()):
        return []  # the common case, in a query ten times cheaper than the one below
    out = leads.filter(leads.excluded_reason.notnull())
    out = out.select(_lid=out.lead_id, _created=out.created_at)
    deals = to_lead(tables["deals"], leads, known_only=False)
    won = deals.filter(deals.status == "won")
    j = won.join(out, won.lead_key == out._lid)
    j = j.filter(in_range(j.closed_at if view == "activity" else j._created, date_from, date_to))
    # multi_contact names each contact's part of a deal '<deal>#<contact>'
    part = j.deal_id.endswith("#" + j.lead_id)
    r = records(j.aggregate(n=j.count(), amount=j.amount.sum(), parts=part.sum()))[0]
    n = int(r["n"] or 0)
    if not n:
        return []
    parts = int(r["parts"] or 0)
    of_them = (
        f"; {parts:,} of them are an excluded contact's part of a deal that lists several "
        "contacts (multi_contact): the other contacts' parts still count"
        if parts
        else ""
    )
    return [Notice(
        "excluded_revenue",
        f"revenue: {n:,} won deal(s) ({float(r['amount'] or 0):,.2f} {currency}) belong to "
        "records the lead rule excludes (leads.exclude in leadpilot.yaml) and count for no "
        f"lead: revenue and the KPIs computed from it leave them out{of_them}",
    )]  # fmt: skip


def _customers_without_won_deal(
    tables, config: Config, view: str, date_from: date | None, date_to: date | None
) -> list[Notice]:
    """Customers recorded by a customer stage event alone (no won deal of theirs loaded)
    count as customers but add nothing to revenue: said with how many, or revenue per
    customer and ROI would read low without a word. (No deal at all: the no-deals rule.)"""
    if row_count(tables, "deals") == 0 or not _customer_events(tables):
        return []
    m = lead_model(tables, implied=config.stages.implied, keep=["customer_at", "won_deals"])
    dated = m.customer_at if view == "activity" else m.created_at
    m = m.filter(in_range(dated, date_from, date_to))
    customer = m.customer_at.notnull()
    r = records(m.aggregate(
        customers=customer.sum(), without=(customer & (m.won_deals == 0)).sum()
    ))[0]  # fmt: skip
    without, customers = int(r["without"] or 0), int(r["customers"] or 0)
    if not without:
        return []
    return [Notice(
        "customers_without_won_deal",
        f"{without:,} of {customers:,} customers have no won deal (a customer stage recorded "
        "without one): revenue counts nothing for them, and so do the KPIs computed from it. "
        "Load their won deals with their amount, or check the deals' lead keys",
    )]  # fmt: skip


def _customer_events(tables: dict) -> bool:
    """Does any stage event record a customer? (Asked once per state of the table.)"""
    ev = tables["stage_events"]

    def compute() -> bool:
        return bool(scalar((ev.stage == "customer").any()))

    return remembered(tables, ("stage_events",), ("customer_events",), compute)


def _unrecorded(m: Measure, raw, rows, kpis: list[Kpi], keys: list[str]) -> list[Notice]:
    """One note for the groups where the dated table recorded nothing (null, not 0)."""
    measure, name = m.name, m.table
    affected = [k.name for k in kpis if k.reads(measure)]
    missing = [r for r in raw if r.get(measure) is None]
    if not affected or not missing:
        return []
    labels = [
        " ".join(f"{k}={NONE if row.get(k) is None else row.get(k)}" for k in keys) or "all"
        for r, row in zip(raw, rows, strict=True)
        if r.get(measure) is None
    ]
    shown = ", ".join(labels[:3]) + (f" and {len(labels) - 3:,} more" if len(labels) > 3 else "")
    return [Notice(
        "not_recorded",
        f"no {name} recorded for {len(missing):,} group(s) ({shown}): "
        f"{', '.join(affected)} are null there (–), not 0 (a recorded {name} of 0 gives 0)",
    )]  # fmt: skip




def money(amount: float, per: float = 1.0) -> float:
    """``amount / per`` in cents, half up: the same cents whatever the order the engine
    added the amounts in (25.27 summed as 25.269999... or 25.270000...1 gave a cost per
    MQL of 12.63 on one side and 12.64 on the other, for one exact 12.635)."""
    exact = Decimal(repr(round(float(amount), 6))) / Decimal(repr(float(per)))
    return float(exact.quantize(CENT, rounding=ROUND_HALF_UP))


CENT = Decimal("0.01")


def hundredths(value: float) -> float:
    """``value`` to two decimals, half up, whatever the order the engine added it in: a
    mean of durations of exactly 662.395 days read 662.39 on DuckDB (summed as
    662.39499999...) and 662.4 on PostgreSQL (662.39500...01). The rule of :func:`money`,
    for a value that is not an amount."""
    return money(value)


def _finish_row(r: dict, kpis: list[Kpi], by: list[str], period: str, warnings: list[str]) -> dict:
    out: dict = {"period": period_label(r.get("period"), period)}
    r = dict(r)
    for m in MEASURES.values():
        if m.kind == "derived" and all(p in r for p in m.of):
            r[m.name] = derive(m, r)
    for d in by:
        out[d] = r.get(d)
    for k in kpis:
        if k.kind == "duration":
            for suffix in ("", "_mean", "_p75"):
                v = r.get(f"{k.name}{suffix}")
                out[f"{k.name}{suffix}"] = None if v is None else hundredths(v)
            out[f"{k.name}_n"] = int(r.get(f"{k.name}_n") or 0)
            continue
        if k.kind in ("count", "sum"):
            v = r.get(k.numerator)
            out[k.name] = (
                int(v)
                if k.kind == "count" and v is not None
                else (money(v) if v is not None else None)
            )
            continue
        num = r.get(k.numerator)
        den = r.get(k.denominator)
        if k.kind == "ratio":
            if num is None or den is None:  # nothing recorded (e.g. no spend): said once
                out[k.name] = None
            elif not den:
                out[k.name] = None
                warnings.append(_division_by_zero(k))
            elif k.unit == "currency":
                out[k.name] = money(num, den)
            else:
                out[k.name] = round(float(num) / float(den), 6)
            continue
        unmeasured = bool(k.measured_by) and not any(r.get(m) for m in k.measured_by)
        if k.measured_by:
            out[f"{k.name}_reason"] = k.unmeasured if unmeasured else None
        if den is None:  # nothing recorded (e.g. no traffic row): said once
            out[f"{k.name}_numerator"] = None if num is None else int(round(num))
            out[f"{k.name}_denominator"] = None
            out[k.name] = out[f"{k.name}_low"] = out[f"{k.name}_high"] = None
            continue
        num = int(round(num or 0))
        den = int(round(den or 0))
        out[f"{k.name}_numerator"] = num
        out[f"{k.name}_denominator"] = den
        if unmeasured:  # the numerator would be implied, not recorded: no rate, no verdict
            out[f"{k.name}_numerator"] = None
            out[k.name] = out[f"{k.name}_low"] = out[f"{k.name}_high"] = None
            if den:
                warnings.append(Notice("not_measured", f"{k.name} is null where {k.unmeasured}"))
        elif den == 0:
            out[k.name] = out[f"{k.name}_low"] = out[f"{k.name}_high"] = None
            warnings.append(_division_by_zero(k))
        elif num > den:  # e.g. more opens than sends in an export: no proportion
            out[k.name] = num / den
            out[f"{k.name}_low"] = out[f"{k.name}_high"] = None
            warnings.append(Notice(
                "not_a_proportion",
                f"{k.name}: {k.numerator} exceed {k.denominator} in some groups "
                "(not a proportion; no interval)",
            ))  # fmt: skip
        else:
            out[k.name] = num / den
            out[f"{k.name}_low"], out[f"{k.name}_high"] = wilson(num, den)
    return out


def _division_by_zero(k: Kpi) -> Notice:
    return Notice(
        "division_by_zero", f"{k.name}: null where {k.denominator} = 0 (division by zero)"
    )
