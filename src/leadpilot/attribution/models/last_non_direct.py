"""Last non-direct touch: the whole credit to the last touch whose channel is not direct."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from ...config import LastNonDirectParams
from ...text import Text
from .weights import WeightModel, journey_window


class LastNonDirect(WeightModel):
    name = "last_non_direct"
    rank = 30
    Params = LastNonDirectParams

    def definition(self) -> Text:
        direct = ", ".join(self.params.direct_channels) or "(none)"
        direct_fr = ", ".join(self.params.direct_channels) or "(aucun)"
        return Text(
            f"100 % to the last touch whose channel is not {direct}; to the last touch "
            "when every touch is direct.",
            f"100 % au dernier point de contact dont le canal n'est pas {direct_fr} ; au "
            "dernier point de contact quand tous sont directs.",
        )

    def helpers(self, j: ir.Table) -> dict[str, ir.Value]:
        direct = j.channel.isin(self.params.direct_channels)
        last = ibis.cases((~direct, j.pos)).max().over(journey_window(j)).fill_null(j.n - 1)
        return {"_i_lnd": last}

    def weight(self, j: ir.Table) -> ir.Value:
        return (j.pos == j._i_lnd).ifelse(1, 0)
