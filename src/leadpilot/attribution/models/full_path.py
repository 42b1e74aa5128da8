"""Full path (Z-shaped): fixed shares to the first, lead, opportunity and customer touches."""

from __future__ import annotations

from ...config import FullPathParams
from ...text import Text
from .weights import MilestoneModel


class FullPath(MilestoneModel):
    name = "full_path"
    rank = 80
    Params = FullPathParams
    anchors = ("_zero", "_i_lc", "_i_opp", "_i_cust")

    def weights(self) -> list[float]:
        return self.params.full_path

    def shares_text(self, en: list[str], fr: list[str]) -> Text:
        return Text(
            f"{en[0]} first touch, {en[1]} lead creation, {en[2]} opportunity "
            f"creation, {en[3]} customer touch, {en[4]} spread. ",
            f"{fr[0]} au premier point de contact, {fr[1]} à la création du lead, "
            f"{fr[2]} à la création de l'opportunité, {fr[3]} au point de contact "
            f"client, {fr[4]} répartis. ",
        )
