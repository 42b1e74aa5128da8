"""Checks across rows and tables, expressed in Ibis and run on the staging engine.

Each check returns issue rows (row, column, value, expected, severity, file)
for the offending rows, so that every problem of a file is reported at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from ..config import Config
from .readers import ROW
from .staging import FILE
from .typing import LABEL, PART, raw_column

# Codes of the warnings whose sentence varies (the stage named): by their first words.
WARNING_PREFIXES = {
    "lead reached ": "stage_implied",
    "stage history out of order": "stage_out_of_order",
}

ISSUE_COLUMNS = ("row", "column", "value", "expected", "severity", "file", "fix", "part")


def _moment(value: ir.Value) -> ir.StringValue:
    """A value as text; a timestamp at midnight as its day ('2025-03-04', which is how a
    file writes a date without a time, not '2025-03-04 00:00:00')."""
    if not value.type().is_timestamp():
        return value.cast("string")
    return ibis.cases(
        (value.truncate("D") == value, value.date().cast("string")), else_=value.cast("string")
    )


def _cell(t: ir.Table, column: str) -> ir.StringValue:
    """A checked cell as the file wrote it when it was not ISO 8601, else as read."""
    shown = _moment(t[column])
    if raw_column(column) in t.columns:
        shown = t[raw_column(column)].fill_null(shown)
    return shown


def _issue(
    t: ir.Table,
    column: str,
    value: ir.Value,
    expected: ir.Value | str,
    severity: str | ir.StringValue = "error",
    fix: str | None = None,
) -> ir.Table:
    label = ibis.literal(column)
    if column == "ts" and LABEL in t.columns:  # wide stage dates: the file's own header
        label = t[LABEL].fill_null(column)
    return t.select(
        row=t[ROW].cast("int64"),
        column=label,
        value=value.cast("string"),
        expected=(ibis.literal(expected) if isinstance(expected, str) else expected).cast("string"),
        severity=ibis.literal(severity) if isinstance(severity, str) else severity,
        file=t["__file"].cast("string"),
        fix=ibis.literal(fix, "string"),
        part=t[PART].cast("string") if PART in t.columns else ibis.literal(None, "string"),
    )


FUTURE_FIX = (
    "check the day/month order (date_formats in leadpilot.yaml) or raise "
    "ingest.future_tolerance_days"
)


@dataclass(frozen=True)
class RowCheck:
    """A check of each row on its own: the rows where ``where`` holds are its issues.

    Row checks are screened together first (:func:`screen`: one scan of the table for
    all of them); only those that some row fails are then run to list their rows.
    """

    where: ir.BooleanValue
    column: str
    expected: str
    severity: str = "error"
    fix: str | None = None
    value: Callable[[ir.Table], ir.Value] | None = None  # default: the cell as written

    def issues(self, t: ir.Table) -> ir.Table:
        """The issue rows of the rows of ``t`` that fail the check."""
        bad = t.filter(self.where)
        value = self.value(bad) if self.value else _cell(bad, self.column)
        return _issue(bad, self.column, value, self.expected, self.severity, fix=self.fix)


def screen(t: ir.Table, found: list[RowCheck], key: str) -> ir.Table:
    """One row telling, for each row check (``check_0``, ``check_1``...), whether a row
    of ``t`` fails it, and whether a value of ``key`` may repeat (``repeated_keys``):
    one scan instead of one per check, so a clean table of 100 M touchpoints is read
    once. Keys are told apart by their 64-bit hashes, as :func:`duplicate_keys` counts
    them: a collision only runs that check for nothing."""
    flags = {f"check_{i}": c.where.any() for i, c in enumerate(found)}
    keys = t[key]
    flags["repeated_keys"] = keys.hash().nunique(where=keys.notnull()) < keys.count()
    return t.aggregate(**flags)


def failing(
    t: ir.Table, found: list[RowCheck], key: str, run: Callable[[ir.Table], pa.Table]
) -> tuple[list[RowCheck], bool]:
    """The row checks some row of ``t`` fails, and whether a key may repeat, from one
    :func:`screen` query that ``run`` executes."""
    flags = run(screen(t, found, key)).to_pylist()[0]
    return [c for i, c in enumerate(found) if flags[f"check_{i}"]], bool(flags["repeated_keys"])


def row_checks(t: ir.Table, table: str, config: Config, now: datetime) -> list[RowCheck]:
    """Negative amounts, future dates, deal status rules, currencies."""
    out: list[RowCheck] = []
    cutoff = now + timedelta(days=config.ingest.future_tolerance_days)
    cutoff_lit = ibis.literal(cutoff.replace(microsecond=0, tzinfo=None))
    cols = t.columns
    for name in ("amount", "impressions", "clicks", "visitors", "company_size"):
        if name in cols:
            expected, fix = NEGATIVE.get((table, name), ("a value >= 0", None))
            out.append(RowCheck(t[name] < 0, name, expected, fix=fix))
    if "amount" in cols:
        top = config.ingest.max_amount
        out.append(
            RowCheck(
                t.amount > top,
                "amount",
                f"an amount up to {top:,.0f} (ingest.max_amount)",
                fix="correct the amount (a pasted id or a test value?), or raise "
                "ingest.max_amount in leadpilot.yaml if it is real",
            )
        )
    earliest = datetime.fromisoformat(config.ingest.earliest_date)
    for name in ("created_at", "ts", "closed_at", "date"):
        if name in cols:
            limit = earliest.date() if name == "date" else earliest
            out.append(
                RowCheck(
                    t[name] < ibis.literal(limit), name,
                    f"a date from {earliest:%Y-%m-%d} on (1900-01-01, 1899-12-30 and "
                    "1970-01-01 are what spreadsheets and databases write for a missing date)",
                    fix="leave the cell blank when the date is unknown, or lower "
                    "ingest.earliest_date in leadpilot.yaml",
                )
            )  # fmt: skip
    for name in ("created_at", "ts", "closed_at"):
        if name in cols:
            ahead = t[name] > cutoff_lit
            if table == "deals" and name == "closed_at":
                # An open deal's close date is an expected date: it may lie ahead.
                ahead = ahead & (t.status != "open")
            out.append(RowCheck(ahead, name, f"a date not after {cutoff:%Y-%m-%d}", fix=FUTURE_FIX))
    if "date" in cols:
        ahead = t["date"] > ibis.literal(cutoff.date())
        out.append(RowCheck(ahead, "date", f"a date not after {cutoff:%Y-%m-%d}", fix=FUTURE_FIX))
    if table == "deals":
        out.append(
            RowCheck(
                t.status.isin(["won", "lost"]) & t.closed_at.isnull(),
                "closed_at",
                "a closing date for a won or lost deal",
                value=lambda bad: bad.closed_at,
            )
        )
        # Deals are often entered after they closed: kept, like other date inconsistencies.
        out.append(
            RowCheck(
                (t.closed_at < t.created_at) & (t.status != "open"),
                "closed_at",
                CLOSED_BEFORE_CREATED,
                "warning",
                value=lambda bad: (
                    _cell(bad, "closed_at") + " (created " + _cell(bad, "created_at") + ")"
                ),
            )
        )
    if "currency" in cols and "amount" in cols:
        allowed = [config.currency, *config.ingest.currency_rates]
        # shown: the cell as written (the amount, when its sign or a constant set it)
        out.append(
            RowCheck(
                t.currency.notnull() & ~t.currency.upper().isin(allowed),
                "currency",
                f"{config.currency} (the workspace currency) or a currency with a rate in "
                f"ingest.currency_rates (known: {', '.join(allowed)})",
                fix="declare its rate to the workspace currency in leadpilot.yaml, e.g. "
                "ingest.currency_rates: {USD: 0.92}; or, when all the workspace's amounts are "
                "in that currency, make it the workspace's (currency: in leadpilot.yaml)",
            )
        )
    return out


# Negative figures, by table: what they usually are, and what to do with them.
NEGATIVE = {
    ("deals", "amount"): (
        "a deal amount >= 0 (a negative amount is a credit note or a refund, not a deal: "
        "revenue would silently shrink)",
        "enter the deal's net amount, or mark a cancelled deal lost; refunds are not deals",
    ),
    ("spend", "amount"): (
        "spend >= 0 (a negative cost is an ad platform's credit or adjustment)",
        "net the credit into the cost of the day (or campaign) it corrects",
    ),
}

CLOSED_BEFORE_CREATED = (
    "deal closed before it was created (often entered after the fact): kept and counted; "
    "velocity leaves out the negative opportunity cycle"
)


# Tables whose rows of one key add up (ad groups or ads of one campaign-day): rows that
# differ in these measures are summed, rows identical in every column are merged.
ADDITIVE: dict[str, tuple[str, ...]] = {
    "spend": ("amount", "impressions", "clicks"),
    "traffic": ("visitors",),
}
SUMMED = "summed"  # severity of a row added into the first row of its key
# ... whose first row is in another file (two accounts, or overlapping exports of one)
SUMMED_ACROSS = "summed_across"


def duplicate_keys(
    t: ir.Table,
    key: str,
    label: str,
    derived: bool,
    measures: tuple[str, ...] = (),
    files: tuple[str, ...] = (),
) -> ir.Table:
    """Every occurrence after the first of a key; derived keys are identical events.

    The first is the first in the files' order (``files``, as the sources list them), then
    in the file's rows: which row stays never depends on where row numbers of two files
    fall; a repeat names the other file's row.

    With ``measures`` (spend, traffic), the rows of a key whose measures differ are
    severity ``summed`` (they add up); rows of a key that all hold the same measures are
    identical rows (severity ``duplicate``, merged). Rows of a key that differ in another
    column than the key and the measures (a currency) are summed too: the currency is
    converted before the sum.
    """
    # A hash aggregate finds the repeated keys; only their rows are ranked (a window over
    # every row would sort millions of keys to find a handful of duplicates).
    measures = tuple(m for m in measures if m in t.columns)
    variant = None
    if measures:
        parts = [t[m].cast("string").fill_null("") for m in measures]
        if "currency" in t.columns:
            parts.append(t.currency.fill_null(""))
        variant = ibis.literal("|").join(parts)
    # Counted by the keys' 64-bit hashes: 100 M touch keys hash into a table of integers
    # a fraction of the size of one holding the keys' text, within the ingest's memory
    # cap. A collision only brings the rows of another key along; the window below
    # ranks the rows of each real key, so it reports nothing for them.
    hashed = t.mutate(_h=t[key].hash())
    repeated = hashed.group_by("_h").aggregate(_count=hashed.count()).filter(lambda g: g._count > 1)
    rows = hashed.semi_join(repeated, [hashed._h == repeated._h, hashed[key].notnull()]).drop("_h")
    if variant is not None:
        rows = rows.mutate(_variant=variant)
    several = len(files) > 1 and FILE in rows.columns
    file_rank = (
        ibis.cases(*[(rows[FILE] == f, i) for i, f in enumerate(files)], else_=len(files))
        if several else ibis.literal(0)
    )  # fmt: skip
    w = ibis.window(group_by=rows[key], order_by=[file_rank, rows[ROW]])
    ranked = rows.mutate(_first=rows[ROW].first().over(w), _n=ibis.row_number().over(w))
    if several:
        ranked = ranked.mutate(_first_file=rows[FILE].first().over(w))
    if variant is not None:
        wk = ibis.window(group_by=rows[key])
        ranked = ranked.mutate(
            _differ=rows._variant.min().over(wk) != rows._variant.max().over(wk)
        )
    dup = ranked.filter(ranked._n > 0)
    if derived and variant is not None:
        what = ", ".join(c for c in ("date", "channel", "campaign", "content") if c in t.columns)
        summed = ibis.literal(SUMMED)
        if several:
            summed = ibis.ifelse(dup._first_file == dup[FILE], summed, SUMMED_ACROSS)
        severity = ibis.ifelse(dup._differ, summed, ibis.literal("duplicate"))
        expected = ibis.ifelse(
            dup._differ,
            ibis.literal(f"one row per {what} (several ad groups or ads?): added to row ")
            + dup._first.cast("string"),
            ibis.literal(f"a distinct row (same {what} and figures as row ")
            + dup._first.cast("string")
            + ")",
        )
        return _issue(dup, label, dup[key], expected, severity=severity)
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
    where = ibis.literal("row ")
    if several:  # the first row of the key in another file: named
        other = dup._first_file.re_extract(r"([^/\\]+)$", 1) + " row "
        where = ibis.ifelse(dup._first_file == dup[FILE], where, other)
    return _issue(
        dup,
        label,
        dup[key],
        ibis.literal("a unique key (already in ") + where + dup._first.cast("string") + ")",
        fix="keep one row per key in the file (a later ingest replaces the rows of a key)",
    )


def unknown_leads(t: ir.Table, known: ir.Table) -> ir.Table:
    bad = t.anti_join(known, t.lead_id == known.lead_id)
    return _issue(
        bad,
        "lead_id",
        bad.lead_id,
        "a lead_id present in the leads table (this file or the workspace)",
        fix="ingest the leads file with these records, or check that both files use the "
        "same ids (the column mapped to lead_id; ids are compared as written, so 00123 and "
        "123 are two leads)",
    )


BEFORE_LEAD = (
    "{what} dated before its lead's creation: kept and counted; velocity leaves out the "
    "durations that would be negative (check the export's dates)"
)


SUMMARY_FIX = (
    "delete the summary row from the export (Meta Ads Manager: untick 'Include summary "
    "row'; Google Ads: the 'Total' rows at the bottom), or ingest with --policy quarantine "
    "to set it aside"
)


def summary_rows(t: ir.Table) -> ir.Table:
    """Spend rows that are an export's summary: the row names no campaign while the file's
    other rows do, and its amount is the sum of theirs (Meta's 'summary row', dated the
    report's first day, loaded as one more day of spend: the total counted twice)."""
    if "campaign" not in t.columns:
        return _issue(t.filter(ibis.literal(False)), "amount", t.amount, "")
    w = ibis.window(group_by=t[FILE])
    rows = t.mutate(
        _total=t.amount.sum().over(w),
        _rows=t.count().over(w),
        _named=(t.campaign.notnull() & (t.amount > 0)).sum().over(w),
        _first=t.date.min().over(w),
        _last=t.date.max().over(w),
    )
    other = rows._total - rows.amount
    # dated the report's first day, over days of campaigns: a channel's own row that
    # happens to equal its campaigns' sum on one day is no summary
    summary = rows.filter(
        rows.campaign.isnull()
        & (rows._named >= 3)
        & (rows.amount > 0)
        & (rows.date == rows._first)
        & (rows._last > rows._first)
        & ((rows.amount - other).abs() <= ibis.greatest(0.05, rows._total * 0.0001))
    )
    return _issue(
        summary,
        "amount",
        summary.amount,
        ibis.literal("a day's spend, not the file's total (this row names no campaign and its "
                     "amount is the sum of the other ")
        + (summary._rows - 1).cast("string") + " rows: an export's summary row)",
        fix=SUMMARY_FIX,
    )  # fmt: skip


def before_lead_creation(t: ir.Table, known: ir.Table, column: str, what: str) -> ir.Table:
    """Rows dated before their lead was created: a data-quality warning, never a loss.

    Exports disagree by a few days (a contact re-created, a deal back-dated): the record
    is kept, counted in a warning with examples, and negative durations stay out of
    velocity, so a real customer is never dropped for a date two days off.
    """
    j = t.join(known.select(lead_id=known.lead_id, _created=known.created_at), "lead_id")
    bad = j.filter(j[column] < j._created)
    value = _cell(bad, column) + " (lead created " + _moment(bad._created) + ")"
    return _issue(bad, column, value, BEFORE_LEAD.format(what=what), "warning")


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
                expected=ibis.literal(
                    f"lead reached {nxt} with no {prev} event: {prev} implied (stages.implied)"
                ),
                severity=ibis.literal("warning"),
                file=bad["__file"],
                fix=ibis.literal(None, "string"),
                part=ibis.literal(None, "string"),
            )
        )
    return ibis.union(*parts)


def stages_out_of_order(t: ir.Table) -> ir.Table:
    """Leads whose later funnel stage is dated before an earlier one (a customer before
    its MQL): kept and counted, as other date inconsistencies; velocity leaves out the
    negative durations."""
    chain = ("lead", "mql", "sal", "sql", "opportunity", "customer")
    per_lead = t.group_by("lead_id").aggregate(
        **{f"at_{s}": t.ts.min(where=t.stage == s) for s in chain},
        _row=t[ROW].min(),
        __file=t["__file"].cast("string").min(),
    )
    parts = []
    for i, later in enumerate(chain[1:], start=1):
        earlier = chain[:i]
        first_earlier = ibis.greatest(*[per_lead[f"at_{e}"] for e in earlier]) if i > 1 else None
        prev = per_lead[f"at_{chain[i - 1]}"] if first_earlier is None else first_earlier
        bad = per_lead.filter(per_lead[f"at_{later}"] < prev)
        parts.append(
            bad.select(
                row=bad._row.cast("int64"),
                column=ibis.literal("ts"),
                value=ibis.literal(f"{later} ") + bad[f"at_{later}"].cast("string"),
                expected=ibis.literal(
                    "stage history out of order: a later stage dated before an earlier one "
                    "(kept and counted; velocity leaves out the negative durations)"
                ),
                severity=ibis.literal("warning"),
                file=bad["__file"],
                fix=ibis.literal(None, "string"),
                part=ibis.literal(None, "string"),
                _order=ibis.literal(i),
            )
        )
    # one issue a lead: its first stage out of order along the chain (an unordered
    # distinct kept any of them, a different stage named from one ingest to the next)
    found = ibis.union(*parts, distinct=False)
    first = ibis.row_number().over(group_by=[found.file, found.row], order_by=found._order)
    return found.mutate(_first=first).filter(ibis._._first == 0).drop("_first", "_order")
