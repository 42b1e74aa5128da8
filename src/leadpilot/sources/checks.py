"""Checks across rows and tables, expressed in Ibis and run on the staging engine.

Each check returns issue rows (row, column, value, expected, severity, file)
for the offending rows, so that every problem of a file is reported at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import ibis
import ibis.expr.types as ir

from ..config import Config
from .readers import ROW

ISSUE_COLUMNS = ("row", "column", "value", "expected", "severity", "file")


def _issue(
    t: ir.Table, column: str, value: ir.Value, expected: ir.Value | str, severity: str = "error"
) -> ir.Table:
    return t.select(
        row=t[ROW].cast("int64"),
        column=ibis.literal(column),
        value=value.cast("string"),
        expected=(ibis.literal(expected) if isinstance(expected, str) else expected).cast("string"),
        severity=ibis.literal(severity),
        file=t["__file"].cast("string"),
    )


def row_checks(t: ir.Table, table: str, config: Config, now: datetime) -> list[ir.Table]:
    """Negative amounts, future dates, deal status rules, currencies."""
    out: list[ir.Table] = []
    cutoff = now + timedelta(days=config.ingest.future_tolerance_days)
    cutoff_lit = ibis.literal(cutoff.replace(microsecond=0, tzinfo=None))
    cols = t.columns
    for name in ("amount", "impressions", "clicks", "visitors", "company_size"):
        if name in cols:
            out.append(_issue(t.filter(t[name] < 0), name, t[name], "a value >= 0"))
    for name in ("created_at", "ts", "closed_at"):
        if name in cols:
            bad = t.filter(t[name] > cutoff_lit)
            if table == "deals" and name == "closed_at":
                # An open deal's close date is an expected date: it may lie ahead.
                bad = bad.filter(bad.status != "open")
            out.append(_issue(bad, name, bad[name], f"a date not after {cutoff:%Y-%m-%d}"))
    if "date" in cols:
        bad = t.filter(t["date"] > ibis.literal(cutoff.date()))
        out.append(_issue(bad, "date", bad["date"], f"a date not after {cutoff:%Y-%m-%d}"))
    if table == "deals":
        closed = t.filter(t.status.isin(["won", "lost"]) & t.closed_at.isnull())
        out.append(
            _issue(closed, "closed_at", closed.closed_at, "a closing date for a won or lost deal")
        )
        early = t.filter((t.closed_at < t.created_at) & (t.status != "open"))
        out.append(_issue(early, "closed_at", early.closed_at, _after_text(early, "created_at")))
    if "currency" in cols and "amount" in cols:
        allowed = [config.currency, *config.ingest.currency_rates]
        bad = t.filter(t.currency.notnull() & ~t.currency.upper().isin(allowed))
        out.append(
            _issue(
                bad,
                "currency",
                bad.currency,
                f"{config.currency} (the workspace currency) or a currency with a rate in "
                f"ingest.currency_rates (known: {', '.join(allowed)})",
            )
        )
    return out


def _after_text(t: ir.Table, column: str) -> ir.Value:
    return ibis.literal(f"a date on or after {column} (") + t[column].cast("string") + ")"


def duplicate_keys(t: ir.Table, key: str, label: str, derived: bool) -> ir.Table:
    """Every occurrence after the first of a key; derived keys are identical events."""
    # A hash aggregate finds the repeated keys; only their rows are ranked (a window over
    # every row would sort millions of keys to find a handful of duplicates).
    repeated = t.group_by(_key=t[key]).aggregate(_count=t.count()).filter(lambda g: g._count > 1)
    rows = t.semi_join(repeated, t[key] == repeated._key)
    w = ibis.window(group_by=rows[key], order_by=rows[ROW])
    ranked = rows.mutate(_first=rows[ROW].min().over(w), _n=ibis.row_number().over(w))
    dup = ranked.filter(ranked._n > 0)
    if derived:
        return _issue(
            dup,
            label,
            dup[key],
            ibis.literal(
                "a distinct event (same lead, time, type, channel, campaign and content as row "
            )
            + dup._first.cast("string")
            + ")",
            severity="duplicate",
        )
    return _issue(
        dup,
        label,
        dup[key],
        ibis.literal("a unique key (already in row ") + dup._first.cast("string") + ")",
    )


def unknown_leads(t: ir.Table, known: ir.Table) -> ir.Table:
    bad = t.anti_join(known, t.lead_id == known.lead_id)
    return _issue(
        bad,
        "lead_id",
        bad.lead_id,
        "a lead_id present in the leads table (this file or the workspace)",
    )


def before_lead_creation(
    t: ir.Table, known: ir.Table, column: str, what: str, severity: str = "error"
) -> ir.Table:
    """Rows dated before their lead was created (stage events: errors; deals: warnings)."""
    j = t.join(known.select(lead_id=known.lead_id, _created=known.created_at), "lead_id")
    bad = j.filter(j[column] < j._created)
    if severity == "warning":  # warnings are counted by their text: keep it constant
        expected = ibis.literal(
            f"{what} on or after its lead's created_at (kept; check the export)"
        )
    else:
        expected = (
            ibis.literal(f"{what} on or after the lead's created_at (")
            + bad._created.cast("string")
            + ")"
        )
    return _issue(bad, column, bad[column], expected, severity)


def skipped_stages(t: ir.Table) -> ir.Table:
    """Leads that reached a stage without an event for the one before (implied, warned)."""
    chain = ("mql", "sql", "opportunity", "customer")
    per_lead = t.group_by("lead_id").aggregate(
        **{f"has_{s}": (t.stage == s).any() for s in chain},
        _row=t[ROW].min(),
        __file=t["__file"].cast("string").min(),
    )
    parts = []
    for prev, nxt in zip(chain, chain[1:], strict=False):
        bad = per_lead.filter(per_lead[f"has_{nxt}"] & ~per_lead[f"has_{prev}"])
        parts.append(
            bad.select(
                row=bad._row.cast("int64"),
                column=ibis.literal("stage"),
                value=ibis.literal(nxt),
                expected=ibis.literal(f"a {prev} event before {nxt} (stage {prev} implied)"),
                severity=ibis.literal("warning"),
                file=bad["__file"],
            )
        )
    return ibis.union(*parts)
