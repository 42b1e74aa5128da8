"""Shapley: exact Shapley values over channel sets.

The channel sets are counted in the engine, the values computed with NumPy: see
leadpilot.attribution.shapley.
"""

from __future__ import annotations

from ...config import ShapleyParams
from ...errors import Notice
from ...text import Text
from .. import shapley
from .base import AttributionModel, Credits, Journeys, by_period


class Shapley(AttributionModel):
    name = "shapley"
    rank = 100
    kind = "data-driven"
    Params = ShapleyParams

    def definition(self) -> Text:
        cap = self.params.shapley_max_channels
        return Text(
            "Exact Shapley values over channel sets. rate(S) = conversions / journeys of "
            "the journeys whose set of channels is exactly S; v(S) = the highest rate "
            "among the observed subsets of S, S included (an unobserved set is worth its "
            "best observed subset; adding a channel never lowers the worth; v(empty) = "
            "0). The conversions (and revenue) of the journeys with set S are split by the "
            "Shapley values of the game restricted to S, divided by v(S), so each "
            f"journey's credits sum to 1. At most {cap} players: the "
            "channels with the most attribution touches; the others are grouped as "
            "'other'. Non-converting journeys always count (they make the rates).",
            "Valeurs de Shapley exactes sur les ensembles de canaux. rate(S) = "
            "conversions / parcours, parmi les parcours dont l'ensemble de canaux est "
            "exactement S ; v(S) = le taux le plus élevé parmi les sous-ensembles "
            "observés de S, S compris (un ensemble non observé vaut son meilleur "
            "sous-ensemble observé ; ajouter un canal ne fait jamais baisser la valeur ; "
            "v(ensemble vide) = 0). Les conversions (et le chiffre d'affaires) des "
            "parcours d'ensemble S sont réparties selon les valeurs de Shapley du jeu "
            "restreint à S, divisées par v(S), si bien que les crédits de chaque parcours "
            f"totalisent 1. Au plus {cap} joueurs : les canaux qui "
            "ont le plus de points de contact d'attribution ; les autres sont regroupés "
            "sous 'other'. Les parcours non convertis comptent toujours (ils entrent dans "
            "le calcul des taux).",
        )

    def credits(self, journeys: Journeys) -> Credits:
        cap = self.params.shapley_max_channels
        # the players come from the attribution touches (labelled like the journeys' dim)
        source, column = journeys.players or (journeys.table, "dim")
        names, grouped = shapley.players(source, column, cap)
        if not names:  # no attribution touch where the journeys are (a date range): nothing
            return {}
        if grouped:
            journeys.warnings.append(Notice(
                "grouped_as_other",
                f"shapley: more than {cap} values; those with the fewest "
                f"touches are grouped as '{shapley.OTHER}'",
                data={"model": self.name},  # whose rows hold the group (compute reads it)
            ))  # fmt: skip
        counts = shapley.set_counts(journeys.table, names)
        out: Credits = {}
        for period, c in by_period(counts):
            for ch, cv in shapley.attribute(c, names).items():
                out[(period, ch)] = cv
        return out
