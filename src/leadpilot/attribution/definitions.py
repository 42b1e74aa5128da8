"""Every attribution model as data: its kind, what it needs, its weights and its rules.

The same text travels in ``meta.definitions`` of every result, so a number never comes
without the rule that produced it. Weights that are configurable are read from
``AttributionSettings``; the rules quoted here are what heuristics.py / markov.py /
shapley.py implement.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import AttributionSettings
from ..metrics.catalog import Text


@dataclass(frozen=True)
class ModelDef:
    name: str
    kind: str  # "heuristic" or "data-driven"
    # What a journey must carry: "order" (touch order only), "timestamps" (touch times and the
    # conversion date) or "milestones" (the lead's stage dates). Path files carry order only.
    needs: str
    definition: Text  # the rule, in English (meta.definitions) and in French

    @property
    def rule(self) -> str:
        return self.definition.en

    @property
    def rule_fr(self) -> str:
        return self.definition.fr


HEURISTICS = (
    "first_touch",
    "last_touch",
    "last_non_direct",
    "linear",
    "time_decay",
    "position_based",
    "w_shaped",
    "full_path",
)
DATA_DRIVEN = ("markov", "shapley")
MODEL_NAMES = HEURISTICS + DATA_DRIVEN
CONVERSIONS = ("lead", "mql", "sql", "opportunity", "customer", "revenue")

MILESTONE_RULE = Text(
    "A milestone touch is the last touch at or before the milestone's date (lead creation, "
    "opportunity creation, customer); when no touch precedes it, the first touch; a "
    "milestone not reached by the conversion date is the last touch. Anchors that fall on "
    "the same touch add their weights; the spread share is split equally among the touches "
    "that are no anchor, and among all touches when every touch is an anchor (one touch "
    "gets 100 %, two touches 50/50). Credits of a journey always sum to 1.",
    "Le point de contact d'un jalon est le dernier point de contact à la date du jalon ou "
    "avant (création du lead, création de l'opportunité, client) ; si aucun ne le précède, "
    "le premier point de contact ; un jalon non atteint à la date de conversion est le "
    "dernier point de contact. Les ancres qui tombent sur le même point de contact cumulent "
    "leurs poids ; la part répartie est partagée à parts égales entre les points de contact "
    "qui ne sont pas des ancres, et entre tous quand chacun est une ancre (un seul point de "
    "contact reçoit 100 %, deux reçoivent 50/50). Les crédits d'un parcours totalisent "
    "toujours 1.",
)
# A path file's journeys (compute_attribution_from_paths): the "journey" definition.
PATH_FILE_JOURNEY = Text(
    "a row of the path file: its channels in order; total_conversions journeys converted, "
    "total_null did not; total_conversion_value is their revenue",
    "une ligne du fichier de parcours : ses canaux dans l'ordre ; total_conversions parcours "
    "ont converti, total_null non ; total_conversion_value est leur chiffre d'affaires",
)
STAGES_FR = {
    "lead": "lead",
    "mql": "MQL",
    "sql": "SQL",
    "opportunity": "opportunité",
    "customer": "client",
}


def _pct(x: float, lang: str = "en") -> str:
    return _num(x * 100, lang) + " %"


def _num(x: float, lang: str = "en") -> str:
    text = f"{x:g}"
    return text.replace(".", ",") if lang == "fr" else text


def model_defs(s: AttributionSettings) -> dict[str, ModelDef]:
    pb, ws, fp = s.position_based, s.w_shaped, s.full_path
    direct = ", ".join(s.direct_channels) or "(none)"
    direct_fr = ", ".join(s.direct_channels) or "(aucun)"
    half_life = s.time_decay_half_life_days

    def pct(weights: list[float]) -> tuple[list[str], list[str]]:
        return [_pct(w) for w in weights], [_pct(w, "fr") for w in weights]

    (pb_en, pb_fr), (ws_en, ws_fr), (fp_en, fp_fr) = pct(pb), pct(ws), pct(fp)
    markov = Text(
        f"Removal effect on the absorbing Markov chain of order {s.markov_order} "
        "(states: start, the last k channels, conversion, null), solved exactly from "
        "the transition matrix (no simulation). Removing a channel sends every state "
        "that contains it to null; removal effect = 1 - P(conversion without it) / "
        "P(conversion). Effects are normalised to the total conversions; revenue uses "
        "the same chain with each conversion transition carrying its revenue. ",
        f"Effet de retrait sur la chaîne de Markov absorbante d'ordre {s.markov_order} "
        "(états : départ, les k derniers canaux, conversion, null), résolue "
        "exactement à partir de la matrice de transition (sans simulation). Retirer "
        "un canal envoie vers null chaque état qui le contient ; effet de retrait = "
        "1 - P(conversion sans ce canal) / P(conversion). Les effets sont ramenés au "
        "total des conversions ; le chiffre d'affaires utilise la même chaîne, chaque "
        "transition vers la conversion portant son chiffre d'affaires. ",
    )
    if s.collapse_repeats:
        markov += Text(
            "Consecutive repeats of a channel collapsed. ",
            "Répétitions consécutives d'un même canal fusionnées. ",
        )
    markov += (
        Text("Non-converting journeys included.", "Parcours non convertis inclus.")
        if s.markov_null_paths
        else Text("Converting journeys only.", "Parcours convertis uniquement.")
    )
    return {
        "first_touch": ModelDef(
            "first_touch",
            "heuristic",
            "order",
            Text(
                "100 % to the first touch of the journey.",
                "100 % au premier point de contact du parcours.",
            ),
        ),
        "last_touch": ModelDef(
            "last_touch",
            "heuristic",
            "order",
            Text(
                "100 % to the last touch at or before the conversion.",
                "100 % au dernier point de contact à la date de conversion ou avant.",
            ),
        ),
        "last_non_direct": ModelDef(
            "last_non_direct",
            "heuristic",
            "order",
            Text(
                f"100 % to the last touch whose channel is not {direct}; to the last touch "
                "when every touch is direct.",
                f"100 % au dernier point de contact dont le canal n'est pas {direct_fr} ; au "
                "dernier point de contact quand tous sont directs.",
            ),
        ),
        "linear": ModelDef(
            "linear",
            "heuristic",
            "order",
            Text(
                "1/n to each of the journey's n touches.",
                "1/n à chacun des n points de contact du parcours.",
            ),
        ),
        "time_decay": ModelDef(
            "time_decay",
            "heuristic",
            "timestamps",
            Text(
                f"weight 2^(-age / {_num(half_life)} days) per touch, age = conversion date - "
                "touch time; weights normalised to sum to 1 per journey.",
                f"poids 2^(-âge / {_num(half_life, 'fr')} jours) par point de contact, âge = "
                "date de conversion - date du point de contact ; poids normalisés pour "
                "totaliser 1 par parcours.",
            ),
        ),
        "position_based": ModelDef(
            "position_based",
            "heuristic",
            "milestones",
            Text(
                f"U-shaped: {pb_en[0]} first touch, {pb_en[1]} lead-creation touch, "
                f"{pb_en[2]} spread over the others. ",
                f"En U : {pb_fr[0]} au premier point de contact, {pb_fr[1]} au point de "
                f"contact de création du lead, {pb_fr[2]} répartis sur les autres. ",
            )
            + MILESTONE_RULE,
        ),
        "w_shaped": ModelDef(
            "w_shaped",
            "heuristic",
            "milestones",
            Text(
                f"{ws_en[0]} first touch, {ws_en[1]} lead-creation touch, {ws_en[2]} "
                f"opportunity-creation touch, {ws_en[3]} spread. ",
                f"{ws_fr[0]} au premier point de contact, {ws_fr[1]} au point de contact de "
                f"création du lead, {ws_fr[2]} au point de contact de création de "
                f"l'opportunité, {ws_fr[3]} répartis. ",
            )
            + MILESTONE_RULE,
        ),
        "full_path": ModelDef(
            "full_path",
            "heuristic",
            "milestones",
            Text(
                f"{fp_en[0]} first touch, {fp_en[1]} lead creation, {fp_en[2]} opportunity "
                f"creation, {fp_en[3]} customer touch, {fp_en[4]} spread. ",
                f"{fp_fr[0]} au premier point de contact, {fp_fr[1]} à la création du lead, "
                f"{fp_fr[2]} à la création de l'opportunité, {fp_fr[3]} au point de contact "
                f"client, {fp_fr[4]} répartis. ",
            )
            + MILESTONE_RULE,
        ),
        "markov": ModelDef("markov", "data-driven", "order", markov),
        "shapley": ModelDef(
            "shapley",
            "data-driven",
            "order",
            Text(
                "Exact Shapley values over channel sets. rate(S) = conversions / journeys of "
                "the journeys whose set of channels is exactly S; v(S) = the highest rate "
                "among the observed subsets of S, S included (an unobserved set is worth its "
                "best observed subset; adding a channel never lowers the worth; v(empty) = "
                "0). The conversions (and revenue) of the journeys with set S are split by the "
                "Shapley values of the game restricted to S, divided by v(S), so each "
                f"journey's credits sum to 1. At most {s.shapley_max_channels} players: the "
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
                f"totalisent 1. Au plus {s.shapley_max_channels} joueurs : les canaux qui "
                "ont le plus de points de contact d'attribution ; les autres sont regroupés "
                "sous 'other'. Les parcours non convertis comptent toujours (ils entrent dans "
                "le calcul des taux).",
            ),
        ),
    }


def measure_defs(
    by: str, conversion: str, lookback: int, touch_types: list[str]
) -> dict[str, Text]:
    """The result columns' definitions for ``by`` and ``conversion``."""
    if conversion == "revenue":
        what = Text("customers (won deals)", "clients (affaires gagnées)")
        share = Text("revenue", "chiffre d'affaires")
    else:
        what = Text(
            f"leads reaching {conversion}",
            f"leads atteignant l'étape {STAGES_FR.get(conversion, conversion)}",
        )
        share = Text("conversions", "conversions")
    types = ", ".join(touch_types)
    return {
        "conversions": Text(
            f"attributed {what.en}: the sum of the model's credits over the {by}; every "
            "converting journey's credits sum to 1",
            f"conversions attribuées ({what.fr}) : somme des crédits du modèle par valeur de "
            f"{by} ; les crédits de chaque parcours converti totalisent 1",
        ),
        "revenue": Text(
            "attributed revenue: each converting lead's won-deal revenue times its credits",
            "chiffre d'affaires attribué : chiffre d'affaires des affaires gagnées de chaque "
            "lead converti multiplié par ses crédits",
        ),
        "share": Text(
            f"{share.en} of the {by} / the model's total (per period)",
            f"{share.fr} de chaque valeur de {by} / total du modèle (par période)",
        ),
        "journey": Text(
            f"the attribution touches ({types}) of a lead in the {lookback} days up to its "
            "conversion date (ties in time ordered by touch_id); for a lead that did not "
            "convert, up to its last touch",
            f"les points de contact d'attribution ({types}) d'un lead dans les {lookback} "
            "jours précédant sa date de conversion (à horodatage égal, classés par "
            "touch_id) ; pour un lead non converti, jusqu'à son dernier point de contact",
        ),
        "period": Text("the period of the conversion date", "la période de la date de conversion"),
        "spend": Text(
            f"spend of the {by} in the period (spend table)",
            f"dépenses de chaque valeur de {by} sur la période (table spend)",
        ),
        "cost_per_conversion": Text(
            "spend / attributed conversions", "dépenses / conversions attribuées"
        ),
        "roas": Text("attributed revenue / spend", "chiffre d'affaires attribué / dépenses"),
        "roi": Text(
            "(attributed revenue - spend) / spend",
            "(chiffre d'affaires attribué - dépenses) / dépenses",
        ),
        "spread": Text(
            "per value of the dimension: highest share minus lowest share across the models "
            "shown (meta.spread); where the models disagree",
            "pour chaque valeur de la dimension : part la plus élevée moins part la plus faible "
            "parmi les modèles affichés (meta.spread) ; là où les modèles divergent",
        ),
    }
