"""The rules of every attribution model and of the result's columns, as data.

The same text travels in ``meta.definitions`` of every result, so a number never comes
without the rule that produced it. Each model writes its own rule with its parameters'
values (``definition()`` in its module of attribution/models/); this module lists them
from the registry and holds the definitions of the result's columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..config import AttributionSettings
from ..text import Text
from .models import registry
from .models.weights import MILESTONE_RULE


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


HEURISTICS = tuple(n for n, m in registry().items() if m.kind == "heuristic")
DATA_DRIVEN = tuple(n for n, m in registry().items() if m.kind == "data-driven")
MODEL_NAMES = tuple(registry())
CONVERSIONS = ("lead", "mql", "sql", "opportunity", "customer", "revenue")

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


def model_defs(s: AttributionSettings) -> dict[str, ModelDef]:
    """Every registered model's kind, needs and rule, with the values of ``s``."""
    return {
        name: ModelDef(name, cls.kind, cls.needs, cls(s).definition())
        for name, cls in registry().items()
    }


def range_text(date_from: date | None, date_to: date | None) -> Text | None:
    """The range of days, in English and French (None when it is open on both sides)."""
    a = None if date_from is None else date_from.isoformat()
    b = None if date_to is None else date_to.isoformat()
    if a and b:
        return Text(f"from {a} to {b}", f"du {a} au {b}")
    if a:
        return Text(f"from {a}", f"à partir du {a}")
    if b:
        return Text(f"up to {b}", f"jusqu'au {b}")
    return None


def measure_defs(
    by: str,
    conversion: str,
    lookback: int,
    touch_types: list[str],
    date_from: date | None = None,
    date_to: date | None = None,
    keep_unlabelled: bool = False,
) -> dict[str, Text]:
    """The result columns' definitions for ``by`` and ``conversion`` (and the range of
    conversion dates, when one is given)."""
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
    # a one-day window is 'the day', not 'the 1 days' ('le jour', pas 'les 1 jours')
    window = (Text("the day", "le jour") if lookback == 1
              else Text(f"the {lookback} days", f"les {lookback} jours"))  # fmt: skip
    dated = range_text(date_from, date_to)
    # with a range: which journeys count, and which spend ('' without one)
    journeys_en = journeys_fr = spend_en = spend_fr = ""
    if dated:
        journeys_en = (
            f"; only the journeys ending {dated.en} count (the conversion date, or the last "
            "touch of a lead that did not convert); their touches before the range, in the "
            "lookback window, count"
        )
        journeys_fr = (
            f" ; seuls comptent les parcours qui se terminent {dated.fr} (date de conversion, "
            "ou dernier point de contact d'un lead non converti) ; leurs points de contact "
            "antérieurs à la période, dans la fenêtre, comptent"
        )
        spend_en, spend_fr = f", dated {dated.en}", f", datées {dated.fr}"
    # a lead's revenue goes with its conversion, whenever its deals are won
    later_en = later_fr = ""
    if dated:
        later_en = (
            "; revenue won after the range counts in it, and a deal won in the range by a "
            "lead that converted before it counts with that earlier conversion"
        )
        later_fr = (
            " ; le chiffre d'affaires gagné après la période y compte, et une affaire gagnée "
            "pendant la période par un lead converti avant elle compte avec cette conversion "
            "antérieure"
        )
    unlabelled_en = unlabelled_fr = ""
    if not keep_unlabelled:
        unlabelled_en = (
            f"; touches without a {by} are left out (attribution.keep_unlabelled: true "
            "credits them to '(none)')"
        )
        unlabelled_fr = (
            f" ; les points de contact sans {by} sont écartés (attribution.keep_unlabelled : "
            "true les crédite à « (none) »)"
        )
    return {
        "conversions": Text(
            f"attributed {what.en}: the sum of the model's credits over the {by}; every "
            "converting journey's credits sum to 1",
            f"conversions attribuées ({what.fr}) : somme des crédits du modèle par valeur de "
            f"{by} ; les crédits de chaque parcours converti totalisent 1",
        ),
        "revenue": Text(
            "attributed revenue: each converting lead's won-deal revenue times its credits "
            "(every won deal of the lead, whenever won up to the as-of date: a lead's revenue "
            f"goes with its conversion, as in the cohort view{later_en})",
            "chiffre d'affaires attribué : chiffre d'affaires des affaires gagnées de chaque "
            "lead converti multiplié par ses crédits (toutes les affaires gagnées du lead, "
            "quelle que soit leur date jusqu'à la date d'observation : le chiffre d'affaires "
            f"d'un lead suit sa conversion, comme dans la vue cohorte{later_fr})",
        ),
        "share": Text(
            f"{share.en} of the {by} / the model's total (per period)",
            f"{share.fr} de chaque valeur de {by} / total du modèle (par période)",
        ),
        "journey": Text(
            f"the attribution touches ({types}) of a lead in {window.en} up to its "
            "conversion date (ties in time ordered by touch_id); for a lead that did not "
            f"convert, up to its last touch{unlabelled_en}{journeys_en}",
            f"les points de contact d'attribution ({types}) d'un lead dans {window.fr} "
            "précédant sa date de conversion (à horodatage égal, classés par "
            "touch_id) ; pour un lead non converti, jusqu'à son dernier point de contact"
            f"{unlabelled_fr}{journeys_fr}",
        ),
        "period": Text("the period of the conversion date", "la période de la date de conversion"),
        "spend": Text(
            f"spend of the {by} in the period (spend table){spend_en}",
            f"dépenses de chaque valeur de {by} sur la période (table spend){spend_fr}",
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


# A path file's columns: its conversions and values are the file's own (no lead, no won
# deal, no date, no currency): the workspace's definitions would describe other numbers.
PATH_FILE_MEASURES = {
    "conversions": Text(
        "attributed conversions: the file's total_conversions, each journey's shared among "
        "its channels by the model's credits (a journey's credits sum to 1)",
        "conversions attribuées : les total_conversions du fichier, celles de chaque parcours "
        "réparties entre ses canaux selon les crédits du modèle (ils totalisent 1 par parcours)",
    ),
    "revenue": Text(
        "attributed value: the file's total_conversion_value, shared the same way (in the "
        "file's unit)",
        "valeur attribuée : les total_conversion_value du fichier, réparties de même (dans "
        "l'unité du fichier)",
    ),
    "share": Text(
        "conversions of the channel / the model's total",
        "conversions de chaque canal / total du modèle",
    ),
}


__all__ = [
    "CONVERSIONS",
    "PATH_FILE_MEASURES",
    "DATA_DRIVEN",
    "HEURISTICS",
    "MILESTONE_RULE",
    "MODEL_NAMES",
    "PATH_FILE_JOURNEY",
    "ModelDef",
    "measure_defs",
    "model_defs",
    "range_text",
]
