"""The report as Markdown, for a ticket or an e-mail: the same sections and numbers as
the HTML, tables instead of charts."""

from __future__ import annotations

from .labels import label, typeset
from .view import Cards, Chart, Definitions, Findings, Message, Meter, Notes, ReportView, Table


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(t: Table, title: bool = True) -> list[str]:
    out = [f"**{t.title}**", ""] if title and t.title else []
    out.append("| " + " | ".join(_cell(c.label) for c in t.columns) + " |")
    out.append("|" + "|".join("---:" if c.numeric else "---" for c in t.columns) + "|")
    for cells in [*t.rows, *([t.total] if t.total else [])]:
        texts = [_cell(c.text + (f" {c.mark}" if c.mark else "")) for c in cells]
        if cells is t.total:
            texts = [f"**{x}**" for x in texts]
        out.append("| " + " | ".join(texts) + " |")
    if t.note:
        out += ["", f"_{t.note}_"]
    return out + [""]


def render_markdown(view: ReportView) -> str:
    lang = view.lang
    out = [
        f"# {view.title} — {view.subtitle}",
        "",
        "_" + " · ".join(view.facts) + "_",
        "",
        f"_{label('markdown_charts', lang)}_",
        "",
    ]
    for i, section in enumerate(view.sections, 1):
        out += [f"## {i}. {section.title}", ""]
        for b in section.blocks:
            if isinstance(b, Cards):
                if b.highlights:
                    out.append(f"**{label('key_points', lang)}**")
                    out += [f"- [{sev}] {title}" for _code, sev, title in b.highlights]
                    out.append("")
                # no comparison asked (or none possible): no empty comparison columns
                keys = ("kpi", "current_value", "previous_value", "change")[
                    : 4 if b.compared else 2
                ]
                out.append("| " + " | ".join(label(k, lang) for k in keys) + " |")
                out.append("|---" + "|---:" * (len(keys) - 1) + "|")
                for c in [*b.items, *b.secondary]:
                    line = f"| {_cell(c.label)} | **{_cell(c.text)}** |"
                    if b.compared:
                        prev = c.before_text or "–"
                        change = f"{c.arrow} {c.change_text}".strip() or "–"
                        line += f" {_cell(prev)} | {_cell(change)} |"
                    out.append(line)
                if b.note:
                    out += ["", f"_{b.note}_"]
                out.append("")
            elif isinstance(b, Findings):
                if not b.items and b.empty:
                    out += [b.empty, ""]
                for f in b.items:
                    group = f" ({f.group})" if f.group else ""
                    out.append(f"- **[{f.severity_label}] {f.title}**{group}  ")
                    out.append(f"  {f.explanation}")
                    for e in f.evidence:
                        out.append(f"  - {e}")
                    if f.actions:
                        out.append(
                            typeset(f"  - **{label('actions', lang)}** :", lang)
                            if lang == "fr"
                            else f"  - **{label('actions', lang)}:**"
                        )
                        out += [f"    - {a}" for a in f.actions]
                out.append("")
            elif isinstance(b, Table):
                out += _table(b, title=False)
            elif isinstance(b, Chart):
                note = b.note if b.text_note is None else b.text_note
                if b.table is not None:
                    out += _table(b.table)
                elif note:
                    out += [f"_{note}_", ""]
            elif isinstance(b, Message):
                prefix = {"gap": "cannot_show", "caveat": "read_with_care"}.get(b.level)
                lead = f"**{label(prefix, lang)}.** " if prefix else ""
                out += [f"> {lead}{b.text}", ""]
            elif isinstance(b, Meter):
                out += [
                    typeset(f"**{b.title} : {b.value_text}**", lang)
                    if lang == "fr"
                    else f"**{b.title}: {b.value_text}**",
                    "",
                    b.text,
                    "",
                ]
            elif isinstance(b, Notes):
                out += [f"**{b.title}**", ""] + [f"- {n}" for n in b.items] + [""]
            elif isinstance(b, Definitions):
                out += [f"_{b.intro}_", ""]
                out += [f"- **{lab}** — {rule}" for _key, lab, rule in b.items]
                out.append("")
    out.append(f"_{view.footer}_")
    return "\n".join(out) + "\n"
