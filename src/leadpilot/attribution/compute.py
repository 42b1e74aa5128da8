"""Attribution entry points: models side by side, with spend, spread and definitions.

``compute_attribution`` works on a workspace's tables; ``compute_attribution_from_paths``
on a ChannelAttribution-style aggregated path file. Both build the same touch table
(paths.py / pathfile.py) and run the requested models of the registry (attribution/models/)
on it; only grouped credits, transition counts and channel-set counts come back from the
engine.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import ibis.expr.types as ir

from ..config import Config
from ..engine import records
from ..errors import MissingDataError, Notice, UsageError
from ..metrics.asof import AsOf, resolve_as_of
from ..metrics.compute import (
    PERIOD_UNITS,
    check_range,
    customers_without_deals,
    in_range,
    money,
    period_label,
)
from ..metrics.measures import MEASURES, dated_totals, in_days, spend_returns
from ..metrics.model import lead_model, row_count, to_lead
from ..results import Meta, Result, param
from ..text import Text
from .definitions import PATH_FILE_JOURNEY, PATH_FILE_MEASURES, measure_defs, range_text
from .models import Journeys, batches, make_models, resolve_models, run_models
from .pathfile import journeys_from_paths, read_path_file
from .paths import (
    BY_DIMENSIONS,
    NONE_LABEL,
    attribution_touches,
    check_options,
    check_touches,
    conversion_column,
    conversion_totals,
    journeys,
)
from .shapley import OTHER

Materialize = Callable[[ir.Table], ir.Table]


class AttributionResult(Result):
    """Credit per model, period and value of ``by`` (one row each), side by side.

    ``meta``: ``view`` "attribution", ``as_of`` (null for a path file), ``models``,
    ``by``, ``conversion``, ``period``, ``lookback_days``, ``date_from`` / ``date_to``
    (the range of conversion dates, ISO days; null when open), ``source``, ``currency``,
    ``totals`` (per period, and every conversion), ``spread`` (per value: the lowest and
    highest share across the models), ``definitions`` (each model's rule and each
    column's) and ``warnings``.
    """

    def __init__(
        self,
        rows: list[dict],
        *,
        models: list[str],
        by: str,
        conversion: str,
        period: str,
        lookback: int | None,
        definitions: dict[str, Text],
        spread: list[dict],
        totals: dict,
        warnings: list[str],
        currency: str | None,
        source: str = "workspace",
        as_of: AsOf | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        path_file: bool = False,
    ) -> None:
        meta = Meta(
            "attribution",
            view="attribution",
            as_of=as_of,
            params={"report": "attribution", "models": models, "by": by,
                    "conversion": conversion, "period": period, "lookback_days": lookback,
                    "date_from": None if date_from is None else date_from.isoformat(),
                    "date_to": None if date_to is None else date_to.isoformat(),
                    "source": source, "path_file": path_file,
                    "currency": currency},  # fmt: skip
            definitions=definitions,
            details={"totals": totals, "spread": spread},
            warnings=warnings,
        )
        super().__init__(rows, meta)
        self.as_of = as_of  # None for a path file (no dates)

    models = param("models")
    by = param("by")
    conversion = param("conversion")
    period = param("period")
    lookback = param("lookback_days")
    date_from = param("date_from")
    date_to = param("date_to")
    source = param("source")
    currency = param("currency")
    totals = param("totals")
    spread = param("spread")


def compute_attribution(
    tables: dict[str, ir.Table],
    config: Config,
    *,
    models: list[str] | str | None = None,
    conversion: str = "customer",
    by: str = "channel",
    lookback: int | None = None,
    period: str = "all",
    materialize: Materialize | None = None,
    as_of: date | datetime | AsOf | None = None,
    date_from: date | datetime | None = None,
    date_to: date | datetime | None = None,
) -> AttributionResult:
    """Credit per model and value of ``by`` for conversions at the ``conversion`` stage.

    ``date_from`` / ``date_to`` (from the start of the first day to the end of the last)
    select the journeys by the date periods use: the conversion date, or the last
    attribution touch of a lead that did not convert (the null paths of Markov and
    Shapley). Touches before the range in a conversion's lookback window still count; the
    totals count the conversions of the range, and the spend is the spend of the range.

    Every model needs touchpoints: without any (a CRM-only export), without touches of the
    attribution types, or without a conversion that has a touch in its lookback window,
    :class:`~leadpilot.errors.MissingDataError` says so and how to fix it. ``as_of``
    (default: the latest event in the data) leaves out the events after it.
    A touch without a value of ``by`` (kept with attribution.keep_unlabelled) is credited
    to the null group (``(none)`` in tables).

    Examples
    --------
    >>> compute_attribution(tables, config, models="linear").rows[0]  # doctest: +SKIP
    {'model': 'linear', 'period': 'all', 'channel': 'paid_search', 'conversions': 12.5, ...}
    """
    chosen = make_models(models, config.attribution)
    s = config.attribution
    lookback = lookback if lookback is not None else s.lookback_days
    check_options(conversion, by, period, lookback)
    date_from, date_to = check_range(date_from, date_to)
    dated = range_text(date_from, date_to)
    in_dates = f" {dated.en}" if dated else ""  # in the messages: ' from 2025-01-01 to ...'
    tables, as_of = resolve_as_of(tables, as_of)
    check_touches(tables, config, by)
    total = conversion_totals(tables, config, conversion, date_from, date_to)
    if total["n"] == 0:
        raise MissingDataError(
            f"no lead reached the {conversion_column(conversion).removesuffix('_at')} stage"
            f"{in_dates} (as of {as_of.label}): attribution has no conversion to credit; "
            + ("widen --from / --to, or " if dated else "")
            + "choose another --conversion (lead, mql, sql, opportunity, customer, revenue)"
        )
    j = journeys(
        tables, config, conversion=conversion, by=by, lookback=lookback, period=period,
        date_from=date_from, date_to=date_to,
    )  # fmt: skip
    if materialize is not None and len(batches(chosen)) > 1:
        j = materialize(j)  # several queries read it: compute it once
    tp = attribution_touches(tables, config, by)
    if dated:  # Shapley ranks its players on the touches the range's journeys can hold
        start = None if date_from is None else date_from - timedelta(days=lookback)
        tp = tp.filter(in_range(tp.ts, start, date_to))
    # Shapley's players come from here, labelled like the journeys' dim
    touches = (tp.mutate(**{by: tp[by].fill_null(NONE_LABEL)}), by)
    data = Journeys(j, conversion=conversion, players=touches)
    # no emptiness check here: check_touches and the check below say what is missing
    credits = run_models(chosen, data, check_empty=False)
    warnings = data.warnings
    # Conversions with no attribution touch in their window cannot be credited: say so.
    some = next(iter(credits.values()))
    credited = sum(c for c, _ in some.values() if c)
    if round(credited, 6) == 0:
        raise MissingDataError(
            f"none of the {total['n']:,} conversion(s){in_dates} has an attribution touch in "
            f"the {lookback} days before it (as of {as_of.label}), so no model can credit any; "
            "widen --lookback (attribution.lookback_days) or check that the touchpoints "
            "cover the conversions' dates"
        )
    missing = total["n"] - round(credited)
    if missing > 0:
        credited_v = sum(v for _, v in some.values() if v)
        lost_v = total["revenue"] - credited_v
        only, only_v = 0, 0.0
        if not s.keep_unlabelled:
            only, only_v = _only_unlabelled(tables, config, conversion, by, lookback,
                                            date_from, date_to)  # fmt: skip
        if only:
            warnings.append(Notice(
                "not_credited",
                f"{missing:,} conversion(s){in_dates} (revenue {lost_v:,.2f}) are not "
                f"credited: {missing - only:,} had no attribution touch in the {lookback} "
                f"days before, {only:,} (revenue {only_v:,.2f}) only touches without a {by}; "
                "attribution.keep_unlabelled: true credits those to '(none)'",
            ))  # fmt: skip
        else:
            warnings.append(Notice(
                "not_credited",
                f"{missing:,} conversion(s){in_dates} (revenue {lost_v:,.2f}) had no "
                f"attribution touch in the {lookback} days before; they are not credited",
            ))  # fmt: skip
    if date_to is not None and row_count(tables, "deals"):
        warnings += _won_after_range(tables, config, conversion, date_from, date_to, in_dates)
    grouped = _grouping(warnings)
    rows, totals, spread = _credit_rows(credits, chosen, conversion, by, period, grouped)
    totals["all_conversions"] = total
    spend_range = (date_from, date_to)
    if _join_spend(rows, [m.name for m in chosen], tables, by, period, warnings, spend_range,
                   grouped):  # fmt: skip
        from ..metrics.reconcile import messages, reconcile

        warnings += messages(reconcile(
            _in_window(tables, date_from, date_to, lookback), dims=[by], against="touchpoints",
            touch_types=s.touch_types, span=in_dates,
        ), span=in_dates)  # fmt: skip
    if customers_without_deals(tables):
        warnings.append(_without_deals(rows, totals))
    # JSON keeps a missing value null, like every other command; tables show (none)
    for r in (*rows, *spread):
        if r[by] == NONE_LABEL:
            r[by] = None
    return AttributionResult(
        rows, models=[m.name for m in chosen], by=by, conversion=conversion, period=period,
        lookback=lookback, spread=spread, totals=totals, warnings=warnings,
        definitions=_definitions(chosen, by, conversion, lookback, s, (date_from, date_to)),
        currency=config.currency, as_of=as_of, date_from=date_from, date_to=date_to,
    )  # fmt: skip


def compute_attribution_from_paths(
    path: str | Path,
    config: Config | None = None,
    *,
    models: list[str] | str | None = None,
    date_from: date | datetime | None = None,
    date_to: date | datetime | None = None,
) -> AttributionResult:
    """The order-only models on an aggregated path file (channel, period 'all').

    A path file holds no dates: ``date_from`` / ``date_to`` are a UsageError."""
    if date_from is not None or date_to is not None:
        raise UsageError(
            "--from / --to: an aggregated path file holds no dates (its rows are channel "
            "paths and their conversions), so it cannot be filtered by conversion date; "
            "filter the journeys before aggregating them, or attribute a workspace (-w)"
        )
    config = config or Config()
    chosen = make_models(models, config.attribution)
    s = config.attribution
    need_dates = [m.name for m in chosen if m.needs != "order"]
    warnings: list[str] = []
    if need_dates:
        if models is not None and models != "all" and models != ["all"]:
            usable = [m.name for m in make_models("all", s) if m.needs == "order"]
            raise UsageError(
                f"model(s) {', '.join(need_dates)} need touch times or the lead's stage dates, "
                "which an aggregated path file does not hold; from a path file use "
                f"{', '.join(usable[:-1])} or {usable[-1]}"
            )
        chosen = [m for m in chosen if m.name not in need_dates]
        warnings.append(Notice(
            "path_file_models",
            f"not computed from a path file (they need touch times or stage dates): "
            f"{', '.join(need_dates)}",
        ))  # fmt: skip
    df, sep = read_path_file(path)
    # the file is in memory already: Markov counts its transitions there (see pathfile.py);
    # the touch table is built only when another model reads it
    data = Journeys(build=lambda: journeys_from_paths(df, sep), path_file=(df, sep))
    credits = run_models(chosen, data)
    warnings += data.warnings
    rows, totals, spread = _credit_rows(credits, chosen, "customer", "channel", "all",
                                        _grouping(warnings))  # fmt: skip
    # the file's columns only: no lead, won deal, period, spend nor currency in it
    definitions = {m.name: m.definition() for m in chosen}
    definitions.update(PATH_FILE_MEASURES)
    definitions["journey"] = PATH_FILE_JOURNEY
    definitions["spread"] = measure_defs("channel", "customer", 0, [])["spread"]
    return AttributionResult(
        rows, models=[m.name for m in chosen], by="channel", conversion="customer",
        period="all", lookback=None, definitions=definitions, spread=spread, totals=totals,
        warnings=warnings, currency=None, path_file=True,
        source=f"path file {Path(path).name} (separator {sep!r})",
    )  # fmt: skip


def _without_deals(rows: list[dict], totals: dict) -> Notice:
    """Customers from stage dates alone (no deal loaded): the credited revenue is unknown,
    not 0 — an ROI of -100 % would say every channel loses its spend."""
    for r in rows:
        r["revenue"] = r["roas"] = r["roi"] = None
    for t in totals.values():
        if isinstance(t, dict) and "revenue" in t:
            t["revenue"] = None
    return Notice(
        "table_not_loaded",
        "no deals loaded: attributed revenue, ROAS and ROI are null (–), not 0 — load a deals "
        "file (won deals with their amount) to measure revenue",
    )


def _won_after_range(
    tables, config: Config, conversion: str, date_from: date | None, date_to: date, span: str
) -> list[Notice]:
    """Won deals of the range's converting leads closed after the range: their revenue
    counts in it (a lead's revenue goes with its conversion). Said with the way to leave
    them out, since a range ending in the past reads as the revenue won in it."""
    model = lead_model(tables, implied=config.stages.implied,
                       keep=[conversion_column(conversion)])  # fmt: skip
    at = model[conversion_column(conversion)]
    conv = model.filter(at.notnull() & in_range(at, date_from, date_to))
    conv = conv.select(_lk=conv.lead_id)
    deals = to_lead(tables["deals"], tables["leads"], known_only=False)
    won = deals.filter((deals.status == "won") & ~in_range(deals.closed_at, None, date_to))
    j = won.join(conv, won.lead_key == conv._lk)
    r = records(j.aggregate(n=j.count(), amount=j.amount.sum()))[0]
    n = int(r["n"] or 0)
    if not n:
        return []
    return [Notice(
        "won_after_range",
        f"{n:,} won deal(s) (revenue {float(r['amount'] or 0):,.2f}) of the leads converting"
        f"{span} were won after {date_to.isoformat()}: their revenue counts in the range (a "
        f"lead's revenue goes with its conversion); --as-of {date_to.isoformat()} leaves "
        "them out",
    )]  # fmt: skip


def _only_unlabelled(
    tables, config: Config, conversion: str, by: str, lookback: int, date_from, date_to
) -> tuple[int, float]:
    """The conversions (and their revenue) whose window holds attribution touches, all
    without a value of ``by``: left out by keep_unlabelled: false, they are not
    "without a touch" (a CRM's calls and meetings carry no channel)."""
    kept = config.model_copy(deep=True)
    kept.attribution.keep_unlabelled = True
    j = journeys(tables, kept, conversion=conversion, by=by, lookback=lookback,
                 period="all", date_from=date_from, date_to=date_to)  # fmt: skip
    j = j.filter(j.conv > 0)
    per = j.group_by(j.jid).aggregate(
        labelled=(j.dim != NONE_LABEL).any(), value=j.value.max()
    )
    per = per.filter(~per.labelled)
    r = records(per.aggregate(n=per.count(), value=per.value.sum()))[0]
    return int(r["n"] or 0), float(r["value"] or 0.0)


def _definitions(models, by, conversion, lookback, settings, dates=(None, None)):
    """Each model's rule, then each column's (and the range of conversion dates)."""
    texts: dict[str, Text] = {m.name: m.definition() for m in models}
    texts.update(measure_defs(
        by, conversion, lookback or 0, settings.touch_types, *dates,
        keep_unlabelled=settings.keep_unlabelled,
    ))  # fmt: skip
    return texts


def _grouping(warnings: list) -> set[str]:
    """The models that grouped values into 'other' (Shapley over more values than its
    players), from the notice each adds: their share of a value they grouped is unknown.
    Not read from the rows: a channel may be named 'other' in the data itself."""
    return {n.data["model"] for n in warnings if getattr(n, "code", None) == "grouped_as_other"}


def _credit_rows(
    credits, models, conversion, by, period, grouped: set[str] = frozenset()
) -> tuple[list[dict], dict, list[dict]]:
    """One row per model, period and value; the totals per period; the spread
    (``grouped``: see :func:`_grouping`)."""
    chosen = [m.name for m in models]
    rows = []
    share_of = "revenue" if conversion == "revenue" else "conversions"
    totals: dict = {}
    for m in chosen:
        per_period: dict = {}
        for (p, dim), (c, v) in credits[m].items():
            per_period.setdefault(p, []).append((dim, float(c or 0.0), float(v or 0.0)))
        for p in sorted(per_period, key=lambda x: (x is None, x)):
            items = per_period[p]
            tot_c = sum(c for _, c, _ in items)
            tot_v = sum(v for _, _, v in items)
            tot = tot_v if share_of == "revenue" else tot_c
            label = period_label(p, period)
            totals.setdefault(label, {"conversions": round(tot_c, 6), "revenue": money(tot_v)})
            for dim, c, v in sorted(items, key=lambda x: (-round(x[1], 6), x[0])):
                rows.append(
                    {
                        "model": m,
                        "period": label,
                        by: dim,
                        "conversions": round(c, 6),
                        "revenue": money(v),  # cents, whatever the order summed
                        "share": round((v if share_of == "revenue" else c) / tot, 6)
                        if tot
                        else None,
                    }
                )
    return rows, totals, _spread(rows, chosen, by, grouped) if len(chosen) > 1 else []


def _spread(
    rows: list[dict], models: list[str], by: str, grouped: set[str] = frozenset()
) -> list[dict]:
    """Per period and value: the lowest and highest share across the models. A model
    without the value has a share of 0, unless it grouped values into 'other'
    (``grouped``): then its share of the value is unknown, and the value's spread is over
    the other models (none below two: the spread read 46 % for Shapley's 'other' against
    models that group nothing, for which 'other' is no value)."""
    table: dict = {}
    for r in rows:
        table.setdefault((r["period"], r[by]), {})[r["model"]] = r["share"] or 0.0
    out = []
    for (p, dim), shares in table.items():
        group = bool(grouped) and dim == OTHER
        full = {m: shares.get(m, 0.0) for m in models
                if m in shares or (m not in grouped and not group)}  # fmt: skip
        if len(full) < 2:
            continue
        lo = min(full, key=lambda m: (full[m], m))
        hi = max(full, key=lambda m: (full[m], m))
        out.append(
            {
                "period": p,
                by: dim,
                "min_share": full[lo],
                "min_model": lo,
                "max_share": full[hi],
                "max_model": hi,
                "spread": round(full[hi] - full[lo], 6),
            }
        )
    out.sort(key=lambda x: (x["period"], -x["spread"], x[by]))
    return out


def _in_window(
    tables: dict, date_from: date | None, date_to: date | None, lookback: int
) -> dict:
    """The tables the reconciliation of a range reads: the spend of the range (what the
    cost columns count) and the touches its journeys can hold (from ``lookback`` days
    before its first day to its last)."""
    if date_from is None and date_to is None:
        return tables
    sp = in_days(tables["spend"], "date", date_from, date_to)
    tp = tables["touchpoints"]
    start = None if date_from is None else date_from - timedelta(days=lookback)
    return {**tables, "spend": sp, "touchpoints": tp.filter(in_range(tp.ts, start, date_to))}


def _join_spend(
    rows: list[dict], models: list[str], tables: dict, by: str, period: str, warnings: list,
    dates: tuple[date | None, date | None] = (None, None), grouped: set[str] = frozenset(),
) -> bool:
    """Cost keys per row when spend is known (True); spend without credit shows as 0
    conversions; a row with no spend recorded has spend and cost keys null, not 0.
    ``dates``: the first and last day of the spend counted (the attribution's range);
    ``grouped``: see :func:`_grouping`."""
    sp = tables["spend"]
    if sp.count().execute() == 0:
        warnings.append(Notice(
            "table_not_loaded", "no spend loaded: cost per conversion, ROAS and ROI are absent"
        ))  # fmt: skip
        return False
    # the cost KPIs' own spend join, per value of by and period
    raw = dated_totals(tables, MEASURES["spend"], [by], PERIOD_UNITS[period], *dates)
    raw = raw.to_pyarrow()
    dated = range_text(*dates)
    in_dates = f" {dated.en}" if dated else ""
    spend = {
        (period_label(r.get("period"), period), NONE_LABEL if r[by] is None else r[by]):
        float(r["spend"] or 0.0)
        for r in raw.to_pylist()
    }  # fmt: skip
    seen: dict = {}
    for r in rows:
        seen.setdefault(r["model"], set()).add((r["period"], r[by]))
    for m in models:  # channels with spend but no credit still cost money
        for key in sorted(spend, key=str):
            # ... unless the model grouped values into 'other' (Shapley over many
            # values): the value's credit is in it, unknown, not 0 (an ROI of -100 %)
            if key not in seen.get(m, set()) and m not in grouped:
                rows.append(
                    {"model": m, "period": key[0], by: key[1], "conversions": 0.0,
                     "revenue": 0.0, "share": 0.0}
                )  # fmt: skip
    order = {m: i for i, m in enumerate(models)}
    rows.sort(key=lambda r: (order[r["model"]], r["period"], -r["conversions"], r[by]))
    unrecorded = set()
    for r in rows:
        s = spend.get((r["period"], r[by]))
        s = None if s is None else money(s)
        if s is None:
            unrecorded.add((r["period"], r[by]))
        r["spend"] = s
        r["cost_per_conversion"] = (
            money(s, r["conversions"]) if s is not None and r["conversions"] else None
        )
        # computed as the catalog's roas and roi KPIs are (null without spend)
        r["roas"], r["roi"] = (
            None if v is None else round(v, 4) for v in spend_returns(r["revenue"], s)
        )
    if unrecorded:
        # each value once (by period, a value without spend in four quarters was listed
        # four times and counted as four values)
        shown = sorted({str(k[1]) for k in unrecorded})
        more = f" and {len(shown) - 3} more" if len(shown) > 3 else ""
        warnings.append(Notice(
            "not_recorded",
            f"no spend recorded{in_dates} for {len(shown)} {by} value(s) "
            f"({', '.join(shown[:3])}{more}): their spend, cost per conversion, ROAS and ROI "
            "are null (–), not 0",
        ))  # fmt: skip
    return True


__all__ = [
    "AttributionResult",
    "BY_DIMENSIONS",
    "compute_attribution",
    "compute_attribution_from_paths",
    "resolve_models",
]
