"""Choosing how a file's date columns are written: one date order per column, never a guess.

Exports write dates in the locale of whoever ran them: ``01/11/2016`` is the 1st of
November in Paris and the 11th of January in Boston. Reading value by value with the
first format that fits would read part of a column one way and part the other, so the
choice is made per column, over every value:

* the formats come from one place, by precedence: the source's own ``date_formats`` >
  the workspace's ``ingest.date_formats`` > the preset's default > common layouts
  detected from the values (when nothing is set);
* formats are grouped into *families* by the order of day, month and year
  (``%d/%m/%Y`` and ``%d.%m.%Y %H:%M`` are both day-first);
* a column takes the family under which the most values parse (ideally all); ISO 8601
  is always read as such;
* when two families read every value but disagree (no day above 12), the column is
  ambiguous. Formats the user set decide by their order; otherwise another date column
  of the same file that is unambiguous decides (one export, one locale); failing that,
  the ingest stops and says which setting to write.

Once decided for a file, a column keeps its family for every later chunk.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import Problem
from . import parsers

_SAMPLE = 4096
# A detected column mixes two day/month orders when this many distinct values read only
# the other order (and at least this share of those reading only the chosen one)
MIXED_AT_LEAST = 2
MIXED_SHARE = 0.05
# a totals row ('Total: Account', 'Total : compte', 'Gesamt') or a footer ('©2025
# Microsoft Corporation') where an export's dates or records are: no layout reads it (the
# readers tell a footer line from a record cut short with it too)
FOOTER = re.compile(
    r"^\W*(?:total|totaal|totale|gesamt|summe|grand total)\b|©|\bcopyright\b", re.IGNORECASE
)

# Layouts found in CRM, ad-platform and spreadsheet exports, tried when no format is set.
_TIMES_24 = ("", " %H:%M", " %H:%M:%S")
_TIMES_12 = (" %I:%M %p", " %I:%M:%S %p")
AUTO_FORMATS: tuple[str, ...] = (
    *(f"%d{s}%m{s}%Y{t}" for s in "/.-" for t in _TIMES_24),
    *(f"%m{s}%d{s}%Y{t}" for s in "/-" for t in _TIMES_24 + _TIMES_12),
    *(f"%Y{s}%m{s}%d{t}" for s in "/." for t in _TIMES_24),
    *(f"%d %b %Y{t}" for t in _TIMES_24),
    *(f"%d %B %Y{t}" for t in _TIMES_24),
    *(f"%d %b, %Y{t}" for t in _TIMES_24),
    *(f"%b %d, %Y{t}" for t in _TIMES_24 + _TIMES_12),
    *(f"%B %d, %Y{t}" for t in _TIMES_24 + _TIMES_12),
    "%d-%b-%Y",
    "%d-%b-%y",
)

_ORDER_NAMES = {
    "dmy": "day-first",
    "mdy": "month-first",
    "ymd": "year-first",
    "ydm": "year-day-month",
}
_EXAMPLE_DAY = "2024-12-31"


def date_order(fmt: str) -> str:
    """'%d/%m/%Y %H:%M' -> 'dmy': the order of day, month and year in a format."""
    out = []
    for d in re.findall(r"%([dmbBYy])", fmt):
        c = {"b": "m", "B": "m", "Y": "y"}.get(d, d)
        if c not in out:
            out.append(c)
    return "".join(out)


def _textual(fmt: str) -> bool:
    return "%b" in fmt or "%B" in fmt


def _no_such_day(text: str) -> bool:
    """An ISO date whose month has no such day (2025-02-30, 2025-04-31)."""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?", text)
    if m is None:
        return False
    year, month, day = (int(g) for g in m.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return False
    import calendar

    return day > calendar.monthrange(year, month)[1]


@dataclass(frozen=True)
class Family:
    """Formats with the same order of day, month and year (month as a number or a name)."""

    order: str
    textual: bool
    formats: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.label_for(None)

    def label_for(self, value: str | None) -> str:
        """Its name, with the format of it that reads ``value`` (the first one if none)."""
        name = _ORDER_NAMES.get(self.order, self.order)
        if self.textual:
            name += " with month names"
        return f"{name} ({self.format_for(value)})"

    def format_for(self, value: str | None) -> str:
        """The first of its formats that reads ``value`` (a cell as written): the one to
        suggest, separators and time of day included ('01-02-2018' is '%d-%m-%Y', which
        '%d/%m/%Y' does not read)."""
        fitting = layouts_of(value, self.formats) if value else []
        return fitting[0] if fitting else self.formats[0]


def layouts_of(value: str, formats: Sequence[str] = AUTO_FORMATS) -> list[str]:
    """The ``formats`` that read ``value``, the first one of each day/month order."""
    from datetime import datetime

    out: dict[str, str] = {}
    for fmt in formats:
        try:
            datetime.strptime(value.strip(), fmt)
        except ValueError:
            continue
        out.setdefault(date_order(fmt), fmt)
    return list(out.values())


def families(formats: Sequence[str]) -> list[Family]:
    """Group formats into families, keeping the order in which each first appears."""
    groups: dict[tuple[str, bool], list[str]] = {}
    for fmt in formats:
        groups.setdefault((date_order(fmt), _textual(fmt)), []).append(fmt)
    return [Family(o, t, tuple(f)) for (o, t), f in groups.items()]


@dataclass
class Choice:
    """How one column's dates are read."""

    family: Family | None  # None: every value is ISO 8601 (or the column is typed)
    how: str  # "iso", "set", "detected", "adopted"
    note: str | None = None
    # detected columns mixing two orders: the other one, whose values that fit both
    # orders (read differently) cannot be told and are set aside
    rival: Family | None = None

    @property
    def formats(self) -> tuple[str, ...]:
        return self.family.formats if self.family else ()


@dataclass
class _Tally:
    family: Family
    parsed: pa.Array  # timestamp per candidate value, null where it does not parse
    count: int


@dataclass
class DateColumns:
    """The date formats of one source file, decided once and kept for every chunk.

    ``user_formats`` are the formats the user set (source, else workspace), decisive
    in their order; ``preset_formats`` the preset's default, used with the common
    layouts when the user set none.
    """

    file: str
    table: str
    user_formats: tuple[str, ...] = ()
    preset_formats: tuple[str, ...] = ()
    setting: str = "date_formats"  # where the user's formats were set, for messages
    choices: dict[str, Choice] = field(default_factory=dict)
    read_notes: dict[str, str] = field(default_factory=dict)  # header -> how it was read

    @property
    def candidates(self) -> list[Family]:
        if self.user_formats:
            return families(self.user_formats)
        return families([*self.preset_formats, *AUTO_FORMATS])

    def formats_for(self, header: str) -> tuple[str, ...]:
        choice = self.choices.get(header)
        return choice.formats if choice else tuple(self.user_formats)

    def expected(self, header: str, kind: str = "date") -> str:
        """What a cell of this column should look like, for error messages."""
        choice = self.choices.get(header)
        what = "an ISO 8601 date (2024-12-31)"
        if choice and choice.family:
            fmt = choice.family.formats[0]
            sample = _format_example(fmt)
            origin = {
                "set": "as set in " + self.setting,
                "detected": "the layout of this column's other values",
                "adopted": "the layout of this file's other date columns",
            }.get(choice.how, "")
            what = f"a date written like {sample} ({fmt}, {origin}) or ISO 8601"
        elif self.user_formats:
            what += f" or one of {list(self.user_formats)}"
        if kind == "timestamp":
            what += ", with or without a time"
        return what

    def fix(self, example: str | None = None) -> str:
        """The setting that reads the column; ``example``, a cell that failed, picks the
        example layout (digits only: 20250102 is '%Y%m%d', Unix time is no layout)."""
        text = (example or "").strip()
        if FOOTER.search(text):  # no layout reads a totals row or a copyright line
            return (
                "a totals or footer row of the export, not a date: delete it from the file, or "
                "ingest with --policy quarantine to set it aside"
            )
        if _no_such_day(text):  # 2025-02-30: written right, but no calendar has it
            return "a day that does not exist: correct the date in the source"
        layout = "['%d/%m/%Y']"
        fitting = layouts_of(text) if text else []
        if fitting:  # the layouts that read the cell itself, separators and time included
            layout = " or ".join(repr([f]) for f in fitting) + f" for {text}"
        elif re.fullmatch(r"(19|20)\d{6}", text):
            layout = "['%Y%m%d'] for 20250102"
        elif re.fullmatch(r"\d{10}|\d{13}", text):
            return (
                "these look like Unix time (seconds or milliseconds since 1970), which no "
                "date layout reads: export the column as dates or ISO 8601 text"
            )
        return (
            "write the file's date layout in leadpilot.yaml: date_formats on this source "
            f"(e.g. {layout}) or ingest.date_formats for every file"
        )

    def resolve(self, pending: dict[str, tuple[pa.Array, pa.Array]], rows: pa.Array) -> list[
        Problem
    ]:
        """Decide the family of the columns not yet decided; problems for ambiguous ones.

        ``pending`` maps a header to (its distinct non-ISO values, the column as read);
        columns whose values are all ISO 8601 need no decision and are left out.
        """
        values: dict[str, pa.Array] = {}
        tallies_of: dict[str, list[_Tally]] = {}
        for header, (other, _raw) in pending.items():
            if header in self.choices or len(other) == 0:
                continue
            values[header] = other
            tallies_of[header] = self._tally(other)
        columns = {h: raw for h, (_o, raw) in pending.items()}
        pending_names = set(tallies_of)

        clear: dict[str, Family] = {}
        ambiguous: dict[str, list[_Tally]] = {}
        for header, tallies in tallies_of.items():
            best = _best(tallies)
            if not best:
                # nothing parses: keep the user's formats (or ISO); every cell is an error
                fams = families(self.user_formats) if self.user_formats else []
                self.choices[header] = Choice(fams[0] if fams else None, "set")
                continue
            if len(best) == 1 or self.user_formats:
                how = "set" if self.user_formats else "detected"
                self.choices[header] = Choice(best[0].family, how)
                clear[header] = best[0].family
                if not self.user_formats:
                    self._mixed(header, best[0], tallies)
            else:
                ambiguous[header] = best

        problems = []
        orders = {(f.order, f.textual) for f in clear.values()}
        for header, best in ambiguous.items():
            adopt = [t for t in best if (t.family.order, t.family.textual) in orders]
            if len(orders) == 1 and len(adopt) == 1:
                self.choices[header] = Choice(
                    adopt[0].family,
                    "adopted",
                    note=f"{self.file}: column {header!r} fits several date orders; read as "
                    f"{adopt[0].family.label_for(_first(values[header]))} like the file's "
                    "other date columns",
                )
                continue
            problems.append(self._ambiguous(header, best, values[header], columns[header], rows))
        for header, choice in self.choices.items():
            if choice.how == "detected" and choice.note is None and header in pending_names:
                # named by the layout its values are written in ('%d.%m.%Y', not the
                # family's first one, '%d/%m/%Y')
                label = choice.family.label_for(_first(values[header]))
                choice.note = (
                    f"{self.file}: column {header!r} read as {label} dates "
                    "(detected from its values)"
                )
        return problems

    def notes(self) -> list[str]:
        return [c.note for c in self.choices.values() if c.note] + list(self.read_notes.values())

    def _mixed(self, header: str, chosen: _Tally, tallies: list[_Tally]) -> None:
        """A column whose values are written in two day/month orders (exports of two
        offices appended): many read only one way, many only the other. The values both
        read differently ('01/07/2017': 1 July or 7 January) cannot be told; they are set
        aside rather than read the chosen way. A handful read only the other way is a
        typing slip in one column, not a second layout (those alone are set aside)."""
        rivals = []
        for t in tallies:
            if t.family.order == chosen.family.order or not _disagree(t, chosen):
                continue
            only = _count(pc.and_(pc.is_valid(t.parsed), pc.is_null(chosen.parsed)))
            mine = _count(pc.and_(pc.is_valid(chosen.parsed), pc.is_null(t.parsed)))
            if only >= max(MIXED_AT_LEAST, MIXED_SHARE * mine):
                rivals.append((only, mine, t))
        if not rivals:
            return
        only, only_chosen, rival = max(rivals, key=lambda r: r[0])
        choice = self.choices[header]
        choice.rival = rival.family
        choice.note = (
            f"{self.file}: column {header!r} mixes two date orders: {only_chosen:,} value(s) "
            f"read only {chosen.family.label}, {only:,} only {rival.family.label}; read as "
            f"{chosen.family.label}, the others set aside with the values that fit both "
            "(their day and month cannot be told)"
        )

    def rival_of(self, header: str) -> Family | None:
        """The other date order of a column that mixes two (see :meth:`_mixed`)."""
        choice = self.choices.get(header)
        return choice.rival if choice else None

    def mixed_expected(self, header: str) -> str:
        """Why a cell that fits both orders of a mixed column is set aside."""
        choice = self.choices[header]
        return (
            f"a date whose day and month can be told: column {header!r} mixes "
            f"{choice.family.label} and {choice.rival.label} dates, and this one fits both"
        )

    MIXED_FIX = (
        "export the column in one layout (ISO 8601: 2017-07-01), or, if every value is in "
        "fact written one way, set date_formats on this source in leadpilot.yaml"
    )

    def _tally(self, text: pa.Array) -> list[_Tally]:
        out = []
        sample = text.slice(0, _SAMPLE) if len(text) > _SAMPLE else text
        for fam in self.candidates:
            if len(text) > _SAMPLE and not self.user_formats:
                # a family that reads none of a sample cannot be the best one
                probe = parsers.parse_timestamps(sample, fam.formats).values
                if probe.null_count == len(probe):
                    continue
            parsed = parsers.parse_timestamps(text, fam.formats).values
            out.append(_Tally(fam, parsed, len(parsed) - parsed.null_count))
        return out

    def _ambiguous(
        self, header: str, best: list[_Tally], text: pa.Array, raw: pa.Array, rows: pa.Array
    ) -> Problem:
        # the first cell the families read differently, as an example
        a, b = best[0].parsed, best[1].parsed
        differ = pc.fill_null(pc.not_equal(a, b), False)
        idx = pc.index(differ, True).as_py()
        idx = 0 if idx < 0 else idx
        cell = text[idx].as_py()
        readings = ", ".join(
            f"{t.family.label_for(cell)} reads it as {t.parsed[idx].as_py():%Y-%m-%d}"
            for t in best
        )
        row = None
        raw_text = _text_values(raw)
        if raw_text is not None:
            hit = pc.index(pc.utf8_trim_whitespace(raw_text), cell).as_py()
            row = rows[hit].as_py() if hit >= 0 else None
        options = " or ".join(repr([t.family.format_for(cell)]) for t in best)
        only = [_count(pc.and_(pc.is_valid(t.parsed), pc.is_null(o.parsed)))
                for t, o in ((best[0], best[1]), (best[1], best[0]))]  # fmt: skip
        why = (
            f"every value of this column fits several orders ({readings})"
            if not all(only)  # a tie of two orders, each alone reading some values: mixed
            else f"the column mixes orders as much one way as the other ({only[0]:,} "
            f"value(s) read only {best[0].family.label}, {only[1]:,} only "
            f"{best[1].family.label}; {readings})"
        )
        return Problem(
            table=self.table,
            file=self.file,
            row=row,
            column=header,
            value=cell,
            expected=f"dates whose day/month order can be told: {why}, and no other date "
            "column of the file settles it",
            fix=f"set date_formats: {options} on this source in leadpilot.yaml "
            "(or ingest.date_formats for every file)",
        )


def _format_example(fmt: str) -> str:
    from datetime import datetime

    return datetime(2024, 12, 31, 17, 45, 0).strftime(fmt)


def _text_values(arr: pa.Array | pa.ChunkedArray) -> pa.Array | None:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if pa.types.is_null(arr.type):
        return pa.array([], pa.string())
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return arr.cast(pa.string())
    return None


def _best(tallies: list[_Tally]) -> list[_Tally]:
    """Families reading the most values; several only if they read some value differently."""
    if not tallies:
        return []
    top = max(t.count for t in tallies)
    if top == 0:
        return []
    best = [t for t in tallies if t.count == top]
    distinct = [best[0]]
    for t in best[1:]:
        if all(_disagree(t, d) for d in distinct):
            distinct.append(t)
    return distinct


def _first(values: pa.Array) -> str | None:
    """The first non-empty value of a column's distinct texts (to name its layout by)."""
    for v in values.to_pylist():
        if v and v.strip():
            return v
    return None


def _count(mask: pa.Array) -> int:
    return int(pc.sum(mask).as_py() or 0)


def _disagree(a: _Tally, b: _Tally) -> bool:
    both = pc.and_(pc.is_valid(a.parsed), pc.is_valid(b.parsed))
    same = pc.equal(a.parsed, b.parsed)
    return bool(pc.any(pc.and_(both, pc.invert(pc.fill_null(same, True)))).as_py())
