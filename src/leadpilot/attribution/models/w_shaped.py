"""W-shaped: fixed shares to the first, lead-creation and opportunity-creation touches."""

from __future__ import annotations

from ...config import WShapedParams
from ...text import Text
from .weights import MilestoneModel


class WShaped(MilestoneModel):
    name = "w_shaped"
    rank = 70
    Params = WShapedParams
    anchors = ("_zero", "_i_lc", "_i_opp")

    def weights(self) -> list[float]:
        return self.params.w_shaped

    def shares_text(self, en: list[str], fr: list[str]) -> Text:
        return Text(
            f"{en[0]} first touch, {en[1]} lead-creation touch, {en[2]} "
            f"opportunity-creation touch, {en[3]} spread. ",
            f"{fr[0]} au premier point de contact, {fr[1]} au point de contact de "
            f"création du lead, {fr[2]} au point de contact de création de "
            f"l'opportunité, {fr[3]} répartis. ",
        )
