"""Last touch: the whole credit to the last touch at or before the conversion."""

from __future__ import annotations

import ibis.expr.types as ir

from ...text import Text
from .weights import WeightModel


class LastTouch(WeightModel):
    name = "last_touch"
    rank = 20

    def definition(self) -> Text:
        return Text(
            "100 % to the last touch at or before the conversion.",
            "100 % au dernier point de contact à la date de conversion ou avant.",
        )

    def weight(self, j: ir.Table) -> ir.Value:
        return (j.pos == j.n - 1).ifelse(1, 0)
