"""Attribution entry points: models side by side, with spend, spread and definitions.

``compute_attribution`` works on a workspace's tables; ``compute_attribution_from_paths``
on a ChannelAttribution-style aggregated path file. Both build the same touch table
(paths.py / pathfile.py) and run the requested models on it; only grouped credits,
transition counts and channel-set counts come back from the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import ibis
import ibis.expr.types as ir

from ..config import AttributionSettings, Config
from ..errors import MissingDataError, UsageError
from ..metrics.asof import AsOf, resolve_as_of
from ..metrics.catalog import localized, texts_in
from ..metrics.compute import PERIOD_UNITS, period_label
from . import heuristics, markov, shapley
from .definitions import HEURISTICS, MODEL_NAMES, PATH_FILE_JOURNEY, measure_defs, model_defs
from .pathfile import journeys_from_paths, path_transition_counts, read_path_file
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

Materialize = Callable[[ir.Table], ir.Table]


@dataclass
class AttributionResult:
    rows: list[dict]
    models: list[str]
    by: str
    conversion: str
    period: str
    lookback: int | None
    definitions: dict[str, str]  # English: meta.definitions
    spread: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    currency: str = "EUR"
    source: str = "workspace"
    totals: dict = field(default_factory=dict)
    as_of: AsOf | None = None  # None for a path file (no dates)
    definitions_fr: dict[str, str] = field(default_factory=dict)  # the same, in French

    def to_json(self) -> dict:
        return {
            "rows": self.rows,
            "meta": {
                "view": "attribution",
                "report": "attribution",
                "as_of": self.as_of.label if self.as_of else None,
                "as_of_rule": self.as_of.rule if self.as_of else None,
                "models": self.models,
                "by": self.by,
                "conversion": self.conversion,
                "period": self.period,
                "lookback_days": self.lookback,
                "source": self.source,
                "currency": self.currency,
                "totals": self.totals,
                "definitions": self.definitions,
                "spread": self.spread,
                "warnings": self.warnings,
            },
        }

    def definitions_in(self, lang: str) -> dict[str, str]:
        """meta.definitions in ``lang`` ("en": as the JSON holds them)."""
        return localized(self.definitions, self.definitions_fr, lang)


def resolve_models(models: list[str] | str | None) -> list[str]:
    if models is None:
        return ["last_touch", "linear", "markov"]
    if isinstance(models, str):
        models = [m.strip() for m in models.split(",") if m.strip()]
    if models == ["all"]:
        return list(MODEL_NAMES)
    unknown = [m for m in models if m not in MODEL_NAMES]
    if unknown or not models:
        raise UsageError(
            f"unknown model(s) {unknown}; expected all or some of {', '.join(MODEL_NAMES)}"
        )
    return list(dict.fromkeys(models))


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
) -> AttributionResult:
    """Credit per model and value of ``by`` for conversions at the ``conversion`` stage.

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
    chosen = resolve_models(models)
    s = config.attribution
    lookback = lookback if lookback is not None else s.lookback_days
    check_options(conversion, by, period, lookback)
    tables, as_of = resolve_as_of(tables, as_of)
    check_touches(tables, config, by)
    total = conversion_totals(tables, config, conversion)
    if total["n"] == 0:
        raise MissingDataError(
            f"no lead reached the {conversion_column(conversion).removesuffix('_at')} stage "
            f"(as of {as_of.label}): attribution has no conversion to credit; choose another "
            "--conversion (lead, mql, sql, opportunity, customer, revenue)"
        )
    j = journeys(tables, config, conversion=conversion, by=by, lookback=lookback, period=period)
    heur = [m for m in chosen if m in HEURISTICS]
    readers = bool(heur) + ("markov" in chosen) + ("shapley" in chosen)  # queries on j
    if materialize is not None and readers > 1:  # several queries read it: compute it once
        j = materialize(j)
    warnings: list[str] = []
    if conversion == "lead" and "markov" in chosen:
        warnings.append("every lead converts at its creation: the Markov chain has no null paths")
    tp = attribution_touches(tables, config, by)
    # Shapley's players come from here, labelled like the journeys' dim
    touches = (tp.mutate(**{by: tp[by].fill_null(NONE_LABEL)}), by)
    credits = _run(j, chosen, s, warnings, players_from=touches)
    # Conversions with no attribution touch in their window cannot be credited: say so.
    some = next(iter(credits.values()))
    credited = sum(c for c, _ in some.values() if c)
    if round(credited, 6) == 0:
        raise MissingDataError(
            f"none of the {total['n']:,} conversion(s) has an attribution touch in the "
            f"{lookback} days before it (as of {as_of.label}), so no model can credit any; "
            "widen --lookback (attribution.lookback_days) or check that the touchpoints "
            "cover the conversions' dates"
        )
    missing = total["n"] - round(credited)
    if missing > 0:
        credited_v = sum(v for _, v in some.values() if v)
        warnings.append(
            f"{missing:,} conversion(s) (revenue {total['revenue'] - credited_v:,.2f}) had no "
            f"attribution touch in the {lookback} days before; they are not credited"
        )
    result = _result(credits, chosen, s, conversion, by, period, lookback, warnings)
    result.currency = config.currency
    result.as_of = as_of
    result.totals["all_conversions"] = total
    if _join_spend(result, tables, by, period):
        from ..metrics.reconcile import messages, reconcile

        result.warnings += messages(
            reconcile(tables, dims=[by], against="touchpoints", touch_types=s.touch_types)
        )
    # JSON keeps a missing value null, like every other command; tables show (none)
    for r in (*result.rows, *result.spread):
        if r[by] == NONE_LABEL:
            r[by] = None
    return result


def compute_attribution_from_paths(
    path: str | Path,
    config: Config | None = None,
    *,
    models: list[str] | str | None = None,
) -> AttributionResult:
    """The order-only models on an aggregated path file (channel, period 'all')."""
    config = config or Config()
    chosen = resolve_models(models)
    s = config.attribution
    need_dates = [m for m in chosen if model_defs(s)[m].needs != "order"]
    warnings: list[str] = []
    if need_dates:
        if models is not None and models != "all" and models != ["all"]:
            raise UsageError(
                f"model(s) {', '.join(need_dates)} need touch times or the lead's stage dates, "
                "which an aggregated path file does not hold; from a path file use "
                "first_touch, last_touch, last_non_direct, linear, markov or shapley"
            )
        chosen = [m for m in chosen if m not in need_dates]
        warnings.append(
            f"not computed from a path file (they need touch times or stage dates): "
            f"{', '.join(need_dates)}"
        )
    df, sep = read_path_file(path)
    # the file is in memory already: its transitions are counted there (see pathfile.py)
    counts = None
    if "markov" in chosen:
        counts = path_transition_counts(
            df, sep, s.markov_order, s.collapse_repeats, s.markov_null_paths
        )
    j = journeys_from_paths(df, sep) if chosen != ["markov"] else None
    credits = _run(j, chosen, s, warnings, markov_counts=counts)
    result = _result(credits, chosen, s, "customer", "channel", "all", None, warnings)
    result.source = f"path file {Path(path).name} (separator {sep!r})"
    result.definitions["journey"] = PATH_FILE_JOURNEY.en
    result.definitions_fr["journey"] = PATH_FILE_JOURNEY.fr
    result.currency = config.currency
    return result


def _run(
    j: ir.Table | None,
    chosen: list[str],
    s: AttributionSettings,
    warnings: list[str],
    markov_counts=None,
    players_from: tuple[ir.Table, str] | None = None,
) -> dict:
    """{model: {(period, dim): (conversions, revenue)}} plus totals per period."""
    out: dict = {}
    heur = [m for m in chosen if m in HEURISTICS]
    if heur:
        rows = heuristics.credits(j, heur, s).to_pyarrow().to_pylist()
        for m in heur:
            out[m] = {(r["period"], r["dim"]): (r[f"conv_{m}"], r[f"value_{m}"]) for r in rows}
    if "markov" in chosen:
        counts = markov_counts
        if counts is None:
            counts = markov.transition_counts(
                j, s.markov_order, s.collapse_repeats, s.markov_null_paths
            )
        out["markov"] = {}
        for period, c in _by_period(counts):
            fit = markov.fit(c, s.markov_order)
            ends = c[c["nxt"].isna()]
            total, total_v = float(ends["conv"].sum()), float(ends["value"].sum())
            for ch, cv in markov.attribute(fit, total, total_v).items():
                out["markov"][(period, ch)] = cv
    if "shapley" in chosen:
        source, column = players_from if players_from is not None else (j, "dim")
        names, grouped = shapley.players(source, column, s.shapley_max_channels)
        if grouped:
            warnings.append(
                f"shapley: more than {s.shapley_max_channels} values; those with the fewest "
                f"touches are grouped as '{shapley.OTHER}'"
            )
        counts = shapley.set_counts(j, names)
        out["shapley"] = {}
        for period, c in _by_period(counts):
            for ch, cv in shapley.attribute(c, names).items():
                out["shapley"][(period, ch)] = cv
    return out


def _by_period(df):
    if df["period"].isna().all():
        yield None, df
        return
    yield from df.groupby("period", sort=True, dropna=False)


def _result(credits, chosen, s, conversion, by, period, lookback, warnings) -> AttributionResult:
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
            totals.setdefault(label, {"conversions": round(tot_c, 6), "revenue": round(tot_v, 2)})
            for dim, c, v in sorted(items, key=lambda x: (-round(x[1], 6), x[0])):
                rows.append(
                    {
                        "model": m,
                        "period": label,
                        by: dim,
                        "conversions": round(c, 6),
                        "revenue": round(v, 2),
                        "share": round((v if share_of == "revenue" else c) / tot, 6)
                        if tot
                        else None,
                    }
                )
    defs = model_defs(s)
    texts = {m: defs[m].definition for m in chosen}
    texts.update(measure_defs(by, conversion, lookback or 0, s.touch_types))
    result = AttributionResult(
        rows=rows,
        models=chosen,
        by=by,
        conversion=conversion,
        period=period,
        lookback=lookback,
        definitions=texts_in(texts, "en"),
        definitions_fr=texts_in(texts, "fr"),
        warnings=warnings,
        totals=totals,
    )
    result.spread = _spread(rows, chosen, by) if len(chosen) > 1 else []
    return result


def _spread(rows: list[dict], models: list[str], by: str) -> list[dict]:
    """Per period and value: the lowest and highest share across the models."""
    table: dict = {}
    for r in rows:
        table.setdefault((r["period"], r[by]), {})[r["model"]] = r["share"] or 0.0
    out = []
    for (p, dim), shares in table.items():
        full = {m: shares.get(m, 0.0) for m in models}
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


def _join_spend(result: AttributionResult, tables: dict, by: str, period: str) -> bool:
    """Cost keys per row when spend is known (True); spend without credit shows as 0
    conversions; a row with no spend recorded has spend and cost keys null, not 0."""
    sp = tables["spend"]
    if sp.count().execute() == 0:
        result.warnings.append("no spend loaded: cost per conversion, ROAS and ROI are absent")
        return False
    unit = PERIOD_UNITS[period]
    group = {by: sp[by].fill_null("(none)")}
    group["period"] = sp.date.truncate(unit) if unit else ibis.literal(None, "date")
    raw = sp.group_by(**group).aggregate(spend=sp.amount.sum()).to_pyarrow().to_pylist()
    spend = {(period_label(r["period"], period), r[by]): float(r["spend"] or 0.0) for r in raw}
    seen: dict = {}
    for r in result.rows:
        seen.setdefault(r["model"], set()).add((r["period"], r[by]))
    for m in result.models:  # channels with spend but no credit still cost money
        for key in sorted(spend, key=str):
            if key not in seen.get(m, set()):
                result.rows.append(
                    {"model": m, "period": key[0], by: key[1], "conversions": 0.0,
                     "revenue": 0.0, "share": 0.0}
                )  # fmt: skip
    order = {m: i for i, m in enumerate(result.models)}
    result.rows.sort(key=lambda r: (order[r["model"]], r["period"], -r["conversions"], r[by]))
    unrecorded = set()
    for r in result.rows:
        s = spend.get((r["period"], r[by]))
        s = None if s is None else round(s, 2)
        if s is None:
            unrecorded.add((r["period"], r[by]))
        r["spend"] = s
        r["cost_per_conversion"] = (
            round(s / r["conversions"], 2) if s is not None and r["conversions"] else None
        )
        r["roas"] = round(r["revenue"] / s, 4) if s else None
        r["roi"] = round((r["revenue"] - s) / s, 4) if s else None
    if unrecorded:
        shown = sorted(str(k[1]) for k in unrecorded)
        more = f" and {len(shown) - 3} more" if len(shown) > 3 else ""
        result.warnings.append(
            f"no spend recorded for {len(unrecorded)} {by} value(s) ({', '.join(shown[:3])}"
            f"{more}): their spend, cost per conversion, ROAS and ROI are null (–), not 0"
        )
    return True


__all__ = [
    "AttributionResult",
    "BY_DIMENSIONS",
    "compute_attribution",
    "compute_attribution_from_paths",
    "resolve_models",
]
