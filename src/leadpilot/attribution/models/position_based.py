"""Position-based (U-shaped): fixed shares to the first and the lead-creation touches."""

from __future__ import annotations

from ...config import PositionBasedParams
from ...text import Text
from .weights import MilestoneModel


class PositionBased(MilestoneModel):
    name = "position_based"
    rank = 60
    Params = PositionBasedParams
    anchors = ("_zero", "_i_lc")

    def weights(self) -> list[float]:
        return self.params.position_based

    def shares_text(self, en: list[str], fr: list[str]) -> Text:
        return Text(
            f"U-shaped: {en[0]} first touch, {en[1]} lead-creation touch, "
            f"{en[2]} spread over the others. ",
            f"En U : {fr[0]} au premier point de contact, {fr[1]} au point de "
            f"contact de création du lead, {fr[2]} répartis sur les autres. ",
        )
