"""Rules scoring: points declared in leadpilot.yaml, compiled to one Ibis query.

Definitions (they travel in the result's meta):
- fit rules look at lead attributes, which carry no history: they score the lead as it
  is stored;
- behaviour rules look at the touchpoints with ``ts <= as_of`` only, so a score is
  reproducible as of any date and never peeks at later touches;
- with ``half_life_days`` H, a touch of age ``a`` days at the as-of date is worth
  ``points * 0.5 ** (a / H)`` (rules with ``decay: false`` keep full points);
- repeatable rules add the (decayed) points of every matching touch; ``repeatable:
  false`` gives the points once, weighted by the most recent matching touch; a count rule
  (``min_count: N``) gives the points once when at least N touches match, also weighted by
  the most recent one; ``within_days`` keeps only the touches of the last N days;
- ``cap`` bounds the absolute points a rule can give (applied after decay);
- rules_score is the sum of every rule's points; scored_mql is rules_score >= threshold.

``RulesScorer`` is the rules score as a scorer of the registry (scoring/registry.py), with
the learned models' contract: contributions (each rule's points) that add up to the score,
reasons that never show a personal value; ``rules_score`` is its engine query.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
from sklearn.base import BaseEstimator

from ..config import BehaviourRule, Config, FitRule, IcpRule, ScoringSettings
from ..errors import UsageError
from ..metrics.asof import workspace_as_of
from ..metrics.model import counted_leads, icp_fit, to_lead
from .guard import is_personal
from .reasons import top_reasons
from .registry import register

# the definition of the rules_score column: tables print it after its name ("rules_score: ")
RULES_DEFINITION = (
    "sum of the points of the scoring rules in leadpilot.yaml; fit rules on the "
    "lead's attributes, behaviour rules on its touchpoints up to the as-of date (later touches "
    "ignored), behavioural points decayed by 0.5 ** (age_days / half_life_days), each rule "
    "capped at its cap; scored_mql: rules_score >= scoring.threshold."
)


def _values(v: str | list[str] | None) -> list[str] | None:
    if v is None:
        return None
    return [v] if isinstance(v, str) else list(v)


def fit_label(rule: FitRule) -> str:
    if rule.name:
        return rule.name
    if rule.icp_fit is not None:
        return f"icp_fit={rule.icp_fit}"
    parts = []
    if rule.equals is not None:
        parts.append(f"{rule.column}={rule.equals}")
    if rule.isin is not None:
        parts.append(f"{rule.column} in {rule.isin}")
    if rule.contains is not None:
        parts.append(f"{rule.column} contains {rule.contains!r}")
    if rule.min is not None or rule.max is not None:
        lo = "" if rule.min is None else f"{rule.min:g}<="
        hi = "" if rule.max is None else f"<={rule.max:g}"
        parts.append(f"{lo}{rule.column}{hi}")
    return " and ".join(parts)


def behaviour_label(rule: BehaviourRule) -> str:
    if rule.name:
        return rule.name
    parts = []
    for key in ("type", "channel"):
        v = _values(getattr(rule, key))
        if v:
            parts.append(f"{key}={'|'.join(v)}")
    if rule.content:
        parts.append(f"content~{rule.content}")
    if rule.min_count:
        parts.append(f">={rule.min_count} touches")
    if rule.within_days:
        parts.append(f"last {rule.within_days:g} days")
    return "touch " + " ".join(parts) if parts else "any touch"


def rule_labels(settings: ScoringSettings) -> list[str]:
    """Labels of the rule columns ``rule_0``, ``rule_1``, ... (fit rules first)."""
    return [fit_label(r) for r in settings.fit] + [behaviour_label(r) for r in settings.behaviour]


def _fit_condition(t: ir.Table, rule: FitRule, icp: list[IcpRule]) -> ir.BooleanValue:
    if rule.icp_fit is not None:
        return icp_fit(t, icp) == rule.icp_fit
    if rule.column not in t.columns:
        raise UsageError(
            f"scoring fit rule {fit_label(rule)!r} names column {rule.column!r} that the leads "
            f"table does not have; available: {', '.join(t.columns)}"
        )
    col = t[rule.column]
    conds: list[ir.BooleanValue] = []
    if rule.equals is not None or rule.isin is not None:
        values = [v.lower() for v in ([rule.equals] if rule.equals is not None else [])]
        values += [v.lower() for v in rule.isin or []]
        conds.append(col.cast("string").lower().isin(values))
    if rule.contains is not None:
        conds.append(col.cast("string").lower().contains(rule.contains.lower()))
    if rule.min is not None or rule.max is not None:
        num = col.cast("float64") if col.type().is_numeric() else col.try_cast("float64")
        if rule.min is not None:
            conds.append(num >= rule.min)
        if rule.max is not None:
            conds.append(num <= rule.max)
    out = conds[0]
    for c in conds[1:]:
        out = out & c
    return out.fill_null(False)  # a missing attribute earns no points


def _capped(value: ir.NumericValue, rule: FitRule | BehaviourRule) -> ir.NumericValue:
    cap = getattr(rule, "cap", None)
    if cap is None:
        return value
    return ibis.greatest(ibis.least(value, float(cap)), -float(cap)).cast("float64")


def scoring_date(
    leads: ir.Table, *, as_of: datetime | None = None, days_after_creation: int | None = None
) -> ir.TimestampValue:
    """The date a lead is scored at: a fixed as-of date, or creation + N days."""
    if days_after_creation is not None:
        return leads.created_at + ibis.interval(days=days_after_creation)
    if as_of is None:
        raise UsageError("a scoring date is needed: as_of or days_after_creation")
    return ibis.literal(as_of, "timestamp")


def rules_score(
    tables: dict[str, ir.Table],
    config: Config,
    *,
    as_of: datetime | None = None,
    days_after_creation: int | None = None,
    leads: ir.Table | None = None,
    detail: bool = False,
) -> ir.Table:
    """One row per counted lead: lead_id, rules_score, scored_mql (and ``rule_<i>`` points
    with ``detail``). ``leads`` replaces the workspace leads (a new file of leads)."""
    return RulesScorer.from_config(config).score_table(
        tables, as_of=as_of, days_after_creation=days_after_creation, leads=leads, detail=detail
    )


@register
class RulesScorer(BaseEstimator):
    """The points score of leadpilot.yaml's rules, as a scorer of the registry.

    Declared, not learned: ``fit`` reads the rules' labels and returns self. X is the
    workspace's tables (name -> Ibis table); the leads are scored at ``as_of``, or each at
    its creation + ``days_after_creation``, or (both None) at the last date in the data.

    Parameters
    ----------
    scoring : ScoringSettings, optional
        The rules, half-life and threshold (default: none).
    icp : list of IcpRule, optional
        The ICP rules that icp_fit rules read.
    as_of : datetime, optional
    days_after_creation : int, optional

    Examples
    --------
    >>> scorer = RulesScorer.from_config(config).fit(tables)  # doctest: +SKIP
    >>> scorer.decision_function(tables)[:3]  # doctest: +SKIP
    array([25., 0., 10.])
    """

    name = "rules"
    rank = 100
    learned = False
    baseline_ = 0.0  # the score with no rule matched: contributions add up to the score

    def __init__(
        self,
        scoring: ScoringSettings | None = None,
        icp: list[IcpRule] | None = None,
        as_of: datetime | None = None,
        days_after_creation: int | None = None,
    ):
        self.scoring = scoring
        self.icp = icp
        self.as_of = as_of
        self.days_after_creation = days_after_creation

    @classmethod
    def from_config(cls, config: Config, **params) -> RulesScorer:
        return cls(scoring=config.scoring, icp=config.icp, **params)

    @property
    def _settings(self) -> ScoringSettings:
        return self.scoring if self.scoring is not None else ScoringSettings()

    def fit(self, X: dict[str, ir.Table] | None = None, y=None) -> RulesScorer:
        """Nothing to learn: the rules' labels (``labels_``) and reason labels."""
        self.labels_ = rule_labels(self._settings)
        self.reason_labels_ = self.reason_labels()
        self.n_rules_ = len(self.labels_)
        return self

    def reason_labels(self) -> list[str]:
        """The label of each rule in a reason: an unnamed fit rule on a column that holds
        personal data shows the column, never the value it matches."""
        settings = self._settings
        out = []
        for rule in settings.fit:
            hidden = rule.name is None and rule.column is not None and is_personal(rule.column)
            out.append(f"{rule.column} [personal data]" if hidden else fit_label(rule))
        return out + [behaviour_label(r) for r in settings.behaviour]

    def score_table(
        self,
        tables: dict[str, ir.Table],
        *,
        as_of: datetime | None = None,
        days_after_creation: int | None = None,
        leads: ir.Table | None = None,
        detail: bool = False,
    ) -> ir.Table:
        """The engine query: one row per counted lead, lead_id, rules_score, scored_mql
        (and ``rule_<i>`` points with ``detail``)."""
        settings, icp = self._settings, self.icp or []
        base = counted_leads(tables["leads"]) if leads is None else leads
        base = base.mutate(
            _as_of=scoring_date(base, as_of=as_of, days_after_creation=days_after_creation),
            # a double zero from a column: PostgreSQL types a bare 0.0 as numeric (-> Decimal)
            _zero=base.created_at.epoch_seconds().cast("float64") * 0.0,
        )
        points: dict[str, ir.NumericValue] = {}
        for i, rule in enumerate(settings.fit):
            cond = _fit_condition(base, rule, icp)
            points[f"rule_{i}"] = ibis.ifelse(cond, base._zero + rule.points, base._zero)
        scored = base.mutate(**points) if points else base
        if settings.behaviour:
            facts = _behaviour_points(
                tables, base, settings, as_of if days_after_creation is None else None
            )
            scored = scored.left_join(facts, scored.lead_id == facts._lid).drop("_lid")
        offset = len(settings.fit)
        cols = {f"rule_{i}": scored[f"rule_{i}"] for i in range(len(settings.fit))}
        for j in range(len(settings.behaviour)):
            name = f"rule_{offset + j}"
            cols[name] = scored[name].fill_null(0.0)
        total = scored._zero
        for v in cols.values():
            total = total + v
        out = scored.select(
            "lead_id",
            rules_score=total,
            scored_mql=total >= settings.threshold,
            **(cols if detail else {}),
        )
        return out

    def points(self, X: dict[str, ir.Table]) -> tuple[np.ndarray, np.ndarray]:
        """(lead ids, (n, rules) points of each rule), in lead_id order."""
        as_of, days = self.as_of, self.days_after_creation
        if as_of is None and days is None:
            as_of = workspace_as_of(X) or datetime.now()
        table = self.score_table(X, as_of=as_of, days_after_creation=days, detail=True)
        data = table.order_by("lead_id").to_pyarrow()
        n_rules = len(self._settings.fit) + len(self._settings.behaviour)
        pts = np.zeros((data.num_rows, n_rules))
        for j in range(n_rules):
            pts[:, j] = data[f"rule_{j}"].to_numpy()
        return data["lead_id"].to_numpy(zero_copy_only=False), pts

    def contributions(self, X: dict[str, ir.Table]) -> np.ndarray:
        """(n, rules): each rule's points, in lead_id order; they add up to the score."""
        return self.points(X)[1]

    def decision_function(self, X: dict[str, ir.Table]) -> np.ndarray:
        """The rules score of each lead, in lead_id order."""
        return self.baseline_ + self.contributions(X).sum(axis=1)

    def explain_points(self, pts: np.ndarray, k: int = 3) -> list[pa.Array]:
        """k text columns: the rules giving each lead the most points in absolute value,
        'label (+10)', null below 1e-9 (the reasons of ``score apply`` without a model)."""
        return top_reasons(pts, [_fixed(x) for x in self.reason_labels()], k, "({:+g})",
                           min_abs=1e-9)  # fmt: skip

    def reasons(self, X: dict[str, ir.Table], k: int = 3) -> list[list[str]]:
        """The k rules giving each lead the most points, one list per lead (lead_id order)."""
        columns = self.explain_points(self.contributions(X), k)
        lists = [c.to_pylist() for c in columns]
        return [[r for r in row if r is not None] for row in zip(*lists, strict=True)]


def _fixed(label: str) -> Callable[[np.ndarray], tuple[np.ndarray, list[str]]]:
    """A rule's label, whatever the lead (its points follow in the reason)."""
    return lambda at: (np.zeros(len(at), dtype=np.int64), [label])


def touches_until(
    tables: dict[str, ir.Table],
    base: ir.Table,
    at_column: str,
    as_of: datetime | None,
    window_days: int | None = None,
) -> ir.Table:
    """The touches of each lead (merged records included) up to its scoring date ``_at``
    (and after ``_at - window_days``): later touches are never read."""
    tp = tables["touchpoints"]
    if as_of is not None:
        # One date for every lead: filter before the join (far fewer rows to join).
        at = ibis.literal(as_of, "timestamp")
        keep = tp.ts <= at
        if window_days is not None:
            keep = keep & (tp.ts > at - ibis.interval(days=window_days))
        return _to_leads(tp.filter(keep), tables["leads"]).mutate(_at=at)
    tp = _to_leads(tp, tables["leads"])
    dates = base.select(_lk=base.lead_id, _at=base[at_column])
    tp = tp.join(dates, tp.lead_key == dates._lk)
    keep = tp.ts <= tp._at
    if window_days is not None:
        keep = keep & (tp.ts > tp._at - ibis.interval(days=window_days))
    return tp.filter(keep)


def _to_leads(tp: ir.Table, leads: ir.Table) -> ir.Table:
    """Touches with ``lead_key``: the lead they count for (merged records included)."""
    if leads.merged_into.notnull().any().execute():
        return to_lead(tp, leads)
    # No merged record (one small query tells): every touch counts for its own lead_id and
    # the mapping join over all touches is skipped.
    return tp.mutate(lead_key=tp.lead_id)


def _behaviour_points(
    tables: dict[str, ir.Table],
    base: ir.Table,
    settings: ScoringSettings,
    as_of: datetime | None = None,
) -> ir.Table:
    """Per lead, the points of every behaviour rule: one pass over the touchpoints."""
    tp = touches_until(tables, base, "_as_of", as_of)
    age = (tp._at.epoch_seconds() - tp.ts.epoch_seconds()) / 86400.0
    # a double column of 1.0: aggregates need a column, and PostgreSQL reads a bare 1.0 as
    # numeric (which would come back as Decimal)
    full = age * 0.0 + 1.0
    if settings.half_life_days:
        weight = (age * (-math.log(2) / settings.half_life_days)).exp()
    else:
        weight = full
    aggs: dict[str, ir.Value] = {}
    for j, rule in enumerate(settings.behaviour):
        match = ibis.literal(True)
        types = _values(rule.type)
        if types:
            match = match & tp.type.isin(types)
        channels = _values(rule.channel)
        if channels:
            match = match & tp.channel.isin(channels)
        if rule.content:
            match = match & tp.content.lower().contains(rule.content.lower()).fill_null(False)
        if rule.within_days:
            match = match & (age <= rule.within_days)
        w = weight if rule.decay else full
        if rule.repeatable and not rule.min_count:
            aggs[f"_s{j}"] = (w * rule.points).sum(where=match)
        else:
            aggs[f"_w{j}"] = w.max(where=match)
            aggs[f"_n{j}"] = match.sum()
    per_lead = tp.group_by(_lid=tp.lead_key).aggregate(**aggs)
    offset = len(settings.fit)
    out = {}
    for j, rule in enumerate(settings.behaviour):
        if rule.repeatable and not rule.min_count:
            raw = per_lead[f"_s{j}"].fill_null(0.0)
        else:
            enough = per_lead[f"_n{j}"] >= (rule.min_count or 1)
            raw = ibis.ifelse(enough, per_lead[f"_w{j}"] * rule.points, 0.0).fill_null(0.0)
        out[f"rule_{offset + j}"] = _capped(raw.cast("float64"), rule)
    return per_lead.select("_lid", **out)
