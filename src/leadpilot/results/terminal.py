"""Results as terminal tables (rich), in the reader's language.

One :class:`Terminal` draws every analysis from its :class:`~leadpilot.results.Result`
alone: rows, and the meta's parameters, headers, units, definitions and notices. It
never imports an analysis, so the command line, the reports and the web service show
the same tables. Numbers, dates and amounts follow :class:`~leadpilot.i18n.Formatter`
(``--lang fr|en``, the workspace currency); a missing group value is the group
``(none)`` (``(aucun)`` in French), and a French period reads as in the report ("T2
2025", "mars 2025"; the JSON and CSV keep "2025-Q2"); definitions are printed below
each table as the JSON carries them (in the reader's language), then the notes.

Values are shown exactly as written: a cell, a title or a header is a plain Rich
``Text`` (:class:`Table` wraps every string), never parsed as markup (``[bold]``) or
emoji codes (``:white_check_mark:``), so what the terminal shows can be searched for in
the file it came from. Styles the interface adds are given as styles, or as markup
around escaped values; the consoles are made with ``emoji=False``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable
from rich.text import Text as RichText

from ..i18n import Formatter, message_in, period_name, tr
from ..text import stage_name
from .result import Result, group_name

SCORE_FRACTIONS = ("base_rate", "conversion_above", "conversion_below", "mql_precision_sal",
                   "mql_precision_sql")  # fmt: skip


def plain(value):
    """A string as a Rich ``Text`` printed exactly as written (no markup, no emoji codes);
    anything else (a number, a Text, a renderable) as it is.

    >>> from rich.console import Console
    >>> c = Console(width=40, color_system=None)
    >>> with c.capture() as cap:
    ...     c.print(plain("[bold]x[/bold] :white_check_mark:"))
    >>> cap.get()
    '[bold]x[/bold] :white_check_mark:\\n'
    """
    return RichText(value) if isinstance(value, str) else value


class Table(RichTable):
    """A Rich table whose title, headers and cells are printed exactly as written."""

    def __init__(self, *headers, title=None, **options) -> None:
        if isinstance(title, str):  # a narrow table (one column of a split) keeps its title
            options.setdefault("min_width", cell_len(title) + 4)  # on one line
        super().__init__(*[plain(h) for h in headers], title=plain(title), **options)

    def add_column(self, header="", *args, **options) -> None:
        super().add_column(plain(header), *args, **options)

    def add_row(self, *cells, **options) -> None:
        super().add_row(*[plain(c) for c in cells], **options)


def bands_text(bands: dict, lang: str = "en") -> str:
    """One line for the score bands: 'quantiles ... : A >= 12.3, B >= 6.1, C >= 2.4'."""
    if lang == "fr":
        cuts = ", ".join(
            f"{k} >= {v:.4g}".replace(".", ",") if v is not None else f"{k} vide"
            for k, v in bands["cuts"].items()
        )
        where = f" {message_in(bands['computed_on'], lang)}" if bands.get("computed_on") else ""
        rule = message_in(bands["rule"], lang)
        return f"{rule}{where} ; {bands['compared']} : {cuts}, D en dessous"
    cuts = ", ".join(
        f"{k} >= {v:.4g}" if v is not None else f"{k} empty" for k, v in bands["cuts"].items()
    )
    where = f" of {bands['computed_on']}" if bands.get("computed_on") else ""
    return f"{bands['rule']}{where}; {bands['compared']}: {cuts}, D below"


class Terminal:
    """Draws results on a console, in one language and currency.

    Parameters
    ----------
    console : rich.console.Console, optional
        Where tables go (default: standard output, no soft wrap).
    lang : str
        "en" or "fr": titles, headers, definitions, numbers and dates.
    currency : str
        The workspace currency (ISO code) for amounts.

    Examples
    --------
    >>> from leadpilot.results import Meta, Result
    >>> from leadpilot.text import Text
    >>> term = Terminal(Console(width=60, color_system=None))
    >>> term.show(Result([{"content": "pricing guide", "views": 1200}], Meta("content",
    ...     definitions={"views": Text("visits of the content", "visites du contenu")})))
    ... # doctest: +NORMALIZE_WHITESPACE
       Content performance
    ┏━━━━━━━━━━━━━━━┳━━━━━━━┓
    ┃ content       ┃ views ┃
    ┡━━━━━━━━━━━━━━━╇━━━━━━━┩
    │ pricing guide │ 1,200 │
    └───────────────┴───────┘
      views: visits of the content
    """

    def __init__(
        self, console: Console | None = None, lang: str = "en", currency: str = "EUR"
    ) -> None:
        self.out = console if console is not None else Console(soft_wrap=False, emoji=False)
        self.fmt = Formatter(lang, currency)

    @property
    def lang(self) -> str:
        return self.fmt.lang

    def show(self, result: Result) -> None:
        """Print ``result`` as the table(s) of its analysis, then its definitions and notes."""
        draw = {
            "kpis": self.kpis,
            "funnel": self.funnel,
            "velocity": self.velocity,
            "attribution": self.attribution,
            "score_train": self.train,
            "score_evaluate": self.evaluation,
            "score_apply": self.scores,
            "score_threshold": self.threshold,
            "quarantine": self.quarantine,
        }.get(result.kind, self.report)
        draw(result)

    # ---------------------------------------------------------------- cells and lines
    def cell(self, value, unit: str = "") -> str:
        """A cell for a person: numbers, rates, amounts and days in the language."""
        return self.fmt.value(value, unit)

    def n(self, value) -> str:
        return self.fmt.number(value)

    def pct(self, value, digits: int = 1) -> str:
        return self.fmt.percent(value, digits)

    def t(self, text: str) -> str:
        """Interface text in the language."""
        return tr(text, self.lang)

    def date(self, value) -> str:
        return self.fmt.date(value)

    def label(self, value) -> str:
        """A group value: a missing one is the group '(none)' ('(aucun)' in French)."""
        return group_name(value, self.lang)

    def key(self, value, column: str) -> str:
        """A row's key: a group value, or a period as the report writes it in French
        ('T2 2025'; English keeps the JSON's '2025-Q2')."""
        if column == "period" and value is not None and self.lang == "fr":
            return period_name(str(value), self.lang)
        return self.label(value)

    def period(self, value) -> str:
        return self.key(value, "period")

    def stage(self, stage: str) -> str:
        """A funnel stage: its code in English (what JSON and CSV write), its name in
        French ('opportunity' -> 'Opportunité'), as the report names it."""
        return stage_name(stage, "fr") if self.lang == "fr" else stage

    def credited(self, meta) -> str:
        """What an attribution result credits, as its titles say it: the conversion, or a
        path file's own conversions."""
        if meta.get("path_file"):
            return self.t("the path file's conversions")
        return self.conversion(meta["conversion"])

    def conversion(self, conversion: str) -> str:
        """What attribution credits, as a title says it: its code in English (what JSON and
        CSV write), in French the stage's name in lower case ('client') or 'chiffre
        d'affaires'."""
        if self.lang != "fr":
            return conversion
        if conversion == "revenue":
            return self.t("revenue")
        name = stage_name(conversion, "fr")
        return name[0].lower() + name[1:] if name[1:].islower() else name  # 'MQL' stays

    def header(self, result: Result, column: str) -> str:
        """A column's header: the analysis' own name for it, else the interface text
        (retention's 'month_3' reads 'month 3', 'mois 3')."""
        own = result.meta.header(column, self.lang)
        if own:
            return own
        if column.startswith("month_") and column[6:].isdigit():
            return f"{self.t('month')} {column[6:]}"
        return self.t(column)

    def line(self, label: str, text: str, style: str = "") -> None:
        """A labelled line whose text is printed as is (values may hold '[...]')."""
        line = RichText()
        if label.strip():
            line.append(label, style=style or None)
            line.append(" : " if self.lang == "fr" else ": ")  # French: a space before ':'
        else:
            line.append(label)
        line.append(text)
        self.out.print(line)

    def reason(self, text: str) -> str:
        """A score's reason, 'channel=seo (+1.57)': its weight with a decimal comma in
        French (the value itself is the lead's, as written)."""
        if self.lang != "fr":
            return str(text)
        return re.sub(r"\(([+-]\d+)\.(\d+)\)$", r"(\1,\2)", str(text))

    def dim(self, text: str) -> None:
        """A footnote line, printed as written (rules hold '[...]')."""
        self.out.print(RichText(text, style="dim"))

    def notes(self, warnings) -> None:
        for w in warnings:
            self.line(self.t("note"), message_in(str(w), self.lang), "yellow")

    @property
    def colon(self) -> str:
        """': ' in English, ' : ' in French (a space before the colon)."""
        return " : " if self.lang == "fr" else ": "

    def definitions(self, result: Result) -> None:
        for name, text in result.definitions_in(self.lang).items():
            self.dim(f"  {name}{self.colon}{text}")

    def as_of_title(self, result: Result) -> str:
        label = result.meta.get("as_of")
        return f" — {self.t('as of')} {self.date(label)}" if label else ""

    def range_title(self, result: Result) -> str:
        """' — Oct 29, 2018 – Jul 6, 2021' for a run over --from / --to (a table pasted
        without it read as the all-time one)."""
        low, high = result.meta.get("date_from"), result.meta.get("date_to")
        if not low and not high:
            return ""
        return f" — {self.date(low) if low else '…'} – {self.date(high) if high else '…'}"

    def column_chunks(self, items: list, width: Callable[[object], int], start: int, room: int):
        """``items`` split into groups whose widths fit in ``room`` after ``start``."""
        chunks, current, used = [], [], start
        for item in items:
            w = width(item)
            if current and used + w > room:
                chunks.append(current)
                current, used = [], start
            current.append(item)
            used += w
        if current:
            chunks.append(current)
        return chunks

    # ---------------------------------------------------------------- KPIs
    def kpis(self, result: Result) -> None:
        meta, rows = result.meta, result.rows
        title = (f"{self.t('KPIs')} — {self.t(meta['view'] + ' view')}{self.range_title(result)}"
                 f"{self.as_of_title(result)}")  # fmt: skip
        by = list(meta["by"])
        keys = ["period", *by] if meta["period"] != "all" else by
        key_width = sum(
            max([len(k)] + [len(self.key(r.get(k), k)) + 2 for r in rows]) + 3 for k in keys
        )
        names = list(meta["definitions"])
        headers = {k: self.header(result, k) for k in names}
        cells = {k: [self.cell(r.get(k), meta.units.get(k, "")) for r in rows] for k in names}
        # Wide KPI sets are split into several tables that fit the terminal (e.g. --kpi all):
        # a column takes its widest cell (as printed) plus padding and border.
        chunks = self.column_chunks(
            names,
            lambda k: max([len(headers[k])] + [cell_len(str(c)) for c in cells[k]]) + 3,
            key_width + 1,
            self.out.width,
        )
        for chunk in chunks:
            t = Table(title=title)
            for k in keys:
                t.add_column(self.t(k))
            for k in chunk:
                t.add_column(headers[k], justify="right")
            for i, r in enumerate(rows):
                labels = [self.key(r.get(k), k) for k in keys]
                if r.get("immature") and labels:
                    labels[0] += " *"  # an immature cohort: its rates will still grow
                t.add_row(*labels, *[cells[k][i] for k in chunk])
            self.out.print(t)
        self.dim(result.view_rule_in(self.lang))
        if meta["as_of"]:
            rule = meta.text_in("as_of_rule", self.lang)
            self.dim(f"{self.t('as of')} {self.date(meta['as_of'])}{self.colon}{rule}.")
        if any(r.get("immature") for r in rows):
            self.dim(f"* {self.t('immature cohort: its rates will still grow')}")
        self.dim(f"{self.t('Amounts in')} {meta['currency']}. {self.t('Definitions')}"
                 f"{self.colon.rstrip()}")
        self.definitions(result)
        self.notes(result.warnings)

    # ---------------------------------------------------------------- funnel
    def funnel(self, result: Result) -> None:
        meta = result.meta
        keys = (["period"] if meta["period"] != "all" else []) + list(meta["by"])
        t = Table(
            title=f"{self.t('Funnel')} — {self.t(meta['view'] + ' view')}"
            f"{self.range_title(result)} — {self.t('as of')} {self.date(meta['as_of'])}"
        )
        for k in (*keys, "stage"):
            t.add_column(self.t(k))
        for c in ("count", "from previous", "from lead"):
            t.add_column(self.t(c), justify="right")
        for r in result.rows:
            t.add_row(
                *[self.key(r.get(k), k) for k in keys],
                self.stage(r["stage"]) + (f" ({self.t('exit')})" if r.get("exit") else ""),
                f"{self.n(r['count'])}",
                self.cell(r.get("conversion_from_previous"), "fraction"),
                self.cell(r.get("conversion_from_lead"), "fraction"),
            )
        self.out.print(t)
        colon = " : " if self.lang == "fr" else ": "
        for a in meta["acceptance"]:
            label = " ".join(self.key(a[k], k) for k in keys) or self.t("overall")
            if not a["measured"]:  # no verdict on a rate the data does not hold
                why = "no MQL" if a["reason"] == "no MQL in the group" else "no sal/rejected event"
                self.out.print(plain(
                    f"{self.t('acceptance')} {label}{colon}{self.t('not measured')} "
                    f"({self.t(why)})"
                ))
                continue
            line = RichText(
                f"{self.t('acceptance')} {label}{colon}"
                f"{self.cell(a['acceptance_rate'], 'fraction')} "
                f"({self.n(a['mqls_accepted'])}/{self.n(a['mqls_transmitted'])} MQL) — "
            )
            if a["meets_threshold"]:
                line.append(self.t("meets"), style="green")
            else:
                line.append(self.t("below"), style="red")
            line.append(f" {self.t('the agreed')} {self.pct(meta['acceptance_threshold'], 0)}")
            self.out.print(line)
        self._rejection_reasons(meta["rejection_reasons"], keys)
        self.notes(result.warnings)

    # a funnel split by many groups: its reasons are in --format json / csv
    MAX_REASON_GROUPS, MAX_REASONS = 12, 6

    def _rejection_reasons(self, reasons: list[dict], keys: list[str]) -> None:
        """One line per group (period and dimensions, as the acceptance lines), its most
        frequent reasons first: each group's reasons add up to its rejected count."""
        groups: dict[tuple, list[dict]] = {}
        for r in reasons:
            groups.setdefault(tuple(r.get(k) for k in keys), []).append(r)
        for group, rows in list(groups.items())[: self.MAX_REASON_GROUPS]:
            label = " ".join(self.key(v, k) for k, v in zip(keys, group, strict=True))
            rows = sorted(rows, key=lambda r: -r["rejected"])
            shown = [f"{r['reason']} {self.n(r['rejected'])}" for r in rows[: self.MAX_REASONS]]
            if len(rows) > self.MAX_REASONS:
                rest = sum(r["rejected"] for r in rows[self.MAX_REASONS :])
                shown.append(f"{self.t('other reasons')} {self.n(rest)}")
            title = self.t("rejection reasons") + (f" {label}" if label else "")
            self.line(title, ", ".join(shown))
        hidden = len(groups) - self.MAX_REASON_GROUPS
        if hidden > 0:
            more = f"{hidden} {self.t('more groups')} (--format json / csv)"
            self.line(self.t("rejection reasons"), more)

    # ---------------------------------------------------------------- velocity
    def velocity(self, result: Result) -> None:
        meta = result.meta
        by = list(meta["by"])
        keys = (["period"] if meta.get("period", "all") != "all" else []) + by
        view = f" — {self.t('activity view')}" if meta["view"] == "activity" else ""
        t = Table(
            title=f"{self.t('Velocity')} ({self.t('days')}; {self.t('as of')} "
            f"{self.date(meta['as_of'])}){view}"
        )
        for d in keys:
            t.add_column(self.t(d))
        t.add_column(self.t("measure"))
        for c in ("median", "mean", "p75", "n"):
            t.add_column(self.t(c), justify="right")
        durations = list(meta.headers)
        for r in result.rows:
            for name in durations:
                t.add_row(
                    *[self.key(r.get(d), d) for d in keys],
                    self.header(result, name),
                    *[self.cell(r[f"{name}{s}"], "days") for s in ("", "_mean", "_p75")],
                    self.n(r[f"{name}_n"]),
                )
        self.out.print(t)
        km = meta.get("kaplan_meier")
        if km:
            k = Table(title=self.t("Share converted by age (Kaplan–Meier, open leads censored)"))
            for d in keys:
                k.add_column(self.t(d))
            k.add_column(self.t("stage"))
            for h in km["days"]:
                k.add_column(f"{self.t('day')} {h}", justify="right")
            for r in result.rows:
                for stage in km["stages"]:
                    k.add_row(
                        *[self.key(r.get(d), d) for d in keys],
                        self.stage(stage),
                        *[self.cell(r.get(f"{stage}_by_day_{h}"), "fraction") for h in km["days"]],
                    )
            self.out.print(k)
        self.notes(result.warnings)

    # ---------------------------------------------------------------- secondary reports
    REPORT_TITLES = {
        "content": "Content performance",
        "sources": "Lead-source mix by",
        "retention": "Interest retention",
    }

    def report(self, result: Result) -> None:
        """A plain table of rows (content, sources, retention and any other analysis)."""
        meta, rows = result.meta, result.rows
        by = meta.get("by")  # sources: its one dimension
        dims = (by,) if isinstance(by, str) else tuple(by or ())
        title = self.t(self.REPORT_TITLES.get(result.kind, result.kind))
        if result.kind == "sources":
            title = f"{title} {self.t(meta['by'])}"
        title += self.as_of_title(result)
        cols = list(rows[0]) if rows else []
        cols = [c for c in cols if not c.endswith(("_low", "_high"))]
        keys = [c for c in cols if c in ("content", "cohort", "period", *dims)]
        cells = {
            c: [
                self.label(r[c])
                if c in dims
                else self.period(r[c])  # a cohort is a month: 'mars 2025' in French
                if c in ("period", "cohort") and isinstance(r[c], str)
                else (self.cell(r[c], meta.units.get(c, "")) if not isinstance(r[c], str)
                      else r[c])  # fmt: skip
                for r in rows
            ]
            for c in cols
        }
        headers = {c: self.header(result, c) for c in cols}

        def width(c) -> int:  # the widest cell as printed, plus padding and border
            return max(cell_len(str(x)) for x in [headers[c], *cells[c]]) + 3

        # the columns after the keys split into tables that fit the terminal, the keys
        # repeated in each: at 80 columns every cohort read '2024-…'
        values = [c for c in cols if c not in keys]
        chunks = self.column_chunks(
            values, width, sum(width(k) for k in keys) + 1, self.out.width
        ) or [[]]
        for chunk in chunks:
            t = Table(title=title)
            for c in [*keys, *chunk]:
                t.add_column(headers[c], justify="left" if c in keys else "right")
            for i in range(len(rows)):
                t.add_row(*[cells[c][i] for c in [*keys, *chunk]])
            self.out.print(t)
        self.definitions(result)
        self.notes(result.warnings)

    # ---------------------------------------------------------------- attribution
    def attribution(self, result: Result) -> None:
        meta, rows = result.meta, result.rows
        by, models = meta["by"], meta["models"]
        periods = list(dict.fromkeys(r["period"] for r in rows))
        many = len(periods) > 1
        costs = bool(rows) and "spend" in rows[0]
        if len(models) == 1:
            cols = ["conversions", "revenue", "share"]
            cols += ["spend", "cost_per_conversion", "roas", "roi"] if costs else []
            units = {"share": "fraction", "roas": "multiple", "roi": "fraction",
                     # a path file's values are in its own unit: no currency sign
                     "revenue": "" if meta.get("path_file") else "currency",
                     "spend": "currency", "cost_per_conversion": "currency"}  # fmt: skip
            t = Table(title=f"{self.t('Attribution')} — {models[0]} "
                            f"({self.credited(meta)})")  # fmt: skip
            for c in (["period"] if many else []) + [by, *cols]:
                t.add_column(self.t(c.replace("cost_per_conversion", "cost/conv")),
                             justify="left" if c in ("period", by) else "right")  # fmt: skip
            for r in rows:
                keys = ([self.period(r["period"])] if many else []) + [self.label(r[by])]
                t.add_row(*keys, *[self.cell(r.get(c), units.get(c, "")) for c in cols])
            self.out.print(t)
        else:
            self._attribution_side_by_side(result, by, models, many, costs)
        colon, semi = (" : ", " ; ") if self.lang == "fr" else (": ", "; ")  # French spacing
        as_of = (
            f"{semi}{self.t('as of')} {self.date(meta['as_of'])} "
            f"({meta.text_in('as_of_rule', self.lang)})"
            if meta.get("as_of") is not None
            else ""
        )
        # a path file's values have no currency (they are in the file's unit)
        amounts = (f"{semi}{self.t('Amounts in')} {meta['currency']}"
                   if meta.get("currency") else "")  # fmt: skip
        self.dim(
            f"{self.t('Source')}{colon}{message_in(meta['source'], self.lang)}{as_of}{amounts}. "
            f"{self.t('Definitions')}{colon.rstrip()}"
        )
        self.definitions(result)
        self.notes(result.warnings)

    def _attribution_side_by_side(self, result, by, models, many: bool, costs: bool) -> None:
        meta, rows = result.meta, result.rows
        cells = {(r["model"], r["period"], r[by]): r for r in rows}
        spread = {(s["period"], s[by]): s["spread"] for s in meta["spread"]}
        # every period's values together ('other', which only Shapley has, within its
        # period, not after the last one), in the order the rows give them
        keys = list(dict.fromkeys((r["period"], r[by]) for r in rows))
        periods = list(dict.fromkeys(k[0] for k in keys))
        keys.sort(key=lambda k: periods.index(k[0]))
        # Models side by side, split into tables that fit the terminal.
        width = max([len(by)] + [len(self.label(k[1])) for k in keys]) + 4
        start = width + (10 if many else 0)
        chunks = self.column_chunks(
            models, lambda m: max(len(m), 8) + 3, start, self.out.width - 10
        )
        for i, chunk in enumerate(chunks):
            t = Table(title=f"{self.t('Attributed conversions and share by model')} "
                            f"({self.credited(meta)})")  # fmt: skip
            if many:
                t.add_column(self.t("period"))
            t.add_column(self.t(by))
            for m in chunk:
                t.add_column(m, justify="right")
            last = i == len(chunks) - 1
            if last:
                t.add_column(self.t("spread"), justify="right")
            for k in keys:
                row = [self.period(k[0])] if many else []
                row.append(self.label(k[1]))
                for m in chunk:
                    c = cells.get((m, *k))
                    row.append(
                        f"{self.cell(c['conversions'])} {self.cell(c['share'], 'fraction')}"
                        if c
                        else "–"
                    )
                if last:
                    row.append(self.cell(spread.get(k), "fraction"))
                t.add_row(*row)
            self.out.print(t)
        if not costs:
            return
        for chunk in chunks:
            t = Table(title=self.t("ROI by model ((attributed revenue - spend) / spend)"))
            if many:
                t.add_column(self.t("period"))
            t.add_column(self.t(by))
            t.add_column(self.t("spend"), justify="right")
            for m in chunk:
                t.add_column(m, justify="right")
            for k in keys:
                first = cells.get((chunk[0], *k)) or {}
                row = ([self.period(k[0])] if many else []) + [self.label(k[1])]
                row.append(self.cell(first.get("spend"), "currency"))
                row += [self.cell((cells.get((m, *k)) or {}).get("roi"), "fraction")
                        for m in chunk]  # fmt: skip
                t.add_row(*row)
            self.out.print(t)

    # ---------------------------------------------------------------- scoring
    def train(self, result: Result) -> None:
        c = result.meta["card"]
        within = (
            self.t("within {n} days").format(n=c["horizon_days"]) if c["horizon_days"]
            else self.t("outcomes final")
        )  # fmt: skip
        t = Table(
            title=f"{self.t('Scoring model')} — {c['model']} "
            f"({self.t('target')} "
            f"{stage_name(c['target'], 'fr') if self.lang == 'fr' else c['target']}, {within})"
        )
        t.add_column(self.t("measure"))
        t.add_column(self.t("value"), justify="right")
        pop, m = c["population"], c["metrics"]
        held_out = self.cell(m["held_out_auc"])
        if m.get("held_out_auc_warning"):
            held_out = f"[bold red]{held_out} — too good: leakage, see the warning below[/]"
        for label, value in (
            ("leads with a known outcome", f"{self.n(pop['leads_known_outcome'])}"),
            ("left out (younger than the horizon)", f"{self.n(pop['leads_too_young'])}"),
            ("converted", f"{self.n(pop['positives'])}"),
            ("train + validation / held out",
             f"{self.n(pop['train_leads'])} / {self.n(pop['held_out_leads'])}"),  # fmt: skip
            ("validation AUC logistic", self.cell(m["validation_auc"].get("logistic"))),
            ("validation AUC boosted", self.cell(m["validation_auc"].get("boosted"))),
            ("held-out AUC", held_out),
            ("held-out Brier score", self.cell(m["held_out_brier"])),
            ("training period", f"{c['training_period']['from'][:10]} – "
                                f"{c['training_period']['to'][:10]}"),  # fmt: skip
            ("split", c["split"]["kind"]),
        ):
            t.add_row(self.t(label), value)
        self.out.print(t)
        guard = c.get("guard", {})
        empty = c.get("empty_columns_left_out", [])
        left = [(x["column"], self.t(x["reason"]), message_in(x["detail"], self.lang))
                for x in guard.get("left_out", []) if x["column"] not in empty]  # fmt: skip
        left += [(name, self.t("excluded"), "scoring.model.exclude")
                 for name in c.get("excluded_columns", [])]  # fmt: skip
        if left:
            g = Table(title=self.t("Columns left out of the features"))
            for col in ("column", "reason", "detail"):
                g.add_column(self.t(col))
            for row in left:
                g.add_row(*map(escape, row))
            self.out.print(g)
        if empty:
            self.dim(f"{self.t('Without a value in any lead')}{self.colon}{', '.join(empty)}")
        c_ = self.colon
        for x in guard.get("included_despite_guard", []):
            self.out.print(
                f"[yellow]{self.t('included by scoring.model.include')}[/]{c_}"
                f"{escape(x['column'])} ({escape(self.t(x['reason']))}{c_}"
                f"{escape(message_in(x['detail'], self.lang))})"
            )
        semi = " ; " if self.lang == "fr" else "; "
        for x in c.get("leakage_suspects", []):
            self.out.print(
                f"[bold yellow]{self.t('leakage suspect')}[/]{c_}{escape(x['feature'])}{c_}"
                f"{escape(message_in(x['why'], self.lang))}{semi}"
                f"{escape(message_in(x['advice'], self.lang))}",
                highlight=False,
            )
        features = self.t("{n} features; saved in models/ with its card").format(
            n=self.n(len(c["features"]))
        )
        bands = (f"{semi}{self.t('bands')}{c_}{bands_text(c['bands'], self.lang)}"
                 if c.get("bands") else "")  # fmt: skip
        self.dim(f"{features}{bands}")
        self.dim(self.t("To use a left-out column anyway: scoring.model.include in leadpilot.yaml"))
        self.notes(result.warnings)

    def evaluation(self, result: Result) -> None:
        rows, meta = result.rows, result.meta
        t = Table(title=self.t("Scores on held-out leads"))
        t.add_column(self.t("measure"))
        for r in rows:
            t.add_column(self.t(r["score"]), justify="right")
        for key in [k for k in (rows[0] if rows else {}) if k != "score"]:
            if key == "auc_warning":  # printed as a note below, the AUC cell says so
                continue
            unit = "fraction" if key in SCORE_FRACTIONS else ""
            cells = [self.cell(r[key], unit) for r in rows]
            if key == "auc":
                cells = [
                    f"[bold red]{c} — too good: leakage, see the note[/]"
                    if r.get("auc_warning")
                    else c
                    for c, r in zip(cells, rows, strict=True)
                ]
            t.add_row(key, *cells)
        self.out.print(t)
        self.definitions(result)
        for name, deciles in meta["deciles"].items():
            t = Table(title=f"{self.t('Lift and cumulative gains by decile')} — {self.t(name)}")
            for c in ("decile", "n", "rate", "lift", "cumulative gain"):
                t.add_column(self.t(c), justify="right")
            for r in deciles:
                t.add_row(
                    str(r["decile"]),
                    f"{self.n(r['n'])}",
                    self.cell(r["rate"], "fraction"),
                    self.cell(r["lift"], "multiple"),
                    self.cell(r["cumulative_gain"], "fraction"),
                )
            self.out.print(t)
        for name, bins in meta["reliability"].items():
            t = Table(title=f"{self.t('Reliability')} — {self.t(name)}")
            for c in ("bin", "n", "mean predicted", "observed"):
                t.add_column(self.t(c), justify="right")
            for r in bins:
                if r["n"]:
                    t.add_row(f"{r['low']:.1f}–{r['high']:.1f}", f"{self.n(r['n'])}",
                              self.cell(r["mean_predicted"], "fraction"),
                              self.cell(r["observed_rate"], "fraction"))  # fmt: skip
            self.out.print(t)
        self.notes(result.warnings)

    def scores(self, result: Result, top: int = 20) -> None:
        """The best leads, the count and share of leads per band, and the bands' rule."""
        meta, df = result.meta, result.to_frame()
        best = df.sort_values("score", ascending=False, kind="stable").head(top)
        # values stay as written: the table prints strings as plain text (no escaping here)
        shown = best.astype(object).where(best.notna(), None).to_dict(orient="records")
        title = (
            f"{self.t('Top')} {len(shown)} {self.t('of')} {self.n(len(df))} {self.t('leads')} "
            f"(score: {meta['score']}, {self.t('as of')} {self.date(meta['as_of'])})"
        )
        t = Table(title=title)
        cols = [c for c in (list(shown[0]) if shown else []) if not c.endswith(("_low", "_high"))]
        # the reasons are sentences: one line per lead below the table, not three columns
        # squeezed to 'lead_pro… Lead (+1.57)' at 100 columns
        reasons = [c for c in cols if c.startswith("reason_")]
        cols = [c for c in cols if c not in reasons]
        for c in cols:
            t.add_column(self.t(c), justify="left" if c in ("content", "cohort", "period")
                         else "right")  # fmt: skip
        for r in shown:
            t.add_row(*[self.cell(r[c]) if not isinstance(r[c], str) else r[c] for c in cols])
        self.out.print(t)
        if reasons and any(r[c] for r in shown for c in reasons):
            colon, semi = (" :", " ; ") if self.lang == "fr" else (":", "; ")
            self.out.print(f"{self.t('Why (the features that move each score most)')}{colon}")
            for r in shown:
                said = semi.join(self.reason(r[c]) for c in reasons if r[c])
                self.out.print(f"  {r['lead_id']}{colon} {said or '–'}", markup=False)
        counts = df["band"].value_counts()
        self.out.print(
            f"{self.t('Leads by band')}{self.colon}"
            + ", ".join(
                f"{b} {self.n(int(counts.get(b, 0)))} ({self.pct(meta['bands']['shares'][b])})"
                for b in "ABCD"
            )
        )
        self.dim(f"{self.t('bands')}{self.colon}{bands_text(meta['bands'], self.lang)}")
        self.dim(f"{self.t('Definitions')}{self.colon.rstrip()}")
        self.definitions(result)
        self.notes(result.warnings)

    def threshold(self, result: Result) -> None:
        meta = result.meta
        t = Table(title=f"{self.t('Threshold trade-off')} — {self.t(meta['score'])}")
        for c in ("threshold", "MQLs/month", "acceptance", "conversion", "customers/month", ""):
            t.add_column(self.t(c), justify="right")
        for r in result.rows:
            t.add_row(self.cell(r["threshold"]), self.cell(r["mqls_per_month"]),
                      self.cell(r["expected_acceptance"], "fraction"),
                      self.cell(r["conversion"], "fraction"),
                      self.cell(r["expected_customers_per_month"]),
                      RichText(f"◀ {self.t('recommended')}", style="bold green")
                      if r["recommended"]
                      else "")  # fmt: skip
        self.out.print(t)
        rec = meta["recommended_threshold"]
        rec = self.t("none") if rec is None else self.cell(rec)
        self.line(self.t("recommended threshold"), f"{rec} ({meta.text_in('rule', self.lang)})")
        pop = meta["population"]
        if pop:
            held, known = self.n(pop["held_out_leads"]), self.n(pop["leads_known_outcome"])
            months = self.fmt.number(pop["months"], 1)
            span = f"{str(pop['created_from'])[:10]} – {str(pop['created_to'])[:10]}"
            self.dim(
                f"taux tirés de {held} leads mis de côté, par mois pour les {known} leads dont "
                f"l'issue est connue sur {months} mois ({span})"
                if self.lang == "fr"
                else f"rates from {held} held-out leads, per month for the {known} leads with "
                f"a known outcome over {months} months ({span})"
            )
        self.definitions(result)
        self.notes(result.warnings)

    # ---------------------------------------------------------------- workspace
    def quarantine(self, result: Result, limit: int = 50) -> None:
        """What the last ingests set aside: one line per problem, then the fixes."""
        rows = result.rows
        if not rows:
            self.out.print(self.t("The quarantine is empty: every row of the last ingests loaded."))
            return
        records = result.meta["records"]
        shown = rows if limit == 0 else rows[:limit]
        t = Table(
            title=f"{self.t('Quarantine')} — {self.n(len(rows))} {self.t('problem(s) in')} "
            f"{self.n(records)} {self.t('record(s)')}"
        )
        for c in ("table", "file", "row", "column", "value", "expected"):
            t.add_column(self.t(c), overflow="fold")
        for r in shown:
            t.add_row(
                r["table_name"], Path(r["file"]).name, str(r["row"]), r["column_name"] or "",
                "" if r["value"] is None else str(r["value"]),
                message_in(r["reason"] or "", self.lang),
            )  # fmt: skip
        self.out.print(t)
        if len(shown) < len(rows):
            self.out.print(
                f"[dim]{self.n(len(rows) - len(shown))} more: --limit 0, or --format csv[/]"
            )
        fixes: dict[str, int] = {}
        for r in rows:
            if r["fix"]:
                fixes[r["fix"]] = fixes.get(r["fix"], 0) + 1
        for fix, n in fixes.items():
            self.line(self.t("fix"), f"{message_in(fix, self.lang)} ({self.n(n)} "
                      f"{self.t('problem(s)')})", "green")  # fmt: skip

    def ingest(self, summary, workspace: Path | None = None) -> None:
        """An ingest summary: rows per table, what was set aside, merges, notes, warnings."""
        colon = " : " if self.lang == "fr" else ": "
        t = Table(title=f"{self.t('Ingest summary')} ({self.t('policy')}{colon}{summary.policy})")
        for c in ("table", "read", "loaded", "merged", "quarantined"):
            t.add_column(self.t(c), justify="left" if c == "table" else "right")
        for name, s in summary.tables.items():
            t.add_row(
                name,
                f"{self.n(s.rows_read)}",
                f"{self.n(s.rows_loaded)}",
                f"{self.n(s.rows_merged)}",
                f"{self.n(s.rows_quarantined)}",
            )
        self.out.print(t)
        quarantined = 0
        for name, s in summary.tables.items():
            quarantined += s.problems_quarantined
            for reason, n in s.quarantine_reasons.most_common(10):
                sep, reason = " : " if self.lang == "fr" else ": ", message_in(reason, self.lang)
                self.line("  ", f"{self.t('quarantined')} {name}{sep}{self.n(n)} × "
                                f"{self.t('expected')} {reason}")  # fmt: skip
        if quarantined:
            where = f" -w {workspace}" if workspace is not None and str(workspace) != "." else ""
            said = self.t("problem(s) set aside: `leadpilot quarantine{where}` lists each with "
                          "its row, cell and fix").format(where=where)  # fmt: skip
            self.line("", f"{self.n(quarantined)} {said}")
        # French puts a space before ':' and ';'
        colon, semi = (" : ", " ; ") if self.lang == "fr" else (": ", "; ")
        self.out.print(
            f"{self.t('Leads merged')}{colon}{self.n(summary.leads_merged)}"
            + "".join(f" ({n} {r})" for r, n in summary.merge_reasons.items())
            + f"{semi}{self.t('excluded by the lead rule')}{colon}"
            f"{self.n(summary.leads_excluded)}{semi}"
            f"{self.t('channel derived from UTM/referrer')}{colon}"
            f"{self.n(summary.channels_derived)}"
            + (
                f"{semi}{self.t('no channel at all (unknown)')}{colon}"
                f"{self.n(summary.channels_unknown)}"
                if summary.channels_unknown
                else ""
            ),
            markup=False,
        )
        if summary.channels:
            self.out.print(
                f"{self.t('Leads by channel')}{colon}"
                + ", ".join(f"{c or 'unknown'} {self.n(n)}" for c, n in summary.channels.items()),
                markup=False,
            )
        for n in summary.notes:
            self.line(self.t("note"), message_in(str(n), self.lang), "dim")
        for w in summary.warnings:
            self.line(self.t("warning"), message_in(str(w), self.lang), "yellow")

    def presets(self, presets: dict[str, dict]) -> None:
        """The export presets: name, table and the export each reads."""
        t = Table(title="Presets (sources[].preset in leadpilot.yaml)")
        t.add_column("preset")
        t.add_column("table")
        t.add_column("export")
        for name, info in presets.items():
            t.add_row(name, info["table"] or "(any)", info["title"])
        self.out.print(t)
        self.out.print("[dim]leadpilot presets NAME shows one preset's mapping[/]")

    def preset(self, name: str, info: dict) -> None:
        """One preset: its columns, stage dates, value mappings, date formats and money."""
        self.out.print(f"[bold]{name}[/] → {info['table']}", highlight=False)
        self.line("", info["doc"])
        spec = info["spec"]
        t = Table(title="Columns (leadpilot column ← export header)")
        t.add_column("column")
        t.add_column("header")
        for col, header in spec.get("columns", {}).items():
            t.add_row(col, header if isinstance(header, str) else " | ".join(header))
        for stage, header in spec.get("stage_dates", {}).items():
            t.add_row(f"stage {stage} (date)", header)
        self.out.print(t)
        for col, mapping in spec.get("values", {}).items():
            v = Table(title=f"Values of {col} (matched exactly, then ignoring case and accents)")
            v.add_column("export value")
            v.add_column(col)
            for key, target in mapping.items():
                v.add_row("any other value" if key == "*" else key, str(target))
            self.out.print(v)
        if spec.get("date_formats"):
            self.line("date formats (default, below yours)", ", ".join(spec["date_formats"]))
        if spec.get("money"):
            self.line("money columns", ", ".join(spec["money"]))
