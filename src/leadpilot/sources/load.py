"""Ingest: read -> map -> parse -> validate -> (quarantine) -> one transaction.

Every file is read and checked before the workspace is touched; the write
phase is a single transaction, so a failed ingest leaves the workspace exactly
as it was.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc
import sqlglot as sg
import sqlglot.expressions as sge
import yaml

from .. import engine
from ..config import CONFIG_FILE, Config, SourceSpec, load_config
from ..engine import versions
from ..errors import (
    ConfigError,
    Notice,
    Problem,
    SourceError,
    SourceLayoutError,
    ValidationError,
)
from ..schema import (
    INGEST_LOG,
    LABELS,
    LOAD_ORDER,
    QUARANTINE,
    TABLES,
    TEMPORARY,
    attribute_name,
    counted_leads,
)
from . import checks, emails
from .channels import UNKNOWN_CHANNEL, derived_channel
from .dates import DateColumns
from .leadrule import APPLIED_RULE, CONFIGURED_RULE, RULE_COLUMNS, apply_lead_rule, rule_text
from .mapping import Mapped, fold_name, map_columns, resolve_spec
from .parsers import _text as parsers_text
from .parsers.numbers import (
    COMMA_CLEAR,
    POINT_CLEAR,
    decide_decimal,
    looks_numeric,
    parse_numbers,
)
from .readers import ROW, SUPPORTED
from .staging import FILE, Staging
from .tables import is_table_source, planned, read_source
from .typing import (
    PART,
    Typed,
    date_columns,
    default_notes,
    derived_key_column,
    issues_where,
    raw_column,
    read_zone,
    several_contacts,
    stage_events_from_dates,
    type_mapped,
)

CHUNK_ROWS = 1_000_000  # rows typed at a time: bounds the Arrow copies of a large file
MAX_REPORTED = 100_000  # problems kept (JSON output lists them); all are counted
# Up to this many keys, an ingest into another engine than its staging reads back only the
# stored rows of its keys (an IN list) from a table of more than COPIED_WHOLE rows; else
# every stored row
FEW_KEYS = 2_000  # its compilation: ~0.15 s; copying 20,000 stored leads from PostgreSQL: ~1 s
COPIED_WHOLE = 1_000  # stored rows copied whole whatever the keys: cheaper than one more query
ProgressFactory = Callable[[str, int], Callable[[int], None]]


@dataclass
class TableSummary:
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0  # records set aside (a row, or one part of a row)
    problems_quarantined: int = 0  # their problems: one quarantine table row each
    rows_merged: int = 0
    files: list[str] = field(default_factory=list)
    quarantine_reasons: Counter = field(default_factory=Counter)


@dataclass
class IngestSummary:
    policy: str
    tables: dict[str, TableSummary]
    warnings: list[str]
    problems: list[Problem]  # errors that were quarantined (sample) and warnings (sample)
    leads_merged: int = 0
    leads_excluded: int = 0
    merge_reasons: Counter = field(default_factory=Counter)
    channels_derived: int = 0  # missing channels the UTM / referrer rules named
    channels_unknown: int = 0  # missing channels nothing could name: 'unknown'
    channels_unknown_written: int = 0  # channels the files themselves wrote 'unknown'
    channels: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # how files were read (date layouts, ...)

    def as_dict(self) -> dict:
        return {
            "policy": self.policy,
            "tables": {
                name: {
                    "files": s.files,
                    "rows_read": s.rows_read,
                    "rows_loaded": s.rows_loaded,
                    "rows_quarantined": s.rows_quarantined,
                    "problems_quarantined": s.problems_quarantined,
                    "rows_merged": s.rows_merged,
                    "quarantine_reasons": dict(s.quarantine_reasons),
                }
                for name, s in self.tables.items()
            },
            "leads_merged": self.leads_merged,
            "merge_reasons": dict(self.merge_reasons),
            "leads_excluded": self.leads_excluded,
            "channels_derived": self.channels_derived,
            "channels_unknown": self.channels_unknown,
            "channels_unknown_written": self.channels_unknown_written,
            "leads_by_channel": self.channels,
            "warnings": self.warnings,
            "notes": self.notes,
        }


def plan_sources(source: str | Path) -> tuple[list[SourceSpec], Config | None]:
    """A folder of canonical files, or a leadpilot.yaml naming its sources."""
    path = Path(source)
    if not path.exists():
        raise SourceError(f"{path}: no such file or folder")
    if path.is_file():
        if path.suffix.lower() not in (".yaml", ".yml"):
            raise SourceError(f"{path}: expected a folder of canonical files or a {CONFIG_FILE}")
        cfg = load_config(path)
        # the configuration's time zone is the one its exports are written in: its sources
        # are read in it (and moved to the workspace's zone), unless one sets its own
        zone = cfg.timezone if "timezone" in cfg.model_fields_set else None
        specs = []
        for s in cfg.sources:
            if zone is not None and s.timezone is None:
                s = s.model_copy(update={"timezone": zone})
            if is_table_source(s):  # a database table (sources/tables.py)
                specs.append(resolve_spec(planned(s)))
                continue
            p = Path(s.path)
            if not p.is_absolute():
                p = path.parent / p
            specs.append(resolve_spec(s.model_copy(update={"path": str(p)})))
        if not specs:
            raise SourceError(f"{path}: the configuration names no sources (key 'sources')")
        return specs, cfg
    specs = []
    for table in LOAD_ORDER:
        found = [path / f"{table}{ext}" for ext in SUPPORTED if (path / f"{table}{ext}").exists()]
        if len(found) > 1:
            raise SourceError(
                f"{path}: several files for table {table} ({', '.join(f.name for f in found)}); "
                "keep one"
            )
        if found:
            specs.append(SourceSpec(table=table, path=str(found[0])))
    if not specs:
        names = ", ".join(f"{t}.csv" for t in LOAD_ORDER)
        config = path / CONFIG_FILE
        hint = (
            f"; the folder holds a {CONFIG_FILE} naming sources: ingest it ({config})"
            if _names_sources(config) else ""
        )  # fmt: skip
        raise SourceError(
            f"{path}: no canonical file found (expected any of {names}, or .parquet / "
            f".xlsx){hint}"
        )
    return specs, None


def _names_sources(config: Path) -> bool:
    """``config`` is a leadpilot.yaml naming sources (not a workspace's own settings)."""
    try:
        return bool(yaml.safe_load(config.read_text(encoding="utf-8")).get("sources"))
    except (OSError, ValueError, AttributeError, yaml.YAMLError):
        return False


def _overlay(base: Config, source_cfg: Config) -> Config:
    """Settings a source leadpilot.yaml sets explicitly override the workspace's."""

    def merge(a: dict, b: dict) -> dict:
        out = dict(a)
        for k, v in b.items():
            out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
        return out

    explicit = source_cfg.model_dump(exclude_unset=True, by_alias=True)
    if explicit.get("currency", base.currency) != base.currency:
        # Amounts would be stored under the wrong label: say so instead of guessing.
        raise ConfigError(
            f"the source configuration's currency is {explicit['currency']} but the "
            f"workspace's is {base.currency}; set `currency: {explicit['currency']}` in the "
            "workspace's leadpilot.yaml, or declare a rate in ingest.currency_rates and "
            "remove currency from the source configuration"
        )
    explicit.pop("sources", None)
    explicit.pop("workspace", None)  # the target is the workspace given with -w
    # Times are stored as wall-clock times of the workspace's zone, and cut into periods
    # there: the source configuration's zone is the one its files are read in (each
    # source carries it, see plan_sources), never the one they are stored in.
    explicit.pop("timezone", None)
    return Config.model_validate(merge(base.model_dump(by_alias=True), explicit))


def _adopt_settings(ws: engine.Workspace, source: Path, source_cfg: Config) -> None:
    """A new, empty workspace without a leadpilot.yaml takes the source configuration's
    settings (currency, time zone, stages, scoring, ...; not its sources), written to its
    own leadpilot.yaml so that every later command uses them."""
    if (ws.root / CONFIG_FILE).exists():
        return
    if any(ws.table(t).count().execute() for t in ("leads", "deals", "spend")):
        return  # amounts are already stored under the workspace's currency
    settings = source_cfg.model_dump(exclude_unset=True, by_alias=True, mode="json")
    settings.pop("sources", None)
    settings.pop("workspace", None)
    settings["currency"] = source_cfg.currency
    settings["timezone"] = source_cfg.timezone
    header = (
        f"# Written by `leadpilot ingest {source}`: the settings of that configuration\n"
        "# (its sources aside). `leadpilot init DIR` writes a commented template.\n"
    )
    (ws.root / CONFIG_FILE).write_text(
        header + yaml.safe_dump(settings, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    ws.config = load_config(ws.root)


def _problems(issues: pa.Table, table: str, limit: int) -> list[Problem]:
    out = []
    for r in issues.slice(0, limit).to_pylist():
        out.append(
            Problem(
                table=table,
                file=r["file"],
                row=r["row"],
                column=r["column"],
                value=r["value"],
                expected=r["expected"],
                severity=r["severity"],
                fix=r.get("fix"),
            )
        )
    return out


# a time written with its offset or Z (ISO 8601): read in no source timezone
_WITH_OFFSET = r"\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?\s*(Z|[+-]\d\d(:?\d\d)?)$"


def _every_time_has_its_offset(cells: pa.Array) -> bool:
    """Every written time of a column carries its offset (text only: typed columns are
    told apart by their type elsewhere)."""
    text = parsers_text(cells)
    if text is None:
        return False
    text = pc.utf8_trim_whitespace(text)
    present = pc.fill_null(pc.not_equal(text, ""), False)
    if not pc.any(present).as_py():
        return True
    has = pc.fill_null(pc.match_substring_regex(text, _WITH_OFFSET), False)
    return bool(pc.all(pc.or_(has, pc.invert(present))).as_py())


def _sort_issues(issues: pa.Table) -> pa.Table:
    return issues.sort_by([("file", "ascending"), ("row", "ascending")])


@dataclass(frozen=True)
class _Scope:
    """What a replace_days file covers: its channels, from its first to its last day."""

    file: str
    channels: tuple[str | None, ...]
    first: object  # datetime.date
    last: object


def _same_channel(column: ir.Value, channel: str | None) -> ir.BooleanValue:
    return column.isnull() if channel is None else column == channel


def _in_scopes(
    t: ir.Table, scopes: list[_Scope], channel: str = "channel", day: str = "date"
) -> ir.BooleanValue:
    return ibis.or_(*[
        ibis.or_(*[_same_channel(t[channel], c) for c in s.channels])
        & t[day].between(s.first, s.last)
        for s in scopes
    ])  # fmt: skip


def _scopes_sql(scopes: list[_Scope]) -> sge.Expression:
    """``_in_scopes`` as a sqlglot condition, for the DELETE of the write."""
    column = lambda name: sg.column(name, quoted=True)  # noqa: E731
    day = lambda d: sge.cast(sge.Literal.string(str(d)), "date")  # noqa: E731
    parts = []
    for s in scopes:
        named = [c for c in s.channels if c is not None]
        channel = sg.or_(
            *([column("channel").isin(*[sge.Literal.string(c) for c in named])] if named else []),
            *([column("channel").is_(sge.null())] if None in s.channels else []),
        )
        days = sge.Between(this=column("date"), low=day(s.first), high=day(s.last))
        parts.append(sg.and_(channel, days))
    return sg.or_(*parts)


def _channels(channels: Collection[str | None]) -> str:
    shown = sorted(str(c) if c is not None else "no channel" for c in channels)
    return ", ".join(shown[:4]) + (f" and {len(shown) - 4} more" if len(shown) > 4 else "")


def _names(values: list[str | None], what: str) -> str:
    """Up to three names as a person reads them: "campaign 'A', 'B', ..."."""
    named = sorted(repr(v) for v in values[:3] if v is not None)
    text = f"{what} {', '.join(named)}" if named else ""
    if None in values[:3]:
        text += (" and " if text else "") + f"rows without a {what}"
    return text + (", ..." if len(values) > 3 else "")


def ingest(
    ws: engine.Workspace,
    source: str | Path,
    *,
    policy: str | None = None,
    progress: ProgressFactory | None = None,
    now: datetime | None = None,
    reserved: Collection[str] = (),
) -> IngestSummary:
    """Read, check and write the sources ``source`` names (see :class:`_Ingest`);
    ``reserved``: names a lead attribute may not take (what the analyses compute)."""
    specs, source_cfg = plan_sources(source)
    if source_cfg is not None:
        _adopt_settings(ws, Path(source), source_cfg)
    config = ws.config
    if source_cfg is not None:
        config = _overlay(config, source_cfg)
    policy = policy or config.ingest.policy
    # timestamps are stored as wall-clock times of the workspace's zone: so is "now"
    now = now or datetime.now(ZoneInfo(config.timezone)).replace(tzinfo=None)
    staging = Staging(ws.backend)
    try:
        run = _Ingest(ws, source, config, policy, progress, now, staging, reserved)
        run.read(specs)
        run.check()
        run.write()
        return run.summary()
    finally:
        staging.close()


@dataclass
class _FileRead:
    """What reading one file gathers across its chunks."""

    dates: DateColumns | None = None
    defaulted: dict[tuple[str, str], Counter] = field(default_factory=dict)
    closed_deals: int = 0
    all_deals: int = 0
    won_deals: int = 0
    won_without_amount: int = 0
    decimal: str | None = None  # the decimal separator chosen for the file's numbers


class _Ingest:
    """One ingest in three phases, each finished before the next starts:

    1. ``read``: every file is read, mapped and typed into the staging database; missing
       columns and undecidable date layouts stop everything (no row could load right);
    2. ``check``: the checks per table, in load order, leads first so that references
       can be checked; errors are quarantined, or stop everything under ``strict``;
    3. ``write``: one transaction (upserts, quarantine, lead rule, labels, log).
    """

    def __init__(
        self,
        ws: engine.Workspace,
        source: str | Path,
        config: Config,
        policy: str,
        progress: ProgressFactory | None,
        now: datetime,
        staging: Staging,
        reserved: Collection[str] = (),
    ) -> None:
        self.ws, self.source, self.config, self.policy = ws, source, config, policy
        self.progress, self.now, self.staging = progress, now, staging
        self.reserved = frozenset(reserved)
        self.summaries: dict[str, TableSummary] = {}
        self.warnings: list[str] = []
        self.notes: list[str] = []
        # read
        self.row_issues: dict[str, list[pa.Table]] = {}
        self.derived_keys: dict[str, bool] = {}
        self.file_problems: list[Problem] = []
        self.origins: dict[tuple[str, str], dict[str, str]] = {}  # (table, file) -> header
        self.labels: dict[tuple[str, str], str] = {}
        self.present: dict[tuple[str, str], set[str]] = {}  # (table, file) -> its columns
        self.replacing: set[tuple[str, str]] = set()  # (table, file) read with replace_days
        # (file, header) -> {text written: rows} of lead channels written 'unknown'
        self.unknown_written: dict[tuple[str, str], Counter] = {}
        # check
        self.good: dict[str, ir.Table] = {}
        self.quarantined: list[pa.Table] = []
        self.errors: list[Problem] = []
        self.error_count = 0
        self.sample: list[Problem] = []
        # table -> the channels and days whose stored rows a replace_days file replaces
        self.scopes: dict[str, list[_Scope]] = {}

    # ------------------------------------------------------------------ 1. read
    def read(self, specs: list[SourceSpec]) -> None:
        for spec in specs:
            self._read_file(spec)
        if self.file_problems:
            raise SourceLayoutError(
                self.file_problems,
                hint="Nothing was loaded, whatever the policy: fix the configuration as each "
                "problem says (sources[].columns for a missing column, delimiter for a header "
                "read as one column, date_formats for dates).",
            )

    def _read_file(self, spec: SourceSpec) -> None:
        size = Path(spec.path).stat().st_size if Path(spec.path).exists() else 0
        tick = self.progress(f"reading {Path(spec.path).name}", size) if self.progress else None
        s = self.summaries.setdefault(spec.table, TableSummary())
        chunks = read_source(  # the file, or the database table (sources/tables.py)
            spec,
            # Extra lead attributes are typed from all their values at once.
            chunk_rows=None if TABLES[spec.table].keeps_extra_columns else CHUNK_ROWS,
            delimiter=spec.delimiter,
            encoding=spec.encoding,
            sheet=spec.sheet,
            progress=tick,
        )
        f = _FileRead()
        for i, frame in enumerate(chunks):
            mapped, problems = map_columns(frame, spec)
            self._rename_reserved(mapped, first=i == 0)
            if i == 0 and frame.note:
                self.notes.append(frame.note)
            del frame
            if i == 0:
                self.warnings.extend(mapped.warnings)
                s.files.append(mapped.file)
                self.origins[(spec.table, mapped.file)] = _origins(mapped, spec)
                self.present[(spec.table, mapped.file)] = _present_columns(spec.table, mapped)
                if spec.replace_days:
                    self.replacing.add((spec.table, mapped.file))
                f.dates = date_columns(spec, self.config, mapped.file, spec.table)
                self._zone_note(spec, mapped)
            s.rows_read += mapped.num_rows
            if problems:
                self.file_problems.extend(problems)
            if self.file_problems:
                continue  # the ingest fails anyway: only look for more file-level problems
            self._type_chunk(spec, i, mapped, f, s)
        self._file_notes(spec, f)

    def _rename_reserved(self, mapped: Mapped, first: bool) -> None:
        """A lead attribute named like what leadpilot computes for each lead or writes in
        its results (an account's ``revenue``, a ``period``, a ``stage``) is stored as
        ``NAME_attribute``, and said: under its own name it would collide with the revenue
        of the lead's deals in the lead model, and ``--by revenue`` would be ambiguous."""
        clash = [n for n in mapped.extras if n in self.reserved]
        if clash and mapped.table == "leads":
            # a workspace ingested before the name was reserved: the attribute goes on
            # into its stored column, which the analyses read renamed (Pilot.tables)
            stored = set(self.ws.table("leads").columns)
            clash = [n for n in clash if n not in stored]
        if not clash:
            return
        taken = set(mapped.extras) | self.reserved | set(TABLES[mapped.table].column_names)
        renamed: dict[str, str] = {}
        for name in clash:
            renamed[name] = attribute_name(name, taken)
            taken.add(renamed[name])
        mapped.extras = {renamed.get(k, k): v for k, v in mapped.extras.items()}
        mapped.extra_headers = {renamed.get(k, k): h for k, h in mapped.extra_headers.items()}
        if first:
            said = ", ".join(
                f"{mapped.extra_headers[new]!r} as {new!r}" for new in renamed.values()
            )
            self.warnings.append(Notice(
                "attribute_renamed",
                f"{Path(mapped.file).name}: lead attribute(s) stored under another name: "
                f"{said}: leadpilot computes {', '.join(clash)} itself (for each lead, or in "
                "its results); group or filter by the new name (kpis --by "
                f"{next(iter(renamed.values()))}), or rename the column in the export",
            ))  # fmt: skip

    def _zone_note(self, spec: SourceSpec, mapped: Mapped) -> None:
        """Say so when a file's times are read in another zone than the workspace's."""
        zone, home = read_zone(spec, self.config), self.config.timezone
        times = [c.name for c in TABLES[spec.table].columns if c.kind == "timestamp"]
        cells = [mapped.columns[c] for c in times if c in mapped.columns]
        cells += list(mapped.stage_dates.values())
        if zone == home or not cells or all(_every_time_has_its_offset(a) for a in cells):
            return  # '2018-07-01T10:00:00Z' says its own zone: none is read in the source's
        self.notes.append(Notice(
            "timezone_moved",
            f"{Path(mapped.file).name}: times without an offset read as {zone} times (the "
            f"source's timezone) and stored as the workspace's {home} times, in which days "
            "and months are cut",
        ))  # fmt: skip

    def _type_chunk(
        self, spec: SourceSpec, i: int, mapped: Mapped, f: _FileRead, s: TableSummary
    ) -> None:
        told = (spec.decimal or self.config.ingest.decimal) != "auto"
        spec, ambiguous = self._decimal(spec, mapped, f)
        told = told or f.decimal is not None  # set, or told by the file's values
        t = type_mapped(mapped, spec, self.config, f.dates, None if told else "auto")
        if ambiguous is not None and ambiguous.num_rows:
            t.issues = pa.concat_tables([t.issues, ambiguous], promote_options="permissive")
        t.data = _keep_written(t.data, mapped, self.config)
        t.data = _currency_as_read(t.data, mapped, spec, self.config)
        conflicts = _currency_conflicts(mapped, spec)
        if conflicts is not None:
            t.issues = pa.concat_tables([t.issues, conflicts], promote_options="permissive")
        t.data, float_ids = _float_ids(t.data, spec.table)
        for name, (n, example) in float_ids.items():
            if i == 0:
                self.notes.append(
                    Notice(
                        "float_ids",
                        f"{Path(mapped.file).name}: {n:,} {name} value(s) written as numbers "
                        f"with a zero fraction (e.g. {example!r}, as a spreadsheet writes a "
                        f"number) read without it ({example.split('.')[0]!r}), as the other "
                        "tables write them; leading zeros are kept as written",
                    )
                )
        if spec.table == "leads":
            self._count_unknown_written(t.data, mapped)
            t.data, found = self._emails(t.data, mapped)
            if found is not None:
                t.issues = pa.concat_tables([t.issues, found], promote_options="permissive")
        if t.problems:
            self.file_problems.extend(t.problems)
            return
        for k, v in t.labels.items():
            self.labels.setdefault(k, v)
        for k, caught in t.defaulted.items():
            f.defaulted.setdefault(k, Counter()).update(caught)
        if spec.table == "deals":
            # the deals that can load: a row set aside for a bad value (an amount that is
            # no number) is no won deal without an amount
            errors = pc.filter(t.issues["row"], pc.equal(t.issues["severity"], "error"))
            loads = pc.invert(pc.is_in(t.data[ROW], value_set=errors))
            closed = pc.is_in(t.data["status"], value_set=pa.array(["won", "lost"]))
            f.closed_deals += pc.sum(pc.and_(closed, loads)).as_py() or 0
            f.all_deals += pc.sum(loads).as_py() or 0
            won = pc.and_(pc.equal(t.data["status"], "won"), loads)
            f.won_deals += pc.sum(won).as_py() or 0
            if "amount" in t.data.column_names:
                won = pc.and_(won, pc.is_null(t.data["amount"]))
            f.won_without_amount += pc.sum(won).as_py() or 0
            t, note = several_contacts(t, spec)
            if note and i == 0:
                self.warnings.append(note)
        events = stage_events_from_dates(mapped, t, spec)
        del mapped
        self._stage(t, append=i > 0)
        if events is not None:
            self.origins[("stage_events", s.files[-1])] = {
                "lead_id": self.origins[(spec.table, s.files[-1])].get("lead_id", "lead_id")
            }
            self.present[("stage_events", s.files[-1])] = {"lead_id", "stage", "ts"}
            self._stage(events, append=i > 0)
            n_events = events.data.num_rows + _count_failed(events.issues)
            self.summaries.setdefault("stage_events", TableSummary()).rows_read += n_events

    def _count_unknown_written(self, data: pa.Table, mapped: Mapped) -> None:
        """Channels a file writes as 'unknown' ('Unknown', 'UNKNOWN'): stored under the
        same name as the leads without any channel, which the summary then says."""
        written = mapped.columns.get("channel")
        if written is None or "channel" not in data.column_names:
            return
        hit = pc.fill_null(pc.equal(data["channel"], UNKNOWN_CHANNEL), False)
        if not pc.any(hit).as_py():
            return
        text = pc.utf8_trim_whitespace(pc.cast(pc.filter(written, hit), pa.string()))
        # only the file's own word: a value a mapping turns into 'unknown' was chosen so
        counts = Counter(
            {v: n for v, n in Counter(text.to_pylist()).items()
             if v and fold_name(v) == UNKNOWN_CHANNEL}
        )  # fmt: skip
        if counts:
            header = mapped.origin.get("channel", "channel")
            self.unknown_written.setdefault((Path(mapped.file).name, header), Counter()).update(
                counts
            )

    def _decimal(
        self, spec: SourceSpec, mapped: Mapped, f: _FileRead
    ) -> tuple[SourceSpec, pa.Table | None]:
        """The decimal separator of a text file's numbers, told from its values when
        neither the source nor the workspace sets it (decimal: auto): the values that
        can be read one way only decide for the whole file ('12,50' or '1.054,00': a
        decimal comma); when none can, values such as '1,250' (1250 or 1.25) are read
        with a decimal point in a comma-separated file (a decimal comma would have to be
        quoted there) and refused elsewhere, as '1.054' (1054 or 1.054) is everywhere,
        with the setting that decides."""
        chosen = spec.decimal or self.config.ingest.decimal
        if chosen != "auto":
            return spec.model_copy(update={"decimal": chosen}), None
        table = TABLES[spec.table]
        numbers = {
            c.name: mapped.columns[c.name]
            for c in table.columns
            if c.kind == "number"
            and c.name in mapped.columns
            and parsers_text(mapped.columns[c.name]) is not None
        }
        evidence = {name: decide_decimal(parsers_text(arr)) for name, arr in numbers.items()}
        extra = [
            decide_decimal(parsers_text(arr))
            for arr in mapped.extras.values()
            if parsers_text(arr) is not None and looks_numeric(parsers_text(arr))
        ]
        comma = sum(e.comma for e in [*evidence.values(), *extra])
        point = sum(e.point for e in [*evidence.values(), *extra])
        if f.decimal is None and (comma or point):
            f.decimal = "," if comma > point else "."
            if f.decimal == ",":
                self.notes.append(
                    f"{Path(mapped.file).name}: numbers read with ',' as the decimal separator "
                    f"(told from values such as {_example(numbers, mapped, ',')}); set "
                    "decimal: '.' on this source if that is not right"
                )
        if f.decimal is not None:
            return spec.model_copy(update={"decimal": f.decimal}), None
        decimal = "."
        comma_file = _delimiter(spec) == ","
        parts = []
        for name, e in evidence.items():
            ambiguous = e.ambiguous
            if ambiguous is not None and comma_file:
                # '1,250' in a comma-separated file was quoted, its comma grouping thousands
                # (a decimal comma there is rare); the delimiter says nothing of '1.054'
                # (1054 in a European export of whole amounts, never read as 1.054 unsaid)
                dotted = pc.match_substring(parsers_text(numbers[name]), ".")
                ambiguous = pc.and_(ambiguous, pc.fill_null(dotted, False))
            n = 0 if ambiguous is None else int(pc.sum(ambiguous).as_py() or 0)
            if not n:
                continue
            header = mapped.origin.get(name, name)
            parts.append(
                issues_where(
                    ambiguous, mapped.rows, header, numbers[name], AMBIGUOUS_NUMBER,
                    fix=AMBIGUOUS_FIX,
                ).append_column("file", pa.array([mapped.file] * n, pa.string()))
            )  # fmt: skip
        issues = pa.concat_tables(parts) if parts else None
        return spec.model_copy(update={"decimal": decimal}), issues

    def _emails(self, data: pa.Table, mapped: Mapped) -> tuple[pa.Table, pa.Table | None]:
        """E-mails in their stored forms (see ``emails``): placeholders and non-addresses
        become missing, with a warning per row; hashed under ``privacy.hash_emails``."""
        written = data["email"].combine_chunks()
        cleaned = emails.clean(written)
        norm = emails.normalise(cleaned)
        placeholder, not_address = emails.classify(norm)
        missing = pc.or_(placeholder, not_address)
        header = mapped.origin.get("email", "email")
        hashed = self.config.privacy.hash_emails
        parts = []
        for mask, reason in ((placeholder, emails.PLACEHOLDER_REASON),
                             (not_address, emails.NOT_ADDRESS_REASON)):  # fmt: skip
            n = int(pc.sum(mask).as_py() or 0)
            if not n:
                continue
            shown = written
            if hashed and reason is emails.NOT_ADDRESS_REASON:
                shown = pa.array(["(hidden: privacy.hash_emails)"] * len(written), pa.string())
            parts.append(
                issues_where(mask, mapped.rows, header, shown, reason, severity="warning")
                .append_column("file", pa.array([mapped.file] * n, pa.string()))
            )  # fmt: skip
        none = pa.scalar(None, pa.string())
        cleaned = pc.if_else(missing, none, cleaned)
        norm = pc.if_else(missing, none, norm)
        if hashed:
            key = emails.secret(self.ws.root, self.config.privacy.secret_file)
            norm = emails.hash_values(norm, key)
            cleaned = norm
        data = data.set_column(data.column_names.index("email"), "email", cleaned)
        data = data.set_column(data.column_names.index("email_norm"), "email_norm", norm)
        return data, pa.concat_tables(parts) if parts else None

    def _stage(self, typed: Typed, append: bool) -> None:
        key, derived = derived_key_column(typed.table, typed.data)
        data = typed.data
        key_name = TABLES[typed.table].key_column
        if key_name in data.column_names:
            data = data.set_column(data.column_names.index(key_name), key_name, key)
        else:
            data = data.append_column(key_name, key)
        self.derived_keys[typed.table] = self.derived_keys.get(typed.table, False) or derived
        self.staging.add(typed.table, data, append=append)
        self.row_issues.setdefault(typed.table, []).append(typed.issues)

    def _file_notes(self, spec: SourceSpec, f: _FileRead) -> None:
        if f.dates is not None:
            self.notes.extend(f.dates.notes())
        if spec.table == "deals" and f.all_deals and not f.closed_deals:
            self.warnings.append(
                f"deals: none of the {f.all_deals:,} deals of {Path(spec.path).name} is won or "
                "lost: every one counts as open (no customer, no revenue). If the export "
                "names its closed stages otherwise, map them: values: {status: {'<your won "
                "stage>': won, '<your lost stage>': lost, '*': open}}"
            )
        if f.won_without_amount:
            files = self.summaries[spec.table].files
            header = self.origins.get((spec.table, files[-1]), {}).get("amount") if files else None
            self.warnings.append(Notice(
                "unvalued",
                f"deals: {f.won_without_amount:,} of the {f.won_deals:,} won deals of "
                f"{Path(spec.path).name} have no amount: revenue counts them as nothing "
                "(null where none of a group's won deals has one), and the average deal size "
                "leaves them out. " + (
                    f"Their amount column ({header!r}) is empty: fill the amounts in the CRM "
                    "and export again" if header else
                    "Map the amount column (columns: {amount: '<your header>'}) or fill the "
                    "amounts in the source"
                ),
            ))  # fmt: skip
        if f.defaulted:
            more_warnings, more_notes = default_notes(spec.table, f.defaulted, spec)
            self.warnings.extend(more_warnings)
            self.notes.extend(more_notes)

    # ------------------------------------------------------------------ 2. check
    def check(self) -> None:
        stored = self.ws.table("leads").select("lead_id", "created_at")
        known = self.staging.bring(TEMPORARY["known_leads"](), stored)
        for table in LOAD_ORDER:
            if self.staging.has(table):
                known = self._check_table(table, known)
        if self.error_count and self.policy == "strict":
            raise ValidationError(self.errors, total=self.error_count)

    def _issues(self, table: str, t: ir.Table, known: ir.Table) -> pa.Table:
        """Every issue of a table's rows: from typing, and from the checks across rows."""
        derived = self.derived_keys[table]
        key = TABLES[table].key_column
        per_row = checks.row_checks(t, table, self.config, self.now)
        failed, repeated_keys = checks.failing(t, per_row, key, self.staging.rows)
        exprs = [c.issues(t) for c in failed]
        if repeated_keys:
            label = key if derived else TABLES[table].key[0]
            additive = checks.ADDITIVE.get(table, ())
            files = tuple(self.summaries[table].files)  # as read: the sources' order
            exprs.append(checks.duplicate_keys(t, key, label, derived, additive, files))
        if TABLES[table].references_leads:
            exprs.append(checks.unknown_leads(t, known))
        if table == "spend":
            exprs.append(checks.summary_rows(t))
        if table == "deals":
            exprs.append(checks.before_lead_creation(t, known, "created_at", "deal"))
        if table == "stage_events":
            exprs.append(checks.before_lead_creation(t, known, "ts", "stage"))
            if self.config.stages.implied:
                exprs.append(checks.skipped_stages(t))
            exprs.append(checks.stages_out_of_order(t))
        issues = pa.concat_tables(self.row_issues[table], promote_options="permissive")
        # One query per check: as one union, the hash tables of every check (the keys'
        # count, the known leads' joins, the stage aggregates) were built at once and
        # needed more than the ingest's memory cap over 100 M touchpoints, where each
        # check alone fits or spills.
        for expr in exprs:
            found = self.staging.rows(expr)
            if found.num_rows:
                found = found.select(issues.column_names).cast(issues.schema)
                issues = pa.concat_tables([issues, found])
        return _sort_issues(_relabel(issues, table, self.origins))

    def _check_table(self, table: str, known: ir.Table) -> ir.Table:
        """Split a table's rows into good ones and quarantined ones; returns the leads
        known once it is loaded."""
        staging = self.staging
        t = staging.table(table)
        issues = self._issues(table, t, known)
        sev = issues["severity"]
        is_err = pc.equal(sev, "error")
        is_dup = pc.equal(sev, "duplicate")
        err_issues = issues.filter(is_err)
        n_err = err_issues.num_rows
        self.error_count += n_err
        if len(self.errors) < MAX_REPORTED:
            self.errors.extend(_problems(err_issues, table, MAX_REPORTED - len(self.errors)))
        warn = issues.filter(pc.equal(sev, "warning"))
        if warn.num_rows:
            self.warnings.extend(_warning_lines(table, warn))
            self.sample.extend(_problems(warn, table, 20))
        dups = _not_quarantined(issues.filter(is_dup), err_issues)
        summing = pc.is_in(sev, pa.array([checks.SUMMED, checks.SUMMED_ACROSS]))
        summed = _not_quarantined(issues.filter(summing), err_issues)
        s = self.summaries[table]
        if dups.num_rows:
            s.rows_merged += dups.num_rows
            self.warnings.append(_merged_notice(table, dups))
        if summed.num_rows:
            self.warnings.append(_summed_notice(table, summed))
        kept = t
        if err_issues.num_rows or dups.num_rows:
            bad = staging.put(
                TEMPORARY["bad"](table=table), _record_keys(pa.concat_tables([err_issues, dups]))
            )
            kept = t.anti_join(bad, _record_match(t, bad))
        if n_err:
            errs = staging.put(TEMPORARY["err"](table=table), _record_keys(err_issues))
            bad_rows = staging.rows(t.semi_join(errs, _record_match(t, errs)))
            s.rows_quarantined += _record_keys(err_issues).num_rows
            s.problems_quarantined += n_err
            s.quarantine_reasons.update(err_issues["expected"].to_pylist())
            self.quarantined.append(_quarantine_rows(table, err_issues, bad_rows, self.now))
        if table in checks.ADDITIVE:
            self._replace_scopes(table, kept)
        kept, keep = self._stored_values(table, kept)
        self.good[table] = _finalise(table, kept, self.config, keep)
        if summed.num_rows:
            before = int(self.good[table].count().execute())
            self.good[table] = _sum_measures(self.good[table], table)
            # the rows added into another loaded row of their key: a row of the key that
            # was quarantined is not summed, and its partner is loaded, not merged
            s.rows_merged += before - int(self.good[table].count().execute())
        if table in checks.ADDITIVE:
            self._removed(table)
            if not self._all_replacing(table):
                self._replaced(table)
            if table == "spend":
                self._restated(table)
        if table != "leads":
            return known
        # Later tables may only reference leads that will really be loaded.
        self.good[table] = staging.put(TEMPORARY["good_leads"](), self.good[table])
        new = self.good[table].select("lead_id", "created_at")
        old = known.anti_join(new, "lead_id")
        return staging.put(
            TEMPORARY["known_leads_next"](), ibis.union(old, new.cast(old.schema()), distinct=False)
        )

    def _stored_copy(
        self, name: str, subset: ir.Table, stored: int, new: ir.Table, key: str
    ) -> ir.Table:
        """Stored rows (``subset`` of a table of ``stored`` rows, keyed by ``__stored_key``)
        as a staging table beside the new rows ``new`` (keyed by ``key``): a copy, never the
        live table (the write deletes the stored rows before it inserts). From another
        engine, a large table sends only the stored rows of the new rows' keys when these
        are few (a posted batch, a daily export): 50 leads posted onto a PostgreSQL
        workspace copied every stored lead through Python."""
        if self.staging.shared:
            return self.staging.put(name, subset)
        if stored > COPIED_WHOLE:
            # one more than the bound at most: enough to tell, not every key of a big file
            distinct = new.select(new[key].name("k")).distinct().limit(FEW_KEYS + 1)
            keys = self.staging.rows(distinct)["k"]
            if len(keys) <= FEW_KEYS:
                subset = subset.filter(subset["__stored_key"].isin(keys.drop_null().to_pylist()))
        return self.staging.bring(name, subset)

    def _replaced(self, table: str) -> None:
        """Rows of spend (or traffic) that replace stored rows of their key with another
        amount are said: a re-export restating its spend replaces it, as it should, but so
        do the rows of another export sharing its names (two ad platforms' campaigns
        mapped to one channel), which the user meant to add: the total would then depend
        on the order of the ingests, silently."""
        measure = checks.ADDITIVE[table][0]
        key = TABLES[table].key_column
        target = self.ws.table(table)
        rows = int(target.count().execute())
        if not rows:
            return
        subset = target.select(__stored_key=target[key], __stored=target[measure])
        good = self.good[table]
        stored = self._stored_copy(TEMPORARY["replaced"](table=table), subset, rows, good, key)
        j = good.join(stored, good[key] == stored["__stored_key"])
        j = j.filter(j[measure].fill_null(0) != j["__stored"].fill_null(0))
        found = self.staging.rows(
            j.aggregate(n=j.count(), before=j["__stored"].sum(), after=j[measure].sum())
        ).to_pylist()[0]
        if not found["n"]:
            return
        what, keys = {
            "spend": ("amounts", "day, channel, campaign and content"),
            "traffic": ("visitors", "day, channel and content"),
        }[table]
        self.warnings.append(Notice(
            f"{table}_replaced",
            f"{table}: {found['n']:,} row(s) replace stored {table} of the same {keys} with "
            f"other {what} ({float(found['before'] or 0):,.2f} stored, "
            f"{float(found['after'] or 0):,.2f} now): right for a re-export that restates "
            f"them; if they are another source's {table} (another ad platform or account "
            "with the same names), they replace it instead of adding to it — ingest the "
            "exports together in one leadpilot.yaml (rows of one key are then added up, "
            "every time), or give each export its own campaign or content",
        ))  # fmt: skip

    def _all_replacing(self, table: str) -> bool:
        files = self.summaries[table].files
        return bool(files) and all((table, f) in self.replacing for f in files)

    def _replace_scopes(self, table: str, kept: ir.Table) -> None:
        """The channels and days each replace_days file covers (from its rows that load:
        a file whose rows are all set aside replaces nothing)."""
        files = sorted(f for t, f in self.replacing if t == table)
        if not files or FILE not in kept.columns:
            return
        mine = kept.filter(kept[FILE].isin(files))
        found = self.staging.rows(
            mine.group_by(mine[FILE].name("file"), "channel").aggregate(
                first=mine.date.min(), last=mine.date.max()
            )
        ).to_pylist()
        for file in files:
            rows = [r for r in found if r["file"] == file and r["first"] is not None]
            if rows:
                self.scopes.setdefault(table, []).append(_Scope(
                    file, tuple(sorted({r["channel"] for r in rows}, key=str)),
                    min(r["first"] for r in rows), max(r["last"] for r in rows),
                ))  # fmt: skip

    def _near(self, table: str, t: ir.Table) -> ir.Table:
        """Stored rows of ``table`` on the channels and days the new rows ``t`` cover,
        beside the staged rows: what a re-export may restate or no longer list."""
        good = self.good[table]
        cover = self.staging.rows(
            good.group_by("channel").aggregate(first=good.date.min(), last=good.date.max())
        ).to_pylist()
        near = t.filter(ibis.or_(*[
            _same_channel(t.channel, c["channel"]) & t.date.between(c["first"], c["last"])
            for c in cover if c["first"] is not None
        ]))  # fmt: skip
        name = "campaign" if table == "spend" else "content"
        measure = checks.ADDITIVE[table][0]
        subset = near.select(
            __stored_key=near[TABLES[table].key_column], __date=near.date,
            __channel=near.channel, __name=near[name], __stored=near[measure],
        )  # fmt: skip
        return self.staging.bring(TEMPORARY["near"](table=table), subset)

    def _removed(self, table: str) -> None:
        """Say what the replace_days files remove: the stored rows of their channels and
        days that they no longer list (``write`` deletes them)."""
        scopes = self.scopes.get(table)
        if not scopes:
            return
        target = self.ws.table(table)
        if not int(target.count().execute()):
            return
        key = TABLES[table].key_column
        stored = self._near(table, target.filter(_in_scopes(target, scopes)))
        good = self.good[table]
        gone = stored.anti_join(good, stored["__stored_key"] == good[key])
        what = {"spend": ("spend", "campaign"), "traffic": ("visitors", "content")}[table]
        for scope in scopes:  # each file's own rows (a row in two scopes counts in both)
            mine = gone.filter(_in_scopes(gone, [scope], "__channel", "__date"))
            found = self.staging.rows(
                mine.aggregate(n=mine.count(), amount=mine["__stored"].sum())
            ).to_pylist()[0]
            if not found["n"]:
                continue
            names = mine.select("__name").distinct().order_by("__name").limit(4)
            listed = _names(self.staging.rows(names)["__name"].to_pylist(), what[1])
            self.notes.append(Notice(
                f"{table}_days_replaced",
                f"{table}: {Path(scope.file).name} replaces the stored {table} of "
                f"{_channels(scope.channels)} from {scope.first} to {scope.last} "
                f"(replace_days): {found['n']:,} stored row(s) it no longer lists ({listed}; "
                f"{float(found['amount'] or 0):,.2f} {what[0]}) are removed",
                data={"rows": found["n"], "amount": float(found["amount"] or 0)},
            ))  # fmt: skip

    def _restated(self, table: str) -> None:
        """Stored spend that these files no longer list, restated by them under other
        names: on a day and channel, the stored rows they do not list add up to the rows
        they bring that were not stored (a breakdown changed), or each has a row of theirs
        of another name with the same amount (a campaign renamed, seen again on every
        re-ingest). A re-export taken after a rename lists the old spend under the new
        name, and the old rows would count it a second time, silently. Said, with the
        setting that removes them (``replace_days``)."""
        target = self.ws.table(table)
        if not int(target.count().execute()):
            return
        scopes = self.scopes.get(table)
        if scopes:  # removed by this ingest: nothing to count twice
            target = target.filter(~_in_scopes(target, scopes))
        key = TABLES[table].key_column
        good = self.good[table]
        stored = self._near(table, target)
        gone = stored.anti_join(good, stored["__stored_key"] == good[key])
        fresh = good.anti_join(stored, good[key] == stored["__stored_key"])
        good = good.view()  # joined with rows already derived from it
        pairs = gone.join(good, [
            gone["__date"] == good.date, gone["__channel"] == good.channel,
            (gone["__stored"] - good.amount).abs() < 0.005,
            ~gone["__name"].identical_to(good.campaign),
        ]).select(
            k=gone["__stored_key"], d=gone["__date"], c=gone["__channel"], now=good.campaign
        )  # fmt: skip
        matched = pairs.select("k", "d", "c").distinct()
        matched = matched.group_by(d_m="d", c_m="c").aggregate(matched=matched.count())
        old = gone.group_by(d=gone["__date"], c=gone["__channel"]).aggregate(
            old=gone["__stored"].sum(), old_rows=gone.count()
        )
        new = fresh.group_by(d_n=fresh.date, c_n=fresh.channel).aggregate(new=fresh.amount.sum())
        days = old.left_join(new, [old.d == new.d_n, old.c == new.c_n])
        days = days.left_join(matched, [days.d == matched.d_m, days.c == matched.c_m])
        days = days.filter(
            (days.old > 0)
            & (((days.old - days.new).abs() < 0.005) | (days.matched == days.old_rows))
        ).select("d", "c", "old")
        days = self.staging.put(TEMPORARY["near"](table=f"{table}_days"), days)
        found = self.staging.rows(days.aggregate(
            n=days.count(), amount=days.old.sum(), first=days.d.min(), last=days.d.max()
        )).to_pylist()[0]  # fmt: skip
        if not found["n"]:
            return
        on_days = lambda t, d, c: t.semi_join(days, [t[d] == days.d, t[c] == days.c])  # noqa: E731
        was = on_days(gone, "__date", "__channel").select(name="__name", channel="__channel")
        now = ibis.union(
            on_days(fresh, "date", "channel").select(name="campaign"),
            on_days(pairs, "d", "c").select(name="now"),
        )
        before = self.staging.rows(was.select("name").distinct().order_by("name").limit(4))["name"]
        after = self.staging.rows(now.distinct().order_by("name").limit(4))["name"]
        channels = self.staging.rows(was.select("channel").distinct())["channel"]
        self.warnings.append(Notice(
            "spend_restated",
            f"spend: on {found['n']:,} day(s) from {found['first']} to {found['last']} "
            f"({_channels(channels.to_pylist())}), the spend these files list under other "
            f"names ({_names(after.to_pylist(), 'campaign')}) equals, day by day, stored "
            f"spend they no longer list ({_names(before.to_pylist(), 'campaign')}): "
            f"{float(found['amount'] or 0):,.2f} counted twice if the export was taken after "
            "a campaign was renamed (or its breakdown changed). If the file is the whole of "
            "its channels' spend over its days, set replace_days: true on its source in a "
            "leadpilot.yaml (sources: - {path: ..., table: spend, replace_days: true}) and "
            "ingest it again: the stored rows it no longer lists are removed",
            data={"days": found["n"], "amount": float(found["amount"] or 0)},
        ))  # fmt: skip

    def _stored_values(self, table: str, t: ir.Table) -> tuple[ir.Table, list[str]]:
        """Rows that update stored ones keep the stored values of the columns their file
        lacks: a partial re-export (id, date, industry) updates those columns and leaves
        the e-mail, channel and attributes as they were (a column present with a blank
        cell clears its value). Returns the rows with ``__stored_*`` and ``__keep_*``
        columns, and the columns concerned (``_finalise`` applies them)."""
        key = TABLES[table].key_column
        target = self.ws.table(table)
        files = self.summaries[table].files
        ties = _TIED if table == "leads" else {}
        exempt = {key, "currency", *[c for tied in ties.values() for c in tied]}
        lacking: dict[str, list[str]] = {}
        for c in target.columns:
            if c in exempt or c in LEADS_DERIVED_ONLY:
                continue
            miss = [f for f in files if c not in self.present.get((table, f), {c})]
            if miss:
                lacking[c] = miss
        rows = int(target.count().execute()) if lacking else 0
        if not rows:
            return t, []
        columns = [*lacking, *[tied for c in lacking for tied in ties.get(c, ())]]
        subset = target.select(
            **{"__stored_key": target[key]}, **{f"__stored_{c}": target[c] for c in columns}
        )
        stored = self._stored_copy(TEMPORARY["stored"](table=table), subset, rows, t, key)
        j = t.left_join(stored, t[key] == stored["__stored_key"])
        found = j["__stored_key"].notnull()
        keep = {}
        for c, miss in lacking.items():
            flag = found & j["__file"].cast("string").isin(miss)
            keep[f"__keep_{c}"] = flag
            for tied in ties.get(c, ()):
                keep[f"__keep_{tied}"] = flag
        j = j.mutate(**keep)
        n = int(j.filter(ibis.or_(*[j[k] for k in keep])).count().execute())
        if n:
            names = ", ".join(sorted(lacking)[:8]) + (", ..." if len(lacking) > 8 else "")
            self.notes.append(
                Notice(
                    "stored_values_kept",
                    f"{table}: {n:,} row(s) update stored {table} from file(s) without some "
                    f"columns ({names}): those keep their stored values (a column present "
                    "with an empty cell clears its value)",
                )
            )
        return j.drop("__stored_key"), columns

    # ------------------------------------------------------------------ 3. write
    def write(self) -> None:
        backend = self.ws.backend
        with backend.transaction():
            for table in LOAD_ORDER:
                if table in self.scopes:  # replace_days: the stored rows of its days go
                    backend.sql(sg.delete(sg.table(table, quoted=True)).where(
                        _scopes_sql(self.scopes[table])
                    ))  # fmt: skip
                if table in self.good:
                    self._load(backend, table, self.good[table])
            # The quarantine holds the last ingest of each file: re-ingesting replaces it.
            files = sorted({f for t in self.summaries.values() for f in t.files})
            if files:
                backend.delete_where_in(QUARANTINE.name, "file", files)
            if self.quarantined:
                backend.append(QUARANTINE.name, pa.concat_tables(self.quarantined))
            if "leads" in self.good and self.config.privacy.hash_emails:
                self._hash_stored_emails(backend)
            applied = versions.meta_values(backend.con).get(APPLIED_RULE)
            if "leads" in self.good or applied != rule_text(self.config.leads):
                # new leads, or a rule changed since it was applied: every lead again
                _rebuild_leads(backend, self.config)
                versions.set_meta(self.ws, {
                    APPLIED_RULE: rule_text(self.config.leads),
                    CONFIGURED_RULE: rule_text(self.ws.config.leads),
                })  # fmt: skip
            if self.labels:
                backend.upsert(LABELS.name, _labels_table(self.labels), LABELS.key)
            backend.append(INGEST_LOG.name, _log_table(self.summaries, self.source, self.now))

    def _hash_stored_emails(self, backend: engine.Backend) -> None:
        """Leads stored in clear before ``privacy.hash_emails`` was set are hashed now, so
        that they merge with the new (hashed) ones and no address stays in clear."""
        leads = backend.con.table("leads")
        clear = leads.filter(
            (leads.email.notnull() & ~leads.email.startswith(emails.HASH_PREFIX))
            | (leads.email_norm.notnull() & ~leads.email_norm.startswith(emails.HASH_PREFIX))
        ).select("lead_id", "email")
        found = clear.to_pyarrow()
        if not found.num_rows:
            return
        key = emails.secret(self.ws.root, self.config.privacy.secret_file)
        cleaned = emails.clean(found["email"].combine_chunks())
        norm = emails.normalise(cleaned)
        placeholder, not_address = emails.classify(norm)
        norm = pc.if_else(pc.or_(placeholder, not_address), pa.scalar(None, pa.string()), norm)
        hashed = emails.hash_values(norm, key)
        changes = ibis.memtable(
            pa.table({"lead_id": found["lead_id"], "email": hashed, "email_norm": hashed})
        )
        backend.update_rows("leads", "lead_id", changes, ["email", "email_norm"])
        self.notes.append(
            Notice(
                "emails_hashed",
                f"leads: {found.num_rows:,} e-mail(s) stored in clear before privacy.hash_emails "
                "was set are now hashed; the quarantine of earlier ingests keeps its records "
                "until their files are ingested again",
            )
        )

    def _load(self, backend: engine.Backend, table: str, data: ir.Table) -> None:
        if table == "leads":
            declared = engine.table_schema(TABLES["leads"]).names
            extras = {c: typ for c, typ in data.schema().items() if c not in declared}
            if extras:
                data = self._fit_attribute_types(backend, data, extras)
                backend.add_columns("leads", extras)
        tick = self.progress(f"loading {table}", 1) if self.progress else None
        loaded = backend.upsert_from(table, data, TABLES[table].key_column)
        self.summaries[table].rows_loaded += loaded
        if tick:
            tick(1)

    def _fit_attribute_types(
        self, backend: engine.Backend, data: ir.Table, extras: dict
    ) -> ir.Table:
        """An attribute stored as numbers that a file now writes as text ('unknown') is
        widened to text, numbers written as they read ('12', '7.5'); a stored text
        attribute takes new numbers as text. Never a failed cast, never a lost value."""
        stored = backend.con.table("leads").schema()
        for c, typ in extras.items():
            if c not in stored or stored[c] == typ:
                continue
            old = stored[c]
            if old.is_numeric() and typ.is_numeric():
                continue
            if not old.is_string():
                _widen_to_text(backend, "leads", c, old)
                self.notes.append(
                    Notice(
                        "attribute_widened",
                        f"leads: attribute {c!r} was stored as {old} and this ingest writes "
                        f"it as {typ} (e.g. text among numbers): it is now stored as text "
                        "for every lead (numbers kept as written)",
                    )
                )
            extras[c] = dt.string
            data = data.mutate(**{c: _as_text(data[c])})
        return data

    def summary(self) -> IngestSummary:
        summary = IngestSummary(
            policy=self.policy,
            tables=self.summaries,
            warnings=self.warnings,
            problems=self.errors + self.sample,
            notes=self.notes,
        )
        _lead_stats(self.ws, summary)
        # said by the ingests that load leads (the counts are the workspace's)
        both = summary.channels_unknown and summary.channels_unknown_written
        if both and "leads" in self.summaries:
            summary.warnings.append(_unknown_channel_notice(summary, self.unknown_written))
        return summary


def _unknown_channel_notice(
    summary: IngestSummary, written: dict[tuple[str, str], Counter]
) -> Notice:
    """Leads whose file wrote the channel 'unknown' and leads without any channel share
    one channel, 'unknown': say how many of each, and how to keep them apart."""
    where, example = "", "Unknown"
    if written:
        (file, header), counts = next(iter(written.items()))
        example = counts.most_common(1)[0][0]
        where = f" ({example!r} in {file}, column {header!r})"
    return Notice(
        "channel_unknown_merged",
        f"leads: {summary.channels_unknown_written:,} lead(s) have the channel 'unknown' as "
        f"written{where} and {summary.channels_unknown:,} have no channel at all (blank, and "
        "no UTM tag or referrer naming one): both are counted under the channel 'unknown'. "
        "To keep the written ones apart, map them on their source in leadpilot.yaml, e.g. "
        f"values: {{channel: {{{example}: unknown_in_crm}}}}",
    )


def _keep_written(data: pa.Table, mapped: Mapped, config: Config) -> pa.Table:
    """Numbers the checks may refuse (negative, above ingest.max_amount) keep their text
    as written beside them, so that a message shows the cell, not its float."""
    for name in ("amount", "impressions", "clicks", "visitors", "company_size"):
        arr = mapped.columns.get(name)
        if name not in data.column_names or arr is None or parsers_text(arr) is None:
            continue
        values = data[name]
        flagged = pc.fill_null(
            pc.or_(pc.less(values, 0), pc.greater(values, config.ingest.max_amount)), False
        )
        if not pc.any(flagged).as_py():
            continue
        text = pc.utf8_trim_whitespace(parsers_text(arr))
        written = pc.if_else(flagged, text, pa.scalar(None, pa.string()))
        data = data.append_column(raw_column(name), written)
    return data


def _origins(mapped: Mapped, spec: SourceSpec) -> dict[str, str]:
    """Canonical column -> the file's header, for messages. A currency the file does not
    write in a column of its own (read from the amount's sign, or set by a constant) is
    the amount column's: a refusal then points to a column the file has."""
    origin = dict(mapped.origin)
    if "amount" in origin and ("currency" not in origin or "currency" in spec.constants):
        origin["currency"] = origin["amount"]
    return origin


def _currency_as_read(data: pa.Table, mapped: Mapped, spec: SourceSpec, config: Config) -> pa.Table:
    """A currency the workspace cannot convert, read from an amount's sign ('$1,200.00')
    or set by ``constants``, keeps the amount as written and where the currency came from
    beside it, so that a refusal shows the cell (a currency column's cell shows itself)."""
    amount = mapped.columns.get("amount")
    if "currency" not in data.column_names or amount is None:
        return data
    constant = "currency" in spec.constants
    if "currency" in mapped.columns and not constant:
        written = pc.utf8_trim_whitespace(pc.cast(mapped.columns["currency"], pa.string()))
        from_sign = pc.fill_null(pc.equal(written, ""), True)  # blank cell: the sign's
    else:
        from_sign = pa.scalar(True)
    known = pa.array([config.currency, *config.ingest.currency_rates], pa.string())
    currency = data["currency"]
    refused = pc.and_(pc.is_valid(currency), pc.invert(pc.is_in(pc.utf8_upper(currency), known)))
    refused = pc.fill_null(pc.and_(refused, from_sign), False)
    if not pc.any(refused).as_py():
        return data
    text = pc.utf8_trim_whitespace(pc.cast(amount, pa.string()))
    why = (
        pa.scalar(f" (currency {spec.constants['currency']} set by constants)")
        if constant
        else pc.binary_join_element_wise(pa.scalar(" (read as "), currency, pa.scalar(")"), "")
    )
    shown = pc.binary_join_element_wise(text, why, "")
    return data.append_column(
        raw_column("currency"), pc.if_else(refused, shown, pa.scalar(None, pa.string()))
    )


def _currency_conflicts(mapped: Mapped, spec: SourceSpec) -> pa.Table | None:
    """Money written in one currency ('$1,200.00') on a row whose currency column names
    another (EUR): which one is right cannot be told, and either way a number would be
    wrong; refused per row."""
    if "amount" not in spec.money or "currency" not in mapped.columns:
        return None
    amount = mapped.columns.get("amount")
    if amount is None or parsers_text(amount) is None:
        return None
    detected = parse_numbers(amount, decimal=spec.decimal or ".", money=True).currency
    if detected is None:
        return None
    written = pc.cast(mapped.columns["currency"], pa.string())
    column = pc.utf8_upper(pc.utf8_trim_whitespace(written))
    clash = pc.fill_null(pc.not_equal(detected, column), False)
    clash = pc.and_(clash, pc.fill_null(pc.not_equal(column, ""), False))
    n = int(pc.sum(clash).as_py() or 0)
    if not n:
        return None
    header = mapped.origin.get("amount", "amount")
    label = mapped.origin.get("currency", "currency")
    shown = pc.binary_join_element_wise(
        pc.cast(amount, pa.string()), pa.scalar(f" ({label} "), column, pa.scalar(")"), ""
    )
    return issues_where(
        clash, mapped.rows, header, shown,
        f"an amount written in the currency its {label!r} column names",
        fix=f"correct the amount's currency sign or the {label!r} column of these rows",
    ).append_column("file", pa.array([mapped.file] * n, pa.string()))  # fmt: skip


_FLOAT_ID = r"^[0-9]+\.0+$"


def _float_ids(data: pa.Table, table: str) -> tuple[pa.Table, dict[str, tuple[int, str]]]:
    """Ids a spreadsheet turned into numbers ('123.0') read as the integer they were
    ('123'), so that tables match; other ids, leading zeros included, stay as written."""
    found = {}
    for name in ("lead_id", "deal_id", "touch_id"):
        if name not in data.column_names:
            continue
        col = data[name].combine_chunks()
        if not pa.types.is_string(col.type):
            continue
        hit = pc.fill_null(pc.match_substring_regex(col, _FLOAT_ID), False)
        n = int(pc.sum(hit).as_py() or 0)
        if not n:
            continue
        example = pc.filter(col, hit)[0].as_py()
        fixed = pc.if_else(hit, pc.replace_substring_regex(col, r"\.0+$", ""), col)
        data = data.set_column(data.column_names.index(name), name, fixed)
        found[name] = (n, example)
    return data, found


AMBIGUOUS_NUMBER = (
    "a number whose decimal separator can be told: nothing in the file says whether "
    "'1,250' is 1250 or 1.25 (nor '1.054' 1054 or 1.054)"
)
AMBIGUOUS_FIX = (
    "say how the file writes numbers: decimal: ',' on this source in leadpilot.yaml when "
    "1,250 means 1.25 (and 1.054 means 1054), decimal: '.' when it means 1250 (and 1.054 "
    "means 1.054) (ingest.decimal for every file)"
)


def _example(numbers: dict[str, pa.Array], mapped: Mapped, decimal: str) -> str:
    """A value of the file that can only be read with ``decimal``, quoted."""
    patterns = COMMA_CLEAR if decimal == "," else POINT_CLEAR
    for arr in [*numbers.values(), *mapped.extras.values()]:
        text = parsers_text(arr)
        if text is None:
            continue
        text = pc.utf8_trim_whitespace(text)
        for pattern in patterns:
            hit = pc.filter(text, pc.fill_null(pc.match_substring_regex(text, pattern), False))
            if len(hit):
                return repr(hit[0].as_py())
    return "the file's"


def _delimiter(spec: SourceSpec) -> str | None:
    """The field separator of a text file (as the reader finds it), None for other files."""
    if spec.delimiter:
        return spec.delimiter
    path = Path(spec.path)
    if path.suffix.lower() not in (".csv", ".txt", ".tsv") or not path.is_file():
        return None
    with open(path, "rb") as fh:
        head = fh.read(64 * 1024)
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):  # fmt: skip
        if head.startswith(bom):
            text = head.decode(enc, errors="replace")
            break
    else:
        text = head.decode("utf-8", errors="replace")
    first = text.splitlines()[0] if text.strip() else ""
    try:
        return csv.Sniffer().sniff(first, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _merged_notice(table: str, dups: pa.Table) -> Notice:
    what = {
        "spend": "same date, channel, campaign, content, amount, impressions and clicks",
        "traffic": "same date, channel, content and visitors",
    }.get(table, "same lead, time, type, channel, campaign and content")
    rows = ", ".join(f"{Path(r['file']).name} row {r['row']}" for r in dups.slice(0, 3).to_pylist())
    return Notice(
        "identical_rows_merged",
        f"{table}: {dups.num_rows:,} identical row(s) merged ({what} as an earlier row; "
        f"e.g. {rows})",
    )


def _summed_notice(table: str, summed: pa.Table) -> Notice:
    measure = "figures (amount, impressions or clicks)" if table == "spend" else "visitors"
    keys = Counter(summed["value"].to_pylist())
    first = summed.slice(0, 1).to_pylist()[0]
    where = f"{Path(first['file']).name} row {first['row']}"
    key = " / ".join(p for p in str(first["value"]).split("|") if p)
    across = summed.filter(pc.equal(summed["severity"], checks.SUMMED_ACROSS)).num_rows
    overlap = (
        f"; {across:,} of them repeat a row of another file: if those files are overlapping "
        "exports of one account, not two accounts, give each day to one file only (or "
        "ingest the newer export on its own: it replaces the days it holds)"
        if across
        else ""
    )
    return Notice(
        f"{table}_rows_summed",
        f"{table}: {summed.num_rows:,} row(s) repeat the date, channel, campaign and content "
        f"of an earlier row with other {measure} (ad groups or ads of one campaign, or "
        f"several accounts): added together, {len(keys):,} key(s) affected (e.g. {where}: "
        f"{key}); give each part its own content or campaign column to keep them apart"
        f"{overlap}",
    )


def _sum_measures(t: ir.Table, table: str) -> ir.Table:
    """One row per key: the measures of rows sharing a key are added (after currency
    conversion); the other columns are the same within a key."""
    key = TABLES[table].key_column
    measures = [m for m in checks.ADDITIVE[table] if m in t.columns]
    others = [c for c in t.columns if c not in measures and c != key]
    agg = {m: t[m].sum() for m in measures}
    agg.update({c: t[c].arbitrary() for c in others})
    return t.group_by(key).aggregate(**agg).select(*t.columns)


def _as_text(value: ir.Value) -> ir.StringValue:
    """A value as text, whole numbers without '.0' (120, not 120.0)."""
    if value.type().is_numeric():
        whole = value.cast("float64") == value.cast("float64").floor()
        return ibis.ifelse(
            whole & (value.abs() < 1e15), value.cast("int64").cast("string"), value.cast("string")
        )
    return value.cast("string")


def _widen_to_text(backend: engine.Backend, table: str, column: str, old: dt.DataType) -> None:
    """ALTER a stored column to text, its values written as ``_as_text`` writes them."""
    col = sg.column(column, quoted=True)
    if old.is_numeric():
        as_double = sge.Cast(this=col, to=sge.DataType.build("DOUBLE"))
        using = sge.Case(
            ifs=[
                sge.If(
                    this=sge.and_(
                        sge.EQ(this=as_double, expression=sge.Floor(this=as_double.copy())),
                        sge.LT(this=sge.Abs(this=as_double.copy()),
                               expression=sge.Literal.number(10**15)),
                    ),
                    true=sge.Cast(
                        this=sge.Cast(this=col.copy(), to=sge.DataType.build("BIGINT")),
                        to=sge.DataType.build("VARCHAR"),
                    ),
                )
            ],
            default=sge.Cast(this=col.copy(), to=sge.DataType.build("VARCHAR")),
        )  # fmt: skip
    else:
        using = sge.Cast(this=col.copy(), to=sge.DataType.build("VARCHAR"))
    backend.sql(
        sge.Alter(
            this=sg.table(table, quoted=True),
            kind="TABLE",
            actions=[
                sge.AlterColumn(
                    this=sg.to_identifier(column, quoted=True),
                    dtype=sge.DataType.build("VARCHAR"),
                    using=using,
                )
            ],
        )
    )


def _labels_table(labels: dict[tuple[str, str], str]) -> pa.Table:
    return pa.table(
        {
            "label_key": [f"{k}:{v}" for k, v in labels],
            "kind": [k for k, _ in labels],
            "key": [v for _, v in labels],
            "label": list(labels.values()),
        }
    )


def _log_table(summaries: dict[str, TableSummary], source: str | Path, now: datetime) -> pa.Table:
    def counts(attr: str) -> pa.Array:
        return pa.array([getattr(s, attr) for s in summaries.values()], pa.int64())

    return pa.table(
        {
            "ingested_at": pa.array([now] * len(summaries), pa.timestamp("us")),
            "source": pa.array([str(source)] * len(summaries)),
            "table_name": pa.array(list(summaries)),
            "rows_read": counts("rows_read"),
            "rows_loaded": counts("rows_loaded"),
            "rows_quarantined": counts("rows_quarantined"),
            "rows_merged": counts("rows_merged"),
        }
    )


def _not_quarantined(dups: pa.Table, errors: pa.Table) -> pa.Table:
    """The duplicate rows that have no error: a duplicate of a bad row is quarantined with
    its problems, and counted there only (read = loaded + merged + quarantined)."""
    if not dups.num_rows or not errors.num_rows:
        return dups

    def keys(t: pa.Table) -> list[tuple]:
        part = t["part"].to_pylist() if "part" in t.column_names else [None] * t.num_rows
        return list(zip(t["file"].to_pylist(), t["row"].to_pylist(), part, strict=True))

    bad = {(f, r, p or "") for f, r, p in keys(errors)}
    keep = [(f, r, p or "") not in bad and (f, r, "") not in bad for f, r, p in keys(dups)]
    return dups.filter(pa.array(keep, pa.bool_()))


def _record_keys(issues: pa.Table) -> pa.Table:
    """(file, row, part) of the records an issue list names, once each.

    A record is a file row, or one part of it when a row holds several (a contact's wide
    stage dates, the contacts of a deal): part is '' for a whole row.
    """
    part = pc.fill_null(issues["part"], "") if "part" in issues.column_names else None
    keys = pa.table(
        {
            FILE: issues["file"],
            ROW: issues["row"],
            PART: part if part is not None else pa.array([""] * issues.num_rows, pa.string()),
        }
    )
    return keys.group_by([FILE, ROW, PART]).aggregate([])


def _record_match(t: ir.Table, keys: ir.Table) -> list[ir.BooleanValue]:
    # an issue about the whole row ('' part) takes every part of it
    part = t[PART].fill_null("") if PART in t.columns else ibis.literal("")
    return [t[FILE] == keys[FILE], t[ROW] == keys[ROW], (keys[PART] == "") | (part == keys[PART])]


def _count_failed(issues: pa.Table) -> int:
    """Cells that could not be read (they have an issue but no row of their own)."""
    return issues.filter(pc.equal(issues["severity"], "error")).num_rows


def _relabel(issues: pa.Table, table: str, origins: dict) -> pa.Table:
    """Canonical column names -> the file's own headers, so a message points to the file."""
    if not issues.num_rows:
        return issues
    column = issues["column"]
    pairs = issues.select(["file", "column"]).group_by(["file", "column"]).aggregate([])
    for f, c in zip(pairs["file"].to_pylist(), pairs["column"].to_pylist(), strict=True):
        header = origins.get((table, f), {}).get(c)
        if header and header != c:
            mask = pc.and_(pc.equal(issues["file"], f), pc.equal(issues["column"], c))
            column = pc.if_else(mask, pa.scalar(header), column)
    return issues.set_column(issues.column_names.index("column"), "column", column)


# Stable codes of the row warnings an ingest counts (the sentence may be reworded).
WARNING_CODES = {
    emails.PLACEHOLDER_REASON: "email_placeholder",
    emails.NOT_ADDRESS_REASON: "email_not_an_address",
    checks.CLOSED_BEFORE_CREATED: "closed_before_created",
    checks.BEFORE_LEAD.format(what="deal"): "before_lead_creation",
    checks.BEFORE_LEAD.format(what="stage"): "before_lead_creation",
}


def _warning_lines(table: str, warn: pa.Table, examples: int = 3) -> list[str]:
    """One line per kind of warning, counted, with the first rows as examples."""
    lines: list[str] = []
    for text, n in Counter(warn["expected"].to_pylist()).most_common():
        rows = warn.filter(pc.equal(warn["expected"], text)).slice(0, examples).to_pylist()
        shown = "; ".join(
            f"{Path(r['file']).name} row {r['row']}: {r['column']} {r['value']}" for r in rows
        )
        line = f"{table}: {n:,} row(s): {text} (e.g. {shown})"
        code = WARNING_CODES.get(text) or next(
            (c for prefix, c in checks.WARNING_PREFIXES.items() if text.startswith(prefix)), None
        )
        lines.append(Notice(code, line) if code else line)
    return lines


def _quarantine_rows(table: str, issues: pa.Table, bad_rows: pa.Table, now: datetime) -> pa.Table:
    # The record keeps the typed row as JSON, so the quarantined data is never lost; a
    # cell with no row of its own (a wide stage date) keeps the cell as written.
    records = {
        (r[FILE], r[ROW], r.get(PART) or ""): json.dumps(
            {k: v for k, v in r.items() if not k.startswith("__")}, default=str
        )
        for r in bad_rows.to_pylist()
    }
    rows = issues.to_pylist()
    for r in rows:
        key = (r["file"], r["row"], r.get("part") or "")
        if key not in records:
            records[key] = json.dumps({r["column"] or "line": r["value"]}, default=str)
    return pa.table(
        {
            "table_name": pa.array([table] * len(rows), pa.string()),
            "file": pa.array([r["file"] for r in rows], pa.string()),
            "row": pa.array([r["row"] for r in rows], pa.int64()),
            "column_name": pa.array([r["column"] for r in rows], pa.string()),
            "value": pa.array([r["value"] for r in rows], pa.string()),
            "reason": pa.array([r["expected"] for r in rows], pa.string()),
            "record": pa.array(
                [records.get((r["file"], r["row"], r.get("part") or "")) for r in rows],
                pa.string(),
            ),
            "ingested_at": pa.array([now] * len(rows), pa.timestamp("us")),
            "fix": pa.array([r.get("fix") for r in rows], pa.string()),
        }
    )


# Columns of leads that follow another when it keeps its stored value (derived from it).
_TIED = {"email": ("email_norm",), "channel": ("channel_derived",)}
# Bookkeeping the lead rule recomputes over every lead after each ingest.
LEADS_DERIVED_ONLY = set(RULE_COLUMNS)


def _present_columns(table: str, mapped: Mapped) -> set[str]:
    """The canonical columns and attributes a file speaks about (its own or constants)."""
    present = set(mapped.columns) | set(mapped.extras)
    if table == "leads" and present & {"utm_source", "utm_medium", "utm_campaign", "referrer"}:
        present.add("channel")  # the file's UTM tags name the channel again
    return present


def _finalise(table: str, t: ir.Table, config: Config, keep: list[str] = ()) -> ir.Table:
    """Derive channels, convert currencies, clear closing dates of open deals; then the
    columns a file lacks take their stored values (``keep``, see ``_stored_values``)."""
    internal = [c for c in t.columns if c.startswith("__")]
    if table == "leads":
        t = t.mutate(channel_derived=t.channel.isnull())
        t = t.mutate(channel=derived_channel(t, config.channel_rules))
    if "currency" in t.columns and "amount" in t.columns:
        rate = (
            ibis.cases(
                *[
                    (t.currency.upper() == c, ibis.literal(r))
                    for c, r in config.ingest.currency_rates.items()
                ],
                else_=ibis.literal(1.0),
            )
            if config.ingest.currency_rates
            else ibis.literal(1.0)
        )
        t = t.mutate(amount=t.amount * rate, currency=ibis.literal(config.currency))
    if keep:
        t = t.mutate(
            **{
                c: ibis.ifelse(
                    t[f"__keep_{c}"], t[f"__stored_{c}"], t[c] if c in t.columns else None
                ).cast(t[f"__stored_{c}"].type())
                for c in keep
            }
        )
    if table == "deals":
        t = t.mutate(
            closed_at=ibis.ifelse(t.status == "open", ibis.literal(None, "timestamp"), t.closed_at)
        )
    return t.drop(*internal)


def _rebuild_leads(backend: engine.Backend, config: Config) -> None:
    """Re-derive exclusions and e-mail merges over all leads; write only what changed."""
    derived = list(RULE_COLUMNS)
    leads = backend.con.table("leads")
    rebuilt = apply_lead_rule(leads, config.leads).select("lead_id", *derived)
    current = leads.select("lead_id", *[leads[c].name(f"_old_{c}") for c in derived])
    j = rebuilt.join(current, "lead_id")
    same = [j[c].identical_to(j[f"_old_{c}"]) for c in derived]
    changed = j.filter(~(same[0] & same[1] & same[2])).select("lead_id", *derived)
    backend.update_rows("leads", "lead_id", changed, derived)


def _excluded_deals(ws: engine.Workspace, summary: IngestSummary) -> None:
    """Won deals whose lead the lead rule excludes count for no lead: say how much."""
    if summary.leads_excluded == 0:
        return
    leads, deals = ws.table("leads"), ws.table("deals")
    out = leads.filter(leads.excluded_reason.notnull()).select(_lid="lead_id")
    won = deals.filter(deals.status == "won")
    j = won.join(out, won.lead_id == out._lid)
    r = j.aggregate(n=j.count(), amount=j.amount.sum()).to_pyarrow().to_pylist()[0]
    if r["n"]:
        summary.warnings.append(
            f"deals: {int(r['n']):,} won deal(s) ({float(r['amount'] or 0):,.2f}) belong to "
            "records the lead rule excludes (leads.exclude): their revenue counts for no lead"
        )


def _lead_stats(ws: engine.Workspace, summary: IngestSummary) -> None:
    t = ws.table("leads")
    from_rules = t.channel_derived.fill_null(False) & t.merged_into.isnull()
    stats = (
        t.aggregate(
            merged=t.merged_into.notnull().sum(),
            excluded=t.excluded_reason.notnull().sum(),
            derived=(from_rules & (t.channel != UNKNOWN_CHANNEL)).sum(),
            unknown=(from_rules & (t.channel == UNKNOWN_CHANNEL)).sum(),
            written=(
                ~t.channel_derived.fill_null(False)
                & t.merged_into.isnull()
                & (t.channel == UNKNOWN_CHANNEL)
            ).sum(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    summary.leads_merged = int(stats["merged"] or 0)
    if "leads" in summary.tables:
        # Lead records merged by the e-mail rule (workspace-wide, after this ingest).
        summary.tables["leads"].rows_merged = summary.leads_merged
    summary.leads_excluded = int(stats["excluded"] or 0)
    summary.channels_derived = int(stats["derived"] or 0)
    summary.channels_unknown = int(stats["unknown"] or 0)
    summary.channels_unknown_written = int(stats["written"] or 0)
    _excluded_deals(ws, summary)
    counted = counted_leads(t)
    by_channel = counted.group_by("channel").aggregate(n=counted.count()).to_pyarrow().to_pylist()
    # most leads first, ties by name: the same order on every engine
    order = lambda r: (-r["n"], r["channel"] is None, str(r["channel"]))  # noqa: E731
    summary.channels = {r["channel"]: int(r["n"]) for r in sorted(by_channel, key=order)}
    merged = t.filter(t.merged_into.notnull())
    reasons = (
        merged.group_by("merge_reason").aggregate(n=merged.count()).to_pyarrow().to_pylist()
        if summary.leads_merged
        else []
    )
    summary.merge_reasons = Counter({r["merge_reason"]: int(r["n"]) for r in reasons})
