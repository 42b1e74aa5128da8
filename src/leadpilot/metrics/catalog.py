"""KPI definitions as data. Each KPI is defined once here; the compiler turns
the definitions into Ibis expressions and the definitions travel with results.

A KPI is built from *measures* (named aggregations of the lead model or of the
spend table): a count or sum is one measure, a rate is numerator / denominator
(with a Wilson interval), a ratio is money / count (no interval).

Every rule a person reads is a :class:`Text`: the English and the French, written
together. JSON, CSV and the API carry the English (``meta.definitions``); a result's
``definitions_in(lang)`` gives them in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..text import Text, localized, texts_in  # noqa: F401 - re-exported (metrics.catalog is where they were)

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
    numerator: str | None = None  # measure name; durations: the start date column
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
        num = ACTIVITY_MEASURES.get(self.numerator or "")
        den = ACTIVITY_MEASURES.get(self.denominator or "")
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


DURATION_START = {
    "created_at": Text("lead creation", "la création du lead"),
    "opportunity_at": Text("opportunity", "l'ouverture de l'opportunité"),
}
DURATION_END = {
    "mql_at": Text("MQL", "le passage en MQL"),
    "sql_at": Text("SQL", "le passage en SQL"),
    "opportunity_at": Text("opportunity", "le passage en opportunité"),
    "customer_at": Text("won (customer)", "la signature (client)"),
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
            f"percentile as {name}_mean / {name}_p75, count as {name}_n); cohort view groups "
            "by creation date, activity view by the date the later stage was reached.",
            f"jours entre {what.fr} et {stage.fr}, parmi les {among.fr} : médiane (moyenne et "
            f"75e centile dans {name}_mean / {name}_p75, effectif dans {name}_n) ; la vue "
            "cohorte regroupe par date de création, la vue activité par la date à laquelle "
            "l'étape finale a été atteinte.",
        ),
        numerator=start,
        denominator=end,
        short=name.replace("days_to_", "→").replace("_days", "").replace("_cycle", " cycle"),
    )


# What each measure counts in the activity view (what happened in the period).
_WHATEVER = Text("whatever their creation date", "quelle que soit leur date de création")
ACTIVITY_MEASURES: dict[str, Text] = {
    "leads": Text("leads created in the period", "leads créés sur la période"),
    **{
        m: Text(
            f"leads that reached {en} in the period (at that stage's date), {_WHATEVER.en}",
            f"leads ayant atteint {fr} pendant la période (à la date de cette étape), "
            f"{_WHATEVER.fr}",
        )
        for m, en, fr in (
            ("mqls", "MQL", "l'étape MQL"),
            ("sals", "SAL", "l'étape SAL"),
            ("sqls", "SQL", "l'étape SQL"),
            ("opportunities", "opportunity", "l'étape opportunité"),
            ("customers", "customer (first won deal or customer stage)",
             "l'étape client (première affaire gagnée ou étape client)"),
            ("rejected", "the rejected exit", "la sortie « rejeté »"),
            ("disqualified", "the disqualified exit", "la sortie « disqualifié »"),
        )
    },
    "revenue": Text(
        "won deal amounts closed in the period, whatever the lead's creation date",
        "montants des affaires gagnées closes pendant la période, quelle que soit la date "
        "de création du lead",
    ),
    "won_deals": Text("deals won in the period", "affaires gagnées pendant la période"),
    "closed_deals": Text(
        "deals won or lost in the period", "affaires gagnées ou perdues pendant la période"
    ),
    "touches": Text("touches dated in the period", "interactions datées de la période"),
    "email_sends": Text("e-mails sent in the period", "e-mails envoyés pendant la période"),
    "email_opens": Text("e-mail opens in the period", "ouvertures d'e-mails de la période"),
    "email_clicks": Text("e-mail clicks in the period", "clics d'e-mails de la période"),
    "spend": Text("spend dated in the period", "dépenses datées de la période"),
    "margin": Text(
        "won deal amounts closed in the period minus the spend of the period",
        "montants des affaires gagnées closes pendant la période moins les dépenses de la "
        "période",
    ),
    "visitors": Text("visitors of the period", "visiteurs de la période"),
}


CATALOG: dict[str, Kpi] = {
    k.name: k
    for k in (
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
                "revenue / won deals of the cohort's leads.",
                "chiffre d'affaires / nombre d'affaires gagnées des leads de la cohorte.",
            ),
            numerator="revenue",
            denominator="won_deals",
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
                    "created_at",
                    "mql_at",
                    Text("leads that reached MQL", "leads passés en MQL"),
                ),
                (
                    "days_to_sql",
                    "Days to SQL",
                    "Délai jusqu'au SQL",
                    "created_at",
                    "sql_at",
                    Text("leads that reached SQL", "leads passés en SQL"),
                ),
                (
                    "days_to_opportunity",
                    "Days to opportunity",
                    "Délai jusqu'à l'opportunité",
                    "created_at",
                    "opportunity_at",
                    Text("leads that reached opportunity", "leads passés en opportunité"),
                ),
                (
                    "sales_cycle_days",
                    "Sales cycle (days)",
                    "Cycle de vente (jours)",
                    "created_at",
                    "customer_at",
                    Text("customers", "clients"),
                ),
                (
                    "opportunity_cycle_days",
                    "Opportunity cycle (days)",
                    "Cycle d'opportunité (jours)",
                    "opportunity_at",
                    "customer_at",
                    Text(
                        "customers with an opportunity date",
                        "clients ayant une date d'opportunité",
                    ),
                ),
            )
        ),
    )
}

# The secondary reports' columns (content, sources, retention): defined here too, with
# their labels and rules, so that every number leadpilot prints has one definition.
CTA_TYPES = ("form_submit", "download", "webinar_registration", "email_click", "ad_click")


def _m(name, en, fr, kind, unit, rule: Text, view="cohort") -> Kpi:
    return Kpi(name, en, fr, kind, unit, True, rule, view=view)


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
                    "in their k-th month after creation (months of 30.44 days); recent cohorts "
                    "have not reached the later months yet.",
                    "part des leads de la cohorte ayant eu une interaction d'engagement "
                    "(engagement.types) au cours de leur k-ième mois après leur création (mois "
                    "de 30,44 jours) ; les cohortes récentes n'ont pas encore atteint les "
                    "derniers mois.",
                ),
            ),
        ),
    }.items()
}


def report_definitions(report: str, lang: str = "en") -> dict[str, str]:
    """{column: rule} of a secondary report, in ``lang`` (English: meta.definitions)."""
    return {name: k.definition[lang] for name, k in REPORT_MEASURES[report].items()}


# Measures computed after aggregation from other measures.
DERIVED_MEASURES = {"margin": ("revenue", "-", "spend")}

HEADLINE = ("leads", "mqls", "sqls", "customers", "revenue", "spend", "cpl", "lead_to_customer")
