"""Records a program posts (API batches, a lead to score) and the erasure of a lead.

A batch is written as the canonical file of its table (``leads.csv``...) in a private
temporary folder and ingested from there, so it is validated exactly as a file is
(same parsers, same checks, same problems) and loaded in one transaction: idempotent by
the table's key, all or nothing under the strict policy. Paths of the temporary folder
never reach the caller: problems, warnings, the quarantine and the ingest log name the
batch by its label instead.

Erasure removes a lead (and the records merged into it, the same person) from every
table of the workspace: leads, touchpoints, stage events, deals, scores and the
quarantine, in one transaction, and reports what it removed.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import sqlglot as sg
import sqlglot.expressions as sge

from . import engine
from .errors import LeadpilotError, Notice, Problem, UsageError, ValidationError
from .schema import DERIVED, INGEST_LOG, QUARANTINE, TABLES

BATCH_FORMATS = ("json", "csv")
ERASED_TABLES = ("touchpoints", "stage_events", "deals")


def _cell(value: object) -> str | None:
    """A JSON value as the text a CSV export would hold (None: not a scalar)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    return None


def records_csv(table: str, records: object, label: str) -> str:
    """JSON records (a list of objects) as the CSV text of a canonical file.

    Every problem of shape (not a list, an item that is no object, a value that is no
    text, number, true/false or null) is reported at once, as a ValidationError whose
    rows are the records' positions (1-based).
    """
    if not isinstance(records, list):
        raise ValidationError(
            [Problem(table, label, None, None, None, "a JSON array of records (objects)")],
            hint="Nothing was loaded.",
        )
    if not records:
        raise UsageError(f"{label}: the batch holds no record")
    problems = []
    for i, rec in enumerate(records, start=1):
        if not isinstance(rec, dict):
            problems.append(
                Problem(table, label, i, None, json.dumps(rec)[:80], "a JSON object (a record)")
            )
            continue
        for k, v in rec.items():
            if _cell(v) is None:
                problems.append(
                    Problem(
                        table, label, i, str(k), json.dumps(v)[:80],
                        "a text, a number, true / false or null",
                    )
                )  # fmt: skip
    if problems:
        raise ValidationError(problems, hint="Nothing was loaded.")
    columns = list(dict.fromkeys(k for rec in records for k in rec))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for rec in records:
        w.writerow([_cell(rec.get(c)) for c in columns])
    return buf.getvalue()


@dataclasses.dataclass
class Part:
    """Records of a JSON batch that name the same fields: one file of the batch."""

    text: str  # the CSV text
    positions: list[int]  # each row's record position in the batch (1-based)


def records_parts(table: str, records: object, label: str) -> list[Part]:
    """JSON records as CSV files, one per set of fields named: a record that leaves a
    field out keeps its stored value, as a file without that column does (written in
    one file with the others, its blank cell cleared the stored value), while a field
    sent as null clears it. Shape problems as :func:`records_csv`."""
    records_csv(table, records, label)  # the shape checks, every problem at once
    groups: dict[frozenset, list[int]] = {}
    for i, rec in enumerate(records, start=1):
        groups.setdefault(frozenset(rec), []).append(i)
    parts = []
    for positions in groups.values():
        columns = list(records[positions[0] - 1])
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(columns)
        for i in positions:
            w.writerow([_cell(records[i - 1].get(c)) for c in columns])
        parts.append(Part(buf.getvalue(), positions))
    return parts


@contextlib.contextmanager
def batch_parts(table: str, parts: list[Part]) -> Iterator[tuple[Path, dict[str, list[int]]]]:
    """The parts of a JSON batch as files of a private temporary folder and the
    ``leadpilot.yaml`` naming them (numbers read with a decimal point: JSON writes them
    so, whatever the workspace's ``ingest.decimal`` says of its files); yields that
    configuration's path and each file's record positions. Removed afterwards."""
    if table not in TABLES:
        raise UsageError(f"table {table!r}: expected one of {', '.join(TABLES)}")
    import yaml

    folder = Path(tempfile.mkdtemp(prefix="leadpilot-batch-"))  # mode 0700
    try:
        positions, sources = {}, []
        for i, part in enumerate(parts, start=1):
            path = folder / f"{table}-{i}.csv"
            path.write_text(part.text, encoding="utf-8")
            positions[str(path)] = part.positions
            sources.append({"table": table, "path": path.name, "decimal": "."})
        config = folder / "leadpilot.yaml"
        config.write_text(yaml.safe_dump({"sources": sources}), encoding="utf-8")
        yield config, positions
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def batch_file(table: str, text: str | bytes) -> Iterator[Path]:
    """``text`` as ``<private temporary folder>/<table>.csv``, removed afterwards."""
    if table not in TABLES:
        raise UsageError(f"table {table!r}: expected one of {', '.join(TABLES)}")
    folder = Path(tempfile.mkdtemp(prefix="leadpilot-batch-"))  # mode 0700
    try:
        path = folder / f"{table}.csv"
        path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# A posted batch has no source entry of its own in leadpilot.yaml: the fixes a file's
# problems give there ("date_formats on this source") read, for a batch, as what its
# sender can do, or as the workspace-wide setting that reads it. Patterns over the fixes
# sources/ writes (dates.py, typing.py, load.py, checks.py), tested one by one.
_DATES_ISO = "send the dates as ISO 8601 text (2024-12-31, or 2024-12-31T17:45:00 with a time)"
_BATCH_FIXES: tuple[tuple[re.Pattern, str, str], ...] = tuple(
    (re.compile(pattern), json_fix, csv_fix)
    for pattern, json_fix, csv_fix in (
        (
            r"^write the file's date layout in leadpilot\.yaml: date_formats on this source "
            r"\(e\.g\. (?P<e>.+)\) or ingest\.date_formats for every file$",
            _DATES_ISO + r", or give their layout in the workspace's leadpilot.yaml: "
            r"ingest.date_formats (e.g. \g<e>)",
            "",
        ),
        (
            r"^set date_formats: (?P<o>.+) on this source in leadpilot\.yaml "
            r"\(or ingest\.date_formats for every file\)$",
            _DATES_ISO + r", or give their layout in the workspace's leadpilot.yaml: "
            r"ingest.date_formats: \g<o>",
            "",
        ),
        (
            r"^export the column in one layout \(ISO 8601: 2017-07-01\), or, if every value "
            r"is in fact written one way, set date_formats on this source in leadpilot\.yaml$",
            _DATES_ISO + ", one layout for every record",
            "",
        ),
        (
            r"^these look like Unix time \(seconds or milliseconds since 1970\), which no date "
            r"layout reads: export the column as dates or ISO 8601 text$",
            r"these look like Unix time (seconds or milliseconds since 1970), which no date "
            r"layout reads: " + _DATES_ISO,
            "",
        ),
        (
            r"^(?P<c>'.*') holds no number: if the export writes it for a missing value, list "
            r"it in na_values on this source in leadpilot\.yaml \(na_values: .*\); else "
            r"correct the cells$",
            r"\g<c> holds no number: send null for a missing value, else a number (1234.56)",
            r"\g<c> holds no number: leave the cell empty for a missing value, else write a "
            r"number (1234.56)",
        ),
        (
            r"^these numbers use '(?P<d>.)' as the decimal separator: set decimal: '.' on this "
            r"source \(or ingest\.decimal: '.' for every file\) in leadpilot\.yaml$",
            r"send numbers as JSON numbers (1234.56): the batch's text is read with a "
            r"decimal point, and these use '\g<d>'",
            r"write the numbers with a decimal point (1234.56), or set ingest.decimal: "
            r"'\g<d>' in the workspace's leadpilot.yaml",
        ),
        (
            r"^say how the file writes numbers: decimal: ',' on this source .*$",
            "send numbers as JSON numbers (1250 or 1.25)",
            "write the numbers with a decimal point and no thousands separator (1250 or "
            "1.25), or set ingest.decimal in the workspace's leadpilot.yaml",
        ),
        (
            r"^written as money \((?P<c>.*)\): set money: .* on this source in leadpilot\.yaml "
            r"to read currency signs and codes and K / M suffixes$",
            r"written as money (\g<c>): send the amount as a number (1500 for 1.5K), its "
            r"currency in the currency field",
            "",
        ),
        (
            r"^correct the cells: a number such as 1234\.56, without text or unit; "
            r"leadpilot\.yaml reads .*$",
            "correct the value: a number such as 1234.56, without text or unit",
            "",
        ),
        (
            r"^the header line is separated by (?P<d>.+?)(?:, but the file was read with "
            r"delimiter: .*)?: set delimiter: .* on this source in leadpilot\.yaml$",
            "",
            r"post comma-separated text (the header line is separated by \g<d>)",
        ),
        (
            r"^keep one row per key in the file \(a later ingest replaces the rows of a key\)$",
            "keep one record per key in the batch (a later batch replaces the rows of a key)",
            "keep one row per key in the batch (a later batch replaces the rows of a key)",
        ),
    )
)


@dataclasses.dataclass(frozen=True)
class BatchLabels:
    """How a posted batch is named to its sender: never by the files of its private
    temporary folder, but by its ``label`` ("leads batch"), its records by their position
    in the JSON array (``positions``: each part file's records, for a batch in parts) or
    its CSV lines as they are; fixes say what the sender can do (see ``_BATCH_FIXES``).

    Errors (:meth:`naming`), the ingest summary (:meth:`summary`), the quarantine and the
    ingest log (:meth:`store`) all go through it.
    """

    label: str
    paths: dict[str, str]  # a temporary path (file, folder, configuration) -> the label
    positions: dict[str, list[int]] | None = None  # JSON: part file -> record positions

    @classmethod
    def of(
        cls, label: str, files: list[str], source: str | Path,
        positions: dict[str, list[int]] | None = None,
    ) -> BatchLabels:  # fmt: skip
        """The labels of a batch written as ``files`` (read from ``source``)."""
        paths = {str(f): label for f in files} | {str(Path(files[0]).parent): label}
        paths[str(source)] = label
        return cls(label, paths, positions)

    @property
    def json(self) -> bool:
        return self.positions is not None

    @property
    def files(self) -> list[str]:
        return [p for p in self.paths if Path(p).suffix == ".csv"]

    def row(self, file: str | None, row: int | None) -> int | None:
        """A part file's CSV line as the record's position in the JSON batch (line 2 of a
        part is its first record); the line itself for a CSV batch."""
        if self.positions is None or row is None or row < 2 or file not in self.positions:
            return row
        of = self.positions[file]
        return of[row - 2] if row - 2 < len(of) else row

    def _swap(self, text: str) -> str:
        for old in sorted(self.paths, key=len, reverse=True):  # a file before its folder
            text = text.replace(old, self.paths[old])
        return text

    def text(self, text: str) -> str:
        """A message naming the batch: "/tmp/.../leads-2.csv row 3" (or the file's name
        alone) as "leads batch, record 5"; rows counted as records in a JSON batch."""
        # a warning about the batch's own rows names one of its files; the others (the
        # spend reconciliation after it) speak of stored rows: their words stay
        own = any(Path(file).name in text for file in self.files)
        for file in self.files:
            name = re.escape(Path(file).name)

            def where(m: re.Match, file: str = file) -> str:
                word = "record" if self.json else "row"
                return f"{self.label}, {word} {self.row(file, int(m.group(1)))}"

            text = re.sub(rf"(?<![\w.-])(?:[^\s:]*/)?{name} row (\d+)", where, text)
        text = self._swap(text)
        for file in self.files:  # the file's name alone ("none of the deals of deals.csv")
            text = re.sub(rf"(?<![\w.-]){re.escape(Path(file).name)}(?![\w-])", self.label, text)
        if self.json and own:
            text = re.sub(r"\brow\(s\)", "record(s)", text)
            text = text.replace("an earlier row", "an earlier record")
        return text

    def fix(self, fix: str | None) -> str | None:
        """A file's fix as the batch's sender can apply it."""
        if not fix:
            return fix
        for pattern, json_fix, csv_fix in _BATCH_FIXES:
            m = pattern.match(fix)
            if m:
                chosen = (json_fix if self.json else csv_fix) or json_fix or csv_fix
                return m.expand(chosen)
        return self._swap(fix)

    def problem(self, p: Problem) -> Problem:
        """A problem naming the batch, its record (or CSV line) and the sender's fix; a
        row it refers to ("already in row 3") numbered the same way."""
        expected = self.text(p.expected)
        if self.json:  # a row of the same part, named without its file
            expected = re.sub(
                r"\brow (\d+)",
                lambda m: f"record {self.row(p.file, int(m.group(1)))}",
                expected,
            )
        return dataclasses.replace(
            p, file=self._swap(p.file), row=self.row(p.file, p.row), expected=expected,
            fix=self.fix(p.fix),
        )  # fmt: skip

    @contextlib.contextmanager
    def naming(self, hint: str | None = None) -> Iterator[None]:
        """Errors raised inside name the batch, never its temporary folder."""
        try:
            yield
        except ValidationError as exc:
            raise ValidationError(
                [self.problem(p) for p in exc.problems],
                total=exc.total,
                hint=hint or "Nothing was loaded: fix the batch, or post it with "
                "policy=quarantine to load the good records.",
            ) from None
        except LeadpilotError as exc:
            try:
                new = type(exc)(self.text(str(exc)))
            except Exception:  # an error type with another signature: keep it as it is
                raise exc from None
            raise new from None

    def notices(self, texts: list) -> list:
        """Warnings or notes naming the batch, each keeping its notice code."""
        return [
            Notice(t.code, self.text(t.message), t.data) if isinstance(t, Notice)
            else self.text(str(t))
            for t in texts
        ]  # fmt: skip

    def summary(self, summary):
        """The ingest summary naming the batch: files, warnings, notes and problems."""
        for s in summary.tables.values():  # the batch's parts are one batch
            s.files = list(dict.fromkeys(self._swap(f) for f in s.files))
        summary.warnings[:] = self.notices(summary.warnings)
        summary.notes[:] = self.notices(summary.notes)
        summary.problems[:] = [self.problem(p) for p in summary.problems]
        return summary

    def store(self, backend: engine.Backend) -> None:
        """The quarantine and the ingest log name the batch by its label, not its path; a
        JSON batch's quarantined rows are numbered by the record's position (they kept the
        CSV line: one more than the position the refusal of the same record gave)."""
        with backend.transaction():
            for file, of in (self.positions or {}).items():
                line = sg.column("row", quoted=True)
                where = sg.column("file", quoted=True).eq(sge.Literal.string(file))
                case = sge.Case(
                    ifs=[
                        sge.If(this=line.eq(sge.Literal.number(i + 2)),
                               true=sge.Literal.number(position))
                        for i, position in enumerate(of)
                    ],
                    default=line,
                )  # fmt: skip
                backend.sql(
                    sge.update(
                        sg.table(QUARANTINE.name, quoted=True),
                        {sg.to_identifier("row", quoted=True): case},
                        where=where,
                    )
                )
            for old, new in self.paths.items():
                for table, column in ((QUARANTINE.name, "file"), (INGEST_LOG.name, "source")):
                    backend.sql(
                        sge.update(
                            sg.table(table, quoted=True),
                            {sg.to_identifier(column, quoted=True): sge.Literal.string(new)},
                            where=sg.column(column, quoted=True).eq(sge.Literal.string(old)),
                        )
                    )


# ---------------------------------------------------------------------- erasure
def erase_lead(ws: engine.Workspace, lead_id: str) -> dict:
    """Remove a lead from every table, in one transaction; returns what was removed.

    The records merged into the lead (or the lead it was merged into, and that lead's
    other duplicates) are the same person (same e-mail): they go too, and are listed.

    Returns
    -------
    dict
        ``found`` (bool), ``lead_ids`` (the records erased), ``removed`` (rows per table:
        leads, touchpoints, stage_events, deals, scores, quarantine) and ``notes``.
    """
    leads = ws.table("leads")
    own = leads.filter(leads.lead_id == lead_id).select("lead_id", "merged_into")
    first = own.to_pyarrow().to_pylist()
    removed = dict.fromkeys(("leads", *ERASED_TABLES, "scores", "quarantine"), 0)
    if not first:
        quarantined = _quarantine_matches(ws, [lead_id], [])
        if quarantined is None or not int(quarantined.count().execute()):
            return {"found": False, "lead_ids": [], "removed": removed, "notes": []}
    roots = {lead_id} | {r["merged_into"] for r in first if r["merged_into"]}
    group = leads.filter(leads.lead_id.isin(list(roots)) | leads.merged_into.isin(list(roots)))
    rows = group.select("lead_id", "email").to_pyarrow().to_pylist()
    ids = sorted({r["lead_id"] for r in rows} | {lead_id})
    emails = sorted({r["email"] for r in rows if r["email"]})
    backend = ws.backend
    with backend.transaction():
        removed["leads"] = _count_in(ws, "leads", ids)
        for table in ERASED_TABLES:
            removed[table] = _count_in(ws, table, ids)
            backend.delete_where_in(table, "lead_id", ids)
        if ws.has_table(DERIVED["scores"].name):
            removed["scores"] = _count_in(ws, "scores", ids)
            backend.delete_where_in("scores", "lead_id", ids)
        q = _quarantine_matches(ws, ids, emails)
        if q is not None:
            removed["quarantine"] = int(q.count().execute())
            if removed["quarantine"]:
                backend.sql(
                    sg.delete(sg.table(QUARANTINE.name, quoted=True)).where(
                        _quarantine_condition(ids, emails)
                    )
                )
        backend.delete_where_in("leads", "lead_id", ids)
    notes = [
        "a trained scoring model is not retrained by an erasure: retrain it "
        "(`leadpilot score train`) to remove the lead's influence on it",
        "source files outside the workspace (exports, files ingested) are not touched",
    ]
    return {"found": True, "lead_ids": ids, "removed": removed, "notes": notes}


def _count_in(ws: engine.Workspace, table: str, ids: list[str]) -> int:
    t = ws.table(table)
    return int(t.filter(t.lead_id.isin(ids)).count().execute())


def _needles(ids: list[str], emails: list[str]) -> list[str]:
    # the quarantine keeps each record as json.dumps(...) of its cells; an e-mail is the
    # same person whatever its case (R.Person@X.com was kept after erasing r.person@x.com):
    # its needle is lower-case, compared with the lower-cased record
    return [f'"lead_id": {json.dumps(i)}' for i in ids] + [
        f'"email": {json.dumps(e.strip().lower())}' for e in emails
    ]


def _is_email(needle: str) -> bool:
    return needle.startswith('"email"')


def _quarantine_matches(ws: engine.Workspace, ids: list[str], emails: list[str]):
    if not ws.has_table(QUARANTINE.name):
        return None
    q = ws.table(QUARANTINE.name)
    cond = (q.column_name == "lead_id") & q.value.isin(ids)
    for n in _needles(ids, emails):
        cond = cond | (q.record.lower() if _is_email(n) else q.record).contains(n)
    return q.filter(cond)


def _quarantine_condition(ids: list[str], emails: list[str]) -> sge.Expression:
    by_value = sge.and_(
        sg.column("column_name", quoted=True).eq(sge.Literal.string("lead_id")),
        sg.column("value", quoted=True).isin(*[sge.Literal.string(i) for i in ids]),
    )
    record = sg.column("record", quoted=True)
    found = [
        sge.GT(
            this=sge.StrPosition(
                this=sge.Lower(this=record) if _is_email(n) else record,
                substr=sge.Literal.string(n),
            ),
            expression=sge.Literal.number(0),
        )
        for n in _needles(ids, emails)
    ]
    return sge.or_(by_value, *found)
