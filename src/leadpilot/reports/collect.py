"""What a report shows, gathered once from the analyses: :class:`ReportData`.

:func:`collect` asks a :class:`Source` (a :class:`leadpilot.pilot.Pilot`, read through the
methods listed in the protocol: this layer never imports ``pilot``) for the Results of
one period and its comparison period: the headline KPIs of both, the diagnosis with its
findings, the funnel, the KPIs by channel, twelve months of cohorts, velocity,
attribution under every model and, when a score exists, its evaluation. Nothing here
depends on the language: :mod:`leadpilot.reports.view` writes it for a reader.

What cannot be computed is not an error: each such part keeps a *gap* (a reason, in
both languages, from :data:`leadpilot.reports.labels.GAPS`) and the report says it
instead of drawing an empty chart. What is shown but needs care (durations left out) keeps
a *caveat* (:data:`leadpilot.reports.labels.CAVEATS`) instead: the number stands beside it.

The period may also be ``"all"`` (every lead, no comparison) and the comparison ``"none"``:
the dashboard's "All time" and "no comparison" choices give the report a person looks at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from ..diagnostics.compare import Period, default_period, parse_period
from ..errors import LeadpilotError, MissingDataError, UsageError
from ..results import Result

# The KPIs of the headline, of the channel table and of the monthly trends.
HEADLINE = (
    "revenue",
    "customers",
    "spend",
    "roi",
    "leads",
    "lead_to_customer",
    "cac",
    "cpl",
    "avg_deal_size",
    "mqls",
    "sqls",
    "opportunities",
    "lead_to_mql",
    "mql_to_sal",
    "mql_to_sql",
    "sql_to_opportunity",
    "opportunity_to_customer",
)
CHANNEL = ("leads", "customers", "lead_to_customer", "revenue", "spend", "cpl", "cac", "roi")
TREND = ("leads", "customers", "revenue", "lead_to_customer")
TABLES = ("leads", "touchpoints", "stage_events", "deals", "spend", "traffic")
VS = ("previous", "last-year", "none")
ALL = "all"  # the period of every lead: no comparison


class Source(Protocol):
    """What a report reads: the analyses of :class:`leadpilot.pilot.Pilot`."""

    config: Any

    def data_as_of(self) -> datetime | None: ...

    def tables(self) -> dict: ...

    def labels(self) -> dict[str, dict[str, str]]: ...

    def kpi_result(self, **kwargs) -> Result: ...

    def funnel_result(self, **kwargs) -> Result: ...

    def velocity_result(self, **kwargs) -> Result: ...

    def attribution_result(self, **kwargs) -> Result: ...

    def score_evaluate(self) -> Result: ...

    def diagnosis(self, **kwargs) -> Result: ...



# An export's value written as a code (HubSpot's ORGANIC_SEARCH, PAID_SEARCH): no reader
# wrote it; the report names such channels as every table does (organic_search) rather
# than beside others written in lower case ('ORGANIC_SEARCH' next to 'organic_social').
_CODE = re.compile(r"[A-Z0-9_]+")


def readable_labels(labels: dict[str, str]) -> dict[str, str]:
    """The channels' display texts worth showing: those written for a reader ('Web
    Research', 'Liste achetée'), not the codes of an export's internal values."""
    return {k: v for k, v in labels.items() if v and not _CODE.fullmatch(v)}

@dataclass
class Gap:
    """A part of the report that cannot be shown: the key of its reason (labels.GAPS) and
    the values the sentence names; ``detail`` is a technical message (English)."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)
    detail: str | None = None


@dataclass
class ReportData:
    """Everything a report shows, as Results and plain values, in no language."""

    name: str | None
    currency: str
    as_of: date
    period: Period  # the reported period (cut at the data's last day when not over)
    previous: Period | None  # the comparison period (cut the same way); None: no comparison
    previous_as_of: date | None  # the comparison cohort is read at the same age
    vs: str  # previous, last-year or none
    period_cut: bool
    counts: dict[str, int]  # rows per canonical table
    deal_amounts: int  # deals with an amount
    leads_with_channel: int
    first_lead: date | None
    last_lead: date | None
    headline: Result  # KPIs of the period (cohort view)
    headline_previous: Result | None  # the same, comparison period at the same age
    pipeline: tuple[float | None, float | None]  # open pipeline at each period's end
    diagnosis: Result | None
    funnel: Result
    channels: Result | None
    trends: Result | None
    velocity: Result | None
    velocity_channels: Result | None
    attribution: Result | None
    evaluation: Result | None
    channel_labels: dict[str, str]
    # customers won in the period, whatever their creation date (activity view): the
    # conversions attribution credits, or leaves uncredited when no touch preceded them
    conversions: int | None = None
    gaps: dict[str, list[Gap]] = field(default_factory=dict)
    # notes on figures that are shown (same shape as a gap, not a gap: nothing is missing)
    caveats: dict[str, list[Gap]] = field(default_factory=dict)
    # the day the figures were gathered: every rendering of them says the same day
    generated_on: date = field(default_factory=date.today)
    # the period's open pipeline as computed (its notes: open deals without an amount)
    pipeline_result: Result | None = None
    # the channels with spend recorded in any period of the workspace: a channel of the
    # period without spend is organic only when it has none at all
    spend_channels: frozenset = frozenset()

    # ---------------------------------------------------------------- reading it
    @property
    def one_creation_day(self) -> bool:
        """Every lead was created the same day: an export without dates."""
        return self.first_lead is not None and self.first_lead == self.last_lead

    @property
    def whole(self) -> bool:
        """The report covers every lead (period "all")."""
        return self.period.label == ALL

    @property
    def compares(self) -> bool:
        """A comparison period was asked for (not "none", not the whole data)."""
        return self.previous is not None

    @property
    def comparable(self) -> bool:
        """Both periods hold leads with real dates: changes mean something."""
        return (
            self.compares and bool(self.previous_row().get("leads")) and not self.one_creation_day
        )

    def gap(self, section: str, key: str, detail: str | None = None, **values) -> None:
        self.gaps.setdefault(section, []).append(Gap(key, values, detail))

    def caveat(self, section: str, key: str, **values) -> None:
        """A note on a figure that is shown (labels.CAVEATS): read it with care."""
        self.caveats.setdefault(section, []).append(Gap(key, values))

    def current_row(self) -> dict:
        return self.headline.rows[0] if self.headline.rows else {}

    def previous_row(self) -> dict:
        previous = self.headline_previous
        return previous.rows[0] if previous is not None and previous.rows else {}

    def kpi_info(self) -> dict[str, dict]:
        """Every KPI shown with its labels and rules (the catalog entries in the metas)."""
        out: dict[str, dict] = {}
        for result in (self.headline, self.channels, self.trends):
            if result is not None:
                out.update(result.meta.get("kpis") or {})
        return out


def choose_period(
    period: str | None, as_of: datetime, first: date | None, last: date | None
) -> Period:
    """The reported period: the one named (``"all"``: from the first lead to the data's last
    day), else diagnose's default (:func:`~leadpilot.diagnostics.compare.default_period`:
    the last complete quarter when leads were created in it, else the latest quarter
    holding leads)."""
    if period and period.strip().lower() == ALL:
        return Period(ALL, first or as_of.date(), as_of.date())
    if period:
        return parse_period(period)
    return default_period(as_of, first, last)


def _day(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _facts(tables: dict) -> tuple[dict[str, int], int, int, date | None, date | None]:
    """Rows per table, deals with an amount, leads with a channel, first and last creation
    day: a few counts pushed down to the engine."""
    counts = {name: int(tables[name].count().execute()) for name in TABLES if name in tables}
    deals = tables["deals"]
    amounts = int(deals.amount.notnull().sum().execute()) if counts.get("deals") else 0
    leads = tables["leads"]
    if not counts.get("leads"):
        return counts, amounts, 0, None, None
    row = (
        leads.aggregate(
            first=leads.created_at.min(),
            last=leads.created_at.max(),
            with_channel=leads.channel.notnull().sum(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    return counts, amounts, int(row["with_channel"] or 0), _day(row["first"]), _day(row["last"])


def _period_kind(p: Period) -> str:
    if p.label == ALL:
        return ALL
    if "-Q" in p.label:
        return "quarter"
    return "month" if len(p.label) == 7 else "year"


def collect(source: Source, period: str | None = None, vs: str | None = None) -> ReportData:
    """Gather every Result a report shows, for ``period`` (2025-Q2, 2025-03, 2025 or
    ``"all"``; default: the last complete quarter) compared with the period before
    (``vs="previous"``), the same period a year before (``vs="last-year"``) or nothing
    (``vs="none"``; the whole data is never compared)."""
    vs = vs or "previous"
    if vs not in VS:
        raise UsageError(f"--vs {vs!r}: expected previous, last-year or none")
    as_of = source.data_as_of()
    if as_of is None:
        raise MissingDataError("the workspace holds no data to report on; ingest data first")
    tables = source.tables()
    counts, amounts, with_channel, first, last = _facts(tables)
    chosen = choose_period(period, as_of, first, last)
    whole = chosen.label == ALL
    compares = not whole and vs != "none"
    by_channel = with_channel > 0

    # The diagnosis fixes the periods (cut at the data's last day when the period is not
    # over) and the comparison's as-of date (the same age); every other part follows it.
    # Without a comparison it is still asked for its data-quality findings (all data).
    diagnosis, diagnosis_gap = None, None
    try:
        diagnosis = source.diagnosis(
            current=None if whole else chosen.label,
            vs=vs if compares else "previous",
            by="channel" if by_channel and compares else None,
        )
    except UsageError:
        raise
    except LeadpilotError as exc:  # the rest of the report still stands
        diagnosis_gap = Gap("diagnosis_failed" if compares else "quality_failed", detail=str(exc))
    prev: Period | None = None
    previous_as_of: date | None = None
    if whole:
        cur = chosen
    elif diagnosis is not None:
        m = diagnosis.meta
        cur = Period(chosen.label, _day(m["current"]["from"]), _day(m["current"]["to"]))
        prev = Period(
            m["previous"]["label"], _day(m["previous"]["from"]), _day(m["previous"]["to"])
        )
        previous_as_of = _day(m["previous_as_of"])
    else:
        cur = Period(chosen.label, chosen.start, min(chosen.end, as_of.date()))
        prev = chosen.year_before() if vs == "last-year" else chosen.before()
        previous_as_of = min(as_of.date(), prev.end + (as_of.date() - cur.end))
    if not compares:
        prev, previous_as_of = None, None
    # the whole data: no bounds, as the dashboard's "All time" asks for it
    window = {} if whole else {"date_from": cur.start, "date_to": cur.end}

    headline = source.kpi_result(kpis=list(HEADLINE), **window)
    headline_previous = None
    if prev is not None:
        headline_previous = source.kpi_result(
            kpis=list(HEADLINE), date_from=prev.start, date_to=prev.end, as_of=previous_as_of
        )
    pipeline: tuple[float | None, float | None] = (None, None)
    now = None
    if counts.get("deals"):
        now = source.kpi_result(view="activity", kpis=["pipeline_value"], **window)
        before = None
        if prev is not None:
            before = source.kpi_result(
                view="activity", kpis=["pipeline_value"], date_from=prev.start, date_to=prev.end
            )
        pipeline = (
            (now.rows[0] if now.rows else {}).get("pipeline_value"),
            (before.rows[0] if before is not None and before.rows else {}).get("pipeline_value"),
        )
    data = ReportData(
        name=getattr(source.config, "name", None),
        currency=source.config.currency,
        as_of=as_of.date(),
        period=cur,
        previous=prev,
        previous_as_of=previous_as_of,
        vs=vs,
        period_cut=cur.end < chosen.end,
        counts=counts,
        deal_amounts=amounts,
        leads_with_channel=with_channel,
        first_lead=first,
        last_lead=last,
        headline=headline,
        headline_previous=headline_previous,
        pipeline=pipeline,
        pipeline_result=now,
        diagnosis=diagnosis,
        funnel=source.funnel_result(**window),
        channels=None,
        trends=None,
        velocity=None,
        velocity_channels=None,
        attribution=None,
        evaluation=None,
        channel_labels=readable_labels(source.labels().get("value:channel", {})),
    )
    if counts.get("spend") and "channel" in tables["spend"].columns:
        spend = tables["spend"]
        named = spend.select("channel").distinct().to_pyarrow().column(0).to_pylist()
        data.spend_channels = frozenset(v for v in named if v is not None)
    if diagnosis_gap is not None:
        section = "findings" if compares else "quality"
        data.gaps.setdefault(section, []).append(diagnosis_gap)
    _headline_gaps(data)
    leads_now = data.current_row().get("leads") or 0

    if by_channel:
        data.channels = source.kpi_result(by="channel", kpis=list(CHANNEL), **window)
    else:
        data.gap("channels", "no_channel")

    if data.one_creation_day:
        for section in ("trends", "velocity"):
            data.gap(section, "one_creation_day", day=first)
    else:
        start = date(cur.end.year, cur.end.month, 1)
        for _ in range(11):
            start = (start - timedelta(days=1)).replace(day=1)
        trends = source.kpi_result(
            period="month", kpis=list(TREND), date_from=start, date_to=cur.end
        )
        if sum(1 for r in trends.rows if r.get("leads")) < 2:
            data.gap("trends", "one_month")
        else:
            data.trends = trends
        if leads_now:
            data.velocity = source.velocity_result(**window)
            if by_channel:
                data.velocity_channels = source.velocity_result(by="channel", **window)
            _velocity_gaps(data)

    if not counts.get("touchpoints"):
        data.gap("attribution", "no_touchpoints")
    else:
        try:
            # the journeys that end in the period only: the notes count its conversions,
            # and the data-driven models do not solve every other period's journeys too
            attribution = source.attribution_result(
                models="all", by="channel", period=_period_kind(cur), **window
            )
        except MissingDataError as exc:
            data.gap("attribution", "no_attribution", detail=str(exc))
        except LeadpilotError as exc:
            data.gap("attribution", "attribution_failed", detail=str(exc))
        else:
            if any(r["period"] == cur.label for r in attribution.rows):
                data.attribution = attribution
                data.conversions = _conversions(source, attribution, window)
            else:
                data.gap("attribution", "no_attribution")

    try:
        evaluation = source.score_evaluate()
    except LeadpilotError as exc:
        data.gap("scoring", "scoring_failed", detail=str(exc))
    else:
        if evaluation.rows:
            data.evaluation = evaluation
        else:
            data.gap("scoring", "no_scoring")
    if not leads_now:
        data.gap("funnel", "no_funnel")
    return data


def _conversions(source: Source, attribution: Result, window: dict) -> int | None:
    """The customers won in the period (activity view), when attribution credits customers:
    the conversions its shares cover, plus those without a touch (not credited)."""
    if attribution.meta.get("conversion") != "customer":
        return None
    won = source.kpi_result(view="activity", kpis=["customers"], **window)
    value = (won.rows[0] if won.rows else {}).get("customers")
    return None if value is None else int(value)


def _headline_gaps(data: ReportData) -> None:
    if not data.current_row().get("leads"):
        data.gap("headline", "no_leads", period=data.period.label)
    elif data.one_creation_day:
        data.gap("headline", "one_creation_day", day=data.first_lead)
        data.gap("findings", "one_creation_day", day=data.first_lead)
    elif data.compares and not data.previous_row().get("leads"):
        data.gap("headline", "no_previous_leads", period=data.previous.label)
        data.gap("findings", "no_previous_leads", period=data.previous.label)
    if not data.counts.get("deals"):
        data.gap("headline", "no_deals")
    elif not data.deal_amounts:
        data.gap("headline", "no_amounts")
    if not data.counts.get("spend"):
        data.gap("headline", "no_spend")


def _velocity_gaps(data: ReportData) -> None:
    row = data.velocity.rows[0] if data.velocity and data.velocity.rows else {}
    if not row.get("sales_cycle_days_n"):
        data.gap("velocity", "no_customers_velocity")
    elif not any(row.get(f"{d}_p75") for d in ("days_to_mql", "days_to_sql", "sales_cycle_days")):
        data.gap("velocity", "same_day_durations")
    # the durations shown stand: those left out are a caveat on them, not a gap
    if any(n.code == "negative_durations" for n in data.velocity.notices):
        data.caveat("velocity", "negative_durations")
