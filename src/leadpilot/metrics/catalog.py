"""KPI definitions as data. Each KPI is defined once here; the compiler turns
the definitions into Ibis expressions and the definitions travel with results.

A KPI is built from *measures* (named aggregations of the lead model or of the
spend table): a count or sum is one measure, a rate is numerator / denominator
(with a Wilson interval), a ratio is money / count (no interval).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["count", "sum", "rate", "ratio"]


@dataclass(frozen=True)
class Kpi:
    name: str
    label_en: str
    label_fr: str
    kind: Kind
    unit: str  # "leads", "currency", "fraction", "days"
    higher_is_better: bool
    rule: str  # one sentence: how it is computed
    numerator: str | None = None  # measure name
    denominator: str | None = None  # measure name (rates and ratios)
    view: Literal["cohort", "activity", "period"] = "cohort"
    short: str = ""  # column header in narrow terminal tables

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

CATALOG: dict[str, Kpi] = {
    k.name: k
    for k in (
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
        Kpi(
            "mqls",
            "MQLs",
            "MQL",
            "count",
            "leads",
            True,
            f"Number of {COHORT} that reached MQL or any later stage.",
            numerator="mqls",
        ),
        Kpi(
            "sqls",
            "SQLs",
            "SQL",
            "count",
            "leads",
            True,
            f"Number of {COHORT} that reached SQL or any later stage.",
            numerator="sqls",
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
        Kpi(
            "cpl",
            "Cost per lead",
            "Coût par lead",
            "ratio",
            "currency",
            False,
            "spend / leads of the same period and group; null when there are no leads.",
            numerator="spend",
            denominator="leads",
        ),
        Kpi(
            "lead_to_mql",
            "Lead → MQL",
            "Lead → MQL",
            "rate",
            "fraction",
            True,
            "mqls / leads of the same cohort, with a 95 % Wilson interval.",
            numerator="mqls",
            denominator="leads",
            short="L→MQL",
        ),
        Kpi(
            "lead_to_customer",
            "Closing rate",
            "Taux de closing",
            "rate",
            "fraction",
            True,
            "customers / leads of the same cohort, with a 95 % Wilson interval.",
            numerator="customers",
            denominator="leads",
            short="L→cust.",
        ),
    )
}

HEADLINE = ("leads", "mqls", "sqls", "customers", "revenue", "spend", "cpl", "lead_to_customer")
