"""The report as an Excel workbook (xlsxwriter): one sheet per section, real numbers with
number formats (Excel shows them with the reader's own separators), texts wrapped.

Data never becomes a formula: every text is written with ``write_string`` (a text cell,
whatever it starts with; ``write_formula`` is never called and the workbook is made with
``strings_to_formulas`` and ``strings_to_urls`` off), and a text starting like a formula
(``=``, ``+``, ``-``, ``@``, tab, carriage return: a channel named ``=HYPERLINK(...)``)
gets the cell's "quote prefix" so that Excel keeps it text even when the cell is edited.
The value itself is kept exactly as written."""

from __future__ import annotations

import io
import re

from babel import Locale
from babel.numbers import get_currency_symbol

from .labels import label
from .view import Cards, Chart, Definitions, Findings, Message, Meter, Notes, ReportView, Table

SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _money_format(lang: str, currency: str, digits: int) -> str:
    symbol = get_currency_symbol(currency, locale=lang).replace('"', "")
    pattern = Locale.parse(lang).currency_formats["standard"].pattern.split(";")[0].strip()
    body = "#,##0" + ("." + "0" * digits if digits else "")
    return f'"{symbol}"{body}' if pattern.startswith("¤") else f'{body} "{symbol}"'


class _Book:
    def __init__(self, view: ReportView) -> None:
        import xlsxwriter

        self.view = view
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(
            self.buffer,
            {
                "in_memory": True,
                "nan_inf_to_errors": True,
                "strings_to_formulas": False,  # data is never a formula
                "strings_to_urls": False,
            },
        )
        self._props: dict[int, dict] = {}  # each format's properties (for its quoted twin)
        self._quoted: dict[int, object] = {}
        self.book.set_properties(
            {"title": f"{view.title} — {view.subtitle}", "creator": "leadpilot"}
        )
        b = self
        self.title = b.add_format({"bold": True, "font_size": 14, "font_color": "#1f3a5f"})
        self.subtitle = b.add_format({"bold": True, "font_size": 11, "font_color": "#1f3a5f"})
        self.head = b.add_format(
            {
                "bold": True,
                "bg_color": "#e9eff6",
                "border": 1,
                "text_wrap": True,
                "valign": "bottom",
            }
        )
        self.wrap = b.add_format({"text_wrap": True, "valign": "top"})
        self.bold = b.add_format({"bold": True, "valign": "top"})
        self.muted = b.add_format(
            {"italic": True, "font_color": "#5b6675", "text_wrap": True, "valign": "top"}
        )
        self.formats: dict[tuple[str, bool], object] = {}

    def add_format(self, props: dict):
        fmt = self.book.add_format(props)
        self._props[id(fmt)] = dict(props)
        return fmt

    def quoted(self, fmt):
        """The same format with Excel's quote prefix: the cell stays text when edited."""
        key = id(fmt)
        if key not in self._quoted:
            self._quoted[key] = self.add_format({**self._props.get(key, {}), "quote_prefix": True})
        return self._quoted[key]

    def number_format(self, unit: str, value, bold: bool = False):
        lang, currency = self.view.lang, self.view.currency
        if unit == "currency":
            digits = 0 if value is not None and abs(value) >= 100 else 2
            spec = _money_format(lang, currency, digits)
        else:
            spec = {
                "count": "#,##0",
                "fraction": "0.0%",
                "days": "0.0",
                "multiple": '0.00"×"',
                "ratio": "0.000",
                "points": '+0.0" pts";-0.0" pts";0.0" pts"',
                "change": "+0.0%;-0.0%;0.0%",
            }.get(unit, "General")
        key = (spec, bold)
        if key not in self.formats:
            self.formats[key] = self.add_format(
                {"num_format": spec, "bold": bold, "valign": "top"}
            )
        return self.formats[key]

    def write_value(self, ws, row: int, col: int, value, unit: str, text: str, bold=False):
        if value is None or unit in ("", "text") or isinstance(value, str):
            ws.write_string(
                row,
                col,
                text if value is None or unit in ("", "text") else text,
                self.bold if bold else self.wrap,
            )
        else:
            ws.write_number(row, col, float(value), self.number_format(unit, value, bold))

    # ---------------------------------------------------------------- blocks
    def table(self, ws, row: int, t: Table) -> int:
        if t.title:
            ws.write_string(row, 0, t.title, self.subtitle)
            row += 1
        for j, c in enumerate(t.columns):
            ws.write_string(row, j, c.label, self.head)
        row += 1
        for cells in [*t.rows, *([t.total] if t.total else [])]:
            bold = cells is t.total
            for j, c in enumerate(cells):
                text = c.text + (f" {c.mark}" if c.mark else "")
                self.write_value(ws, row, j, c.value, c.unit, text, bold)
            row += 1
        if t.note:
            ws.write_string(row, 0, t.note, self.muted)
            row += 1
        return row + 1

    def cards(self, ws, row: int, b: Cards) -> int:
        v, t = self.view, lambda k: label(k, self.view.lang)
        heads = (t("kpi"), t("current_value"), t("previous_value"), t("change"))
        for j, h in enumerate(heads[: 4 if b.compared else 2]):
            ws.write_string(row, j, h, self.head)
        row += 1
        for c in [*b.items, *b.secondary]:
            ws.write_string(row, 0, c.label, self.bold)
            self.write_value(ws, row, 1, c.value, c.unit, c.text)
            if not b.compared:  # no comparison: no empty comparison columns
                row += 1
                continue
            self.write_value(ws, row, 2, c.previous, c.unit, "–")
            if c.change is not None:
                unit = "points" if c.unit == "fraction" else "change"
                value = c.change * 100 if c.unit == "fraction" else c.change
                ws.write_number(row, 3, value, self.number_format(unit, value))
            else:
                ws.write_string(row, 3, c.change_text or "–", self.wrap)
            row += 1
        if b.note:
            ws.write_string(row, 0, b.note, self.muted)
            row += 1
        del v
        return row + 1

    def findings(self, ws, row: int, b: Findings) -> int:
        t = lambda k: label(k, self.view.lang)  # noqa: E731
        if not b.items:
            ws.write_string(row, 0, b.empty or "", self.wrap)
            return row + 2
        for j, h in enumerate(
            (t("severity"), t("finding"), t("explanation"), t("evidence"), t("actions"))
        ):
            ws.write_string(row, j, h, self.head)
        row += 1
        for f in b.items:
            ws.write_string(row, 0, f.severity_label, self.bold)
            ws.write_string(row, 1, f.title + (f" ({f.group})" if f.group else ""), self.bold)
            ws.write_string(row, 2, f.explanation, self.wrap)
            ws.write_string(row, 3, "\n".join(f.evidence), self.wrap)
            ws.write_string(row, 4, "\n".join(f"→ {a}" for a in f.actions), self.wrap)
            row += 1
        return row + 1

    def section(self, index: int, section) -> None:
        name = SHEET_CHARS.sub("", f"{index}. {section.title}")[:31]
        ws = _Sheet(self.book.add_worksheet(name), self)
        ws.set_column(0, 0, 34)
        ws.set_column(1, 12, 17)
        if section.key in ("findings", "quality"):
            ws.set_column(1, 1, 36)
            ws.set_column(2, 4, 60)
        if section.key == "definitions":
            ws.set_column(1, 1, 110)
        ws.write_string(0, 0, section.title, self.title)
        row = 2
        for b in section.blocks:
            if isinstance(b, Cards):
                row = self.cards(ws, row, b)
            elif isinstance(b, Findings):
                row = self.findings(ws, row, b)
            elif isinstance(b, Table):
                row = self.table(ws, row, b)
            elif isinstance(b, Chart):
                if b.table is not None:
                    row = self.table(ws, row, b.table)
            elif isinstance(b, Message):
                # the kind of note before it, as in the HTML: a gap is not a caveat
                prefix = {"gap": "cannot_show", "caveat": "read_with_care"}.get(b.level)
                lead = f"{label(prefix, self.view.lang)}. " if prefix else ""
                ws.write_string(row, 0, lead + b.text, self.muted)
                row += 2
            elif isinstance(b, Meter):
                ws.write_string(row, 0, b.title, self.bold)
                if b.value is not None:
                    ws.write_number(row, 1, b.value, self.number_format("fraction", b.value))
                ws.write_string(row + 1, 0, label("threshold", self.view.lang), self.wrap)
                ws.write_number(row + 1, 1, b.threshold, self.number_format("fraction", 0))
                ws.write_string(row + 2, 0, b.text, self.muted)
                row += 4
            elif isinstance(b, Notes):
                ws.write_string(row, 0, b.title, self.subtitle)
                row += 1
                for n in b.items:
                    ws.write_string(row, 0, n, self.wrap)
                    row += 1
                row += 1
            elif isinstance(b, Definitions):
                for j, h in enumerate(
                    (label("kpi", self.view.lang), label("definition", self.view.lang))
                ):
                    ws.write_string(row, j, h, self.head)
                row += 1
                for _key, lab, rule in b.items:
                    ws.write_string(row, 0, lab, self.bold)
                    ws.write_string(row, 1, rule, self.wrap)
                    row += 1

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()


class _Sheet:
    """A worksheet whose texts starting like a formula get the quote prefix."""

    def __init__(self, ws, book: _Book) -> None:
        self._ws, self._book = ws, book

    def write_string(self, row: int, col: int, text: str, fmt=None):
        text = "" if text is None else str(text)
        if text.startswith(FORMULA_START):
            fmt = self._book.quoted(fmt)
        return self._ws.write_string(row, col, text, fmt)

    def __getattr__(self, name: str):
        return getattr(self._ws, name)


def render_xlsx(view: ReportView) -> bytes:
    """The workbook's bytes: one sheet per section, in the report's order."""
    book = _Book(view)
    for i, section in enumerate(view.sections, 1):
        book.section(i, section)
    return book.close()
