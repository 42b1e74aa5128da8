"""Reading source files (csv, parquet, xlsx) into Arrow tables, with row numbers.

Text files are read with every column as a string: parsing and validation
happen later, so that a bad value is reported, never guessed. The ``__row``
column holds the row number a user sees in the file (header = row 1).
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..errors import SourceError

ROW = "__row"
SUPPORTED = (".csv", ".txt", ".tsv", ".parquet", ".xlsx")
Progress = Callable[[int], None]  # called with the number of bytes (or rows) just read


@dataclass
class RawFrame:
    file: str
    data: pa.Table  # source columns (as in the file) + ROW
    note: str | None = None  # how the file was read, when it was guessed (encoding)


def _sniff_delimiter(path: Path, encoding: str) -> str:
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        sample = fh.read(64 * 1024)
    if not sample.strip():
        raise SourceError(f"{path}: the file is empty (expected a header row)")
    try:
        return csv.Sniffer().sniff(sample.splitlines()[0], delimiters=",;\t|").delimiter
    except csv.Error:
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


def _detect_legacy(path: Path) -> str | None:
    """A legacy 8-bit encoding (Windows-1252, Latin-1, ...) told by charset-normalizer."""
    from charset_normalizer import from_path

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


def read_csv(
    path: Path,
    delimiter: str | None = None,
    encoding: str | None = None,
    progress: Progress | None = None,
) -> RawFrame:
    """Read a delimited text file, every column as text.

    The encoding is the one given; otherwise a byte-order mark says it (UTF-8, UTF-16),
    else UTF-8, else a legacy 8-bit encoding detected by charset-normalizer (noted in
    the frame). An undecodable file is refused with its line and the setting to write.
    """
    note = None
    enc = encoding or _bom_encoding(path) or "utf-8"
    try:
        return _read_csv(path, delimiter, enc, progress, note)
    except (UnicodeDecodeError, _InvalidText) as exc:
        if encoding is not None or enc != "utf-8":
            raise _undecodable_error(path, enc, detected=False) from exc
    legacy = _detect_legacy(path)
    if legacy is None:
        raise _undecodable_error(path, "utf-8", detected=True)
    note = (
        f"{path}: read as {legacy} (detected: the file is not UTF-8); set encoding: on its "
        "source if that is not right"
    )
    try:
        return _read_csv(path, delimiter, legacy, progress, note)
    except (UnicodeDecodeError, _InvalidText):
        raise _undecodable_error(path, legacy, detected=True) from None


class _InvalidText(Exception):
    """Arrow met bytes that are not text in the expected encoding."""


def _read_csv(
    path: Path, delimiter: str | None, enc: str, progress: Progress | None, note: str | None
) -> RawFrame:
    delimiter = delimiter or _sniff_delimiter(path, enc)
    with open(path, encoding=enc, errors="replace", newline="") as fh:
        header = next(csv.reader(fh, delimiter=delimiter), None)
    if not header:
        raise SourceError(f"{path}: the file is empty (expected a header row)")
    header = [h.lstrip("\ufeff").strip() for h in header]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise SourceError(f"{path}: row 1 repeats the column name(s) {dupes}; names must be unique")
    arrow_enc = "utf8" if enc.lower().replace("-", "") in ("utf8", "utf8sig") else enc
    read_opts = pacsv.ReadOptions(
        column_names=header, skip_rows=1, encoding=arrow_enc, block_size=16 << 20
    )
    parse_opts = pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True)
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
            if progress is not None:
                # Arrow does not expose byte offsets: estimate from the share of rows read.
                done = min(size, int(size * 0.98 * (len(batches) / (len(batches) + 1))))
                progress(done - seen)
                seen = done
        if progress is not None:
            progress(size - seen)
        table = pa.Table.from_batches(batches, schema=reader.schema)
    except pa.ArrowInvalid as exc:
        if "utf8" in str(exc).lower() or "utf-8" in str(exc).lower():
            raise _InvalidText(str(exc)) from None
        raise SourceError(
            f"{path}: cannot be read as {delimiter!r}-separated text: {exc}"
        ) from None
    rows = pa.array(range(2, table.num_rows + 2), pa.int64())
    return RawFrame(str(path), table.append_column(ROW, rows), note)


def read_parquet(path: Path, progress: Progress | None = None) -> RawFrame:
    try:
        table = pq.read_table(path)
    except Exception as exc:
        raise SourceError(f"{path}: cannot be read as Parquet: {exc}") from None
    if progress is not None:
        progress(path.stat().st_size)
    rows = pa.array(range(1, table.num_rows + 1), pa.int64())
    return RawFrame(str(path), table.append_column(ROW, rows))


def read_xlsx(path: Path, sheet: str | None = None, progress: Progress | None = None) -> RawFrame:
    try:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise SourceError(f"{path}: cannot be read as an Excel workbook: {exc}") from None
    if sheet is not None and sheet not in wb.sheetnames:
        raise SourceError(f"{path}: no worksheet named {sheet!r}; the workbook has {wb.sheetnames}")
    ws = wb[sheet] if sheet else wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    header = next(it, None)
    if not header:
        raise SourceError(f"{path}: the worksheet {ws.title!r} is empty (expected a header row)")
    names = [str(h).strip() if h is not None else f"column_{i + 1}" for i, h in enumerate(header)]
    cols: list[list] = [[] for _ in names]
    for values in it:
        values = values or ()
        for i, col in enumerate(cols):
            col.append(values[i] if i < len(values) else None)
    wb.close()
    arrays = []
    for c in cols:
        try:
            arrays.append(pa.array(c))
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed types in a column: keep text
            arrays.append(pa.array([None if v is None else str(v) for v in c], pa.string()))
    table = pa.table(dict(zip(names, arrays, strict=True)))
    # Drop trailing blank rows that Excel keeps around.
    n = table.num_rows
    while n and all(table.column(i)[n - 1].as_py() in (None, "") for i in range(len(names))):
        n -= 1
    table = table.slice(0, n)
    if progress is not None:
        progress(path.stat().st_size)
    rows = pa.array(range(2, table.num_rows + 2), pa.int64())
    return RawFrame(str(path), table.append_column(ROW, rows))


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
        try:
            pf = pq.ParquetFile(path)
        except Exception as exc:
            raise SourceError(f"{path}: cannot be read as Parquet: {exc}") from None
        total = max(pf.metadata.num_rows, 1)
        size = path.stat().st_size
        first = 1
        for batch in pf.iter_batches(batch_size=chunk_rows):
            n = batch.num_rows
            rows = pa.array(range(first, first + n), pa.int64())
            first += n
            if progress is not None:
                progress(int(size * n / total))
            yield RawFrame(str(path), pa.Table.from_batches([batch]).append_column(ROW, rows))
        if first == 1:  # no rows: still one (empty) frame, so the header is checked
            yield RawFrame(
                str(path),
                pf.schema_arrow.empty_table().append_column(ROW, pa.array([], pa.int64())),
            )
        return
    frame = read_file(path, delimiter=delimiter, encoding=encoding, sheet=sheet, progress=progress)
    n = frame.data.num_rows
    for start in range(0, max(n, 1), chunk_rows):
        yield RawFrame(frame.file, frame.data.slice(start, chunk_rows), frame.note)


def read_file(
    path: str | Path,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    progress: Progress | None = None,
) -> RawFrame:
    path = Path(path)
    if not path.exists():
        raise SourceError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return read_csv(path, delimiter=delimiter, encoding=encoding, progress=progress)
    if suffix == ".parquet":
        return read_parquet(path, progress=progress)
    if suffix == ".xlsx":
        return read_xlsx(path, sheet=sheet, progress=progress)
    raise SourceError(f"{path}: unsupported file type {suffix!r}; expected one of {SUPPORTED}")
