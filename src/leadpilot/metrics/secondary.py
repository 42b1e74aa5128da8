"""Secondary KPIs of the seeds: content performance, lead-source mix, interest retention.

Each is one Ibis aggregation on the workspace; only the grouped result comes back. Their
columns are defined in the catalog (``REPORT_MEASURES``), each naming the measures of the
registry it is computed from; the aggregations compile from those measures.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import ibis
import ibis.expr.types as ir

from ..config import Config
from ..engine import records
from ..errors import Notice, UsageError
from ..results import Meta, Result, param
from ..text import Text
from .asof import AsOf, resolve_as_of
from .catalog import REPORT_MEASURES
from .compute import PERIOD_UNITS, money, period_label, wilson
from .measures import MEASURES, cohort_value, count_rows, touch_match, zero
from .model import engagement_for, lead_model, outcome_columns, row_count, to_lead


class TableResult(Result):
    """A secondary report (content, sources, retention): rows and each column's rule.

    ``meta``: ``view``, ``report`` (its name), ``as_of``, its parameters (sources: ``by``,
    ``period``; retention: ``months``), ``definitions`` and ``warnings``. Headers and units
    come from the report's measures in the catalog.
    """

    def __init__(
        self,
        name: str,
        rows: list[dict],
        definitions: dict[str, Text],
        *,
        view: str = "cohort",
        warnings: list[str] | None = None,
        as_of: AsOf | None = None,
        params: dict | None = None,
    ) -> None:
        measures = REPORT_MEASURES.get(name, {})
        columns = dict.fromkeys(k for r in rows for k in r)
        units = {c: measures[_measure(c)].unit for c in columns if _measure(c) in measures}
        meta = Meta(
            name,
            view=view,
            as_of=as_of,
            params={"report": name, **(params or {})},
            definitions=definitions,
            headers={c: Text(c, m.label_fr) for c, m in measures.items()},
            units=units,
            warnings=warnings or [],
        )
        super().__init__(rows, meta)
        self.name = name
        self.as_of = as_of

    view = param("view")


def _measure(column: str) -> str:
    """The report measure of a column (``month_3`` is ``month_k``)."""
    return re.sub(r"_\d+$", "_k", column)


AsOfArg = date | datetime | AsOf | None


def content_performance(
    tables: dict[str, ir.Table], config: Config, *, as_of: AsOfArg = None
) -> TableResult:
    """Per content: views, CTA clicks, leads it first touched, and what they became.

    ``as_of``: default the latest event in the data; a date leaves out later events.
    """
    tables, as_of = resolve_as_of(tables, as_of)
    columns = REPORT_MEASURES["content"]
    totals = {n: MEASURES[k.numerator] for n, k in columns.items() if k.kind != "rate"}
    # usage: measures of the content's touches; downstream: of the leads it touched first
    usage_of = {n: m for n, m in totals.items() if m.table == "touchpoints"}
    leads_of = {n: m for n, m in totals.items() if m.table != "touchpoints"}
    tp = tables["touchpoints"]
    tp = to_lead(tp.filter(tp.content.notnull()), tables["leads"])
    types = config.engagement.types
    usage = tp.group_by("content").aggregate(
        **{n: count_rows(m, tp, types) for n, m in usage_of.items()}
    )
    w = ibis.window(group_by=tp.lead_key, order_by=[tp.ts, tp.content])
    first = tp.mutate(_n=ibis.row_number().over(w)).filter(lambda t: t._n == 0)
    first = first.select(_lk=first.lead_key, first_content=first.content)
    model = lead_model(tables, implied=config.stages.implied)
    m = model.join(first, model.lead_id == first._lk)
    downstream = m.group_by(content=m.first_content).aggregate(
        **{n: cohort_value(x, m) for n, x in leads_of.items()}
    )
    j = usage.outer_join(downstream, usage.content == downstream.content)
    j = j.select(
        content=ibis.coalesce(j.content, j.content_right),
        **{n: j[n].fill_null(zero(m)) for n, m in totals.items()},
    )
    rows = records(j.order_by([ibis.desc("revenue"), "content"]))
    column_of = {m.name: n for n, m in totals.items()}  # a rate divides two columns
    for r in rows:
        for n, k in columns.items():
            if k.kind == "sum":
                r[n] = money(r[n])  # cents, whatever the order of the sum
            elif k.kind == "rate":
                num, den = r[column_of[k.numerator]], r[column_of[k.denominator]]
                r[n] = num / den if den else None
    warnings = []
    if not rows and row_count(tables, "touchpoints") == 0:  # empty says why, as retention
        warnings.append(Notice(
            "no_touchpoints",
            "no touchpoints loaded: content performance reads the touches' content (visits, "
            "downloads, clicks), so there is no row",
        ))  # fmt: skip
    return TableResult("content", rows, _definitions("content"), as_of=as_of, warnings=warnings)


def source_mix(
    tables: dict[str, ir.Table],
    config: Config,
    *,
    by: str = "channel",
    period: str = "quarter",
    as_of: AsOfArg = None,
) -> TableResult:
    """Share of leads (and of customers) per source, per period: is the mix shifting?

    A lead without a value of ``by`` is one group (null; ``(none)`` in tables).
    """
    if period not in PERIOD_UNITS:
        raise UsageError(f"unknown period {period!r}")
    tables, as_of = resolve_as_of(tables, as_of)
    model = lead_model(
        tables, implied=config.stages.implied, icp=config.icp,
        engagement=engagement_for([by], config), keep=[by, *outcome_columns()],
    )  # lead_model checks the dimension
    unit = PERIOD_UNITS[period]
    group = {by: model[by]}
    if unit:
        group["period"] = model.created_at.truncate(unit).date()
    # leads and customers: the measures the report's shares divide
    names = dict.fromkeys(m for k in REPORT_MEASURES["sources"].values() for m in k.measures)
    agg = model.group_by(**group).aggregate(**{n: cohort_value(MEASURES[n], model) for n in names})
    raw = records(agg)
    totals: dict = {}
    for r in raw:
        t = totals.setdefault(r.get("period"), [0, 0])
        t[0] += r["leads"]
        t[1] += r["customers"]
    rows = []
    for r in raw:
        t = totals[r.get("period")]
        share = r["leads"] / t[0] if t[0] else None
        low, high = wilson(r["leads"], t[0]) if t[0] else (None, None)
        rows.append(
            {
                "period": period_label(r.get("period"), period),
                by: r[by],
                "leads": r["leads"],
                "lead_share": share,
                "lead_share_low": low,
                "lead_share_high": high,
                "customers": r["customers"],
                "customer_share": r["customers"] / t[1] if t[1] else None,
                "lead_to_customer": r["customers"] / r["leads"] if r["leads"] else None,
            }
        )
    rows.sort(key=lambda x: (x["period"], -x["leads"], "" if x[by] is None else str(x[by])))
    definitions = {name: Text(f"({by}) ", f"({by}) ") + text
                   for name, text in _definitions("sources").items()}  # fmt: skip
    return TableResult(
        "sources", rows, definitions, as_of=as_of, params={"by": by, "period": period}
    )


def interest_retention(
    tables: dict[str, ir.Table], config: Config, months: int = 6, *, as_of: AsOfArg = None
) -> TableResult:
    """Share of each monthly cohort still engaging k months after creation (k = 0..months).

    A cohort's age is measured to ``as_of`` (default: the latest event in the data): the
    months it has not reached yet are null.
    """
    if months < 1:  # as the service and forecast refuse it (a table without months)
        raise UsageError("--months must be at least 1")
    tables, as_of = resolve_as_of(tables, as_of)
    month_k = REPORT_MEASURES["retention"]["month_k"]  # active leads / leads of the cohort
    engaging, cohort_size = MEASURES[month_k.numerator], MEASURES[month_k.denominator]
    types = config.engagement.types
    model = lead_model(tables, implied=config.stages.implied)
    tp = tables["touchpoints"]
    tp = to_lead(tp.filter(touch_match(engaging, tp, types)), tables["leads"])
    base = model.select(
        _lk=model.lead_id, _created=model.created_at, cohort=model.created_at.truncate("M").date()
    )
    j = tp.join(base, tp.lead_key == base._lk)
    k = ((j.ts.epoch_seconds() - j._created.epoch_seconds()) / (86400 * 30.4375)).floor()
    j = j.mutate(_k=k.cast("int64")).filter(lambda t: (t._k >= 0) & (t._k <= months))
    active = j.group_by(["cohort", "_k"]).aggregate(active=count_rows(engaging, j, types))
    sizes = base.group_by("cohort").aggregate(
        size=cohort_value(cohort_size, base), youngest=base._created.max()
    )
    a = records(active)
    sized = records(sizes)
    sz = {r["cohort"]: r["size"] for r in sized}
    youngest = {r["cohort"]: r["youngest"] for r in sized}
    by_cohort: dict = {}
    for r in a:
        by_cohort.setdefault(r["cohort"], {})[r["_k"]] = r["active"]
    rows = []
    no_touches = row_count(tables, "touchpoints") == 0
    for cohort in sorted(sz):
        row = {"cohort": period_label(cohort, "month"), "leads": sz[cohort]}
        # a month is shown once it has ended for the cohort's youngest lead: begun for its
        # oldest only, it counted the touches of a part of it (a young cohort's month 3
        # read 17 % beside 25 % for the older ones, whose month was whole)
        age_days = -1.0
        if as_of.at and not no_touches:
            age_days = (as_of.at - youngest[cohort]).total_seconds() / 86400
        for m in range(months + 1):
            reached = age_days >= (m + 1) * 30.4375
            row[f"month_{m}"] = (
                by_cohort.get(cohort, {}).get(m, 0) / sz[cohort] if reached else None
            )
        rows.append(row)
    warnings = []
    if no_touches:  # unknown, not 0 %: nothing says whether anyone engaged
        warnings.append(Notice(
            "no_touchpoints",
            "no touchpoints loaded: interest retention cannot be measured (every month is "
            "null, not 0)",
        ))  # fmt: skip
    return TableResult(
        "retention", rows, _definitions("retention"), as_of=as_of, warnings=warnings,
        params={"months": months},
    )  # fmt: skip


def _definitions(report: str) -> dict[str, Text]:
    """A report's column rules, English and French (``meta.definitions`` is the English)."""
    return {name: k.definition for name, k in REPORT_MEASURES[report].items()}
