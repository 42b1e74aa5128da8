"""Channel reconciliation: do the spend and the leads name the same channels and campaigns?

Cost KPIs join spend to leads on the channel (campaign, content) names. A spend export
that says ``email`` while the CRM says ``email_marketing`` joins nothing: the spend shows
on a row without leads and the leads on a row without cost. This module finds such names
(pure Ibis: only the distinct names and their counts come back) and suggests the closest
name on the other side.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass

import ibis
import ibis.expr.types as ir

from ..engine import records, scalar
from ..errors import Notice
from .compute import money
from .model import counted_leads, remembered

SPEND_DIMENSIONS = ("channel", "campaign", "content")
# Leads (or touches) naming a value no spend names: only for channels, where every paid
# channel is expected in the spend; organic campaigns and contents have no spend row.
BOTH_WAYS = ("channel",)


@dataclass(frozen=True)
class ReconcileWarning:
    """One name that joins nothing on the other side; ``str()`` is the full sentence."""

    code: str  # "spend_without_match", "no_spend" or "dimension_absent"
    dimension: str  # channel, campaign or content
    value: str
    count: int  # spend rows, or leads / touches naming the value
    amount: float | None  # the spend of the value (spend side only)
    suggestions: tuple[str, ...]
    message: str

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict:
        out = asdict(self)
        out["suggestions"] = list(self.suggestions)
        return out


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


def closest(name: str, candidates: list[str], n: int = 3) -> list[str]:
    """Closest names: same once normalised, then one's words within the other's
    (``email`` / ``email_marketing``), then difflib's close matches."""
    target = _norm(name)
    words = set(target.split("_")) - {""}
    scored = []
    for c in candidates:
        norm = _norm(c)
        other = set(norm.split("_")) - {""}
        ratio = difflib.SequenceMatcher(None, target, norm).ratio()
        if norm == target:
            rank = 0
        elif words and other and (words <= other or other <= words):
            rank = 1
        elif ratio >= 0.6:
            rank = 2
        else:
            continue
        scored.append((rank, -ratio, c))
    return [c for _, _, c in sorted(scored)[:n]]


def _names(t: ir.Table, dims: list[str], amount: str | None = None) -> dict:
    """{dimension: {name: (count, amount)}} of the non-null names, in one query."""
    parts = []
    for d in dims:
        s = t.filter(t[d].notnull())
        total = {"_amount": s[amount].cast("float64").sum()} if amount else {}
        parts.append(
            s.group_by(_value=s[d].cast("string")).aggregate(
                _dim=ibis.literal(d), _n=s.count(), **total
            )
        )
    out: dict = {d: {} for d in dims}
    for r in records(ibis.union(*parts)):
        out[r["_dim"]][r["_value"]] = (int(r["_n"]), float(r.get("_amount") or 0.0))
    return out


def _did_you_mean(names: list[str]) -> str:
    if not names:
        return ""
    return "; did you mean " + " or ".join(repr(n) for n in names) + "?"


def reconcile(
    tables: dict[str, ir.Table],
    *,
    dims: tuple[str, ...] | list[str] = ("channel", "campaign"),
    against: str = "leads",
    touch_types: list[str] | None = None,
    span: str = "",
) -> list[ReconcileWarning]:
    """Names in the spend that no lead has, and channels of leads that no spend has.

    Nothing is said when no spend is loaded. ``against="touchpoints"`` compares the spend
    with the touches instead (of ``touch_types`` when given): what attribution credits.
    ``span`` (' from 2025-01-01 to 2025-03-31') says over which dates the tables given
    were taken, in every sentence.

    Examples
    --------
    >>> [str(w) for w in reconcile(lp.tables())]  # doctest: +SKIP
    ["spend names channel 'email' (1,200.00 over 12 row(s)) but no lead has it: ...;
    did you mean 'email_marketing'?"]
    """
    if against not in ("leads", "touchpoints"):
        raise ValueError(f"against: expected leads or touchpoints, got {against!r}")
    key = ("reconcile", tuple(dims), against, tuple(touch_types or ()), touch_types is None, span)
    found = remembered(
        tables,
        ("spend", against),
        key,
        lambda: _reconcile(tables, dims, against, touch_types, span),
    )
    return list(found)


def _reconcile(
    tables: dict[str, ir.Table],
    dims: tuple[str, ...] | list[str],
    against: str,
    touch_types: list[str] | None,
    span: str,
) -> list[ReconcileWarning]:
    spend = tables["spend"]
    other = counted_leads(tables["leads"]) if against == "leads" else tables["touchpoints"]
    if against == "touchpoints" and touch_types is not None:
        other = other.filter(other.type.isin(touch_types))
    dims = [d for d in dims if d in SPEND_DIMENSIONS and d in spend.columns and d in other.columns]
    if not dims or scalar(spend.count()) == 0:
        return []
    spent = _names(spend, dims, "amount")
    named = _names(other, dims)
    who = "lead" if against == "leads" else "attribution touch"
    out: list[ReconcileWarning] = []
    for d in dims:
        if not spent[d]:  # the spend is not split by it (no value, or no such column)
            continue
        if not named[d]:
            # no lead names any: every value would be listed; one sentence says it all
            rows = sum(r for r, _ in spent[d].values())
            amount = sum(a for _, a in spent[d].values())
            out.append(
                ReconcileWarning(
                    code="dimension_absent",
                    dimension=d,
                    value=None,
                    count=rows,
                    amount=money(amount),
                    suggestions=(),
                    message=f"spend{span} is split by {d} ({len(spent[d]):,} values, "
                    f"{amount:,.2f}) but no {who} has a {d}: costs by {d} cannot be read "
                    "(other splits are not affected)",
                )
            )
            continue
        for value in sorted(set(spent[d]) - set(named[d])):
            rows, amount = spent[d][value]
            near = closest(value, sorted(set(named[d]) - set(spent[d])) or sorted(named[d]))
            effect = (
                "its spend joins no lead, so the cost KPIs of the leads it paid for miss it"
                if against == "leads"
                else "its spend earns no credit, so the models' cost figures miss it"
            )
            out.append(
                ReconcileWarning(
                    code="spend_without_match",
                    dimension=d,
                    value=value,
                    count=rows,
                    amount=money(amount),
                    suggestions=tuple(near),
                    message=f"spend{span} names {d} {value!r} ({amount:,.2f} over {rows:,} "
                    f"row(s)) but no {who} has it: {effect}{_did_you_mean(near)}",
                )
            )
        if d not in BOTH_WAYS:
            continue
        for value in sorted(set(named[d]) - set(spent[d])):
            n, _ = named[d][value]
            near = closest(value, sorted(set(spent[d]) - set(named[d])))
            plural = "" if n == 1 else ("es" if who.endswith("touch") else "s")
            out.append(
                ReconcileWarning(
                    code="no_spend",
                    dimension=d,
                    value=value,
                    count=n,
                    amount=None,
                    suggestions=tuple(near),
                    message=f"{n:,} {who}{plural} of {d} {value!r} but no spend{span} names "
                    f"it: its cost KPIs are null (–), not 0{_did_you_mean(near)}",
                )
            )
    return out


def messages(warnings: list[ReconcileWarning], most: int = 3, span: str = "") -> list[Notice]:
    """The sentences to show, as notices with the warnings' codes. Names without any close
    match on the spend side (organic channels, as a rule) are said once per dimension;
    more than ``most`` spend names that join nothing are said in one line with examples
    (a campaign list is long). ``span``: as given to :func:`reconcile`."""
    out: list[Notice] = []
    plain: dict[str, list[ReconcileWarning]] = {}
    unmatched: dict[str, list[ReconcileWarning]] = {}
    for w in warnings:
        if w.code == "no_spend" and not w.suggestions:
            plain.setdefault(w.dimension, []).append(w)
        elif w.code == "spend_without_match":
            unmatched.setdefault(w.dimension, []).append(w)
        else:
            out.append(Notice(w.code, str(w)))
    for dim, ws in unmatched.items():
        if len(ws) <= most:
            out.extend(Notice(w.code, str(w)) for w in ws)
            continue
        ws = sorted(ws, key=lambda w: -(w.amount or 0))
        amount = sum(w.amount or 0 for w in ws)
        shown = ", ".join(repr(w.value) for w in ws[:most])
        # compared with the leads or with the touches: say which ("nothing else" was
        # wrong of spend that the touchpoints name)
        if " no lead has it" in ws[0].message:
            who, effect = "lead", f"that spend joins no lead, so cost KPIs by {dim} miss it"
        else:
            who, effect = "attribution touch", (
                "that spend earns no credit, so the models' cost figures miss it"
            )
        out.append(Notice(
            "spend_without_match",
            f"spend{span} names {len(ws):,} {dim} values that no {who} names (largest: "
            f"{shown}; {amount:,.2f} in all): {effect}",
        ))  # fmt: skip
    for dim, ws in plain.items():
        if len(ws) == 1:
            out.append(Notice(ws[0].code, str(ws[0])))
            continue
        one, many = ("lead", "leads") if " lead" in ws[0].message else ("touch", "touches")
        listed = ", ".join(f"{w.value} ({w.count:,} {one if w.count == 1 else many})" for w in ws)
        out.append(Notice(
            "no_spend",
            f"no spend{span} names the {dim}s {listed}: their cost KPIs are null (–), not 0 "
            "(organic sources need none)",
        ))  # fmt: skip
    return out
