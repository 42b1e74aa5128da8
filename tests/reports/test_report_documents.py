"""The report's other documents: the PDF (WeasyPrint, rendered to images with pdftoppm:
the expected pages, none blank), the Excel workbook (one sheet per section, numbers that
are numbers), the Markdown, and the ``leadpilot report`` command."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from report_kit import PERIOD, runner

from leadpilot.cli import app
from leadpilot.errors import UsageError
from leadpilot.i18n import error_text
from leadpilot.pilot import Pilot
from leadpilot.reports import SECTIONS

PDFTOPPM = shutil.which("pdftoppm")


@pytest.fixture(scope="module")
def pdf(demo_report, artifacts) -> Path:
    return demo_report.write(artifacts / "report-demo-fr.pdf", lang="fr")


@pytest.fixture(scope="module")
def pages(pdf, tmp_path_factory) -> list[Path]:
    if PDFTOPPM is None:
        pytest.skip("poppler-utils is not installed (scripts/report-deps-ensure.sh)")
    out = tmp_path_factory.mktemp("pdf-pages")
    subprocess.run([PDFTOPPM, "-r", "40", "-png", str(pdf), str(out / "page")], check=True)
    return sorted(out.glob("page*.png"))


def test_the_pdf_has_the_expected_pages_and_none_is_blank(demo_report, pdf, pages):
    # as many pages as WeasyPrint laid out from the print stylesheet
    expected = demo_report.pages["fr"]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    count = int(next(x for x in info.stdout.splitlines() if x.startswith("Pages:")).split()[1])
    assert count == expected == len(pages)
    assert 4 <= count <= 16
    for page in pages:
        image = Image.open(page).convert("L")
        dark = sum(image.histogram()[:200]) / (image.width * image.height)
        assert dark > 0.002, f"{page.name} is blank"
        assert image.width < image.height  # A4, portrait


def test_the_pdf_holds_the_french_text(pdf):
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    assert "RAPPORT DE GÉNÉRATION DE LEADS" in text  # text-transform: uppercase
    assert "Volume en hausse, activité en baisse" in text  # revenue fell 41 %
    assert "Définitions" in text


def test_the_excel_workbook_has_one_sheet_per_section_and_real_numbers(demo_report, artifacts):
    from openpyxl import load_workbook

    path = demo_report.write(artifacts / "report-demo-fr.xlsx", lang="fr")
    book = load_workbook(path)
    assert len(book.sheetnames) == len(SECTIONS)
    view = demo_report.view("fr")
    assert [s.title for s in view.sections] == [n.split(". ", 1)[1] for n in book.sheetnames]
    numbers = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    # a figure is never written as text ("1 234", "12,5 %", "€3")
                    bare = cell.value.replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
                    assert not bare.replace(",", "").replace(".", "").isdigit(), cell.coordinate
                elif isinstance(cell.value, int | float):
                    numbers += 1
                    assert cell.number_format != "General", (sheet.title, cell.coordinate)
    assert numbers > 100
    headline = book.worksheets[0]
    cells = {r[0].value: r for r in headline.iter_rows(min_row=3) if r[0].value}
    revenue = cells["Chiffre d'affaires"]
    assert revenue[1].value == pytest.approx(demo_report.data.current_row()["revenue"])
    assert "€" in revenue[1].number_format
    rate = cells["Taux de closing"]
    assert rate[1].number_format == "0.0%" and 0 < rate[1].value < 1
    channels = book.worksheets[SECTIONS.index("channels")]
    header = [c.value for c in next(r for r in channels.iter_rows() if r[0].value == "Canal")]
    assert header[:3] == ["Canal", "Leads", "Clients"]


def test_the_markdown_has_every_section_and_the_figures(demo_report):
    md = demo_report.markdown("en")
    titles = [line[3:] for line in md.splitlines() if line.startswith("## ")]
    assert [t.split(". ", 1)[1] for t in titles] == [
        s.title for s in demo_report.view("en").sections
    ]
    assert "| Revenue | **€" in md
    assert "**[High] Volume up, business down: an illusion of traction**" in md
    assert "Charts are in the HTML and PDF versions" in md
    # the headline opens with the most severe findings (at most three), before the cards
    headline = md.split("## 2. ", 1)[0]
    points = headline.split("**Key points**", 1)[1].split("\n\n", 1)[0].strip().splitlines()
    assert 1 <= len(points) <= 3
    assert points[0] == "- [High] Volume up, business down: an illusion of traction"
    assert headline.index("**Key points**") < headline.index("| Revenue |")


def test_the_command_writes_the_report(demo_ws, monkeypatch):
    """Two runs (each gathers the figures): Markdown to standard output, and the HTML
    report of another period against last year into the workspace's reports/ folder.
    Each report reads one state of the workspace: its tables and stored lead model are
    looked up once, whatever the number of analyses it gathers."""
    looked_up, stored_model = [], Pilot._stored_model

    def counted(self, listed, meta):
        looked_up.append(1)
        return stored_model(self, listed, meta)

    monkeypatch.setattr(Pilot, "_stored_model", counted)
    result = runner.invoke(app, ["report", "-w", str(demo_ws), "--period", PERIOD, "-f", "md",
                                 "--out", "-", "--lang", "fr"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Rapport de génération de leads — ")
    result = runner.invoke(app, ["report", "-w", str(demo_ws), "--period", "2025-Q3",
                                 "--vs", "last-year", "--lang", "en"])  # fmt: skip
    assert result.exit_code == 0, result.output
    written = Path(result.output.strip().splitlines()[-1])
    assert written == (demo_ws / "reports" / "leadpilot-report-2025-Q3-en.html").resolve()
    assert "compared with Q3 2024 (the same period last year)" in written.read_text()
    assert len(looked_up) == 2


def test_write_takes_the_format_from_the_file_name(demo_report, tmp_path):
    for ext in ("html", "md", "xlsx"):
        path = demo_report.write(tmp_path / f"r.{ext}", lang="fr")
        assert path == tmp_path / f"r.{ext}" and path.stat().st_size > 1000
    assert demo_report.write(tmp_path / "out", "md").name == f"leadpilot-report-{PERIOD}-en.md"
    with pytest.raises(UsageError, match="names a md file, but fmt=.html. was asked"):
        demo_report.write(tmp_path / "other.md", "html")  # Markdown's name, HTML inside
    assert not (tmp_path / "other.md").exists()


def test_the_command_takes_the_format_from_the_out_file(demo_ws, tmp_path, monkeypatch):
    """``--out report.md`` without --format wrote HTML into a .md file; a --format the file's
    name contradicts is refused before the figures are gathered."""
    out = tmp_path / "report.md"
    result = runner.invoke(app, ["report", "-w", str(demo_ws), "--period", PERIOD,
                                 "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("# Lead generation report — ")
    monkeypatch.setattr(Pilot, "report", lambda *a, **k: pytest.fail("figures gathered"))
    result = runner.invoke(app, ["report", "-w", str(demo_ws), "-f", "xlsx", "--out",
                                 str(tmp_path / "r.pdf"), "--lang", "fr"])  # fmt: skip
    assert isinstance(result.exception, UsageError) and not (tmp_path / "r.pdf").exists()
    said = error_text(result.exception, "fr")
    assert "--out r.pdf désigne un fichier pdf, mais --format xlsx est demandé" in said


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "docx"], "--format 'docx': expected one of html, pdf, xlsx, md"),
        (["--period", "2025-Q5"], "expected a quarter (2025-Q2), a month (2025-03)"),
        (["--vs", "yesterday"], "--vs 'yesterday': expected previous, last-year or none"),
        (["--lang", "de"], "--lang 'de': expected one of en, fr"),
        (["--format", "pdf", "--out", "-"], "--format pdf is binary"),
        (["--format", "pdf", "--out", "r.md"], "--out r.md names a md file, but --format pdf"),
    ],
)
def test_bad_options_fail_with_one_line(demo_ws, args, message):
    result = runner.invoke(app, ["report", "-w", str(demo_ws), *args])
    assert isinstance(result.exception, UsageError)
    assert message in str(result.exception)


def test_the_command_exits_with_one_line_on_stderr(demo_ws):
    result = subprocess.run(
        [sys.executable, "-m", "leadpilot", "report", "-w", str(demo_ws), "-f", "docx"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == UsageError.exit_code
    assert result.stderr.strip() == (
        "leadpilot: error: --format 'docx': expected one of html, pdf, xlsx, md"
    )


def test_the_html_is_one_document_whoever_writes_it(demo_report):
    # ids are unique in the page (inline SVGs' clip paths) and do not depend on what the
    # process drew before: the service and the command line write the same bytes
    import re

    html = demo_report.html("en")
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "duplicate ids in the report"
    demo_report._views.clear()  # draw the charts again in this process
    assert demo_report.html("en") == html


def test_the_footer_says_the_day_the_figures_were_gathered(demo_report):
    # a report gathered before midnight and drawn after it says one day, whoever draws it
    import dataclasses
    from datetime import date

    from leadpilot.reports import Report

    gathered = Report(dataclasses.replace(demo_report.data, generated_on=date(2026, 1, 31)))
    assert "Generated by leadpilot — Jan 31, 2026" in gathered.html("en")
    assert "Généré par leadpilot — 31 janv. 2026" in gathered.html("fr")
