"""The workspace configuration (``leadpilot.yaml``) as pydantic models.

Every problem in a configuration file is reported at once, each with its key
path and line number in the file.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import ConfigError
from .schema import ENGAGEMENT_TYPES, STAGES, TABLES, TOUCHPOINT_TYPES

CONFIG_FILE = "leadpilot.yaml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SparkSettings(_Model):
    """Where a ``backend: spark`` workspace runs and keeps its tables (docs/spark.md)."""

    master: str = Field(
        "local[2]",
        description="Spark master URL: local[N] (this machine, N cores), spark://host:7077, "
        "yarn, k8s://...; a 'backend: spark://host:7077' setting takes precedence",
    )
    warehouse: str | None = Field(
        None,
        description="folder (or hdfs:// / s3a:// URI the driver and executors share) holding "
        "the workspace's Parquet tables; default: spark-warehouse in the workspace folder",
    )
    table_format: Literal["parquet", "delta", "iceberg"] = Field(
        "parquet",
        description="how tables are stored; delta and iceberg need their Spark packages "
        "(spark.jars.packages) and are refused with a hint when missing",
    )
    conf: dict[str, str | int | float | bool] = Field(
        default_factory=dict,
        description="extra Spark settings, e.g. {spark.driver.memory: 4g, "
        "spark.sql.shuffle.partitions: 64}",
    )


class WorkspaceSettings(_Model):
    backend: str = Field(
        "duckdb",
        description="'duckdb' (embedded file in the workspace), a PostgreSQL URL "
        "such as postgresql://user:password@host:5432/dbname, or 'spark' (see spark:)",
    )
    database: str = Field("leadpilot.duckdb", description="DuckDB file, relative to the workspace")
    schema_name: str | None = Field(
        None, alias="schema", description="PostgreSQL schema holding the tables (default: public)"
    )
    write_wait: float = Field(
        600,
        ge=0,
        description="Seconds a write (ingest, erasure, score apply) waits for another one "
        "writing the same workspace before giving up (--wait overrides it)",
    )
    memory_limit: str | None = Field(
        "4GB",
        description="DuckDB: the most memory the commands' queries hold; beyond it they "
        "spill to the folder beside the database file (attribution over 100 M touchpoints: "
        "as fast, 4.4 GB instead of 10.5 GB). null: DuckDB's own limit, 80 % of the "
        "machine's memory. Ingests have their own cap (LEADPILOT_INGEST_MEMORY)",
    )
    spark: SparkSettings = Field(
        default_factory=SparkSettings, description="Spark settings (backend: spark)"
    )


class IngestSettings(_Model):
    policy: Literal["strict", "quarantine"] = Field(
        "strict",
        description="strict: any error aborts and changes nothing; quarantine: load good rows, "
        "keep bad ones in the quarantine table",
    )
    date_formats: list[str] = Field(
        default_factory=list,
        description="strftime formats tried after ISO 8601, e.g. '%d/%m/%Y'",
    )

    @field_validator("date_formats")
    @classmethod
    def _readable_formats(cls, v: list[str]) -> list[str]:
        return _date_formats(v)
    decimal: Literal[".", ",", "auto"] = Field(
        "auto",
        description="decimal separator of numbers in text files; auto: told from each file's "
        "values ('12,50', '1.054,00' -> ','; '12.50', '1,054.00' -> '.'), and values that "
        "read two ways ('1,250') refused unless the file is comma-separated",
    )
    max_amount: float = Field(
        1e12,
        gt=0,
        description="amounts (deals, spend) above this are refused as absurd (1e308 would "
        "make revenue infinite)",
    )
    earliest_date: str = Field(
        "1990-01-01",
        description="dates before this are refused: 1900-01-01, 1899-12-30 and 1970-01-01 "
        "are what spreadsheets and databases write for a missing date",
    )
    future_tolerance_days: int = Field(
        1, ge=0, description="dates later than today + this many days are errors"
    )
    currency_rates: dict[str, float] = Field(
        default_factory=dict,
        description="rate to the workspace currency for each other currency, e.g. {USD: 0.92}",
    )


class PrivacySettings(_Model):
    """Personal data kept in the workspace."""

    hash_emails: bool = Field(
        False,
        description="store e-mails as keyed hashes (HMAC-SHA256 of the normalised address, "
        "with a secret kept in the workspace folder, never in the database): duplicates "
        "still merge, no address is stored in clear",
    )
    secret_file: str = Field(
        ".leadpilot-email-key",
        description="file holding the hashing secret, relative to the workspace folder "
        "(created on the first ingest; keep it with the workspace, outside the database)",
    )


class LeadRule(_Model):
    """Which records count as leads, and how duplicates are merged."""

    exclude: dict[str, list[str]] = Field(
        default_factory=dict,
        description="records whose column holds one of these values are not leads, "
        "e.g. {lifecycle: [customer, partner]}",
    )
    dedupe_by_email: bool = Field(
        True, description="merge records with the same normalised e-mail within the window"
    )
    dedupe_window_days: int = Field(
        90,
        ge=0,
        description="a record whose e-mail was seen less than this many days before is merged "
        "into the earlier lead (0: merge whatever the gap)",
    )


class ChannelRule(_Model):
    """One ordered rule of the channel grouping; every given condition must match."""

    channel: str
    source: str | None = Field(
        None, description="regular expression on utm_source (case-insensitive)"
    )
    medium: str | None = Field(
        None, description="regular expression on utm_medium (case-insensitive)"
    )
    campaign: str | None = Field(None, description="regular expression on utm_campaign")
    referrer: str | None = Field(None, description="regular expression on referrer")


class StageSettings(_Model):
    implied: bool = Field(True, description="reaching a later stage implies the earlier ones")
    acceptance_threshold: float = Field(
        0.6, ge=0, le=1, description="agreed minimum of MQLs accepted by sales / MQLs transmitted"
    )


class SourceSpec(_Model):
    """One file, or one database table (from_table), loaded into one canonical table."""

    table: Literal["leads", "touchpoints", "stage_events", "deals", "spend", "traffic"]
    database: str | None = Field(
        None,
        description="with from_table: the URL of the database holding the table, as Ibis "
        "connects to it (postgresql://user:password@host:5432/db, duckdb:///file.duckdb, ...)",
    )
    from_table: str | None = Field(
        None,
        description="read this table (schema.table) of `database` instead of a file; its rows "
        "are mapped, parsed and validated as a file's",
    )
    path: str | None = Field(
        None,
        validate_default=True,
        description="file path, relative to the configuration file (or from_table)",
    )
    filter: str | None = Field(
        None,
        description="with from_table: a condition in the database's SQL selecting the rows to "
        "read, e.g. \"created_at >= '2025-01-01'\"",
    )
    preset: str | None = Field(None, description="named mapping for a known export layout")
    columns: dict[str, str | list[str]] = Field(
        default_factory=dict,
        description="canonical column -> source column (a list joins several columns with '|')",
    )
    constants: dict[str, str] = Field(
        default_factory=dict, description="canonical column -> fixed value for every row"
    )
    values: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="canonical column -> {source value: canonical value}; "
        "'*' maps every other value",
    )
    stage_dates: dict[str, str] = Field(
        default_factory=dict,
        description="stage -> source column holding the date the lead reached it "
        "(wide lifecycle columns, e.g. HubSpot 'Became a ... Date'); they become stage events",
    )
    money: list[str] = Field(
        default_factory=list,
        description="canonical columns holding money strings "
        "such as '$22,700.00', '141,56 €', '$141.56K'",
    )
    date_formats: list[str] | None = Field(
        None,
        description="strftime formats of this file's dates, e.g. ['%d/%m/%Y']; they take "
        "precedence over ingest.date_formats and the preset's",
    )
    preset_date_formats: list[str] = Field(
        default_factory=list,
        description="set by presets: the export's usual date formats, used only when neither "
        "this source nor ingest.date_formats sets any",
    )
    multi_contact: Literal["first", "split", "all"] = Field(
        "first",
        description="deals listing several contacts in lead_id ('101;102'): first credits "
        "the first contact; split creates one deal per contact with the amount spread "
        "evenly; all credits each contact with the whole amount (totals then count it "
        "several times). A contact the lead rule excludes (leads.exclude) keeps its part, "
        "which then counts for no lead: the revenue KPIs say how much they leave out",
    )
    decimal: Literal[".", ",", "auto"] | None = None
    na_values: list[str] = Field(
        default_factory=list, description="extra placeholders read as missing, e.g. ['Select']"
    )
    delimiter: str | None = Field(
        None,
        description="field separator of a text file: ',', ';', '\\t' (tab) or '|'; default: "
        "told from the header line",
    )
    encoding: str | None = Field(
        None,
        description="text encoding of the file, e.g. windows-1252; default: detected "
        "(UTF-8 with or without BOM, UTF-16, or a legacy 8-bit encoding)",
    )
    timezone: str | None = Field(
        None,
        description="time zone the file's times without an offset are written in (IANA name, "
        "e.g. Europe/Paris); they are moved to the workspace's time zone. Default: the "
        "timezone of the configuration naming this source, else the workspace's",
    )
    sheet: str | None = Field(None, description="worksheet of an xlsx file (default: the first)")
    keep_extra: bool = Field(True, description="keep unmapped columns as lead attributes")
    replace_days: bool = Field(
        False,
        description="spend and traffic: the file is the whole of its channels' rows over the "
        "days it covers (an ad platform's re-export): stored rows of those channels between "
        "its first and last day that it no longer lists (a campaign renamed or deleted "
        "since) are removed. Leave it off when another export shares its channels",
    )
    optional: list[str] = Field(
        default_factory=list,
        description="set by presets: optional columns ('stage:NAME' for stage dates) that an "
        "export may lack",
    )

    @field_validator("date_formats", "preset_date_formats")
    @classmethod
    def _readable_formats(cls, v: list[str] | None) -> list[str] | None:
        return _date_formats(v)

    @field_validator("stage_dates")
    @classmethod
    def _known_stages(cls, v: dict[str, str]) -> dict[str, str]:
        bad = [s for s in v if s not in STAGES + ("disqualified", "rejected")]
        if bad:
            raise ValueError(f"unknown stage(s) {bad}; expected one of {list(STAGES)}")
        return v

    @field_validator("timezone")
    @classmethod
    def _source_zone(cls, v: str | None) -> str | None:
        return None if v is None else _known_zone(v)

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, v: str | None) -> str | None:
        # a reader takes one character: ';;' would fail deep in the CSV reader; a tab is
        # often written '\t' in single quotes (a backslash and a t) or 'tab'
        if v in ("\\t", "tab", "TAB"):
            return "\t"
        if v is not None and len(v) != 1:
            raise ValueError(
                f"delimiter {v!r}: expected one character, e.g. ',', ';', '|' or '\\t' (a tab)"
            )
        return v

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, v: str | None) -> str | None:
        import codecs

        if v is not None:
            try:
                codecs.lookup(v)
            except LookupError:
                raise ValueError(
                    f"unknown encoding {v!r}: expected a name such as utf-8, windows-1252, "
                    "iso-8859-1 or utf-16"
                ) from None
        return v

    @field_validator("path")
    @classmethod
    def _a_path_unless_a_table(cls, v: str | None, info) -> str | None:
        if v is None and info.data.get("from_table") is None:
            raise ValueError("Field required: the file (path), or a database table (from_table)")
        return v

    @model_validator(mode="after")
    def _a_file_or_a_table(self) -> SourceSpec:
        if self.from_table is None:
            if self.database is not None or self.filter is not None:
                raise ValueError("database and filter go with from_table")
        else:
            if self.path is not None:
                raise ValueError("give path or from_table, not both")
            if not self.database:
                raise ValueError("from_table needs the database's URL (database)")
        if self.replace_days and self.table not in ("spend", "traffic"):
            raise ValueError(
                f"replace_days is for spend and traffic exports (per day); a {self.table} "
                "source updates its rows by their key"
            )
        return self


class IcpRule(_Model):
    """One condition of the ideal customer profile; a lead fits when all hold."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    column: str = Field(description="any lead column or attribute, e.g. industry, company_size")
    equals: str | None = Field(None, description="the value (case-insensitive)")
    isin: list[str] | None = Field(None, alias="in", description="one of these values")
    min: float | None = Field(None, description="numeric minimum (inclusive)")
    max: float | None = Field(None, description="numeric maximum (inclusive)")


class EngagementSettings(_Model):
    types: list[str] = Field(
        default_factory=lambda: list(ENGAGEMENT_TYPES),
        description="touchpoint types that count as engagement",
    )
    window_days: int = Field(
        90,
        ge=1,
        description="a lead is engaged when it has an engagement touch within this "
        "many days after its creation",
    )


class FitRule(_Model):
    """Points for a lead attribute (demographic / firmographic fit)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str | None = Field(None, description="label shown in reasons (default: built)")
    column: str | None = Field(None, description="any lead column or attribute")
    equals: str | None = Field(None, description="the value (case-insensitive)")
    isin: list[str] | None = Field(None, alias="in", description="one of these values")
    min: float | None = Field(None, description="numeric minimum (inclusive)")
    max: float | None = Field(None, description="numeric maximum (inclusive)")
    contains: str | None = Field(None, description="substring (case-insensitive)")
    icp_fit: Literal["fit", "no_fit", "unknown"] | None = Field(
        None, description="matches the lead's ICP fit (from the icp: rules)"
    )
    points: float = Field(description="points when the rule matches (negative allowed)")

    @model_validator(mode="after")
    def _one_condition(self) -> FitRule:
        conds = [self.equals, self.isin, self.min, self.max, self.contains]
        if self.icp_fit is not None:
            if self.column is not None or any(c is not None for c in conds):
                raise ValueError("an icp_fit rule takes no column or other condition")
        elif self.column is None or all(c is None for c in conds):
            raise ValueError(
                "a fit rule needs a column and a condition (equals, in, min, max, contains) "
                "or icp_fit"
            )
        return self


class BehaviourRule(_Model):
    """Points for touchpoints (engagement); every given condition must match a touch."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str | None = Field(None, description="label shown in reasons (default: built)")
    type: str | list[str] | None = Field(None, description="touchpoint type(s)")
    channel: str | list[str] | None = Field(None, description="touchpoint channel(s)")
    content: str | None = Field(None, description="substring of the touch content")
    points: float = Field(description="points per matching touch (negative allowed)")
    repeatable: bool = Field(True, description="true: points for every matching touch; false: once")
    min_count: int | None = Field(
        None, ge=1, description="count rule: points once when at least this many touches match"
    )
    within_days: float | None = Field(
        None, gt=0, description="recency: only touches in the last N days before the as-of date"
    )
    cap: float | None = Field(None, gt=0, description="maximum absolute points from this rule")
    decay: bool = Field(True, description="apply the half-life decay to this rule's points")


class ModelSettings(_Model):
    target: Literal["sql", "opportunity", "customer"] = Field(
        "customer", description="outcome the predictive model learns"
    )
    horizon_days: int = Field(
        180,
        ge=0,
        description="a lead is positive when it reaches the target within this many days of "
        "creation; younger leads are left out of training (0: the outcomes in the data are "
        "final, e.g. an export without dates)",
    )
    observation_days: int = Field(
        14,
        ge=0,
        description="scoring date for training = lead creation + this many days; "
        "behaviour after it is never seen",
    )
    window_days: int = Field(
        90,
        ge=1,
        description="behaviour features count the touches of this many days "
        "before the scoring date",
    )
    exclude: list[str] = Field(
        default_factory=list,
        description="lead columns never used as features (ids, fields filled by sales), on "
        "top of what the leakage guard leaves out",
    )
    include: list[str] = Field(
        default_factory=list,
        description="lead columns used as features although the leakage guard would leave "
        "them out (personal data, identifiers, dates as text, outcome-like fields: see "
        "leadpilot.scoring.guard); reasons never show the values of personal fields",
    )
    threshold: float = Field(
        50, ge=0, le=100, description="model score (0-100) from which a lead is a scored MQL"
    )

    @model_validator(mode="after")
    def _include_or_exclude(self) -> ModelSettings:
        both = sorted(set(self.include) & set(self.exclude))
        if both:
            raise ValueError(f"columns both included and excluded: {', '.join(both)}")
        return self


class ScoringSettings(_Model):
    """Rules scoring (points) and the predictive model's settings."""

    fit: list[FitRule] = Field(default_factory=list, description="attribute rules")
    behaviour: list[BehaviourRule] = Field(default_factory=list, description="touch rules")
    half_life_days: float | None = Field(
        None, gt=0, description="behavioural points halve every N days (none: no decay)"
    )
    threshold: float = Field(50, description="rules score from which a lead is a scored MQL")
    bands: list[float] | None = Field(
        None,
        description="fixed score cut-offs of bands A, B, C (below the last is D), used as "
        "they are, e.g. [75, 50, 25]; default: quantile bands, A the top 10 %, B the next "
        "20 %, C the next 30 %, D the rest, of the model's training leads (cut-offs kept in "
        "the model card) or of the scored leads for the rules score",
    )
    model: ModelSettings = Field(default_factory=ModelSettings)

    @field_validator("bands")
    @classmethod
    def _three_descending(cls, v: list[float] | None) -> list[float] | None:
        if v is not None and (len(v) != 3 or sorted(v, reverse=True) != v):
            raise ValueError("bands: expected three descending cut-offs, e.g. [75, 50, 25]")
        return v


class AttributionParams(_Model):
    """Base of the parameters of an attribution model: the keys of ``attribution:`` that the
    model reads, declared once here (the configuration layer owns every key of
    leadpilot.yaml). The model's code and its rule text in ``meta.definitions`` read the
    same fields; a model without parameters uses this class itself."""


def _weights(n: int) -> AfterValidator:
    def check(v: list[float]) -> list[float]:
        if len(v) != n or any(w < 0 for w in v) or abs(sum(v) - 1) > 1e-9:
            raise ValueError(f"expected {n} non-negative weights summing to 1")
        return v

    return AfterValidator(check)


class JourneySettings(AttributionParams):
    """Which touches make the journeys that every model reads (attribution/paths.py)."""

    lookback_days: int = Field(
        90, ge=1, description="touches at most this many days before the conversion count"
    )
    touch_types: list[str] = Field(
        default_factory=lambda: [
            t for t in TOUCHPOINT_TYPES if t not in ("email_send", "email_open")
        ],
        description="touch types that are attribution touches (default: every interaction; "
        "e-mail sends and opens are not)",
    )
    keep_unlabelled: bool = Field(
        False,
        description="keep touches without a value of the --by dimension as '(none)' "
        "(default: they are not attribution touches)",
    )

    @field_validator("touch_types")
    @classmethod
    def _types(cls, v: list[str]) -> list[str]:
        bad = [t for t in v if t not in TOUCHPOINT_TYPES]
        if bad or not v:
            raise ValueError(
                f"unknown touch type(s) {bad}; expected some of {list(TOUCHPOINT_TYPES)}"
            )
        return v


class LastNonDirectParams(AttributionParams):
    direct_channels: list[str] = Field(
        default_factory=lambda: ["direct"], description="channels last_non_direct skips"
    )


class TimeDecayParams(AttributionParams):
    time_decay_half_life_days: float = Field(7.0, gt=0, description="time_decay half-life")


class PositionBasedParams(AttributionParams):
    position_based: Annotated[list[float], _weights(3)] = Field(
        default_factory=lambda: [0.4, 0.4, 0.2],
        description="U-shaped: first touch, lead-creation touch, spread over the others",
    )


class WShapedParams(AttributionParams):
    w_shaped: Annotated[list[float], _weights(4)] = Field(
        default_factory=lambda: [0.3, 0.3, 0.3, 0.1],
        description="first, lead creation, opportunity creation, spread",
    )


class FullPathParams(AttributionParams):
    full_path: Annotated[list[float], _weights(5)] = Field(
        default_factory=lambda: [0.225, 0.225, 0.225, 0.225, 0.1],
        description="first, lead creation, opportunity creation, customer, spread",
    )


class MarkovParams(AttributionParams):
    markov_order: int = Field(1, ge=1, le=3, description="order of the Markov chain")
    markov_null_paths: bool = Field(
        True, description="Markov chain includes journeys that did not convert"
    )
    collapse_repeats: bool = Field(
        True, description="Markov: consecutive touches on the same channel count once"
    )


class ShapleyParams(AttributionParams):
    shapley_max_channels: int = Field(
        10, ge=2, le=12, description="Shapley players; the least-used others become 'other'"
    )


class AttributionSettings(
    ShapleyParams,
    MarkovParams,
    FullPathParams,
    WShapedParams,
    PositionBasedParams,
    TimeDecayParams,
    LastNonDirectParams,
    JourneySettings,
):
    """Multi-touch attribution (``leadpilot attribution``): the journey settings and every
    model's parameters (each model reads its own class above, e.g. ``MarkovParams``; an
    instance of this class is an instance of each of them). The models and their rules are
    in leadpilot.attribution.models."""


class DiagnosticsSettings(_Model):
    """When `leadpilot diagnose` raises a finding (leadpilot.diagnostics.findings)."""

    alpha: float = Field(
        0.05, gt=0, lt=1,
        description="significance level of a diagnosis' whole family of tests (Bonferroni)",
    )  # fmt: skip
    volume_increase: float = Field(
        0.20, ge=0, description="volume up: leads grew by at least this share ..."
    )
    flat_tolerance: float = Field(
        0.05, ge=0, description="... while revenue (or customers) grew less than this share"
    )
    rate_drop: float = Field(
        0.20, gt=0, lt=1,
        description="a rate (or the deal size) counts as fallen from this share of itself",
    )  # fmt: skip
    stable_volume: float = Field(
        0.10, ge=0, description="quality improving: leads stayed within this share"
    )
    cycle_increase: float = Field(
        0.20, ge=0, description="cycle lengthening: median sales cycle up by this share"
    )
    mix_share: float = Field(
        0.05, ge=0, description="mix shift: a mix effect worth this share of the previous total"
    )
    min_group_leads: int = Field(
        30, ge=1, description="channels or campaigns with fewer leads are not judged alone"
    )
    unknown_channel_share: float = Field(
        0.10, ge=0, le=1, description="data quality: leads without a channel above this share"
    )


class Config(_Model):
    """The whole leadpilot.yaml."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = "leadpilot workspace"
    currency: str = Field("EUR", description="currency of every amount in the workspace")
    timezone: str = Field(
        "UTC",
        description="the workspace's time zone (IANA name, e.g. Europe/Paris): timestamps "
        "without an offset are read in it, every timestamp is stored as its wall-clock "
        "time, and days, months and quarters are cut in it",
    )
    workspace: WorkspaceSettings = Field(default_factory=WorkspaceSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    leads: LeadRule = Field(default_factory=LeadRule)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    stages: StageSettings = Field(default_factory=StageSettings)
    channel_rules: list[ChannelRule] | None = Field(
        None, description="ordered channel grouping rules; default: close to GA4's"
    )
    icp: list[IcpRule] = Field(
        default_factory=list, description="rules a lead must meet to fit the ICP"
    )
    engagement: EngagementSettings = Field(default_factory=EngagementSettings)
    attribution: AttributionSettings = Field(default_factory=AttributionSettings)
    scoring: ScoringSettings = Field(default_factory=ScoringSettings)
    diagnostics: DiagnosticsSettings = Field(default_factory=DiagnosticsSettings)
    sources: list[SourceSpec] = Field(default_factory=list)

    @field_validator("currency")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.strip().upper()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        return _known_zone(v)


# strptime directives the date reader knows (%f, %Z and a %z before the end it cannot read)
DATE_DIRECTIVES = frozenset("aAbBcdDeFhHIjmMnpRStTyYz%")
_YEAR, _MONTH = set("yYDFc"), set("mbBhDFc")


def _date_formats(formats: list[str] | None) -> list[str] | None:
    """Each format a strftime layout the reader can apply and that places a date: a typo
    ('%Q', 'dd/mm/yyyy') is refused when the configuration loads, not only on the day a
    non-ISO date first meets it (every date of a file may be ISO until then)."""
    if formats is None:
        return None
    if isinstance(formats, str):
        raise ValueError("expected a list of formats, e.g. ['%d/%m/%Y']")
    for fmt in formats:
        directives = re.findall(r"%(.?)", fmt, flags=re.DOTALL)  # '%%' is one: a literal %
        unknown = sorted({f"%{d}" for d in directives if d not in DATE_DIRECTIVES})
        if "z" in directives and not fmt.endswith("%z"):
            unknown.append("%z (only at the end)")
        if unknown:
            raise ValueError(
                f"format {fmt!r}: {', '.join(unknown)} is not a directive the date "
                "reader knows (%Y year, %y two-digit year, %m month, %b / %B month name, %d day, "
                "%H hour, %I hour of 12 with %p, %M minute, %S second, %z offset at the end)"
            )
        have = set(directives)
        if not (have & _YEAR and have & (_MONTH | {"j"})):
            raise ValueError(
                f"format {fmt!r} does not place a date: a date format needs the "
                "year (%Y or %y) and the month (%m, %b or %B), and the day (%d) when the file "
                "writes one, e.g. '%d/%m/%Y' ('%Y-%m' reads a month as its first day)"
            )
    return formats


def _known_zone(v: str) -> str:
    """An IANA time zone name, or a ValueError saying what is expected."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {v!r}: expected an IANA name such as Europe/Paris or UTC"
        ) from None
    return v


def _line_index(text: str) -> dict[tuple, int]:
    """Map every key path of a YAML document to its 1-based line number."""
    lines: dict[tuple, int] = {}

    def walk(node: Any, path: tuple) -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                p = path + (key_node.value,)
                lines[p] = key_node.start_mark.line + 1
                walk(value_node, p)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                lines[path + (i,)] = item.start_mark.line + 1
                walk(item, path + (i,))

    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return lines
    if root is not None:
        walk(root, ())
    return lines


def parse_config(text: str, origin: str = CONFIG_FILE) -> Config:
    """Validate configuration text; every problem is reported with its key and line."""
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(
            f"{origin}{where}: not valid YAML ({getattr(exc, 'problem', exc)})"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: expected a mapping of settings at the top level")
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        lines = _line_index(text)
        msgs = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            line = None
            for n in range(len(loc), 0, -1):
                if loc[:n] in lines:
                    line = lines[loc[:n]]
                    break
            key = ".".join(str(p) for p in loc) or "(top level)"
            where = f"line {line}, " if line else ""
            msgs.append(f"{where}{key}: {_problem(err, loc)}")
        raise ConfigError(f"{origin}: {len(msgs)} problem(s): " + "; ".join(msgs)) from None


def _unwrap(ann: Any) -> Any:
    """``X | None`` and ``Annotated[X, ...]`` -> X."""
    while True:
        origin, args = get_origin(ann), get_args(ann)
        if origin is Annotated:
            ann = args[0]
        elif origin in (Union, UnionType) and len([a for a in args if a is not type(None)]) == 1:
            ann = next(a for a in args if a is not type(None))
        else:
            return ann


def _annotation_at(loc: tuple) -> tuple[Any, bool]:
    """The type a key path of leadpilot.yaml holds (None when it cannot be told), and
    whether the key may be left out (it has a default)."""
    ann: Any = Config
    optional = False
    for part in loc:
        ann = _unwrap(ann)
        optional = False
        if isinstance(part, int):
            ann = get_args(ann)[0] if get_origin(ann) is list and get_args(ann) else None
        elif isinstance(ann, type) and issubclass(ann, BaseModel):
            fields = {f.alias or n: f for n, f in ann.model_fields.items()} | ann.model_fields
            field = fields.get(part)
            ann, optional = (field.annotation, not field.is_required()) if field else (None, False)
        elif get_origin(ann) is dict:
            ann = get_args(ann)[1]
        else:
            return None, False
    return _unwrap(ann), optional


def _shape(ann: Any) -> str | None:
    """What a key of that type holds, as a person writes it in YAML."""
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        keys = [f.alias or n for n, f in ann.model_fields.items()]
        shown = ", ".join(keys[:8]) + (", ..." if len(keys) > 8 else "")
        return f"a mapping of its settings ({shown}), indented below it"
    origin = get_origin(ann)
    if origin is list:
        return "a list: one '- item' per line below it, or [a, b] on its line"
    if origin is dict:
        return "a mapping: 'name: value' lines indented below it, or {name: value} on its line"
    return {str: "a text", int: "a whole number", float: "a number", bool: "true or false"}.get(ann)


def _problem(err: dict, loc: tuple) -> str:
    """One problem of a configuration as leadpilot says it: an empty key or a value of the
    wrong shape names what the key holds; other problems keep pydantic's sentence."""
    ann, optional = _annotation_at(loc)
    if err["type"] == "value_error" and "error" in err.get("ctx", {}):
        return str(err["ctx"]["error"])  # leadpilot's own sentence, without "Value error, "
    shape = _shape(ann) if err["type"].endswith("_type") else None
    if shape is None:
        return err["msg"]
    # no ';' inside: the problems of a file are joined with it
    if err.get("input") is None:
        if loc and isinstance(loc[-1], int):
            return f"an empty item (a '-' with nothing after it), expected {shape} (or remove it)"
        default = " (or remove the key to keep its default)" if optional else ""
        return f"the key is empty, expected {shape}{default}"
    if err["type"] == "list_type":  # pydantic's sentence, which scripts have matched on
        return err["msg"]
    return f"got {err['input']!r}, expected {shape}"


def load_config(path: str | Path) -> Config:
    path = Path(path)
    if path.is_dir():
        path = path / CONFIG_FILE
    if not path.exists():
        return Config()
    return parse_config(path.read_text(encoding="utf-8"), origin=str(path))


def json_schema() -> dict:
    """JSON Schema of leadpilot.yaml, for editors."""
    return Config.model_json_schema(by_alias=True)


TEMPLATE = """\
# leadpilot workspace configuration. Every key is optional; the values shown are the defaults.
# JSON Schema for editors: `leadpilot config schema > leadpilot.schema.json`.
name: {name}
currency: {currency}          # currency of every amount; others need ingest.currency_rates
timezone: {timezone}          # timestamps are read, stored and cut into periods in it

workspace:
  backend: duckdb      # 'duckdb' (embedded file below) or postgresql://user:pass@host:5432/db
  database: leadpilot.duckdb

ingest:
  policy: strict       # strict: any error aborts and changes nothing
                       # quarantine: good rows load, bad rows go to the quarantine table
  date_formats: []     # tried after ISO 8601, e.g. ['%d/%m/%Y', '%d %b, %Y %H:%M:%S']
  decimal: auto        # told from each file's values; '.' or ',' to force (1 234,56 -> ',')
  future_tolerance_days: 1
  max_amount: 1.0e+12  # amounts above are refused as absurd
  earliest_date: "1990-01-01"  # earlier dates are refused (1900-01-01: a missing date)
  currency_rates: {{}}   # e.g. {{USD: 0.92}}: 1 USD = 0.92 in the workspace currency

leads:                 # which records count as leads (an edit counts at once)
  exclude: {{}}          # e.g. {{lifecycle: [customer, partner]}}
  dedupe_by_email: true
  dedupe_window_days: 90   # same normalised e-mail within 90 days -> one lead

privacy:
  hash_emails: false   # true: e-mails stored as keyed hashes (duplicates still merge)

stages:
  implied: true        # reaching SQL implies MQL and SAL were passed
  acceptance_threshold: 0.6   # MQLs accepted by sales / MQLs transmitted

# channel_rules:       # ordered; the first match wins; default close to GA4's grouping
#   - {{channel: paid_search, medium: '^(cpc|ppc|paidsearch)$'}}

icp: []                # rules a lead must meet to fit the ideal customer profile, e.g.
#  - {{column: industry, in: [software, fintech]}}
#  - {{column: company_size, min: 50, max: 1000}}

# scoring:             # points score and predictive model (`leadpilot score ...`), e.g.
#   threshold: 50      # rules_score from which a lead is a scored MQL
#   half_life_days: 30 # behavioural points halve every 30 days
#   fit: [{{column: industry, in: [software], points: 10}}, {{icp_fit: fit, points: 20}}]
#   behaviour: [{{type: webinar_attendance, points: 15, repeatable: false}},
#               {{type: email_open, points: 2, cap: 10}}]
#   model: {{target: customer, horizon_days: 180, observation_days: 14}}

attribution:           # `leadpilot attribution`: models side by side (rules in its output)
  lookback_days: 90    # touches up to 90 days before the conversion count
  markov_order: 1      # 1 to 3; the chain is solved exactly, no simulation

sources: []            # files to ingest with `leadpilot ingest leadpilot.yaml`; example:
#  - table: leads
#    path: exports/hubspot-contacts.csv
#    preset: hubspot_contacts
#  - table: spend
#    path: exports/google-ads.csv
#    columns: {{date: Day, channel: Network, amount: Cost}}
#    constants: {{channel: paid_search}}
#    money: [amount]
"""


def write_template(
    directory: str | Path,
    name: str | None = None,
    *,
    currency: str = "EUR",
    timezone: str = "UTC",
) -> Path:
    """Write a commented leadpilot.yaml (never over an existing one)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / CONFIG_FILE
    if target.exists():
        raise ConfigError(
            f"{target} already exists; leadpilot init never overwrites a configuration"
        )
    text = TEMPLATE.format(
        name=name or directory.resolve().name, currency=currency, timezone=timezone
    )
    target.write_text(text, encoding="utf-8")
    parse_config(target.read_text(encoding="utf-8"), origin=str(target))
    return target


def source_tables() -> tuple[str, ...]:
    return tuple(TABLES)
