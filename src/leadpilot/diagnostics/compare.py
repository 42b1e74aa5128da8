"""Comparing two periods: every KPI of both with its change and test, the decomposition of
the revenue change, the findings, and the data-quality findings.

The periods are cohorts (the leads created in each period, followed to what they
became). The current cohort is younger than the previous one, and a young cohort's rates
are still growing: the previous cohort is therefore read *at the same age* — as of its
own end plus the current cohort's age — so that both had the same time to convert.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import ibis.expr.types as ir

from ..config import Config
from ..engine import records
from ..errors import MissingDataError, Notice, UsageError
from ..metrics.asof import end_of_day, resolve_as_of
from ..metrics.compute import compute_kpis, median_delay
from ..metrics.model import lead_model
from .decompose import Decomposition, Group, decompose, group_order
from .findings import Finding, Thresholds, find
from .quality import quality_findings, reconcile_sentences
from .significance import compare_rates

COUNTS = ("leads", "mqls", "sals", "sqls", "opportunities", "customers")
COMPARED = (
    *COUNTS, "revenue", "spend", "cpl", "cac", "roi", "avg_deal_size",
    "lead_to_mql", "mql_to_sal", "mql_to_sql", "sql_to_opportunity",
    "opportunity_to_customer", "lead_to_customer", "sales_cycle_days",
)  # fmt: skip
STAGES = ("mqls", "sqls", "opportunities")


@dataclass(frozen=True)
class Period:
    """A calendar period: its label (2025-Q2, 2025-03, 2025) and its first and last day."""

    label: str
    start: date
    end: date

    def before(self) -> Period:
        """The period just before, of the same kind (2025-Q1 before 2025-Q2)."""
        return parse_period(_relabel(self.label, _kind(self.label), -1))

    def year_before(self) -> Period:
        """The same period a year earlier."""
        kind = _kind(self.label)
        return parse_period(_relabel(self.label, kind, -_steps(kind)))


def _kind(label: str) -> str:
    if re.fullmatch(r"\d{4}-Q[1-4]", label):
        return "quarter"
    if re.fullmatch(r"\d{4}-\d{2}", label):
        return "month"
    return "year"


def _steps(kind: str) -> int:
    return {"quarter": 4, "month": 12, "year": 1}[kind]


def _relabel(label: str, kind: str, delta: int) -> str:
    """The period ``delta`` steps later (negative: earlier)."""
    if kind == "year":
        return str(int(label) + delta)
    year, part = label.split("-")
    index = int(year) * _steps(kind) + int(part.strip("Q")) - 1 + delta
    y, p = divmod(index, _steps(kind))
    return f"{y}-Q{p + 1}" if kind == "quarter" else f"{y}-{p + 1:02d}"


def parse_period(text: str) -> Period:
    """'2025-Q2', '2025-03' or '2025' as a period; anything else is a UsageError."""
    label = text.strip().upper()
    m = re.fullmatch(r"(\d{4})(?:-Q([1-4])|-(\d{2}))?", label)
    # a year before 1900 is a typing mistake (and year 0 does not exist: no ValueError)
    if not m or (m.group(3) and not 1 <= int(m.group(3)) <= 12) or int(m.group(1)) < 1900:
        raise UsageError(
            f"period {text!r}: expected a quarter (2025-Q2), a month (2025-03) or a year (2025)"
        )
    year = int(m.group(1))
    if m.group(2):
        q = int(m.group(2))
        start, months = date(year, 3 * q - 2, 1), 3
    elif m.group(3):
        start, months = date(year, int(m.group(3)), 1), 1
    else:
        start, months = date(year, 1, 1), 12
    y, mo = divmod(start.month - 1 + months, 12)
    end = date(start.year + y, mo + 1, 1) - timedelta(days=1)
    return Period(label, start, end)


def default_periods(as_of: datetime) -> tuple[Period, Period]:
    """The last complete quarter before ``as_of`` and the one before it."""
    q = (as_of.month - 1) // 3 + 1
    current = parse_period(f"{as_of.year}-Q{q}")
    if as_of.date() < current.end:
        current = current.before()
    return current, current.before()


def _day(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def quarter_of(day: date) -> Period:
    """The calendar quarter holding ``day``."""
    return parse_period(f"{day.year}-Q{(day.month - 1) // 3 + 1}")


def default_period(as_of: datetime, first: date | None, last: date | None) -> Period:
    """The period ``diagnose`` and the report look at unless told: the last complete
    quarter before ``as_of`` when leads were created in it, else the latest quarter
    holding leads (``first`` and ``last``: the first and last lead creation days). An
    export whose last event (a deal closed, a touch) comes quarters after its last lead
    would otherwise be read on a quarter without any lead: "nothing significant"."""
    current = default_periods(as_of)[0]
    if last is not None and (last < current.start or (first and first > current.end)):
        return quarter_of(last)
    return current


@dataclass
class Comparison:
    """What ``diagnose`` computed: both periods' KPIs, their changes, the findings."""

    current: Period
    previous: Period
    by: str | None
    rows: list[dict]  # one per KPI (and group): before, after, change, test
    decomposition: Decomposition | None
    customers_decomposition: Decomposition | None
    findings: list[Finding]
    quality: list[Finding]
    as_of: dict  # current and previous as-of dates (same age)
    warnings: list[str] = field(default_factory=list)

    @property
    def all_findings(self) -> list[Finding]:
        return [*self.findings, *self.quality]


def thresholds_of(config: Config) -> Thresholds:
    """The findings' thresholds set in leadpilot.yaml (``diagnostics:``)."""
    return Thresholds(**config.diagnostics.model_dump(exclude={"unknown_channel_share"}))


def _kpis(tables, config, period: Period, by: list[str], as_of: datetime) -> dict:
    result = compute_kpis(
        tables, config, kpis=list(COMPARED), by=by, date_from=period.start,
        date_to=period.end, as_of=as_of,
    )  # fmt: skip
    return {tuple(r.get(b) for b in by): r for r in result.rows}, result.warnings


def _customers(tables, config, period: Period, as_of: datetime) -> tuple[list, list]:
    """(days from creation to won, revenue) of the customers of the period's cohort."""
    m = lead_model(tables, implied=config.stages.implied)
    lo = datetime.combine(period.start, datetime.min.time())
    hi = end_of_day(period.end)
    won = m.filter(
        (m.created_at >= lo) & (m.created_at <= hi) & m.customer_at.notnull()
        & (m.customer_at <= as_of)
    )  # fmt: skip
    days = (won.customer_at.epoch_seconds() - won.created_at.epoch_seconds()) / 86400
    t = won.select(d=days, r=won.revenue).to_pyarrow()
    cycles = [float(v) for v in t["d"].to_pylist() if v is not None and v >= 0]
    return cycles, [float(v or 0.0) for v in t["r"].to_pylist()]


def _last_created(tables, config, period: Period) -> date | None:
    """The creation day of the period's youngest counted lead (None: no lead)."""
    m = lead_model(tables, implied=config.stages.implied, keep=[])
    lo = datetime.combine(period.start, datetime.min.time())
    inside = m.filter((m.created_at >= lo) & (m.created_at <= end_of_day(period.end)))
    (row,) = records(inside.aggregate(last=inside.created_at.max()))
    return _day(row["last"])


def _median_delay(tables, config) -> float | None:
    m = lead_model(tables, implied=config.stages.implied, keep=["customer_at"])
    v = m.aggregate(d=median_delay(m)).to_pyarrow().to_pylist()[0]
    return None if v["d"] is None else v["d"] / 86400


def _group(r: dict | None) -> Group:
    if not r:
        return Group(0.0, 0.0, 0.0, {})
    return Group(
        float(r.get("leads") or 0), float(r.get("customers") or 0),
        float(r.get("revenue") or 0.0),
        {s: float(r.get(s) or 0) for s in STAGES},
    )  # fmt: skip


def _totals(r: dict | None) -> dict:
    r = dict(r or {})
    r["acceptance_measured"] = r.get("mql_to_sal") is not None
    return r


def _nothing(other: dict) -> dict:
    """A group's KPIs in a period where it has no row (no lead, no spend): its counts and
    revenue are 0; its rates, costs and durations stay null (nothing to divide)."""
    if not other:
        return {}
    return {**{name: 0 for name in COUNTS}, "revenue": 0.0}


def _rows(before: dict, after: dict, by: list[str]) -> list[dict]:
    """Every KPI of both periods: values, change, and for rates the test."""
    from ..metrics.catalog import CATALOG

    out = []
    # the groups in the KPI table's order; a group's value may be None, a number, a date
    for key in sorted(set(before) | set(after), key=lambda k: tuple(map(group_order, k))):
        b, a = before.get(key) or {}, after.get(key) or {}
        # a group without a lead in one period made nothing there: 0, not unknown (–)
        b = b or _nothing(a)
        a = a or _nothing(b)
        for name in COMPARED:
            row = {d: v for d, v in zip(by, key, strict=True)}
            row.update(kpi=name, previous=b.get(name), current=a.get(name))
            pb, pa = row["previous"], row["current"]
            row["change"] = None if pb is None or pa is None else pa - pb
            row["relative_change"] = (
                None if not pb or pa is None or CATALOG[name].kind == "rate" else pa / pb - 1
            )
            if CATALOG[name].kind == "rate":
                c = compare_rates(
                    int(b.get(f"{name}_numerator") or 0), int(b.get(f"{name}_denominator") or 0),
                    int(a.get(f"{name}_numerator") or 0), int(a.get(f"{name}_denominator") or 0),
                )  # fmt: skip
                if pb is None or pa is None:
                    c = compare_rates(0, 0, 0, 0)
                row.update(difference_low=c.low, difference_high=c.high, p_value=c.p_value,
                           test=c.test)  # fmt: skip
            else:
                row.update(difference_low=None, difference_high=None, p_value=None, test=None)
            out.append(row)
    return out


def compare(
    tables: dict[str, ir.Table],
    config: Config,
    *,
    current: str | None = None,
    previous: str | None = None,
    vs: str | None = None,
    by: str | None = None,
    thresholds: Thresholds | None = None,
    quality: bool = True,
) -> Comparison:
    """Compare two periods (default: the last complete quarter and the one before).

    ``vs="last-year"`` compares with the same period a year before; ``previous`` names
    the other period. The previous cohort is read at the current cohort's age.
    """
    if previous and vs:
        raise UsageError("give --previous or --vs, not both")
    if vs not in (None, "previous", "last-year"):
        raise UsageError(f"--vs {vs!r}: expected previous or last-year")
    tables, as_of = resolve_as_of(tables, None)
    if as_of.at is None:
        raise MissingDataError("the workspace holds no data to compare; ingest data first")
    if current:
        cur = parse_period(current)
    else:
        leads = tables["leads"]
        span = leads.aggregate(first=leads.created_at.min(), last=leads.created_at.max())
        (days,) = records(span)
        cur = default_period(as_of.at, *(_day(days[k]) for k in ("first", "last")))
    if previous:
        prev = parse_period(previous)
    else:
        prev = cur.year_before() if vs == "last-year" else cur.before()
    if prev.start >= cur.start:
        raise UsageError(f"the previous period {prev.label} must come before {cur.label}")
    now = as_of.at
    if cur.start > now.date():
        raise UsageError(f"{cur.label} starts after the data ends ({now:%Y-%m-%d})")
    warnings: list[str] = []
    if now.date() < cur.end:
        # the current period is not over: both are cut at the same day of the period
        elapsed = now.date() - cur.start
        cur = Period(cur.label, cur.start, now.date())
        prev = Period(prev.label, prev.start, min(prev.end, prev.start + elapsed))
        warnings.append(
            f"{cur.label} is not over (data as of {now:%Y-%m-%d}): both periods are cut at "
            f"the same day of the period ({prev.label} up to {prev.end:%Y-%m-%d})"
        )
    age = now - end_of_day(cur.end)
    prev_as_of = min(now, end_of_day(prev.end) + age)
    dims = [by] if by else []
    before, w1 = _kpis(tables, config, prev, dims, prev_as_of)
    after, w2 = _kpis(tables, config, cur, dims, now)
    for w in (*w1, *w2):  # a note both periods give is said once
        if w not in warnings:
            warnings.append(w)
    totals_b, _ = _kpis(tables, config, prev, [], prev_as_of) if dims else (before, None)
    totals_a, _ = _kpis(tables, config, cur, [], now) if dims else (after, None)
    tb, ta = _totals(totals_b.get(())), _totals(totals_a.get(()))
    groups_b = {k[0]: _group(v) for k, v in before.items()} if dims else {"all": _group(tb)}
    groups_a = {k[0]: _group(v) for k, v in after.items()} if dims else {"all": _group(ta)}
    customers = decompose(groups_b, groups_a, "customers", stages=STAGES)
    # a period whose revenue is unknown somewhere (won deals without an amount: null, not
    # 0) has no revenue change to split: the customers' change is split instead
    unknown = [
        p.label for p, total, groups in ((prev, tb, before), (cur, ta, after))
        if (total.get("customers") and total.get("revenue") is None)
        or any(r.get("revenue") is None and r.get("customers") for r in groups.values())
    ]  # fmt: skip
    revenue = None if unknown else decompose(groups_b, groups_a, "revenue", stages=STAGES)
    if unknown:
        warnings.append(Notice(
            "unvalued",
            f"the revenue of {' and '.join(unknown)} is unknown in some groups (won deals "
            "without an amount): the revenue change is not split into its effects; the "
            "change in customers is",
        ))  # fmt: skip
    delay = _median_delay(tables, config)
    # the age of the period's youngest lead as of the data's last day (not the days since
    # the period's end: a quarter whose last lead came weeks before its end is older); a
    # period without a lead has no age, and no rate to read with care
    youngest = _last_created(tables, config, cur)
    age_days = None if youngest is None else max(0, (now.date() - youngest).days)
    maturity = {
        "immature": delay is not None and age_days is not None and age_days < delay,
        "age": age_days,
        "delay": None if delay is None else round(delay),
        "previous_as_of": prev_as_of.date().isoformat(),
    }
    won_b = _customers(tables, config, prev, prev_as_of)
    won_a = _customers(tables, config, cur, now)
    findings = find(
        tb, ta,
        groups_before={k[0]: v for k, v in before.items()} if dims else None,
        groups_after={k[0]: v for k, v in after.items()} if dims else None,
        dimension=by,
        decomposition=revenue if revenue and (tb.get("revenue") or ta.get("revenue"))
        else customers,
        cycles=(won_b[0], won_a[0]),
        deal_amounts=(won_b[1], won_a[1]),
        acceptance_threshold=config.stages.acceptance_threshold,
        maturity=maturity,
        thresholds=thresholds or thresholds_of(config),
    )  # fmt: skip
    dq = []
    if quality:
        from ..metrics.reconcile import reconcile

        # organic channels without spend are normal; names that nearly match are not
        found = [
            w for w in reconcile(tables)
            if w.code == "spend_without_match" or (w.code == "no_spend" and w.suggestions)
        ]  # fmt: skip
        dq = quality_findings(
            tables,
            reconcile_messages=reconcile_sentences(found),
            unknown_channel_share=config.diagnostics.unknown_channel_share,
        )
    return Comparison(
        current=cur,
        previous=prev,
        by=by,
        rows=_rows(before, after, dims),
        decomposition=revenue,
        customers_decomposition=customers,
        findings=findings,
        quality=dq,
        as_of={"current": now.date().isoformat(), "previous": maturity["previous_as_of"]},
        warnings=warnings,
    )
