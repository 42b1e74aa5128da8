"""Diagnostics as the shared Result: ``diagnose``, ``plan`` and ``forecast`` outputs.

The JSON follows the contract of every analysis (``{"rows": [...], "meta": {...}}``).
A finding is written in both languages in the JSON itself (``title`` / ``title_fr``,
``explanation`` / ``explanation_fr``, ``actions`` / ``actions_fr``), so that reports, the
dashboard and scripts read it in either without leadpilot.
"""

from __future__ import annotations

from ..metrics.catalog import CATALOG
from ..results import Meta, Result
from ..text import Text
from .compare import COMPARED, Comparison
from .decompose import METHOD, METHOD_FR
from .findings import Finding, worst
from .forecast import METHOD as FORECAST_METHOD
from .forecast import METHOD_FR as FORECAST_METHOD_FR
from .forecast import Forecast
from .plan import Plan

DIAGNOSE_DEFINITIONS = {
    "kpi": Text("the KPI compared (its rule: leadpilot kpis --kpi NAME)",
                "l'indicateur comparé (sa règle : leadpilot kpis --kpi NOM)"),
    "previous": Text("its value in the previous period, read at the current cohort's age",
                     "sa valeur sur la période précédente, lue au même âge que la cohorte "
                     "courante"),
    "current": Text("its value in the current period", "sa valeur sur la période courante"),
    "change": Text("current - previous (rates: in points)",
                   "courante - précédente (taux : en points)"),
    "relative_change": Text("current / previous - 1 (not for rates)",
                            "courante / précédente - 1 (pas pour les taux)"),
    "difference_low": Text("95 % interval of a rate's change, low bound (Newcombe)",
                           "intervalle à 95 % de l'écart d'un taux, borne basse (Newcombe)"),
    "difference_high": Text("95 % interval of a rate's change, high bound",
                            "intervalle à 95 % de l'écart d'un taux, borne haute"),
    "p_value": Text("a rate's change: p-value of the test named in test",
                    "écart d'un taux : p-valeur du test indiqué dans test"),
    "test": Text("two-proportion z-test, or Fisher's exact test for small counts",
                 "test z de deux proportions, ou test exact de Fisher pour de petits effectifs"),
}  # fmt: skip
UNITS = {
    "leads": "", "mqls": "", "sals": "", "sqls": "", "opportunities": "", "customers": "",
    "revenue": "currency", "spend": "currency", "cpl": "currency", "cac": "currency",
    "avg_deal_size": "currency", "roi": "fraction", "sales_cycle_days": "days",
}  # fmt: skip


def finding_dict(f: Finding, currency: str = "EUR") -> dict:
    """A finding in both languages, as the JSON carries it."""
    return {
        "code": f.code,
        "severity": f.severity,
        "group": f.group,
        "title": f.title("en"),
        "title_fr": f.title("fr"),
        "explanation": f.explanation("en", currency),
        "explanation_fr": f.explanation("fr", currency),
        "actions": f.actions("en"),
        "actions_fr": f.actions("fr"),
        "evidence": f.evidence,
    }


def _period(p) -> dict:
    return {"label": p.label, "from": p.start.isoformat(), "to": p.end.isoformat()}


def diagnosis_result(c: Comparison, currency: str) -> Result:
    """The Result of ``leadpilot diagnose``: one row per KPI (and group) of both periods,
    the findings, the decomposition and the data-quality findings in meta."""
    findings = [finding_dict(f, currency) for f in c.findings]
    quality = [finding_dict(f, currency) for f in c.quality]
    meta = Meta(
        "diagnose",
        params={
            "current": _period(c.current),
            "previous": _period(c.previous),
            "by": c.by,
            "as_of": c.as_of["current"],
            "previous_as_of": c.as_of["previous"],
            "currency": currency,
        },
        definitions=DIAGNOSE_DEFINITIONS,
        details={
            "findings": findings,
            "data_quality": quality,
            "worst_severity": worst(c.all_findings),
            "decomposition": {
                "revenue": c.decomposition.as_dict() if c.decomposition else None,
                "customers": (
                    c.customers_decomposition.as_dict() if c.customers_decomposition else None
                ),
            },
            "units": {k: UNITS.get(k, "fraction") for k in COMPARED},
        },
        texts={"method": Text(METHOD, METHOD_FR)},
        # how a table names each KPI compared (rows, not columns): its code in English, as
        # the JSON writes it, the catalog's French name in French, as the report does
        headers={k: Text(k, CATALOG[k].label_fr) for k in COMPARED},
        warnings=c.warnings,
    )
    return Result(c.rows, meta)


PLAN_DEFINITIONS = {
    "leads_needed": Text("leads to create: MQLs needed / lead → MQL rate, rounded up",
                         "leads à créer : MQL nécessaires / taux lead → MQL, arrondi au-dessus"),
    "mqls_needed": Text("MQLs needed: SQLs needed / MQL → SQL rate, rounded up",
                        "MQL nécessaires : SQL nécessaires / taux MQL → SQL, arrondi au-dessus"),
    "sqls_needed": Text("SQLs needed: opportunities needed / SQL → opportunity rate, rounded up",
                        "SQL nécessaires : opportunités nécessaires / taux SQL → opportunité, "
                        "arrondi au-dessus"),
    "opportunities_needed": Text("opportunities needed: customers needed / win rate (the "
                                 "opportunity_to_customer KPI: won / closed deals, open deals "
                                 "left out), rounded up",
                                 "opportunités nécessaires : clients nécessaires / taux de gain "
                                 "(le KPI opportunity_to_customer : affaires gagnées / "
                                 "clôturées, affaires en cours exclues), arrondi au-dessus"),
    "customers_needed": Text("customers needed: the channel's revenue / its deal size, rounded "
                             "up (whole customers: each stage above is derived from the whole "
                             "count below it)",
                             "clients nécessaires : chiffre d'affaires du canal / panier moyen, "
                             "arrondi au-dessus (clients entiers : chaque étape au-dessus se "
                             "déduit du nombre entier de l'étape suivante)"),
    "deal_size": Text("the channel's average won deal over the reference window: its "
                      "revenue / its won deals with an amount (the avg_deal_size KPI: a won "
                      "deal without an amount is left out, not counted as 0)",
                      "affaire gagnée moyenne du canal sur la fenêtre de référence : son "
                      "chiffre d'affaires / ses affaires gagnées ayant un montant (le KPI "
                      "avg_deal_size : une affaire gagnée sans montant est écartée, pas "
                      "comptée 0)"),
    "cpl": Text("the channel's spend / its leads over the reference window",
                "dépenses du canal / ses leads sur la fenêtre de référence"),
    "budget": Text("leads needed x the channel's cost per lead (none without spend)",
                   "leads nécessaires x coût par lead du canal (aucun sans dépenses)"),
    "revenue_share": Text("the channel's share of the target (the mix)",
                          "part de l'objectif portée par le canal (le mix)"),
    "spend_after": Text("the channel's budget after the shifts",
                        "budget du canal après les transferts"),
    "revenue_after": Text("expected revenue: budget / CPL x lead -> customer rate x deal "
                          "size; the rate is the product of the reverse funnel's stage rates "
                          "(opportunities / leads x the win rate, won / closed deals)",
                          "chiffre d'affaires attendu : budget / CPL x taux lead -> client x "
                          "panier moyen ; le taux est le produit des taux d'étape de "
                          "l'entonnoir inversé (opportunités / leads x taux de gain, affaires "
                          "gagnées / conclues)"),
    "extrapolated": Text("the channel's budget after the shifts is outside ±50 % of its spend "
                         "observed over as many months in the reference year: constant cost "
                         "per lead is an assumption there",
                         "le budget du canal après les transferts sort de ±50 % de ses "
                         "dépenses observées sur autant de mois de l'année de référence : le "
                         "coût par lead constant y est une hypothèse"),
}  # fmt: skip


def plan_result(p: Plan, currency: str, params: dict) -> Result:
    """The Result of ``leadpilot plan`` (reverse funnel or budget what-if)."""
    names = [k for k in PLAN_DEFINITIONS if p.rows and k in p.rows[0]]
    meta = Meta(
        "plan",
        params={"plan": p.kind, **params, "currency": currency},
        definitions={k: PLAN_DEFINITIONS[k] for k in names},
        details={
            "totals": p.totals,
            "reference": p.reference,
            "sensitivity": p.sensitivity,
        },
        texts={"assumption": Text(p.assumption, p.assumption_fr)},
        warnings=p.warnings,
    )
    return Result(p.rows, meta)


FORECAST_DEFINITIONS = {
    "expected": Text("expected won revenue in the month (mean of the simulations)",
                     "chiffre d'affaires gagné attendu sur le mois (moyenne des simulations)"),
    "low": Text("10th percentile of the simulations (null when there is nothing to forecast)",
                "10e centile des simulations (vide quand il n'y a rien à prévoir)"),
    "high": Text("90th percentile of the simulations (null when there is nothing to forecast)",
                 "90e centile des simulations (vide quand il n'y a rien à prévoir)"),
    "from_open_deals": Text("expected revenue from deals open at the as-of date",
                            "revenu attendu des affaires ouvertes à la date d'analyse"),
    "from_funnel": Text("expected revenue from leads without a deal yet (lead, MQL, SQL)",
                        "revenu attendu des leads encore sans affaire (lead, MQL, SQL)"),
}  # fmt: skip


def forecast_result(f: Forecast, currency: str, months: int) -> Result:
    """The Result of ``leadpilot forecast``."""
    meta = Meta(
        "forecast",
        params={"months": months, "as_of": f.as_of, "currency": currency},
        definitions=FORECAST_DEFINITIONS,
        details={
            "open_deals": f.open_deals,
            "funnel_leads": f.funnel_leads,
            # every month 0 with null bounds: show an empty state, not a 0-0 band
            "nothing_to_forecast": f.nothing_to_forecast,
        },
        texts={"method": Text(FORECAST_METHOD, FORECAST_METHOD_FR)},
        warnings=f.warnings,
    )
    return Result(f.rows, meta)
