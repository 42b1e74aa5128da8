"""Velocity: how long leads take to reach each stage, and how fast a cohort converts.

Durations among converters (median, mean, 75th percentile) are aggregated in
the engine. The cumulative conversion by age uses the Kaplan–Meier estimator
(scipy) so that leads still open are censored at their age instead of being
counted as failures; the engine sends only (group, day, converted, count)
tuples, never one row per lead.
"""

from __future__ import annotations

from datetime import date, datetime

import ibis
import ibis.expr.types as ir
import numpy as np

from ..config import Config
from ..errors import Notice
from ..results import Meta, Result, param
from .asof import AsOf, resolve_as_of
from .catalog import CATALOG, Text
from .compute import PERIOD_UNITS, compute_kpis, in_range, left_out_scope, period_label
from .measures import MEASURES, by_stage
from .model import Materialize, engagement_for, lead_model, outcome_columns

DAY = 86400
# name -> (from, to) in the lead model: the dates of the measures a catalog duration names.
DURATIONS = {
    k.name: (MEASURES[k.numerator].at, MEASURES[k.denominator].at)
    for k in CATALOG.values()
    if k.kind == "duration"
}
DEFINITIONS = {
    **{name: CATALOG[name].definition for name in DURATIONS},
    "<stage>_by_day_<N>": Text(
        "Kaplan–Meier share of the group's leads that reached the stage within N days of "
        "creation; leads not (yet) converted are censored at their age on the as-of date "
        "(meta.as_of), so young leads do not count as failures; a lead whose stage is dated "
        "before its creation is left out (counted in the warnings); null beyond the "
        "group's longest follow-up (no lead of it was seen N days)",
        "part des leads du groupe ayant atteint l'étape dans les N jours suivant leur "
        "création, estimée par Kaplan–Meier ; les leads pas (encore) convertis sont censurés "
        "à leur âge à la date de référence (meta.as_of), si bien que les leads récents ne "
        "comptent pas comme des échecs ; un lead dont l'étape est datée avant sa création est "
        "écarté (compté dans les avertissements) ; vide au-delà du plus long suivi du groupe "
        "(aucun de ses leads n'a été observé N jours)",
    ),
}
VIEW_RULE = Text(
    "leads followed from their creation; durations in days",
    "leads suivis depuis leur création ; durées en jours",
)
VIEW_RULES = {
    "cohort": VIEW_RULE,
    "activity": Text(
        "durations grouped by the period the later stage was reached; in days",
        "durées regroupées selon la période où l'étape la plus tardive a été atteinte ; en "
        "jours",
    ),
}
HORIZONS = (30, 60, 90, 180)
KM_STAGES = ("sql", "customer")


class VelocityResult(Result):
    """Per group: days to each stage among converters (median under the duration's name,
    ``_mean``, ``_p75``, ``_n``) and the share converted by age (``<stage>_by_day_<N>``).

    ``meta``: ``view`` and ``view_rule``, ``as_of`` and ``as_of_rule``, ``by``,
    ``definitions``, ``kaplan_meier`` (the stages and days of the curves) and ``warnings``.
    """

    def __init__(
        self,
        rows: list[dict],
        by: list[str],
        as_of: AsOf,
        warnings: list[str] | None = None,
        *,
        period: str = "all",
        view: str = "cohort",
    ) -> None:
        cohort = view == "cohort"
        curves = {"stages": list(KM_STAGES), "days": list(HORIZONS)} if cohort else None
        definitions = dict(DEFINITIONS) if cohort else {n: DEFINITIONS[n] for n in DURATIONS}
        meta = Meta(
            "velocity",
            view=view,
            view_rule=VIEW_RULES[view],
            as_of=as_of,
            params={"period": period, "by": by},
            definitions=definitions,
            details={"kaplan_meier": curves},
            headers={name: Text(name, CATALOG[name].label_fr) for name in DURATIONS},
            units=dict.fromkeys(DURATIONS, "days"),
            warnings=warnings or [],
        )
        super().__init__(rows, meta)

    by = param("by")

    @property
    def as_of(self) -> str | None:
        """The as-of day, ``YYYY-MM-DD`` (``meta["as_of"]``)."""
        return self.meta["as_of"]


def _days(model: ir.Table, start: str, end: str) -> ir.NumericValue:
    return (model[end].epoch_seconds() - model[start].epoch_seconds()) / DAY


def compute_velocity(
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
) -> VelocityResult:
    """Stage durations among converters and Kaplan–Meier conversion by age, per group.

    The cohort view (default) groups the leads created in each ``period`` (between
    ``date_from`` and ``date_to``) and draws their conversion by age; the activity view
    groups durations by the period the later stage was reached, and draws no curve (the
    curves follow cohorts). ``as_of`` (default: the latest event in the data) is where
    open leads are censored. Durations and conversions dated before the lead's creation
    are left out and counted.

    Examples
    --------
    >>> result = compute_velocity(tables, config, by=["channel"])  # doctest: +SKIP
    >>> result.rows[0]["sales_cycle_days"], result.as_of  # doctest: +SKIP
    (57.0, '2025-06-30')
    """
    by = list(by or [])
    tables, as_of = resolve_as_of(tables, as_of)
    model = lead_model(
        tables,
        implied=config.stages.implied,
        icp=config.icp,
        engagement=engagement_for(by, config),
        materialize=materialize,
        keep=[*by, *outcome_columns()],
    )  # lead_model checks the dimensions
    # The durations are catalog KPIs: compiled once, by the KPI engine.
    kpis = compute_kpis(
        tables, config, kpis=list(DURATIONS), by=by, period=period, view=view,
        date_from=date_from, date_to=date_to, model=model, as_of=as_of,
    )  # fmt: skip
    keys = (["period"] if period != "all" else []) + by
    # the notes of the durations; not the activity view's note on rates (velocity shows none)
    warnings = [w for w in kpis.warnings if getattr(w, "code", None) != "activity_rates"]
    curves: dict[tuple, dict] = {}
    if view == "activity":
        warnings.append(Notice(
            "kaplan_meier_cohort_only",
            "conversion by age (Kaplan–Meier) follows the leads from their creation: it is "
            "drawn in the cohort view only",
        ))  # fmt: skip
    elif as_of.at is not None:
        cohort = model.filter(in_range(model.created_at, date_from, date_to))
        unit = PERIOD_UNITS[period]
        if unit:
            cohort = cohort.mutate(period=cohort.created_at.truncate(unit).date())
        scope = left_out_scope(view, date_from, date_to)
        for key, curve in _km_curves(cohort, keys, as_of.at, warnings, scope).items():
            label = (period_label(key[0], period),) if unit else ()
            curves[label + key[len(label):]] = curve
    out = []
    for r in kpis.rows:
        row = {k: r[k] for k in keys}
        for name in DURATIONS:
            for suffix in ("", "_mean", "_p75", "_n"):
                row[f"{name}{suffix}"] = r[f"{name}{suffix}"]
        if view == "cohort":
            row.update(curves.get(tuple(r[k] for k in keys), {}))
            for stage in KM_STAGES:  # every row has every column, even with no lead left
                for h in HORIZONS:
                    row.setdefault(f"{stage}_by_day_{h}", None)
        out.append(row)
    out.sort(key=lambda x: tuple("" if x[k] is None else str(x[k]) for k in keys))
    if any(r["sales_cycle_days_n"] == 0 for r in out):
        warnings.append(Notice(
            "no_customer_yet", "some groups have no customer yet: their cycle lengths are null"
        ))  # fmt: skip
    return VelocityResult(out, by, as_of, warnings, period=period, view=view)


def _km_curves(
    model: ir.Table, by: list[str], as_of: datetime, warnings: list[str], scope: str = ""
) -> dict[tuple, dict]:
    """Per group and stage: share converted by day N, with open leads censored; ``scope``
    names the leads' range in the note on those left out."""
    # scipy.stats costs ~0.6 s to import: only the commands that draw the curves pay it
    from scipy.stats import CensoredData, ecdf

    curves: dict[tuple, dict] = {}
    for stage in KM_STAGES:
        reached = by_stage(stage)  # the measure counting the stage: its date ends the curve
        end = model[reached.at]
        converted = end.notnull()
        created = model.created_at.epoch_seconds()
        age = (end.epoch_seconds() - created) / DAY
        seen = (ibis.literal(as_of).epoch_seconds() - created) / DAY
        # whole days, counted from the leads' creation to the group's small table: a
        # conversion at 30.5 days is on day 31 (not within 30 days: rounded up), an open
        # lead seen for 30.5 days is known unconverted through day 30 (rounded down, and
        # never negative: the as-of date follows every creation)
        day = ibis.ifelse(converted, age.ceil(), ibis.greatest(seen.floor(), 0)).cast("int64")
        # a conversion dated before the lead's creation is left out below
        t = model.mutate(_day=day, _event=converted, _before=converted & (age < 0))
        counts = (
            t.group_by([*[t[d] for d in by], t._day, t._event, t._before])
            .aggregate(_n=t.count())
            .to_pyarrow()
            .to_pylist()
        )
        groups: dict[tuple, list] = {}
        left_out = sum(c["_n"] for c in counts if c["_before"])
        if left_out:
            warnings.append(
                f"{stage}_by_day_<N>: {left_out:,} lead(s) left out{scope}: "
                f"{reached.date_label} dated before {MEASURES['leads'].date_label}"
            )
        for c in counts:
            if not c["_before"]:
                groups.setdefault(tuple(c[d] for d in by), []).append(c)
        for key, items in groups.items():
            days = np.array([i["_day"] for i in items], dtype=float)
            n = np.array([i["_n"] for i in items], dtype=np.int64)
            ev = np.array([bool(i["_event"]) for i in items])
            events = np.repeat(days[ev], n[ev])
            censored = np.repeat(days[~ev], n[~ev])
            row = curves.setdefault(key, {})
            # no lead of the group was seen that long: the curve stops at its last day
            # (day 180 of leads 100 days old read as day 100's, carried forward) ...
            last = float(days.max())
            if len(events) and (not len(censored) or censored.max() < events.max()):
                # ... unless the last leads still open all converted: nobody is left to
                # convert later, the share stays where it is at every later day (every lead
                # converted by day 4 is 100 % by day 30, not unknown)
                last = float("inf")
            if len(events) == 0:
                for h in HORIZONS:
                    row[f"{stage}_by_day_{h}"] = 0.0 if h <= last else None
                continue
            # Kaplan–Meier convention: on a tie, conversions come before censoring.
            cdf = ecdf(CensoredData(uncensored=events + 1e-9, right=censored + 2e-9)).cdf
            for h in HORIZONS:
                value = round(float(cdf.evaluate(h + 1e-6)), 6)
                row[f"{stage}_by_day_{h}"] = value if h <= last else None
    return curves
