"""KPI definitions as data. Each KPI is defined once here; the compiler turns
the definitions into Ibis expressions and the definitions travel with results.

A KPI is built from *measures*, the named aggregations of the measure registry
(:mod:`leadpilot.metrics.measures`): a count or sum is one measure, a rate is numerator /
denominator (with a Wilson interval), a ratio is money / count (no interval), a duration
runs from one measure's date to another's. The columns of the secondary reports
(``REPORT_MEASURES``) name measures too. :func:`load_catalog` checks every entry when the
catalog loads: a KPI naming an unknown measure is a :class:`~leadpilot.errors.ConfigError`,
never a number computed from nothing.

Every rule a person reads is a :class:`Text`: the English and the French, written
together. JSON, CSV and the API carry the English (``meta.definitions``); a result's
``definitions_in(lang)`` gives them in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from ..errors import ConfigError
from ..text import Text, localized, texts_in  # noqa: F401 - re-exported (metrics.catalog is where they were)
from .measures import CTA_TYPES, MEASURES, Measure, expand, keyed

Kind = Literal["count", "sum", "rate", "ratio", "duration"]


@dataclass(frozen=True)
class Kpi:
    name: str
    label_en: str
    label_fr: str
    kind: Kind
    unit: str  # "leads", "currency", "fraction", "days"
    higher_is_better: bool
    definition: Text  # one sentence: how it is computed, in English and in French
    numerator: str | None = None  # measure name; durations: the measure whose date starts it
    denominator: str | None = None  # measure name (rates and ratios); durations: the end
    view: Literal["cohort", "activity", "period"] = "cohort"
    short: str = ""  # column header in narrow terminal tables
    # A rate measured only where these measures are not all 0 (data recorded, not implied);
    # elsewhere it is null with ``unmeasured`` as the reason.
    measured_by: tuple[str, ...] = ()
    unmeasured: str = ""

    @property
    def header(self) -> str:
        return self.short or self.name

    @property
    def measures(self) -> tuple[str, ...]:
        """The measures it names (numerator, denominator, measured_by)."""
        return tuple(m for m in (self.numerator, self.denominator, *self.measured_by) if m)

    def reads(self, measure: str) -> bool:
        """Does it aggregate the measure (directly or through a derived one)? A duration
        reads only dates."""
        return self.kind != "duration" and measure in expand([self.numerator, self.denominator])

    def applies_to(self, view: str) -> bool:
        """Can ``view`` compute it? Engagement within a window after creation is a cohort
        measure: the activity view has no such flow."""
        if self.kind == "duration":
            return True
        check = "in_activity_view" if view == "activity" else "in_cohort_view"
        return all(getattr(MEASURES[m], check) for m in self.measures)

    @property
    def rule(self) -> str:
        """How it is computed, in English (``meta.definitions``)."""
        return self.definition.en

    @property
    def rule_fr(self) -> str:
        """How it is computed, in French."""
        return self.definition.fr

    def definition_for(self, view: str) -> Text:
        """The rule as the chosen view computes it: in the activity view a count is what
        happened in the period, and a rate divides two flows of the same period."""
        if view != "activity" or self.view != "cohort" or self.kind == "duration":
            return self.definition
        num = _activity(self.numerator)
        den = _activity(self.denominator)
        if num is None or (self.denominator and den is None):
            return self.definition
        if self.kind in ("count", "sum"):
            word = Text("Number of", "Nombre de") if self.kind == "count" else Text(
                "Sum of", "Somme des"
            )
            return Text(f"{word.en} {num.en}.", f"{word.fr} {num.fr}.")
        extra = Text(f", {WILSON.en}", f", {WILSON.fr}") if self.kind == "rate" else Text(
            "; null when the second is 0", " ; null si le second est nul"
        )
        return Text(
            f"({num.en}) / ({den.en}): two flows of the same period, not a cohort's "
            f"conversion{extra.en}.",
            f"({num.fr}) / ({den.fr}) : deux flux de la même période, pas la conversion "
            f"d'une cohorte{extra.fr}.",
        )

    def as_dict(self, view: str = "cohort") -> dict:
        rule = self.definition_for(view)
        return {
            "name": self.name,
            "label_en": self.label_en,
            "label_fr": self.label_fr,
            "kind": self.kind,
            "unit": self.unit,
            "higher_is_better": self.higher_is_better,
            "view": self.view,
            "rule": rule.en,
            "rule_fr": rule.fr,
        }


COHORT = Text(
    "leads created in the period (after e-mail deduplication and the lead rule)",
    "leads créés sur la période (après dédoublonnage par e-mail et application de la règle "
    "des leads)",
)
WILSON = Text("with a 95 % Wilson interval", "avec un intervalle de confiance de Wilson à 95 %")


ACCEPTANCE_UNMEASURED = (
    "no sales-acceptance event was recorded (no sal or rejected stage event): SALs are only "
    "implied by later stages, so acceptance is not measured; record sales acceptance (stage "
    "sal) or rejection (stage rejected) to measure it"
)


def _reached(stage: str, stage_fr: str) -> Text:
    return Text(
        f"Number of {COHORT.en} that reached {stage} or any later stage.",
        f"Nombre de {COHORT.fr} ayant atteint {stage_fr} ou une étape ultérieure.",
    )


def _rate(num: str, den: str, extra: str = "", extra_fr: str = "") -> Text:
    return Text(
        f"{num} / {den} of the same cohort{extra}, {WILSON.en}.",
        f"{num} / {den} de la même cohorte{extra_fr}, {WILSON.fr}.",
    )


def _cost(den: str, den_fr: str | None = None) -> Text:
    return Text(
        f"spend / {den} of the same period and group; null when there are none.",
        f"dépenses / {den_fr or den} de la même période et du même groupe ; null s'il n'y en "
        "a aucun.",
    )


# How a duration names the measures whose dates start and end it.
DURATION_START = {
    "leads": Text("lead creation", "la création du lead"),
    "opportunities": Text("opportunity", "l'ouverture de l'opportunité"),
}
DURATION_END = {
    "mqls": Text("MQL", "le passage en MQL"),
    "sqls": Text("SQL", "le passage en SQL"),
    "opportunities": Text("opportunity", "le passage en opportunité"),
    "customers": Text("won (customer)", "la signature (client)"),
}


def _duration(name: str, en: str, fr: str, start: str, end: str, among: Text) -> Kpi:
    what, stage = DURATION_START[start], DURATION_END[end]
    return Kpi(
        name,
        en,
        fr,
        "duration",
        "days",
        False,
        Text(
            f"days from {what.en} to {stage.en}, among the {among.en}: median (mean and 75th "
            f"percentile as {name}_mean / {name}_p75, count as {name}_n); a stage a lead "
            "skipped, implied by a later one (stages.implied), is dated at that later stage; "
            "cohort view groups by creation date, activity view by the date the later stage "
            "was reached.",
            f"jours entre {what.fr} et {stage.fr}, parmi les {among.fr} : médiane (moyenne et "
            f"75e centile dans {name}_mean / {name}_p75, effectif dans {name}_n) ; une étape "
            "sautée par un lead, déduite d'une étape ultérieure (stages.implied), est datée de "
            "cette étape ultérieure ; la vue cohorte regroupe par date de création, la vue "
            "activité par la date à laquelle l'étape finale a été atteinte.",
        ),
        numerator=start,
        denominator=end,
        short=name.replace("days_to_", "→").replace("_days", "").replace("_cycle", " cycle"),
    )


def _activity(measure: str | None) -> Text | None:
    """What the measure counts in the activity view (the registry's sentence)."""
    return MEASURES[measure].activity if measure in MEASURES else None


KPIS: tuple[Kpi, ...] = (
    # volume
    Kpi(
        "leads",
        "Leads",
        "Leads",
        "count",
        "leads",
        True,
        Text(f"Number of {COHORT.en}.", f"Nombre de {COHORT.fr}."),
        numerator="leads",
    ),
    Kpi(
        "mqls",
        "MQLs",
        "MQL",
        "count",
        "leads",
        True,
        _reached("MQL", "l'étape MQL"),
        numerator="mqls",
    ),
    Kpi(
        "sals",
        "SALs (accepted by sales)",
        "SAL (acceptés par les ventes)",
        "count",
        "leads",
        True,
        _reached("SAL (accepted by sales)", "l'étape SAL (acceptés par les ventes)"),
        numerator="sals",
    ),
    Kpi(
        "sqls",
        "SQLs",
        "SQL",
        "count",
        "leads",
        True,
        _reached("SQL", "l'étape SQL"),
        numerator="sqls",
    ),
    Kpi(
        "opportunities",
        "Opportunities",
        "Opportunités",
        "count",
        "leads",
        True,
        _reached("opportunity (or has a deal)", "l'étape opportunité (ou liés à une affaire)"),
        numerator="opportunities",
        short="opps",
    ),
    Kpi(
        "customers",
        "Customers",
        "Clients",
        "count",
        "leads",
        True,
        Text(
            f"Number of {COHORT.en} that became customers (customer stage or a won deal).",
            f"Nombre de {COHORT.fr} devenus clients (étape client ou affaire gagnée).",
        ),
        numerator="customers",
        short="cust.",
    ),
    Kpi(
        "rejected",
        "Rejected by sales",
        "Rejetés par les ventes",
        "count",
        "leads",
        False,
        Text(
            f"Number of {COHORT.en} that sales rejected (an exit of the funnel).",
            f"Nombre de {COHORT.fr} rejetés par les ventes (une sortie de l'entonnoir).",
        ),
        numerator="rejected",
    ),
    Kpi(
        "disqualified",
        "Disqualified",
        "Disqualifiés",
        "count",
        "leads",
        False,
        Text(
            f"Number of {COHORT.en} that were disqualified (an exit of the funnel).",
            f"Nombre de {COHORT.fr} disqualifiés (une sortie de l'entonnoir).",
        ),
        numerator="disqualified",
        short="disq.",
    ),
    Kpi(
        "revenue",
        "Revenue",
        "Chiffre d'affaires",
        "sum",
        "currency",
        True,
        Text(
            f"Sum of won deal amounts of the {COHORT.en}, credited to the lead's own "
            "channel (source-channel rule; attribution models are separate).",
            f"Somme des montants des affaires gagnées des {COHORT.fr}, créditée au canal "
            "du lead lui-même (règle du canal source ; les modèles d'attribution sont "
            "traités à part).",
        ),
        numerator="revenue",
    ),
    Kpi(
        "spend",
        "Spend",
        "Dépenses",
        "sum",
        "currency",
        False,
        Text(
            "Sum of spend dated in the period, matched on channel (and campaign / content "
            "when grouped by them); spend with no leads is kept.",
            "Somme des dépenses datées dans la période, rapprochées par canal (et par "
            "campagne / contenu quand on regroupe par ces dimensions) ; les dépenses sans "
            "lead sont conservées.",
        ),
        numerator="spend",
        view="period",
    ),
    # funnel rates
    Kpi(
        "lead_to_mql",
        "Lead → MQL",
        "Lead → MQL",
        "rate",
        "fraction",
        True,
        _rate("mqls", "leads"),
        numerator="mqls",
        denominator="leads",
        short="L→MQL",
    ),
    Kpi(
        "mql_to_sal",
        "Acceptance rate (MQL → SAL)",
        "Taux d'acceptation (MQL → SAL)",
        "rate",
        "fraction",
        True,
        _rate(
            "sals",
            "mqls",
            " (MQLs accepted by sales / MQLs transmitted)",
            " (MQL acceptés par les ventes / MQL transmis)",
        )
        + Text(
            " Measured only where sales acceptance was recorded (a sal or rejected stage "
            "event); elsewhere null with the reason.",
            " Mesuré uniquement là où l'acceptation par les ventes a été enregistrée (un "
            "événement d'étape sal ou rejected) ; ailleurs null, avec le motif.",
        ),
        numerator="sals",
        denominator="mqls",
        short="MQL→SAL",
        measured_by=("sals_recorded", "rejected"),
        unmeasured=ACCEPTANCE_UNMEASURED,
    ),
    Kpi(
        "mql_to_sql",
        "MQL → SQL",
        "MQL → SQL",
        "rate",
        "fraction",
        True,
        _rate("sqls", "mqls"),
        numerator="sqls",
        denominator="mqls",
        short="MQL→SQL",
    ),
    Kpi(
        "sql_to_opportunity",
        "SQL → opportunity",
        "SQL → opportunité",
        "rate",
        "fraction",
        True,
        _rate("opportunities", "sqls"),
        numerator="opportunities",
        denominator="sqls",
        short="SQL→opp",
    ),
    Kpi(
        "opportunity_to_customer",
        "Win rate (closed deals)",
        "Taux de gain",
        "rate",
        "fraction",
        True,
        Text(
            f"won deals / closed (won + lost) deals of the cohort's leads, {WILSON.en}; "
            "open deals are left out.",
            "affaires gagnées / affaires clôturées (gagnées + perdues) des leads de la "
            f"cohorte, {WILSON.fr} ; les affaires en cours sont exclues.",
        ),
        numerator="won_deals",
        denominator="closed_deals",
        short="win",
    ),
    Kpi(
        "lead_to_customer",
        "Closing rate",
        "Taux de closing",
        "rate",
        "fraction",
        True,
        _rate("customers", "leads"),
        numerator="customers",
        denominator="leads",
        short="L→cust.",
    ),
    # cost
    Kpi(
        "cpl",
        "Cost per lead",
        "Coût par lead",
        "ratio",
        "currency",
        False,
        _cost("leads"),
        numerator="spend",
        denominator="leads",
    ),
    Kpi(
        "cost_per_mql",
        "Cost per MQL",
        "Coût par MQL",
        "ratio",
        "currency",
        False,
        _cost("mqls"),
        numerator="spend",
        denominator="mqls",
        short="cost/MQL",
    ),
    Kpi(
        "cost_per_sql",
        "Cost per SQL",
        "Coût par SQL",
        "ratio",
        "currency",
        False,
        _cost("sqls"),
        numerator="spend",
        denominator="sqls",
        short="cost/SQL",
    ),
    Kpi(
        "cost_per_opportunity",
        "Cost per opportunity",
        "Coût par opportunité",
        "ratio",
        "currency",
        False,
        _cost("opportunities"),
        numerator="spend",
        denominator="opportunities",
        short="cost/opp",
    ),
    Kpi(
        "cac",
        "Customer acquisition cost",
        "Coût d'acquisition client",
        "ratio",
        "currency",
        False,
        _cost(
            "customers (new customers of the cohort)",
            "customers (nouveaux clients de la cohorte)",
        ),
        numerator="spend",
        denominator="customers",
    ),
    Kpi(
        "avg_deal_size",
        "Average deal size",
        "Panier moyen",
        "ratio",
        "currency",
        True,
        Text(
            "revenue / won deals with an amount, of the cohort's leads (a won deal without "
            "an amount is left out, not counted as 0).",
            "chiffre d'affaires / nombre d'affaires gagnées ayant un montant, des leads de "
            "la cohorte (une affaire gagnée sans montant est écartée, pas comptée 0).",
        ),
        numerator="revenue",
        denominator="priced_won_deals",
        short="avg deal",
    ),
    Kpi(
        "roas",
        "Return on ad spend",
        "ROAS",
        "ratio",
        "multiple",
        True,
        Text(
            "revenue / spend (revenue by the lead's source channel); null without spend.",
            "chiffre d'affaires / dépenses (chiffre d'affaires rattaché au canal source du "
            "lead) ; null sans dépenses.",
        ),
        numerator="revenue",
        denominator="spend",
    ),
    Kpi(
        "roi",
        "Return on investment",
        "ROI",
        "ratio",
        "fraction",
        True,
        Text(
            "(revenue − spend) / spend (revenue by the lead's source channel); null "
            "without spend.",
            "(chiffre d'affaires − dépenses) / dépenses (chiffre d'affaires rattaché au "
            "canal source du lead) ; null sans dépenses.",
        ),
        numerator="margin",
        denominator="spend",
    ),
    Kpi(
        "pipeline_value",
        "Open pipeline",
        "Pipeline ouvert",
        "sum",
        "currency",
        True,
        Text(
            "cohort view: amount of the cohort's deals still open today; activity view: "
            "amount of deals open at the period's end (created by then, not closed by "
            "then).",
            "vue cohorte : montant des affaires de la cohorte encore ouvertes aujourd'hui ; "
            "vue activité : montant des affaires ouvertes à la fin de la période (créées "
            "avant cette date et pas encore clôturées à cette date).",
        ),
        numerator="pipeline_value",
        short="pipeline",
    ),
    # engagement and traffic
    Kpi(
        "engagement_rate",
        "Engagement rate",
        "Taux d'engagement",
        "rate",
        "fraction",
        True,
        Text(
            "leads with an engagement touch (types in engagement.types) within "
            "engagement.window_days after creation / leads of the cohort, with a 95 % "
            "Wilson interval.",
            "leads ayant eu une interaction d'engagement (types listés dans "
            "engagement.types) dans les engagement.window_days jours suivant leur "
            f"création / leads de la cohorte, {WILSON.fr}.",
        ),
        numerator="engaged_leads",
        denominator="leads",
        short="engaged",
    ),
    Kpi(
        "social_engagement_rate",
        "Social engagement rate",
        "Taux d'engagement social",
        "rate",
        "fraction",
        True,
        Text(
            "leads with a social touch within engagement.window_days after creation / "
            f"leads of the cohort, {WILSON.en}.",
            "leads ayant eu une interaction sociale (social) dans les "
            "engagement.window_days jours suivant leur création / leads de la cohorte, "
            f"{WILSON.fr}.",
        ),
        numerator="social_leads",
        denominator="leads",
        short="social",
    ),
    Kpi(
        "email_open_rate",
        "E-mail open rate",
        "Taux d'ouverture",
        "rate",
        "fraction",
        True,
        Text(
            "email_open touches / email_send touches of the cohort's leads.",
            "interactions email_open / interactions email_send des leads de la cohorte.",
        ),
        numerator="email_opens",
        denominator="email_sends",
        short="open",
    ),
    Kpi(
        "email_click_rate",
        "E-mail click rate",
        "Taux de clic",
        "rate",
        "fraction",
        True,
        Text(
            "email_click touches / email_send touches of the cohort's leads.",
            "interactions email_click / interactions email_send des leads de la cohorte.",
        ),
        numerator="email_clicks",
        denominator="email_sends",
        short="click",
    ),
    Kpi(
        "touches_per_lead",
        "Touches per lead",
        "Interactions par lead",
        "ratio",
        "touches",
        True,
        Text(
            "touchpoints of the cohort's leads (any date) / leads.",
            "interactions (touchpoints) des leads de la cohorte (toutes dates) / leads.",
        ),
        numerator="touches",
        denominator="leads",
        short="touch/L",
    ),
    Kpi(
        "visitors",
        "Visitors",
        "Visiteurs",
        "sum",
        "visitors",
        True,
        Text(
            "Sum of traffic visitors dated in the period (by channel / content when "
            "grouped by them).",
            "Somme des visiteurs du trafic datés dans la période (par canal / contenu "
            "quand on regroupe par ces dimensions).",
        ),
        numerator="visitors",
        view="period",
    ),
    Kpi(
        "visitor_to_lead",
        "Visitor → lead",
        "Visiteur → lead",
        "rate",
        "fraction",
        True,
        Text(
            f"leads / visitors of the same period and group, {WILSON.en}.",
            f"leads / visiteurs de la même période et du même groupe, {WILSON.fr}.",
        ),
        numerator="leads",
        denominator="visitors",
        short="V→L",
    ),
    # velocity: days between two stage dates of the lead model, among the leads that
    # reached the later one; the median under the KPI's name, mean and p75 beside it
    *(
        _duration(name, en, fr, start, end, among)
        for name, en, fr, start, end, among in (
            (
                "days_to_mql",
                "Days to MQL",
                "Délai jusqu'au MQL",
                "leads",
                "mqls",
                Text("leads that reached MQL", "leads passés en MQL"),
            ),
            (
                "days_to_sql",
                "Days to SQL",
                "Délai jusqu'au SQL",
                "leads",
                "sqls",
                Text("leads that reached SQL", "leads passés en SQL"),
            ),
            (
                "days_to_opportunity",
                "Days to opportunity",
                "Délai jusqu'à l'opportunité",
                "leads",
                "opportunities",
                Text("leads that reached opportunity", "leads passés en opportunité"),
            ),
            (
                "sales_cycle_days",
                "Sales cycle (days)",
                "Cycle de vente (jours)",
                "leads",
                "customers",
                Text("customers", "clients"),
            ),
            (
                "opportunity_cycle_days",
                "Opportunity cycle (days)",
                "Cycle d'opportunité (jours)",
                "opportunities",
                "customers",
                Text(
                    "customers with an opportunity date",
                    "clients ayant une date d'opportunité",
                ),
            ),
        )
    ),
)

# The secondary reports' columns (content, sources, retention): defined here too, with
# their labels and rules, so that every number leadpilot prints has one definition. Each
# names the measures it is computed from (a rate: numerator / denominator).


def _m(name, en, fr, kind, unit, rule: Text, num, den=None, view="cohort") -> Kpi:
    return Kpi(name, en, fr, kind, unit, True, rule, numerator=num, denominator=den, view=view)


REPORT_MEASURES: dict[str, dict[str, Kpi]] = {
    report: {k.name: k for k in measures}
    for report, measures in {
        "content": (
            _m(
                "views",
                "Views",
                "Vues",
                "count",
                "touches",
                Text(
                    "visit touchpoints on the content (any date).",
                    "interactions de type visit sur le contenu (toutes dates).",
                ),
                num="views",
                view="activity",
            ),
            _m(
                "cta_clicks",
                "CTA clicks",
                "Clics sur les appels à l'action",
                "count",
                "touches",
                Text(
                    f"touchpoints of types {', '.join(CTA_TYPES)} on the content.",
                    f"interactions de types {', '.join(CTA_TYPES)} sur le contenu.",
                ),
                num="cta_clicks",
                view="activity",
            ),
            _m(
                "leads_first_touched",
                "Leads first touched",
                "Leads au premier contact",
                "count",
                "leads",
                Text(
                    "counted leads whose first touch with a content was this one.",
                    "leads comptés dont la première interaction avec un contenu a porté sur "
                    "celui-ci.",
                ),
                num="leads",
            ),
            _m(
                "mqls",
                "MQLs",
                "MQL",
                "count",
                "leads",
                Text(
                    "those leads that reached MQL (stage implication as configured).",
                    "parmi ces leads, ceux qui ont atteint l'étape MQL (étapes antérieures "
                    "implicites selon la configuration).",
                ),
                num="mqls",
            ),
            _m(
                "sqls",
                "SQLs",
                "SQL",
                "count",
                "leads",
                Text(
                    "those leads that reached SQL.",
                    "parmi ces leads, ceux qui ont atteint l'étape SQL.",
                ),
                num="sqls",
            ),
            _m(
                "customers",
                "Customers",
                "Clients",
                "count",
                "leads",
                Text(
                    "those leads that became customers.",
                    "parmi ces leads, ceux qui sont devenus clients.",
                ),
                num="customers",
            ),
            _m(
                "revenue",
                "Revenue",
                "Chiffre d'affaires",
                "sum",
                "currency",
                Text(
                    "won deal amounts of those leads.",
                    "montants des affaires gagnées de ces leads.",
                ),
                num="revenue",
            ),
            _m(
                "lead_to_customer",
                "Lead → customer",
                "Lead → client",
                "rate",
                "fraction",
                Text(
                    "customers / leads_first_touched.",
                    "clients / leads au premier contact (customers / leads_first_touched).",
                ),
                num="customers",
                den="leads",
            ),
        ),
        "sources": (
            _m(
                "lead_share",
                "Share of leads",
                "Part des leads",
                "rate",
                "fraction",
                Text(
                    f"leads of the group / all leads of the period, {WILSON.en}.",
                    f"leads du groupe / ensemble des leads de la période, {WILSON.fr}.",
                ),
                num="leads",
                den="leads",
            ),
            _m(
                "customer_share",
                "Share of customers",
                "Part des clients",
                "rate",
                "fraction",
                Text(
                    "customers of the group / all customers of the same cohort.",
                    "clients du groupe / ensemble des clients de la même cohorte.",
                ),
                num="customers",
                den="customers",
            ),
            _m(
                "lead_to_customer",
                "Lead → customer",
                "Lead → client",
                "rate",
                "fraction",
                Text(
                    "customers / leads of the group (cohort).",
                    "clients / leads du groupe (cohorte).",
                ),
                num="customers",
                den="leads",
            ),
        ),
        "retention": (
            _m(
                "month_k",
                "Still engaging in month k",
                "Encore engagés au mois k",
                "rate",
                "fraction",
                Text(
                    "share of the cohort's leads with an engagement touch (engagement.types) "
                    "in their k-th month after creation (months of 30.44 days, the first is "
                    "month 0); a month is shown once it has ended for the cohort's youngest "
                    "lead (null before: recent cohorts have not lived through the later "
                    "months yet).",
                    "part des leads de la cohorte ayant eu une interaction d'engagement "
                    "(engagement.types) au cours de leur k-ième mois après leur création (mois "
                    "de 30,44 jours, le premier est le mois 0) ; un mois est affiché une fois "
                    "terminé pour le lead le plus récent de la cohorte (vide avant : les "
                    "cohortes récentes n'ont pas encore vécu les derniers mois).",
                ),
                num="active_leads",
                den="leads",
            ),
        ),
    }.items()
}


# What a KPI's unit must be, given its kind and its measures' units.
KIND_OF_MEASURE = {"count": ("count",), "sum": ("sum", "dated")}


def kpi_problems(k: Kpi, measures: Mapping[str, Measure], report: str | None = None) -> list[str]:
    """What is wrong with a KPI (or a report column) against the measure registry."""
    what = f"report {report!r} column {k.name!r}" if report else f"KPI {k.name!r}"
    out = []
    if not (k.label_en.strip() and k.label_fr.strip()):
        out.append(f"{what} needs an English and a French label")
    if not isinstance(k.definition, Text):
        out.append(f"{what} needs its rule as a Text (English and French)")
    if k.kind not in ("count", "sum", "rate", "ratio", "duration"):
        return [*out, f"{what}: unknown kind {k.kind!r}"]
    roles = {"numerator": k.numerator, "denominator": k.denominator}
    roles.update({f"measured_by[{i}]": m for i, m in enumerate(k.measured_by)})
    unknown = False
    for role, name in roles.items():
        if name is not None and name not in measures:
            unknown = True
            import difflib

            near = difflib.get_close_matches(name, list(measures), n=1)
            out.append(
                f"{what} names measure {name!r} (its {role}), which the measure registry "
                "(leadpilot/metrics/measures.py) does not declare"
                + (f"; did you mean {near[0]!r}?" if near else "")
            )
    needs_den = k.kind in ("rate", "ratio", "duration")
    if k.numerator is None or (k.denominator is None) == needs_den:
        out.append(
            f"{what}: a {k.kind} names "
            + ("a numerator and a denominator" if needs_den else "a numerator and no denominator")
        )
        return out
    if k.measured_by and not k.unmeasured:
        out.append(f"{what}: measured_by needs the reason shown where it is not measured")
    if unknown:
        return out
    num, den = measures[k.numerator], measures.get(k.denominator or "")
    if k.kind in KIND_OF_MEASURE and num.kind not in KIND_OF_MEASURE[k.kind]:
        out.append(f"{what}: a {k.kind} of measure {num.name!r}, which is a {num.kind}")
    if k.kind in KIND_OF_MEASURE and k.unit != num.unit:
        out.append(f"{what}: unit {k.unit!r}, but measure {num.name!r} is in {num.unit!r}")
    if k.kind == "rate":
        if k.unit != "fraction":
            out.append(f"{what}: a rate is a fraction, not {k.unit!r}")
        for m in (num, den):
            if m.kind not in ("count", "dated") or m.unit == "currency":
                out.append(f"{what}: a rate divides counts; {m.name!r} is a {m.kind} of {m.unit}")
    if k.kind == "ratio":
        expected = ("multiple", "fraction") if num.unit == den.unit else (num.unit,)
        if k.unit not in expected:
            out.append(f"{what}: {num.unit} / {den.unit} is in {' or '.join(expected)}")
    if k.kind == "duration":
        if k.unit != "days":
            out.append(f"{what}: a duration is in days, not {k.unit!r}")
        for m in (num, den):
            if m.table != "leads":
                out.append(f"{what}: a duration runs between lead-model dates; {m.name!r} has none")
    if report is None and k.kind != "duration":
        dated = k.kind in KIND_OF_MEASURE and num.kind == "dated"
        if (k.view == "period") != dated:
            out.append(f"{what}: view 'period' is for (and only for) a dated table's total")
        for m in (num, den, *(measures[b] for b in k.measured_by)):
            if m is not None and not m.in_cohort_view:
                out.append(f"{what}: measure {m.name!r} has no cohort-view aggregation")
    return out


def load_catalog(
    kpis: Iterable[Kpi],
    reports: Mapping[str, Mapping[str, Kpi]] | None = None,
    measures: Mapping[str, Measure] = MEASURES,
) -> dict[str, Kpi]:
    """The catalog as a dict, after checking every KPI and report column against the
    measure registry: measures that exist, kinds and units that agree, labels and rules in
    English and French. Every problem is said at once, in one ConfigError.

    Examples
    --------
    >>> wins = Kpi("win_share", "Won", "Gagnés", "rate", "fraction", True,
    ...     Text("won / leads.", "gagnés / leads."), numerator="wins", denominator="leads")
    >>> try:
    ...     load_catalog([wins])
    ... except ConfigError as e:
    ...     print(str(e).split(": ", 1)[1].split(", which")[0])
    KPI 'win_share' names measure 'wins' (its numerator)
    """
    out, problems = keyed(kpis, "KPI")
    for k in out.values():
        problems += kpi_problems(k, measures)
    for report, columns in (reports or {}).items():
        for k in columns.values():
            problems += kpi_problems(k, measures, report)
    if problems:
        raise ConfigError("the KPI catalog does not load: " + "; ".join(problems))
    return out


CATALOG: dict[str, Kpi] = load_catalog(KPIS, REPORT_MEASURES)


def report_definitions(report: str, lang: str = "en") -> dict[str, str]:
    """{column: rule} of a secondary report, in ``lang`` (English: meta.definitions)."""
    return {name: k.definition[lang] for name, k in REPORT_MEASURES[report].items()}

HEADLINE = ("leads", "mqls", "sqls", "customers", "revenue", "spend", "cpl", "lead_to_customer")
