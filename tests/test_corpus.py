"""The bad-input corpus: one folder per real-world export mistake, run through a real ingest.

Each folder of ``tests/corpus`` holds the source files of one case, named after their
table (``leads.csv``, ``spend.xlsx``, ``leads.jsonl`` ...), an optional ``leadpilot.yaml``
(workspace settings; when it names ``sources`` the case is ingested through it), an
optional ``before/`` folder ingested first (the state the case starts from) and an
``expect.yaml``::

    about: one sentence on the real-world mistake
    policy: strict | quarantine        # default strict
    outcome: loaded | warning | quarantined | refused
    warning_code: ...                  # a stable code of a warning or note (optional)
    message: [substrings the error / warnings must contain]
    absent: [substrings they must NOT contain]   # e.g. a system file's content
    rows: {leads: 3, deals: 1}         # rows in the workspace tables after it
    quarantined: 1                     # records set aside, all tables together
    generate: name                     # a generator below writes (big) files first
    values: {leads: {L1: {company: Acme}}}   # stored values (by key), compared as text

Checked for every case: the outcome; the message substrings; a refused ingest leaves
every table as it was (row counts and a checksum of each table); after a quarantine,
rows read = loaded + merged + quarantined per table and every quarantined record is in
the quarantine table with its record; re-ingesting the same files changes nothing (the
quarantine included); any exception that is not one of leadpilot's own errors fails.
"""

from __future__ import annotations

import os
import shutil
import traceback
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from helpers import data_only, write_config

import leadpilot
from leadpilot.errors import LeadpilotError, ValidationError
from leadpilot.schema import TABLES

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith("_"))
OUTCOMES = ("loaded", "warning", "quarantined", "refused")
KEYS = {
    "about",
    "policy",
    "outcome",
    "warning_code",
    "message",
    "absent",
    "rows",
    "quarantined",
    "generate",
    "values",
}
# columns that hold the time of the ingest itself: not part of what an ingest changes
VOLATILE = {"ingested_at"}


# --------------------------------------------------------------------------- generators
# A case naming ``generate: NAME`` gets NAME(folder) called on its copy before the ingest:
# big files are made here rather than committed.

HEADER = "lead_id,created_at,email,channel,company\n"


def _big_leads(folder: Path, n: int, last: str | None = None, *, encoding="utf-8") -> None:
    with open(folder / "leads.csv", "w", encoding=encoding, newline="") as fh:
        fh.write(HEADER)
        block = []
        for i in range(1, n + 1):
            block.append(f"L{i},2025-01-{1 + i % 28:02d},u{i}@x.com,email,Société {i % 97}\n")
            if len(block) == 50_000:
                fh.write("".join(block))
                block = []
        fh.write("".join(block))
        if last is not None:
            fh.write(last)


def gen_million_rows_bad_last_line(folder: Path) -> None:
    _big_leads(folder, 999_999, "L1000000,2025-01-02,last@x.com,email,Acme, Inc.\n")


def gen_million_rows_bad_last_line_quarantine(folder: Path) -> None:
    gen_million_rows_bad_last_line(folder)


def gen_bad_byte_late(folder: Path) -> None:
    """200,000 UTF-8 lines, then one Windows-1252 byte (é as 0xE9) near the end."""
    _big_leads(folder, 200_000)
    with open(folder / "leads.csv", "ab") as fh:
        fh.write(b"L200001,2025-01-02,late@x.com,email,Caf\xe9 Martin\n")


def gen_symlink_to_system_file(folder: Path) -> None:
    target = Path("/etc/passwd")
    if not target.exists():  # pragma: no cover - every Linux has it
        pytest.skip("no /etc/passwd to point at")
    os.symlink(target, folder / "leads.csv")


def gen_huge_field(folder: Path) -> None:
    notes = "x" * 300_000
    (folder / "leads.csv").write_text(
        f'lead_id,created_at,notes\nL1,2025-01-02,"{notes}"\nL2,2025-01-03,short\n',
        encoding="utf-8",
    )


def gen_over_long_line(folder: Path) -> None:
    (folder / "leads.csv").write_text(
        "lead_id,created_at,company\n"
        "L1,2025-01-02,Acme\n"
        "L2,2025-01-03," + ",".join(["junk"] * 60_000) + "\n"
        "L3,2025-01-04,Beta\n",
        encoding="utf-8",
    )


GENERATORS: dict[str, Callable[[Path], None]] = {
    name[4:]: fn for name, fn in globals().items() if name.startswith("gen_")
}


# --------------------------------------------------------------------------- helpers
def load_expect(case: str) -> dict:
    expect = yaml.safe_load((CORPUS / case / "expect.yaml").read_text(encoding="utf-8"))
    unknown = set(expect) - KEYS
    assert not unknown, f"{case}/expect.yaml: unknown key(s) {sorted(unknown)}"
    assert expect.get("about"), f"{case}/expect.yaml: say what the mistake is (about:)"
    assert expect.get("outcome") in OUTCOMES, f"{case}: outcome must be one of {OUTCOMES}"
    assert expect.get("policy", "strict") in ("strict", "quarantine")
    return expect


def state(ws: Path) -> dict[str, tuple[int, int]]:
    """(rows, checksum) of every table of the workspace, ingest times left out; the
    checksum (a sum of row hashes, so row order does not count) is computed by DuckDB,
    for every table in one query."""
    with leadpilot.open(ws) as lp:
        con = lp.workspace.con
        parts = []
        for name in sorted(con.list_tables()):
            cols = [c for c in con.table(name).columns if c not in VOLATILE]
            if name == "ingest_log":
                cols = []
            digest = (
                f"sum(hash({', '.join(f'{chr(34)}{c}{chr(34)}' for c in cols)})::HUGEINT)"
                if cols
                else "0"
            )
            parts.append(f"SELECT '{name}' AS t, count(*) AS n, {digest} AS h FROM \"{name}\"")
        rows = con.raw_sql(" UNION ALL ".join(parts)).fetchall()
    return {t: (int(n), int(h or 0)) for t, n, h in rows}


def values(ws: Path, expected: dict) -> None:
    """``values: {table: {key: {column: text}}}``: stored values, compared as text."""
    with leadpilot.open(ws) as lp:
        for table, by_key in expected.items():
            key = TABLES[table].key_column if table in TABLES else "lead_id"
            rows = {str(r[key]): r for r in lp.workspace.table(table).to_pyarrow().to_pylist()}
            for k, cols in by_key.items():
                assert str(k) in rows, f"{table}: no row {k!r} (keys {sorted(rows)[:10]})"
                for col, want in cols.items():
                    got = rows[str(k)].get(col)
                    assert str(got) == str(want), f"{table} {k} {col}: {got!r} != {want!r}"


def ingest(ws: Path, source: Path, policy: str | None):
    """The summary, or the LeadpilotError raised; any other exception fails the test."""
    try:
        with leadpilot.open(ws) as lp:
            return lp.ingest(source, policy=policy), None
    except LeadpilotError as exc:
        return None, exc
    except Exception:  # an internal error is itself a failure of the case
        pytest.fail("an unexpected exception escaped ingest:\n" + traceback.format_exc())


def error_text(exc: LeadpilotError) -> str:
    text = str(exc)
    if isinstance(exc, ValidationError):
        text += "\n" + "\n".join(str(p) for p in exc.problems)
    return text


def summary_text(summary) -> str:
    lines = [str(w) for w in summary.warnings] + [str(n) for n in summary.notes]
    lines += [str(p) for p in summary.problems]
    return "\n".join(lines)


def codes(summary) -> set[str]:
    found = {getattr(w, "code", None) for w in [*summary.warnings, *summary.notes]}
    found |= {getattr(p, "code", None) for p in summary.problems}
    return found - {None}


@pytest.fixture
def case_dir(request, tmp_path) -> Path:
    """A copy of the case folder (generated files included) to ingest from."""
    case = request.param
    target = tmp_path / "src"
    shutil.copytree(
        CORPUS / case, target, symlinks=True, ignore=shutil.ignore_patterns("expect.yaml")
    )
    expect = load_expect(case)
    if expect.get("generate"):
        GENERATORS[expect["generate"]](target)
    return target


def _settings(case: Path) -> tuple[dict, bool]:
    cfg = case / "leadpilot.yaml"
    if not cfg.exists():
        return {}, False
    settings = yaml.safe_load(cfg.read_text(encoding="utf-8")) or {}
    has_sources = "sources" in settings
    settings.pop("sources", None)
    settings.pop("workspace", None)
    return settings, has_sources


# --------------------------------------------------------------------------- the test
SLOW = {"million_rows_bad_last_line", "million_rows_bad_last_line_quarantine"}  # > 10 s


@pytest.mark.parametrize(
    "case_dir",
    [pytest.param(c, id=c, marks=[pytest.mark.slow] if c in SLOW else []) for c in CASES],
    indirect=True,
)
def test_corpus_case(case_dir: Path, tmp_path: Path, request):
    case = request.node.callspec.id
    expect = load_expect(case)
    policy = expect.get("policy", "strict")
    outcome = expect["outcome"]
    settings, through_config = _settings(case_dir)
    ws = write_config(tmp_path / "ws", "duckdb", **settings).parent
    if (case_dir / "before").is_dir():
        summary, exc = ingest(ws, case_dir / "before", "strict")
        assert exc is None, f"{case}: before/ must load: {exc}"
    source = case_dir / "leadpilot.yaml" if through_config else case_dir
    before = state(ws)

    summary, exc = ingest(ws, source, policy)

    if outcome == "refused":
        assert exc is not None, f"{case}: expected a refusal, got {summary and summary.as_dict()}"
        text = error_text(exc)
        assert "Traceback" not in text
        assert state(ws) == before, f"{case}: a refused ingest changed the workspace"
    else:
        assert exc is None, f"{case}: expected {outcome}, got {type(exc).__name__}: {exc}"
        text = summary_text(summary)
        quarantined = sum(s.rows_quarantined for s in summary.tables.values())
        if outcome == "quarantined":
            assert policy == "quarantine", f"{case}: a quarantine needs policy: quarantine"
            assert quarantined > 0, f"{case}: nothing was quarantined"
            check_accounting(ws, summary)
        else:
            assert quarantined == 0, f"{case}: {quarantined} record(s) quarantined"
        if outcome == "warning":
            assert summary.warnings or summary.notes, f"{case}: no warning"
        if "quarantined" in expect:
            assert quarantined == expect["quarantined"], summary.as_dict()
    if expect.get("warning_code"):
        found = codes(summary) if summary is not None else set()
        found |= {getattr(exc, "code", None)} | {
            getattr(p, "code", None) for p in getattr(exc, "problems", [])
        }
        assert expect["warning_code"] in found, f"{case}: codes {found - {None}}"
    for part in expect.get("message") or []:
        assert str(part) in text, f"{case}: {part!r} not in:\n{text}"
    for part in expect.get("absent") or []:
        assert str(part) not in text, f"{case}: {part!r} must not be shown:\n{text}"
    after = state(ws)
    for table, n in (expect.get("rows") or {}).items():
        assert after[table][0] == n, f"{case}: {table} holds {after[table][0]} rows, not {n}"
    if expect.get("values"):
        values(ws, expect["values"])
    if outcome == "refused":
        return
    # The same files again change nothing, the quarantine included.
    again, exc2 = ingest(ws, source, policy)
    assert exc2 is None, f"{case}: the second ingest failed: {exc2}"
    again_state = state(ws)
    # the write records (ingest log, data version) count each ingest
    assert data_only(again_state) == data_only(after), (
        f"{case}: re-ingesting the same files changed the workspace"
    )


def check_accounting(ws: Path, summary) -> None:
    with leadpilot.open(ws) as lp:
        q = lp.workspace.table("quarantine").to_pyarrow().to_pylist()
    for table, s in summary.tables.items():
        # leads merged by the e-mail rule are loaded records (merged_into set): only
        # identical event rows are merged away before loading
        merged = 0 if table == "leads" else s.rows_merged
        assert s.rows_read == s.rows_loaded + merged + s.rows_quarantined, (table, s)
        mine = [r for r in q if r["table_name"] == table]
        assert len(mine) == s.problems_quarantined, (table, len(mine), s)
        assert len({(r["file"], r["row"]) for r in mine}) <= s.rows_quarantined
        for r in mine:
            assert r["record"], f"quarantined {table} row {r['row']} without its record"
            assert r["row"] is None or r["row"] >= 1
            assert r["reason"]
