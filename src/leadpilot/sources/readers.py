"""Reading source files (csv, json, parquet, xlsx) into Arrow tables, with row numbers.

Text files are read with every column as a string: parsing and validation
happen later, so that a bad value is reported, never guessed. The ``__row``
column holds the number a user sees in the file: the *line* where the record
starts in a text file (header = line 1; blank lines and quoted newlines
counted), the sheet's row in a workbook, the record's number in Parquet.

A line that cannot be split into the header's fields (an unquoted separator,
a truncated last line, an unbalanced quote, a NUL byte) is kept as a row of
nulls whose ``__line`` holds the line as written: typing turns it into a
problem with its line number, so that it is refused under ``strict`` and
quarantined with its raw text under ``quarantine``, while the other rows load.

Files are refused before being parsed when they are not what their name says
(a ZIP archive, an HTML page, a workbook saved as ``.csv``), and a symbolic
link to a file outside its folder is never read: its content is never echoed.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..errors import Notice, SourceError
from .dates import FOOTER

ROW = "__row"
LINE = "__line"  # the line as written, when it could not be split into fields
_HEADER_AT = "__header_at"  # the line reader's header line (its columns hold it)
SUPPORTED = (".csv", ".txt", ".tsv", ".parquet", ".xlsx", ".json", ".jsonl", ".ndjson")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")
Progress = Callable[[int], None]  # called with the number of bytes (or rows) just read

# Codes of the notes a reader leaves (how a file was read, when something was guessed).
CODES: dict[str, str] = {
    "encoding_detected": "the file is not UTF-8: its legacy encoding was detected",
    "blank_rows_skipped": "rows holding only separators or blank cells were skipped",
    "several_sheets": "the workbook has several sheets with data: one was read",
    "header_below_title": "title rows above the header (merged cells, a report's title and "
    "dates) were skipped",
    "nested_as_json": "nested values (objects, lists) are kept as JSON text",
    "excel_serial_dates": "dates written as Excel serial day numbers were converted",
}
# What fixes the file; a refusal adds that --policy quarantine loads the other rows.
MALFORMED_FIX = {
    "more": 'quote the values that hold the separator ("Acme, Inc.") in the file',
    "fewer": "re-export the complete file, or add the missing separators",
    "footer": "delete the footer or totals line from the file",
    "quote": 'close the quote, or double the quotes inside the value ("")',
    "nul": "remove the NUL bytes (\\x00) from the file",
    "json": "correct that line's JSON",
    "csv": "correct that line in the file",
}
SHOWN_CHARS = 200  # a malformed line shows at most this much of itself in a message
csv.field_size_limit(1 << 30)


def note(code: str, message: str) -> Notice:
    """A reader's note, with one of :data:`CODES`."""
    assert code in CODES, code
    return Notice(code, message)


@dataclass
class RawFrame:
    file: str
    data: pa.Table  # source columns (as in the file) + ROW (+ LINE for malformed lines)
    note: str | None = None  # how the file was read, when it was guessed (a Notice)


def _joined(notes: list[Notice]) -> Notice | None:
    """One note for a frame (the first one's code, every sentence)."""
    if not notes:
        return None
    return Notice(notes[0].code, " ".join(str(n) for n in notes))


MAX_TITLE_LINES = 10


def _fields(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def _title_lines(path: Path, encoding: str, delimiter: str | None) -> tuple[int, str] | None:
    """Report lines above the header of a text export (Google Ads: the report's name and
    date range; LinkedIn: the account and dates), as xlsx title rows are: ``(k, the
    delimiter)`` when each of the first k non-blank lines holds one value, and the next one
    is a header of at least two names whose following lines have as many fields. None
    otherwise (a title holding the separator unquoted is not told apart: refused)."""
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        sample = fh.read(64 * 1024)
    lines = [line for line in sample.splitlines()[: 4 * MAX_TITLE_LINES] if line.strip()]
    # a title holds one value whatever the separator: 'date;channel' is a header that a
    # comma does not split, not a title
    single = [
        all(sum(1 for v in _fields(line, d) if v.strip()) == 1 for d in ",;\t|")
        for line in lines[:MAX_TITLE_LINES]
    ]
    for d in [delimiter] if delimiter else list(",;\t|"):
        for k in range(1, min(MAX_TITLE_LINES, len(lines) - 2) + 1):
            if not single[k - 1]:
                break
            header = _fields(lines[k], d)
            after = [_fields(line, d) for line in lines[k + 1 : k + 4]]
            if sum(1 for v in header if v.strip()) >= 2 and all(
                len(f) == len(header) for f in after
            ):
                return k, d
    return None


def _sniff_delimiter(path: Path, encoding: str) -> str:
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        sample = fh.read(64 * 1024)
    if not sample.strip():
        raise SourceError(f"{path}: the file is empty (expected a header row)")
    lines = [(i, line) for i, line in enumerate(sample.splitlines(), start=1) if line.strip()]
    first = lines[0][1]
    try:
        return csv.Sniffer().sniff(first, delimiters=",;\t|").delimiter
    except csv.Error:
        pass
    # One value on the header line: a report title above the real header?
    after = [line for _, line in lines[1:4]]
    seps = [d for d in ",;\t|" if after and all(line.count(d) >= 1 for line in after)]
    if seps and '"' not in first:
        shown = first.strip()[:60]
        raise SourceError(
            f"{path}: line {lines[0][0]} holds one value ({shown!r}) while the lines after it "
            f"hold several separated by {seps[0]!r}: a title above the header row? The header "
            "must be the first line; fix: delete the lines above the header"
        )
    return ","


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
ENCODING_FIX = (
    "set the file's encoding on its source in leadpilot.yaml, e.g. encoding: windows-1252 "
    "(Excel and Salesforce on Windows), iso-8859-1 or utf-16"
)


def _bom_encoding(path: Path) -> str | None:
    with open(path, "rb") as fh:
        head = fh.read(4)
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    return None


def _utf16_without_bom(path: Path) -> str | None:
    """UTF-16 text without a byte-order mark: every other byte of ASCII text is NUL."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _first_undecodable(path: Path, encoding: str) -> tuple[int, bytes] | None:
    """(line number, bytes around it) of the first byte ``encoding`` cannot decode."""
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                pos = max(0, min(exc.start, len(chunk)))
                return line + chunk[:pos].count(b"\n"), chunk[max(0, pos - 24) : pos + 8]
            line += chunk.count(b"\n")
    return None


_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _holds_utf8(path: Path) -> bool:
    """Whether the file holds well-formed UTF-8 sequences for non-ASCII characters (an
    8-bit code page almost never yields them: 'Ã©' is not how anyone writes)."""
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            if len(_UTF8_SEQUENCE.findall(chunk)) >= 2:
                return True
    return False


_WESTERN = set("€‚„…†‡ˆ‰‹‘’“”•–—˜™›\xa0¡¢£¤¥¦§¨©ª«¬\xad®¯°±²³´µ¶·¸¹º»¼½¾¿×÷")


def _western(path: Path) -> bool:
    """Whether Windows-1252 reads the file as Western European text: every byte defined
    and the non-ASCII characters letters or common signs (é, ß, €, ’, «, °...)."""
    try:
        text = path.read_bytes().decode("cp1252")
    except UnicodeDecodeError:
        return False
    other = [c for c in text if ord(c) > 127]
    fine = sum(1 for c in other if c in _WESTERN or (c.isalpha() and ord(c) < 0x250))
    return not other or fine >= 0.95 * len(other)


def _detect_legacy(path: Path) -> str | None:
    """A legacy 8-bit encoding (Windows-1252, Latin-1, ...) told by charset-normalizer.

    Windows-1252, by far the most common for exports (and a superset of Latin-1's
    letters), wins whenever it reads the file as Western text: on a short file the
    detector can prefer a code page that reads é as something else.
    """
    from charset_normalizer import from_path

    if _western(path):
        return "windows-1252"

    matches = list(from_path(path, steps=8, chunk_size=4096))
    if not matches:
        return None
    best = matches[0]
    if best.encoding.replace("_", "").startswith(("utf8", "ascii")):
        return None
    # Several 8-bit code pages decode the same bytes as cleanly (é is 0xE9 in most of
    # them): among the cleanest, Windows-1252, by far the most common for exports, wins.
    cleanest = [m for m in matches if m.chaos <= best.chaos]
    if any("cp1252" in m.could_be_from_charset for m in cleanest):
        return "windows-1252"
    return best.encoding


def _undecodable_error(path: Path, encoding: str, detected: bool) -> SourceError:
    where = _first_undecodable(path, encoding)
    at = f" at line {where[0]} (bytes {where[1]!r})" if where else ""
    how = "is not valid" if not detected else "could not be told; it is not"
    return SourceError(
        f"{path}: the file's text encoding {how} {encoding}{at}; fix: {ENCODING_FIX}"
    )


def _mixed_error(path: Path) -> SourceError:
    where = _first_undecodable(path, "utf-8")
    at = f"line {where[0]} holds bytes that are not (bytes {where[1]!r})" if where else ""
    return SourceError(
        f"{path}: the file is UTF-8 but {at}: it mixes two text encodings (rows pasted from "
        "another export?), and no single encoding reads it right; fix: re-save that part as "
        "UTF-8 (or the whole file in one encoding and set encoding: on its source)"
    )


def read_csv(
    path: Path,
    delimiter: str | None = None,
    encoding: str | None = None,
    progress: Progress | None = None,
) -> RawFrame:
    """Read a delimited text file, every column as text.

    The encoding is the one given; otherwise a byte-order mark says it (UTF-8, UTF-16),
    else UTF-8, else UTF-16 without a mark, else a legacy 8-bit encoding detected by
    charset-normalizer (noted in the frame). An undecodable file, or one mixing UTF-8
    with another encoding, is refused with its line and the setting to write.
    """
    notes: list[Notice] = []
    enc = encoding or _bom_encoding(path)
    if enc is None and (wide := _utf16_without_bom(path)):
        enc = wide
        notes.append(
            note(
                "encoding_detected",
                f"{path}: read as {wide} (detected: UTF-16 text without a byte-order "
                "mark); set encoding: on its source if that is not right",
            )
        )
    enc = enc or "utf-8"
    try:
        return _read_csv(path, delimiter, enc, progress, notes)
    except (UnicodeDecodeError, _InvalidText) as exc:
        if encoding is not None or enc != "utf-8":
            raise _undecodable_error(path, enc, detected=False) from exc
    if _holds_utf8(path):
        raise _mixed_error(path)
    legacy = _detect_legacy(path)
    if legacy is None:
        raise _undecodable_error(path, "utf-8", detected=True)
    notes.append(
        note(
            "encoding_detected",
            f"{path}: read as {legacy} (detected: the file is not UTF-8); set encoding: "
            f"{legacy} on its source to say so, or another encoding if that is not right",
        )
    )
    try:
        return _read_csv(path, delimiter, legacy, progress, notes)
    except (UnicodeDecodeError, _InvalidText):
        raise _undecodable_error(path, legacy, detected=True) from None


class _InvalidText(Exception):
    """Arrow met bytes that are not text in the expected encoding."""


# --------------------------------------------------------------------------- headers
def _fold(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", "_", text.strip().lower()).strip("_")


def clean_header(path: Path, names: list, where: str = "row 1") -> list[str]:
    """Header cells as column names: trimmed, unnamed ones ``column_N``; two cells that
    name the same column (exactly, or but for case, spaces and accents) are refused,
    naming both: one of them would otherwise be silently dropped."""
    out = []
    for i, h in enumerate(names):
        text = "" if h is None else str(h).lstrip("\ufeff").strip()
        out.append(text or f"column_{i + 1}")
    seen: dict[str, str] = {}
    clashes = []
    for h in out:
        key = _fold(h) or h
        if key in seen:
            clashes.append((seen[key], h))
        else:
            seen[key] = h
    if clashes:
        pairs = "; ".join(f"{a!r} and {b!r}" for a, b in clashes)
        raise SourceError(
            f"{path}: {where} has columns that name the same column: {pairs} (column "
            "names are compared without case, spaces and accents), so one of them would be "
            "dropped; fix: rename or delete one of them in the file"
        )
    return out


def _packed(expected: str, kind: str, text: str) -> str:
    """What ``LINE`` holds for a line that does not fit: what was expected, the fix and
    the line as written (a NUL byte shown as \\x00), NUL-separated; typing unpacks it."""
    text = _shown(text.replace("\x00", "\\x00"))
    return f"{expected}\x00{MALFORMED_FIX[kind]}\x00{text}"


def _shown(raw: str) -> str:
    raw = raw.rstrip("\r\n")
    if len(raw) <= SHOWN_CHARS:
        return raw
    return f"{raw[:SHOWN_CHARS]}… ({len(raw):,} characters in all)"


# --------------------------------------------------------------------------- csv
class _Lines:
    """A text file's lines for ``csv.reader``, numbered; the lines of the record being
    read are kept (its raw text), and lines can be given back to be read again."""

    def __init__(self, fh: io.TextIOBase) -> None:
        self.fh = fh
        self.back: list[str] = []
        self.line = 0  # number of the last line handed out
        self.taken: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        text = self.back.pop() if self.back else next(self.fh)
        self.line += 1
        self.taken.append(text)
        return text

    def give_back(self, lines: list[str]) -> None:
        self.back.extend(reversed(lines))
        self.line -= len(lines)


@dataclass
class _Layout:
    """What a record of the file must look like."""

    names: list[str]
    named: int  # the record must reach the last named column (unnamed trailing ones may lack)
    delimiter: str

    @property
    def width(self) -> int:
        return len(self.names)

    def kind(self, found: int, text: str) -> str:
        """How a line misses the header's width: 'more' fields, 'fewer', or an export's
        'footer' (a copyright or totals line)."""
        if found > self.width:
            return "more"
        return "footer" if FOOTER.search(text) else "fewer"

    def expected(self, found: int, text: str = "") -> str:
        shown = ", ".join(self.names[:6]) + (", ..." if self.width > 6 else "")
        what = f"{self.width} fields ({shown}) separated by {self.delimiter!r}, as in the header"
        if found < self.width and FOOTER.search(text):
            why = "; the line is the export's footer or totals line, not a record"
        elif found > self.width:
            why = (
                "; the line has more: an unquoted separator inside a value (Acme, Inc.)?"
                if found < self.width * 3
                else "; the line has far more: an over-long line of stray separators?"
            )
        else:
            why = "; the line has fewer: cut short (a truncated export?) or a missing separator"
        return f"{what}, found {found}{why}"

    def fits(self, rec: list[str]) -> list[str] | None:
        """The record padded or trimmed to the header's width, or None when it does not fit
        (trailing empty fields beyond the header, or missing unnamed ones, are fine)."""
        n = len(rec)
        if n == self.width:
            return rec
        if n > self.width and not any(v.strip() for v in rec[self.width :]):
            return rec[: self.width]
        if self.named <= n < self.width:
            return rec + [""] * (self.width - n)
        return None


def _stray_quote(taken: list[str], rec: list[str], layout: _Layout) -> bool:
    """Whether a record spanning several lines is an opening quote never closed (rather
    than a value with line breaks): its quotes do not pair up (it ran to the end of the
    file), or it does not fit the header and swallowed lines that are rows of their own."""
    if sum(line.count('"') for line in taken) % 2:
        return True
    return layout.fits(rec) is None and _looks_like_rows(taken[1:], layout)


def _looks_like_rows(lines: list[str], layout: _Layout) -> bool:
    """Lines swallowed into one quoted value that are whole rows of their own: the quote
    that opened the value was never closed."""
    return any(
        '"' not in line and line.count(layout.delimiter) >= max(1, layout.width - 1)
        for line in lines
    )


def _read_text(
    path: Path, enc: str, delimiter: str, titles: int = 0
) -> tuple[list[str], dict, int]:
    """Every record of a text file, with the line where it starts: (header, columns, skipped).

    ``columns`` maps names to lists of values, plus ROW (line numbers) and LINE (the raw
    text of the lines that do not fit, None for the others). The first ``titles``
    non-blank records are report lines above the header (skipped).
    """
    with open(path, encoding=enc, newline="") as fh:
        feed = _Lines(fh)
        reader = csv.reader(feed, delimiter=delimiter)
        header = None
        while header is None:
            try:
                rec = next(reader)
            except StopIteration:
                raise SourceError(f"{path}: the file is empty (expected a header row)") from None
            if any(v.strip() for v in rec):
                if titles:
                    titles -= 1
                else:
                    header = rec
        names = clean_header(path, header, f"line {feed.line}")
        header_at = feed.line
        named = max(i for i, h in enumerate(header) if str(h).strip()) + 1
        layout = _Layout(names, named, delimiter)
        values: list[list[str | None]] = [[] for _ in names]
        rows: list[int] = []
        raw: list[str | None] = []
        skipped = 0
        empty = [None] * layout.width

        def bad(line: int, text: str, found: str, kind: str) -> None:
            for col, v in zip(values, empty, strict=True):
                col.append(v)
            rows.append(line)
            raw.append(_packed(found, kind, text))

        while True:
            feed.taken = []
            start = feed.line + 1
            try:
                rec = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                bad(start, "".join(feed.taken), f"a line csv can read ({exc})", "csv")
                continue
            if not rec:
                continue  # a blank line
            if not any(v.strip() for v in rec):
                skipped += 1  # ',,,': what Excel leaves of deleted rows
                continue
            taken = feed.taken
            if len(taken) > 1 and _stray_quote(taken, rec, layout):
                feed.give_back(taken[1:])
                bad(
                    start,
                    taken[0],
                    "a closing quote: the quote opened in this line is never closed, so it "
                    f"would swallow the next {len(taken) - 1} line(s) into one value",
                    "quote",
                )
                continue
            if any("\x00" in v for v in rec):
                bad(start, "".join(taken), "text without NUL bytes", "nul")
                continue
            fitted = layout.fits(rec)
            if fitted is None:
                more = layout.kind(len(rec), "".join(taken))
                bad(start, "".join(taken), layout.expected(len(rec), "".join(taken)), more)
                continue
            for col, v in zip(values, fitted, strict=True):
                col.append(v)
            rows.append(start)
            raw.append(None)
    columns: dict = dict(zip(names, values, strict=True))
    columns[ROW] = rows
    columns[LINE] = raw
    columns[_HEADER_AT] = header_at
    return names, columns, skipped


def _physical_lines(path: Path) -> int:
    """Lines of an 8-bit or UTF-8 file (\\n, \\r\\n and a lone \\r each end one), empty
    lines at its end left out."""
    n, last = 0, b""
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            n += chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")
            if last == b"\r" and chunk[:1] == b"\n":
                n -= 1
            last = chunk[-1:]
    n += 1 if last not in (b"\n", b"\r", b"") else 0
    return n - _blank_lines_at_end(path)


def _blank_lines_at_end(path: Path) -> int:
    """Empty lines after the last record (an extra newline or two at the end of a file):
    they shift no row, so Arrow's reading still numbers every row right."""
    with open(path, "rb") as fh:
        fh.seek(max(0, path.stat().st_size - 4096))
        tail = fh.read()
    ends = tail[len(tail.rstrip(b"\r\n")) :]
    count = ends.count(b"\n") + ends.count(b"\r") - ends.count(b"\r\n")
    return max(count - 1, 0)


def _read_csv(
    path: Path,
    delimiter: str | None,
    enc: str,
    progress: Progress | None,
    notes: list[Notice],
) -> RawFrame:
    wide = enc.lower().replace("-", "").replace("_", "").startswith(("utf16", "utf32"))
    if not wide:
        _header_decodes(path, enc)
    # report lines above the header (told by the header's separator), else line 1's
    found = _title_lines(path, enc, delimiter)
    delimiter = delimiter or (found[1] if found else _sniff_delimiter(path, enc))
    titles = found[0] if found else 0
    table = None
    if not wide and not titles:
        table = _read_csv_arrow(path, delimiter, enc, progress)
    if table is None:
        # Blank lines, quoted newlines, a line that does not fit, report lines above the
        # header: read line by line, so that each record keeps the number of its line.
        names, columns, skipped = _read_text(path, enc, delimiter, titles)
        if titles:
            notes.append(_titles_note(path, titles, columns[_HEADER_AT]))
        if progress is not None:
            progress(path.stat().st_size)
        arrays = {n: pa.array(columns[n], pa.string()) for n in names}
        arrays[ROW] = pa.array(columns[ROW], pa.int64())
        table = pa.table(arrays)
        malformed = [r for r in columns[LINE] if r is not None]
        if malformed:
            table = table.append_column(LINE, pa.array(columns[LINE], pa.string()))
    else:
        table, skipped = _drop_blank_rows(table)
    table = _drop_empty_unnamed(table)
    if skipped:
        notes.append(_skipped_note(path, skipped, "line"))
    return RawFrame(str(path), table, _joined(notes))


def _titles_note(path: Path, titles: int, header: int) -> Notice:
    return note(
        "header_below_title",
        f"{path}: {titles} line(s) above the header hold one value each (an export's report "
        f"title and date range): skipped; the header is line {header}",
    )


def _header_decodes(path: Path, enc: str) -> None:
    """The header line in ``enc``, strictly: it is read apart from the rows (a replacement
    character where a byte does not decode), so a Windows-1252 export whose only accents
    are in its header ('Créé le') read as UTF-8 without an error, its columns misnamed
    ('Cr�� le'). Raises UnicodeDecodeError, which sends the file to encoding detection."""
    with open(path, "rb") as fh:
        line = fh.readline(1 << 20)
    line.decode(enc)


def _skipped_note(path: Path, n: int, what: str) -> Notice:
    return note(
        "blank_rows_skipped",
        f"{path}: {n:,} {what}(s) holding only separators or blank cells skipped (what a "
        "spreadsheet leaves of deleted rows); they are not records",
    )


def _drop_blank_rows(table: pa.Table) -> tuple[pa.Table, int]:
    data = [c for c in table.column_names if c not in (ROW, LINE)]
    if not data or not table.num_rows:
        return table, 0
    blank = None
    for c in data:
        col = table[c]
        text = pc.cast(col, pa.string()) if not pa.types.is_string(col.type) else col
        empty = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(text), ""), True)
        blank = empty if blank is None else pc.and_(blank, empty)
    if LINE in table.column_names:
        blank = pc.and_(blank, pc.is_null(table[LINE]))
    n = pc.sum(blank).as_py() or 0
    if n:
        table = table.filter(pc.invert(blank))
    return table, n


def _drop_empty_unnamed(table: pa.Table) -> pa.Table:
    """Columns without a header whose cells are all empty (trailing separators)."""
    for c in list(table.column_names):
        if re.fullmatch(r"column_\d+", c):
            col = table[c]
            text = pc.cast(col, pa.string())
            if not pc.any(
                pc.fill_null(pc.not_equal(pc.utf8_trim_whitespace(text), ""), False)
            ).as_py():
                table = table.drop_columns([c])
    return table


def _read_csv_arrow(
    path: Path, delimiter: str, enc: str, progress: Progress | None
) -> pa.Table | None:
    """The fast path: Arrow reads the file when each record is exactly one line (the row
    numbers are then the line numbers), lines that do not fit the header included (a
    large export with one bad line stays fast); None when the file needs reading line by
    line (blank lines, quoted newlines, stray quotes, NUL bytes)."""
    with open(path, encoding=enc, errors="replace", newline="") as fh:
        first = next(csv.reader(fh, delimiter=delimiter), None)
    if not first or not any(v.strip() for v in first):
        return None  # leading blank lines, or an empty file: the line reader says which
    header = clean_header(path, first)
    layout = _Layout(header, max(i for i, h in enumerate(first) if h.strip()) + 1, delimiter)
    arrow_enc = "utf8" if enc.lower().replace("-", "") in ("utf8", "utf8sig") else enc
    found = _arrow_pass(path, header, delimiter, arrow_enc, progress, threads=True)
    if found is not None and any(r.number is None for r in found[1]):
        # Arrow numbers the lines it skips only when it reads on one thread
        found = _arrow_pass(path, header, delimiter, arrow_enc, None, threads=False)
    if found is None:
        return None
    table, invalid = found
    if _physical_lines(path) != table.num_rows + len(invalid) + 1:
        return None
    for name in header:
        # a NUL byte, or a line break in a value (a quote never closed at the very end)
        if pc.any(pc.match_substring_regex(table[name], "[\\x00\\r\\n]")).as_py():
            return None
    lines, raw = [], []
    for r in invalid:
        fields = next(csv.reader([r.text], delimiter=delimiter), [])
        if layout.fits(fields) is not None or "\x00" in r.text or '"' in r.text:
            return None  # the line reader decides (padding, quotes, NUL bytes)
        more = layout.kind(len(fields), r.text)
        lines.append(r.number)
        raw.append(_packed(layout.expected(len(fields), r.text), more, r.text))
    n = table.num_rows
    if not invalid:
        return table.append_column(ROW, pa.array(np.arange(2, n + 2), pa.int64()))
    every = np.arange(2, n + len(invalid) + 2)
    good = every[~np.isin(every, np.array(lines))]
    table = table.append_column(ROW, pa.array(good, pa.int64()))
    table = table.append_column(LINE, pa.nulls(n, pa.string()))
    bad = {h: pa.nulls(len(lines), pa.string()) for h in header}
    bad[ROW] = pa.array(lines, pa.int64())
    bad[LINE] = pa.array(raw, pa.string())
    return pa.concat_tables([table, pa.table(bad)])


def _arrow_pass(
    path: Path,
    header: list[str],
    delimiter: str,
    arrow_enc: str,
    progress: Progress | None,
    threads: bool,
) -> tuple[pa.Table, list] | None:
    """Arrow's reading of the file, with the lines that do not fit the header set aside."""
    invalid: list = []

    def on_invalid(row) -> str:
        invalid.append(row)
        return "skip"

    read_opts = pacsv.ReadOptions(
        column_names=header,
        skip_rows=1,
        encoding=arrow_enc,
        block_size=16 << 20,
        use_threads=threads,
    )
    parse_opts = pacsv.ParseOptions(
        delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
    )
    convert_opts = pacsv.ConvertOptions(
        column_types={h: pa.string() for h in header},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    try:
        reader = pacsv.open_csv(
            path, read_options=read_opts, parse_options=parse_opts, convert_options=convert_opts
        )
        batches = []
        size = path.stat().st_size
        seen = 0
        for batch in reader:
            batches.append(batch)
            if len(invalid) > 1000:
                return None  # not a few bad lines: the line reader reports them all
            if progress is not None:
                # Arrow does not expose byte offsets: estimate from the share of rows read.
                done = min(size, int(size * 0.98 * (len(batches) / (len(batches) + 1))))
                progress(done - seen)
                seen = done
        table = pa.Table.from_batches(batches, schema=reader.schema)
    except pa.ArrowInvalid as exc:
        if "utf8" in str(exc).lower() or "utf-8" in str(exc).lower():
            raise _InvalidText(str(exc)) from None
        return None  # an over-long line, a stray quote...: the line reader names it
    if progress is not None:
        progress(size - seen)
    return table, invalid


# --------------------------------------------------------------------------- json
def _flatten(obj: dict, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for k, v in obj.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and v:
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


def _json_text(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    if isinstance(v, int | float):
        return json.dumps(v)
    return json.dumps(v, ensure_ascii=False)


def _json_records(path: Path, text: str) -> Iterator[tuple[int, dict | None, str]]:
    """(line, record or None, raw text) of each record of a JSON or JSON Lines file."""
    stripped = text.lstrip("\ufeff \t\r\n")
    decoder = json.JSONDecoder()
    lines_mode = path.suffix.lower() in (".jsonl", ".ndjson")
    if not lines_mode and stripped.startswith("{"):
        try:
            first, end = decoder.raw_decode(stripped)
        except json.JSONDecodeError:
            first, end = None, 0
        rest = stripped[end:].lstrip()
        if rest.startswith("{") or first is None:
            lines_mode = True  # JSON Lines in a .json file
        elif isinstance(first, dict):
            lists = [k for k, v in first.items() if isinstance(v, list)]
            if len(lists) == 1 and all(isinstance(r, dict) for r in first[lists[0]]):
                for r in first[lists[0]]:
                    yield 0, r, ""
                return
            raise SourceError(
                f"{path}: holds one JSON object (keys {sorted(first)[:8]}), not records; "
                "expected a list of objects ([{...}, {...}]) or JSON Lines (one object a line)"
            )
    if lines_mode:
        for i, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                yield (
                    i,
                    None,
                    _packed(f"a JSON object ({exc.msg}: column {exc.colno})", "json", line),
                )
                continue
            if not isinstance(rec, dict):
                yield i, None, _packed(f"a JSON object, not {type(rec).__name__}", "json", line)
                continue
            yield i, rec, line
        return
    if not stripped.startswith("["):
        raise SourceError(
            f"{path}: is not JSON records; expected a list of objects ([{{...}}, {{...}}]) "
            "or JSON Lines (one object a line)"
        )
    pos = text.index("[") + 1
    line = 1 + text.count("\n", 0, pos)
    last = pos
    ws = re.compile(r"[\s,]*")
    while True:
        pos = ws.match(text, pos).end()
        if pos >= len(text) or text[pos] == "]":
            break
        line += text.count("\n", last, pos)
        last = pos
        try:
            rec, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise SourceError(
                f"{path}: is not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}; "
                "fix: re-export the file (JSON Lines keeps the other records when one is bad)"
            ) from None
        if not isinstance(rec, dict):
            yield line, None, _packed(f"a JSON object, not {type(rec).__name__}", "json", repr(rec))
            continue
        yield line, rec, ""


def read_json(
    path: Path, encoding: str | None = None, progress: Progress | None = None
) -> RawFrame:
    """JSON (a list of objects) or JSON Lines: each object a row, read like a CSV export.

    Values become text as a CSV would hold them; nested objects are flattened into
    ``parent.child`` columns and lists kept as JSON text; the row number is the line
    where the object starts.
    """
    enc = encoding or _bom_encoding(path) or "utf-8"
    try:
        text = path.read_text(encoding=enc)
    except UnicodeDecodeError:
        raise _undecodable_error(path, enc, detected=False) from None
    if not text.strip():
        raise SourceError(f"{path}: the file is empty (expected JSON records)")
    names: dict[str, None] = {}
    records: list[tuple[int, dict | None, str]] = []
    nested = False
    for i, (line, rec, raw) in enumerate(_json_records(path, text), start=1):
        if rec is not None:
            flat = _flatten(rec)
            nested = (
                nested
                or len(flat) != len(rec)
                or any(isinstance(v, list | dict) for v in flat.values())
            )
            for k in flat:
                names.setdefault(k, None)
            rec = flat
        records.append((line or i, rec, raw))
    if not records:
        raise SourceError(
            f"{path}: holds no records (an empty list), so nothing says what its columns "
            "are; fix: leave the file out until the export has records"
        )
    header = clean_header(path, list(names), "the records")
    cols = {h: [] for h in header}
    rows, bad = [], []
    for line, rec, raw in records:
        rows.append(line)
        bad.append(None if rec is not None else raw)
        for k, h in zip(names, header, strict=True):
            cols[h].append(None if rec is None else _json_text(rec.get(k)))
    table = pa.table({**{h: pa.array(v, pa.string()) for h, v in cols.items()},
                      ROW: pa.array(rows, pa.int64())})  # fmt: skip
    if any(b is not None for b in bad):
        table = table.append_column(LINE, pa.array(bad, pa.string()))
    if progress is not None:
        progress(path.stat().st_size)
    notes = []
    if nested:
        notes.append(
            note(
                "nested_as_json",
                f"{path}: nested objects read as 'parent.child' columns, lists kept as JSON text",
            )
        )
    return RawFrame(str(path), table, _joined(notes))


# --------------------------------------------------------------------------- parquet
def _nested_to_json(table: pa.Table) -> tuple[pa.Table, bool]:
    """Struct, list and map columns as JSON text: a lead attribute is a flat value."""
    changed = False
    for i, f in enumerate(table.schema):
        t = f.type
        if (
            pa.types.is_struct(t)
            or pa.types.is_list(t)
            or pa.types.is_large_list(t)
            or pa.types.is_map(t)
            or pa.types.is_fixed_size_list(t)
        ):
            values = [
                None if v is None else json.dumps(_plain(v), ensure_ascii=False, default=str)
                for v in table.column(i).to_pylist()
            ]
            table = table.set_column(i, f.name, pa.array(values, pa.string()))
            changed = True
        elif pa.types.is_binary(t) or pa.types.is_large_binary(t):
            values = [
                None if v is None else v.decode("utf-8", "replace")
                for v in table.column(i).to_pylist()
            ]
            table = table.set_column(i, f.name, pa.array(values, pa.string()))
    return table, changed


def _plain(v: object) -> object:
    if isinstance(v, list) and v and all(isinstance(x, tuple) and len(x) == 2 for x in v):
        return {str(k): _plain(x) for k, x in v}  # a map's (key, value) pairs
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    if isinstance(v, datetime | date | time):
        return v.isoformat()
    return v


def _parquet_frame(path: Path, table: pa.Table, first: int) -> RawFrame:
    clean_header(path, table.column_names, "the schema")
    table, nested = _nested_to_json(table)
    rows = pa.array(range(first, first + table.num_rows), pa.int64())
    notes = []
    if nested:
        notes.append(
            note("nested_as_json", f"{path}: nested values (structs, lists) kept as JSON text")
        )
    return RawFrame(str(path), table.append_column(ROW, rows), _joined(notes))


def read_parquet(path: Path, progress: Progress | None = None) -> RawFrame:
    try:
        table = pq.read_table(path)
    except Exception as exc:
        raise SourceError(f"{path}: cannot be read as Parquet: {exc}") from None
    if progress is not None:
        progress(path.stat().st_size)
    return _parquet_frame(path, table, 1)


# --------------------------------------------------------------------------- xlsx
def _pick_sheet(path: Path, wb, sheet: str | None) -> tuple[object, list[Notice]]:
    if sheet is not None:
        if sheet not in wb.sheetnames:
            raise SourceError(
                f"{path}: no worksheet named {sheet!r}; the workbook has {wb.sheetnames}"
            )
        return wb[sheet], []
    filled = [ws for ws in wb.worksheets if (ws.max_row or 0) > 1 or (ws.max_column or 0) > 1]
    named = [ws for ws in wb.worksheets if _fold(ws.title) == _fold(path.stem)]
    ws = named[0] if named else (filled[0] if filled else wb.worksheets[0])
    others = [w.title for w in filled if w is not ws]
    if not others:
        return ws, []
    return ws, [
        note(
            "several_sheets",
            f"{path}: the workbook has {len(others) + 1} sheets with data; read {ws.title!r}"
            + (" (named after the file)" if named else " (the first)")
            + f", not {', '.join(map(repr, others))}; set sheet: on its source to read another",
        )
    ]


def _excel_cell(v: object) -> object:
    return v.strip() if isinstance(v, str) else v


def read_xlsx(path: Path, sheet: str | None = None, progress: Progress | None = None) -> RawFrame:
    try:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise SourceError(f"{path}: cannot be read as an Excel workbook: {exc}") from None
    try:
        ws, notes = _pick_sheet(path, wb, sheet)
        grid = [list(r) for r in ws.iter_rows(values_only=True)]
        title = ws.title
    finally:
        wb.close()
    filled = [sum(1 for v in r if v not in (None, "")) for r in grid]
    if not any(filled):
        raise SourceError(f"{path}: the worksheet {title!r} is empty (expected a header row)")
    # The header is the first row as wide as the widest of the first ten, made of text:
    # title rows (merged cells) and group rows above it are skipped.
    widest = max(filled[:10])
    textual = [
        i
        for i, r in enumerate(grid[:10])
        if filled[i] == widest and all(isinstance(v, str | type(None)) for v in r)
    ]
    at = textual[0] if textual else next(i for i, n in enumerate(filled) if n)
    above = [str(i + 1) for i in range(at) if filled[i]]
    if above:
        notes.append(
            note(
                "header_below_title",
                f"{path}: sheet {title!r}: row(s) {', '.join(above)} above the header look "
                f"like titles or merged group cells; the header is row {at + 1}",
            )
        )
    header = grid[at]
    width = max(len(header), max((len(r) for r in grid[at:]), default=0))
    header = header + [None] * (width - len(header))
    names = clean_header(path, header, f"sheet {title!r}, row {at + 1}")
    cols: list[list] = [[] for _ in names]
    rows: list[int] = []
    skipped = 0
    for number, values in enumerate(grid[at + 1 :], start=at + 2):
        cells = [_excel_cell(v) for v in values] + [None] * (width - len(values))
        if all(v in (None, "") for v in cells):
            skipped += 1
            continue
        rows.append(number)
        for col, v in zip(cols, cells, strict=True):
            col.append(v)
    # Trailing blank rows are what Excel keeps around: not worth a note.
    last_filled = max((i for i, n in enumerate(filled) if n), default=0) + 1
    skipped -= len(grid) - last_filled
    arrays = []
    for c in cols:
        try:
            arrays.append(pa.array(c))
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed types in a column: keep text
            arrays.append(pa.array([_cell_text(v) for v in c], pa.string()))
    table = pa.table(dict(zip(names, arrays, strict=True)))
    table = _drop_empty_unnamed(table)
    if skipped > 0:
        notes.append(_skipped_note(path, skipped, "row"))
    if progress is not None:
        progress(path.stat().st_size)
    return RawFrame(str(path), table.append_column(ROW, pa.array(rows, pa.int64())), _joined(notes))


def _cell_text(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime) and v.time() == time(0):
        return v.date().isoformat()
    if isinstance(v, datetime | date | time):
        return v.isoformat(sep=" ") if isinstance(v, datetime) else v.isoformat()
    return str(v)


# --------------------------------------------------------------------------- what a file is
def _what_it_is(path: Path) -> str | None:
    """What a file really holds when its name says otherwise (None: it may be right)."""
    with open(path, "rb") as fh:
        head = fh.read(2048)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(path) as z:
                if any(n.startswith("xl/") for n in z.namelist()):
                    return "xlsx"
        except zipfile.BadZipFile:
            pass
        return "zip"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or (
        text.startswith(b"<") and (b"<html" in text or b"<body" in text or b"<div" in text)
    ):
        return "html"
    if text.startswith(b"<?xml"):
        return "xml"
    return None


_KINDS = {
    "xlsx": "an Excel workbook (.xlsx)",
    "zip": "a ZIP archive",
    "parquet": "a Parquet file",
    "xls": "an Excel 97-2003 workbook (.xls)",
    "pdf": "a PDF document",
    "gzip": "a gzip-compressed file",
    "html": "an HTML page",
    "xml": "an XML document",
}
_KIND_FIX = {
    "xlsx": "rename it with the .xlsx extension",
    "zip": "unzip it and ingest the export(s) inside",
    "parquet": "rename it with the .parquet extension",
    "xls": "open it in Excel and save it as .xlsx or CSV",
    "pdf": "export the data itself (CSV or Excel), not a printed report",
    "gzip": "decompress it first (gunzip)",
    "html": "download the export again: a web page (a login or error page?) was saved in its place",
    "xml": "export the data as CSV, Excel or JSON",
}


def _check_kind(path: Path, suffix: str) -> None:
    kind = _what_it_is(path)
    expected = {
        ".xlsx": "xlsx",
        ".parquet": "parquet",
    }.get(suffix)
    if expected is None:
        expected = "text"
    if kind == expected:
        return
    if expected == "xlsx" and kind != "xlsx":
        looks = _KINDS.get(kind, "text (a CSV export?)") if kind else "text (a CSV export?)"
        raise SourceError(
            f"{path}: this is not an Excel workbook, it looks like {looks}; fix: give it the "
            "extension of what it is (.csv for text)"
        )
    if expected == "parquet":
        looks = _KINDS.get(kind, "text or another format") if kind else "text (a CSV export?)"
        raise SourceError(
            f"{path}: this is not a Parquet file, it looks like {looks}; fix: give it the "
            "extension of what it is"
        )
    if kind is not None:
        what = "a JSON export" if suffix in JSON_SUFFIXES else "a CSV export"
        raise SourceError(f"{path}: this is {_KINDS[kind]}, not {what}; fix: {_KIND_FIX[kind]}")


def _check_link(path: Path) -> None:
    """A symbolic link is read only when it points inside its own folder: a link named
    leads.csv to a system file must never have that file's content read or echoed."""
    if not path.is_symlink():
        return
    folder = path.parent.resolve()
    target = path.resolve()
    if not target.is_relative_to(folder):
        raise SourceError(
            f"{path}: is a symbolic link to a file outside its folder, which leadpilot does "
            "not read; fix: copy the export itself into the source folder"
        )


def read_chunks(
    path: str | Path,
    *,
    chunk_rows: int | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    progress: Progress | None = None,
) -> Iterator[RawFrame]:
    """A file as consecutive frames of at most ``chunk_rows`` rows (row numbers continue).

    Parquet streams by batches, so a large export is never held whole; other
    formats are read whole and handed out as zero-copy slices, which still keeps
    the typed copies of a large file small.
    """
    path = Path(path)
    if chunk_rows is None:
        yield read_file(
            path, delimiter=delimiter, encoding=encoding, sheet=sheet, progress=progress
        )
        return
    if path.suffix.lower() == ".parquet" and path.exists():
        _check_source(path, ".parquet")
        try:
            pf = pq.ParquetFile(path)
        except Exception as exc:
            raise SourceError(f"{path}: cannot be read as Parquet: {exc}") from None
        total = max(pf.metadata.num_rows, 1)
        size = path.stat().st_size
        first = 1
        try:
            for batch in pf.iter_batches(batch_size=chunk_rows):
                n = batch.num_rows
                if progress is not None:
                    progress(int(size * n / total))
                yield _parquet_frame(path, pa.Table.from_batches([batch]), first)
                first += n
        except (OSError, pa.ArrowException) as exc:
            raise SourceError(f"{path}: cannot be read as Parquet: {exc}") from None
        if first == 1:  # no rows: still one (empty) frame, so the header is checked
            yield _parquet_frame(path, pf.schema_arrow.empty_table(), 1)
        return
    frame = read_file(path, delimiter=delimiter, encoding=encoding, sheet=sheet, progress=progress)
    n = frame.data.num_rows
    for start in range(0, max(n, 1), chunk_rows):
        yield RawFrame(frame.file, frame.data.slice(start, chunk_rows), frame.note)


def _check_source(path: Path, suffix: str) -> None:
    if path.is_symlink():
        _check_link(path)
    if not path.exists():
        raise SourceError(f"{path}: file not found")
    if path.is_dir():
        raise SourceError(f"{path}: is a folder, not a file")
    _check_kind(path, suffix)


def read_file(
    path: str | Path,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    progress: Progress | None = None,
) -> RawFrame:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise SourceError(f"{path}: unsupported file type {suffix!r}; expected one of {SUPPORTED}")
    try:
        _check_source(path, suffix)
        if suffix in TEXT_SUFFIXES:
            return read_csv(path, delimiter=delimiter, encoding=encoding, progress=progress)
        if suffix in JSON_SUFFIXES:
            return read_json(path, encoding=encoding, progress=progress)
        if suffix == ".parquet":
            return read_parquet(path, progress=progress)
        return read_xlsx(path, sheet=sheet, progress=progress)
    except OSError as exc:
        raise SourceError(f"{path}: cannot be read: {exc.strerror or exc}") from None
