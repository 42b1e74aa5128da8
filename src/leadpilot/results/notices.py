"""The codes of the warnings that come with results (:class:`~leadpilot.errors.Notice`).

A code is stable: scripts and tests filter on it (``meta.notices[].code``) while the
sentence may be reworded. A warning written as a plain sentence has the code ``note``.

Examples
--------
>>> from leadpilot.results.notices import CODES
>>> CODES["division_by_zero"]
'a rate or ratio is null where its denominator is 0'
"""

from __future__ import annotations

CODES: dict[str, str] = {
    "note": "a note without a code of its own",
    # data the analysis could not read
    "table_not_loaded": "a table the KPIs read holds no row: the KPIs built on it are null",
    "no_touchpoints": "no touchpoint is loaded: engagement KPIs and interest retention are null",
    "cannot_split": "a table cannot be split by a dimension: its KPIs are null for those groups",
    "not_recorded": "groups without any row of a dated table (spend): their KPIs are null, not 0",
    "not_measured": "a rate measured from recorded data only is null where none was recorded",
    "unvalued": "won deals without an amount: revenue counts them as nothing (null in a "
    "group where none has one); the average deal size leaves them out",
    "unvalued_pipeline": "open deals without an amount: the open pipeline counts them as "
    "nothing (null in a group where none has one)",
    "customers_without_won_deal": "customers recorded by a stage event without a won deal: "
    "revenue counts nothing for them",
    "negative_durations": "durations whose later stage is dated before the earlier one are "
    "left out",
    "excluded_revenue": "won deals of records the lead rule excludes: revenue leaves them out",
    "lead_rule_changed": "the lead rule of leadpilot.yaml changed since the last ingest: "
    "the counts apply it as they read the data",
    "attribute_renamed": "lead attributes stored by an earlier leadpilot under a name it now "
    "computes (an account's revenue): read under NAME_attribute, as an ingest stores them",
    # channel reconciliation (spend and leads or touches)
    "spend_without_match": "spend names a channel / campaign / content that no lead (or, in "
    "attribution, no attribution touch) names",
    "dated_per_month": "spend (or traffic) recorded per month, read by week or day or over a "
    "range cutting months: a month's figure falls on its first day",
    "outside_spend_dates": "leads of a channel created outside the dates its spend is "
    "recorded on, in periods holding some of it: cost KPIs divide the spend by them too",
    "no_spend": "leads (or touches) of a channel that no spend names: cost KPIs are null",
    "dimension_absent": "spend is split by a dimension that no lead or touch has",
    "blended_costs": "rows not split by channel divide the spend by the leads, customers and "
    "revenue of every channel, those without spend included (blended costs)",
    "as_of_after_data": "a given as-of date after the data's last event: the days between "
    "count as observed",
    "open_deals_older_than_history": "open deals older than any deal ever closed: the "
    "forecast expects nothing of them (stale deals, as a rule)",
    "exclude_unknown": "scoring.model.exclude names a column the leads table does not have: "
    "it excludes nothing",
    # reading the numbers
    "period_cut": "a date range starting or ending inside a period: that period's row "
    "counts the range's part only",
    "division_by_zero": "a rate or ratio is null where its denominator is 0",
    "not_a_proportion": "a rate's numerator exceeds its denominator in some groups (no interval)",
    "immature_cohorts": "cohorts younger than the median lead-to-customer delay: their rates "
    "will still grow",
    "activity_rates": "activity view: rates divide flows of the same period, not a cohort's "
    "conversion",
    "kpis_left_out": "--kpi all in a view that some KPIs do not apply to: they are left out",
    "acceptance_partly_recorded": "sales acceptance recorded for some channels only: a row "
    "over several channels mixes recorded and implied SALs",
    "acceptance_below_threshold": "acceptance below the agreed threshold in some groups",
    "no_customer_yet": "groups without a customer yet: their cycle lengths are null",
    "kaplan_meier_cohort_only": "conversion by age follows cohorts: not drawn in the activity "
    "view",
    # attribution
    "not_credited": "conversions without an attribution touch in the lookback are not credited",
    "won_after_range": "won deals of a range's converting leads closed after the range: "
    "their revenue counts in it",
    "path_file_models": "models that need dates are not computed from a path file",
    "grouped_as_other": "shapley: the values with the fewest touches are grouped as 'other'",
    "no_null_paths": "markov: every lead converts at its creation, no null path",
    # scoring
    "features_missing": "a file of new leads leaves a feature of the scoring model empty: "
    "scored as if unknown",
    "columns_missing": "a scored file lacks columns of the workspace leads: read as missing",
    "no_scoring": "no model and no scoring rules: every score is 0",
    "bands_recomputed": "the model card holds no band cut-offs: bands are quantiles of the "
    "leads scored now",
    "over_capacity": "even the highest threshold sends more MQLs than the capacity",
    "target_unreachable": "no threshold reaches the target acceptance",
    "acceptance_from_sql": "no lead reached SAL: acceptance is read from SQL",
    "short_history": "the leads with a known outcome span less than a month",
    "pseudo_random_split": "the held-out part is a pseudo-random split, not a time split",
    "rules_only": "no trained model: only the rules score is evaluated",
    "no_rules": "no scoring rules: the rules score is not evaluated",
    "auc_undefined": "the held-out leads do not hold both outcomes: AUC is undefined",
    "too_good": "an AUC too good to be true: a feature leaks the outcome",
    "leakage_suspects": "features that alone predict the outcome almost perfectly",
}
