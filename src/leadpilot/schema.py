"""The canonical data model as data: tables, columns, types, keys, allowed values.

Everything that reads, validates or computes refers to these definitions, so a
column or an allowed value is declared exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnKind = Literal["string", "timestamp", "date", "number", "enum"]

STAGES: tuple[str, ...] = ("lead", "mql", "sal", "sql", "opportunity", "customer")
EXIT_STAGES: tuple[str, ...] = ("disqualified", "rejected")
ALL_STAGES: tuple[str, ...] = STAGES + EXIT_STAGES

TOUCHPOINT_TYPES: tuple[str, ...] = (
    "visit",
    "form_submit",
    "email_send",
    "email_open",
    "email_click",
    "download",
    "webinar_registration",
    "webinar_attendance",
    "social",
    "ad_click",
    "call",
    "meeting",
    "other",
)
# Default engagement types (configurable): a touch the lead chose to make.
ENGAGEMENT_TYPES: tuple[str, ...] = (
    "email_open",
    "email_click",
    "download",
    "webinar_registration",
    "webinar_attendance",
    "social",
    "form_submit",
)
DEAL_STATUSES: tuple[str, ...] = ("open", "won", "lost")
ACQUISITIONS: tuple[str, ...] = ("inbound", "outbound", "paid", "partner", "event")


@dataclass(frozen=True)
class Column:
    name: str
    kind: ColumnKind
    required: bool = False
    allowed: tuple[str, ...] | None = None  # for enums
    non_negative: bool = False
    description: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    # Columns whose values identify a row; re-ingesting upserts on them.
    key: tuple[str, ...]
    # Name of the single key column stored in the database (built from ``key``).
    key_column: str
    description: str = ""
    keeps_extra_columns: bool = False
    references_leads: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _c(name: str, kind: ColumnKind = "string", **kw) -> Column:
    return Column(name, kind, **kw)


LEADS = Table(
    "leads",
    (
        _c("lead_id", required=True),
        _c("created_at", "timestamp", required=True),
        _c("email"),
        _c("channel"),
        _c("campaign"),
        _c("content"),
        _c("acquisition", "enum", allowed=ACQUISITIONS),
        _c("utm_source"),
        _c("utm_medium"),
        _c("utm_campaign"),
        _c("referrer"),
        _c("company"),
        _c("industry"),
        _c("company_size", "number", non_negative=True),
        _c("country"),
        _c("job_title"),
        _c("seniority"),
    ),
    key=("lead_id",),
    key_column="lead_id",
    description="One row per lead (a contact who entered the funnel).",
    keeps_extra_columns=True,
)

TOUCHPOINTS = Table(
    "touchpoints",
    (
        _c("lead_id", required=True),
        _c("ts", "timestamp", required=True),
        _c("type", "enum", required=True, allowed=TOUCHPOINT_TYPES),
        _c("channel"),
        _c("campaign"),
        _c("content"),
        _c("touch_id"),
    ),
    key=("touch_id",),
    key_column="touch_id",
    description="Marketing and sales interactions of a lead.",
    references_leads=True,
)

STAGE_EVENTS = Table(
    "stage_events",
    (
        _c("lead_id", required=True),
        _c("stage", "enum", required=True, allowed=ALL_STAGES),
        _c("ts", "timestamp", required=True),
        _c("reason"),
        _c("owner"),
    ),
    key=("lead_id", "stage", "ts"),
    key_column="event_key",
    description="A lead entering a funnel stage (or an exit).",
    references_leads=True,
)

DEALS = Table(
    "deals",
    (
        _c("deal_id", required=True),
        _c("lead_id", required=True),
        _c("created_at", "timestamp", required=True),
        _c("status", "enum", required=True, allowed=DEAL_STATUSES),
        _c("closed_at", "timestamp"),
        _c("amount", "number", non_negative=True),
        _c("currency"),
    ),
    key=("deal_id",),
    key_column="deal_id",
    description="Opportunities and their outcome.",
    references_leads=True,
)

SPEND = Table(
    "spend",
    (
        _c("date", "date", required=True),
        _c("channel", required=True),
        _c("amount", "number", required=True, non_negative=True),
        _c("campaign"),
        _c("content"),
        _c("impressions", "number", non_negative=True),
        _c("clicks", "number", non_negative=True),
        _c("currency"),
    ),
    key=("date", "channel", "campaign", "content"),
    key_column="spend_key",
    description="Marketing spend per day, channel and optionally campaign.",
)

TRAFFIC = Table(
    "traffic",
    (
        _c("date", "date", required=True),
        _c("visitors", "number", required=True, non_negative=True),
        _c("channel"),
        _c("content"),
    ),
    key=("date", "channel", "content"),
    key_column="traffic_key",
    description="Website visitors per day (optionally per channel and landing page).",
)

TABLES: dict[str, Table] = {
    t.name: t for t in (LEADS, TOUCHPOINTS, STAGE_EVENTS, DEALS, SPEND, TRAFFIC)
}
# Load order: leads first, so that references to leads can be checked.
LOAD_ORDER: tuple[str, ...] = ("leads", "touchpoints", "stage_events", "deals", "spend", "traffic")
