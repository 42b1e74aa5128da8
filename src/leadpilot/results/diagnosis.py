"""How a person reads ``diagnose``, ``plan`` and ``forecast``: terminal tables and Markdown.

They read the Result's JSON meta only (findings carry both languages), so the command
line, the reports and the web service show the same thing.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text as RichText

from ..i18n import Formatter, message_in, period_name, tr
from .result import Result, group_name
from .terminal import Table, Terminal

STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan", "positive": "green",
         "caveat": "dim"}  # fmt: skip
SEVERITY = {
    "en": {"high": "HIGH", "medium": "MEDIUM", "low": "LOW", "positive": "GOOD NEWS",
           "caveat": "CAVEAT"},
    "fr": {"high": "ÉLEVÉ", "medium": "MOYEN", "low": "FAIBLE", "positive": "BONNE NOUVELLE",
           "caveat": "PRÉCAUTION"},
}  # fmt: skip
EFFECTS = {
    "en": {"volume": "volume", "mix": "mix", "conversion": "conversion",
           "deal_size": "deal size"},
    "fr": {"volume": "volume", "mix": "mix", "conversion": "conversion",
           "deal_size": "panier moyen"},
}  # fmt: skip


def _tr(finding: dict, key: str, lang: str):
    return finding.get(f"{key}_fr") if lang == "fr" else finding.get(key)


def _period(meta, key: str, lang: str) -> str:
    """The current or previous period as the report writes it in French ('T2 2025');
    English keeps the JSON's label ('2025-Q2'), as the other terminal tables do."""
    label = meta[key]["label"]
    return period_name(label, lang) if lang == "fr" else label


def _title(meta, lang: str, named: bool = True) -> str:
    """The title; ``named``: its periods as the terminal writes them (else as labels)."""
    cur, prev = (_period(meta, k, lang) if named else meta[k]["label"]
                 for k in ("current", "previous"))  # fmt: skip
    by = f" — {tr('by', lang)} {tr(meta['by'], lang)}" if meta.get("by") else ""
    return f"{tr('Diagnosis', lang)} — {cur} {tr('vs', lang)} {prev}{by}"


STAGE_STEPS = {
    "mqls": "lead → MQL", "sqls": "MQL → SQL", "opportunities": "SQL → opportunity",
    "customer": "opportunity → customer",
}  # fmt: skip


def _effects_line(d: dict, fmt: Formatter, by: str | None) -> str:
    """'revenue: A → B (Δ) = volume +x, conversion −y, ...' (effects add up to Δ)."""
    lang, measure = fmt.lang, d["measure"]
    names = EFFECTS[lang]
    parts = [
        f"{names[k]} {_signed(v, fmt, measure)}"
        for k, v in d["effects"].items()
        if not (k == "mix" and not by)  # one group: no mix
    ]
    stages = d.get("stage_effects") or {}
    if stages:
        parts.append(
            f"({tr('conversion by stage', lang)}{_colon(lang)}"
            + ", ".join(
                f"{tr(STAGE_STEPS.get(s, s), lang)} {_signed(v, fmt, measure)}"
                for s, v in stages.items()
            )
            + ")"
        )
    value = fmt.money if measure == "revenue" else fmt.number
    return (
        f"{tr(measure, lang)}{_colon(lang)}{value(d['before'])} → {value(d['after'])} "
        f"({_signed(d['change'], fmt, measure, digits=0)}) = " + ", ".join(parts)
    )


def _colon(lang: str) -> str:
    """': ', with the space French puts before it."""
    return " : " if lang == "fr" else ": "


def _p(p: float | None, fmt: Formatter) -> str:
    """A p-value in the language's decimals ('< 0,001' in French)."""
    if p is None:
        return "–"
    return f"< {fmt.number(0.001, 3)}" if p < 0.001 else fmt.number(p, 3)


def _signed(v: float, fmt: Formatter, measure: str = "revenue", digits: int = 1) -> str:
    """A change with its sign; none when what is written is zero ('0', not '−0,0')."""
    write = fmt.money if measure == "revenue" else (lambda x: fmt.number(x, digits))
    body = write(abs(v))
    if body == write(0):
        return body
    return ("+" if v >= 0 else "−") + body


def show_diagnosis(term: Terminal, result: Result) -> None:
    """The findings first (severity, explanation, actions), then the decomposition, the
    KPIs of both periods with their tests, and the data-quality findings."""
    meta, lang = result.meta, term.lang
    term.out.print(RichText(_title(meta, lang), style="bold"))
    term.dim(
        f"{tr('as of', lang)} {term.date(meta['as_of'])}{' ;' if lang == 'fr' else ';'} "
        f"{_period(meta, 'previous', lang)} "
        f"{tr('read as of', lang)} {term.date(meta['previous_as_of'])} "
        f"({tr('the same age', lang)})"
    )
    findings = meta["findings"]
    if not findings:
        term.line(tr("findings", lang), tr("nothing significant to report", lang), "green")
    for f in findings:
        _finding(term, f)
    dec = meta["decomposition"]
    for key in ("revenue", "customers"):
        d = dec.get(key)
        if d and (d["before"] or d["after"]):
            term.line(tr("change", lang), _effects_line(d, term.fmt, meta.get("by")))
    term.dim(meta.text_in("method", lang) or "")
    _kpi_table(term, result)
    if meta["data_quality"]:
        term.out.print(RichText(tr("Data quality", lang), style="bold"))
        for f in meta["data_quality"]:
            _finding(term, f)
    term.notes(result.warnings)


def _group_label(f: dict, lang: str = "en") -> str:
    """``channel=seo content=(none)``: the group a finding is about (a missing value read
    as the tables show it, not Python's None; '(aucun)' in French)."""
    return " ".join(f"{k}={group_name(v, lang)}" for k, v in (f.get("group") or {}).items())


def _finding(term: Terminal, f: dict) -> None:
    lang = term.lang
    badge = SEVERITY[lang][f["severity"]]
    group = _group_label(f, lang)
    head = RichText()
    head.append(f"[{badge}] ", style=STYLE[f["severity"]])
    head.append(_tr(f, "title", lang) + (f" ({group})" if group else ""), style="bold")
    term.out.print(head)
    term.out.print(RichText("  " + _tr(f, "explanation", lang)))
    for a in _tr(f, "actions", lang) or []:
        term.out.print(RichText(f"  → {a}", style="dim"))


def _kpi_table(term: Terminal, result: Result) -> None:
    meta, lang = result.meta, term.lang
    units = meta.get("units", {})
    by = meta.get("by")
    t = Table(title=f"{tr('KPIs of both periods', lang)} ({meta['currency']})")
    if by:
        t.add_column(tr(by, lang))
    t.add_column(tr("kpi", lang))
    periods = [_period(meta, "previous", lang), _period(meta, "current", lang)]
    for c in (*periods, tr("change", lang), "p"):
        t.add_column(c, justify="right")
    for r in result.rows:
        unit = units.get(r["kpi"], "")
        change = _change(r["change"], unit, term.fmt)
        p = r.get("p_value")
        cells = [term.cell(r["previous"], unit), term.cell(r["current"], unit), change,
                 _p(p, term.fmt)]  # fmt: skip
        t.add_row(*([term.label(r.get(by))] if by else []), _kpi_name(meta, r["kpi"], lang),
                  *cells)  # fmt: skip
    term.out.print(t)


def _kpi_name(meta, kpi: str, lang: str) -> str:
    """A KPI compared as a row names it: its code in English (the JSON's), the KPI
    catalog's French name in French ('cpl' -> 'Coût par lead')."""
    return meta.header(kpi, lang) or kpi


def _change(value, unit: str, fmt: Formatter) -> str:
    """A change with its sign; a rate's change in points."""
    if value is None:
        return "–"
    if unit == "fraction":
        body, zero = fmt.number(abs(value) * 100, 1) + " pts", fmt.number(0, 1) + " pts"
    else:
        body, zero = fmt.value(abs(value), unit), fmt.value(0, unit)
    if body == zero:  # a change too small to show: no sign ('0,0 pts', not '−0,0 pts')
        return body
    return ("+" if value > 0 else "−") + body


def diagnosis_markdown(result: Result, lang: str = "en", currency: str = "EUR") -> str:
    """The diagnosis as Markdown, for a ticket or an e-mail."""
    meta = result.meta
    fmt = Formatter(lang, currency)
    out = [f"# {_title(meta, lang, named=False)}", ""]
    out.append(
        f"_{tr('as of', lang)} {fmt.date(meta['as_of'])}; {meta['previous']['label']} "
        f"{tr('read as of', lang)} {fmt.date(meta['previous_as_of'])} "
        f"({tr('the same age', lang)})._"
    )
    out.append("")
    out.append(f"## {tr('Findings', lang)}")
    out.append("")
    if not meta["findings"]:
        out.append(tr("nothing significant to report", lang))
    for f in meta["findings"]:
        out += _finding_md(f, lang)
    dec = meta["decomposition"]
    for key in ("revenue", "customers"):
        d = dec.get(key)
        if d and (d["before"] or d["after"]):
            out += ["", f"**{tr('change', lang)}** — {_effects_line(d, fmt, meta.get('by'))}"]
    out += ["", f"_{meta.text_in('method', lang)}_", "", f"## {tr('KPIs of both periods', lang)}"]
    by = meta.get("by")
    head = ([tr(by, lang)] if by else []) + [tr("kpi", lang), meta["previous"]["label"],
                                             meta["current"]["label"], tr("change", lang),
                                             "p"]  # fmt: skip
    out += ["", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    units = meta.get("units", {})
    for r in result.rows:
        unit = units.get(r["kpi"], "")
        p = r.get("p_value")
        cells = ([group_name(r.get(by), lang)] if by else []) + [
            _kpi_name(meta, r["kpi"], lang), fmt.value(r["previous"], unit),
            fmt.value(r["current"], unit),
            _change(r["change"], unit, fmt),
            _p(p, fmt),
        ]  # fmt: skip
        out.append("| " + " | ".join(cells) + " |")
    if meta["data_quality"]:
        out += ["", f"## {tr('Data quality', lang)}", ""]
        for f in meta["data_quality"]:
            out += _finding_md(f, lang)
    if result.warnings:
        out += ["", f"## {tr('Notes', lang)}", ""]
        out += [f"- {message_in(str(w), lang)}" for w in result.warnings]
    return "\n".join(out) + "\n"


def _finding_md(f: dict, lang: str) -> list[str]:
    group = _group_label(f, lang)
    out = [
        f"- **[{SEVERITY[lang][f['severity']]}] {_tr(f, 'title', lang)}**"
        + (f" ({group})" if group else ""),
        f"  {_tr(f, 'explanation', lang)}",
    ]
    out += [f"  - {a}" for a in _tr(f, "actions", lang) or []]
    return out


def show_plan(term: Terminal, result: Result) -> None:
    meta, lang = result.meta, term.lang
    rows = result.rows
    if meta["plan"] == "reverse_funnel":
        t = Table(title=f"{tr('Reverse funnel', lang)} — {tr('target', lang)} "
                        f"{term.fmt.money(meta['totals']['revenue'])}")  # fmt: skip
        cols = ["revenue_share", "customers_needed", "opportunities_needed", "sqls_needed",
                "mqls_needed", "leads_needed", "cpl", "budget"]  # fmt: skip
        units = {"revenue_share": "fraction", "cpl": "currency", "budget": "currency"}
    else:
        t = Table(title=f"{tr('Budget what-if', lang)} — "
                        f"{term.fmt.money(meta['totals']['spend_before'])}")  # fmt: skip
        cols = ["spend_before", "spend_after", "leads_before", "leads_after",
                "customers_before", "customers_after", "revenue_before", "revenue_after"]
        units = {c: "currency" for c in cols if c.startswith(("spend", "revenue"))}
    totals = meta["totals"]
    labels = [r["channel"] + (" ⚠" if r.get("extrapolated") else "") for r in rows]
    labels.append(tr("total", lang))
    cells = {c: [term.cell(r.get(c), units.get(c, "")) for r in rows]
             + [term.cell(totals.get(c), units.get(c, "")) if c in totals else ""]
             for c in cols}  # fmt: skip
    # split into tables that fit the terminal, as kpis are: a cut column read "€16,…"
    label_width = max(cell_len(x) for x in [tr("channel", lang), *labels]) + 4
    chunks = term.column_chunks(
        cols, lambda c: max(cell_len(str(x)) for x in [tr(c, lang), *cells[c]]) + 3,
        label_width + 1, term.out.width,
    )  # fmt: skip
    for chunk in chunks:
        part = Table(title=t.title)
        part.add_column(tr("channel", lang))
        for c in chunk:
            part.add_column(tr(c, lang), justify="right")
        for i, label in enumerate(labels):
            total = i == len(labels) - 1
            part.add_row(label, *[cells[c][i] for c in chunk], style="bold" if total else None)
        term.out.print(part)
    ref, colon = meta["reference"], _colon(lang)
    term.dim(f"{tr('rates from', lang)} {ref['from']} – {ref['to']}{colon}{tr(ref['rule'], lang)}")
    term.dim(f"{tr('assumption', lang)}{colon}{meta.text_in('assumption', lang)}")
    s = meta.get("sensitivity") or {}
    if s.get("least_certain_rate"):
        term.line(
            tr("least certain rate", lang),
            f"{s['least_certain_rate']} {term.pct(s['rate'])} "
            f"[{term.pct(s['rate_low'])} – {term.pct(s['rate_high'])}]: "
            f"{term.n(s['leads_needed_low'])} – {term.n(s['leads_needed_high'])} "
            f"{tr('leads instead of', lang)} {term.n(s['leads_needed'])}",
        )
    # the definitions, the legend of the tables' ⚠ (a channel's row flagged 'extrapolated')
    flagged = any(r.get("extrapolated") for r in rows)
    for name, text in result.definitions_in(lang).items():
        if name == "extrapolated" and not flagged:
            continue  # no row carries the mark: no legend for it
        term.dim(f"  {'⚠ ' if name == 'extrapolated' else ''}{name}{term.colon}{text}")
    term.notes(result.warnings)


def show_forecast(term: Terminal, result: Result) -> None:
    meta, lang = result.meta, term.lang
    t = Table(title=f"{tr('Pipeline forecast', lang)} — {tr('as of', lang)} "
                    f"{term.date(meta['as_of'])}")  # fmt: skip
    for c in ("month", "expected", "low", "high", "from_open_deals", "from_funnel"):
        t.add_column(tr(c, lang), justify="left" if c == "month" else "right")
    for r in result.rows:
        label = term.period(r["month"]) + (" *" if r.get("partial") else "")
        t.add_row(label, *[term.cell(r[c], "currency") for c in
                           ("expected", "low", "high", "from_open_deals", "from_funnel")])
    term.out.print(t)
    term.dim(f"{term.n(meta['open_deals'])} {tr('open deals', lang)}, "
             f"{term.n(meta['funnel_leads'])} {tr('leads in the funnel', lang)}; "
             f"{meta.text_in('method', lang)}")  # fmt: skip
    if any(r.get("partial") for r in result.rows):
        term.dim(f"* {tr('the rest of the month only', lang)}")
    term.definitions(result)
    term.notes(result.warnings)
