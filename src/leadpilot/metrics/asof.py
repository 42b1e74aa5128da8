"""One "as of" date per workspace, shared by every analysis.

By default the as-of date is the latest event in the data (lead creation, touch,
stage event, deal creation or closing): the export date, as far as the data can tell.
KPI maturity, Kaplan–Meier censoring, retention ages, open pipeline and scoring all
measure ages up to it, so two commands on the same workspace never disagree on "now".

An as-of date given by the user (``--as-of 2025-06-30``) means the end of that day and
makes a snapshot: events after it are left out (leads not yet created, touches and stage
events not yet happened, deals not yet created; deals closed later are still open), so
that no lead converts after the date its age is measured to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import ibis
import ibis.expr.types as ir

from ..engine import scalar
from ..errors import Notice
from .model import remembered

# (table, column) whose latest value dates the data.
EVENT_DATES = (
    ("leads", "created_at"),
    ("touchpoints", "ts"),
    ("stage_events", "ts"),
    ("deals", "created_at"),
    ("deals", "closed_at"),
)
DATA_RULE = (
    "the latest event in the data (lead creation, touch, stage event, deal creation or closing)"
)
GIVEN_RULE = "set with --as-of (end of that day): events after it are left out"
RULES_FR = {
    DATA_RULE: "le dernier événement des données (création de lead, interaction, étape, "
    "création ou clôture d'affaire)",
    GIVEN_RULE: "fixée par --as-of (fin de ce jour) : les événements postérieurs sont écartés",
}


@dataclass(frozen=True)
class AsOf:
    """The as-of moment of an analysis; ``at`` is None only for a workspace without events."""

    at: datetime | None
    given: bool = False
    data_end: datetime | None = None  # the data's latest event, when ``at`` was given

    @property
    def notices(self) -> list[Notice]:
        """What a given as-of date later than the data's last event means: the days between
        count as observed (an export's date is fine; years later is not what it shows)."""
        if not self.given or self.at is None or self.data_end is None:
            return []
        gap = (self.at.date() - self.data_end.date()).days
        if gap <= 0:
            return []
        return [Notice(
            "as_of_after_data",
            f"--as-of {self.label} is {gap:,} day(s) after the data's last event "
            f"({self.data_end.date().isoformat()}): those days count as observed (leads still "
            "open read as not converted through them, cohorts as older and mature); if the "
            "export was taken earlier, give its date or leave --as-of out",
            {"as_of": self.label, "data_end": self.data_end.date().isoformat(), "days": gap},
        )]  # fmt: skip

    @property
    def label(self) -> str | None:
        """The as-of day, ``YYYY-MM-DD`` (what outputs show under ``meta.as_of``)."""
        return self.at.date().isoformat() if self.at is not None else None

    @property
    def rule(self) -> str:
        return GIVEN_RULE if self.given else DATA_RULE

    def rule_in(self, lang: str) -> str:
        """The rule in ``lang`` ("en": what meta.as_of_rule holds)."""
        return RULES_FR[self.rule] if lang == "fr" else self.rule


def workspace_as_of(tables: dict[str, ir.Table]) -> datetime | None:
    """The latest event in the data, in one query; None when the workspace holds none.

    Examples
    --------
    >>> workspace_as_of(lp.tables())  # doctest: +SKIP
    datetime.datetime(2025, 6, 30, 17, 5)
    """
    read = tuple(dict.fromkeys(name for name, _ in EVENT_DATES))
    value = remembered(tables, read, ("as_of",), lambda: _latest(tables))
    if value is None:
        return None
    if not isinstance(value, datetime):  # a date: its start
        value = datetime.combine(value, datetime.min.time())
    return value.replace(tzinfo=None)


def _latest(tables: dict[str, ir.Table]) -> object:
    parts = [
        tables[name].aggregate(_at=tables[name][column].max().cast("timestamp"))
        for name, column in EVENT_DATES
    ]
    u = ibis.union(*parts)
    return scalar(u.aggregate(at=u._at.max()))


def end_of_day(value: date | datetime) -> datetime:
    """A day means its end (23:59:59): everything dated that day has happened."""
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time(23, 59, 59))


def snapshot(tables: dict[str, ir.Table], at: datetime) -> dict[str, ir.Table]:
    """The tables as they stood at ``at`` (lazy filters, run in the engine)."""
    out = dict(tables)
    moment = ibis.literal(at, "timestamp")
    day = ibis.literal(at.date(), "date")
    leads = tables["leads"]
    out["leads"] = leads.filter(leads.created_at <= moment)
    for name in ("touchpoints", "stage_events"):
        t = tables[name]
        out[name] = t.filter(t.ts <= moment)
    d = tables["deals"]
    d = d.filter(d.created_at <= moment)
    later = d.closed_at.notnull() & (d.closed_at > moment)  # not closed yet on that date
    out["deals"] = d.mutate(
        status=ibis.ifelse(later, ibis.literal("open"), d.status),
        closed_at=ibis.ifelse(later, ibis.null("timestamp"), d.closed_at),
    )
    for name in ("spend", "traffic"):
        t = tables[name]
        out[name] = t.filter(t.date <= day)
    return out


def resolve_as_of(
    tables: dict[str, ir.Table], as_of: date | datetime | AsOf | None
) -> tuple[dict[str, ir.Table], AsOf]:
    """The tables to analyse and their as-of date.

    ``None``: the latest event in the data (tables unchanged); a date or datetime: a
    snapshot at the end of that day; an :class:`AsOf`: already resolved (tables unchanged).
    """
    if isinstance(as_of, AsOf):
        return tables, as_of
    if as_of is None:
        return tables, AsOf(workspace_as_of(tables))
    at = end_of_day(as_of)
    return snapshot(tables, at), AsOf(at, given=True, data_end=workspace_as_of(tables))
