"""First touch: the whole credit to the journey's first touch."""

from __future__ import annotations

import ibis.expr.types as ir

from ...text import Text
from .weights import WeightModel


class FirstTouch(WeightModel):
    name = "first_touch"
    rank = 10

    def definition(self) -> Text:
        return Text(
            "100 % to the first touch of the journey.",
            "100 % au premier point de contact du parcours.",
        )

    def weight(self, j: ir.Table) -> ir.Value:
        return (j.pos == 0).ifelse(1, 0)
