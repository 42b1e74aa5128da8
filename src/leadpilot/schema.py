"""The canonical data model as data: tables, columns, types, keys, allowed values.

Everything that reads, validates or computes refers to these definitions, so a
column or an allowed value is declared exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# integer and boolean are for the derived tables only: source values are read as the others
ColumnKind = Literal["string", "timestamp", "date", "number", "enum", "integer", "boolean"]

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
    # Columns ingest derives and stores beside the source's (never read from a file).
    bookkeeping: tuple[Column, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def bookkeeping_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.bookkeeping)

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
    bookkeeping=(
        _c("email_norm", description="the e-mail, normalised, that merges duplicates"),
        _c("merged_into", description="set when the record was merged into an earlier lead"),
        _c("merge_reason"),
        _c("excluded_reason", description="set when the lead rule says it is not a lead"),
        _c("channel_derived", "boolean", description="the channel came from the grouping rules"),
    ),
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

# Bookkeeping columns of the leads table: stored, never a dimension of a file, never a feature.
LEAD_BOOKKEEPING: tuple[str, ...] = LEADS.bookkeeping_names


def attribute_name(name: str, taken: set[str]) -> str:
    """The name a lead attribute called like something leadpilot computes is stored and
    read under: ``NAME_attribute`` (``NAME_attribute_2``... when ``taken`` holds it)."""
    new, n = f"{name}_attribute", 2
    while new in taken:
        new, n = f"{name}_attribute_{n}", n + 1
    return new


def counted_leads(leads):  # an Ibis table: the schema itself imports no engine library
    """The lead records that count as leads: neither merged into an earlier lead
    (``merged_into``) nor excluded by the lead rule (``excluded_reason``). The one
    definition of a counted lead, for the metrics, scoring and the ingest summary."""
    return leads.filter(leads.merged_into.isnull() & leads.excluded_reason.isnull())


@dataclass(frozen=True)
class DerivedTable:
    """A table the workspace writes itself (never loaded from a source file)."""

    name: str
    columns: tuple[Column, ...]
    description: str = ""
    # The column whose rows a write replaces (None: rows are only added or deleted).
    key: str | None = None
    # Created when a workspace opens; False: by the command that writes it (its absence
    # means something, e.g. no `score apply` yet).
    on_open: bool = True

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


QUARANTINE = DerivedTable(
    "quarantine",
    (
        _c("table_name"),
        _c("file"),
        _c("row", "integer"),
        _c("column_name"),
        _c("value"),
        _c("reason"),
        _c("record", description="the whole source row as JSON, so nothing is lost"),
        _c("ingested_at", "timestamp"),
        _c("fix", description="the setting or change that would fix it"),
    ),
    description="What the last ingest of each file set aside: one row per problem.",
)

INGEST_LOG = DerivedTable(
    "ingest_log",
    (
        _c("ingested_at", "timestamp"),
        _c("source"),
        _c("table_name"),
        _c("rows_read", "integer"),
        _c("rows_loaded", "integer"),
        _c("rows_quarantined", "integer"),
        _c("rows_merged", "integer"),
    ),
    description="One row per table of each ingest.",
)

LABELS = DerivedTable(
    "labels",
    (_c("label_key"), _c("kind"), _c("key"), _c("label")),
    description="Display text of folded names: attribute headers, channel values.",
    key="label_key",
)

SCORES = DerivedTable(
    "scores",
    (
        _c("lead_id"),
        _c("score", "number"),
        _c("probability", "number"),
        _c("rules_score", "number"),
        _c("band"),
        _c("scored_at", "timestamp"),
        _c("source"),
    ),
    description="The scores of the last `score apply` of the workspace (score_band).",
    key="lead_id",
    on_open=False,
)

LEAD_MODEL = DerivedTable(
    "lead_model",
    (),  # the leads' own columns (their attributes vary) and the lead model's
    description="One row per counted lead with its stage dates and per-lead facts, as the "
    "last ingest or erasure left the data; the analyses read it instead of rebuilding "
    "it from every event while it matches the data and the settings.",
    on_open=False,
)

DERIVED: dict[str, DerivedTable] = {
    t.name: t for t in (QUARANTINE, INGEST_LOG, LABELS, SCORES, LEAD_MODEL)
}


@dataclass(frozen=True)
class Temporary:
    """A table made while a command runs and dropped when it is done: never left in the
    workspace nor in the connection (``name`` is a ``str.format`` pattern)."""

    name: str
    description: str

    def __call__(self, **parts: object) -> str:
        return self.name.format(**parts)


TEMPORARY: dict[str, Temporary] = {
    "typed": Temporary("typed_{table}_{part}", "an ingest's typed rows of a file, until checked"),
    "bad": Temporary("bad_{table}", "the records an ingest's checks set aside"),
    "err": Temporary("err_{table}", "the records with errors, to be quarantined"),
    "known_leads": Temporary("known_leads", "the leads stored before an ingest"),
    "stored": Temporary(
        "stored_{table}", "stored values of the columns an ingest's files lack (kept)"
    ),
    "replaced": Temporary(
        "replaced_{table}", "stored spend or traffic of the keys an ingest's rows replace"
    ),
    "near": Temporary(
        "near_{table}", "stored spend or traffic of the channels and days an ingest covers"
    ),
    "known_leads_next": Temporary("known_leads_next", "the leads stored and about to be loaded"),
    "good_leads": Temporary("good_leads", "the leads an ingest is about to load"),
    "staged": Temporary("_staged_{table}", "rows bulk-loaded before they replace same-key rows"),
    "arrow": Temporary("_lp_arrow_chunk", "Arrow data scanned in place while it is loaded"),
    "materialized": Temporary("_lp_tmp_{id}", "a query computed once for several (lead model)"),
    "scratch": Temporary("lp_scratch_{id}", "the database holding an ingest's staging tables"),
}
