"""Linear: the credit split equally among the journey's touches."""

from __future__ import annotations

import ibis.expr.types as ir

from ...text import Text
from .weights import WeightModel


class Linear(WeightModel):
    name = "linear"
    rank = 40

    def definition(self) -> Text:
        return Text(
            "1/n to each of the journey's n touches.",
            "1/n à chacun des n points de contact du parcours.",
        )

    def weight(self, j: ir.Table) -> ir.Value:
        return 1.0 / j.n.cast("float64")
