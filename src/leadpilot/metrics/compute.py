"""Compiling KPI definitions to Ibis and running them on the workspace backend.

Aggregation happens in the engine; only the grouped result (a few hundred rows
at most) comes back, where rates get their Wilson intervals and periods their
labels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime

import ibis
import ibis.expr.types as ir

from ..config import Config
from ..errors import UsageError
from .catalog import CATALOG, DERIVED_MEASURES, HEADLINE, Kpi
from .model import lead_model

PERIOD_UNITS = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y", "all": None}
SPEND_DIMENSIONS = ("channel", "campaign", "content")
Z95 = 1.959963984540054


@dataclass
class KpiResult:
    rows: list[dict]
    kpis: list[Kpi]
    by: list[str]
    period: str
    view: str
    currency: str
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "rows": self.rows,
            "meta": {
                "view": self.view,
                "period": self.period,
                "by": self.by,
                "currency": self.currency,
                "definitions": {k.name: k.rule for k in self.kpis},
                "kpis": {k.name: k.as_dict() for k in self.kpis},
                "warnings": self.warnings,
            },
        }


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


def _measures_needed(kpis: list[Kpi]) -> set[str]:
    out = set()
    for k in kpis:
        out.update(m for m in (k.numerator, k.denominator) if m)
    for name, (a, _, b) in DERIVED_MEASURES.items():
        if name in out:
            out.update((a, b))
    return out


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
) -> KpiResult:
    if period not in PERIOD_UNITS:
        raise UsageError(f"unknown period {period!r}; expected one of {', '.join(PERIOD_UNITS)}")
    if view != "cohort":
        raise UsageError(f"view {view!r} is not available yet; the cohort view is")
    chosen = resolve_kpis(kpis)
    by = list(by or [])
    needed = _measures_needed(chosen)
    model = lead_model(tables, implied=config.stages.implied)
    unknown = [d for d in by if d not in model.columns]
    if unknown:
        raise UsageError(
            f"unknown dimension(s) {unknown}; available: period and any lead column "
            f"({', '.join(c for c in model.columns if not c.endswith('_at'))})"
        )
    unit = PERIOD_UNITS[period]
    warnings: list[str] = []

    if date_from is not None:
        model = model.filter(
            model.created_at >= ibis.literal(datetime.combine(date_from, datetime.min.time()))
        )
    if date_to is not None:
        model = model.filter(
            model.created_at
            < ibis.literal(datetime.combine(date_to, datetime.min.time())) + ibis.interval(days=1)
        )

    keys = list(by)
    group = {d: model[d] for d in by}
    if unit:
        group["period"] = model.created_at.truncate(unit).date()
        keys = ["period", *keys]
    lead_measures = {
        "leads": model.count(),
        "mqls": model.mql_at.notnull().sum(),
        "sals": model.sal_at.notnull().sum(),
        "sqls": model.sql_at.notnull().sum(),
        "opportunities": model.opportunity_at.notnull().sum(),
        "customers": model.customer_at.notnull().sum(),
        "revenue": model.revenue.sum(),
        "won_deals": model.won_deals.sum(),
        "closed_deals": model.closed_deals.sum(),
    }
    agg = (
        model.group_by(**group).aggregate(
            **{k: v for k, v in lead_measures.items() if k in needed or k == "leads"}
        )
        if group
        else model.aggregate(
            **{k: v for k, v in lead_measures.items() if k in needed or k == "leads"}
        )
    )

    if "spend" in needed:
        has_spend = tables["spend"].count().execute() > 0
        if not has_spend:
            warnings.append("no spend loaded: spend and cost KPIs are null")
            agg = agg.mutate(spend=ibis.literal(None, "float64"))
        else:
            agg = _join_spend(agg, tables["spend"], by, unit, keys, date_from, date_to, warnings)

    result = agg.order_by([agg[k] for k in keys]) if keys else agg
    raw = result.to_pyarrow().to_pylist()
    rows = [_finish_row(r, chosen, by, period, warnings) for r in raw]
    rows.sort(
        key=lambda r: tuple("" if r.get(k) is None else str(r.get(k)) for k in ["period", *by])
    )
    return KpiResult(
        rows=rows,
        kpis=chosen,
        by=by,
        period=period,
        view=view,
        currency=config.currency,
        warnings=sorted(set(warnings)),
    )


def _join_spend(agg, spend, by, unit, keys, date_from, date_to, warnings):
    if date_from is not None:
        spend = spend.filter(spend.date >= ibis.literal(date_from))
    if date_to is not None:
        spend = spend.filter(spend.date <= ibis.literal(date_to))
    spend_dims = [d for d in by if d in SPEND_DIMENSIONS]
    if len(spend_dims) != len(by):
        other = [d for d in by if d not in SPEND_DIMENSIONS]
        warnings.append(
            f"spend cannot be split by {', '.join(other)}: spend and cost KPIs "
            "are null for those groups"
        )
        return agg.mutate(spend=ibis.literal(None, "float64"))
    group = {d: spend[d] for d in spend_dims}
    if unit:
        group["period"] = spend.date.truncate(unit)
    s = (
        spend.group_by(**group).aggregate(spend=spend.amount.sum())
        if group
        else spend.aggregate(spend=spend.amount.sum())
    )
    if not keys:
        return agg.cross_join(s)
    # Outer join: spend with no leads and leads with no spend both stay.
    s = s.rename({f"_s_{k}": k for k in keys})
    j = agg.outer_join(s, [agg[k] == s[f"_s_{k}"] for k in keys])
    j = j.mutate(
        **{
            k: j[k].fill_null(j[f"_s_{k}"])
            if k != "period"
            else ibis.coalesce(j[k], j[f"_s_{k}"].cast("date"))
            for k in keys
        }
    )
    # Groups without spend rows spent nothing (the spend table is the whole record).
    j = j.mutate(leads=j.leads.fill_null(0), spend=j.spend.fill_null(0.0))
    for m in ("mqls", "sals", "sqls", "opportunities", "customers", "won_deals", "closed_deals"):
        if m in j.columns:
            j = j.mutate(**{m: j[m].fill_null(0)})
    if "revenue" in j.columns:
        j = j.mutate(revenue=j.revenue.fill_null(0.0))
    return j.drop(*[f"_s_{k}" for k in keys])


def _finish_row(r: dict, kpis: list[Kpi], by: list[str], period: str, warnings: list[str]) -> dict:
    out: dict = {"period": period_label(r.get("period"), period)}
    r = dict(r)
    for name, (a, op, b) in DERIVED_MEASURES.items():
        if a in r and b in r:
            r[name] = (
                None
                if r[a] is None or r[b] is None
                else (r[a] - r[b] if op == "-" else r[a] + r[b])
            )
    for d in by:
        out[d] = r.get(d)
    for k in kpis:
        if k.kind in ("count", "sum"):
            v = r.get(k.numerator)
            out[k.name] = (
                int(v)
                if k.kind == "count" and v is not None
                else (round(float(v), 2) if v is not None else None)
            )
            continue
        num = r.get(k.numerator)
        den = r.get(k.denominator)
        if k.kind == "ratio":
            if num is None:
                out[k.name] = None
            elif not den:
                out[k.name] = None
                warnings.append(f"{k.name}: null where {k.denominator} = 0 (division by zero)")
            else:
                value = float(num) / float(den)
                out[k.name] = round(value, 2) if k.unit == "currency" else round(value, 6)
            continue
        num = int(num or 0)
        den = int(den or 0)
        out[f"{k.name}_numerator"] = num
        out[f"{k.name}_denominator"] = den
        if den == 0:
            out[k.name] = out[f"{k.name}_low"] = out[f"{k.name}_high"] = None
            warnings.append(f"{k.name}: null where {k.denominator} = 0 (division by zero)")
        else:
            out[k.name] = num / den
            out[f"{k.name}_low"], out[f"{k.name}_high"] = wilson(num, den)
    return out
