"""Mapping a source file's columns onto a canonical table (presets + configuration).

A preset is a named, partial source specification in ``presets/NAME.yaml``
(one small file per export layout); the user's specification overrides it.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import yaml

from ..config import SourceSpec
from ..errors import ConfigError, Problem
from ..schema import TABLES
from .readers import ROW, RawFrame

PRESET_DIR = Path(__file__).with_name("presets")


def available_presets() -> list[str]:
    return sorted(p.stem for p in PRESET_DIR.glob("*.yaml"))


@cache
def _preset(name: str) -> dict:
    path = PRESET_DIR / f"{name}.yaml"
    if not path.exists():
        near = difflib.get_close_matches(name, available_presets(), n=1)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise ConfigError(
            f"unknown preset {name!r}{hint} Available presets: {', '.join(available_presets())}"
        )
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def preset_info(name: str) -> dict:
    """A preset as documentation: its export (first comment line), its notes (the leading
    comment block), its table and its mapping."""
    spec = _preset(name)  # raises the 'unknown preset' error with a suggestion
    lines = (PRESET_DIR / f"{name}.yaml").read_text(encoding="utf-8").splitlines()
    doc = []
    for line in lines:
        if not line.startswith("#"):
            break
        doc.append(line.lstrip("#").strip())
    text = " ".join(d for d in doc if d)
    return {
        "name": name,
        "table": spec.get("table"),
        "title": doc[0] if doc else "",
        "doc": text,
        "spec": spec,
    }


def resolve_spec(spec: SourceSpec) -> SourceSpec:
    """Merge the preset under the user's specification (the user wins)."""
    if not spec.preset:
        return spec
    preset = dict(_preset(spec.preset))
    if preset.get("table", spec.table) != spec.table:
        raise ConfigError(
            f"preset {spec.preset!r} maps table {preset['table']!r}, but the source says "
            f"table {spec.table!r}"
        )
    user = spec.model_dump(exclude_unset=True, by_alias=True)
    merged = dict(preset)
    # A preset's date formats are a default, below the user's (source or workspace).
    if "date_formats" in merged:
        merged["preset_date_formats"] = merged.pop("date_formats")
    # What only the preset names may be missing from a given export (optional columns).
    merged["optional"] = sorted(
        {c for c in preset.get("columns", {}) if c not in user.get("columns", {})}
        | {
            f"stage:{s}"
            for s in preset.get("stage_dates", {})
            if s not in user.get("stage_dates", {})
        }
    )
    for key, value in user.items():
        if key == "values" and isinstance(merged.get(key), dict):
            merged[key] = {
                col: {**merged[key].get(col, {}), **mapping} for col, mapping in value.items()
            } | {col: m for col, m in merged[key].items() if col not in value}
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        elif key == "money" and isinstance(merged.get(key), list):
            merged[key] = sorted(set(merged[key]) | set(value))
        else:
            merged[key] = value
    merged.setdefault("table", spec.table)
    merged.setdefault("path", spec.path)
    return SourceSpec.model_validate(merged)


_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o",
                            "Ø": "O"})  # fmt: skip


def fold_name(name: str) -> str:
    """'Date de clôture' -> 'date_de_cloture': accents transliterated, not stripped."""
    text = unicodedata.normalize("NFKD", name.translate(_LIGATURES))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", "_", text.strip().lower()).strip("_")


def normalise_name(name: str) -> str:
    """'Lead ID' -> 'lead_id', 'Created At ' -> 'created_at', 'Étape' -> 'etape'."""
    return fold_name(name)


@dataclass
class Mapped:
    """A source file's rows under canonical names, still as read (mostly text)."""

    table: str
    file: str
    rows: pa.Array  # row numbers in the file
    columns: dict[str, pa.Array]
    origin: dict[str, str]  # canonical column -> source column(s), for messages
    extras: dict[str, pa.Array] = field(default_factory=dict)
    stage_dates: dict[str, pa.Array] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    raw: pa.Table | None = None  # the source row, kept for the quarantine record
    extra_headers: dict[str, str] = field(default_factory=dict)  # attribute -> file header

    @property
    def num_rows(self) -> int:
        return len(self.rows)


def _did_you_mean(wanted: str, header: list[str]) -> str:
    norm = {normalise_name(h): h for h in header}
    near = difflib.get_close_matches(normalise_name(wanted), list(norm), n=2, cutoff=0.6)
    if not near:
        return ""
    return " (did you mean " + " or ".join(repr(norm[n]) for n in near) + "?)"


# How a delimiter is written in leadpilot.yaml (a tab as '\t').
_DELIMITERS = {";": "';'", ",": "','", "\t": "'\\t'", "|": "'|'"}


def _delimiter_fix(header: list[str], wanted: str, spec: SourceSpec, file: str) -> str | None:
    """The setting that reads a text file whose header holds the wanted column between
    another separator than the one it was read with (a French Excel export separated
    by ';' read as ','): the whole header then reads as one or a few columns."""
    if not file.lower().endswith((".csv", ".tsv", ".txt")):
        return None
    target = normalise_name(wanted)
    for d, written in _DELIMITERS.items():
        if d == spec.delimiter or not any(d in h for h in header):
            continue
        names = {normalise_name(part.strip().strip('"')) for h in header for part in h.split(d)}
        if target not in names:
            continue
        read = (
            f", but the file was read with delimiter: "
            f"{_DELIMITERS.get(spec.delimiter, repr(spec.delimiter))}"
            if spec.delimiter
            else ""
        )
        return (
            f"the header line is separated by {written}{read}: set delimiter: {written} on "
            "this source in leadpilot.yaml"
        )
    return _header_below_fix(file, target)


def _header_below_fix(file: str, target: str) -> str | None:
    """The line a text file's real header is on, when report lines come first (a Google
    Ads report title and date range, Microsoft Ads' header block): the wanted column is
    named there, not on line 1."""
    try:
        with open(file, "rb") as fh:
            head = fh.read(64 * 1024)
    except OSError:
        return None
    for enc in ("utf-8-sig", "utf-16", "cp1252"):
        try:
            text = head.decode(enc)
        except UnicodeDecodeError:
            continue
        lines = text.splitlines()[:30]
        for i, line in enumerate(lines[1:-1], start=2):  # the last may be cut
            cells = re.split(r"[,;\t|]", line)
            if target in {normalise_name(c.strip().strip('"')) for c in cells}:
                return (
                    f"the header is on line {i}: delete the {i - 1} line(s) above it (an "
                    "export's report title and date range)"
                )
        return None
    return None


def map_columns(frame: RawFrame, spec: SourceSpec) -> tuple[Mapped, list[Problem]]:
    table = TABLES[spec.table]
    data = frame.data
    header = [c for c in data.column_names if not c.startswith("__")]  # ROW, readers.LINE
    by_norm: dict[str, str] = {}
    for h in header:
        by_norm.setdefault(normalise_name(h), h)
    problems: list[Problem] = []
    optional_missing: list[str] = []
    used: set[str] = set()
    columns: dict[str, pa.Array] = {}
    origin: dict[str, str] = {}

    def missing(canonical: str, wanted: str) -> None:
        problems.append(
            Problem(
                table=spec.table,
                file=frame.file,
                row=1 if frame.file.lower().endswith((".csv", ".tsv", ".txt", ".xlsx")) else None,
                column=wanted,
                value=None,
                expected=f"a column {wanted!r} for {spec.table}.{canonical}"
                + _did_you_mean(wanted, header),
                fix=_delimiter_fix(header, wanted, spec, frame.file),
            )
        )

    for col in table.columns:
        if col.name in spec.constants:
            columns[col.name] = pa.array([spec.constants[col.name]] * data.num_rows, pa.string())
            origin[col.name] = f"constant {spec.constants[col.name]!r}"
            continue
        source = spec.columns.get(col.name)
        if source is None:
            hit = by_norm.get(col.name)
            if hit is None:
                if col.required:
                    missing(col.name, col.name)
                continue
            source = hit
        names = [source] if isinstance(source, str) else list(source)
        absent = [n for n in names if n not in data.column_names]
        if absent and not col.required and col.name in spec.optional:
            optional_missing.append(f"{col.name} ({', '.join(map(repr, absent))})")
            continue
        if absent:
            for n in absent:
                missing(col.name, n)
            continue
        used.update(names)
        origin[col.name] = " | ".join(names)
        if len(names) == 1:
            arr = data.column(names[0]).combine_chunks()
        else:
            parts = [pc.cast(data.column(n), pa.string()).combine_chunks() for n in names]
            arr = pc.binary_join_element_wise(
                *parts, "|", null_handling="replace", null_replacement=""
            )
        columns[col.name] = arr

    header_currency = _currency_in_header(origin.get("amount"))
    if header_currency and "currency" in table.column_names and "currency" not in columns:
        # 'Amount spent (USD)': the header says the currency; read as if the file had it
        # (a Meta export in dollars was stored as the workspace's euros)
        columns["currency"] = pa.array([header_currency] * data.num_rows, pa.string())
        origin["currency"] = origin["amount"]

    stage_dates: dict[str, pa.Array] = {}
    for stage, source in spec.stage_dates.items():
        if source not in data.column_names and f"stage:{stage}" in spec.optional:
            optional_missing.append(f"{stage} stage date ({source!r})")
            continue
        if source not in data.column_names:
            missing(f"stage {stage}", source)
            continue
        used.add(source)
        stage_dates[stage] = data.column(source).combine_chunks()

    extras: dict[str, pa.Array] = {}
    extra_headers: dict[str, str] = {}
    if table.keeps_extra_columns and spec.keep_extra:
        taken = set(table.column_names) | set(table.bookkeeping_names)
        for h in header:
            if h in used:
                continue
            name = normalise_name(h) or "column"
            if name in taken or name in extras:
                continue  # a canonical column already filled from elsewhere
            extras[name] = data.column(h).combine_chunks()
            extra_headers[name] = h

    mapped = Mapped(
        table=spec.table,
        file=frame.file,
        rows=data.column(ROW).combine_chunks(),
        columns=columns,
        origin=origin,
        extras=extras,
        stage_dates=stage_dates,
        raw=data.drop_columns([ROW]),
        extra_headers=extra_headers,
    )
    if optional_missing:
        mapped.warnings.append(
            f"{frame.file}: preset {spec.preset!r} columns not in the file, left empty: "
            + ", ".join(optional_missing)
        )
    return mapped, problems


_HEADER_CURRENCY = re.compile(r"\(([A-Z]{3})\)\s*$")


def _currency_in_header(header: str | None) -> str | None:
    """The ISO 4217 code an amount's header ends with ('Amount spent (USD)', 'Cost (EUR)'),
    when it is a currency."""
    m = _HEADER_CURRENCY.search(header or "")
    if m is None:
        return None
    from babel.numbers import list_currencies

    return m.group(1) if m.group(1) in list_currencies() else None


def canonical_spec(table: str, path: Path) -> SourceSpec:
    return SourceSpec(table=table, path=str(path))
