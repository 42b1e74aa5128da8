"""Languages: numbers, amounts, dates and labels formatted for the reader (Babel).

The JSON and CSV outputs never change with the language (keys in English, rates as
fractions, ISO dates): only what a person reads does. ``Formatter`` formats values for a
language and the workspace's currency; ``tr`` translates interface text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal, format_percent

from .errors import LeadpilotError, Problem, UsageError, ValidationError

LANGUAGES = ("en", "fr")
MISSING = "–"


def check_language(lang: str | None) -> str:
    """The language code, or a UsageError naming the ones there are (never ignored)."""
    code = (lang or "en").strip().lower()
    if code not in LANGUAGES:
        raise UsageError(f"--lang {lang!r}: expected one of {', '.join(LANGUAGES)}")
    return code


@cache
def _money_pattern(lang: str, digits: int) -> str:
    pattern = Locale.parse(lang).currency_formats["standard"].pattern.split(";")[0]
    return pattern.replace(".00", "." + "0" * digits if digits else "")


@cache
def _percent_pattern(lang: str, digits: int) -> str:
    pattern = Locale.parse(lang).percent_formats[None].pattern.split(";")[0]
    return pattern.replace("#,##0", "#,##0" + ("." + "0" * digits if digits else ""), 1)


@dataclass(frozen=True)
class Formatter:
    """Values as a reader of ``lang`` expects them: '1 234 567,89 €' in French."""

    lang: str = "en"
    currency: str = "EUR"

    def number(self, value: float | int | None, digits: int = 0) -> str:
        if value is None:
            return MISSING
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.lang)

    def percent(self, fraction: float | None, digits: int = 1) -> str:
        """'7.4%' in English, '7,4 %' in French (the locale's own pattern)."""
        if fraction is None:
            return MISSING
        pattern = _percent_pattern(self.lang, digits)
        return format_percent(fraction, format=pattern, locale=self.lang)

    def money(self, value: float | None, digits: int | None = None) -> str:
        """An amount in the workspace currency; no cents from 100 up (tables of totals), nor
        for nothing ('$0' beside '$328,510', not '$0.00')."""
        if value is None:
            return MISSING
        if digits is None:
            digits = 0 if abs(value) >= 100 or value == 0 else 2
        return format_currency(
            value,
            self.currency,
            format=_money_pattern(self.lang, digits),
            locale=self.lang,
            currency_digits=False,
        )

    def multiple(self, value: float | None) -> str:
        return MISSING if value is None else self.number(value, 2) + "×"

    def days(self, value: float | None) -> str:
        return self.number(value, 1)

    def day_count(self, value: float | None, digits: int = 0) -> str:
        """A number of days with its word: '0 jour', '1,5 jour', '2 jours'; '1 day', '0 days'."""
        if value is None:
            return MISSING
        return f"{self.number(value, digits)} {day_word(value, self.lang, digits)}"

    def date(self, value: date | datetime | str | None) -> str:
        if value is None:
            return MISSING
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value[:10])
            except ValueError:
                return value
        return format_date(value, format="medium", locale=self.lang)

    def date_time(self, value: date | datetime | None) -> str:
        """A day and its time to the minute: '2 mars 2025, 08:00', 'Mar 2, 2025, 8:00 AM'
        (no seconds, never microseconds); a date without a time is the day alone."""
        if not isinstance(value, datetime):
            return self.date(value)
        pattern = Locale.parse(self.lang).datetime_formats["medium"]  # '{1}, {0}'
        return pattern.format(format_time(value, "short", locale=self.lang), self.date(value))

    def value(self, value: object, unit: str = "") -> str:
        """Any cell by its unit: fraction, currency, days, multiple, or a count."""
        if value is None:
            return MISSING
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return tr("yes" if value else "no", self.lang)
        if unit == "fraction":
            return self.percent(value)
        if unit == "currency":
            return self.money(value)
        if unit == "days":
            return self.days(value)
        if unit == "multiple":
            return self.multiple(value)
        if isinstance(value, float) and not value.is_integer() and abs(value) < 100:
            return self.number(value, 2)
        return self.number(value)


def day_word(value: float | None, lang: str, digits: int | None = 0) -> str:
    """The word after a number of days written with ``digits`` decimals (None: written
    exactly, as ``f"{x:g}"``): French is singular below 2 ('0 jour', '1,5 jour'), English
    for a plain 1 only ('1 day', '0 days', '1.0 days').

    >>> [day_word(v, "fr") for v in (0, 1, 1.4, 2)], day_word(1, "en"), day_word(0, "en")
    (['jour', 'jour', 'jour', 'jours'], 'day', 'days')
    >>> day_word(1.96, "fr", None), day_word(1, "en", None), day_word(1, "en", 1)
    ('jour', 'day', 'days')
    """
    if value is None:
        return "jours" if lang == "fr" else "days"
    shown = abs(value) if digits is None else round(abs(value), digits)  # as written
    if lang == "fr":
        return "jour" if shown < 2 else "jours"
    return "day" if shown == 1 and not digits else "days"


# Interface text: English -> French. Keys are the English text itself, so an untranslated
# string still reads correctly in English; tests check that every key used has a French.
FRENCH: dict[str, str] = {
    "leadpilot: serving {root} on {url}": "leadpilot : service de {root} sur {url}",
    "  dashboard: {page}   API: {api}": "  tableau de bord : {page}   API : {api}",
    "yes": "oui",
    "no": "non",
    "note": "note",
    "warning": "attention",
    "fix": "correctif",
    "KPIs": "Indicateurs",
    "cohort view": "vue cohorte",
    "activity view": "vue activité",
    "Amounts in": "Montants en",
    "Definitions": "Définitions",
    "as of": "au",
    "Ingest summary": "Bilan de l'import",
    "policy": "politique",
    "table": "table",
    "read": "lues",
    "loaded": "chargées",
    "merged": "fusionnées",
    "quarantined": "mises de côté",
    "Leads merged": "Leads fusionnés",
    "excluded by the lead rule": "exclus par la règle des leads",
    "channel derived from UTM/referrer": "canal déduit des UTM/référents",
    "Leads by channel": "Leads par canal",
    "no channel at all (unknown)": "sans aucun canal (unknown)",
    "Funnel": "Entonnoir",
    "stage": "étape",
    "count": "nombre",
    "from previous": "depuis l'étape précédente",
    "from lead": "depuis le lead",
    "exit": "sortie",
    "acceptance": "acceptation",
    "meets": "atteint",
    "below": "sous",
    "the agreed": "le seuil convenu de",
    "not measured": "non mesurée",
    "rejection reasons": "motifs de rejet",
    "other reasons": "autres motifs",
    "more groups": "groupes de plus",
    "Velocity": "Vélocité",
    "days": "jours",
    "measure": "mesure",
    "median": "médiane",
    "mean": "moyenne",
    "Share converted by age (Kaplan–Meier, open leads censored)": (
        "Part convertie selon l'âge (Kaplan–Meier, leads ouverts censurés)"
    ),
    "day": "jour",
    "Content performance": "Performance des contenus",
    "Lead-source mix by": "Répartition des sources de leads par",
    "Interest retention": "Rétention de l'intérêt",
    "Attribution": "Attribution",
    "Attributed conversions and share by model": "Conversions attribuées et part par modèle",
    "ROI by model ((attributed revenue - spend) / spend)": (
        "ROI par modèle ((revenu attribué - dépenses) / dépenses)"
    ),
    "spread": "écart",
    "Source": "Source",
    "Quarantine": "Quarantaine",
    "problem(s) in": "problème(s) dans",
    "The quarantine is empty: every row of the last ingests loaded.": "La quarantaine est "
    "vide : chaque ligne des derniers chargements a été chargée.",
    "problem(s)": "problème(s)",
    "problem(s) set aside: `leadpilot quarantine{where}` lists each with its row, cell and fix": (
        "problème(s) mis de côté : `leadpilot quarantine{where}` donne chacun avec sa ligne, sa "
        "cellule et sa correction"
    ),
    "record(s)": "enregistrement(s)",
    "file": "fichier",
    "row": "ligne",
    "column": "colonne",
    "reason": "motif",
    "detail": "détail",
    "excluded": "exclue",
    "Columns left out of the features": "Colonnes écartées des variables",
    "the path file's conversions": "conversions du fichier de parcours",
    "Without a value in any lead": "Sans valeur dans aucun lead",
    "included by scoring.model.include": "incluse par scoring.model.include",
    "leakage suspect": "fuite suspectée",
    "{n} features; saved in models/ with its card": (
        "{n} variables ; enregistré dans models/ avec sa fiche"
    ),
    "bands": "tranches",
    "To use a left-out column anyway: scoring.model.include in leadpilot.yaml": (
        "Pour utiliser malgré tout une colonne écartée : scoring.model.include dans "
        "leadpilot.yaml"
    ),
    "within {n} days": "sous {n} jours",
    "outcomes final": "issues définitives",
    "personal data": "donnée personnelle",
    "identifier": "identifiant",
    "date as text": "date en texte",
    "outcome-like field (filled after qualification)": (
        "champ qui ressemble à l'issue (rempli après la qualification)"
    ),
    "value": "valeur",
    "expected": "attendu",
    "Presets (sources[].preset in leadpilot.yaml)": (
        "Préréglages (sources[].preset dans leadpilot.yaml)"
    ),
    "Scoring model": "Modèle de scoring",
    "Scores on held-out leads": "Scores sur les leads mis de côté pour le test",
    "Threshold trade-off": "Arbitrage du seuil",
    "recommended threshold": "seuil recommandé",
    "Leads by band": "Leads par tranche",
    "Why (the features that move each score most)": "Pourquoi (les variables qui pèsent le "
    "plus sur chaque score)",
    "Top": "Les",
    "of": "sur",
    "leads": "leads",
    "threshold": "seuil",
    "MQLs/month": "MQL/mois",
    "conversion": "conversion",
    "customers/month": "clients/mois",
    "recommended": "recommandé",
    "decile": "décile",
    "rate": "taux",
    "cumulative gain": "gain cumulé",
    "bin": "classe",
    "mean predicted": "prédiction moyenne",
    "observed": "observé",
    "model": "modèle",
    "rules": "règles",
    "none": "aucun",
    "all": "tous",
    "overall": "dans l'ensemble",
    "period": "période",
    "channel": "canal",
    "campaign": "campagne",
    "content": "contenu",
    "acquisition": "acquisition",
    "industry": "secteur",
    "country": "pays",
    "icp_fit": "adéquation ICP",
    "score_band": "tranche de score",
    "spend": "dépenses",
    "revenue": "chiffre d'affaires",
    "conversions": "conversions",
    "share": "part",
    "cost/conv": "coût/conv.",
    "no MQL": "aucun MQL",
    "no sal/rejected event": "aucun événement sal/rejected enregistré",
    "leads with a known outcome": "leads dont l'issue est connue",
    "left out (younger than the horizon)": "écartés (plus jeunes que l'horizon)",
    "converted": "convertis",
    "train + validation / held out": "apprentissage + validation / test",
    "validation AUC logistic": "AUC de validation, logistique",
    "validation AUC boosted": "AUC de validation, boosting",
    "held-out AUC": "AUC sur le test",
    "held-out Brier score": "score de Brier sur le test",
    "training period": "période d'apprentissage",
    "split": "découpage",
    "Lift and cumulative gains by decile": "Lift et gains cumulés par décile",
    "Reliability": "Fiabilité",
    # diagnose, plan, forecast
    "Diagnosis": "Diagnostic",
    "lead → MQL": "lead → MQL",
    "MQL → SQL": "MQL → SQL",
    "SQL → opportunity": "SQL → opportunité",
    "opportunity → customer": "opportunité → client",
    "vs": "vs",
    "by": "par",
    "read as of": "lue au",
    "the same age": "au même âge",
    "findings": "constats",
    "Findings": "Constats",
    "nothing significant to report": "rien de significatif à signaler",
    "change": "variation",
    "conversion by stage": "conversion par étape",
    "customers": "clients",
    "KPIs of both periods": "Indicateurs des deux périodes",
    "kpi": "indicateur",
    "Data quality": "Qualité des données",
    "Notes": "Remarques",
    "Reverse funnel": "Entonnoir inversé",
    "target": "objectif",
    "Budget what-if": "Simulation budgétaire",
    "revenue_share": "part du CA",
    "customers_needed": "clients",
    "opportunities_needed": "opportunités",
    "sqls_needed": "SQL",
    "mqls_needed": "MQL",
    "leads_needed": "leads",
    "cpl": "coût/lead",
    "budget": "budget",
    "spend_before": "budget avant",
    "spend_after": "budget après",
    "leads_before": "leads avant",
    "leads_after": "leads après",
    "customers_before": "clients avant",
    "customers_after": "clients après",
    "revenue_before": "CA avant",
    "revenue_after": "CA après",
    "total": "total",
    "rates from": "taux issus de",
    "assumption": "hypothèse",
    "least certain rate": "taux le moins certain",
    "leads instead of": "leads au lieu de",
    "Pipeline forecast": "Prévision du pipeline",
    "month": "mois",
    "cohort": "cohorte",
    "low": "bas",
    "high": "haut",
    "from_open_deals": "affaires ouvertes",
    "from_funnel": "leads en cours",
    "open deals": "affaires ouvertes",
    "leads in the funnel": "leads dans l'entonnoir",
    "the rest of the month only": "le reste du mois seulement",
    "immature cohort: its rates will still grow": (
        "cohorte immature : ses taux vont encore augmenter"
    ),
    # a missing group value (results.NONE), in every table, finding and chart
    "(none)": "(aucun)",
    "All time": "Toute la période",
    # plan: the reference window's rule
    "leads created in the twelve months ending one median lead → customer delay before the "
    "data's end (mature cohorts)": (
        "leads créés pendant les douze mois qui s'achèvent un délai médian lead → client avant "
        "la fin des données (cohortes mûres)"
    ),
}


def tr(text: str, lang: str) -> str:
    """Interface text in ``lang`` (English when no translation exists)."""
    if lang == "fr":
        return FRENCH.get(text, text)
    return text


MONTHS_FORMAT = "MMM y"  # a month as a person reads it: 'Mar 2025', 'mars 2025'


def period_name(label: str, lang: str) -> str:
    """A period as a person reads it (the JSON's label is the machine's: '2025-Q2').

    The terminal, the report and the dashboard all write periods with it.

    >>> period_name("2025-Q2", "en"), period_name("2025-Q2", "fr")
    ('Q2 2025', 'T2 2025')
    >>> period_name("2025-03", "fr"), period_name("2025", "fr"), period_name("all", "fr")
    ('mars 2025', '2025', 'Toute la période')
    """
    if label == "all":
        return tr("All time", lang)
    if "-Q" in label:
        year, q = label.split("-Q")
        return f"{'T' if lang == 'fr' else 'Q'}{q} {year}"
    if len(label) == 7 and label[4] == "-" and label[5:].isdigit():
        day = date(int(label[:4]), int(label[5:]), 1)
        return format_date(day, MONTHS_FORMAT, locale=lang)
    return label  # a year, a week ('2025-W10') or a day (ISO) reads as it is


# ------------------------------------------------------------------------ error messages
# What a person reads when a command fails (and the notes shown with results), in French.
# The messages are worded in English where they are raised (with the file, row, value
# and setting in them); a validation problem is rendered here from its fields, and its
# "expected" and "fix" texts, like the other messages, are translated by the patterns
# below — whole sentences first, then the phrases they are built from. A message no
# pattern knows stays in English. A replacement is a template, or a function of the
# match when the French needs more than the words moved (a period named as the tables
# name it).
_DIMENSION_FR = (("channel", "canal"), ("campaign", "campagne"), ("content", "contenu"))
_THE_DIMENSION_FR = (  # with their article
    ("channel", "le canal"),
    ("campaign", "la campagne"),
    ("content", "le contenu"),
)
_ORDERS_FR = {"day-first": "jour d'abord", "month-first": "mois d'abord",
              "year-first": "année d'abord"}  # fmt: skip


def _order_fr(label: str) -> str:
    """'month-first (%m/%d/%Y)' -> "mois d'abord (%m/%d/%Y)"."""
    name, _, rest = label.partition(" ")
    rest = rest.replace("with month names", "avec le nom du mois")
    return f"{_ORDERS_FR.get(name, name)} {rest}".strip()


def _pct_fr(text: str) -> str:
    """'39.8%' as French writes it: '39,8 %'."""
    return text.replace(".", ",").replace("%", "\u00a0%")


# the dates a velocity note names (metrics.measures: Measure.date_label)
_DATE_LABELS_FR = {
    "MQL": "le MQL", "SAL": "le SAL", "SQL": "le SQL", "recorded SAL": "le SAL enregistré",
    "disqualification": "la disqualification", "rejection": "le rejet",
    "opportunity (or deal creation)": "l'opportunité (ou la création de l'affaire)",
    "won deal (customer)": "l'affaire gagnée (client)",
    "the lead's creation": "la création du lead",
}  # fmt: skip


def _date_label_fr(text: str, before: str) -> str:
    """The label after ``before`` ('de' or 'à'), the article contracted: 'du MQL', 'à la
    création du lead'."""
    label = _DATE_LABELS_FR.get(text, text)
    for article, contracted in (("le ", {"de": "du ", "à": "au "}), ("la ", None),
                                ("l'", None)):  # fmt: skip
        if label.startswith(article):
            if contracted:
                return contracted[before] + label[len(article):]
            return f"{before} {label}"
    return f"{before} {label}"


def _number_fr(text: str) -> str:
    """A number as the English notes write it ('33,440.00') as French writes it
    ('33 440,00', with Babel's narrow no-break space)."""
    return text.replace(",", "\u202f").replace(".", ",")


def _channels_fr(text: str) -> str:
    """'paid_search, no channel and 2 more' (a list of channels in a note) in French."""
    text = re.sub(r" and (\d+) more$", r" et \1 autres", text)
    return text.replace("no channel", "sans canal")


def _names_fr(text: str) -> str:
    """"campaign 'A', 'B' and rows without a campaign" (names in a note) in French."""
    for en, fr in (("campaign", "campagne"), ("content", "contenu")):
        text = text.replace(f"rows without a {en}", f"lignes sans {fr}")
        text = re.sub(rf"^{en} ", f"{fr} ", text)
    return text.replace("' and lignes", "' et lignes")


# what a column's name reads as (scoring.guard.NAME_RULES), in French
_GUARD_WHAT_FR = {
    "a person's name": "le nom d'une personne",
    "an e-mail address": "une adresse e-mail",
    "a phone number": "un numéro de téléphone",
    "the owner or sales rep (a person, assigned after qualification)": (
        "le propriétaire ou le commercial (une personne, affectée après la qualification)"
    ),
    "a postal address or location of a person": "une adresse postale ou le lieu d'une personne",
    "a date of birth": "une date de naissance",
    "a social profile": "un profil de réseau social",
    "a record id": "l'identifiant d'un enregistrement",
    "a url or web site": "une URL ou un site web",
    "a company name": "un nom d'entreprise",
    "a stage, status or outcome": "une étape, un statut ou une issue",
    "a judgement by sales (rating, grade, quality)": "une appréciation des ventes (note, qualité)",
    "a deal or opportunity field": "un champ d'affaire ou d'opportunité",
    "a snapshot at export time (possibly after the outcome)": (
        "un instantané à la date de l'export (peut-être après l'issue)"
    ),
}


# which records a count of durations left out is of, over a range (metrics.left_out_scope)
_SCOPES_FR = {"leads created": "leads créés", "durations ending": "durées terminées"}


def _range_fr(text: str | None) -> str:
    """' from A to B', ' from A', ' up to B' (a range as the English notes write it) in
    French; '' stays ''."""
    m = re.fullmatch(r" from (\S+) to (\S+)| from (\S+)| up to (\S+)", text or "")
    if m is None:
        return text or ""
    a, b, start, end = m.groups()
    if a:
        return f" du {a} au {b}"
    return f" à partir du {start}" if start else f" jusqu'au {end}"


_ERROR_PATTERNS_FR: tuple[tuple[str, str | Callable[[re.Match], str]], ...] = (
    # workspace
    (
        r"workspace (?P<p>.+) does not exist; create it with `leadpilot init (?P<q>.+)` or "
        r"ingest into it with `leadpilot ingest SOURCE -w DIR`",
        r"l'espace de travail \g<p> n'existe pas ; créez-le avec `leadpilot init \g<q>` ou "
        r"chargez-y des données avec `leadpilot ingest SOURCE -w DOSSIER`",
    ),
    # options
    (r"^unknown dimension\(s\) ", r"dimension(s) inconnue(s) "),
    (r"; available: ", r" ; disponibles : "),
    (
        r" \(after `leadpilot score apply`\) and any lead column ",
        r" (après `leadpilot score apply`) et toute colonne des leads ",
    ),
    (r"^unknown period (?P<v>'[^']*'); expected one of ", r"période inconnue \g<v> ; attendu : "),
    (r"^unknown view (?P<v>'[^']*'); expected ", r"vue inconnue \g<v> ; attendu : "),
    (r"^unknown KPI (?P<v>'[^']*'); known: ", r"indicateur inconnu \g<v> ; connus : "),
    (
        r"^unknown model\(s\) (?P<v>\[[^\]]*\]); expected all or some of ",
        r"modèle(s) inconnu(s) \g<v> ; attendu : all ou certains de ",
    ),
    (
        r"^(?P<o>--[\w-]+) (?P<v>'[^']*'): expected a date like (?P<d>\S+)$",
        r"\g<o> \g<v> : attendu une date comme \g<d>",
    ),
    (
        r"^(?P<o>--[\w-]+) (?P<v>'[^']*'): expected one of (?P<l>.+)$",
        r"\g<o> \g<v> : attendu l'une des valeurs \g<l>",
    ),
    (r" or activity$", r" ou activity"),
    (
        r"^--out (?P<f>.+) names a (?P<n>\w+) file, but --format (?P<a>\w+) was asked: name "
        r"the file \.(?P<e>\w+), or leave --format out \(the format follows the file name\)$",
        r"--out \g<f> désigne un fichier \g<n>, mais --format \g<a> est demandé : nommez le "
        r"fichier .\g<e>, ou omettez --format (le format suit le nom du fichier)",
    ),
    (
        r"^--format (?P<f>\w+) is binary: give a file with --out, not '-'$",
        r"--format \g<f> est binaire : donnez un fichier avec --out, pas '-'",
    ),
    # dates
    (
        r"these look like Unix time \(seconds or milliseconds since 1970\), which no date "
        r"layout reads: export the column as dates or ISO 8601 text",
        r"ces valeurs ressemblent à un temps Unix (secondes ou millisecondes depuis 1970), "
        r"qu'aucun format de date ne lit : exportez la colonne en dates ou en texte ISO 8601",
    ),
    (
        r"write the file's date layout in leadpilot\.yaml: date_formats on this source "
        r"\(e\.g\. (?P<f>\[[^\]]*\])(?P<n>(?: for \d+)?)\) or ingest\.date_formats for every file",
        r"indiquez le format de date du fichier dans leadpilot.yaml : date_formats sur cette "
        r"source (par ex. \g<f>\g<n>) ou ingest.date_formats pour tous les fichiers",
    ),
    (
        r"check the day/month order \(date_formats in leadpilot\.yaml\) or raise "
        r"ingest\.future_tolerance_days",
        r"vérifiez l'ordre jour/mois (date_formats dans leadpilot.yaml) ou augmentez "
        r"ingest.future_tolerance_days",
    ),
    (r"an ISO 8601 date \(2024-12-31\)", r"une date ISO 8601 (2024-12-31)"),
    (r"a date written like (?P<s>\S+) \(", r"une date écrite comme \g<s> ("),
    (r"the layout of this column's other values", r"le format des autres valeurs de la colonne"),
    (
        r"the layout of this file's other date columns",
        r"le format des autres colonnes de date du fichier",
    ),
    (r"as set in date_formats of this source", r"comme indiqué par date_formats de la source"),
    (r"as set in ", r"comme indiqué par "),
    (r"\) or ISO 8601", r") ou ISO 8601"),
    (r" or one of (?P<l>\[)", r" ou l'un des formats \g<l>"),
    (r", with or without a time", r", avec ou sans heure"),
    (r"a date not after (?P<d>\S+)", r"une date au plus tard le \g<d>"),
    # numbers
    (
        r"these numbers use (?P<a>'.') as the decimal separator: set decimal: (?P<b>'.') on "
        r"this source \(or ingest\.decimal: (?P<c>'.') for every file\) in leadpilot\.yaml",
        r"ces nombres utilisent \g<a> comme séparateur décimal : indiquez decimal: \g<b> sur "
        r"cette source (ou ingest.decimal: \g<c> pour tous les fichiers) dans leadpilot.yaml",
    ),
    (r"an amount such as 1234\.56", r"un montant comme 1234.56"),
    (
        r"^a number whose decimal separator can be told: nothing in the file says whether "
        r"'1,250' is 1250 or 1\.25 \(nor '1\.054' 1054 or 1\.054\)$",
        r"un nombre dont on peut dire le séparateur décimal : rien dans le fichier ne dit si "
        r"'1,250' vaut 1250 ou 1,25 (ni si '1.054' vaut 1054 ou un peu plus de 1)",
    ),
    (
        r"^say how the file writes numbers: decimal: ',' on this source in leadpilot\.yaml "
        r"when 1,250 means 1\.25 \(and 1\.054 means 1054\), decimal: '\.' when it means 1250 "
        r"\(and 1\.054 means 1\.054\) \(ingest\.decimal for every file\)$",
        r"dites comment le fichier écrit ses nombres : decimal: ',' sur cette source dans "
        r"leadpilot.yaml si '1,250' vaut 1,25 et '1.054' vaut 1054, decimal: '.' si '1,250' "
        r"vaut 1250 et '1.054' un peu plus de 1 (ingest.decimal pour tous les fichiers)",
    ),
    # a date column mixing two day/month orders
    (
        r"^(?P<f>.+?): column (?P<h>'[^']*') mixes two date orders: (?P<a>[\d,]+) value\(s\) "
        r"read only (?P<x>.+?), (?P<b>[\d,]+) only (?P<y>.+?); read as (?P<z>.+?), the others "
        r"set aside with the values that fit both \(their day and month cannot be told\)$",
        lambda m: (
            f"{m['f']} : la colonne {m['h']} mêle deux ordres de date : {m['a']} valeur(s) "
            f"lisibles seulement {_order_fr(m['x'])}, {m['b']} seulement {_order_fr(m['y'])} ; "
            f"lue {_order_fr(m['z'])}, les autres mises de côté avec les valeurs qui se lisent "
            "des deux façons (leur jour et leur mois ne peuvent être départagés)"
        ),
    ),
    (
        r"^(?P<f>.+?): column (?P<h>'[^']*') read as (?P<x>(?:day|month|year)-first"
        r"(?: with month names)? \([^)]*\)) dates \(detected from its values\)$",
        lambda m: f"{m['f']} : colonne {m['h']} lue en dates {_order_fr(m['x'])} (d'après ses "
        "valeurs)",
    ),
    (
        r"^(?P<f>.+?): column (?P<h>'[^']*') fits several date orders; read as "
        r"(?P<x>(?:day|month|year)-first(?: with month names)? \([^)]*\)) like the file's "
        r"other date columns$",
        lambda m: f"{m['f']} : la colonne {m['h']} se lit dans plusieurs ordres de date ; lue "
        f"{_order_fr(m['x'])} comme les autres colonnes de date du fichier",
    ),
    (
        r"^a date whose day and month can be told: column (?P<h>'[^']*') mixes (?P<x>.+?) and "
        r"(?P<y>.+?) dates, and this one fits both$",
        lambda m: (
            f"une date dont on peut départager le jour et le mois : la colonne {m['h']} mêle "
            f"des dates {_order_fr(m['x'])} et {_order_fr(m['y'])}, et celle-ci se lit des "
            "deux façons"
        ),
    ),
    (
        r"^export the column in one layout \(ISO 8601: 2017-07-01\), or, if every value is "
        r"in fact written one way, set date_formats on this source in leadpilot\.yaml$",
        r"exportez la colonne dans un seul format (ISO 8601 : 2017-07-01), ou, si toutes les "
        r"valeurs sont en fait écrites d'une seule façon, indiquez date_formats sur cette "
        r"source dans leadpilot.yaml",
    ),
    (r"^a number", r"un nombre"),
    (r" \(decimal comma\)", r" (virgule décimale)"),
    (r"^a value >= 0$", r"une valeur >= 0"),
    (
        r"^a deal amount >= 0 \(a negative amount is a credit note or a refund, not a deal: "
        r"revenue would silently shrink\)$",
        r"un montant d'affaire >= 0 (un montant négatif est un avoir ou un remboursement, pas "
        r"une affaire : le chiffre d'affaires baisserait sans le dire)",
    ),
    (
        r"^enter the deal's net amount, or mark a cancelled deal lost; refunds are not deals$",
        r"saisissez le montant net de l'affaire, ou marquez perdue une affaire annulée ; un "
        r"remboursement n'est pas une affaire",
    ),
    (
        r"^spend >= 0 \(a negative cost is an ad platform's credit or adjustment\)$",
        r"une dépense >= 0 (un coût négatif est un avoir ou un ajustement de la plateforme "
        r"publicitaire)",
    ),
    (
        r"^net the credit into the cost of the day \(or campaign\) it corrects$",
        r"déduisez l'avoir du coût du jour (ou de la campagne) qu'il corrige",
    ),
    # repeated keys
    (r"^a unique key \(already in row (?P<r>\d+)\)$", r"une clé unique (déjà ligne \g<r>)"),
    (
        r"^a unique key \(already in (?P<f>\S+) row (?P<r>\d+)\)$",
        r"une clé unique (déjà dans \g<f>, ligne \g<r>)",
    ),
    (
        r"^keep one row per key in the file \(a later ingest replaces the rows of a key\)$",
        r"gardez une ligne par clé dans le fichier (un import suivant remplace les lignes "
        r"d'une clé)",
    ),
    (
        r"^a distinct event \(same lead, time, type, channel, campaign and content as row "
        r"(?P<r>\d+)\)$",
        r"un événement distinct (même lead, heure, type, canal, campagne et contenu que la "
        r"ligne \g<r>)",
    ),
    (
        r"^one row per (?P<w>[\w, ]+) \(several ad groups or ads\?\): added to row (?P<r>\d+)$",
        r"une ligne par \g<w> (plusieurs groupes d'annonces ou annonces ?) : ajoutée à la "
        r"ligne \g<r>",
    ),
    (
        r"^a distinct row \(same (?P<w>[\w, ]+) and figures as row (?P<r>\d+)\)$",
        r"une ligne distincte (mêmes \g<w> et chiffres que la ligne \g<r>)",
    ),
    # rows of one key with other figures, added together (ad groups, accounts, overlaps)
    (
        r"^(?P<t>spend|traffic): (?P<n>[\d,]+) row\(s\) repeat the date, channel, campaign and "
        r"content of an earlier row with other (?:figures \(amount, impressions or clicks\)|"
        r"visitors) \(ad groups or ads of one campaign, or several accounts\): added together, "
        r"(?P<k>[\d,]+) key\(s\) affected \(e\.g\. (?P<f>\S+) row (?P<r>\d+): (?P<v>.+?)\); give "
        r"each part its own content or campaign column to keep them apart(?:; (?P<a>[\d,]+) of "
        r"them repeat a row of another file: if those files are overlapping exports of one "
        r"account, not two accounts, give each day to one file only \(or ingest the newer "
        r"export on its own: it replaces the days it holds\))?$",
        lambda m: (
            f"{'dépenses' if m['t'] == 'spend' else 'trafic'} : {_number_fr(m['n'])} ligne(s) "
            "répètent la date, le canal, la campagne et le contenu d'une ligne précédente avec "
            + ("d'autres chiffres (montant, impressions ou clics)" if m["t"] == "spend"
               else "d'autres visiteurs")
            + " (groupes d'annonces ou annonces d'une campagne, ou plusieurs comptes) : "
            f"additionnées, {_number_fr(m['k'])} clé(s) concernée(s) (par ex. {m['f']} ligne "
            f"{m['r']} : {m['v']}) ; donnez à chaque partie sa propre colonne de contenu ou de "
            "campagne pour les distinguer"
            + (f" ; {_number_fr(m['a'])} d'entre elles répètent une ligne d'un autre fichier : "
               "si ces fichiers sont des exports du même compte qui se chevauchent, et non deux "
               "comptes, ne donnez chaque jour qu'à un seul fichier (ou importez l'export le "
               "plus récent seul : il remplace les jours qu'il contient)" if m["a"] else "")
        ),
    ),
    (
        r"^spend is recorded over part of the leads' dates only \((?P<s>.+)\): the cost KPIs "
        r"\((?P<k>[^)]+)\) divide the spend by those leads too, so costs per lead or customer "
        r"read low and returns high; read them over the spend's dates \(--from (?P<a>\S+) "
        r"--to (?P<b>\S+)\) or by month$",
        lambda m: (
            "les dépenses ne couvrent qu'une partie des dates des leads ("
            + re.sub(r"(?P<n>[\d,]+) of (?P<t>[\d,]+) leads outside (?P<x>\S+) – (?P<y>\S+)",
                     r"\g<n> leads sur \g<t> hors du \g<x> au \g<y>", m["s"])
            .replace("more channel(s)", "autre(s) canal(aux)").replace("; and ", " ; et ")
            .replace("; ", " ; ").replace(": ", " : ")
            + f") : les indicateurs de coût ({m['k']}) divisent aussi les dépenses par ces "
            "leads : les coûts par lead ou par client paraissent bas et la rentabilité haute ; "
            f"lisez-les sur les dates des dépenses (--from {m['a']} --to {m['b']}) ou par mois"
        ),
    ),
    (
        r"^deals: (?P<n>[\d,]+) of the (?P<w>[\d,]+) won deals of (?P<f>.+?) have no amount: "
        r"revenue counts them as nothing \(null where none of a group's won deals has one\), "
        r"and the average deal size leaves them out\. (?:Their amount column \((?P<h>'.*')\) "
        r"is empty: fill the amounts in the CRM and export again|Map the amount column "
        r"(?P<cfg>\(columns: \{amount: '<your header>'\}\)) or fill the amounts in the source)$",
        lambda m: (
            f"affaires : {m['n']} des {m['w']} affaires gagnées de {m['f']} n'ont pas de "
            "montant : le chiffre d'affaires les compte pour rien (vide quand aucune affaire "
            "gagnée d'un groupe n'en a) et la taille moyenne des affaires les écarte. "
            + (f"Leur colonne de montant ({m['h']}) est vide : renseignez les montants dans le "
               "CRM et exportez de nouveau" if m["h"] else
               f"Associez la colonne de montant {m['cfg']} ou renseignez les montants dans la "
               "source")
        ),
    ),
    (
        r"^spend: on (?P<n>[\d,]+) day\(s\) from (?P<a>\S+) to (?P<b>\S+) \((?P<c>.+?)\), the "
        r"spend these files list under other names \((?P<new>.+?)\) equals, day by day, stored "
        r"spend they no longer list \((?P<old>.+?)\): (?P<x>[\d,.]+) counted twice if the "
        r"export was taken after a campaign was renamed \(or its breakdown changed\)\. If the "
        r"file is the whole of its channels' spend over its days, set replace_days: true on "
        r"its source in a leadpilot\.yaml (?P<cfg>\(sources: .+?\}\)) and ingest it again: the "
        r"stored rows it no longer lists are removed$",
        lambda m: (
            f"dépenses : sur {m['n']} jour(s) du {m['a']} au {m['b']} ({_channels_fr(m['c'])}), "
            f"les dépenses que ces fichiers listent sous d'autres noms ({_names_fr(m['new'])}) "
            "égalent, jour par jour, des dépenses enregistrées qu'ils ne listent plus "
            f"({_names_fr(m['old'])}) : {m['x']} comptés deux fois si l'export a été pris après "
            "qu'une campagne a été renommée (ou son découpage changé). Si le fichier contient "
            "toutes les dépenses de ses canaux sur ses jours, mettez replace_days: true sur sa "
            f"source dans un leadpilot.yaml {m['cfg']} et importez-le de nouveau : les lignes "
            "enregistrées qu'il ne liste plus sont retirées"
        ),
    ),
    (
        r"^(?P<t>spend|traffic): (?P<f>.+?) replaces the stored (?:spend|traffic) of (?P<c>.+?) "
        r"from (?P<a>\S+) to (?P<b>\S+) \(replace_days\): (?P<n>[\d,]+) stored row\(s\) it "
        r"no longer lists \((?P<l>.+?); (?P<x>[\d,.]+) (?:spend|visitors)\) are removed$",
        lambda m: (
            f"{'dépenses' if m['t'] == 'spend' else 'trafic'} : {m['f']} remplace "
            f"{'les dépenses' if m['t'] == 'spend' else 'le trafic'} enregistré"
            f"{'es' if m['t'] == 'spend' else ''} de {_channels_fr(m['c'])} du {m['a']} au "
            f"{m['b']} (replace_days) : {m['n']} ligne(s) enregistrée(s) qu'il ne liste "
            f"plus ({_names_fr(m['l'])} ; {m['x']} "
            f"{'de dépenses' if m['t'] == 'spend' else 'visiteurs'}) sont retirées"
        ),
    ),
    (
        r"^a totals or footer row of the export, not a date: delete it from the file, or "
        r"ingest with --policy quarantine to set it aside$",
        r"une ligne de total ou de pied de page de l'export, pas une date : supprimez-la du "
        r"fichier, ou importez avec --policy quarantine pour la mettre de côté",
    ),
    (
        r"^the header is on line (?P<l>\d+): delete the (?P<n>\d+) line\(s\) above it \(an "
        r"export's report title and date range\)$",
        r"l'en-tête est à la ligne \g<l> : supprimez les \g<n> ligne(s) au-dessus (titre et "
        r"période du rapport exporté)",
    ),
    # a line of a delimited file that does not fit the header
    (
        r"^(?P<w>\d+) fields \((?P<h>.+)\) separated by (?P<d>'[^']+'), as in the header, "
        r"found (?P<f>\d+)(?P<why>; .+)?$",
        lambda m: (
            f"{m['w']} champs ({m['h']}) séparés par {m['d']}, comme dans l'en-tête, "
            f"{m['f']} trouvé(s)"
            + {
                None: "",
                "; the line has more: an unquoted separator inside a value (Acme, Inc.)?":
                    " ; la ligne en a plus : un séparateur sans guillemets dans une valeur "
                    "(Acme, Inc.) ?",
                "; the line has far more: an over-long line of stray separators?":
                    " ; la ligne en a bien plus : une ligne trop longue de séparateurs égarés ?",
                "; the line has fewer: cut short (a truncated export?) or a missing separator":
                    " ; la ligne en a moins : coupée (un export tronqué ?) ou un séparateur "
                    "manquant",
                "; the line is the export's footer or totals line, not a record":
                    " ; la ligne est le pied de page ou la ligne de total de l'export, pas un "
                    "enregistrement",
            }.get(m["why"], m["why"] or "")
        ),
    ),
    (
        r'^quote the values that hold the separator \("Acme, Inc\."\) in the file$',
        r'mettez entre guillemets les valeurs qui contiennent le séparateur ("Acme, Inc.")',
    ),
    (
        r"^re-export the complete file, or add the missing separators$",
        r"réexportez le fichier complet, ou ajoutez les séparateurs manquants",
    ),
    (
        r"^delete the footer or totals line from the file$",
        r"supprimez la ligne de pied de page ou de total du fichier",
    ),
    (
        r"^a day that does not exist: correct the date in the source$",
        r"un jour qui n'existe pas : corrigez la date dans la source",
    ),
    # diagnose: the current period not over, both cut at the same day
    (
        r"^(?P<c>\S+) is not over \(data as of (?P<d>\S+)\): both periods are cut at the same "
        r"day of the period \((?P<p>\S+) up to (?P<e>\S+)\)$",
        lambda m: (
            f"{period_name(m['c'], 'fr')} n'est pas terminé (données au {m['d']}) : les deux "
            f"périodes sont coupées au même jour de la période ({period_name(m['p'], 'fr')} "
            f"jusqu'au {m['e']})"
        ),
    ),
    (
        r"^(?P<k>[\w, ]+): sales acceptance is recorded for the leads of (?P<a>[\d,]+) of "
        r"(?P<b>[\d,]+) channels \((?P<l>.+)\); elsewhere the SALs are only implied by later "
        r"stages, and a row over several channels mixes the two: read it with --by channel$",
        r"\g<k> : l'acceptation par les ventes est enregistrée pour les leads de \g<a> canaux "
        r"sur \g<b> (\g<l>) ; ailleurs les SAL sont seulement déduits des étapes suivantes, "
        r"et une ligne qui couvre plusieurs canaux mêle les deux : lisez-la avec --by channel",
    ),
    # an ad platform's summary row among the days of spend
    (
        r"^a day's spend, not the file's total \(this row names no campaign and its amount is "
        r"the sum of the other (?P<n>[\d,]+) rows: an export's summary row\)$",
        r"une dépense d'un jour, pas le total du fichier (cette ligne ne nomme aucune campagne "
        r"et son montant est la somme des \g<n> autres lignes : la ligne de synthèse d'un "
        r"export)",
    ),
    (
        r"^delete the summary row from the export \(Meta Ads Manager: untick 'Include summary "
        r"row'; Google Ads: the 'Total' rows at the bottom\), or ingest with --policy "
        r"quarantine to set it aside$",
        r"supprimez la ligne de synthèse de l'export (Meta Ads Manager : décochez « Inclure "
        r"la ligne de synthèse » ; Google Ads : les lignes « Total » en bas), ou importez avec "
        r"--policy quarantine pour la mettre de côté",
    ),
    # leads referenced by the other tables
    (
        r"^a lead_id present in the leads table \(this file or the workspace\)$",
        r"un lead_id présent dans la table des leads (ce fichier ou l'espace de travail)",
    ),
    (
        r"^ingest the leads file with these records, or check that both files use the same "
        r"ids \(the column mapped to lead_id; ids are compared as written, so 00123 and 123 "
        r"are two leads\)$",
        r"chargez le fichier des leads qui contient ces enregistrements, ou vérifiez que les "
        r"deux fichiers utilisent les mêmes identifiants (la colonne associée à lead_id ; ils "
        r"sont comparés tels qu'écrits : 00123 et 123 sont deux leads)",
    ),
    # source folders
    (
        r"^(?P<p>.+): no canonical file found \(expected any of (?P<n>.+), or "
        r"\.parquet / \.xlsx\)(?:; the folder holds a (?P<y>\S+) naming sources: ingest it "
        r"\((?P<c>.+)\))?$",
        lambda m: (
            f"{m['p']} : aucun fichier canonique trouvé (attendu l'un de {m['n']}, ou .parquet "
            "/ .xlsx)"
            + (f" ; le dossier contient un {m['y']} qui nomme des sources : chargez-le "
               f"({m['c']})" if m["y"] else "")  # fmt: skip
        ),
    ),
    (
        r"^(?P<p>.+): several files for table (?P<t>\w+) \((?P<f>[^)]*)\); keep one$",
        r"\g<p> : plusieurs fichiers pour la table \g<t> (\g<f>) ; gardez-en un",
    ),
    # values and columns
    (r"^a value \((?P<c>\w+) is required\)$", r"une valeur (\g<c> est obligatoire)"),
    (r"^one of (?P<l>.+)$", r"l'une des valeurs \g<l>"),
    (r"^a column (?P<c>'[^']*') for (?P<t>\S+?)(?P<r> \(|$)", r"une colonne \g<c> pour \g<t>\g<r>"),
    (
        r"\(did you mean (?P<a>'[^']*') or (?P<b>'[^']*')\?\)",
        r"(vouliez-vous dire \g<a> ou \g<b> ?)",
    ),
    (r"\(did you mean (?P<a>'[^']*')\?\)", r"(vouliez-vous dire \g<a> ?)"),
    # notes shown with results
    (
        r"^(?P<t>\w+): (?P<h>'[^']*') values not listed in values\.(?P<n>\w+) became "
        r"(?P<v>'[^']*') through '\*': ",
        r"\g<t> : les valeurs de \g<h> absentes de values.\g<n> sont devenues \g<v> par "
        r"'*' : ",
    ),
    (
        r"; (?P<s>'.+?') read\(s\) like an outcome: map it in leadpilot\.yaml "
        r"\(values: (?P<m>\{.*\})\) if it is one$",
        r" ; \g<s> ressemble(nt) à une issue : associez-la dans leadpilot.yaml "
        r"(values: \g<m>) si c'en est une",
    ),
    (
        r"^acceptance below the agreed (?P<p>\S+) in (?P<n>\d+) group\(s\): marketing and "
        r"sales should review the MQL definition and the scoring threshold$",
        r"acceptation sous les \g<p> convenus dans \g<n> groupe(s) : le marketing et les "
        r"ventes devraient revoir la définition du MQL et le seuil de scoring",
    ),
    (r"^acceptance not measured anywhere: ", r"l'acceptation n'est mesurée nulle part : "),
    (
        r"^acceptance not measured in (?P<n>\d+) of (?P<m>\d+) group\(s\): ",
        r"acceptation non mesurée dans \g<n> groupe(s) sur \g<m> : ",
    ),
    (r"^(?P<k>\w+) is null where (?=no sales-acceptance)", r"\g<k> est vide : "),
    (
        r"no sales-acceptance event was recorded \(no sal or rejected stage event\): SALs are "
        r"only implied by later stages, so acceptance is not measured; record sales "
        r"acceptance \(stage sal\) or rejection \(stage rejected\) to measure it",
        r"aucun événement d'acceptation par les ventes n'a été enregistré (ni étape sal ni "
        r"étape rejected) : les SAL ne sont que déduites des étapes suivantes, l'acceptation "
        r"n'est donc pas mesurée ; enregistrez l'acceptation (étape sal) ou le refus (étape "
        r"rejected) des ventes pour la mesurer",
    ),
    (
        r"^attribution credits the touches \(touchpoints table: lead_id, ts, type, channel\) "
        r"that precede each conversion, and this workspace has no touchpoints \(a CRM-only "
        r"export holds none\); ingest a touchpoints file \(web visits, form submits, e-mail "
        r"clicks, ad clicks, …\) to use any attribution model; meanwhile `leadpilot kpis --by "
        r"channel` gives revenue by the lead's own source channel$",
        r"l'attribution crédite les interactions (table touchpoints : lead_id, ts, type, "
        r"channel) qui précèdent chaque conversion, et cet espace de travail n'en contient "
        r"aucune (un export CRM seul n'en a pas) ; chargez un fichier d'interactions (visites, "
        r"formulaires, clics d'e-mails, clics publicitaires…) pour utiliser un modèle "
        r"d'attribution ; en attendant, `leadpilot kpis --by channel` donne le chiffre "
        r"d'affaires par canal d'origine du lead",
    ),
    (
        r"^no touchpoints loaded: interest retention cannot be measured \(every month is "
        r"null, not 0\)$",
        r"aucune interaction chargée : la rétention de l'intérêt ne peut pas être mesurée "
        r"(chaque mois est vide, pas à 0)",
    ),
    (
        r"^features that alone predict the outcome almost perfectly \(leakage suspects\): ",
        r"variables qui prédisent presque parfaitement l'issue à elles seules (fuite "
        r"suspectée) : ",
    ),
    (
        r"^--as-of (?P<a>\S+) is (?P<n>[\d,]+) day\(s\) after the data's last event "
        r"\((?P<e>\S+)\): those days count as observed \(leads still open read as not "
        r"converted through them, cohorts as older and mature\); if the export was taken "
        r"earlier, give its date or leave --as-of out$",
        r"--as-of \g<a> tombe \g<n> jour(s) après le dernier événement des données (\g<e>) : "
        r"ces jours comptent comme observés (les leads encore ouverts sont lus comme non "
        r"convertis pendant ce temps, les cohortes comme plus âgées et mûres) ; si l'export a "
        r"été fait plus tôt, donnez sa date ou retirez --as-of",
    ),
    (
        r"^(?P<k>[\w, ]+) divides? the spend by the leads, customers and revenue of every channel, "
        r"paid or not \(blended\): (?P<n>[\d,]+) channel\(s\) without spend"
        r"(?P<s>(?: from \S+ to \S+| from \S+| up to \S+)?) \((?P<c>.+?)(?: and (?P<m>[\d,]+) "
        r"more)?\) hold (?P<h>[\d,]+) of the (?P<t>[\d,]+) leads; --by channel gives them per "
        r"paid channel$",
        lambda m: (
            f"{m['k']} {'divisent' if ',' in m['k'] else 'divise'} les dépenses par les leads, "
            "clients et chiffre d'affaires de "
            f"tous les canaux, payants ou non (coûts mixtes) : {m['n']} canal(aux) sans "
            f"dépenses{_range_fr(m['s'])} ({m['c']}"
            + (f" et {m['m']} autres" if m["m"] else "")
            + f") portent {m['h']} des {m['t']} leads ; --by channel les donne par canal payant"
        ),
    ),
    (
        r"^(?P<n>[\d,]+) of the (?P<t>[\d,]+) open deals \((?P<a>[\d,]+) of (?P<w>[\d,]+) "
        r"(?P<c>[A-Z]{3})\) are older than any deal ever closed \((?P<d>[\d,]+) days\): no deal "
        r"of the history won that late, so the forecast expects nothing of them; if they are "
        r"stale, close them in the CRM$",
        r"\g<n> des \g<t> affaires ouvertes (\g<a> sur \g<w> \g<c>) sont plus anciennes que "
        r"toute affaire jamais conclue (\g<d> jours) : aucune affaire de l'historique n'a été "
        r"gagnée si tard, la prévision n'en attend donc rien ; si elles sont mortes, "
        r"clôturez-les dans le CRM",
    ),
    # usage errors of plan, score threshold and report
    (
        r"^give exactly one of --target-revenue and --budget$",
        r"donnez exactement l'un de --target-revenue et --budget",
    ),
    (
        r"^--(?P<a>shift|mix|months) goes with --(?P<b>budget|target-revenue)(?P<w> \(the months "
        r"it covers\))?, not with --(?P<c>budget|target-revenue)(?P<r>: the reverse funnel gives "
        r"what the target needs, whatever the time it takes)?$",
        lambda m: (
            f"--{m['a']} va avec --{m['b']}"
            + (" (les mois qu'il couvre)" if m["w"] else "")
            + f", pas avec --{m['c']}"
            + (" : l'entonnoir inversé donne ce qu'il faut pour l'objectif, quel que soit le "
               "temps qu'il y faut" if m["r"] else "")
        ),
    ),
    (
        r"^give exactly one of --capacity N_PER_MONTH or --target-acceptance RATE$",
        r"donnez exactement l'un de --capacity N_PAR_MOIS ou --target-acceptance TAUX",
    ),
    (
        r"^(?P<f>.+): the extension (?P<e>\.\S+) names no report format; name the file \.html, "
        r"\.pdf, \.xlsx or \.md, or state the format \((?P<l>[^)]+)\)$",
        r"\g<f> : l'extension \g<e> ne désigne aucun format de rapport ; nommez le fichier "
        r".html, .pdf, .xlsx ou .md, ou indiquez le format (\g<l>)",
    ),
    # score train: the leakage guard's reasons, the split, the bands
    (
        r"^the name reads as (?P<w>.+)$",
        lambda m: f"le nom désigne {_GUARD_WHAT_FR[m['w']]}" if m["w"] in _GUARD_WHAT_FR
        else m[0],
    ),
    (
        r"^(?P<p>\d+%) of (?P<n>[\d,]+) values read as dates$",
        lambda m: f"{_pct_fr(m['p'])} des {m['n']} valeurs se lisent comme des dates",
    ),
    (
        r"^(?P<p>\d+%) of (?P<n>[\d,]+) values are e-mail addresses$",
        lambda m: f"{_pct_fr(m['p'])} des {m['n']} valeurs sont des adresses e-mail",
    ),
    (
        r"^(?P<p>\d+%) of (?P<n>[\d,]+) values are distinct \(an identifier or free text\)$",
        lambda m: (
            f"{_pct_fr(m['p'])} des {m['n']} valeurs sont distinctes (un identifiant ou du texte "
            "libre)"
        ),
    ),
    (
        r"^a date column: dates are not features \(behaviour is counted from the touchpoints "
        r"before the scoring date\)$",
        r"une colonne de date : les dates ne sont pas des variables (le comportement est compté "
        r"à partir des points de contact antérieurs à la date de scoring)",
    ),
    (
        r"^exclude it \(scoring\.model\.exclude: (?P<c>\[[^\]]*\])\) unless its value is known "
        r"before sales qualify the lead$",
        r"excluez-la (scoring.model.exclude : \g<c>), sauf si sa valeur est connue avant que "
        r"les ventes ne qualifient le lead",
    ),
    (
        r"^scoring\.model\.exclude names column\(s\) the leads table does not have: (?P<c>.+); "
        r"they exclude nothing: correct them in leadpilot\.yaml$",
        lambda m: (
            "scoring.model.exclude nomme des colonnes que la table des leads n'a pas : "
            + m["c"].replace("(did you mean ", "(vouliez-vous dire ")
            + " ; elles n'excluent rien : corrigez-les dans leadpilot.yaml"
        ),
    ),
    (
        r"^creation dates cannot order these leads \(too few distinct dates or a period "
        r"without both outcomes\): train / validation / held-out parts are a pseudo-random "
        r"60/20/20 split by a hash of lead_id, not a time-based split; the held-out AUC may be "
        r"optimistic if the population drifts over time$",
        r"les dates de création ne permettent pas d'ordonner ces leads (trop peu de dates "
        r"distinctes ou une période sans les deux issues) : apprentissage, validation et test "
        r"sont un découpage pseudo-aléatoire 60/20/20 par un hachage de lead_id, pas un "
        r"découpage dans le temps ; l'AUC sur le test peut être optimiste si la population "
        r"évolue dans le temps",
    ),
    (
        r"^held-out AUC (?P<a>[\d.]+) is above (?P<t>[\d.]+): lead scoring on honest data is "
        r"never that good, so a feature almost certainly records the outcome \(leakage; "
        r"(?P<w>.+)\); exclude it with scoring\.model\.exclude and retrain before trusting any "
        r"score$",
        lambda m: (
            f"AUC sur le test de {m['a']} au-dessus de {m['t']} : un scoring de leads sur des "
            "données honnêtes n'est jamais aussi bon, une variable enregistre donc presque "
            "certainement l'issue (fuite ; "
            + m["w"].replace("suspects: ", "suspectes : ").replace(
                "no single feature gives it away alone: look for combinations in the model card",
                "aucune variable ne la trahit à elle seule : cherchez des combinaisons dans la "
                "fiche du modèle",
            )
            + ") ; excluez-la avec scoring.model.exclude et relancez l'apprentissage avant de "
            "vous fier à un score"
        ),
    ),
    (
        r"^quantiles: A the top 10 %, B the next 20 %, C the next 30 %, D the rest$",
        r"quantiles : A les 10 % du haut, B les 20 % suivants, C les 30 % suivants, D le reste",
    ),
    (r"^fixed cut-offs \(scoring\.bands\)$", r"seuils fixés (scoring.bands)"),
    (
        r"^the model's (?P<n>[\d,]+) training leads \(scored at creation \+ (?P<d>\d+) days\)$",
        r"des \g<n> leads d'apprentissage du modèle (scorés à la création + \g<d> jours)",
    ),
    (r"^the (?P<n>[\d,]+) leads scored now$", r"des \g<n> leads scorés maintenant"),
    (
        r"(?P<s>; )?alone it separates converters from the others with AUC (?P<a>[\d.]+)",
        lambda m: (
            f"{' ; ' if m['s'] else ''}à elle seule, elle sépare les convertis des autres avec "
            f"une AUC de {m['a']}"
        ),
    ),
    (
        r"(?P<s>; )?value (?P<v>'[^']*'): (?P<p>[\d.]+%) of its ",
        lambda m: f"{' ; ' if m['s'] else ''}la valeur {m['v']} : {_pct_fr(m['p'])} de ses ",
    ),
    (
        r"(?P<s>; )?a value: (?P<p>[\d.]+%) of its ",
        lambda m: f"{' ; ' if m['s'] else ''}une valeur : {_pct_fr(m['p'])} de ses ",
    ),
    (
        r" leads did not convert \((?P<c>\d+%) of all those who did\)",
        lambda m: f" leads n'ont pas converti ({_pct_fr(m['c'])} de tous les non-convertis)",
    ),
    (
        r" leads converted \((?P<c>\d+%) of all those who did\)",
        lambda m: f" leads ont converti ({_pct_fr(m['c'])} de tous les convertis)",
    ),
    (
        r"\. Exclude them with scoring\.model\.exclude unless their value is known before "
        r"sales qualify the lead, then retrain\.$",
        r". Excluez-les avec scoring.model.exclude, sauf si leur valeur est connue avant que "
        r"les ventes ne qualifient le lead, puis relancez l'apprentissage.",
    ),
    (
        r"^no spend loaded: spend and cost KPIs are null$",
        r"aucune dépense chargée : les dépenses et les indicateurs de coût sont vides",
    ),
    # rows dated before their lead's creation (kept, with examples)
    *[
        (
            rf"^(?P<t>\w+): (?P<n>[\d,]+) row\(s\): {en} dated before its lead's creation: kept "
            r"and counted; velocity leaves out the durations that would be negative \(check "
            r"the export's dates\) \(e\.g\. ",
            rf"\g<t> : \g<n> ligne(s) : {fr} avant la création de son lead : gardée et "
            r"comptée ; la vélocité écarte les durées qui seraient négatives (vérifiez les "
            r"dates de l'export) (par ex. ",
        )
        for en, fr in (("deal", "affaire datée"), ("stage", "étape datée"))
    ],
    (
        r" row (?P<r>\d+): (?P<c>[^;]+?) \(lead created (?P<d>[^)]+)\)",
        r" ligne \g<r> : \g<c> (lead créé le \g<d>)",
    ),
    (r"(?P<e>\(lead créé le [^)]+\)); ", r"\g<e> ; "),  # between two examples
    # spend (or traffic) recorded per month, read by week, by day or over a range
    (
        r"^(?P<t>spend|traffic) is recorded per month \(every row dated on a month's first "
        r"day\): (?:by (?P<u>day|week), )?a month's (?:spend|traffic) falls on its first day, "
        r"so (?P<m>.+?) of the other (?:days of a month|weeks|days) are null and those of its "
        r"first are the whole month's; read them by month, quarter or year \(and date ranges "
        r"from a 1st to a month's end\)$",
        lambda m: (
            ("les dépenses sont enregistrées" if m["t"] == "spend" else "le trafic est "
             "enregistré") + " par mois (chaque ligne datée du premier jour d'un mois) : "
            + ({"day": "par jour, ", "week": "par semaine, "}.get(m["u"] or "", ""))
            + f"{'les dépenses' if m['t'] == 'spend' else 'le trafic'} d'un mois tombe"
            + ("nt" if m["t"] == "spend" else "")
            + " sur son premier jour : les indicateurs des autres "
            + {"day": "jours", "week": "semaines"}.get(m["u"] or "", "jours du mois")
            + " sont vides et ceux du premier portent tout le mois ; lisez-les par mois, "
            "trimestre ou année (et sur des plages allant d'un 1er à une fin de mois)"
        ),
    ),
    # sums of deals of which some have no amount (revenue, the open pipeline)
    (
        r"^(?P<a>[\d,]+) of (?P<b>[\d,]+) (?P<w>won|open) deals have no (?P<c>\w+): (?P<m>\w+) "
        r"counts them as nothing(?: \(null, –, in (?P<g>[\d,]+) group\(s\) where none has "
        r"one\))?, and so do the KPIs computed from it(?P<avg>; averages per \w+ deals with an "
        r"amount leave them out)?\. Map the \w+ column, or fill it in the source$",
        lambda m: (
            f"{m['a']} sur {m['b']} affaires {'gagnées' if m['w'] == 'won' else 'ouvertes'} "
            f"n'ont pas de montant ({m['c']}) : {m['m']} les compte pour rien"
            + (f" (vide, –, dans {m['g']} groupe(s) où aucune n'en a)" if m["g"] else "")
            + ", de même que les indicateurs calculés à partir de lui"
            + (" ; les moyennes par affaire ayant un montant les écartent" if m["avg"] else "")
            + f". Faites correspondre la colonne {m['c']}, ou complétez-la dans la source"
        ),
    ),
    (
        r"^no touchpoints loaded: content performance reads the touches' content \(visits, "
        r"downloads, clicks\), so there is no row$",
        r"aucun point de contact chargé : la performance des contenus lit le contenu des "
        r"points de contact (visites, téléchargements, clics), il n'y a donc aucune ligne",
    ),
    (
        r"^the date range cuts (?P<n>\d) (?P<p>day|week|month|quarter|year)\(s\): (?P<s>.+), "
        r"not the whole (?P=p)$",
        lambda m: (
            f"la plage de dates coupe {m['n']} "
            + {"day": "jour", "week": "semaine", "month": "mois", "quarter": "trimestre",
               "year": "année"}[m["p"]]
            + "(s) : "
            + m["s"].replace(" counts from ", " ne compte qu'à partir du ")
            .replace(" counts up to ", " ne compte que jusqu'au ").replace(" only", "")
            .replace("; ", " ; ")
            + ", pas " + {"day": "le jour entier", "week": "la semaine entière",
                          "month": "le mois entier", "quarter": "le trimestre entier",
                          "year": "l'année entière"}[m["p"]]
        ),
    ),
    # customers recorded by a stage event alone, with deals loaded
    (
        r"^(?P<a>[\d,]+) of (?P<b>[\d,]+) customers have no won deal \(a customer stage "
        r"recorded without one\): revenue counts nothing for them, and so do the KPIs "
        r"computed from it\. Load their won deals with their amount, or check the deals' lead "
        r"keys$",
        r"\g<a> client(s) sur \g<b> n'ont aucune affaire gagnée (étape client enregistrée "
        r"sans affaire) : le chiffre d'affaires ne compte rien pour eux, de même que les "
        r"indicateurs calculés à partir de lui. Chargez leurs affaires gagnées avec leur "
        r"montant, ou vérifiez les clés de lead des affaires",
    ),
    # lead attributes named like what leadpilot computes, stored under another name
    (
        r"^(?P<f>[^:]+): lead attribute\(s\) stored under another name: (?P<l>.+): leadpilot "
        r"computes (?P<c>.+) itself \(for each lead, or in its results\); group or filter by "
        r"the new name \(kpis --by (?P<b>\S+)\), or rename the column in the export$",
        lambda m: (
            f"{m['f']} : attribut(s) de lead enregistré(s) sous un autre nom : "
            f"{m['l'].replace(' as ', ' sous ')} : leadpilot calcule lui-même {m['c']} (pour "
            "chaque lead, ou dans ses résultats) ; regroupez ou filtrez par le nouveau nom "
            f"(kpis --by {m['b']}), ou renommez la colonne dans l'export"
        ),
    ),
    # the same attributes, stored by an earlier leadpilot under their own name
    (
        r"^leads: lead attribute\(s\) stored by an earlier leadpilot under a name it now "
        r"computes, read under another name: (?P<l>.+); group or filter by the new name "
        r"\(kpis --by (?P<b>\S+)\)$",
        lambda m: (
            "leads : attribut(s) de lead enregistré(s) par une version antérieure de "
            "leadpilot sous un nom qu'il calcule désormais, lu(s) sous un autre nom : "
            f"{m['l'].replace(' as ', ' sous ')} ; regroupez ou filtrez par le nouveau nom "
            f"(kpis --by {m['b']})"
        ),
    ),
    # a lead's stages dated out of their order (kept, with examples)
    (
        r"^(?P<t>\w+): (?P<n>[\d,]+) row\(s\): stage history out of order: a later stage "
        r"dated before an earlier one \(kept and counted; velocity leaves out the negative "
        r"durations\) \(e\.g\. ",
        r"\g<t> : \g<n> ligne(s) : historique des étapes dans le désordre : une étape "
        r"ultérieure datée avant une étape précédente (gardée et comptée ; la vélocité écarte "
        r"les durées négatives) (par ex. ",
    ),
    (
        r"(?P<f>[^\s;(]+) row (?P<r>\d+): ts (?P<s>\w+) (?P<d>\d{4}-\d\d-\d\d)"
        r"(?P<h> [\d:.]+)?(?P<x>; )?",
        lambda m: f"{m['f']} ligne {m['r']} : étape {m['s']} le {m['d']}"
        + (m["h"] if m["h"] and m["h"] != " 00:00:00" else "")  # a midnight is its day
        + (" ; " if m["x"] else ""),
    ),
    # young cohorts (kpis): their periods as the French tables name them
    (
        r"^immature cohorts (?P<c>.+?): their period ended less than the median "
        r"lead→customer delay of (?P<d>[\d,.]+) days? before the data's end \((?P<a>\S+)\); "
        r"their rates will still grow and are not bad performance$",
        lambda m: (
            f"cohortes immatures {', '.join(period_name(c, 'fr') for c in m['c'].split(', '))} "
            f": leur période s'est terminée moins de {m['d']} "
            f"{day_word(float(m['d'].replace(',', '')), 'fr')} (le délai médian lead→client) "
            f"avant la fin des données ({m['a']}) ; leurs taux vont encore augmenter et ne "
            "traduisent pas une mauvaise performance"
        ),
    ),
    # notes on numbers read at ingest (the decimal separator, ids written as numbers)
    (
        r"^(?P<f>.+?): numbers read with ',' as the decimal separator \(told from values "
        r"such as (?P<v>.+)\); set decimal: '\.' on this source if that is not right$",
        r"\g<f> : nombres lus avec ',' comme séparateur décimal (d'après des valeurs comme "
        r"\g<v>) ; indiquez decimal: '.' sur cette source si ce n'est pas le cas",
    ),
    (
        r"^(?P<f>.+?): (?P<n>[\d,]+) (?P<c>\w+) value\(s\) written as numbers with a zero "
        r"fraction \(e\.g\. (?P<e>'[^']*'), as a spreadsheet writes a number\) read without "
        r"it \((?P<w>'[^']*')\), as the other tables write them; leading zeros are kept as "
        r"written$",
        r"\g<f> : \g<n> valeur(s) de \g<c> écrite(s) comme des nombres à décimale nulle (par "
        r"ex. \g<e>, comme les écrit un tableur) lue(s) sans elle (\g<w>), comme les autres "
        r"tables les écrivent ; les zéros en tête sont gardés tels qu'écrits",
    ),
    # numbers and money a file writes otherwise (what to set)
    (
        r"written as money \((?P<c>'[^']*'|\"[^\"]*\")\): set money: \[amount\] and "
        r"decimal: (?P<d>'.') on this source in leadpilot\.yaml to read currency signs and "
        r"codes and K / M suffixes",
        r"écrit comme une somme d'argent (\g<c>) : indiquez money: [amount] et decimal: "
        r"\g<d> sur cette source dans leadpilot.yaml pour lire les symboles et codes de "
        r"devise et les suffixes K / M",
    ),
    (
        r"written as money \((?P<c>'[^']*'|\"[^\"]*\")\): set money: \[amount\] on this "
        r"source in leadpilot\.yaml to read currency signs and codes and K / M suffixes",
        r"écrit comme une somme d'argent (\g<c>) : indiquez money: [amount] sur cette source "
        r"dans leadpilot.yaml pour lire les symboles et codes de devise et les suffixes K / M",
    ),
    (
        r"^(?P<c>'[^']*'|\"[^\"]*\") holds no number: if the export writes it for a missing "
        r"value, list it in na_values on this source in leadpilot\.yaml \(na_values: "
        r"(?P<l>\[.*\])\); else correct the cells$",
        r"\g<c> ne contient aucun nombre : si l'export l'écrit pour une valeur manquante, "
        r"listez-la dans na_values sur cette source dans leadpilot.yaml (na_values: \g<l>) ; "
        r"sinon corrigez les cellules",
    ),
    (
        r"^correct the cells: a number such as 1234\.56, without text or unit",
        r"corrigez les cellules : un nombre comme 1234.56, sans texte ni unité",
    ),
    (
        r"^correct the cells: a number such as 1234\.56$",
        r"corrigez les cellules : un nombre comme 1234.56",
    ),
    (
        r"; leadpilot\.yaml reads other ways of writing one: ",
        r" ; leadpilot.yaml sait lire d'autres façons d'en écrire un : ",
    ),
    (r"decimal: ',' for '1 054,00'", r"decimal: ',' pour '1 054,00'"),
    (
        r"money: \[amount\] for '\$1\.5K' or 'EUR 1,200'",
        r"money: [amount] pour '$1.5K' ou 'EUR 1,200'",
    ),
    # currencies
    (
        r"^(?P<w>[A-Z]{3}) \(the workspace currency\) or a currency with a rate in "
        r"ingest\.currency_rates \(known: (?P<k>.+)\)$",
        r"\g<w> (la devise de l'espace de travail) ou une devise ayant un taux dans "
        r"ingest.currency_rates (connues : \g<k>)",
    ),
    (
        r"^declare its rate to the workspace currency in leadpilot\.yaml, e\.g\. "
        r"ingest\.currency_rates: (?P<r>\{.*\}); or, when all the workspace's amounts are in "
        r"that currency, make it the workspace's \(currency: in leadpilot\.yaml\)$",
        r"déclarez son taux vers la devise de l'espace de travail dans leadpilot.yaml, par "
        r"ex. ingest.currency_rates: \g<r> ; ou, si tous les montants de l'espace de travail "
        r"sont dans cette devise, faites-en la sienne (currency: dans leadpilot.yaml)",
    ),
    (
        r"^an amount written in the currency its (?P<c>'[^']*') column names$",
        r"un montant écrit dans la devise que nomme sa colonne \g<c>",
    ),
    (
        r"^correct the amount's currency sign or the (?P<c>'[^']*') column of these rows$",
        r"corrigez le symbole de devise du montant ou la colonne \g<c> de ces lignes",
    ),
    (
        r"^the source configuration's currency is (?P<s>\w+) but the workspace's is "
        r"(?P<w>\w+); set `currency: (?P=s)` in the workspace's leadpilot\.yaml, or declare "
        r"a rate in ingest\.currency_rates and remove currency from the source configuration$",
        r"la devise de la configuration de la source est \g<s> mais celle de l'espace de "
        r"travail est \g<w> ; indiquez `currency: \g<s>` dans le leadpilot.yaml de l'espace "
        r"de travail, ou déclarez un taux dans ingest.currency_rates et retirez currency de "
        r"la configuration de la source",
    ),
    # channels: leads without one, spend and leads that do not name the same ones
    (
        r"(?<= as written) \((?P<e>.+?) in (?P<f>.+?), column (?P<c>'[^']*'|\"[^\"]*\")\)"
        r"(?= and [\d,]+ have no channel at all)",
        r" (\g<e> dans \g<f>, colonne \g<c>)",
    ),
    (
        r"^leads: (?P<a>[\d,]+) lead\(s\) have the channel 'unknown' as written(?P<w>.*?) "
        r"and (?P<b>[\d,]+) have no channel at all \(blank, and no UTM tag or referrer naming "
        r"one\): both are counted under the channel 'unknown'\. To keep the written ones "
        r"apart, map them on their source in leadpilot\.yaml, e\.g\. values: (?P<m>\{.*\})$",
        r"leads : \g<a> lead(s) portent le canal 'unknown' tel qu'écrit\g<w> et \g<b> n'ont "
        r"aucun canal (vide, sans balise UTM ni référent qui en nomme un) : tous sont comptés "
        r"sous le canal 'unknown'. Pour garder à part ceux qui l'écrivent, associez-les sur "
        r"leur source dans leadpilot.yaml, par ex. values: \g<m>",
    ),
    (
        r"^(?P<n>[\d,]+) leads? of channel (?P<v>'[^']*'|\"[^\"]*\") but no spend(?P<s>.*?) "
        r"names it: its cost KPIs are null \(–\), not 0",
        r"\g<n> lead(s) du canal \g<v> mais aucune dépense\g<s> ne le nomme : ses indicateurs "
        r"de coût sont vides (–), pas nuls",
    ),
    (
        r"^(?P<n>[\d,]+) attribution touch(?:es)? of channel (?P<v>'[^']*'|\"[^\"]*\") but no "
        r"spend(?P<s>.*?) names it: its cost KPIs are null \(–\), not 0",
        r"\g<n> point(s) de contact d'attribution du canal \g<v> mais aucune dépense\g<s> ne "
        r"le nomme : ses indicateurs de coût sont vides (–), pas nuls",
    ),
    (
        r"^no spend(?P<s>.*?) names the channels (?P<l>.+): their cost KPIs are null \(–\), "
        r"not 0 \(organic sources need none\)$",
        r"aucune dépense\g<s> ne nomme les canaux \g<l> : leurs indicateurs de coût sont vides "
        r"(–), pas nuls (les sources organiques n'en ont pas besoin)",
    ),
    (r"(?<=[\d,]) touch(?:es)?\)", r" point(s) de contact)"),
    *[
        (
            rf"^spend(?P<s>.*?) names {en} (?P<v>'[^']*'|\"[^\"]*\") \((?P<a>[\d,.]+) over "
            rf"(?P<r>[\d,]+) row\(s\)\) but no lead has it: its spend joins no lead, so the "
            rf"cost KPIs of the leads it paid for miss it",
            rf"les dépenses\g<s> nomment {fr} \g<v> (\g<a> sur \g<r> ligne(s)) mais aucun lead "
            rf"ne le porte : ces dépenses ne se rattachent à aucun lead, les indicateurs de coût "
            rf"des leads qu'elles ont payés les ignorent",
        )
        for en, fr in _THE_DIMENSION_FR
    ],
    *[
        (
            rf"^spend(?P<s>.*?) names {en} (?P<v>'[^']*'|\"[^\"]*\") \((?P<a>[\d,.]+) over "
            rf"(?P<r>[\d,]+) row\(s\)\) but no attribution touch has it: its spend earns no "
            rf"credit, so the models' cost figures miss it",
            rf"les dépenses\g<s> nomment {fr} \g<v> (\g<a> sur \g<r> ligne(s)) mais aucun point "
            rf"de contact d'attribution ne le porte : ces dépenses ne reçoivent aucun crédit, "
            rf"les coûts des modèles les ignorent",
        )
        for en, fr in _THE_DIMENSION_FR
    ],
    *[
        (
            rf"^spend(?P<s>.*?) names (?P<n>[\d,]+) {en} values that no lead names "
            rf"\(largest: (?P<l>.+); (?P<a>[\d,.]+) in all\): that spend joins no lead, so cost "
            rf"KPIs by {en} miss it$",
            rf"les dépenses\g<s> nomment \g<n> valeurs de {fr} qu'aucun lead ne porte (les "
            rf"plus fortes : \g<l> ; \g<a> au total) : ces dépenses ne se rattachent à aucun "
            rf"lead, les indicateurs de coût par {fr} les ignorent",
        )
        for en, fr in _DIMENSION_FR
    ],
    *[
        (
            rf"^spend(?P<s>.*?) names (?P<n>[\d,]+) {en} values that no attribution touch "
            rf"names \(largest: (?P<l>.+); (?P<a>[\d,.]+) in all\): that spend earns no "
            rf"credit, so the models' cost figures miss it$",
            rf"les dépenses\g<s> nomment \g<n> valeurs de {fr} qu'aucun point de contact "
            rf"d'attribution ne porte (les plus fortes : \g<l> ; \g<a> au total) : ces "
            rf"dépenses ne reçoivent aucun crédit, les coûts des modèles les ignorent",
        )
        for en, fr in _DIMENSION_FR
    ],
    (
        r"^spend(?P<s>.*?) is split by (?P<d>\w+) \((?P<n>[\d,]+) values, (?P<a>[\d,.]+)\) but "
        r"no (?:lead|attribution touch) has a (?P=d): costs by (?P=d) cannot be read \(other "
        r"splits are not affected\)$",
        r"les dépenses\g<s> sont réparties par \g<d> (\g<n> valeurs, \g<a>) mais rien d'autre "
        r"n'a de \g<d> : les coûts par \g<d> ne peuvent pas être lus (les autres répartitions "
        r"ne sont pas touchées)",
    ),
    (
        r"^no (?P<t>\w+) recorded for (?P<n>[\d,]+) group\(s\) \((?P<g>.+)\): (?P<k>.+) "
        r"(?:is|are) null there \(–\), not 0 \(a recorded (?P=t) of 0 gives 0\)$",
        r"aucune ligne de \g<t> enregistrée pour \g<n> groupe(s) (\g<g>) : \g<k> y sont vides "
        r"(–), pas nuls (une ligne de \g<t> enregistrée à 0 donne 0)",
    ),
    (r"(?<=groupe\(s\) \()(?P<g>.+) and (?P<m>[\d,]+) more\)", r"\g<g> et \g<m> autres)"),
    # attribution's notes (a range of conversion dates in them, or none)
    (
        r"^(?P<n>[\d,]+) conversion\(s\)(?P<s>(?: from \S+ to \S+| from \S+| up to \S+)?) "
        r"\(revenue (?P<r>[\d,.]+)\) had no attribution touch in the (?P<d>[\d,]+) days "
        r"before; they are not credited$",
        lambda m: (
            f"{_number_fr(m['n'])} conversion(s){_range_fr(m['s'])} (chiffre d'affaires "
            f"{_number_fr(m['r'])}) sans "
            f"point de contact d'attribution dans les {m['d']} jours précédents : elles ne sont "
            "pas créditées"
        ),
    ),
    (
        r"^(?P<n>[\d,]+) conversion\(s\)(?P<s>(?: from \S+ to \S+| from \S+| up to \S+)?) "
        r"\(revenue (?P<r>[\d,.]+)\) are not credited: (?P<a>[\d,]+) had no attribution "
        r"touch in the (?P<d>[\d,]+) days before, (?P<u>[\d,]+) \(revenue (?P<v>[\d,.]+)\) "
        r"only touches without a (?P<b>\w+); attribution\.keep_unlabelled: true credits "
        r"those to '\(none\)'$",
        lambda m: (
            f"{_number_fr(m['n'])} conversion(s){_range_fr(m['s'])} (chiffre d'affaires "
            f"{_number_fr(m['r'])}) ne sont pas créditées : {_number_fr(m['a'])} sans point de "
            f"contact d'attribution dans les {m['d']} jours précédents, {_number_fr(m['u'])} "
            f"(chiffre d'affaires {_number_fr(m['v'])}) avec seulement des points de contact "
            f"sans {m['b']} ; attribution.keep_unlabelled : true crédite ces derniers à "
            "« (none) »"
        ),
    ),
    (
        r"^(?P<n>[\d,]+) won deal\(s\) \(revenue (?P<r>[\d,.]+)\) of the leads converting"
        r"(?P<s>(?: from \S+ to \S+| from \S+| up to \S+)?) were won after (?P<t>\S+): their "
        r"revenue counts in the range \(a lead's revenue goes with its conversion\); --as-of "
        r"\S+ leaves them out$",
        lambda m: (
            f"{_number_fr(m['n'])} affaire(s) gagnée(s) (chiffre d'affaires "
            f"{_number_fr(m['r'])}) des leads convertis{_range_fr(m['s'])} l'ont été après le "
            f"{m['t']} : leur chiffre d'affaires compte dans la période (le chiffre d'affaires "
            f"d'un lead suit sa conversion) ; --as-of {m['t']} les écarte"
        ),
    ),
    (
        r"^no spend recorded(?P<s>(?: from \S+ to \S+| from \S+| up to \S+)?) for "
        r"(?P<n>[\d,]+) (?P<b>\w+) value\(s\) \((?P<l>.+?)(?: and (?P<m>[\d,]+) more)?\): "
        r"their spend, cost per conversion, ROAS and ROI are null \(–\), not 0$",
        lambda m: (
            f"aucune dépense enregistrée{_range_fr(m['s'])} pour {_number_fr(m['n'])} valeur(s) de "
            f"{dict(_DIMENSION_FR).get(m['b'], m['b'])} ({m['l']}"
            + (f" et {m['m']} autres" if m["m"] else "")
            + ") : leurs dépenses, coût par conversion, ROAS et ROI sont vides (–), pas nuls"
        ),
    ),
    (r"(?<==)\(none\)", r"(aucun)"),  # a missing group value, as the French tables write it
    # the date range of the notes above (after the sentence they are in)
    (
        r"(?<=dépense)(?P<p>s?)(?P<s> from \S+ to \S+| from \S+| up to \S+)(?= )",
        lambda m: m["p"] + _range_fr(m["s"]),
    ),
    (
        r"; did you mean (?P<a>'[^']*') or (?P<b>'[^']*') or (?P<c>'[^']*')\?$",
        r" ; vouliez-vous dire \g<a>, \g<b> ou \g<c> ?",
    ),
    (
        r"; did you mean (?P<a>'[^']*') or (?P<b>'[^']*')\?$",
        r" ; vouliez-vous dire \g<a> ou \g<b> ?",
    ),
    (r"; did you mean (?P<a>'[^']*')\?$", r" ; vouliez-vous dire \g<a> ?"),
    (
        r"^(?P<k>\w+): null where (?P<d>\w+) = 0 \(division by zero\)$",
        r"\g<k> : vide là où \g<d> = 0 (division par zéro)",
    ),
    # the pipeline forecast
    (
        r"^only (?P<n>\d+) closed deal\(s\) to learn win rates and delays from$",
        r"seulement \g<n> affaire(s) clôturée(s) pour apprendre les taux de gain et les délais",
    ),
    (
        r"^nothing to forecast: no deal is open and no lead is in the funnel \(created in the "
        r"(?P<d>\d+) days before (?P<a>\S+), without a deal, not disqualified or rejected\)",
        r"rien à prévoir : aucune affaire n'est ouverte et aucun lead n'est dans l'entonnoir "
        r"(créé dans les \g<d> jours avant le \g<a>, sans affaire, ni disqualifié ni rejeté)",
    ),
    (
        r"^nothing to forecast: no won deal has an amount, so a win forecasts no revenue",
        r"rien à prévoir : aucune affaire gagnée n'a de montant, un gain ne prévoit donc aucun "
        r"chiffre d'affaires",
    ),
    (
        r"^nothing to forecast: the history holds no win for deals or leads like the "
        r"(?P<o>\d+) open deal\(s\) and (?P<f>\d+) lead\(s\) in the funnel \(as old, at the "
        r"same stage\)",
        r"rien à prévoir : l'historique ne contient aucun gain pour des affaires ou des leads "
        r"comme les \g<o> affaire(s) ouverte(s) et les \g<f> lead(s) de l'entonnoir (aussi "
        r"anciens, à la même étape)",
    ),
    (
        r"(?<=^rien à prévoir : )(?P<w>.+); every month is 0, with no interval$",
        r"\g<w> ; chaque mois vaut 0, sans intervalle",
    ),
    # what to do after a refused ingest (the hints of ValidationError)
    (
        r"^Nothing was loaded, whatever the policy: fix the configuration as each problem "
        r"says \(sources\[\]\.columns for a missing column, delimiter for a header read as "
        r"one column, date_formats for dates\)\.$",
        r"Rien n'a été chargé, quelle que soit la politique : corrigez la configuration comme "
        r"le dit chaque problème (sources[].columns pour une colonne manquante, delimiter pour "
        r"un en-tête lu comme une seule colonne, date_formats pour les dates).",
    ),
    (
        r"the header line is separated by (?P<d>'[^']*'), but the file was read with "
        r"delimiter: (?P<r>'[^']*'): set delimiter: (?P<s>'[^']*') on this source in "
        r"leadpilot\.yaml",
        r"la ligne d'en-tête est séparée par \g<d>, mais le fichier a été lu avec delimiter: "
        r"\g<r> : indiquez delimiter: \g<s> sur cette source dans leadpilot.yaml",
    ),
    (
        r"the header line is separated by (?P<d>'[^']*'): set delimiter: (?P<s>'[^']*') on "
        r"this source in leadpilot\.yaml",
        r"la ligne d'en-tête est séparée par \g<d> : indiquez delimiter: \g<s> sur cette "
        r"source dans leadpilot.yaml",
    ),
    (r"^Nothing was loaded\.$", r"Rien n'a été chargé."),
    (r"^Fix the path file\.$", r"Corrigez le fichier de parcours."),
    (r"^Nothing was scored\.$", r"Rien n'a été scoré."),
    (r"^Fix the file; nothing was scored\.$", r"Corrigez le fichier ; rien n'a été scoré."),
    (
        r"^The file must be in the canonical leads layout\.$",
        r"Le fichier doit suivre la disposition canonique des leads.",
    ),
    (
        r"^leads: the lead rule of leadpilot\.yaml \(leads:\) changed since the last ingest; "
        r"every count applies it now \(exclusions and e-mail merges recomputed as the data "
        r"is read\), and the next ingest stores it$",
        r"leads : la règle des leads de leadpilot.yaml (leads:) a changé depuis le dernier "
        r"chargement ; chaque comptage l'applique déjà (exclusions et fusions par e-mail "
        r"recalculées à la lecture), et le prochain chargement l'enregistre",
    ),
    (
        r"Fix the file\(s\) or ingest with --policy quarantine to load the good rows\.",
        r"Corrigez le(s) fichier(s) ou relancez avec --policy quarantine pour charger les "
        r"lignes valides.",
    ),
    # the notes of the activity view (kpis, velocity)
    (
        r"^activity view: rates divide flows of the same period \(e\.g\. customers won this "
        r"month / leads created this month\), not a cohort's conversion$",
        r"vue activité : les taux divisent des flux de la même période (par ex. clients gagnés "
        r"ce mois-ci / leads créés ce mois-ci), pas la conversion d'une cohorte",
    ),
    (
        r"^conversion by age \(Kaplan–Meier\) follows the leads from their creation: it is "
        r"drawn in the cohort view only$",
        r"la conversion selon l'âge (Kaplan–Meier) suit les leads depuis leur création : elle "
        r"n'est tracée que dans la vue cohorte",
    ),
    # attribution: its source, and the models a path file cannot feed
    (
        r"^path file (?P<f>.+) \(separator (?P<s>'[^']*'|\"[^\"]*\")\)$",
        r"fichier de parcours \g<f> (séparateur \g<s>)",
    ),
    (r"^workspace$", r"espace de travail"),
    (
        r"^not computed from a path file \(they need touch times or stage dates\): ",
        r"non calculés à partir d'un fichier de parcours (il leur faut l'heure des points de "
        r"contact ou les dates d'étape) : ",
    ),
    # durations left out (velocity, duration KPIs)
    (
        r"^(?P<k>\S+): (?P<n>[\d,]+) (?P<w>duration|lead)\(s\) left out"
        r"(?: \((?P<o>leads created|durations ending)(?P<s> from \S+ to \S+| from \S+| up to "
        r"\S+)\))?: (?P<a>.+) dated before (?P<b>.+)$",
        lambda m: (
            f"{m['k']} : {_number_fr(m['n'])} "
            + ("durée(s) écartée(s)" if m["w"] == "duration" else "lead(s) écarté(s)")
            + (f" ({_SCOPES_FR[m['o']]}{_range_fr(m['s'])})" if m["o"] else "")
            + f" : date {_date_label_fr(m['a'], 'de')} antérieure {_date_label_fr(m['b'], 'à')}"
        ),
    ),
    (
        r"^--kpi all in the (?P<v>\w+) view leaves out (?P<k>.+): cohort KPIs \(leads engaged "
        r"within the window after their creation\); see them with --view cohort$",
        lambda m: (
            f"--kpi all dans la vue {'activité' if m['v'] == 'activity' else m['v']} écarte "
            f"{m['k']} : indicateurs de cohorte (leads engagés dans la fenêtre qui suit leur "
            "création) ; voyez-les avec --view cohort"
        ),
    ),
    # plan
    (
        r"^no spend in the reference window \((?P<a>\S+) to (?P<b>\S+), the mature cohorts the "
        r"plan reads its rates from\): a budget is spread like that window's spend, and "
        r"(?P<held>the workspace holds no spend|the spend loaded runs from (?P<f>\S+) to "
        r"(?P<l>\S+)); (?P<fix>.+), or plan from a revenue target instead \(--target-revenue\)$",
        lambda m: (
            f"aucune dépense sur la fenêtre de référence (du {m['a']} au {m['b']}, les cohortes "
            "mûres dont le plan lit les taux) : un budget se répartit comme les dépenses de "
            "cette fenêtre, et "
            + ("l'espace de travail n'en contient aucune ; chargez les exports de dépenses "
               "publicitaires (table spend : date, channel, amount)"
               if m["f"] is None else
               f"les dépenses chargées vont du {m['f']} au {m['l']} ; chargez les dépenses de "
               "cette fenêtre")
            + ", ou planifiez à partir d'un objectif de chiffre d'affaires (--target-revenue)"
        ),
    ),
    (
        r"^(?P<c>[^:]+): no spend in the reference window, so no budget \(organic, or spend "
        r"not loaded\)$",
        r"\g<c> : aucune dépense sur la fenêtre de référence, donc pas de budget (canal "
        r"organique, ou dépenses non chargées)",
    ),
    (
        r"^whole customers: the plan's customers bring (?P<p>\S+), (?P<x>\S+) times the "
        r"target; (?P<l>.+) hold less than one customer of it and each asks for a whole one: "
        r"give --mix to spread the target over fewer channels$",
        r"clients entiers : les clients du plan apportent \g<p>, \g<x> fois l'objectif ; "
        r"\g<l> en portent moins d'un client et en demandent chacun un entier : donnez --mix "
        r"pour répartir l'objectif sur moins de canaux",
    ),
    (
        r"^open deals: (?P<r>\S+) of the reference window's opportunities became customers so "
        r"far, against a win rate of (?P<w>\S+) \(won / closed deals\): the plan counts the "
        r"opportunities still open as closing at the win rate; if they are stale, it takes "
        r"(?P<a>\S+) leads instead of (?P<b>\S+)$",
        lambda m: (
            f"affaires ouvertes : {_pct_fr(m['r'])} des opportunités de la fenêtre de référence "
            f"sont devenues clientes à ce jour, contre un taux de gain de {_pct_fr(m['w'])} "
            "(affaires gagnées / conclues) : le plan compte les opportunités encore ouvertes "
            f"comme gagnées à ce taux ; si elles sont à l'abandon, il faut {m['a']} leads au "
            f"lieu de {m['b']}"
        ),
    ),
    (
        r"^open deals: (?P<r>\S+) of the reference window's opportunities became customers so "
        r"far, against a win rate of (?P<w>\S+) \(won / closed deals\): the expected customers "
        r"count the opportunities still open as closing at the win rate; if they are stale, "
        r"(?P<a>\S+) customers instead of (?P<b>\S+)$",
        lambda m: (
            f"affaires ouvertes : {_pct_fr(m['r'])} des opportunités de la fenêtre de référence "
            f"sont devenues clientes à ce jour, contre un taux de gain de {_pct_fr(m['w'])} "
            "(affaires gagnées / conclues) : les clients attendus comptent les opportunités "
            "encore ouvertes comme gagnées à ce taux ; si elles sont à l'abandon, "
            f"{m['a']} clients au lieu de {m['b']}"
        ),
    ),
    # plan --budget --shift
    (
        r"^--shift leaves a negative budget for (?P<c>.+): the budget is spread like the "
        r"reference window's spend before the shifts \((?P<s>[^)]*)\); move at most that much "
        r"away from a channel$",
        r"--shift laisse un budget négatif à \g<c> : le budget est réparti comme les dépenses "
        r"de la fenêtre de référence avant les transferts (\g<s>) ; retirez au plus ce montant "
        r"d'un canal",
    ),
    (r"^the shifts add (?P<n>\S+) to the budget$", r"les transferts ajoutent \g<n> au budget"),
    (
        r"^(?P<c>[^:]+): (?P<a>\S+) is outside the spend observed for it \((?P<o>\S+) per "
        r"(?P<m>\d+) months in the reference year, ±50 %\): constant cost per lead is an "
        r"assumption there$",
        r"\g<c> : \g<a> sort de ±50 % des dépenses observées sur ce canal (\g<o> par \g<m> "
        r"mois sur l'année de référence) : le coût par lead constant y est une hypothèse",
    ),
    (
        r"^the budget \((?P<b>\S+) for (?P<m>\d+) months\) is (?P<x>\S+) times the spend "
        r"observed per (?P=m) months in the reference year \((?P<o>\S+)\): spread like that "
        r"spend, every channel's budget before the shifts is as far from its own \(±50 %\), "
        r"not only the shifted ones; constant cost per lead is an assumption there$",
        r"le budget (\g<b> pour \g<m> mois) vaut \g<x> fois les dépenses observées par \g<m> "
        r"mois sur l'année de référence (\g<o>) : réparti comme ces dépenses, le budget de "
        r"chaque canal avant les transferts s'éloigne autant des siennes (±50 %), pas "
        r"seulement celui des canaux déplacés ; le coût par lead constant y est une hypothèse",
    ),
)


@cache
def _error_patterns(lang: str) -> tuple[tuple[re.Pattern, str | Callable[[re.Match], str]], ...]:
    patterns = _ERROR_PATTERNS_FR if lang == "fr" else ()
    return tuple((re.compile(p), r) for p, r in patterns)


def message_in(text: str, lang: str) -> str:
    """A message (an error, a part of one, or a note shown with a result) in ``lang``, as
    far as the patterns know it; a translated message writes its numbers as the language
    does ('1 200,00' in French)."""
    translated = False
    for pattern, french in _error_patterns(lang):
        text, n = pattern.subn(french, text)
        translated = translated or n > 0
    return numbers_fr(text) if translated and lang == "fr" else text


# A number as the English messages write it ('1,200.00', '12,345', '0.25'), standing alone:
# not a piece of a date, a time, a version, a name or a key ('2025-01-01', '10:30:00.25',
# '0.1.0', 'v1.5', 'ingest.max_amount').
_ENGLISH_NUMBER = re.compile(
    r"(?<![\w.,:/-])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+)(?![\w-]|[.,:]\d)"
)
# What a message quotes is a value or a name as written, and what it writes in braces or
# brackets is configuration to copy ({USD: 0.92}, [amount]): left as it is (a French
# apostrophe, between two letters, quotes nothing)
_QUOTED = re.compile(
    r"((?<!\w)'[^']*'(?!\w)|\"[^\"]*\"|`[^`]*`|\{[^{}]*\}|\[[^\[\]]*\])"
)


def numbers_fr(text: str) -> str:
    """The numbers of an English-written message as French writes them ('1,200.00' ->
    '1 200,00', with a narrow no-break space), outside what it quotes."""
    parts = _QUOTED.split(text)
    for i in range(0, len(parts), 2):  # the even parts are outside quotes
        parts[i] = _ENGLISH_NUMBER.sub(lambda m: _number_fr(m.group(1)), parts[i])
    return "".join(parts)


# PROBLEM_WORDS (errors.py) in French
_PROBLEM_WORDS_FR = {
    "row": ", ligne {}",
    "column": ", colonne {!r}",
    "empty": " : valeur vide",
    "got": " : lu {!r}",
    "expected": " ; attendu : {}",
    "fix": " ; correction : {}",
    "no_detail": "sans détail",
    "more": " (et {} autre(s) problème(s) dans {})",
    "summary": "{} problème(s) ; rien n'a été chargé. Premier : {}{}. {}",
    "thousands": "\u202f",  # 2 381, as Babel writes French numbers
}


def problem_text(problem: Problem, lang: str) -> str:
    """One validation problem, as a person reads it: where, the value as written, what
    was expected and the fix (English: ``str(problem)``)."""
    if lang != "fr":
        return str(problem)
    return problem.text(_PROBLEM_WORDS_FR, lambda text: message_in(text, lang))


def error_text(exc: LeadpilotError, lang: str) -> str:
    """The message of an error in ``lang`` (English: ``str(exc)``)."""
    if lang != "fr":
        return str(exc)
    if isinstance(exc, ValidationError):
        return exc.text(_PROBLEM_WORDS_FR, lambda text: message_in(text, lang))
    return message_in(str(exc), lang)


ERROR_PREFIX = {"en": "leadpilot: error: ", "fr": "leadpilot : erreur : "}
