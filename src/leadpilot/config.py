"""The workspace configuration (``leadpilot.yaml``) as pydantic models.

Every problem in a configuration file is reported at once, each with its key
path and line number in the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ConfigError
from .schema import ENGAGEMENT_TYPES, STAGES, TABLES

CONFIG_FILE = "leadpilot.yaml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WorkspaceSettings(_Model):
    backend: str = Field(
        "duckdb",
        description="'duckdb' (embedded file in the workspace) or a PostgreSQL URL "
        "such as postgresql://user:password@host:5432/dbname",
    )
    database: str = Field("leadpilot.duckdb", description="DuckDB file, relative to the workspace")
    schema_name: str | None = Field(
        None, alias="schema", description="PostgreSQL schema holding the tables (default: public)"
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
    decimal: Literal[".", ","] = Field(
        ".", description="decimal separator of numbers in text files"
    )
    future_tolerance_days: int = Field(
        1, ge=0, description="dates later than today + this many days are errors"
    )
    currency_rates: dict[str, float] = Field(
        default_factory=dict,
        description="rate to the workspace currency for each other currency, e.g. {USD: 0.92}",
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
    """One file loaded into one canonical table."""

    table: Literal["leads", "touchpoints", "stage_events", "deals", "spend", "traffic"]
    path: str = Field(description="file path, relative to the configuration file")
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
    date_formats: list[str] | None = None
    decimal: Literal[".", ","] | None = None
    na_values: list[str] = Field(
        default_factory=list, description="extra placeholders read as missing, e.g. ['Select']"
    )
    delimiter: str | None = None
    encoding: str = "utf-8"
    sheet: str | None = Field(None, description="worksheet of an xlsx file (default: the first)")
    keep_extra: bool = Field(True, description="keep unmapped columns as lead attributes")
    optional: list[str] = Field(
        default_factory=list,
        description="set by presets: optional columns ('stage:NAME' for stage dates) that an "
        "export may lack",
    )

    @field_validator("stage_dates")
    @classmethod
    def _known_stages(cls, v: dict[str, str]) -> dict[str, str]:
        bad = [s for s in v if s not in STAGES + ("disqualified", "rejected")]
        if bad:
            raise ValueError(f"unknown stage(s) {bad}; expected one of {list(STAGES)}")
        return v


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


class Config(_Model):
    """The whole leadpilot.yaml."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = "leadpilot workspace"
    currency: str = Field("EUR", description="currency of every amount in the workspace")
    timezone: str = Field("UTC", description="time zone of timestamps that carry none")
    workspace: WorkspaceSettings = Field(default_factory=WorkspaceSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    leads: LeadRule = Field(default_factory=LeadRule)
    stages: StageSettings = Field(default_factory=StageSettings)
    channel_rules: list[ChannelRule] | None = Field(
        None, description="ordered channel grouping rules; default: close to GA4's"
    )
    icp: list[IcpRule] = Field(
        default_factory=list, description="rules a lead must meet to fit the ICP"
    )
    engagement: EngagementSettings = Field(default_factory=EngagementSettings)
    sources: list[SourceSpec] = Field(default_factory=list)

    @field_validator("currency")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.strip().upper()


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
            msgs.append(f"{where}{key}: {err['msg']}")
        raise ConfigError(f"{origin}: {len(msgs)} problem(s): " + "; ".join(msgs)) from None


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
currency: EUR          # currency of every amount; other currencies need ingest.currency_rates
timezone: UTC          # time zone of timestamps that carry none

workspace:
  backend: duckdb      # 'duckdb' (embedded file below) or postgresql://user:pass@host:5432/db
  database: leadpilot.duckdb

ingest:
  policy: strict       # strict: any error aborts and changes nothing
                       # quarantine: good rows load, bad rows go to the quarantine table
  date_formats: []     # tried after ISO 8601, e.g. ['%d/%m/%Y', '%d %b, %Y %H:%M:%S']
  decimal: "."         # ',' for numbers written 1 234,56
  future_tolerance_days: 1
  currency_rates: {{}}   # e.g. {{USD: 0.92}}: 1 USD = 0.92 in the workspace currency

leads:                 # which records count as leads
  exclude: {{}}          # e.g. {{lifecycle: [customer, partner]}}
  dedupe_by_email: true
  dedupe_window_days: 90   # same normalised e-mail within 90 days -> one lead

stages:
  implied: true        # reaching SQL implies MQL and SAL were passed
  acceptance_threshold: 0.6   # MQLs accepted by sales / MQLs transmitted

# channel_rules:       # ordered; the first match wins; default close to GA4's grouping
#   - {{channel: paid_search, medium: '^(cpc|ppc|paidsearch)$'}}

icp: []                # rules a lead must meet to fit the ideal customer profile, e.g.
#  - {{column: industry, in: [software, fintech]}}
#  - {{column: company_size, min: 50, max: 1000}}

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


def write_template(directory: str | Path, name: str | None = None) -> Path:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / CONFIG_FILE
    if target.exists():
        raise ConfigError(
            f"{target} already exists; leadpilot init never overwrites a configuration"
        )
    target.write_text(TEMPLATE.format(name=name or directory.resolve().name), encoding="utf-8")
    parse_config(target.read_text(encoding="utf-8"), origin=str(target))
    return target


def source_tables() -> tuple[str, ...]:
    return tuple(TABLES)
