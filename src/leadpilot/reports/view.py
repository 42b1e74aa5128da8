"""The report written for a reader: sections of blocks in one language.

:func:`build` turns :class:`~leadpilot.reports.collect.ReportData` into a
:class:`ReportView`: the sections in the order of the report, each a list of blocks
(headline cards, findings, tables, charts, messages, definitions). Every block keeps the
raw value beside its text, so the HTML (and the PDF made from it), the Excel workbook and
the Markdown all render the same view: numbers written by Babel for the language in the
documents, real numbers with number formats in Excel. A French view is typeset once built
(:func:`leadpilot.reports.labels.typeset`), so every format shows the same French text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from functools import partial
from statistics import median
from typing import Any

from ..i18n import Formatter, tr
from ..results.result import group_name
from . import charts
from .collect import ReportData
from .labels import (
    GAPS,
    NOTICES,
    caveat,
    gap,
    label,
    model_name,
    period_name,
    severity,
    stage_name,
    typeset,
)

SECTIONS = (
    "headline",
    "findings",
    "funnel",
    "channels",
    "trends",
    "velocity",
    "attribution",
    "scoring",
    "quality",
    "definitions",
)
STAGES = ("lead", "mql", "sal", "sql", "opportunity", "customer")
EXITS = ("rejected", "disqualified")
CARDS = ("revenue", "customers", "pipeline_value", "spend", "roi")
SECONDARY = ("leads", "lead_to_customer", "cpl", "cac", "avg_deal_size")
# notices that say nothing to a reader of this report (the report's own choices)
QUIET = {"activity_rates", "kaplan_meier_cohort_only"}
# notices the report writes itself, counted over its period from the figures it shows (the
# results' own sentences count over all the data, each at its own as-of date)
COUNTED = {"no_spend", "not_recorded", "not_credited"}
# the attribution notices that concern its shares (the report shows no attribution cost)
ATTRIBUTION_NOTES = {"not_credited", "grouped_as_other", "no_null_paths"}
DOT_MODELS = ("first_touch", "last_touch", "linear", "position_based", "markov")


def unvalued_counts(result: Any) -> tuple[int, int] | None:
    """(won deals without an amount, won deals) of a KPI result, from its notice's data."""
    for n in getattr(result, "notices", None) or ():
        if n.code == "unvalued" and "lacking" in n.data:
            return int(n.data["lacking"]), int(n.data["total"])
    return None


def notice_notes(
    codes: Iterable[str], lang: str, said: Iterable[str] = (), counted: Iterable[str] = COUNTED
) -> list[str]:
    """The notes on the numbers in ``lang``: a general sentence per notice code (each once,
    in order), leaving out the notices that say nothing to a reader (:data:`QUIET`), those
    the writer counts itself (``counted``), those already said (``said``) and the codes
    without a sentence. The report's notes and the dashboard's panels write them so."""
    skip = QUIET | set(counted) | set(said)
    return [NOTICES[c][lang] for c in dict.fromkeys(codes) if c in NOTICES and c not in skip]


def unvalued_note(result: Any, over: str, lang: str, fmt: Formatter) -> str | None:
    """How many won deals of a KPI result have no amount (its "unvalued" notice), counted
    ``over`` its period ("over all the data", "in Q2 2025"), in ``lang``: its revenue, ROI
    and average deal size rest on the others, or are unknown. None without that notice."""
    counts = unvalued_counts(result)
    if counts is None:
        return None
    n, total = counts
    key = "note_unvalued_all" if n >= total else "note_unvalued"
    return label(
        key,
        lang,
        over_cap=over[:1].upper() + over[1:],
        n=fmt.number(n),
        total=fmt.number(total),
        valued=fmt.number(total - n),
    )


# ---------------------------------------------------------------- blocks
@dataclass
class Cell:
    """A value and its text for the reader; ``unit`` tells Excel its number format."""

    value: Any
    text: str
    unit: str = ""  # "", count, currency, fraction, days, multiple, text
    key: str | None = None  # the KPI (data-kpi in HTML)
    group: str | None = None  # the raw group value (data-group in HTML)
    mark: str = ""  # "*": immature cohort
    verbatim: bool = False  # a value of the data (a channel's name): never translated


@dataclass
class Column:
    key: str
    label: str
    unit: str = ""

    @property
    def numeric(self) -> bool:
        return self.unit not in ("", "text")


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[Cell]]
    total: list[Cell] | None = None
    note: str | None = None
    kind: str = "table"


@dataclass
class Chart:
    """A chart: ``make(width)`` is its Vega-Lite specification at that width (the HTML
    draws it wide for screens and print, narrow for phones)."""

    key: str
    title: str
    make: Callable[[int], dict]
    note: str | None = None
    table: Table | None = None  # its numbers, for Excel and Markdown (no chart there)
    kind: str = "chart"
    # what a document without the chart (Markdown) says instead of ``note``, when the
    # note describes the drawing (its colours, its order): None, the note as it is
    text_note: str | None = None
    svg: str = ""
    svg_narrow: str = ""

    @property
    def spec(self) -> dict:
        return self.make(charts.WIDTH)


@dataclass
class Message:
    text: str
    # gap: cannot be shown; caveat: a figure shown, to read with care; info, warn, good
    level: str = "gap"
    detail: str | None = None  # technical text, English
    kind: str = "message"


@dataclass
class Card:
    key: str
    label: str
    value: Any
    text: str
    unit: str
    change: float | None = None  # relative (points for fractions)
    change_text: str = ""
    tone: str = "neutral"  # good, bad, neutral
    arrow: str = ""
    previous_text: str = ""  # 'vs Q1 2025: €1,234' (the HTML card)
    previous: Any = None
    full_text: str = ""
    before_text: str = ""  # the comparison period's figure alone ('€1,234'; '–': unknown)


@dataclass
class Cards:
    items: list[Card]
    secondary: list[Card]
    note: str | None = None
    highlights: list[tuple[str, str, str]] = field(default_factory=list)  # severity, label, title
    compared: bool = True  # the cards carry a comparison period (its columns are drawn)
    kind: str = "cards"


@dataclass
class FindingView:
    code: str
    severity: str
    severity_label: str
    title: str
    group: str
    explanation: str
    evidence: list[str]
    actions: list[str]


@dataclass
class Findings:
    items: list[FindingView]
    empty: str | None = None
    kind: str = "findings"


@dataclass
class Meter:
    """The acceptance rate against its threshold."""

    title: str
    value: float | None
    threshold: float
    value_text: str
    threshold_text: str
    text: str
    tone: str
    kind: str = "meter"


@dataclass
class Notes:
    """Notes on the numbers shown, each said once, in the reader's language."""

    title: str
    items: list[str]
    kind: str = "notes"


@dataclass
class Definitions:
    items: list[tuple[str, str, str]]  # key, label, rule
    intro: str
    kind: str = "definitions"


@dataclass
class Section:
    key: str
    title: str
    blocks: list = field(default_factory=list)


@dataclass
class ReportView:
    lang: str
    currency: str
    title: str
    subtitle: str
    facts: list[str]
    sections: list[Section]
    period: str
    filename_stem: str
    footer: str

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


# ---------------------------------------------------------------- the writer
class _Writer:
    def __init__(self, data: ReportData, lang: str) -> None:
        self.data = data
        self.lang = lang
        self.fmt = Formatter(lang, data.currency)
        self.kpis = data.kpi_info()
        self.shown: dict[str, None] = {}  # KPIs shown, in order: their definitions

    # -------------------------------------------------------- small helpers
    def t(self, key: str, **values) -> str:
        return label(key, self.lang, **values)

    def kpi_label(self, name: str) -> str:
        """The KPI catalog's label: the one the terminal and the dashboard show too."""
        info = self.kpis.get(name)
        if info is None:
            return name
        return info["label_fr"] if self.lang == "fr" else info["label_en"]

    def show(self, name: str) -> None:
        self.shown.setdefault(name, None)

    def unit(self, name: str) -> str:
        info = self.kpis.get(name) or {}
        unit = info.get("unit", "")
        return "count" if unit in ("leads", "visitors", "touches") else unit

    def text(self, value: Any, unit: str) -> str:
        if value is None:
            return "–"
        if unit == "count":
            return self.fmt.number(value)
        if unit == "currency":
            return self.fmt.money(value)
        if unit == "fraction":
            return self.fmt.percent(value)
        if unit == "days":
            return self.fmt.number(value, 0 if value >= 10 else 1)
        if unit == "multiple":
            return self.fmt.multiple(value)
        return self.fmt.value(value)

    def cell(self, value: Any, unit: str, key: str | None = None, group: Any = None) -> Cell:
        return Cell(value, self.text(value, unit), unit, key, None if group is None else str(group))

    def group_name(self, value: Any) -> str:
        if value is None:
            return group_name(value, self.lang)  # '(aucun)' in French, as in tables
        return self.data.channel_labels.get(value) or str(value)

    def period(self, label_: str) -> str:
        return period_name(label_, self.lang)

    def gaps(self, section: str) -> list[Message]:
        out = []
        for g in self.data.gaps.get(section, []):
            values = {
                k: self.fmt.date(v)
                if isinstance(v, date)
                else (self.period(v) if k == "period" else v)
                for k, v in g.values.items()
            }
            out.append(Message(gap(g.key, self.lang, **values), "gap", g.detail))
        return out

    def caveats(self, section: str) -> list[Message]:
        """What needs care in the figures a section shows (they are shown: not a gap)."""
        return [
            Message(caveat(c.key, self.lang, **c.values), "caveat")
            for c in self.data.caveats.get(section, [])
        ]

    def over(self) -> str:
        """What a count of the report counts over: its period, or all the data."""
        if self.data.whole:
            return self.t("over_all_data")
        return self.t("in_period", period=self.period(self.data.period.label))

    def signed_money(self, v: float) -> str:
        return self.signed(v, self.fmt.money)

    def signed(self, v: float, write: Callable[[float], str]) -> str:
        """``v`` with its sign (a true minus, as the headline writes it); none when what is
        written is zero."""
        shown = write(abs(v))
        if shown == write(0):
            return shown
        return ("+" if v >= 0 else "−") + shown

    # -------------------------------------------------------- the document
    def build(self) -> ReportView:
        d = self.data
        facts = [
            f"{self.t('data_as_of')} {self.fmt.date(d.as_of)}",
            f"{self.t('amounts_in')} {d.currency}",
        ]
        if d.comparable:
            facts.insert(
                0,
                f"{self.t('compared_with')} {self.period(d.previous.label)}"
                + (f" ({self.t('same_period_last_year')})" if d.vs == "last-year" else ""),
            )
        sections = [
            self.headline(),
            self.findings(),
            self.funnel(),
            self.channels(),
            self.trends(),
            self.velocity(),
            self.attribution(),
            self.scoring(),
            self.quality(),
        ]
        sections.append(self.definitions())
        title = self.t("report_title")
        return ReportView(
            lang=self.lang,
            currency=d.currency,
            title=title,
            subtitle=" — ".join(x for x in (d.name, self.period(d.period.label)) if x),
            facts=facts,
            sections=sections,
            period=d.period.label,
            filename_stem=f"leadpilot-report-{d.period.label}-{self.lang}",
            footer=f"{self.t('generated_by')} — {self.fmt.date(d.generated_on)}",
        )

    # -------------------------------------------------------- 1. headline
    def headline(self) -> Section:
        d = self.data
        s = Section("headline", self.t("sec_headline"))
        cur, prev = d.current_row(), d.previous_row()
        comparable = d.comparable
        no_deals = not d.counts.get("deals") or not d.deal_amounts
        no_spend = not d.counts.get("spend")
        # what the data cannot compute is not a card: the gaps below say why
        missing = {"revenue", "roi", "avg_deal_size", "pipeline_value"} if no_deals else set()
        if no_spend:
            missing |= {"spend", "roi", "cpl", "cac"}

        def card(name: str) -> Card:
            if name == "pipeline_value":
                value, before = d.pipeline
                unit, better = "currency", True
                lab = self.t("pipeline_end")
            else:
                value, before = cur.get(name), prev.get(name)
                unit = self.unit(name)
                better = (self.kpis.get(name) or {}).get("higher_is_better", True)
                lab = self.kpi_label(name)
            self.show(name)
            # every figure exact, as the tables and the workbook write it, in both languages
            c = Card(name, lab, value, self.text(value, unit), unit, previous=before)
            c.full_text = c.text
            if not comparable:
                return c
            # the comparison period's figure stands even when the period has none (no lead)
            c.before_text = self.text(before, unit)
            if before is not None:
                c.previous_text = self.t("vs_previous", period=self.period(d.previous.label)) + (
                    f" : {c.before_text}" if self.lang == "fr" else f": {c.before_text}"
                )
            if value is None or before is None:
                return c
            if unit == "fraction":
                diff = value - before
                c.change = diff
                shown = self.fmt.number(abs(diff) * 100, 1) + " " + self.t("points")
                zero = self.fmt.number(0, 1) + " " + self.t("points")
            elif before:
                diff = value / before - 1
                c.change = diff
                shown, zero = self.fmt.percent(abs(diff)), self.fmt.percent(0)
            else:
                diff = value - before
                c.change = None
                shown, zero = self.text(abs(diff), unit), self.text(0, unit)
            if abs(diff) < 1e-9:
                c.change_text, c.arrow = self.t("no_change"), "="
            elif shown == zero:  # a change too small to show: no arrow, no sign
                c.change_text = shown
            else:
                c.change_text = ("+" if diff > 0 else "−") + shown
                c.arrow = "▲" if diff > 0 else "▼"
                if name == "spend":
                    c.tone = "neutral"
                else:
                    c.tone = "good" if (diff > 0) == bool(better) else "bad"
            return c

        note = None
        if not d.one_creation_day:
            reading = "cohort_reading" if d.compares else "cohort_reading_single"
            note = (
                self.t("cohort_reading_all", day=self.fmt.date(d.as_of))
                if d.whole
                else self.t(reading, period=self.period(d.period.label), day=self.fmt.date(d.as_of))
            )
            if d.period_cut:
                note += " " + self.t(
                    "period_cut",
                    period=self.period(d.period.label),
                    day=self.fmt.date(d.period.end),
                )
        highlights = []
        if d.diagnosis is not None and comparable:
            for f in d.diagnosis.meta["findings"]:
                if f["severity"] in ("high", "medium", "positive") and len(highlights) < 3:
                    title = f["title_fr"] if self.lang == "fr" else f["title"]
                    highlights.append((f["severity"], severity(f["severity"], self.lang), title))
        s.blocks.append(
            Cards(
                [card(n) for n in CARDS if n not in missing],
                [card(n) for n in SECONDARY if n not in missing],
                note,
                highlights,
                compared=comparable,
            )
        )
        s.blocks += self.gaps("headline")
        return s

    # -------------------------------------------------------- 2. findings
    def findings(self) -> Section:
        d = self.data
        s = Section("findings", self.t("sec_findings"))
        s.blocks += self.gaps("findings")
        if not d.compares:  # asked for no comparison: say so, nothing is missing
            s.blocks.append(
                Message(self.t("no_comparison_all" if d.whole else "no_comparison"), "info")
            )
            return s
        if d.diagnosis is None or not d.comparable:
            return s
        meta = d.diagnosis.meta
        if meta.get("by") == "channel":
            # diagnose without --by compares the totals: say how to get these findings
            command = f"leadpilot diagnose --current {d.period.label}" + (
                " --vs last-year" if d.vs == "last-year" else ""
            )
            s.blocks.append(
                Message(
                    self.t("findings_by_channel", command=f"{command} --by channel"), "info"
                )
            )
        items = [self.finding(f) for f in meta["findings"]]
        s.blocks.append(Findings(items, None if items else self.t("no_findings")))
        dec = meta.get("decomposition") or {}
        key = (
            "revenue"
            if (dec.get("revenue") or {}).get("before") or (dec.get("revenue") or {}).get("after")
            else "customers"
        )
        part = dec.get(key)
        if part and (part.get("before") or part.get("after")):
            s.blocks.append(self.bridge(part, key == "revenue"))
        return s

    def finding(self, f: dict) -> FindingView:
        fr = self.lang == "fr"
        group = ", ".join(
            self.t("in_group", group=self.group_name(v))
            if k == "channel"
            else f"{tr(k, self.lang)} {group_name(v, self.lang)}"  # never 'content None'
            for k, v in (f.get("group") or {}).items()
        )
        return FindingView(
            code=f["code"],
            severity=f["severity"],
            severity_label=severity(f["severity"], self.lang),
            title=f["title_fr"] if fr else f["title"],
            group=group,
            explanation=f["explanation_fr"] if fr else f["explanation"],
            evidence=self.evidence(f.get("evidence") or {}),
            actions=list((f["actions_fr"] if fr else f["actions"]) or []),
        )

    def evidence(self, evidence: dict) -> list[str]:
        """The numbers behind a finding: before → after of each KPI and rate (with its
        counts); nested details (the decomposition) are drawn, not listed."""
        out = []
        units = (self.data.diagnosis.meta.get("units") or {}) if self.data.diagnosis else {}
        for key, value in evidence.items():
            if key not in self.kpis and key not in units:
                continue
            name = self.kpi_label(key)
            unit = self.unit(key) or {
                "currency": "currency",
                "fraction": "fraction",
                "days": "days",
            }.get(units.get(key, ""), "count")
            if isinstance(value, list) and len(value) == 2:
                out.append(f"{name} : " if self.lang == "fr" else f"{name}: ")
                out[-1] += f"{self.text(value[0], unit)} → {self.text(value[1], unit)}"
            elif isinstance(value, dict) and "before" in value:
                sep = " : " if self.lang == "fr" else ": "
                line = (
                    f"{name}{sep}{self.fmt.percent(value['before'])} "
                    f"({self.fmt.number(value.get('successes_before'))}/"
                    f"{self.fmt.number(value.get('trials_before'))}) → "
                    f"{self.fmt.percent(value['after'])} "
                    f"({self.fmt.number(value.get('successes_after'))}/"
                    f"{self.fmt.number(value.get('trials_after'))})"
                )
                p = value.get("p_value")
                if p is not None:
                    line += ", p " + (
                        "< " + self.fmt.number(0.001, 3)
                        if p < 0.001
                        else "= " + self.fmt.number(p, 3)
                    )
                out.append(line)
        return out

    def bridge(self, part: dict, money: bool) -> Chart:
        d = self.data
        text = (
            self.signed_money
            if money
            else partial(self.signed, write=lambda v: self.fmt.number(v, 1))
        )
        total = self.fmt.money if money else self.fmt.number
        effects = dict(part["effects"])
        if not d.diagnosis.meta.get("by"):
            effects.pop("mix", None)
        rows, level = [], part["before"]
        rows.append(
            {
                "step": self.period(d.previous.label),
                "start": 0,
                "end": level,
                "kind": "total",
                "text": total(level),
                "right": level,
            }
        )
        for name, value in effects.items():
            end = level + value
            rows.append(
                {
                    "step": self.t(f"effect_{name}"),
                    "start": level,
                    "end": end,
                    "kind": "up" if value >= 0 else "down",
                    "text": text(value),
                    "right": max(level, end),
                }
            )
            level = end
        rows.append(
            {
                "step": self.period(d.period.label),
                "start": 0,
                "end": part["after"],
                "kind": "total",
                "text": total(part["after"]),
                "right": part["after"],
            }
        )
        key = "bridge_title_revenue" if money else "bridge_title_customers"
        title = self.t(
            key, previous=self.period(d.previous.label), current=self.period(d.period.label)
        )
        x_title = self.kpi_label("revenue" if money else "customers")
        unit = "currency" if money else "count"
        table = Table(
            "bridge",
            title,
            [Column("effect", self.t("effect"), "text"), Column("amount", self.t("amount"), unit)],
            [
                [Cell(r["step"], r["step"], "text"), self.cell(r["end"], unit)]
                if r["kind"] == "total"
                # an effect with its sign, as the chart writes it: '−€126,661', '+284'
                else [
                    Cell(r["step"], r["step"], "text"),
                    Cell(
                        r["end"] - r["start"],
                        self.signed(r["end"] - r["start"], partial(self.text, unit=unit)),
                        unit,
                    ),
                ]
                for r in rows
            ],
        )
        return Chart(
            "bridge",
            title,
            partial(charts.bridge, rows, title, x_title, money),
            self.t("bridge_note" if d.diagnosis.meta.get("by") else "bridge_note_total"),
            table,
        )

    # -------------------------------------------------------- 3. funnel
    def funnel(self) -> Section:
        d = self.data
        s = Section("funnel", self.t("sec_funnel"))
        gaps = self.gaps("funnel")
        s.blocks += gaps
        if gaps:
            return s
        rows = [r for r in d.funnel.rows if r["stage"] in STAGES]
        cols = [
            Column("stage", self.t("stage"), "text"),
            Column("count", self.t("count"), "count"),
            Column("from_previous", self.t("from_previous"), "fraction"),
            Column("from_lead", self.t("from_lead"), "fraction"),
        ]
        table_rows = [
            [
                Cell(r["stage"], stage_name(r["stage"], self.lang), "text", group=r["stage"]),
                self.cell(r["count"], "count", "funnel.count", r["stage"]),
                self.cell(
                    r.get("conversion_from_previous"),
                    "fraction",
                    "funnel.from_previous",
                    r["stage"],
                ),
                self.cell(
                    r.get("conversion_from_lead"), "fraction", "funnel.from_lead", r["stage"]
                ),
            ]
            for r in rows
        ]
        chart_rows = []
        for r in rows:
            rate = r.get("conversion_from_previous")
            text = self.fmt.number(r["count"])
            if rate is not None:
                text += f"  ({self.fmt.percent(rate)})"
            chart_rows.append(
                {"stage": stage_name(r["stage"], self.lang), "count": r["count"], "label": text}
            )
        title = self.t("funnel_chart")
        x_title = self.t("count")
        s.blocks.append(
            Chart(
                "funnel",
                title,
                partial(charts.funnel, chart_rows, title, x_title),
                f"({self.t('from_previous').lower()})",
            )
        )
        exits = [r for r in d.funnel.rows if r["stage"] in EXITS]
        exit_note = ", ".join(
            f"{stage_name(r['stage'], self.lang)} {self.fmt.number(r['count'])}" for r in exits
        )
        s.blocks.append(
            Table(
                "funnel",
                self.t("sec_funnel"),
                cols,
                table_rows,
                note=f"{self.t('exits')} : {exit_note}"
                if self.lang == "fr" and exits
                else (f"{self.t('exits')}: {exit_note}" if exits else None),
            )
        )
        s.blocks.append(self.acceptance())
        reasons = d.funnel.meta.get("rejection_reasons") or []
        if reasons:
            s.blocks.append(
                Table(
                    "rejections",
                    self.t("rejection_reasons"),
                    [
                        Column("reason", self.t("reason"), "text"),
                        Column("rejected", self.t("rejected"), "count"),
                    ],
                    [
                        [
                            Cell(
                                r["reason"], r["reason"], "text", group=r["reason"], verbatim=True
                            ),
                            self.cell(r["rejected"], "count"),
                        ]
                        for r in reasons[:8]
                    ],
                )
            )
        for k in (
            "lead_to_mql",
            "mql_to_sal",
            "mql_to_sql",
            "sql_to_opportunity",
            "opportunity_to_customer",
            "lead_to_customer",
        ):
            self.show(f"funnel:{k}")
        return s

    def acceptance(self) -> Meter:
        meta = self.data.funnel.meta
        threshold = meta.get("acceptance_threshold") or 0.0
        a = (meta.get("acceptance") or [{}])[0]
        th = self.fmt.percent(threshold, 0)
        if not a.get("measured"):
            return Meter(
                self.t("acceptance"),
                None,
                threshold,
                "–",
                th,
                self.t("acceptance_not_measured", threshold=th),
                "neutral",
            )
        rate = a["acceptance_rate"]
        key = "acceptance_meets" if a["meets_threshold"] else "acceptance_below"
        text = self.t(
            key,
            rate=self.fmt.percent(rate),
            accepted=self.fmt.number(a["mqls_accepted"]),
            sent=self.fmt.number(a["mqls_transmitted"]),
            threshold=th,
        )
        return Meter(
            self.t("acceptance"),
            rate,
            threshold,
            self.fmt.percent(rate),
            th,
            text,
            "good" if a["meets_threshold"] else "bad",
        )

    # -------------------------------------------------------- 4. channels
    def channels(self) -> Section:
        d = self.data
        s = Section("channels", self.t("sec_channels"))
        s.blocks += self.gaps("channels")
        if d.channels is None:
            return s
        no_spend = not d.counts.get("spend")
        no_deals = not d.counts.get("deals") or not d.deal_amounts
        names = [
            k
            for k in (
                "leads",
                "customers",
                "lead_to_customer",
                "revenue",
                "spend",
                "cpl",
                "cac",
                "roi",
            )
            if not (no_spend and k in ("spend", "cpl", "cac", "roi"))
            and not (no_deals and k in ("revenue", "roi"))
        ]
        for k in names:
            self.show(k)
        cols = [Column("channel", self.t("channel"), "text")] + [
            Column(k, self.kpi_label(k), self.unit(k)) for k in names
        ]
        rows = sorted(
            d.channels.rows, key=lambda r: (-(r.get("revenue") or 0), -(r.get("leads") or 0))
        )
        table_rows = [
            [
                Cell(
                    r["channel"],
                    self.group_name(r["channel"]),
                    "text",
                    group=r["channel"],
                    verbatim=True,
                )
            ]
            + [self.cell(r.get(k), self.unit(k), k, r["channel"]) for k in names]
            for r in rows
        ]
        cur = d.current_row()
        total = [Cell(None, self.t("total"), "text")] + [
            self.cell(cur.get(k), self.unit(k), k, "__total__") for k in names
        ]
        note = None
        if not no_spend:
            organic, idle = self.unpaid(r for r in rows if r.get("spend") is None)
            notes = []
            if organic:
                names = ", ".join(self.group_name(r["channel"]) for r in organic)
                notes.append(self.t("no_cost_for", channels=names))
            if idle:
                names = ", ".join(self.group_name(r["channel"]) for r in idle)
                notes.append(self.t("no_cost_in_period", over=self.over(), channels=names))
            note = " ".join(notes) or None
        if no_spend:
            s.blocks.append(Message(gap("no_spend", self.lang)))
        s.blocks.append(Table("channels", self.t("sec_channels"), cols, table_rows, total, note))
        if no_spend:
            return s
        costed = [r for r in rows if r.get("cpl") is not None and r.get("cac") is not None]
        if not costed:
            s.blocks.append(Message(gap("no_cost_chart", self.lang)))
            return s
        mid_cpl = median(r["cpl"] for r in costed)
        mid_cac = median(r["cac"] for r in costed)
        points = [
            {
                "channel": self.group_name(r["channel"]),
                "cpl": r["cpl"],
                "cac": r["cac"],
                "cpl_text": self.fmt.money(r["cpl"]),
                "cac_text": self.fmt.money(r["cac"]),
                "trap": r["cpl"] < mid_cpl and r["cac"] > mid_cac,
            }
            for r in costed
        ]
        names = (self.kpi_label("cpl"), self.kpi_label("cac"))
        title = self.t("cost_chart", cpl=names[0], cac=names[1][:1].lower() + names[1][1:])
        legend = (title, self.t("cheap_trap"), self.t("other_channels"))
        # the chart's order and colours are the HTML's; the Markdown has the table only
        order = self.t("by_revenue" if not no_deals else "by_leads")
        s.blocks.append(
            Chart(
                "costs",
                title,
                partial(charts.costs, points, names, legend),
                self.t("cost_chart_note"),
                text_note=self.t("channels_table_note", order=order),
            )
        )
        return s

    # -------------------------------------------------------- 5. trends
    def trends(self) -> Section:
        d = self.data
        s = Section("trends", self.t("sec_trends"))
        s.blocks += self.gaps("trends")
        if d.trends is None:
            return s
        rows = d.trends.rows
        money = bool(d.deal_amounts)
        value_key = "revenue" if money else "customers"
        names = ["leads", "customers", "lead_to_customer"] + (["revenue"] if money else [])
        for k in names:
            self.show(k)
        mature, immature = self.t("mature"), self.t("immature")
        points = [
            {
                "month": self.period(r["period"]) + (" *" if r.get("immature") else ""),
                "leads": r.get("leads") or 0,
                "revenue": r.get(value_key) or 0,
                "rate": r.get("lead_to_customer"),
                "maturity": immature if r.get("immature") else mature,
            }
            for r in rows
        ]
        titles = (
            self.t("trend_leads"),
            self.t("trend_revenue") if money else self.kpi_label("customers"),
            self.t("trend_closing"),
        )

        delay = (d.trends.meta.get("maturity") or {}).get("expected_delay_days")
        note = (
            self.t("immature_note", days=self.fmt.day_count(delay))
            if any(r.get("immature") for r in rows) and delay is not None
            else None
        )
        title = self.t("trend_chart" if money else "trend_chart_customers")
        s.blocks.append(
            Chart(
                "trends",
                title,
                partial(charts.trends, points, titles, (mature, immature), money),
                note,
            )
        )
        cols = [Column("month", self.t("month"), "text")] + [
            Column(k, self.kpi_label(k), self.unit(k)) for k in names
        ]
        table_rows = []
        for r in rows:
            first = Cell(
                r["period"],
                self.period(r["period"]),
                "text",
                group=r["period"],
                mark="*" if r.get("immature") else "",
            )
            table_rows.append(
                [first] + [self.cell(r.get(k), self.unit(k), k, r["period"]) for k in names]
            )
        s.blocks.append(Table("trends", self.t("sec_trends"), cols, table_rows, note=note))
        return s

    # -------------------------------------------------------- 6. velocity
    def velocity(self) -> Section:
        d = self.data
        s = Section("velocity", self.t("sec_velocity"))
        gaps = self.gaps("velocity")
        s.blocks += gaps + self.caveats("velocity")
        blocking = {"one_creation_day", "no_customers_velocity", "same_day_durations"}
        if d.velocity is None or any(g.key in blocking for g in d.gaps.get("velocity", [])):
            return s
        row = d.velocity.rows[0]
        names = ("days_to_mql", "days_to_sql", "days_to_opportunity", "sales_cycle_days")
        for n in names:
            self.show(f"velocity:{n}")
        if d.velocity_channels is not None:
            points = [
                {
                    "channel": self.group_name(r["channel"]),
                    "median": r["sales_cycle_days"],
                    "p75": r["sales_cycle_days_p75"],
                    "median_text": self.fmt.number(r["sales_cycle_days"], 0),
                }
                for r in d.velocity_channels.rows
                if r.get("sales_cycle_days") is not None
            ]
            if points:
                title = self.t("cycle_chart")
                table = Table(
                    "cycle",
                    title,
                    [
                        Column("channel", self.t("channel"), "text"),
                        Column("median", self.t("median"), "days"),
                        Column("p75", self.t("p75"), "days"),
                    ],
                    [
                        [
                            Cell(p["channel"], p["channel"], "text", verbatim=True),
                            self.cell(p["median"], "days"),
                            self.cell(p["p75"], "days"),
                        ]
                        for p in points
                    ],
                )
                x_title, names_ = self.t("days"), (self.t("median"), self.t("p75"))
                s.blocks.append(
                    Chart(
                        "cycle",
                        title,
                        partial(charts.cycle, points, title, x_title, names_),
                        table=table,
                    )
                )
        cols = [
            Column("measure", self.t("measure"), "text"),
            Column("median", self.t("median"), "days"),
            Column("p75", self.t("p75"), "days"),
            Column("mean", self.t("mean"), "days"),
            Column("n", self.t("converters"), "count"),
        ]
        table_rows = [
            [
                Cell(n, self.t(f"v_{n}"), "text", group=n),
                self.cell(row.get(n), "days", n),
                self.cell(row.get(f"{n}_p75"), "days", f"{n}_p75"),
                self.cell(row.get(f"{n}_mean"), "days", f"{n}_mean"),
                self.cell(row.get(f"{n}_n"), "count", f"{n}_n"),
            ]
            for n in names
        ]
        km = d.velocity.meta.get("kaplan_meier")
        if km:
            stages = [s_ for s_ in km["stages"] if s_ in ("sql", "customer")]
            stage_labels = {"sql": self.t("reached_sql"), "customer": self.t("reached_customer")}
            points = []
            for stage in stages:
                points.append({"day": 0, "share": 0.0, "stage": stage_labels[stage], "text": ""})
                for h in km["days"]:
                    v = row.get(f"{stage}_by_day_{h}")
                    if v is not None:
                        points.append(
                            {
                                "day": h,
                                "share": v,
                                "stage": stage_labels[stage],
                                "text": self.fmt.percent(v),
                            }
                        )
            if len(points) > len(stages):
                title = self.t("km_chart")
                days = [0, *km["days"]]
                table = Table(
                    "survival",
                    title,
                    [Column("stage", self.t("stage"), "text")]
                    + [Column(f"day_{h}", self.t("day_n", n=h), "fraction") for h in days],
                    [
                        [Cell(x, stage_labels[x], "text")]
                        + [
                            self.cell(0.0 if h == 0 else row.get(f"{x}_by_day_{h}"), "fraction")
                            for h in days
                        ]
                        for x in stages
                    ],
                )
                axes = (self.t("days_since_creation"), self.t("share_converted"))
                lines = [stage_labels[x] for x in stages]
                s.blocks.append(
                    Chart(
                        "survival",
                        title,
                        partial(charts.survival, points, title, *axes, lines),
                        self.t("km_note"),
                        table,
                    )
                )
                self.show("velocity:<stage>_by_day_<N>")
        s.blocks.append(Table("velocity", self.t("sec_velocity"), cols, table_rows))
        return s

    # -------------------------------------------------------- 7. attribution
    def attribution(self) -> Section:
        d = self.data
        s = Section("attribution", self.t("sec_attribution"))
        s.blocks += self.gaps("attribution")
        a = d.attribution
        if a is None:
            return s
        period = d.period.label
        rows = [r for r in a.rows if r["period"] == period]
        models = [m for m in a.meta["models"] if any(r["model"] == m for r in rows)]
        channels = list(dict.fromkeys(r["channel"] for r in rows))
        cells = {(r["model"], r["channel"]): r for r in rows}
        spread = {x["channel"]: x for x in a.meta.get("spread", []) if x["period"] == period}
        names = [model_name(m, self.lang) for m in models]
        # every model in the table and the grey range; a few common ones as dots
        shown = [m for m in DOT_MODELS if m in models] or models
        names = [model_name(m, self.lang) for m in shown]
        dots = [
            {
                "channel": self.group_name(r["channel"]),
                "model": model_name(r["model"], self.lang),
                "share": r["share"],
            }
            for r in rows
            if r.get("share") is not None and r["model"] in shown
        ]
        ranges = []
        for c in channels:
            shares = [cells[(m, c)]["share"] for m in models if (m, c) in cells]
            if shares:
                ranges.append(
                    {"channel": self.group_name(c), "low": min(shares), "high": max(shares)}
                )
        title = self.t("att_chart")
        total = (a.meta.get("totals") or {}).get(period, {})
        lookback = a.meta.get("lookback_days")
        note = self.t("att_note")
        if len(shown) < len(models):
            note = self.t("att_range", n=len(models)) + " " + note
        if total.get("conversions") is not None and lookback is not None:
            note = (
                self.t(
                    "att_conversions",
                    n=self.fmt.number(total["conversions"]),
                    days=self.fmt.day_count(lookback),
                )
                + " "
                + note
            )
        x_title = self.t("att_share")
        s.blocks.append(
            Chart(
                "attribution",
                title,
                partial(charts.attribution, dots, ranges, title, x_title, names),
                note,
            )
        )
        cols = (
            [Column("channel", self.t("channel"), "text")]
            + [Column(m, model_name(m, self.lang), "fraction") for m in models]
            + [Column("spread", self.t("spread"), "fraction")]
        )
        order = sorted(
            channels,
            key=lambda c: -max(cells[(m, c)]["share"] or 0 for m in models if (m, c) in cells),
        )
        table_rows = [
            [Cell(c, self.group_name(c), "text", group=c, verbatim=True)]
            + [
                self.cell((cells.get((m, c)) or {}).get("share"), "fraction", f"share.{m}", c)
                for m in models
            ]
            + [self.cell((spread.get(c) or {}).get("spread"), "fraction", "spread", c)]
            for c in order
        ]
        s.blocks.append(Table("attribution", self.t("att_share"), cols, table_rows))
        for m in models:
            self.show(f"attribution:{m}")
        return s

    # -------------------------------------------------------- 8. scoring
    def scoring(self) -> Section:
        d = self.data
        s = Section("scoring", self.t("sec_scoring"))
        s.blocks += self.gaps("scoring")
        e = d.evaluation
        if e is None:
            return s
        score_labels = {"model": self.t("score_model"), "rules": self.t("score_rules")}
        deciles = e.meta.get("deciles") or {}
        if any(n.code == "rules_only" for n in e.notices):
            s.blocks.append(Message(self.t("scoring_rules_only"), "info"))
        if any(r.get("auc_warning") for r in e.rows):
            s.blocks.append(Message(self.t("scoring_auc_warning"), "warn"))
        points = [
            {"decile": x["decile"], "lift": x["lift"], "score": score_labels.get(name, name)}
            for name, rows in deciles.items()
            for x in rows
            if x.get("lift") is not None
        ]
        if points:
            title = self.t("lift_chart")
            names = list(deciles)
            table = Table(
                "lift",
                title,
                [Column("decile", self.t("decile"), "count")]
                + [Column(n, score_labels.get(n, n), "multiple") for n in names],
                [
                    [self.cell(i + 1, "count")]
                    + [
                        self.cell(
                            (deciles[n][i] if i < len(deciles[n]) else {}).get("lift"), "multiple"
                        )
                        for n in names
                    ]
                    for i in range(max(len(v) for v in deciles.values()))
                ],
            )
            axes = (self.t("decile"), self.t("lift"))
            scores = [score_labels.get(n, n) for n in deciles]
            s.blocks.append(
                Chart(
                    "lift",
                    title,
                    partial(charts.lift, points, title, *axes, scores),
                    self.t("lift_note"),
                    table,
                )
            )
        cols = [
            Column("score", self.t("score"), "text"),
            Column("n", self.t("leads_evaluated"), "count"),
            Column("auc", self.t("auc"), "ratio"),
            Column("base_rate", self.t("base_rate"), "fraction"),
            Column("conversion_above", self.t("above_threshold"), "fraction"),
            Column("conversion_below", self.t("below_threshold"), "fraction"),
            Column("top_lift", self.t("top_decile_lift"), "multiple"),
        ]
        table_rows = []
        for r in e.rows:
            top = (deciles.get(r["score"]) or [{}])[0].get("lift")
            auc = r.get("auc")
            table_rows.append(
                [
                    Cell(
                        r["score"],
                        score_labels.get(r["score"], r["score"]),
                        "text",
                        group=r["score"],
                    ),
                    self.cell(r.get("n"), "count", "n", r["score"]),
                    Cell(
                        auc,
                        "–" if auc is None else self.fmt.number(auc, 3),
                        "ratio",
                        "auc",
                        r["score"],
                    ),
                    self.cell(r.get("base_rate"), "fraction", "base_rate", r["score"]),
                    self.cell(
                        r.get("conversion_above"), "fraction", "conversion_above", r["score"]
                    ),
                    self.cell(
                        r.get("conversion_below"), "fraction", "conversion_below", r["score"]
                    ),
                    self.cell(top, "multiple", "top_lift", r["score"]),
                ]
            )
        s.blocks.append(Table("scoring", self.t("sec_scoring"), cols, table_rows))
        for k in ("auc", "base_rate", "conversion_above", "conversion_below", "lift"):
            self.show(f"scoring:{k}")
        return s

    # -------------------------------------------------------- 9. data quality
    def quality(self) -> Section:
        d = self.data
        s = Section("quality", self.t("sec_quality"))
        s.blocks += self.gaps("quality")
        items = [
            self.finding(f)
            for f in (d.diagnosis.meta["data_quality"] if d.diagnosis is not None else [])
        ]
        s.blocks.append(Findings(items, None if items else self.t("no_quality_issue")))
        notes = self.notes()
        if notes:
            s.blocks.append(Notes(self.t("notes"), notes))
        return s

    def notes(self) -> list[str]:
        """The notes on the numbers, each once: a general sentence per notice of the
        period's results, and the counts the report writes itself over its period (the
        comparison period's figures are the headline's "before" only: their notices would
        say the same things again, counted at another as-of date)."""
        d = self.data
        codes: dict[str, None] = {}
        for result in (
            d.headline,
            d.pipeline_result,
            d.diagnosis,
            d.funnel,
            d.channels,
            d.trends,
            d.velocity,
            d.velocity_channels,
            d.evaluation,
        ):
            for n in result.notices if result is not None else ():
                codes.setdefault(n.code, None)
        for n in d.attribution.notices if d.attribution is not None else ():
            if n.code in ATTRIBUTION_NOTES:
                codes.setdefault(n.code, None)
        # what a section already says as a caveat is not said again here
        said = {c.key for notes in d.caveats.values() for c in notes}
        unvalued = self.unvalued_notes()
        if unvalued:  # counted: the general sentence would say the same without the counts
            said.add("unvalued")
        out = notice_notes(codes, self.lang, said)
        out += unvalued + self.unpaid_notes()
        out += [x for x in (self.uncredited_note(),) if x]
        return out

    def unpaid(self, rows) -> tuple[list[dict], list[dict]]:
        """Channel rows without spend in the period: (those without spend in any period:
        organic, those with spend in other periods)."""
        rows = list(rows)
        spent = self.data.spend_channels
        return (
            [r for r in rows if r["channel"] not in spent],
            [r for r in rows if r["channel"] in spent],
        )

    def unpaid_notes(self) -> list[str]:
        """The channels of the period with leads and no spend, with their leads (as the
        channel table shows them), when spend is loaded at all: organic ones (no spend in
        any period) apart from those with spend in other periods."""
        d = self.data
        if d.channels is None or not d.counts.get("spend"):
            return []
        rows = sorted(
            (r for r in d.channels.rows if r.get("leads") and r.get("spend") is None),
            key=lambda r: (-(r.get("revenue") or 0), -(r.get("leads") or 0)),
        )
        out = []
        keys = ("note_no_spend", "note_no_spend_period")
        for key, group in zip(keys, self.unpaid(rows), strict=True):
            if group:
                listed = ", ".join(
                    f"{self.group_name(r['channel'])} ({self.fmt.number(r['leads'])} "
                    f"lead{'' if r['leads'] == 1 else 's'})"
                    for r in group
                )
                out.append(self.t(key, over=self.over(), channels=listed))
        return out

    def unvalued_notes(self) -> list[str]:
        """How many won deals of each period's cohort have no amount (the counts of the
        KPI results' notes, code "unvalued"): the headline's revenue, ROI and average deal
        size rest on the others, or are unknown."""
        d = self.data
        periods = [(d.headline, self.over())]
        if d.comparable:
            previous = self.t("comparison_period", period=self.period(d.previous.label))
            periods.append((d.headline_previous, self.t("in_period", period=previous)))
        notes = (unvalued_note(result, over, self.lang, self.fmt) for result, over in periods)
        return [n for n in notes if n is not None]

    def uncredited_note(self) -> str | None:
        """The conversions attribution could not credit: of the period's customers (the
        ones its shares cover plus these), else said explicitly over all the data."""
        d = self.data
        a = d.attribution
        if a is None or a.meta.get("lookback_days") is None:
            return None
        totals = a.meta.get("totals") or {}
        days = self.fmt.day_count(a.meta["lookback_days"])  # '1 jour', '90 jours'
        credited = round((totals.get(d.period.label) or {}).get("conversions") or 0)
        if d.conversions is not None and d.conversions >= credited:
            missing = d.conversions - credited
            if missing <= 0:
                return None
            return self.t(
                "note_not_credited",
                n=self.fmt.number(missing),
                total=self.fmt.number(d.conversions),
                over=self.over(),
                days=days,
                credited=self.fmt.number(credited),
            )
        everything = (totals.get("all_conversions") or {}).get("n")
        if everything is None:
            return None
        periods = [v for k, v in totals.items() if k != "all_conversions"]
        missing = everything - round(sum(v.get("conversions") or 0 for v in periods))
        if missing <= 0:
            return None
        return self.t("note_not_credited_all", n=self.fmt.number(missing), days=days)

    # -------------------------------------------------------- 10. definitions
    def definitions(self) -> Section:
        d = self.data
        s = Section("definitions", self.t("sec_definitions"))
        fr = self.lang == "fr"
        items: list[tuple[str, str, str]] = []
        funnel_defs = d.funnel.definitions_in(self.lang)
        velocity_defs = d.velocity.definitions_in(self.lang) if d.velocity else {}
        attribution_defs = d.attribution.definitions_in(self.lang) if d.attribution else {}
        scoring_defs = d.evaluation.definitions_in(self.lang) if d.evaluation else {}
        for name in self.shown:
            if ":" in name:
                where, key = name.split(":", 1)
                if where == "funnel":
                    info = self.kpis.get(key)
                    if info:
                        items.append(
                            (key, self.kpi_label(key), info["rule_fr"] if fr else info["rule"])
                        )
                    continue
                source = {
                    "velocity": velocity_defs,
                    "attribution": attribution_defs,
                    "scoring": scoring_defs,
                }[where]
                if key not in source:
                    continue
                if where == "attribution":
                    lab = model_name(key, self.lang)
                elif where == "velocity" and key.startswith("<"):
                    lab = self.t("km_chart")
                elif where == "velocity":
                    lab = self.t(f"v_{key}")
                else:
                    lab = {
                        "auc": self.t("auc"),
                        "base_rate": self.t("base_rate"),
                        "conversion_above": self.t("above_threshold"),
                        "conversion_below": self.t("below_threshold"),
                        "lift": self.t("lift"),
                    }.get(key, key)
                items.append((key, lab, source[key]))
                continue
            if name == "pipeline_value":
                items.append((name, self.t("pipeline_end"), self.pipeline_rule()))
                continue
            info = self.kpis.get(name)
            if info:
                items.append((name, self.kpi_label(name), info["rule_fr"] if fr else info["rule"]))
        if "acceptance_rate" in funnel_defs:
            items.append(("acceptance_rate", self.t("acceptance"), funnel_defs["acceptance_rate"]))
        items = [i for n, i in enumerate(items) if i[0] not in {x[0] for x in items[:n]}]
        # velocity's English labels are its keys: give them their catalog label
        s.blocks.append(Definitions(items, self.t("defs_intro")))
        return s

    def pipeline_rule(self) -> str:
        return self.t("pipeline_rule")


def build(data: ReportData, lang: str) -> ReportView:
    """The report in ``lang`` ("en" or "fr"), every section in order."""
    view = _Writer(data, lang).build()
    assert tuple(s.key for s in view.sections) == SECTIONS
    _typeset(view, lang)
    return view


# fields that are no text for the reader: identifiers, and the technical detail (English)
_NOT_TEXT = {"key", "code", "group", "detail", "unit", "kind", "level", "mark", "tone"}


def _typeset(block: Any, lang: str) -> None:
    """Typeset every text of a view in place (a French colon after its narrow no-break
    space, whoever wrote the sentence: a label, a finding, a rule); data values (a channel's
    name) stay as they are."""
    if lang != "fr" or (isinstance(block, Cell) and block.verbatim):
        return
    for f in fields(block):
        if f.name not in _NOT_TEXT:
            setattr(block, f.name, _typeset_value(getattr(block, f.name), lang))


def _typeset_value(value: Any, lang: str) -> Any:
    if isinstance(value, str):
        return typeset(value, lang)
    if isinstance(value, list | tuple):
        return type(value)(_typeset_value(v, lang) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        _typeset(value, lang)
    return value


def all_gap_keys() -> list[str]:
    return list(GAPS)
