"""Planning: the reverse funnel from a revenue target, and a budget what-if.

Both read the workspace's own economics over a reference window of *mature* cohorts —
the leads created in the twelve months that end one median lead → customer delay
before the data ends, so that their conversions have had time to happen (younger leads
would make every rate look worse than it is):

* per channel: the stage rates lead → MQL → SQL → opportunity → customer (each with its
  95 % Wilson interval), the deal size, the cost per lead (spend / leads), and the
  channel's share of revenue;
* the plan multiplies backwards in whole people, as a reverse waterfall is read:
  customers = revenue / deal size rounded up, then each earlier stage = the next stage's
  count / the rate between them, rounded up (opportunities = ⌈customers / win rate⌉, and
  so on up to leads; the win rate is the opportunity_to_customer KPI, won / closed deals),
  and budget = leads x cost per lead. The budget what-if reads lead -> customer as the
  product of the same rates, so the two agree. Every count so follows from
  the one after it and the rate shown beside it: it is the fewest whole leads, MQLs, ...
  that give at least the next count at that rate (count x rate >= next count; one fewer
  would fall short). A channel's customers are rounded up from its share of the
  target, so a small share still asks for one whole customer and the leads behind it.
  It assumes constant rates, deal sizes and cost per lead by channel, which the output
  says.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import ibis.expr.types as ir

from ..config import Config
from ..errors import MissingDataError, UsageError
from ..metrics.asof import resolve_as_of
from ..metrics.compute import compute_kpis, wilson
from ..metrics.model import lead_model

STAGES = ("leads", "mqls", "sqls", "opportunities", "customers")
RATE_NAMES = {
    "mqls": "lead_to_mql",
    "sqls": "mql_to_sql",
    "opportunities": "sql_to_opportunity",
    "customers": "opportunity_to_customer",
}
WIN_RATE = RATE_NAMES["customers"]
ASSUMPTION = (
    "rates, deal size and cost per lead by channel stay those of the reference window "
    "(mature cohorts); budget scales with leads at constant cost per lead"
)
ASSUMPTION_FR = (
    "les taux, le panier moyen et le coût par lead de chaque canal restent ceux de la "
    "fenêtre de référence (cohortes mûres) ; le budget suit les leads à coût par lead constant"
)


@dataclass
class Economics:
    """A channel's funnel over the reference window."""

    channel: str
    counts: dict[str, int]  # leads, mqls, sqls, opportunities, customers
    revenue: float
    spend: float | None
    # the avg_deal_size KPI: revenue / won deals with an amount (a won deal without one is
    # unknown, not 0: counted as 0 it shrank the deal size and inflated every count needed)
    avg_deal_size: float | None = None
    # the opportunity_to_customer KPI's won and closed deals: the win rate leaves the open
    # deals out (counted as lost, the customers / opportunities ratio read 55.7 % where the
    # KPI of that name said 61.6 %, and asked for 10 % more leads)
    won_closed: tuple[int, int] = (0, 0)

    def _fraction(self, stage: str) -> tuple[int, int]:
        if stage == "customers":
            return self.won_closed
        return self.counts[stage], self.counts[STAGES[STAGES.index(stage) - 1]]

    def rate(self, stage: str) -> float | None:
        """Rate from the stage before ``stage`` to ``stage`` (cumulative counts; into
        customers, the win rate: won / closed deals)."""
        part, whole = self._fraction(stage)
        return part / whole if whole else None

    def interval(self, stage: str) -> tuple[float, float] | None:
        part, whole = self._fraction(stage)
        return wilson(part, whole) if whole else None

    @property
    def deal_size(self) -> float | None:
        return self.avg_deal_size

    @property
    def cpl(self) -> float | None:
        return self.spend / self.counts["leads"] if self.spend and self.counts["leads"] else None

    @property
    def closing(self) -> float | None:
        """Lead -> customer as the reverse funnel reads it: the product of its stage rates
        (opportunities / leads x the win rate), so that a budget's leads give the customers
        the reverse funnel asks those leads for (customers / leads, the open deals counted
        as lost, gave 38 % where the reverse funnel read 57 %)."""
        leads, win = self.counts["leads"], self.rate("customers")
        if not leads or win is None:
            return None
        return self.counts["opportunities"] / leads * win

    @property
    def realized(self) -> float | None:
        """Opportunities that became customers so far (the open ones counted as lost)."""
        opportunities = self.counts["opportunities"]
        return self.counts["customers"] / opportunities if opportunities else None


@dataclass
class Plan:
    """What a plan or a what-if computed, row by row, with its assumptions."""

    kind: str  # "reverse_funnel" or "budget_what_if"
    rows: list[dict]
    totals: dict
    reference: dict  # the window the rates come from
    assumption: str = ASSUMPTION
    assumption_fr: str = ASSUMPTION_FR
    sensitivity: dict | None = None
    warnings: list[str] = field(default_factory=list)


def reference_window(tables, config: Config, as_of: datetime) -> tuple[datetime, datetime]:
    """Twelve months of cohorts ending one median lead → customer delay before ``as_of``."""
    return _window(tables, config, as_of)[:2]


def _window(tables, config: Config, as_of: datetime) -> tuple[datetime, datetime, float]:
    """The reference window, and the months of it the data covers: leads that stopped
    before its end (deals closed later set ``as_of``), or began after its start, fill only
    part of it."""
    m = lead_model(tables, implied=config.stages.implied)
    secs = m.customer_at.epoch_seconds() - m.created_at.epoch_seconds()
    row = m.aggregate(d=secs.median(where=m.customer_at.notnull())).to_pyarrow().to_pylist()[0]
    delay = timedelta(seconds=row["d"] or 0)
    end = as_of - delay
    start = end - timedelta(days=365)
    # the data's first and last leads (not the window's: months without a lead inside the
    # data are months of it all the same), in whole months: monthly spend is dated on the 1st
    span = m.aggregate(first=m.created_at.min(), last=m.created_at.max())
    row = span.to_pyarrow().to_pylist()[0]
    if row["first"] is None:
        return start, end, 12.0
    first = max(start, row["first"].replace(day=1, hour=0, minute=0, second=0, microsecond=0))
    last = min(end, _month_end(row["last"]))
    return start, end, max(1.0, min(12.0, (last - first).days / DAYS_PER_MONTH))


DAYS_PER_MONTH = 365 / 12


def _month_end(at: datetime) -> datetime:
    first_next = (at.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first_next.replace(hour=0, minute=0, second=0, microsecond=0)


def economics(
    tables, config: Config, as_of=None
) -> tuple[dict[str, Economics], dict, list[str]]:
    """Every channel's funnel, revenue and spend over the reference window, and what the
    KPIs said of it (won deals without an amount, left out of the deal size)."""
    tables, at = resolve_as_of(tables, as_of)
    if at.at is None:
        raise MissingDataError("the workspace holds no data to plan from; ingest data first")
    start, end, months = _window(tables, config, at.at)
    result = compute_kpis(
        tables, config, kpis=[*STAGES, "revenue", "spend", "avg_deal_size", WIN_RATE],
        by=["channel"],
        date_from=start.date(), date_to=end.date(), as_of=at,
    )  # fmt: skip
    out = {}
    for r in result.rows:
        if r["channel"] is None or not r["leads"]:
            continue
        out[r["channel"]] = Economics(
            r["channel"], {s: int(r[s] or 0) for s in STAGES}, float(r["revenue"] or 0.0),
            r.get("spend"), r.get("avg_deal_size"),
            (int(r[f"{WIN_RATE}_numerator"] or 0), int(r[f"{WIN_RATE}_denominator"] or 0)),
        )  # fmt: skip
    reference = {
        "from": start.date().isoformat(),
        "to": end.date().isoformat(),
        "rule": "leads created in the twelve months ending one median lead → customer delay "
        "before the data's end (mature cohorts)",
        # the months the window holds leads in (12 unless the leads stop before its end):
        # what spend per month is read over
        "months": round(months, 2),
    }
    said = [w for w in result.warnings if getattr(w, "code", None) == "unvalued"]
    return out, reference, said


def _mix(eco: dict[str, Economics], mix: str | dict | None) -> dict[str, float]:
    if mix in (None, "current"):
        total = sum(e.revenue for e in eco.values())
        if not total:
            raise MissingDataError("no revenue in the reference window: give the mix with --mix")
        return {c: e.revenue / total for c, e in eco.items() if e.revenue}
    shares = mix if isinstance(mix, dict) else _parse_pairs(mix, "--mix")
    unknown = [c for c in shares if c not in eco]
    if unknown:
        raise UsageError(f"--mix names channel(s) {unknown} with no leads in the reference "
                         f"window; known: {', '.join(sorted(eco))}")  # fmt: skip
    total = sum(shares.values())
    if abs(total - 1) > 0.01:
        raise UsageError(f"--mix shares add up to {total:g}; they must add up to 1")
    return {c: s / total for c, s in shares.items() if s}


def _parse_pairs(text: str, option: str) -> dict[str, float]:
    out = {}
    for part in text.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise UsageError(f"{option} {text!r}: expected CHANNEL=VALUE pairs, e.g. email=0.3")
        name, value = part.split("=", 1)
        try:
            out[name.strip()] = float(value.replace("+", ""))
        except ValueError:
            raise UsageError(f"{option}: {value!r} is not a number") from None
    return out


def _backwards(
    target: float, eco: Economics, rates: dict[str, float] | None = None
) -> dict[str, int | None]:
    """Customers, opportunities, SQLs, MQLs and leads needed for ``target`` revenue, in
    whole people: each stage is rounded up from the (whole) count of the next one, so the
    counts follow from each other through the rates (not each rounded on its own, which
    read '1 SQL from 7 MQLs at 3.5 %'). ``rates`` replaces the rate into some stages."""
    if not eco.deal_size:
        return dict.fromkeys(STAGES)
    need: dict[str, int | None] = {"customers": _ceil(target / eco.deal_size)}
    for stage in reversed(STAGES[1:]):
        rate = (rates or {}).get(stage, eco.rate(stage))
        before = STAGES[STAGES.index(stage) - 1]
        need[before] = _ceil(need[stage] / rate) if rate else None
        if need[before] is None:
            for s in STAGES[: STAGES.index(before)]:
                need[s] = None
            break
    return need


def reverse_funnel(
    tables: dict[str, ir.Table], config: Config, target_revenue: float, *, mix=None,
    as_of=None,
) -> Plan:  # fmt: skip
    """The leads (and budget) each channel must bring to reach ``target_revenue``."""
    if target_revenue <= 0:
        raise UsageError("--target-revenue must be a positive amount")
    eco, reference, said = economics(tables, config, as_of)
    shares = _mix(eco, mix)
    rows, warnings = [], list(said)
    for channel, share in sorted(shares.items(), key=lambda kv: -kv[1]):
        e = eco[channel]
        need = _backwards(target_revenue * share, e)
        leads = need["leads"]  # whole leads; the budget buys those
        budget = leads * e.cpl if leads is not None and e.cpl else None
        rows.append({
            "channel": channel, "revenue_share": share, "revenue": target_revenue * share,
            **{f"{s}_needed": need[s] for s in STAGES},
            "deal_size": e.deal_size, "cpl": e.cpl, "budget": budget,
            **{RATE_NAMES[s]: e.rate(s) for s in STAGES[1:]},
        })  # fmt: skip
        if e.cpl is None:
            warnings.append(f"{channel}: no spend in the reference window, so no budget "
                            "(organic, or spend not loaded)")  # fmt: skip
    totals = {
        f"{s}_needed": sum(r[f"{s}_needed"] or 0 for r in rows) for s in STAGES
    } | {"revenue": target_revenue,
         "budget": sum(r["budget"] or 0 for r in rows)}  # fmt: skip
    planned = sum((r["customers_needed"] or 0) * (r["deal_size"] or 0) for r in rows)
    totals["revenue_planned"] = planned
    if planned > OVERSHOOT * target_revenue:
        small = [r["channel"] for r in rows
                 if r["deal_size"] and r["revenue"] < r["deal_size"]]  # fmt: skip
        warnings.append(
            f"whole customers: the plan's customers bring {planned:,.0f}, "
            f"{planned / target_revenue:.1f} times the target; {_listed(small)} hold less "
            "than one customer of it and each asks for a whole one: give --mix to spread the "
            "target over fewer channels"
        )
    stale = _open_deals(eco, shares)
    if stale is not None:
        win, realized = stale
        leads = sum(_backwards(target_revenue * share, eco[c],
                               {"customers": eco[c].realized} if eco[c].realized else None
                               )["leads"] or 0 for c, share in shares.items())  # fmt: skip
        warnings.append(
            f"open deals: {_pct(realized)} of the reference window's opportunities became "
            f"customers so far, against a win rate of {_pct(win)} (won / closed deals): the "
            "plan counts the opportunities still open as closing at the win rate; if they "
            f"are stale, it takes {leads:,} leads instead of {totals['leads_needed']:,}"
        )
    return Plan(
        "reverse_funnel", rows, totals, reference,
        sensitivity=_sensitivity(eco, shares, target_revenue), warnings=warnings,
    )  # fmt: skip


def _sensitivity(eco, shares, target) -> dict:
    """The least certain stage rate (widest interval relative to the rate, all channels
    pooled) and the plan's leads with it at its interval bounds: each channel's rate at
    that stage moved as much (relatively) as the pooled one, the other rates and the deal
    sizes unchanged, and counted as the plan counts them — so the central figure is the
    plan's total of leads, not a pooled estimate that would contradict it."""
    pooled = {s: sum(eco[c].counts[s] for c in shares) for s in STAGES}
    won_closed = tuple(sum(eco[c].won_closed[i] for c in shares) for i in (0, 1))
    base = Economics("all", pooled, sum(eco[c].revenue for c in shares), None,
                     won_closed=won_closed)  # fmt: skip
    widths = {}
    for s in STAGES[1:]:
        ci, r = base.interval(s), base.rate(s)
        if ci and r:
            widths[s] = (ci[1] - ci[0]) / r
    if not widths:
        return {}
    stage = max(widths, key=widths.get)
    low, high = base.interval(stage)
    rate = base.rate(stage)

    def leads_at(bound: float) -> int:
        total = 0
        for channel, share in shares.items():
            e = eco[channel]
            own = e.rate(stage)
            # only this rate moves (at most to 100 %): the others and the deal size stay
            moved = {} if bound == rate or own is None else {stage: min(1.0, own * bound / rate)}
            need = _backwards(target * share, e, moved)
            total += need["leads"] or 0  # as the plan's total: a channel without leads adds 0
        return total

    return {
        "rule": "the stage rate whose 95 % interval is widest relative to it, all channels "
        "pooled; the plan's leads (its total) with every channel's rate at that stage moved "
        "like the pooled rate to its bounds (at most 100 %), the other rates and the deal "
        "sizes unchanged",
        "least_certain_rate": RATE_NAMES[stage],
        "rate": rate,
        "rate_low": low,
        "rate_high": high,
        "leads_needed": leads_at(rate),
        # a lower rate needs more leads
        "leads_needed_high": leads_at(low) if low else None,
        "leads_needed_low": leads_at(high),
    }


# the plan's customers may bring this much more than the target before it is said
OVERSHOOT = 1.25
# the share of the win rate the opportunities' conversion so far may fall short by unsaid
STALE = 0.8


def _open_deals(eco: dict[str, Economics], channels) -> tuple[float, float] | None:
    """(win rate, conversion so far) of the opportunities of ``channels`` pooled, when the
    opportunities still open make the two differ (the conversion so far is under
    :data:`STALE` x the win rate); None otherwise."""
    won, closed = (sum(eco[c].won_closed[i] for c in channels) for i in (0, 1))
    opportunities = sum(eco[c].counts["opportunities"] for c in channels)
    customers = sum(eco[c].counts["customers"] for c in channels)
    if not closed or not opportunities:
        return None
    win, realized = won / closed, customers / opportunities
    return (win, realized) if realized < STALE * win else None


def _no_spend(tables, reference: dict) -> MissingDataError:
    """Why a budget cannot be spread, and what fixes it: the window it reads, and the
    spend the workspace holds (none, or only outside the window)."""
    window = f"{reference['from']} to {reference['to']}"
    spend = tables.get("spend")
    found = None
    if spend is not None:
        found = spend.aggregate(first=spend.date.min(), last=spend.date.max()).to_pyarrow()
        found = found.to_pylist()[0]
    if not found or found["first"] is None:
        held = "the workspace holds no spend"
        fix = "ingest the ad-spend exports (table spend: date, channel, amount)"
    else:
        held = f"the spend loaded runs from {found['first']} to {found['last']}"
        fix = "ingest the spend of that window"
    return MissingDataError(
        f"no spend in the reference window ({window}, the mature cohorts the plan reads its "
        f"rates from): a budget is spread like that window's spend, and {held}; {fix}, or "
        "plan from a revenue target instead (--target-revenue)"
    )


def _pct(x: float) -> str:
    return f"{x:.1%}"


def _listed(names: list[str]) -> str:
    return ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")


def _ceil(x: float | None) -> int | None:
    """Rounded up to a whole count; a float's noise (3.0000000001) is not one more."""
    return None if x is None else math.ceil(x - 1e-9)


def budget_what_if(
    tables: dict[str, ir.Table], config: Config, budget: float, *, shift: str | dict | None = None,
    months: int = 3, as_of=None,
) -> Plan:  # fmt: skip
    """Expected leads, customers and revenue per channel for ``budget`` (spent over
    ``months``, a quarter by default) spread like the reference window's spend, before and
    after ``shift`` (``paid_social=-20000,outbound=+20000``)."""
    if budget <= 0:
        raise UsageError("--budget must be a positive amount")
    eco, reference, said = economics(tables, config, as_of)
    paid = {c: e for c, e in eco.items() if e.spend}
    if not paid:
        raise _no_spend(tables, reference)
    total_spend = sum(e.spend for e in paid.values())
    base = {c: budget * e.spend / total_spend for c, e in paid.items()}
    moves = shift if isinstance(shift, dict) else _parse_pairs(shift or "", "--shift")
    unknown = [c for c in moves if c not in paid]
    if unknown:
        raise UsageError(f"--shift names channel(s) {unknown} with no spend in the reference "
                         f"window; known: {', '.join(sorted(paid))}")  # fmt: skip
    after = {c: base[c] + moves.get(c, 0.0) for c in base}
    negative = [c for c, v in after.items() if v < 0]
    if negative:
        shares = ", ".join(f"{c} {base[c]:,.0f}" for c in negative)
        raise UsageError(
            f"--shift leaves a negative budget for {', '.join(negative)}: the budget is spread "
            f"like the reference window's spend before the shifts ({shares}); move at most "
            "that much away from a channel"
        )
    warnings = list(said)
    if abs(sum(moves.values())) > 0.005 * budget:
        warnings.append(f"the shifts add {sum(moves.values()):+,.0f} to the budget")
    # spread like the observed spend, every channel's budget is as far from its own spend as
    # the budget is from the total: then ⚠ marks the channels the shifts leave alone too
    held = reference["months"]  # the months of the window the data holds
    observed_total = total_spend * months / held
    if not (0.5 * observed_total <= budget <= 1.5 * observed_total):
        warnings.append(
            f"the budget ({budget:,.0f} for {months} months) is {budget / observed_total:.2f} "
            f"times the spend observed per {months} months in the reference year "
            f"({observed_total:,.0f}): spread like that spend, every channel's budget before "
            "the shifts is as far from its own (±50 %), not only the shifted ones; constant "
            "cost per lead is an assumption there"
        )
    rows = []
    for c, e in sorted(paid.items()):
        row = {"channel": c}
        for label, spend in (("before", base[c]), ("after", after[c])):
            leads = spend / e.cpl if e.cpl else 0.0
            customers = leads * (e.closing or 0.0)
            row |= {f"spend_{label}": spend, f"leads_{label}": leads,
                    f"customers_{label}": customers,
                    f"revenue_{label}": customers * (e.deal_size or 0.0)}  # fmt: skip
        row["cpl"], row["lead_to_customer"], row["deal_size"] = e.cpl, e.closing, e.deal_size
        # the spend observed for as long as the budget lasts: far from it is extrapolation
        observed = e.spend * months / held
        row["extrapolated"] = not (0.5 * observed <= after[c] <= 1.5 * observed)
        if row["extrapolated"] and moves.get(c):
            warnings.append(
                f"{c}: {after[c]:,.0f} is outside the spend observed for it ({observed:,.0f} "
                f"per {months} months in the reference year, ±50 %): constant cost per lead is "
                "an assumption there"
            )
        rows.append(row)
    totals = {k: sum(r[k] for r in rows) for k in rows[0] if k.endswith(("_before", "_after"))}
    stale = _open_deals(eco, paid)
    if stale is not None:
        win, realized = stale
        customers = sum(
            r["leads_after"] * (paid[r["channel"]].counts["customers"]
                                / paid[r["channel"]].counts["leads"])
            for r in rows if paid[r["channel"]].counts["leads"]
        )  # fmt: skip
        warnings.append(
            f"open deals: {_pct(realized)} of the reference window's opportunities became "
            f"customers so far, against a win rate of {_pct(win)} (won / closed deals): the "
            "expected customers count the opportunities still open as closing at the win "
            f"rate; if they are stale, {customers:,.1f} customers instead of "
            f"{totals['customers_after']:,.1f}"
        )
    return Plan("budget_what_if", rows, totals, reference, warnings=warnings)
