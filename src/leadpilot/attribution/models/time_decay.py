"""Time decay: recent touches weigh more, halving every half-life before the conversion."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from ...config import TimeDecayParams
from ...i18n import day_word
from ...text import Text
from .base import num
from .weights import WeightModel, journey_window


class TimeDecay(WeightModel):
    name = "time_decay"
    rank = 50
    needs = "timestamps"
    Params = TimeDecayParams

    def definition(self) -> Text:
        half_life = self.params.time_decay_half_life_days
        en, fr = (f"{num(half_life, lang)} {day_word(half_life, lang, None)}"  # '1 jour'
                  for lang in ("en", "fr"))  # fmt: skip
        return Text(
            f"weight 2^(-age / {en}) per touch, age = conversion date - touch time; weights "
            "normalised to sum to 1 per journey.",
            f"poids 2^(-âge / {fr}) par point de contact, âge = date de conversion - date du "
            "point de contact ; poids normalisés pour totaliser 1 par parcours.",
        )

    def helpers(self, j: ir.Table) -> dict[str, ir.Value]:
        age_days = (j.end_at.epoch_seconds() - j.ts.epoch_seconds()).cast("float64") / 86400.0
        return {"_td": ibis.literal(0.5) ** (age_days / self.params.time_decay_half_life_days)}

    def weight(self, j: ir.Table) -> ir.Value:
        return j._td / j._td.sum().over(journey_window(j))
