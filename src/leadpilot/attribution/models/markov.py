"""Markov chain: removal effects of the absorbing chain, solved exactly.

The transitions are counted in the engine (or with NumPy for a path file already in memory)
and the chain is solved with SciPy: see leadpilot.attribution.markov.
"""

from __future__ import annotations

from ...config import MarkovParams
from ...errors import Notice
from ...text import Text
from .. import markov
from ..pathfile import path_transition_counts
from .base import AttributionModel, Credits, Journeys, by_period


class Markov(AttributionModel):
    name = "markov"
    rank = 90
    kind = "data-driven"
    Params = MarkovParams

    def definition(self) -> Text:
        p = self.params
        text = Text(
            f"Removal effect on the absorbing Markov chain of order {p.markov_order} "
            "(states: start, the last k channels, conversion, null), solved exactly from "
            "the transition matrix (no simulation). Removing a channel sends every state "
            "that contains it to null; removal effect = 1 - P(conversion without it) / "
            "P(conversion). Effects are normalised to the total conversions; revenue uses "
            "the same chain with each conversion transition carrying its revenue. ",
            f"Effet de retrait sur la chaîne de Markov absorbante d'ordre {p.markov_order} "
            "(états : départ, les k derniers canaux, conversion, null), résolue "
            "exactement à partir de la matrice de transition (sans simulation). Retirer "
            "un canal envoie vers null chaque état qui le contient ; effet de retrait = "
            "1 - P(conversion sans ce canal) / P(conversion). Les effets sont ramenés au "
            "total des conversions ; le chiffre d'affaires utilise la même chaîne, chaque "
            "transition vers la conversion portant son chiffre d'affaires. ",
        )
        if p.collapse_repeats:
            text += Text(
                "Consecutive repeats of a channel collapsed. ",
                "Répétitions consécutives d'un même canal fusionnées. ",
            )
        return text + (
            Text("Non-converting journeys included.", "Parcours non convertis inclus.")
            if p.markov_null_paths
            else Text("Converting journeys only.", "Parcours convertis uniquement.")
        )

    def credits(self, journeys: Journeys) -> Credits:
        p = self.params
        if journeys.conversion == "lead":
            journeys.warnings.append(Notice(
                "no_null_paths",
                "every lead converts at its creation: the Markov chain has no null paths",
            ))  # fmt: skip
        args = (p.markov_order, p.collapse_repeats, p.markov_null_paths)
        if journeys.path_file is not None:  # already in memory: counted there
            counts = path_transition_counts(*journeys.path_file, *args)
        else:
            counts = markov.transition_counts(journeys.table, *args)
        out: Credits = {}
        for period, c in by_period(counts):
            fit = markov.fit(c, p.markov_order)
            ends = c[c["nxt"].isna()]
            total, total_v = float(ends["conv"].sum()), float(ends["value"].sum())
            for ch, cv in markov.attribute(fit, total, total_v).items():
                out[(period, ch)] = cv
        return out
