"""Texts a person reads (rules, definitions, notes), written in English and French together.

JSON, CSV and the API carry the English (``meta.definitions``); a result's
``definitions_in(lang)`` gives them in the reader's language. This module sits at the
bottom of the layers (it imports nothing of leadpilot): the KPI catalog, the measure
registry, attribution, scoring and :mod:`leadpilot.results` all write their rules as
:class:`Text`.

Examples
--------
>>> rule = Text("leads / visitors", "leads / visiteurs")
>>> rule["fr"]
'leads / visiteurs'
>>> texts_in({"visitor_to_lead": rule}, "en")
{'visitor_to_lead': 'leads / visitors'}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    """A text a person reads (a rule, a definition) in each language leadpilot speaks.

    ``text["fr"]`` is the French, ``text["en"]`` (= ``text.en``) the English that the
    JSON outputs carry; ``a + b`` joins two texts language by language.
    """

    en: str
    fr: str

    def __post_init__(self) -> None:
        if not (self.en.strip() and self.fr.strip()):
            raise ValueError(f"a Text needs both its English and its French: {self!r}")

    def __getitem__(self, lang: str) -> str:
        if lang == "en":
            return self.en
        if lang == "fr":
            return self.fr
        raise KeyError(f"no text in {lang!r}: expected en or fr")

    def __add__(self, other: Text) -> Text:
        return Text(self.en + other.en, self.fr + other.fr)


def texts_in(texts: Mapping[str, Text], lang: str) -> dict[str, str]:
    """{name: text in ``lang``}; in English it is what ``meta.definitions`` holds."""
    return {name: t[lang] for name, t in texts.items()}


def localized(english: Mapping[str, str], french: Mapping[str, str], lang: str) -> dict[str, str]:
    """Definitions kept as two dicts (English, French) in ``lang``, in the English order; a
    name without French keeps its English (tests check that leadpilot's own have one)."""
    if lang == "fr":
        return {name: french.get(name, text) for name, text in english.items()}
    if lang != "en":
        raise KeyError(f"no definitions in {lang!r}: expected en or fr")
    return dict(english)


# The stages' names for a reader, in the report, the dashboard and French terminal tables
# (JSON, CSV and English terminal tables keep the stage codes: lead, mql... customer)
STAGE_NAMES: dict[str, Text] = {
    "lead": Text("Lead", "Lead"),
    "mql": Text("MQL", "MQL"),
    "sal": Text("SAL", "SAL"),
    "sql": Text("SQL", "SQL"),
    "opportunity": Text("Opportunity", "Opportunité"),
    "customer": Text("Customer", "Client"),
    "rejected": Text("Rejected by sales", "Rejetés par les ventes"),
    "disqualified": Text("Disqualified", "Disqualifiés"),
}


def stage_name(stage: str, lang: str) -> str:
    """A stage's name for a reader ('customer' -> 'Client'); its code when it has none.

    Examples
    --------
    >>> stage_name("opportunity", "fr"), stage_name("sql", "en")
    ('Opportunité', 'SQL')
    """
    text = STAGE_NAMES.get(stage)
    return text[lang] if text is not None else stage
