"""Every attribution model as data: its kind, what it needs, its weights and its rules.

The same text travels in ``meta.definitions`` of every result, so a number never comes
without the rule that produced it. Weights that are configurable are read from
``AttributionSettings``; the rules quoted here are what heuristics.py / markov.py /
shapley.py implement.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import AttributionSettings


@dataclass(frozen=True)
class ModelDef:
    name: str
    kind: str  # "heuristic" or "data-driven"
    # What a journey must carry: "order" (touch order only), "timestamps" (touch times and the
    # conversion date) or "milestones" (the lead's stage dates). Path files carry order only.
    needs: str
    rule: str


HEURISTICS = (
    "first_touch",
    "last_touch",
    "last_non_direct",
    "linear",
    "time_decay",
    "position_based",
    "w_shaped",
    "full_path",
)
DATA_DRIVEN = ("markov", "shapley")
MODEL_NAMES = HEURISTICS + DATA_DRIVEN
CONVERSIONS = ("lead", "mql", "sql", "opportunity", "customer", "revenue")

MILESTONE_RULE = (
    "A milestone touch is the last touch at or before the milestone's date (lead creation, "
    "opportunity creation, customer); when no touch precedes it, the first touch; a "
    "milestone not reached by the conversion date is the last touch. Anchors that fall on "
    "the same touch add their weights; the spread share is split equally among the touches "
    "that are no anchor, and among all touches when every touch is an anchor (one touch "
    "gets 100 %, two touches 50/50). Credits of a journey always sum to 1."
)


def _pct(x: float) -> str:
    return f"{x * 100:g} %"


def model_defs(s: AttributionSettings) -> dict[str, ModelDef]:
    pb, ws, fp = s.position_based, s.w_shaped, s.full_path
    direct = ", ".join(s.direct_channels) or "(none)"
    return {
        "first_touch": ModelDef(
            "first_touch", "heuristic", "order", "100 % to the first touch of the journey."
        ),
        "last_touch": ModelDef(
            "last_touch",
            "heuristic",
            "order",
            "100 % to the last touch at or before the conversion.",
        ),
        "last_non_direct": ModelDef(
            "last_non_direct",
            "heuristic",
            "order",
            f"100 % to the last touch whose channel is not {direct}; to the last touch when "
            "every touch is direct.",
        ),
        "linear": ModelDef(
            "linear", "heuristic", "order", "1/n to each of the journey's n touches."
        ),
        "time_decay": ModelDef(
            "time_decay",
            "heuristic",
            "timestamps",
            f"weight 2^(-age / {s.time_decay_half_life_days:g} days) per touch, age = "
            "conversion date - touch time; weights normalised to sum to 1 per journey.",
        ),
        "position_based": ModelDef(
            "position_based",
            "heuristic",
            "milestones",
            f"U-shaped: {_pct(pb[0])} first touch, {_pct(pb[1])} lead-creation touch, "
            f"{_pct(pb[2])} spread over the others. " + MILESTONE_RULE,
        ),
        "w_shaped": ModelDef(
            "w_shaped",
            "heuristic",
            "milestones",
            f"{_pct(ws[0])} first touch, {_pct(ws[1])} lead-creation touch, {_pct(ws[2])} "
            f"opportunity-creation touch, {_pct(ws[3])} spread. " + MILESTONE_RULE,
        ),
        "full_path": ModelDef(
            "full_path",
            "heuristic",
            "milestones",
            f"{_pct(fp[0])} first touch, {_pct(fp[1])} lead creation, {_pct(fp[2])} "
            f"opportunity creation, {_pct(fp[3])} customer touch, {_pct(fp[4])} spread. "
            + MILESTONE_RULE,
        ),
        "markov": ModelDef(
            "markov",
            "data-driven",
            "order",
            f"Removal effect on the absorbing Markov chain of order {s.markov_order} "
            "(states: start, the last k channels, conversion, null), solved exactly from the "
            "transition matrix (no simulation). Removing a channel sends every state that "
            "contains it to null; removal effect = 1 - P(conversion without it) / P(conversion)."
            " Effects are normalised to the total conversions; revenue uses the same chain with "
            "each conversion transition carrying its revenue. "
            + ("Consecutive repeats of a channel collapsed. " if s.collapse_repeats else "")
            + (
                "Non-converting journeys included."
                if s.markov_null_paths
                else "Converting journeys only."
            ),
        ),
        "shapley": ModelDef(
            "shapley",
            "data-driven",
            "order",
            "Exact Shapley values over channel sets. rate(S) = conversions / journeys of the "
            "journeys whose set of channels is exactly S; v(S) = the highest rate among the "
            "observed subsets of S, S included (an unobserved set is worth its best observed "
            "subset; adding a channel never lowers the worth; v(empty) = 0). The conversions "
            "(and revenue) of the journeys with set S are split by the Shapley values of the "
            "game restricted to S, divided by v(S), so each journey's credits sum to 1. At most "
            f"{s.shapley_max_channels} players: the channels with the most attribution touches; "
            "the others are grouped as 'other'. Non-converting journeys always count (they make "
            "the rates).",
        ),
    }


def measure_defs(by: str, conversion: str, lookback: int, touch_types: list[str]) -> dict:
    what = "customers (won deals)" if conversion == "revenue" else f"leads reaching {conversion}"
    return {
        "conversions": f"attributed {what}: the sum of the model's credits over the {by}; every "
        "converting journey's credits sum to 1",
        "revenue": "attributed revenue: each converting lead's won-deal revenue times its credits",
        "share": ("revenue" if conversion == "revenue" else "conversions")
        + f" of the {by} / the model's total (per period)",
        "journey": f"the attribution touches ({', '.join(touch_types)}) of a lead in the "
        f"{lookback} days up to its conversion date (ties in time ordered by touch_id); for a "
        "lead that did not convert, up to its last touch",
        "period": "the period of the conversion date",
        "spend": f"spend of the {by} in the period (spend table)",
        "cost_per_conversion": "spend / attributed conversions",
        "roas": "attributed revenue / spend",
        "roi": "(attributed revenue - spend) / spend",
        "spread": "per value of the dimension: highest share minus lowest share across the "
        "models shown (meta.spread); where the models disagree",
    }
