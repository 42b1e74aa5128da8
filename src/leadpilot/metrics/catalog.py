"""KPI definitions as data. Each KPI is defined once here; the compiler turns
the definitions into Ibis expressions and the definitions travel with results.

A KPI is built from *measures* (named aggregations of the lead model or of the
spend table): a count or sum is one measure, a rate is numerator / denominator
(with a Wilson interval), a ratio is money / count (no interval).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["count", "sum", "rate", "ratio", "duration"]


@dataclass(frozen=True)
class Kpi:
    name: str
    label_en: str
    label_fr: str
    kind: Kind
    unit: str  # "leads", "currency", "fraction", "days"
    higher_is_better: bool
    rule: str  # one sentence: how it is computed
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

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "label_en": self.label_en,
            "label_fr": self.label_fr,
            "kind": self.kind,
            "unit": self.unit,
            "higher_is_better": self.higher_is_better,
            "view": self.view,
            "rule": self.rule,
        }


COHORT = "leads created in the period (after e-mail deduplication and the lead rule)"


ACCEPTANCE_UNMEASURED = (
    "no sales-acceptance event was recorded (no sal or rejected stage event): SALs are only "
    "implied by later stages, so acceptance is not measured; record sales acceptance (stage "
    "sal) or rejection (stage rejected) to measure it"
)


def _reached(stage: str) -> str:
    return f"Number of {COHORT} that reached {stage} or any later stage."


def _rate(num: str, den: str, extra: str = "") -> str:
    return f"{num} / {den} of the same cohort{extra}, with a 95 % Wilson interval."


def _cost(den: str) -> str:
    return f"spend / {den} of the same period and group; null when there are none."


def _duration(name: str, en: str, fr: str, start: str, end: str, among: str) -> Kpi:
    what = {"created_at": "lead creation", "opportunity_at": "opportunity"}[start]
    stage = {"mql_at": "MQL", "sql_at": "SQL", "customer_at": "won (customer)"}.get(
        end, end.removesuffix("_at")
    )
    return Kpi(
        name,
        en,
        fr,
        "duration",
        "days",
        False,
        f"days from {what} to {stage}, among the {among}: median (mean and 75th percentile "
        f"as {name}_mean / {name}_p75, count as {name}_n); cohort view groups by creation "
        "date, activity view by the date the later stage was reached.",
        numerator=start,
        denominator=end,
        short=name.replace("days_to_", "→").replace("_days", "").replace("_cycle", " cycle"),
    )


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
            f"Number of {COHORT}.",
            numerator="leads",
        ),
        Kpi("mqls", "MQLs", "MQL", "count", "leads", True, _reached("MQL"), numerator="mqls"),
        Kpi(
            "sals",
            "SALs (accepted by sales)",
            "SAL (acceptés par les ventes)",
            "count",
            "leads",
            True,
            _reached("SAL (accepted by sales)"),
            numerator="sals",
        ),
        Kpi("sqls", "SQLs", "SQL", "count", "leads", True, _reached("SQL"), numerator="sqls"),
        Kpi(
            "opportunities",
            "Opportunities",
            "Opportunités",
            "count",
            "leads",
            True,
            _reached("opportunity (or has a deal)"),
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
            f"Number of {COHORT} that became customers (customer stage or a won deal).",
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
            f"Number of {COHORT} that sales rejected (an exit of the funnel).",
            numerator="rejected",
        ),
        Kpi(
            "disqualified",
            "Disqualified",
            "Disqualifiés",
            "count",
            "leads",
            False,
            f"Number of {COHORT} that were disqualified (an exit of the funnel).",
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
            f"Sum of won deal amounts of the {COHORT}, credited to the lead's own channel "
            "(source-channel rule; attribution models are separate).",
            numerator="revenue",
        ),
        Kpi(
            "spend",
            "Spend",
            "Dépenses",
            "sum",
            "currency",
            False,
            "Sum of spend dated in the period, matched on channel (and campaign / content "
            "when grouped by them); spend with no leads is kept.",
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
            _rate("sals", "mqls", " (MQLs accepted by sales / MQLs transmitted)")
            + " Measured only where sales acceptance was recorded (a sal or rejected stage "
            "event); elsewhere null with the reason.",
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
            "won deals / closed (won + lost) deals of the cohort's leads, with a 95 % Wilson "
            "interval; open deals are left out.",
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
            short="€/MQL",
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
            short="€/SQL",
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
            short="€/opp",
        ),
        Kpi(
            "cac",
            "Customer acquisition cost",
            "Coût d'acquisition client",
            "ratio",
            "currency",
            False,
            _cost("customers (new customers of the cohort)"),
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
            "revenue / won deals of the cohort's leads.",
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
            "revenue / spend (revenue by the lead's source channel); null without spend.",
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
            "(revenue − spend) / spend (revenue by the lead's source channel); null without spend.",
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
            "cohort view: amount of the cohort's deals still open today; activity view: "
            "amount of deals open at the period's end (created by then, not closed by then).",
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
            "leads with an engagement touch (types in engagement.types) within "
            "engagement.window_days after creation / leads of the cohort, with a 95 % Wilson "
            "interval.",
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
            "leads with a social touch within engagement.window_days after creation / leads "
            "of the cohort, with a 95 % Wilson interval.",
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
            "email_open touches / email_send touches of the cohort's leads.",
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
            "email_click touches / email_send touches of the cohort's leads.",
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
            "touchpoints of the cohort's leads (any date) / leads.",
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
            "Sum of traffic visitors dated in the period (by channel / content when grouped "
            "by them).",
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
            "leads / visitors of the same period and group, with a 95 % Wilson interval.",
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
                    "leads that reached MQL",
                ),
                (
                    "days_to_sql",
                    "Days to SQL",
                    "Délai jusqu'au SQL",
                    "created_at",
                    "sql_at",
                    "leads that reached SQL",
                ),
                (
                    "days_to_opportunity",
                    "Days to opportunity",
                    "Délai jusqu'à l'opportunité",
                    "created_at",
                    "opportunity_at",
                    "leads that reached opportunity",
                ),
                (
                    "sales_cycle_days",
                    "Sales cycle (days)",
                    "Cycle de vente (jours)",
                    "created_at",
                    "customer_at",
                    "customers",
                ),
                (
                    "opportunity_cycle_days",
                    "Opportunity cycle (days)",
                    "Cycle d'opportunité (jours)",
                    "opportunity_at",
                    "customer_at",
                    "customers with an opportunity date",
                ),
            )
        ),
    )
}

# The secondary reports' columns (content, sources, retention): defined here too, with
# their labels and rules, so that every number leadpilot prints has one definition.
CTA_TYPES = ("form_submit", "download", "webinar_registration", "email_click", "ad_click")


def _m(name, en, fr, kind, unit, rule, view="cohort") -> Kpi:
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
                "visit touchpoints on the content (any date).",
                view="activity",
            ),
            _m(
                "cta_clicks",
                "CTA clicks",
                "Clics sur les appels à l'action",
                "count",
                "touches",
                f"touchpoints of types {', '.join(CTA_TYPES)} on the content.",
                view="activity",
            ),
            _m(
                "leads_first_touched",
                "Leads first touched",
                "Leads au premier contact",
                "count",
                "leads",
                "counted leads whose first touch with a content was this one.",
            ),
            _m(
                "mqls",
                "MQLs",
                "MQL",
                "count",
                "leads",
                "those leads that reached MQL (stage implication as configured).",
            ),
            _m("sqls", "SQLs", "SQL", "count", "leads", "those leads that reached SQL."),
            _m(
                "customers",
                "Customers",
                "Clients",
                "count",
                "leads",
                "those leads that became customers.",
            ),
            _m(
                "revenue",
                "Revenue",
                "Chiffre d'affaires",
                "sum",
                "currency",
                "won deal amounts of those leads.",
            ),
            _m(
                "lead_to_customer",
                "Lead → customer",
                "Lead → client",
                "rate",
                "fraction",
                "customers / leads_first_touched.",
            ),
        ),
        "sources": (
            _m(
                "lead_share",
                "Share of leads",
                "Part des leads",
                "rate",
                "fraction",
                "leads of the group / all leads of the period, with a 95 % Wilson interval.",
            ),
            _m(
                "customer_share",
                "Share of customers",
                "Part des clients",
                "rate",
                "fraction",
                "customers of the group / all customers of the same cohort.",
            ),
            _m(
                "lead_to_customer",
                "Lead → customer",
                "Lead → client",
                "rate",
                "fraction",
                "customers / leads of the group (cohort).",
            ),
        ),
        "retention": (
            _m(
                "month_k",
                "Still engaging in month k",
                "Encore engagés au mois k",
                "rate",
                "fraction",
                "share of the cohort's leads with an engagement touch (engagement.types) in "
                "their k-th month after creation (months of 30.44 days); recent cohorts have "
                "not reached the later months yet.",
            ),
        ),
    }.items()
}


def report_definitions(report: str) -> dict[str, str]:
    return {name: k.rule for name, k in REPORT_MEASURES[report].items()}


# Measures computed after aggregation from other measures.
DERIVED_MEASURES = {"margin": ("revenue", "-", "spend")}

HEADLINE = ("leads", "mqls", "sqls", "customers", "revenue", "spend", "cpl", "lead_to_customer")
