"""Rule-based models: a weight per touch, computed in the engine with window functions.

Every model gives each touch of a converting journey a weight; the weights of a journey
sum to 1 (the rules, degenerate paths included, are in definitions.py). Credits are the
weights times the journey's conversions and revenue, summed per value of the dimension —
one aggregation for all the requested models at once.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from ..config import AttributionSettings

ORDER_ONLY = ("first_touch", "last_touch", "last_non_direct", "linear")


def _last_at_or_before(j: ir.Table, date: ir.Value, w: ibis.Window) -> ir.IntegerValue:
    """Index of the last touch at or before ``date``; the first touch when none; the last
    touch when the milestone was not reached by the end of the journey."""
    idx = ibis.cases((j.ts <= date, j.pos)).max().over(w).fill_null(0)
    return ibis.cases((date.isnull() | (date > j.end_at), j.n - 1), else_=idx)


def _anchored(j: ir.Table, anchors: list[tuple[str, float]], spread: float, name: str):
    """Weights of a milestone model: anchors add up, the spread goes to the other touches
    (to every touch when all are anchors)."""
    is_anchor = ibis.literal(False)
    for col, _ in anchors:
        is_anchor = is_anchor | (j.pos == j[col])
    j = j.mutate(**{f"_a_{name}": is_anchor})
    n_anchor = j[f"_a_{name}"].ifelse(1, 0).sum().over(ibis.window(group_by=j.jid))
    j = j.mutate(**{f"_na_{name}": n_anchor})
    n_mid = j.n - j[f"_na_{name}"]
    weight = ibis.literal(0.0)
    for col, share in anchors:
        weight = weight + (j.pos == j[col]).ifelse(share, 0.0)
    mid = ibis.cases(
        (n_mid == 0, 1.0 / j.n.cast("float64")),
        (j[f"_a_{name}"], 0.0),
        else_=1.0 / n_mid.cast("float64"),
    )
    # mid is a double, so the sum is a double on PostgreSQL too
    return j.mutate(**{f"w_{name}": weight + spread * mid})


def touch_weights(j: ir.Table, models: list[str], s: AttributionSettings) -> ir.Table:
    """Add a column ``w_<model>`` per requested model to the converting touches."""
    j = j.filter(j.conv > 0)
    w = ibis.window(group_by=j.jid)
    n = j.n.cast("float64")
    idx: dict = {}
    if "last_non_direct" in models:
        direct = j.channel.isin(s.direct_channels)
        idx["_i_lnd"] = ibis.cases((~direct, j.pos)).max().over(w).fill_null(j.n - 1)
    if {"position_based", "w_shaped", "full_path"} & set(models):
        idx["_zero"] = ibis.literal(0, "int64")  # the first touch's index, as an anchor column
        idx["_i_lc"] = _last_at_or_before(j, j.created_at, w)
    if {"w_shaped", "full_path"} & set(models):
        idx["_i_opp"] = _last_at_or_before(j, j.opportunity_at, w)
    if "full_path" in models:
        idx["_i_cust"] = _last_at_or_before(j, j.customer_at, w)
    if "time_decay" in models:
        age_days = (j.end_at.epoch_seconds() - j.ts.epoch_seconds()).cast("float64") / 86400.0
        idx["_td"] = ibis.literal(0.5) ** (age_days / s.time_decay_half_life_days)
    if idx:
        j = j.mutate(**idx)
    direct_w = {
        "first_touch": (j.pos == 0).ifelse(1, 0),
        "last_touch": (j.pos == j.n - 1).ifelse(1, 0),
        "linear": 1.0 / n,
    }
    if "last_non_direct" in models:
        direct_w["last_non_direct"] = (j.pos == j._i_lnd).ifelse(1, 0)
    if "time_decay" in models:
        direct_w["time_decay"] = j._td / j._td.sum().over(w)
    # integers cast to doubles: PostgreSQL would read 1.0 as numeric (decimals in Arrow)
    j = j.mutate(**{f"w_{m}": direct_w[m].cast("float64") for m in models if m in direct_w})
    pb, ws, fp = s.position_based, s.w_shaped, s.full_path
    if "position_based" in models:
        j = _anchored(j, [("_zero", pb[0]), ("_i_lc", pb[1])], pb[2], "position_based")
    if "w_shaped" in models:
        j = _anchored(j, [("_zero", ws[0]), ("_i_lc", ws[1]), ("_i_opp", ws[2])], ws[3], "w_shaped")
    if "full_path" in models:
        j = _anchored(
            j,
            [("_zero", fp[0]), ("_i_lc", fp[1]), ("_i_opp", fp[2]), ("_i_cust", fp[3])],
            fp[4],
            "full_path",
        )
    return j


def credits(j: ir.Table, models: list[str], s: AttributionSettings) -> ir.Table:
    """Per period and dimension value: ``conv_<model>`` and ``value_<model>``."""
    t = touch_weights(j, models, s)
    aggs = {}
    for m in models:
        aggs[f"conv_{m}"] = (t[f"w_{m}"] * t.conv).sum()
        aggs[f"value_{m}"] = (t[f"w_{m}"] * t.value).sum()
    return t.group_by(["period", "dim"]).aggregate(**aggs)
