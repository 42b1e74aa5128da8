"""The measure registry: every number a KPI or a report is built from, declared once.

A KPI of the catalog (:mod:`leadpilot.metrics.catalog`) names measures — a count is
one measure, a rate or a ratio divides two, a duration runs from one measure's date to
another's — and so do the columns of the funnel, velocity and the secondary reports.
Each measure says here what it reads and how it aggregates; the compilers read that
and nothing else:

- the lead model (:mod:`~leadpilot.metrics.model`) carries one column per lead for the
  measures read from deals and touchpoints (``lead_column``);
- the cohort view sums those per-lead facts, or counts the leads that have a stage
  date (``column``), over the leads created in the period;
- the activity view counts each record at its own date (``at``): a stage at the date
  it was reached, a deal at its closing, a touch at its time; a ``snapshot`` (open
  pipeline) is the value standing at each period's end;
- a ``dated`` measure sums a day-dated table (spend, traffic) on the dimensions it can
  be split by (``dims``), joined to the lead groups; a ``derived`` one combines two
  measures after aggregation (margin = revenue − spend).

A measure's ``rule`` says what it counts and ``activity`` what it counts in the activity
view (the KPIs' activity definitions are written from it), in English and French.

Adding a KPI on a new measure touches this file and the catalog, nothing else. For
example, the share of a cohort's leads that attended a webinar::

    # here, in MEASURES: a per-lead fact of the touchpoints (the lead model computes it)
    Measure("webinar_leads", "count", "leads", "touchpoints",
            Text("leads with a webinar attendance", "leads ayant assisté à un webinaire"),
            where=("webinar_attendance",), per_lead=True, lead_column="webinar_leads"),
    # in catalog.py, in CATALOG: a rate of two measures
    Kpi("webinar_rate", "Webinar attendance", "Participation aux webinaires", "rate",
        "fraction", True, Text(...), numerator="webinar_leads", denominator="leads"),

(``tests/metrics/test_catalog_integrity.py`` does exactly that and checks the number.)
A KPI or a report column naming a measure that is not here is an error when the catalog
loads (:func:`leadpilot.metrics.catalog.load_catalog`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

import ibis
import ibis.expr.types as ir

from ..errors import ConfigError
from ..schema import DEAL_STATUSES, TOUCHPOINT_TYPES
from ..text import Text

MeasureKind = Literal["count", "sum", "dated", "derived"]
# Where a measure's rows come from; "leads" is the lead model: one row per counted lead
# with the stage dates it reached (built from leads, stage_events and deals).
SOURCES = ("leads", "deals", "touchpoints", "spend", "traffic")
# Touch types that count as a click on a call to action (content performance).
CTA_TYPES = ("form_submit", "download", "webinar_registration", "email_click", "ad_click")


@dataclass(frozen=True)
class Measure:
    """One measure: what it reads, how it aggregates in each view, and its rule.

    Parameters
    ----------
    name
        Its key: what KPIs and report columns name (``numerator``, ``denominator``).
    kind
        ``count`` (of leads, deals or touches), ``sum`` (of an amount), ``dated`` (a
        day-dated table summed on its own dimensions and joined to the lead groups:
        spend, visitors) or ``derived`` (two measures combined after aggregation).
    unit
        What one of it is: ``leads``, ``deals``, ``touches``, ``currency``, ``visitors``.
        The catalog checks that KPIs divide and show units consistently.
    table
        Where its rows come from: ``leads`` (the lead model), ``deals``, ``touchpoints``,
        ``spend``, ``traffic``; None for a derived measure.
    rule
        What it counts, in English and French.
    activity
        What it counts in the activity view, as the KPIs' activity definitions say it;
        None when the KPI's own rule says it, or for a cohort-only measure.
    column
        ``leads``: the lead-model date whose presence counts the lead (None: every
        counted lead); ``deals`` and dated tables: the column summed.
    at
        The date it is counted at in the activity view (a lead-model date, the deal's
        ``closed_at``, the touch's ``ts``, the dated table's ``date``); None: not a flow
        of the period (cohort view only, or a ``snapshot``).
    where
        The rows that count: deal statuses, or touch types (None: every row).
    requires
        Deals: a column the deal must hold a value in to count (won deals with an
        amount).
    valued_by
        Sums: the measures counting the records that hold a value and all the records
        summed (``("priced_won_deals", "won_deals")`` for revenue). A group whose records
        all lack a value is unknown (null), not 0; a part lacking one is said.
    engagement
        Touchpoints: the configured ``engagement.types`` instead of ``where``.
    window
        Touchpoints: only touches within ``engagement.window_days`` after the lead's
        creation (a cohort-only measure).
    per_lead
        Touchpoints: counts the leads with such a touch, not the touches.
    lead_column
        Deals and touchpoints: the per-lead fact the lead model carries for the cohort
        view (None: counted from the records only, as the reports do).
    snapshot
        Activity view: the value standing at each period's end (deals open then).
    dims
        Dated: the dimensions the table can be split by.
    missing
        Dated: what is null when the table holds no row.
    of, op
        Derived: the two measures and how they combine (``"-"`` or ``"+"``).
    stage
        Lead model: the funnel stage (or exit) whose leads it counts.
    date_label
        Lead model: how its date reads in notes ("<end> dated before <start>").
    """

    name: str
    kind: MeasureKind
    unit: str
    table: str | None
    rule: Text
    activity: Text | None = None
    column: str | None = None
    at: str | None = None
    where: tuple[str, ...] | None = None
    requires: str | None = None
    valued_by: tuple[str, ...] = ()
    engagement: bool = False
    window: bool = False
    per_lead: bool = False
    lead_column: str | None = None
    snapshot: bool = False
    dims: tuple[str, ...] = ()
    missing: str = ""
    of: tuple[str, ...] = ()
    op: str = ""
    stage: str | None = None
    date_label: str = ""

    @property
    def in_cohort_view(self) -> bool:
        """Can the cohort view aggregate it (a per-lead fact, a lead count, a dated table,
        a combination of such)?"""
        if self.kind == "derived":
            return all(MEASURES[p].in_cohort_view for p in self.of if p in MEASURES)
        return self.table in ("leads", "spend", "traffic") or self.lead_column is not None

    @property
    def in_activity_view(self) -> bool:
        """Can the activity view aggregate it (counted at a date, or a snapshot)?"""
        if self.kind == "derived":
            return all(MEASURES[p].in_activity_view for p in self.of if p in MEASURES)
        return self.at is not None or self.snapshot

    @property
    def from_lead_model(self) -> bool:
        """Aggregated with the lead groups (not joined on its own dimensions, not derived)."""
        return self.kind in ("count", "sum")


_WHATEVER = Text("whatever their creation date", "quelle que soit leur date de création")


def _stage(name: str, stage: str, column: str, label: str, en: str, fr: str) -> Measure:
    """Leads that reached a stage (or an exit): counted at that stage's date."""
    return Measure(
        name,
        "count",
        "leads",
        "leads",
        Text(f"leads that reached {en}", f"leads ayant atteint {fr}"),
        Text(
            f"leads that reached {en} in the period (at that stage's date), {_WHATEVER.en}",
            f"leads ayant atteint {fr} pendant la période (à la date de cette étape), "
            f"{_WHATEVER.fr}",
        ),
        column=column,
        at=column,
        stage=stage,
        date_label=label,
    )


def _touches(name: str, rule: Text, activity: Text | None = None, **kw) -> Measure:
    return Measure(name, "count", "touches", "touchpoints", rule, activity, **kw)


def _typed(name: str, touch_type: str, activity: Text) -> Measure:
    """Touches of one type, per lead in the lead model and counted at their time."""
    rule = Text(f"{touch_type} touches", f"interactions {touch_type}")
    return _touches(name, rule, activity, at="ts", where=(touch_type,), lead_column=name)


def keyed(items: Iterable, what: str) -> tuple[dict, list[str]]:
    """{item.name: item}, and a problem for each name declared twice."""
    out: dict = {}
    problems = []
    for item in items:
        if item.name in out:
            problems.append(f"{what} {item.name!r} is declared twice")
        out[item.name] = item
    return out, problems


def load_measures(measures: Iterable[Measure]) -> dict[str, Measure]:
    """The registry as a dict, after checking every measure (one ConfigError lists all
    the problems)."""
    out, problems = keyed(measures, "measure")
    for m in out.values():
        problems += [f"measure {m.name!r}: {p}" for p in _problems(m, out)]
    if problems:
        raise ConfigError("; ".join(problems))
    return out


def _problems(m: Measure, known: Mapping[str, Measure]) -> list[str]:
    out = []
    if m.kind not in ("count", "sum", "dated", "derived"):
        out.append(f"unknown kind {m.kind!r}")
    if (m.table is None) != (m.kind == "derived") or (m.table and m.table not in SOURCES):
        out.append(f"table {m.table!r}: expected one of {', '.join(SOURCES)} (None if derived)")
    if m.kind == "derived":
        unknown = [p for p in m.of if p not in known]
        if len(m.of) != 2 or m.op not in ("-", "+") or unknown:
            out.append(f"a derived measure combines two known measures with - or + ({m.of})")
    if m.kind == "dated" and not (m.column and m.at and m.dims and m.missing):
        out.append("a dated measure needs its column, date (at), dims and missing text")
    if m.kind == "sum" and m.unit != "currency":
        out.append(f"a sum is an amount (unit currency), not {m.unit!r}")
    if m.table == "deals" and m.where and set(m.where) - set(DEAL_STATUSES):
        out.append(f"deal statuses {m.where}: expected some of {', '.join(DEAL_STATUSES)}")
    if m.table == "touchpoints" and m.where and set(m.where) - set(TOUCHPOINT_TYPES):
        out.append(f"touch types {m.where}: expected some of {', '.join(TOUCHPOINT_TYPES)}")
    if m.table == "leads" and (m.at is None or m.lead_column is not None):
        out.append("a lead-model count is counted at a date (at) and has no lead_column")
    if m.window and m.at is not None:
        out.append("a measure within the engagement window is a cohort measure (at None)")
    if m.kind == "sum" and m.table in ("deals", "leads") and not m.column:
        out.append("a sum names the column it sums")
    if m.requires and m.table != "deals":
        out.append("requires (a column holding a value) is for deal measures")
    valued = [known.get(p) for p in m.valued_by]
    if m.valued_by and (
        m.kind != "sum" or len(valued) != 2 or None in valued
        or any(v.kind != "count" or v.table != m.table for v in valued)
    ):  # fmt: skip
        out.append(
            f"valued_by {m.valued_by}: a sum's two counts of the same table (the records "
            "holding a value, all of them)"
        )
    return out


# The registry. The order of the lead-model measures is the order of the aggregations.
MEASURES: dict[str, Measure] = load_measures(
    (
        Measure(
            "leads",
            "count",
            "leads",
            "leads",
            Text(
                "counted leads (after e-mail deduplication and the lead rule)",
                "leads comptés (après dédoublonnage par e-mail et règle des leads)",
            ),
            Text("leads created in the period", "leads créés sur la période"),
            at="created_at",
            stage="lead",
            date_label="the lead's creation",
        ),
        _stage("mqls", "mql", "mql_at", "MQL", "MQL", "l'étape MQL"),
        _stage("sals", "sal", "sal_at", "SAL", "SAL", "l'étape SAL"),
        _stage("sqls", "sql", "sql_at", "SQL", "SQL", "l'étape SQL"),
        _stage(
            "opportunities",
            "opportunity",
            "opportunity_at",
            "opportunity (or deal creation)",
            "opportunity",
            "l'étape opportunité",
        ),
        _stage(
            "customers",
            "customer",
            "customer_at",
            "won deal (customer)",
            "customer (first won deal or customer stage)",
            "l'étape client (première affaire gagnée ou étape client)",
        ),
        Measure(
            "revenue",
            "sum",
            "currency",
            "deals",
            Text("won deal amounts", "montants des affaires gagnées"),
            Text(
                "won deal amounts closed in the period, whatever the lead's creation date",
                "montants des affaires gagnées closes pendant la période, quelle que soit la "
                "date de création du lead",
            ),
            column="amount",
            at="closed_at",
            where=("won",),
            lead_column="revenue",
            valued_by=("priced_won_deals", "won_deals"),
        ),
        Measure(
            "won_deals",
            "count",
            "deals",
            "deals",
            Text("won deals", "affaires gagnées"),
            Text("deals won in the period", "affaires gagnées pendant la période"),
            at="closed_at",
            where=("won",),
            lead_column="won_deals",
        ),
        Measure(
            "priced_won_deals",
            "count",
            "deals",
            "deals",
            Text("won deals with an amount", "affaires gagnées ayant un montant"),
            Text(
                "deals won in the period with an amount",
                "affaires gagnées pendant la période ayant un montant",
            ),
            at="closed_at",
            where=("won",),
            requires="amount",
            lead_column="priced_won_deals",
        ),
        Measure(
            "closed_deals",
            "count",
            "deals",
            "deals",
            Text("deals won or lost", "affaires gagnées ou perdues"),
            Text(
                "deals won or lost in the period", "affaires gagnées ou perdues pendant la période"
            ),
            at="closed_at",
            where=("won", "lost"),
            lead_column="closed_deals",
        ),
        _stage(
            "rejected", "rejected", "rejected_at", "rejection", "the rejected exit",
            "la sortie « rejeté »",
        ),  # fmt: skip
        _stage(
            "disqualified", "disqualified", "disqualified_at", "disqualification",
            "the disqualified exit", "la sortie « disqualifié »",
        ),  # fmt: skip
        Measure(
            "sals_recorded",
            "count",
            "leads",
            "leads",
            Text(
                "leads with a sal stage event of their own (never implied): is acceptance "
                "measured?",
                "leads ayant leur propre événement d'étape sal (jamais implicite) : "
                "l'acceptation est-elle mesurée ?",
            ),
            column="sal_recorded_at",
            at="sal_recorded_at",
            date_label="recorded SAL",
        ),
        _touches(
            "touches",
            Text("touchpoints of the leads (any type)", "interactions des leads (tous types)"),
            Text("touches dated in the period", "interactions datées de la période"),
            at="ts",
            lead_column="touches",
        ),
        _typed(
            "email_sends",
            "email_send",
            Text("e-mails sent in the period", "e-mails envoyés pendant la période"),
        ),
        _typed(
            "email_opens",
            "email_open",
            Text("e-mail opens in the period", "ouvertures d'e-mails de la période"),
        ),
        _typed(
            "email_clicks",
            "email_click",
            Text("e-mail clicks in the period", "clics d'e-mails de la période"),
        ),
        Measure(
            "engaged_leads",
            "count",
            "leads",
            "touchpoints",
            Text(
                "leads with an engagement touch (engagement.types) within "
                "engagement.window_days after creation",
                "leads ayant eu une interaction d'engagement (engagement.types) dans les "
                "engagement.window_days jours suivant leur création",
            ),
            engagement=True,
            window=True,
            per_lead=True,
            lead_column="engaged",
        ),
        Measure(
            "social_leads",
            "count",
            "leads",
            "touchpoints",
            Text(
                "leads with a social touch within engagement.window_days after creation",
                "leads ayant eu une interaction sociale dans les engagement.window_days jours "
                "suivant leur création",
            ),
            where=("social",),
            window=True,
            per_lead=True,
            lead_column="social",
        ),
        Measure(
            "pipeline_value",
            "sum",
            "currency",
            "deals",
            Text("amounts of open deals", "montants des affaires ouvertes"),
            column="amount",
            where=("open",),
            lead_column="open_amount",
            snapshot=True,
            valued_by=("priced_open_deals", "open_deals"),
        ),
        Measure(
            "open_deals",
            "count",
            "deals",
            "deals",
            Text("open deals", "affaires ouvertes"),
            where=("open",),
            lead_column="open_deals",
            snapshot=True,
        ),
        Measure(
            "priced_open_deals",
            "count",
            "deals",
            "deals",
            Text("open deals with an amount", "affaires ouvertes ayant un montant"),
            where=("open",),
            requires="amount",
            lead_column="priced_open_deals",
            snapshot=True,
        ),
        Measure(
            "deals",
            "count",
            "deals",
            "deals",
            Text("deals of the leads, any status", "affaires des leads, tous statuts"),
            lead_column="deals",
        ),
        # Counted from the touches themselves (content performance, interest retention).
        _touches(
            "views",
            Text("visit touchpoints", "interactions de type visit"),
            Text("visits dated in the period", "visites datées de la période"),
            at="ts",
            where=("visit",),
        ),
        _touches(
            "cta_clicks",
            Text(
                f"touchpoints of types {', '.join(CTA_TYPES)}",
                f"interactions de types {', '.join(CTA_TYPES)}",
            ),
            Text(
                "calls to action clicked in the period",
                "clics sur les appels à l'action de la période",
            ),
            at="ts",
            where=CTA_TYPES,
        ),
        Measure(
            "active_leads",
            "count",
            "leads",
            "touchpoints",
            Text(
                "leads with an engagement touch (engagement.types), each counted once",
                "leads ayant eu une interaction d'engagement (engagement.types), chacun compté "
                "une fois",
            ),
            engagement=True,
            per_lead=True,
        ),
        # Day-dated tables, joined to the lead groups on the dimensions they can be split by.
        Measure(
            "spend",
            "dated",
            "currency",
            "spend",
            Text("spend amounts", "montants des dépenses"),
            Text("spend dated in the period", "dépenses datées de la période"),
            column="amount",
            at="date",
            dims=("channel", "campaign", "content"),
            missing="spend and cost KPIs",
        ),
        Measure(
            "visitors",
            "dated",
            "visitors",
            "traffic",
            Text("traffic visitors", "visiteurs du trafic"),
            Text("visitors of the period", "visiteurs de la période"),
            column="visitors",
            at="date",
            dims=("channel", "content"),
            missing="visitors",
        ),
        # Combined after aggregation.
        Measure(
            "margin",
            "derived",
            "currency",
            None,
            Text("revenue minus spend", "chiffre d'affaires moins dépenses"),
            Text(
                "won deal amounts closed in the period minus the spend of the period",
                "montants des affaires gagnées closes pendant la période moins les dépenses "
                "de la période",
            ),
            of=("revenue", "spend"),
            op="-",
        ),
    )
)


# ------------------------------------------------------------------ reading the registry
def expand(names: Iterable[str | None]) -> set[str]:
    """The measures named and those the derived ones among them are made of."""
    out: set[str] = set()
    todo = [n for n in names if n]
    while todo:
        name = todo.pop()
        if name not in out:
            out.add(name)
            todo += list(MEASURES[name].of) if name in MEASURES else []
    return out


def of_table(table: str) -> list[Measure]:
    """The measures read from ``table``, in registry order."""
    return [m for m in MEASURES.values() if m.table == table]


def lead_columns(table: str) -> list[str]:
    """The per-lead facts the lead model carries for the measures of ``table``."""
    return [m.lead_column for m in of_table(table) if m.lead_column]


def by_stage(stage: str) -> Measure:
    """The measure counting the leads that reached ``stage`` (lead, mql, ..., an exit)."""
    return next(m for m in MEASURES.values() if m.stage == stage)


# ------------------------------------------------------------------ compiling to Ibis
def aggregate(t: ir.Table, group: dict, metrics: dict) -> ir.Table:
    """``metrics`` per ``group`` (one row when there is no group)."""
    return t.group_by(**group).aggregate(**metrics) if group else t.aggregate(**metrics)


def deal_match(m: Measure, deals: ir.Table) -> ir.BooleanValue | None:
    """The deals the measure counts (None: all)."""
    match = None
    if m.where:
        match = deals.status == m.where[0] if len(m.where) == 1 else deals.status.isin(m.where)
    if m.requires:
        held = deals[m.requires].notnull()
        match = held if match is None else match & held
    return match


def touch_match(
    m: Measure, tp: ir.Table, engagement_types: Iterable[str] = ()
) -> ir.BooleanValue | None:
    """The touches the measure counts (None: all)."""
    if m.engagement:
        return tp.type.isin(list(engagement_types))
    if not m.where:
        return None
    return tp.type == m.where[0] if len(m.where) == 1 else tp.type.isin(m.where)


def lead_fact(
    m: Measure,
    rows: ir.Table,
    engagement_types: Iterable[str] = (),
    within: ir.BooleanValue | None = None,
) -> ir.Value:
    """The per-lead fact of a deals or touchpoints measure, over one lead's ``rows``
    (``within``: the touch is in the engagement window after the lead's creation)."""
    if m.table == "deals":
        match = deal_match(m, rows)
        if m.kind == "sum":
            return rows[m.column].sum(where=match)
    else:
        match = touch_match(m, rows, engagement_types)
        if m.window:
            match = within if match is None else match & within
        if m.per_lead:
            return match.any()
    return rows.count() if match is None else match.sum()


def zero(m: Measure) -> object:
    """The measure where nothing was counted (a lead without such records): 0, 0.0 or
    False."""
    return False if m.per_lead else (0.0 if m.kind == "sum" else 0)


def cohort_value(m: Measure, model: ir.Table) -> ir.Value:
    """The measure over lead-model rows (the leads of a cohort, a content's leads...)."""
    if m.lead_column is not None:
        return model[m.lead_column].sum()
    if m.table == "leads":
        return model.count() if m.column is None else model[m.column].notnull().sum()
    raise ValueError(f"measure {m.name!r} has no per-lead fact: not in the cohort view")


def count_rows(m: Measure, rows: ir.Table, engagement_types: Iterable[str] = ()) -> ir.Value:
    """A touchpoints measure over touch rows grouped any way (by content, by month...)."""
    match = touch_match(m, rows, engagement_types)
    if m.per_lead:
        return rows.lead_key.nunique(where=match)
    return rows.count() if match is None else match.sum()


def row_value(m: Measure, rows: ir.Table) -> ir.Value:
    """What one record adds to the measure in the activity view."""
    if m.kind == "sum":
        return rows[m.column].fill_null(0.0)
    if m.requires:  # counted when it holds the value (an open deal with an amount)
        return ibis.ifelse(rows[m.requires].notnull(), 1.0, 0.0)
    return ibis.literal(1.0)


def in_days(t: ir.Table, column: str, date_from: date | None, date_to: date | None) -> ir.Table:
    """The rows of ``t`` whose day ``column`` (spend's, traffic's date) falls between
    ``date_from`` and ``date_to``, both included (either may be None: open)."""
    if date_from is not None:
        t = t.filter(t[column] >= ibis.literal(date_from))
    if date_to is not None:
        t = t.filter(t[column] <= ibis.literal(date_to))
    return t


def dated_totals(
    tables: dict[str, ir.Table],
    m: Measure,
    by: list[str],
    unit: str | None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> ir.Table:
    """A dated measure (spend, visitors) summed per ``by`` (and per period when ``unit``):
    the one spend join of cost KPIs and of attribution's cost per conversion."""
    t = in_days(tables[m.table], m.at, date_from, date_to)
    group = {d: t[d] for d in by}
    if unit:
        group["period"] = t[m.at].truncate(unit)
    return aggregate(t, group, {m.name: t[m.column].sum().cast("float64")})


# ------------------------------------------------------------------ after aggregation
def derive(m: Measure, values: Mapping[str, object]) -> float | None:
    """A derived measure from its parts' values; null when one is null (not recorded)."""
    a, b = (values.get(p) for p in m.of)
    if a is None or b is None:
        return None
    return a - b if m.op == "-" else a + b


def ratio(num: float | None, den: float | None) -> float | None:
    """num / den; null when either is null or den is 0."""
    if num is None or den is None or not den:
        return None
    return float(num) / float(den)


def spend_returns(revenue: float, spend: float | None) -> tuple[float | None, float | None]:
    """ROAS (revenue / spend) and ROI ((revenue − spend) / spend), computed as the
    catalog's roas and roi KPIs are; null without spend (none recorded, or 0)."""
    values = {"revenue": revenue, "spend": spend}
    return ratio(revenue, spend), ratio(derive(MEASURES["margin"], values), spend)
