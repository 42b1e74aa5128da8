"""The lead-count rule: which records count as leads, and e-mail deduplication.

Nothing is deleted: excluded records keep ``excluded_reason`` and merged ones
``merged_into`` (the lead they were merged into), so every count can be
explained and undone by changing the rule.
"""

from __future__ import annotations

import json

import ibis
import ibis.expr.types as ir

from ..config import LeadRule

# The bookkeeping columns of leads (schema.LEAD_BOOKKEEPING) the rule derives.
RULE_COLUMNS: tuple[str, ...] = ("excluded_reason", "merged_into", "merge_reason")


# Meta keys (leadpilot_meta) an ingest that applies the rule writes: the rule the stored
# columns follow, and the workspace leadpilot.yaml's rule at that ingest. A rule edited in
# leadpilot.yaml since then is applied by the analyses at once (see :func:`rule_changed`).
APPLIED_RULE = "lead_rule_applied"
CONFIGURED_RULE = "lead_rule_configured"


def rule_text(rule: LeadRule) -> str:
    """The rule as canonical JSON: two equal rules give the same text."""
    return json.dumps(rule.model_dump(mode="json"), sort_keys=True)


def rule_changed(meta: dict[str, str], configured: LeadRule) -> bool:
    """The workspace leadpilot.yaml's rule (``configured``) is not the one it held at the
    ingest that applied the stored rule: the user edited it since. (A rule a source's
    leadpilot.yaml set for its ingest is not a change: the workspace's rule stayed.)
    A workspace ingested before the rule was recorded follows its rule as stored."""
    recorded = meta.get(CONFIGURED_RULE)
    return recorded is not None and recorded != rule_text(configured)


def apply_lead_rule(leads: ir.Table, rule: LeadRule) -> ir.Table:
    """Recompute excluded_reason, merged_into and merge_reason for every lead record."""
    t = leads
    reason = ibis.literal(None, "string")
    for column, values in reversed(list(rule.exclude.items())):
        if column not in t.columns:
            continue
        hit = t[column].cast("string").isin([str(v) for v in values])
        reason = ibis.ifelse(
            hit, ibis.literal(f"lead rule: {column} in ") + t[column].cast("string"), reason
        )
    t = t.mutate(excluded_reason=reason)

    if not rule.dedupe_by_email:
        return t.mutate(
            merged_into=ibis.literal(None, "string"), merge_reason=ibis.literal(None, "string")
        )

    # only the columns the windows read: each window is a projection of all its columns
    candidates = t.filter(t.excluded_reason.isnull() & t.email_norm.notnull()).select(
        "lead_id", "email_norm", "created_at"
    )
    order = [candidates.created_at, candidates.lead_id]
    w = ibis.window(group_by=candidates.email_norm, order_by=order)
    secs = candidates.created_at.epoch_seconds()
    gap = secs - secs.lag().over(w)
    window_s = rule.dedupe_window_days * 86400
    new_group = (gap.isnull() | (gap >= window_s)) if window_s > 0 else gap.isnull()
    c = candidates.mutate(_new=ibis.ifelse(new_group, 1, 0))
    w2 = ibis.window(group_by=c.email_norm, order_by=[c.created_at, c.lead_id], rows=(None, 0))
    c = c.mutate(_grp=c._new.sum().over(w2))
    w3 = ibis.window(group_by=[c.email_norm, c._grp], order_by=[c.created_at, c.lead_id])
    c = c.mutate(_survivor=c.lead_id.first().over(w3))
    merges = c.filter(c._survivor != c.lead_id).select(
        _lid=c.lead_id,
        _into=c._survivor,
    )
    why = (
        f"same e-mail as an earlier lead within {rule.dedupe_window_days} days"
        if window_s > 0
        else "same e-mail as an earlier lead"
    )
    j = t.left_join(merges, t.lead_id == merges._lid)
    return j.mutate(
        merged_into=j._into,
        merge_reason=ibis.ifelse(
            j._into.notnull(), ibis.literal(why), ibis.literal(None, "string")
        ),
    ).drop("_lid", "_into")
