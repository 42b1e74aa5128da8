"""The funnel: Lead → MQL → SAL → SQL → Opportunity → Customer, with exits.

The chain is the measure registry's stage measures in stage order (one definition per
stage count); the counts come from the KPI compiler. This module only arranges them as
a chain with next-step and cumulative conversion, the acceptance rate against the agreed
threshold, and the reasons sales gave for rejecting MQLs.
"""

from __future__ import annotations

from datetime import date, datetime

import ibis
import ibis.expr.types as ir

from ..config import Config
from ..engine import records
from ..errors import Notice
from ..results import Meta, Result, param
from ..schema import EXIT_STAGES, STAGES
from .asof import AsOf, resolve_as_of
from .catalog import CATALOG, Text
from .compute import PERIOD_UNITS, KpiResult, compute_kpis, in_range, period_label, wilson
from .measures import MEASURES
from .model import (
    Materialize,
    counted_leads,
    engagement_for,
    lead_column,
    lead_model,
    outcome_columns,
    with_lead,
)

# (stage, measure counting the leads that reached it), in stage order; then the exits
CHAIN = tuple(
    (m.stage, m.name) for s in STAGES for m in MEASURES.values() if m.stage == s
)
EXITS = tuple(m.name for m in MEASURES.values() if m.stage in EXIT_STAGES)
DEFINITIONS = {
    "count": Text(
        "leads of the group that reached the stage or any later one (stage implication as "
        "configured; exits are counted separately)",
        "leads du groupe ayant atteint l'étape ou une étape ultérieure (étapes antérieures "
        "implicites selon la configuration ; les sorties sont comptées à part)",
    ),
    "conversion_from_previous": Text(
        "count / count of the previous stage, with a 95 % Wilson interval",
        "nombre / nombre de l'étape précédente, avec un intervalle de confiance de Wilson à 95 %",
    ),
    "conversion_from_lead": Text(
        "count / leads, with a 95 % Wilson interval",
        "nombre / leads, avec un intervalle de confiance de Wilson à 95 %",
    ),
    "acceptance_rate": Text(
        "SALs / MQLs (MQLs accepted by sales / MQLs transmitted), compared with "
        "stages.acceptance_threshold; measured only in groups where a sal or rejected stage "
        "event was recorded, elsewhere null with a reason (no verdict)",
        "SAL / MQL (MQL acceptés par les ventes / MQL transmis), comparé à "
        "stages.acceptance_threshold ; mesuré uniquement dans les groupes où un événement "
        "d'étape sal ou rejected a été enregistré, ailleurs null avec un motif (pas de "
        "verdict)",
    ),
}


class FunnelResult(Result):
    """One row per group and stage (exits flagged), with next-step and cumulative conversion.

    ``meta``: ``view``, ``as_of``, ``period``, ``by``, ``definitions``,
    ``acceptance_threshold``, ``acceptance`` (per group: rate, counts, verdict or the reason
    it is not measured), ``rejection_reasons`` and ``warnings``; ``kpis`` (attribute) is the
    KpiResult the counts come from.
    """

    def __init__(
        self,
        rows: list[dict],
        by: list[str],
        period: str,
        view: str,
        acceptance: list[dict],
        rejection_reasons: list[dict],
        threshold: float,
        warnings: list[str] | None = None,
        kpis: KpiResult | None = None,
        as_of: AsOf | None = None,
    ) -> None:
        meta = Meta(
            "funnel",
            view=view,
            as_of=as_of,
            # the range of --from / --to, as the KPIs the counts come from record it
            params={"period": period, "by": by, **{
                k: kpis.meta[k] for k in ("date_from", "date_to")
                if kpis is not None and kpis.meta.get(k)
            }},  # fmt: skip
            definitions=DEFINITIONS,
            details={"acceptance_threshold": threshold, "acceptance": acceptance,
                     "rejection_reasons": rejection_reasons},  # fmt: skip
            warnings=warnings or [],
        )
        super().__init__(rows, meta)
        self.kpis = kpis
        self.as_of = as_of

    by = param("by")
    period = param("period")
    view = param("view")
    acceptance = param("acceptance")
    rejection_reasons = param("rejection_reasons")
    threshold = param("acceptance_threshold")


def _rate(num: int, den: int) -> tuple[float | None, float | None, float | None]:
    if not den:
        return None, None, None
    if num > den:  # activity view: two flows of one period, not a proportion (no interval)
        return num / den, None, None
    low, high = wilson(num, den)
    return num / den, low, high


def compute_funnel(
    tables: dict[str, ir.Table],
    config: Config,
    *,
    by: list[str] | None = None,
    period: str = "all",
    view: str = "cohort",
    date_from: date | None = None,
    date_to: date | None = None,
    materialize: Materialize | None = None,
    as_of: date | datetime | AsOf | None = None,
) -> FunnelResult:
    """The stage chain per group, acceptance against the agreed threshold, rejection reasons.

    Acceptance is judged from recorded data only: a group without any sal or rejected stage
    event gets ``acceptance_rate`` null, ``measured`` false and a ``reason``, never a verdict.

    Examples
    --------
    >>> compute_funnel(tables, config, by=["channel"]).acceptance[0]  # doctest: +SKIP
    {'channel': 'email', 'acceptance_rate': 0.8, 'measured': True, ...}
    """
    by = list(by or [])
    tables, as_of = resolve_as_of(tables, as_of)
    leads = tables["leads"]
    # Rejection reasons need only the leads' own columns when the groups are lead columns;
    # otherwise (icp_fit, score_band) they reuse the lead model, computed once.
    plain = all(d in leads.columns for d in by)
    model = lead_model(
        tables,
        implied=config.stages.implied,
        icp=config.icp,
        engagement=engagement_for(by, config),
        materialize=None if plain else materialize,
        keep=[*by, *outcome_columns()],
    )
    dims_source = counted_leads(leads) if plain else model
    names = [m for _, m in CHAIN] + list(EXITS) + ["mql_to_sal"]
    kpis = compute_kpis(
        tables,
        config,
        kpis=names,
        by=by,
        period=period,
        view=view,
        date_from=date_from,
        date_to=date_to,
        model=model,
        as_of=as_of,
    )
    threshold = config.stages.acceptance_threshold
    rows, acceptance = [], []
    unmeasured_reason = CATALOG["mql_to_sal"].unmeasured
    for group in kpis.rows:
        keys = {k: group[k] for k in ("period", *by)}
        previous = None
        # SALs only implied by later stages: MQL -> SAL is the acceptance rate, not measured
        # there (null, as mql_to_sal and the acceptance beside it), not a rate of 100 %
        implied_sal = group.get("mql_to_sal_reason") == unmeasured_reason
        for stage, measure in CHAIN:
            count = int(group[measure] or 0)
            prev_rate = _rate(count, previous) if previous is not None else (None, None, None)
            if stage == "sal" and implied_sal:
                prev_rate = (None, None, None)
            lead_rate = _rate(count, int(group["leads"] or 0))
            rows.append(
                {
                    **keys,
                    "stage": stage,
                    "count": count,
                    "conversion_from_previous": prev_rate[0],
                    "conversion_from_previous_low": prev_rate[1],
                    "conversion_from_previous_high": prev_rate[2],
                    "conversion_from_lead": lead_rate[0],
                    "conversion_from_lead_low": lead_rate[1],
                    "conversion_from_lead_high": lead_rate[2],
                }
            )
            previous = count
        for name in EXITS:
            stage = MEASURES[name].stage
            rows.append({**keys, "stage": stage, "count": int(group[name] or 0), "exit": True})
        rate = group["mql_to_sal"]
        reason = group["mql_to_sal_reason"]
        if reason is None and not group["mql_to_sal_denominator"]:
            reason = "no MQL in the group"
        acceptance.append(
            {
                **keys,
                "acceptance_rate": rate,
                "acceptance_rate_low": group["mql_to_sal_low"],
                "acceptance_rate_high": group["mql_to_sal_high"],
                "mqls_transmitted": group["mql_to_sal_denominator"],
                "mqls_accepted": group["mql_to_sal_numerator"],
                "measured": rate is not None,
                "reason": reason,
                "threshold": threshold,
                "meets_threshold": None if rate is None else rate >= threshold,
            }
        )
    # the KPI's own note is replaced by the funnel's, which says where
    warnings = [w for w in kpis.warnings if not w.startswith("mql_to_sal ")]
    unmeasured = [a for a in acceptance if a["reason"] == CATALOG["mql_to_sal"].unmeasured]
    if unmeasured:
        where = (
            "anywhere"
            if len(unmeasured) == len(acceptance)
            else f"in {len(unmeasured)} of {len(acceptance)} group(s)"
        )
        warnings.append(Notice(
            "not_measured",
            f"acceptance not measured {where}: {CATALOG['mql_to_sal'].unmeasured}",
        ))  # fmt: skip
    rates = ("conversion_from_previous", "conversion_from_lead")
    if any((r.get(k) or 0) > 1 for r in rows for k in rates):
        warnings.append(Notice(
            "not_a_proportion",
            "funnel conversions above 1 in some groups: in the activity view a stage counts "
            "the leads that reached it in the period, not a part of the earlier stage's "
            "count (no interval)",
        ))  # fmt: skip
    below = [a for a in acceptance if a["meets_threshold"] is False]
    if below:
        warnings.append(Notice(
            "acceptance_below_threshold",
            f"acceptance below the agreed {threshold:.0%} in {len(below)} group(s): marketing "
            "and sales should review the MQL definition and the scoring threshold",
        ))  # fmt: skip
    return FunnelResult(
        rows=rows,
        by=by,
        period=period,
        view=view,
        acceptance=acceptance,
        rejection_reasons=_rejection_reasons(
            tables, dims_source, by, period, view, date_from, date_to
        ),
        threshold=threshold,
        warnings=warnings,
        kpis=kpis,
        as_of=as_of,
    )


def _rejection_reasons(tables, model, by, period, view, date_from, date_to) -> list[dict]:
    """Why sales rejected MQLs, by group (reasons are free text from the CRM).

    Counted as the funnel counts the rejected exit, so that a group's reasons add up to its
    rejected count: each lead once, with the reason of its first rejection (the earliest
    event; on a tie, the first reason in order), in the cohort view when the lead was
    created in the range (grouped by its creation period), in the activity view when that
    rejection is dated in the range (grouped by the rejection's period). ``period`` (a key
    of each row, as in the funnel's rows) only when the funnel is split by period.

    ``model``: one row per counted lead with lead_id, created_at and the group columns."""
    ev = tables["stage_events"]
    ev = ev.filter((ev.stage == "rejected") & ev.ts.notnull())
    j = with_lead(ev, tables["leads"], model, ["created_at", *by])
    j = j.mutate(_reason=j.reason.fill_null("(no reason given)"))
    first = ibis.row_number().over(group_by=j.lead_key, order_by=[j.ts, j._reason])
    j = j.mutate(_nth=first)
    j = j.filter(j._nth == 0)
    at = lead_column("created_at") if view == "cohort" else "ts"  # the date it counts at
    j = j.filter(in_range(j[at], date_from, date_to))
    unit = PERIOD_UNITS[period]
    keys = [j[at].truncate(unit).date().name("period")] if unit else []
    keys += [j[lead_column(d)].name(d) for d in by]
    out = j.group_by([*keys, j._reason.name("reason")]).aggregate(rejected=j.lead_key.nunique())
    rows = records(out)
    for r in rows if unit else []:
        r["period"] = period_label(r["period"], period)
    groups = (["period"] if unit else []) + by

    def order(r: dict) -> tuple:  # the funnel rows' order (compute_kpis: a missing value first)
        return (*["" if r[d] is None else str(r[d]) for d in groups], -r["rejected"], r["reason"])

    return sorted(rows, key=order)
