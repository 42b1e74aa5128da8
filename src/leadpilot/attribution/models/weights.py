"""Rule-based models: a weight per touch, computed in the engine with window functions.

Every rule-based model gives each touch of a converting journey a weight; the weights of a
journey sum to 1. Credits are the weights times the journey's conversions and revenue,
summed per period and value of the dimension: one aggregation for all the rule-based models
requested at once (``WeightModel.credit_batch``).

A model says how to weigh in one of two ways: ``weight(j)``, an expression of the touch
table (evaluated with the other models' in one projection), or ``add_weight(j)``, which adds
its ``w_<name>`` column itself (the milestone models, whose weights need several steps).
``helpers(j)`` names the window columns a model needs; models that need the same helper
share it (the lead-creation touch of position_based, w_shaped and full_path).
"""

from __future__ import annotations

from typing import ClassVar

import ibis
import ibis.expr.types as ir

from ...text import Text
from .base import AttributionModel, Credits, Journeys, pct

MILESTONE_RULE = Text(
    "A milestone touch is the last touch at or before the milestone's date (lead creation, "
    "opportunity creation, customer); when no touch precedes it, the first touch; a "
    "milestone not reached by the conversion date is the last touch. Anchors that fall on "
    "the same touch add their weights; the spread share is split equally among the touches "
    "that are no anchor, and among all touches when every touch is an anchor (one touch "
    "gets 100 %, two touches 50/50). Credits of a journey always sum to 1.",
    "Le point de contact d'un jalon est le dernier point de contact à la date du jalon ou "
    "avant (création du lead, création de l'opportunité, client) ; si aucun ne le précède, "
    "le premier point de contact ; un jalon non atteint à la date de conversion est le "
    "dernier point de contact. Les ancres qui tombent sur le même point de contact cumulent "
    "leurs poids ; la part répartie est partagée à parts égales entre les points de contact "
    "qui ne sont pas des ancres, et entre tous quand chacun est une ancre (un seul point de "
    "contact reçoit 100 %, deux reçoivent 50/50). Les crédits d'un parcours totalisent "
    "toujours 1.",
)


class WeightModel(AttributionModel):
    """A rule-based model: a weight per touch of a converting journey."""

    kind = "heuristic"
    batch = "weights"

    def helpers(self, j: ir.Table) -> dict[str, ir.Value]:
        """Window columns this model's weight reads, by name (shared between models)."""
        return {}

    def weight(self, j: ir.Table) -> ir.Value:
        """The weight of each touch (a model that overrides add_weight need not)."""
        raise NotImplementedError

    def add_weight(self, j: ir.Table) -> ir.Table | None:
        """``j`` with a ``w_<name>`` column; None: ``weight(j)`` gives it (one projection
        for every such model)."""
        return None

    def credits(self, journeys: Journeys) -> Credits:
        return self.credit_batch([self], journeys)[self.name]

    @classmethod
    def credit_batch(cls, models: list[WeightModel], journeys: Journeys) -> dict[str, Credits]:
        j = journeys.table
        j = j.filter(j.conv > 0)
        helpers: dict[str, ir.Value] = {}
        for m in models:
            helpers.update(m.helpers(j))
        if helpers:
            j = j.mutate(**helpers)
        later = [m for m in models if type(m).add_weight is not WeightModel.add_weight]
        # integers cast to doubles: PostgreSQL would read 1.0 as numeric (decimals in Arrow)
        direct = {f"w_{m.name}": m.weight(j).cast("float64") for m in models if m not in later}
        if direct:
            j = j.mutate(**direct)
        for m in later:
            j = m.add_weight(j)
        aggs = {}
        for m in models:
            aggs[f"conv_{m.name}"] = (j[f"w_{m.name}"] * j.conv).sum()
            aggs[f"value_{m.name}"] = (j[f"w_{m.name}"] * j.value).sum()
        rows = j.group_by(["period", "dim"]).aggregate(**aggs).to_pyarrow().to_pylist()
        return {
            m.name: {
                (r["period"], r["dim"]): (r[f"conv_{m.name}"], r[f"value_{m.name}"]) for r in rows
            }
            for m in models
        }


def journey_window(j: ir.Table) -> ibis.Window:
    return ibis.window(group_by=j.jid)


def last_at_or_before(j: ir.Table, date: ir.Value) -> ir.IntegerValue:
    """Index of the last touch at or before ``date``; the first touch when none; the last
    touch when the milestone was not reached by the end of the journey."""
    idx = ibis.cases((j.ts <= date, j.pos)).max().over(journey_window(j)).fill_null(0)
    return ibis.cases((date.isnull() | (date > j.end_at), j.n - 1), else_=idx)


class MilestoneModel(WeightModel):
    """Anchors on milestone touches (first touch, lead creation, opportunity creation,
    customer) with fixed shares; the spread share goes to the other touches."""

    needs = "milestones"
    #: helper column -> how to find it, in the order of the model's weights
    MILESTONES: ClassVar[dict[str, str | None]] = {
        "_zero": None,  # the first touch
        "_i_lc": "created_at",
        "_i_opp": "opportunity_at",
        "_i_cust": "customer_at",
    }
    anchors: ClassVar[tuple[str, ...]]  # helper columns of this model's anchors

    def weights(self) -> list[float]:
        """The anchors' shares then the spread (a list of the model's parameters)."""
        raise NotImplementedError

    def shares_text(self, en: list[str], fr: list[str]) -> Text:
        """What each share goes to, given the weights as percentages (English, French)."""
        raise NotImplementedError

    def definition(self) -> Text:
        w = self.weights()
        return self.shares_text([pct(x) for x in w], [pct(x, "fr") for x in w]) + MILESTONE_RULE

    def helpers(self, j: ir.Table) -> dict[str, ir.Value]:
        out: dict[str, ir.Value] = {}
        for col in self.anchors:
            at = self.MILESTONES[col]
            # the first touch's index, as an anchor column
            out[col] = ibis.literal(0, "int64") if at is None else last_at_or_before(j, j[at])
        return out

    def add_weight(self, j: ir.Table) -> ir.Table:
        """Weights of a milestone model: anchors add up, the spread goes to the other
        touches (to every touch when all are anchors)."""
        *shares, spread = self.weights()
        anchors = list(zip(self.anchors, shares, strict=True))
        name = self.name
        is_anchor = ibis.literal(False)
        for col, _ in anchors:
            is_anchor = is_anchor | (j.pos == j[col])
        j = j.mutate(**{f"_a_{name}": is_anchor})
        n_anchor = j[f"_a_{name}"].ifelse(1, 0).sum().over(journey_window(j))
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
