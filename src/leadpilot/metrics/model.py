"""The lead model: one row per counted lead with the stages it reached.

Stage logic (documented, configurable with stages.implied):
- a lead's 'lead' stage is its created_at;
- a deal implies the opportunity stage (at the deal's created_at), a won deal
  the customer stage (at the deal's closed_at);
- with implication on, reaching a stage implies every earlier one; a stage with
  no date of its own (implied) takes the earliest date among the later stages
  reached, a recorded date is never replaced;
- exits (disqualified, rejected) are kept as their own dates, and so is the lead's own
  sal event (``sal_recorded_at``): acceptance is measured from recorded data only.
Child rows of merged lead records count for the lead they were merged into.
"""

from __future__ import annotations

import functools
import hashlib
import json
import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import ibis
import ibis.expr.types as ir

from ..config import EngagementSettings, IcpRule
from ..engine import scalar
from ..errors import UsageError
from ..schema import LEAD_BOOKKEEPING, STAGES, attribute_name, counted_leads
from .measures import lead_columns, lead_fact, of_table, zero

T = TypeVar("T")

FUNNEL = STAGES[1:]  # mql, sal, sql, opportunity, customer
# sal_recorded_at: the lead's own sal event (never implied), to know whether acceptance
# was measured at all
STAGE_COLUMNS = [f"{s}_at" for s in FUNNEL] + ["disqualified_at", "rejected_at", "sal_recorded_at"]


def outcome_columns() -> list[str]:
    """The stage dates and the per-lead deal facts of the measure registry (revenue,
    open_amount, won_deals...): what KPIs, funnel and velocity keep of the lead model."""
    return [*STAGE_COLUMNS, *lead_columns("deals")]


# What the analyses write in their rows besides the KPIs and the dimensions
RESULT_FIELDS = ("period", "immature", "cohort_age_days", "stage", "count", "exit",
                 "lead_share", "customer_share", "score_band", "icp_fit", "score")  # fmt: skip
# the figures written beside a KPI's value
KPI_SUFFIXES = ("", "_numerator", "_denominator", "_low", "_high", "_mean", "_n", "_p75")


def reserved_names() -> frozenset[str]:
    """Names leadpilot computes for each lead (its facts, stage dates, fit) or writes in
    the rows of its results (KPIs and their figures, periods, stages): a lead attribute
    taking one would collide with it in the lead model, or make ``--by NAME`` ambiguous
    (an account's ``revenue`` beside the revenue of the lead's deals)."""
    from .catalog import CATALOG
    from .measures import MEASURES

    facts = {m.lead_column for m in MEASURES.values() if m.lead_column}
    figures = {f"{k}{s}" for k in CATALOG for s in KPI_SUFFIXES}
    return frozenset(facts | figures | set(MEASURES) | set(STAGE_COLUMNS) | set(RESULT_FIELDS))


def renamed_attributes(columns: list[str]) -> dict[str, str]:
    """Lead attributes of ``columns`` (the stored leads table's) named like something
    leadpilot computes — stored by a leadpilot that did not reserve the name yet (an
    ingest renames them today) — and the name the analyses read each under, as an ingest
    would store it (:func:`~leadpilot.schema.attribute_name`); empty for most workspaces.
    Read under its own name, an account's ``revenue`` collided with the revenue of the
    lead's deals: every live analysis and every ingest failed."""
    reserved = reserved_names()
    taken = set(columns) | reserved
    out: dict[str, str] = {}
    for name in columns:
        if name in reserved and name not in LEAD_BOOKKEEPING:
            out[name] = attribute_name(name, taken)
            taken.add(out[name])
    return out


def check_dimensions(tables: dict[str, ir.Table], by: list[str]) -> None:
    """Dimensions are lead columns (any attribute) or icp_fit; say which exist otherwise."""
    # bookkeeping is no dimension, but whether the channel was derived is one
    hidden = set(LEAD_BOOKKEEPING) - {"channel_derived"}
    available = [c for c in tables["leads"].columns if c not in hidden]
    unknown = [d for d in by if d not in available and d != "icp_fit"]
    if "score_band" in unknown and "scores" in tables:  # bands of the last `score apply`
        unknown.remove("score_band")
    if unknown:
        raise UsageError(
            f"unknown dimension(s) {unknown}; available: period, icp_fit, score_band (after "
            f"`leadpilot score apply`) and any lead column ({', '.join(available)})"
        )


def lead_keys(leads: ir.Table) -> ir.Table:
    """lead_id of every record -> the lead it counts for."""
    return leads.select(
        record_id=leads.lead_id,
        lead_key=leads.merged_into.fill_null(leads.lead_id),
    )


def to_lead(records: ir.Table, leads: ir.Table, known_only: bool = True) -> ir.Table:
    """Records of leads (touches, stage events, deals) with ``lead_key``, the lead each
    counts for: a record of a merged lead counts for the lead it was merged into.

    ``known_only=False`` is for a caller that joins the result to counted leads anyway:
    records are matched against the merged leads only (a few rows, not every lead — the
    join of every event to every lead was a third of a KPI query) and a record of an
    unknown lead keeps its own id, which then matches no counted lead.
    """
    if known_only:
        keys = lead_keys(leads)
        return records.join(keys, records.lead_id == keys.record_id)
    merged = leads.filter(leads.merged_into.notnull())
    merged = merged.select(_merged_id=merged.lead_id, _merged_into=merged.merged_into)
    rows = records.left_join(merged, records.lead_id == merged._merged_id)
    return rows.mutate(lead_key=rows._merged_into.fill_null(rows.lead_id)).drop(
        "_merged_id", "_merged_into"
    )


# with_lead's name for a lead's column beside the records' own (a deal's created_at is not
# its lead's)
LEAD_PREFIX = "_lead_"


def lead_column(name: str) -> str:
    """The name :func:`with_lead` gives the lead's column ``name``."""
    return LEAD_PREFIX + name


def with_lead(
    records: ir.Table, leads: ir.Table, model: ir.Table, columns: list[str]
) -> ir.Table:
    """Records joined to the counted lead they count for, with that lead's ``columns`` from
    the lead model (its groups, its creation date) under :func:`lead_column` names, so that
    they never mix with a column the records have too (a deal's own created_at, a touch's
    own channel); records of uncounted leads drop out. A merged record counts for the lead
    it was merged into: its ``lead_column("lead_id")`` is that lead's."""
    rows = to_lead(records, leads)
    lead = model.select(_lk=model.lead_id, **{lead_column(c): model[c] for c in columns})
    return rows.join(lead, rows.lead_key == lead._lk)


def icp_fit(t: ir.Table, rules: list[IcpRule]) -> ir.StringValue:
    """'fit' when every ICP rule holds, 'no_fit' when one fails, 'unknown' when a needed
    attribute is missing and no rule fails; null when no ICP is configured."""
    if not rules:
        return ibis.literal(None, "string")
    missing = [r.column for r in rules if r.column not in t.columns]
    if missing:
        raise UsageError(
            f"icp rules name column(s) {missing} that the leads table does not have; "
            f"available: {', '.join(t.columns)}"
        )
    conds, missing = [], []  # each rule's condition; the values it reads being null
    for r in rules:
        col = t[r.column]
        c = None
        if r.equals is not None or r.isin is not None:
            values = [
                v.lower() for v in ([r.equals] if r.equals is not None else []) + (r.isin or [])
            ]
            c = col.cast("string").lower().isin(values)
            missing.append(col.isnull())
        if r.min is not None or r.max is not None:
            num = col.cast("float64") if col.type().is_numeric() else col.try_cast("float64")
            if r.min is not None:
                c = (num >= r.min) if c is None else c & (num >= r.min)
            if r.max is not None:
                c = (num <= r.max) if c is None else c & (num <= r.max)
            missing.append(num.isnull())
        if c is not None:
            conds.append(c)
    if not conds:
        return ibis.literal("fit")
    any_false = functools.reduce(operator.or_, [~c.fill_null(True) for c in conds])
    # a condition is null exactly when a value it reads is (written so, not as
    # "x IN (...) IS NULL", which Spark's parser refuses)
    any_null = functools.reduce(operator.or_, missing)
    return ibis.cases((any_false, "no_fit"), (any_null, "unknown"), else_="fit")


def touch_facts(tables: dict[str, ir.Table], engagement: EngagementSettings) -> ir.Table:
    """Per lead, the touch facts of the measure registry: touches, e-mail sends / opens /
    clicks, whether it engaged (or had a social touch) within the window after creation."""
    leads = tables["leads"]
    tp = to_lead(tables["touchpoints"], leads)
    created = leads.select(_lk=leads.lead_id, _created=leads.created_at)
    tp = tp.join(created, tp.lead_key == created._lk)
    age = (tp.ts.epoch_seconds() - tp._created.epoch_seconds()) / 86400
    within = (age >= 0) & (age <= engagement.window_days)
    return tp.group_by(lead_id=tp.lead_key).aggregate(
        **{
            m.lead_column: lead_fact(m, tp, engagement.types, within)
            for m in of_table("touchpoints")
            if m.lead_column
        }
    )


Materialize = Callable[[ir.Table], ir.Table]


@dataclass(frozen=True)
class StoredModel:
    """The lead model as the last write of the data stored it (table ``lead_model``),
    with the settings it was computed with: a command reads it instead of rebuilding the
    model from every stage event and deal when it asks for the same settings.

    The touch facts are not stored (a pass over every touchpoint at each ingest, for the
    few KPIs that read them): they are computed and joined when asked for."""

    table: ir.Table
    implied: bool
    icp: list[IcpRule]

    def serves(self, implied: bool, icp: list[IcpRule] | None, keep: list[str] | None) -> bool:
        """Is it the model these settings give, with every column ``keep`` names? (No
        ICP asked: the stored ICP fit is read as unknown.)"""
        if implied != self.implied or (icp and list(icp) != list(self.icp)):
            return False
        there = {*self.table.columns, *lead_columns("touchpoints"), "score_band"}
        return all(k in there for k in keep or [])

    def model(
        self,
        tables: dict[str, ir.Table],
        icp: list[IcpRule] | None,
        engagement: EngagementSettings | None,
    ) -> ir.Table:
        """The stored model as :func:`lead_model` would compute it with these settings
        (the touch facts joined when ``engagement`` is given)."""
        m = self.table
        if not icp and self.icp:
            m = m.mutate(icp_fit=ibis.literal(None, "string"))
        return _with_touch_facts(m, tables, engagement) if engagement is not None else m


class Tables(dict):
    """The workspace's tables (name -> Ibis table), with the lead model its last write
    stored when it is still the data's (:attr:`stored_model`).

    A copy (``dict(tables)``, an as-of snapshot) or a replaced table drops the stored
    model: it describes these tables only."""

    stored_model: StoredModel | None = None
    # what every analysis of these tables says (a lead rule applied as they are read)
    notices: list = []
    # small facts computed from these tables (:func:`remembered`); None: none kept
    memo: dict | None = None

    def __setitem__(self, key: str, value: ir.Table) -> None:
        self.stored_model = None
        super().__setitem__(key, value)


def row_count(tables: dict[str, ir.Table], name: str) -> int:
    """The rows of table ``name`` (:func:`remembered`)."""
    t = tables[name]
    return remembered(tables, (name,), ("rows",), lambda: int(scalar(t.count())))


def remembered(
    tables: dict[str, ir.Table], reads: tuple[str, ...], key: tuple, compute: Callable[[], T]
) -> T:
    """``compute()`` once for the tables ``reads`` names as they are in ``tables``: a
    report's dozen analyses (and a diagnosis's four KPI computations) read the same
    state, and each asked again for its latest event, its spend reconciliation, its
    count of touches. Kept on :class:`Tables` made by the workspace (``memo``); the key
    holds the tables' expressions, so a table replaced or filtered since (an as-of
    snapshot, a date range) is another key, never a stale answer."""
    memo = getattr(tables, "memo", None)
    if memo is None:
        return compute()
    full = (key, tuple(tables[name].op() for name in reads))
    if full not in memo:
        memo[full] = compute()
    return memo[full]


# What the stored model depends on besides the data: the code that computes it.
_MODEL_CODE = ("model.py", "measures.py", "../schema.py")


def model_fingerprint(implied: bool, icp: list[IcpRule] | None) -> str:
    """A digest of everything a stored lead model was computed with: the settings
    (stages.implied, icp) and the code of the model, so that a change of either makes
    commands compute the model again."""
    digest = hashlib.sha256(_code_digest().encode())
    settings = {"implied": implied, "icp": [r.model_dump(mode="json") for r in icp or []]}
    digest.update(json.dumps(settings, sort_keys=True).encode())
    return digest.hexdigest()[:24]


@functools.cache
def _code_digest() -> str:
    """The model's code, read once per process (every command checks the stamp)."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for name in _MODEL_CODE:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


def engagement_for(by: list[str], config) -> EngagementSettings | None:
    """The engagement settings when a dimension of ``by`` is a touch fact (``engaged``,
    the leads with an engagement touch): the model then joins the touch facts. Grouping a
    funnel or a velocity by one failed with an internal error (the column was not there)."""
    touch = set(lead_columns("touchpoints"))
    return config.engagement if any(d in touch for d in by) else None


def lead_model(
    tables: dict[str, ir.Table],
    implied: bool = True,
    icp: list[IcpRule] | None = None,
    engagement: EngagementSettings | None = None,
    materialize: Materialize | None = None,
    keep: list[str] | None = None,
) -> ir.Table:
    """One row per counted lead; touch facts only when ``engagement`` is given (they cost
    a pass over the touchpoints).

    When ``tables`` carries a stored model of the same settings (:class:`Tables`), it is
    read instead of being computed again from the events."""
    facts = {
        t: [m for m in of_table(t) if m.lead_column] for t in ("deals", "touchpoints")
    }  # the per-lead facts of the measure registry
    if keep is not None:
        known = {*STAGE_COLUMNS, *(m.lead_column for ms in facts.values() for m in ms)}
        check_dimensions(tables, [k for k in keep if k not in known])
    stored = getattr(tables, "stored_model", None)
    if stored is not None and stored.serves(implied, icp, keep):
        return _kept(stored.model(tables, icp, engagement), tables, keep)
    m = _computed(tables, facts, implied, icp, engagement, keep)
    m = _kept(m, tables, keep)
    return materialize(m) if materialize is not None else m


def _kept(m: ir.Table, tables: dict[str, ir.Table], keep: list[str] | None) -> ir.Table:
    """The model's columns a command reads (the score band joined when asked)."""
    if keep is not None and "score_band" in keep:
        # score_band: the band stored by the last `leadpilot score apply` (table scores)
        sc = tables["scores"].select(_scored=tables["scores"].lead_id, score_band="band")
        m = m.left_join(sc, m.lead_id == sc._scored).drop("_scored")
        m = m.mutate(score_band=m.score_band.fill_null("unscored"))
    if keep is not None:  # only what the command reads: less to compute and to store
        m = m.select(*dict.fromkeys(["lead_id", "created_at", *keep]))
    return m


def _computed(
    tables: dict[str, ir.Table],
    facts: dict[str, list],
    implied: bool,
    icp: list[IcpRule] | None,
    engagement: EngagementSettings | None,
    keep: list[str] | None = None,
) -> ir.Table:
    """The lead model computed from the events (only the stages ``keep`` reads)."""
    leads = tables["leads"]
    stages = _stages_read(keep, implied)
    ev = to_lead(tables["stage_events"], leads, known_only=False)  # joined to counted leads
    if len(stages) < len(FUNNEL) + 2:  # only the events of the stages read
        ev = ev.filter(ev.stage.isin(stages))
    stage_dates = ev.group_by(_stages_of=ev.lead_key).aggregate(
        **{
            f"_{s}_at": ev.ts.min(where=ev.stage == s)
            if s in stages
            else ibis.null("timestamp")
            for s in (*FUNNEL, "disqualified", "rejected")
        }
    )
    deals = to_lead(tables["deals"], leads, known_only=False)  # joined to counted leads
    won = deals.status == "won"
    deal_facts = deals.group_by(_deals_of=deals.lead_key).aggregate(
        _deal_at=deals.created_at.min(),
        _won_at=deals.closed_at.min(where=won),
        **{m.lead_column: lead_fact(m, deals) for m in facts["deals"]},
    )
    base = counted_leads(leads)
    # one join of the three and one projection: each layer more is compiled again
    m = base.left_join(stage_dates, base.lead_id == stage_dates._stages_of).left_join(
        deal_facts, base.lead_id == deal_facts._deals_of
    )
    own = {
        "mql": m._mql_at,
        "sal": m._sal_at,
        "sql": m._sql_at,
        "opportunity": _least(m._opportunity_at, m._deal_at),
        "customer": _least(m._customer_at, m._won_at),
    }
    dates = {}
    for i, stage in enumerate(FUNNEL):
        if implied and stage != FUNNEL[-1]:
            # a recorded date is kept; only a stage with none takes the earliest later one
            later = _least(*[own[s] for s in FUNNEL[i + 1 :]])
            dates[f"{stage}_at"] = ibis.coalesce(own[stage], later)
        elif implied:
            dates[f"{stage}_at"] = own[stage]
        else:
            dates[f"{stage}_at"] = own[stage]
    m = m.select(
        **{c: m[c] for c in base.columns if not c.startswith("_")},
        **{f.lead_column: m[f.lead_column].fill_null(zero(f)) for f in facts["deals"]},
        **dates,
        disqualified_at=m._disqualified_at,
        rejected_at=m._rejected_at,
        sal_recorded_at=m._sal_at,
    )
    m = m.mutate(icp_fit=icp_fit(m, icp or []))
    return _with_touch_facts(m, tables, engagement) if engagement is not None else m


def _with_touch_facts(
    m: ir.Table, tables: dict[str, ir.Table], engagement: EngagementSettings
) -> ir.Table:
    """The model with each lead's touch facts (0 for a lead without touches)."""
    tf = touch_facts(tables, engagement)
    m = m.left_join(tf, m.lead_id == tf.lead_id).drop("lead_id_right")
    return m.mutate(
        **{f.lead_column: m[f.lead_column].fill_null(zero(f))
           for f in of_table("touchpoints") if f.lead_column}
    )  # fmt: skip


def _stages_read(keep: list[str] | None, implied: bool) -> list[str]:
    """The stages whose events the kept columns read: a stage's own date and, when stages
    are implied, the later stages' too (an SQL implies the MQL before it)."""
    exits = ["disqualified", "rejected"]
    if keep is None:
        return [*FUNNEL, *exits]
    read = {s for s in exits if f"{s}_at" in keep}
    if "sal_recorded_at" in keep:
        read.add("sal")
    for i, stage in enumerate(FUNNEL):
        if f"{stage}_at" in keep:
            read.update(FUNNEL[i:] if implied else [stage])
    return [s for s in (*FUNNEL, *exits) if s in read]


_NEVER = datetime(9999, 12, 31)


def _least(*values: ir.Value) -> ir.Value:
    """Earliest non-null date (NULL only when all are NULL, on every backend).

    LEAST skips NULLs on DuckDB and PostgreSQL but not everywhere (BigQuery): a far-future
    stand-in keeps it portable, and flat — nested CASEs grow exponentially with the chain.
    """
    if len(values) == 1:
        return values[0]
    never = ibis.literal(_NEVER, "timestamp")
    out = ibis.least(*[v.fill_null(never) for v in values])
    return ibis.ifelse(out == never, ibis.null("timestamp"), out)
