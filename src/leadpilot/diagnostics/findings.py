"""Findings: what a period comparison means, with its evidence and the actions to take.

Each kind of finding is declared once, as data (``KINDS``): a stable code, a severity, a
title, an explanation and actions in English and French — the actions are the ones the
source article suggests. The rules below raise a finding only when its evidence is
significant (a rate's change, by ``significance.compare_rates``) or large enough (a
change in volume), against thresholds that ``diagnostics:`` in leadpilot.yaml sets.

Severities, from worst: high, medium, low; ``positive`` marks good news and ``caveat`` a
reading precaution (an immature cohort) — neither fails ``--fail-on``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from statistics import median
from typing import Any

from ..i18n import Formatter, tr
from ..metrics.catalog import Text
from ..results import group_name
from .decompose import Decomposition, group_order, json_key
from .significance import RateChange, compare_rates

SEVERITIES = ("high", "medium", "low", "positive", "caveat")
FAILING = {"high": ("high",), "medium": ("high", "medium"), "low": ("high", "medium", "low")}


@dataclass(frozen=True)
class Kind:
    """A kind of finding: what it means and what to do, in both languages."""

    code: str
    severity: str
    title: Text
    explanation: Text  # a template: {placeholders} filled from the evidence
    actions: tuple[Text, ...] = ()


def _k(code, severity, title, explanation, *actions) -> Kind:
    return Kind(code, severity, Text(*title), Text(*explanation), tuple(Text(*a) for a in actions))


KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        _k(
            "volume_up_revenue_flat",
            "high",
            # {trend}: flat within diagnostics.flat_tolerance, down below it
            ("Volume up, business {trend}: an illusion of traction",
             "Volume en hausse, activité {trend_fr} : une illusion de traction"),
            ("Leads went from {leads_before} to {leads_after} ({leads_change}) while "
             "{measure} went from {value_before} to {value_after} ({value_change}): more leads "
             "did not make more business.",
             "Les leads sont passés de {leads_before} à {leads_after} ({leads_change}) mais "
             "{measure_fr} de {value_before} à {value_after} ({value_change}) : plus de leads "
             "n'ont pas fait plus d'affaires."),
            ("Judge marketing on SQLs, customers and revenue, not on the lead count.",
             "Juger le marketing sur les SQL, les clients et le chiffre d'affaires, pas sur "
             "le nombre de leads."),
            ("Find where the extra leads came from (mix, campaigns) and how they convert.",
             "Identifier d'où viennent les leads supplémentaires (canaux, campagnes) et "
             "comment ils convertissent."),
        ),
        _k(
            "conversion_drop",
            "high",
            ("Conversion dropped", "La conversion a baissé"),
            ("{rate_label} fell from {rate_before} to {rate_after} ({test}, {p_value}; "
             "difference {difference}, 95 % interval {low} to {high}).",
             "{rate_label_fr} est passé de {rate_before} à {rate_after} ({test}, "
             "{p_value} ; écart {difference}, intervalle à 95 % de {low} à {high})."),
            ("Review lead quality with sales: the MQL definition, the ICP and the scoring "
             "threshold.",
             "Revoir la qualité des leads avec les ventes : définition du MQL, ICP et seuil "
             "de scoring."),
            ("Check whether a channel or campaign brought many weaker leads.",
             "Vérifier si un canal ou une campagne a apporté beaucoup de leads plus faibles."),
        ),
        _k(
            "acceptance_below_threshold",
            "high",
            ("Sales acceptance below the agreed threshold",
             "Taux d'acceptation commerciale sous le seuil convenu"),
            ("Sales accepted {accepted} of {transmitted} MQLs ({rate}), below the {threshold} "
             "agreed by marketing and sales (binomial test, {p_value}).",
             "Les ventes ont accepté {accepted} MQL sur {transmitted} ({rate}), sous les "
             "{threshold} convenus entre marketing et ventes (test binomial, {p_value})."),
            ("Below the agreed threshold the problem is mainly targeting, message or scoring: "
             "review the ICP and the MQL criteria with sales.",
             "Sous le seuil convenu, le problème relève principalement du ciblage, du message "
             "ou du scoring : revoir l'ICP et les critères MQL avec les ventes."),
            ("Raise the scoring threshold that sends a lead to sales "
             "(leadpilot score threshold --target-acceptance).",
             "Relever le seuil de scoring qui transmet un lead aux ventes "
             "(leadpilot score threshold --target-acceptance)."),
        ),
        _k(
            "cheap_leads_expensive_customers",
            "medium",
            ("Cheap leads, expensive customers", "Leads bon marché, clients chers"),
            ("{group}, over both periods compared: a cost per lead of {cpl} (below the median "
             "{median_cpl}) but a cost per customer of {cac} (above the median {median_cac}): "
             "its leads convert too little for their price to pay.",
             "{group_fr}, sur les deux périodes comparées : un coût par lead de {cpl} (sous la "
             "médiane de {median_cpl}) mais un coût par client de {cac} (au-dessus de la "
             "médiane de {median_cac}) : ses leads convertissent trop peu pour que leur prix "
             "soit rentable."),
            ("Compare channels on cost per customer and ROI, not on cost per lead.",
             "Comparer les canaux sur le coût par client et le ROI, pas sur le coût par lead."),
            ("Move budget toward the channels whose customers cost less.",
             "Déplacer le budget vers les canaux dont les clients coûtent moins cher."),
        ),
        _k(
            "cycle_lengthening",
            "medium",
            ("Sales cycle lengthening", "Cycle de vente qui s'allonge"),
            ("The median sales cycle went from {before} to {after} ({change}; "
             "Mann–Whitney test, {p_value}){cash}.",
             "Le cycle de vente médian est passé de {before} à {after} ({change} ; test "
             "de Mann–Whitney, {p_value}){cash_fr}."),
            ("Watch cash and forecast: revenue will arrive later than the lead count suggests.",
             "Surveiller la trésorerie et les prévisions : le chiffre d'affaires arrivera plus "
             "tard que le nombre de leads ne le laisse croire."),
            ("Look for the stage where leads now wait longest (leadpilot velocity).",
             "Chercher l'étape où les leads attendent désormais le plus longtemps "
             "(leadpilot velocity)."),
        ),
        _k(
            "bottleneck_stage",
            "medium",
            ("Bottleneck stage", "Étape goulot"),
            ("{stage_label} fell most: from {rate_before} to {rate_after} ({test}, "
             "{p_value}).",
             "{stage_label_fr} a le plus baissé : de {rate_before} à {rate_after} ({test}, "
             "{p_value})."),
            ("Review this hand-off with the team that owns it: criteria, follow-up speed, "
             "capacity.",
             "Revoir ce passage avec l'équipe qui en a la charge : critères, délai de "
             "relance, capacité."),
        ),
        _k(
            "mix_shift_to_low_converting_channels",
            "medium",
            ("Mix shift toward channels that convert worse",
             "Glissement du mix vers des canaux qui convertissent moins"),
            # {shift}: the groups named, and what is true of them (see _mix)
            ("Leads moved {shift} ({basis} over both periods): the mix effect alone is "
             "{effect} of {measure} ({share} of the previous period).",
             "Les leads se sont déplacés {shift_fr} ({basis_fr} sur les deux périodes) : l'effet "
             "mix seul vaut {effect} sur {measure_fr} ({share} de la période précédente)."),
            ("Weigh each channel by revenue per lead, not by lead count, when setting budgets.",
             "Pondérer chaque canal par le chiffre d'affaires par lead, pas par le nombre de "
             "leads, dans les arbitrages budgétaires."),
        ),
        _k(
            "quality_improving",
            "positive",
            ("Quality improving: a strong positive signal",
             "Qualité en progrès : un signal positif fort"),
            ("A stable volume ({leads_before} → {leads_after} leads) with better conversion "
             "({rate_before} → {rate_after}, {p_value}).",
             "Un volume stable ({leads_before} → {leads_after} leads) avec une meilleure "
             "conversion ({rate_before} → {rate_after}, {p_value})."),
            ("Keep the targeting and the qualification rules that produced it.",
             "Conserver le ciblage et les règles de qualification qui l'ont produit."),
        ),
        _k(
            "channel_roi_negative",
            "medium",
            ("Channel losing money", "Canal déficitaire"),
            ("{group}: {spend} spent for {revenue} of revenue from its leads (ROI {roi}).",
             "{group_fr} : {spend} dépensés pour {revenue} de chiffre d'affaires issu de ses "
             "leads (ROI {roi})."),
            ("Cut or rework this channel, unless its cohort is still young or its value is "
             "elsewhere (attribution: leadpilot attribution --model all).",
             "Réduire ou retravailler ce canal, sauf si sa cohorte est encore jeune ou que sa "
             "valeur est ailleurs (attribution : leadpilot attribution --model all)."),
        ),
        _k(
            "immature_cohort",
            "caveat",
            ("Young cohort: read its rates with care", "Cohorte jeune : lire ses taux avec "
             "prudence"),
            ("The current period's youngest leads are {age} old, under the median "
             "lead → customer delay of {delay}: they are compared with the previous "
             "period's leads at the same age.",
             "Les plus jeunes leads de la période courante ont {age}, moins que le "
             "délai médian lead → client de {delay} : ils sont comparés à ceux de la "
             "période précédente au même âge."),
        ),
    )
}  # fmt: skip


@dataclass
class Finding:
    """One finding: its kind, where it holds (a group or all), and its evidence."""

    code: str
    severity: str
    values: dict[str, Value | str]  # the explanation's placeholders
    evidence: dict[str, Any]  # numbers of both periods, the test
    group: dict[str, Any] = field(default_factory=dict)  # e.g. {"channel": "paid_social"}

    @property
    def kind(self) -> Kind:
        return KINDS[self.code]

    def _texts(self, lang: str, currency: str) -> dict[str, str]:
        fmt = Formatter(lang, currency)
        return {k: v.text(fmt) if isinstance(v, Value) else v for k, v in self.values.items()}

    def title(self, lang: str = "en") -> str:
        """The title; a few say what the evidence shows (business flat or down)."""
        return self.kind.title[lang].format(**self._texts(lang, "EUR"))

    def explanation(self, lang: str = "en", currency: str = "EUR") -> str:
        """The explanation with its numbers written for ``lang`` (amounts in ``currency``)."""
        return self.kind.explanation[lang].format(**self._texts(lang, currency))

    def actions(self, lang: str = "en") -> list[str]:
        return [a[lang] for a in self.kind.actions]

    def as_dict(self, lang: str = "en", currency: str = "EUR") -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "group": self.group,
            "title": self.title(lang),
            "explanation": self.explanation(lang, currency),
            "actions": self.actions(lang),
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Thresholds:
    """When a finding is raised (``diagnostics:`` in leadpilot.yaml)."""

    alpha: float = 0.05  # for the whole family of a diagnosis' tests (Bonferroni)
    volume_increase: float = 0.20  # leads up by at least this share...
    # ...while revenue / customers grow less than this; within ± it they are "flat",
    # below -it "down"
    flat_tolerance: float = 0.05
    rate_drop: float = 0.20  # a rate falling by at least this share of itself
    stable_volume: float = 0.10  # quality_improving: leads within this share
    cycle_increase: float = 0.20
    mix_share: float = 0.05  # mix effect worth this share of the previous total
    min_group_leads: int = 30  # smaller groups are not judged on their own


@dataclass(frozen=True)
class Value:
    """A number in an explanation, formatted when read, for the reader's language."""

    kind: str  # num, days, date, datetime, money, pct, signed_pct, signed_pts, p, test
    value: float | str | None

    def text(self, fmt: Formatter) -> str:
        v = self.value
        if self.kind == "test":
            return TESTS_FR.get(str(v), str(v)) if fmt.lang == "fr" else str(v)
        if self.kind == "p":
            if v is None:
                return "p –"
            return "p < 0,001" if v < 0.001 and fmt.lang == "fr" else (
                "p < 0.001" if v < 0.001 else f"p = {fmt.number(v, 3)}")  # fmt: skip
        if v is None:
            return "–"
        if v == float("inf"):
            return "∞"
        if self.kind == "days":  # with its word: '0 jour' (French is singular below 2)
            return fmt.day_count(v)
        if self.kind == "date":  # '2 mars 2025', never '2025-03-02 00:00:00'
            return fmt.date(v)
        if self.kind == "datetime":  # to the minute, when the day alone cannot tell apart
            return fmt.date_time(v)
        if self.kind == "money":
            return fmt.money(v)
        if self.kind == "pct":
            return fmt.percent(v)
        if self.kind == "signed_pct":
            return _with_sign(v, fmt.percent(abs(v)), fmt.percent(0))
        if self.kind == "signed_pts":  # a difference of two rates: points, not a percentage
            return _with_sign(v, fmt.number(abs(v) * 100, 1), fmt.number(0, 1)) + "\u00a0pts"
        return fmt.number(v, 0 if abs(v) >= 100 or float(v).is_integer() else 2)


def _with_sign(value: float, shown: str, zero: str) -> str:
    """``shown`` (the magnitude as written) with the sign of ``value``; none when what is
    written is zero ('0.0 pts', not '−0.0 pts')."""
    if shown == zero:
        return shown
    return ("+" if value >= 0 else "−") + shown


TESTS_FR = {
    "two-proportion z-test": "test z de deux proportions",
    "Fisher's exact test": "test exact de Fisher",
    "none": "aucun test",
}


def _pct(x: float | None) -> Value:
    return Value("pct", x)


def _days(x: float | None) -> Value:
    return Value("days", x)


def _signed(x: float | None) -> Value:
    return Value("signed_pct", x)


def _points(x: float | None) -> Value:
    return Value("signed_pts", x)


def _num(x: float | None) -> Value:
    return Value("num", x)


def _money(x: float | None) -> Value:
    return Value("money", x)


def _p(p: float | None) -> Value:
    return Value("p", p)


def _change(before: float | None, after: float | None) -> float | None:
    if before in (None, 0) or after is None:
        return None
    return after / before - 1


def _rate_values(c: RateChange) -> dict[str, Value | str]:
    return {
        "rate_before": _pct(c.before),
        "rate_after": _pct(c.after),
        # rates' differences, in points: 16.2 % -> 5.9 % is -10.3 pts, not -10.3 %
        "difference": _points(c.difference),
        "low": _points(c.low),
        "high": _points(c.high),
        "p_value": _p(c.p_value),
        "test": Value("test", c.test),
    }


RATES = {
    # rate: (numerator, denominator, English label, French label)
    "lead_to_mql": ("mqls", "leads", "Lead → MQL", "Le taux lead → MQL"),
    "mql_to_sql": ("sqls", "mqls", "MQL → SQL", "Le taux MQL → SQL"),
    "sql_to_opportunity": ("opportunities", "sqls", "SQL → opportunity",
                           "Le taux SQL → opportunité"),
    "opportunity_to_customer": ("customers", "opportunities", "Opportunity → customer",
                                "Le taux opportunité → client"),
    "lead_to_customer": ("customers", "leads", "The closing rate (lead → customer)",
                         "Le taux de closing (lead → client)"),
}  # fmt: skip
STAGE_RATES = ("lead_to_mql", "mql_to_sql", "sql_to_opportunity", "opportunity_to_customer")


def rate_change(before: Mapping, after: Mapping, rate: str) -> RateChange:
    num, den, *_ = RATES[rate]
    return compare_rates(
        int(before.get(num) or 0), int(before.get(den) or 0),
        int(after.get(num) or 0), int(after.get(den) or 0),
    )  # fmt: skip


def find(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    *,
    groups_before: Mapping[Any, Mapping[str, Any]] | None = None,
    groups_after: Mapping[Any, Mapping[str, Any]] | None = None,
    dimension: str | None = None,
    decomposition: Decomposition | None = None,
    cycles: tuple[list[float], list[float]] | None = None,
    deal_amounts: tuple[list[float], list[float]] | None = None,
    acceptance_threshold: float | None = None,
    maturity: Mapping[str, Any] | None = None,
    thresholds: Thresholds | None = None,
) -> list[Finding]:
    """Findings of a period comparison.

    ``before`` / ``after`` are the totals of each period: counts (leads, mqls, sals, sqls,
    opportunities, customers), revenue, spend, and ``acceptance_measured`` (sales
    acceptance was recorded). ``groups_*`` are the same per value of ``dimension`` (a
    value may be None, a number or a date): a channel losing money is judged on the
    current period's, cheap leads on both periods';
    ``cycles`` the sales-cycle durations (days) of each period's customers and
    ``deal_amounts`` their won amounts;
    ``maturity`` says whether the current cohort is young (``immature``, ``age``,
    ``delay``).
    """
    t = thresholds or Thresholds()
    # One family of tests per diagnosis (closing rate, four stage rates, cycle, acceptance):
    # Bonferroni keeps the chance of any false alarm under alpha, not alpha per test.
    tests = 5 + bool(cycles) + bool(deal_amounts) + bool(
        acceptance_threshold is not None and after.get("acceptance_measured"))  # fmt: skip
    t = replace(t, alpha=t.alpha / tests)
    out: list[Finding] = []
    # revenue when both periods know it; else customers (no verdict on an unknown total)
    valued = before.get("revenue") is not None and after.get("revenue") is not None
    measure = "revenue" if valued and (before["revenue"] or after["revenue"]) else "customers"
    measure_fr = "le chiffre d'affaires" if measure == "revenue" else "le nombre de clients"

    if maturity and maturity.get("immature"):
        out.append(Finding("immature_cohort", "caveat",
                           {"age": _days(maturity.get("age")),
                            "delay": _days(maturity.get("delay"))},
                           dict(maturity)))  # fmt: skip

    leads_change = _change(before.get("leads"), after.get("leads"))
    value_change = _change(before.get(measure), after.get(measure))
    closing = rate_change(before, after, "lead_to_customer")

    # volume up, business flat (or down) — and not by chance: the closing rate fell
    # significantly, or each customer brings clearly less (enough customers to tell)
    size_b = _per(before, measure)
    size_a = _per(after, measure)
    smaller_deals = (
        measure == "revenue"
        and deal_amounts is not None
        and min(len(deal_amounts[0]), len(deal_amounts[1])) >= 20
        and size_b and size_a is not None and size_a <= size_b * (1 - t.rate_drop)
        and _smaller(deal_amounts, t.alpha)
    )  # fmt: skip
    trend = _trend(before.get(measure), after.get(measure), value_change, t.flat_tolerance)
    if (
        leads_change is not None
        and leads_change >= t.volume_increase
        and trend is not None
        and ((closing.significant(t.alpha) and (closing.difference or 0) < 0) or smaller_deals)
    ):
        out.append(
            Finding(
                "volume_up_revenue_flat",
                "high" if trend == "down" else "medium",
                {
                    "trend": trend,
                    "trend_fr": {"flat": "stable", "down": "en baisse"}[trend],
                    "leads_before": _num(before["leads"]),
                    "leads_after": _num(after["leads"]),
                    "leads_change": _signed(leads_change),
                    "measure": measure,
                    "measure_fr": measure_fr,
                    "value_before": (_money if measure == "revenue" else _num)(
                        before.get(measure)
                    ),
                    "value_after": (_money if measure == "revenue" else _num)(after.get(measure)),
                    "value_change": _signed(value_change),
                },
                {
                    "leads": [before["leads"], after["leads"]],
                    measure: [before.get(measure), after.get(measure)],
                    "decomposition": decomposition.as_dict() if decomposition else None,
                },
            )
        )

    # the closing rate fell, significantly and by enough
    if _fell(closing, t):
        label = RATES["lead_to_customer"]
        out.append(Finding("conversion_drop", "high",
                           {**_rate_values(closing), "rate_label": label[2],
                            "rate_label_fr": label[3]},
                           {"lead_to_customer": closing.as_dict()}))  # fmt: skip

    # the stage whose rate fell most (significantly)
    drops = [(r, rate_change(before, after, r)) for r in STAGE_RATES]
    drops = [(r, c) for r, c in drops if _fell(c, t)]
    if drops:
        rate, c = min(drops, key=lambda rc: (rc[1].after or 0) / (rc[1].before or 1))
        label = RATES[rate]
        out.append(Finding("bottleneck_stage", "medium",
                           {**_rate_values(c), "stage_label": label[2],
                            "stage_label_fr": label[3]},
                           {"stage": rate, rate: c.as_dict()}))  # fmt: skip

    # stable volume, better conversion
    if (
        leads_change is not None
        and abs(leads_change) <= t.stable_volume
        and closing.significant(t.alpha)
        and (closing.difference or 0) > 0
    ):
        out.append(Finding("quality_improving", "positive",
                           {**_rate_values(closing), "leads_before": _num(before["leads"]),
                            "leads_after": _num(after["leads"])},
                           {"leads": [before["leads"], after["leads"]],
                            "lead_to_customer": closing.as_dict()}))  # fmt: skip

    # acceptance below the agreed threshold (measured data only)
    if acceptance_threshold is not None and after.get("acceptance_measured"):
        out += _acceptance(after, acceptance_threshold, t)

    # the sales cycle lengthens
    if cycles and len(cycles[0]) >= 5 and len(cycles[1]) >= 5:
        out += _cycle(cycles, leads_change, t)

    if decomposition is not None and dimension:
        out += _mix(decomposition, dimension, t)
    if groups_after:
        young = bool(maturity and maturity.get("immature"))
        out += _economics(groups_before or {}, groups_after, dimension or "group", t, young)
    return out


def _trend(
    before: float | None, after: float | None, change: float | None, tolerance: float
) -> str | None:
    """The business measure between two periods: "flat" within ± ``tolerance`` of itself,
    "down" below; None when it grew beyond it (or grew from nothing)."""
    if change is None:  # nothing before to divide by: flat only if nothing after either
        return "flat" if not before and not after else None
    if change < -tolerance:
        return "down"
    return "flat" if change <= tolerance else None


def _smaller(amounts: tuple[list[float], list[float]], alpha: float) -> bool:
    """Are the later deals smaller, beyond chance? (Mann–Whitney U, one-sided)"""
    from scipy.stats import mannwhitneyu

    return float(mannwhitneyu(amounts[1], amounts[0], alternative="less").pvalue) < alpha


def _per(s: Mapping, measure: str) -> float | None:
    """Revenue per customer (None without customers)."""
    return (s.get(measure) or 0) / s["customers"] if s.get("customers") else None


def _fell(c: RateChange, t: Thresholds) -> bool:
    return (
        c.significant(t.alpha)
        and c.before
        and c.after is not None
        and c.after <= c.before * (1 - t.rate_drop)
    )


def _acceptance(after: Mapping, threshold: float, t: Thresholds) -> list[Finding]:
    accepted, sent = int(after.get("sals") or 0), int(after.get("mqls") or 0)
    if not sent or accepted / sent >= threshold:
        return []
    from scipy.stats import binomtest

    p = binomtest(accepted, sent, threshold, alternative="less").pvalue
    if p >= t.alpha:
        return []
    return [
        Finding(
            "acceptance_below_threshold",
            "high",
            {"accepted": _num(accepted), "transmitted": _num(sent), "rate": _pct(accepted / sent),
             "threshold": _pct(threshold), "p_value": _p(p)},  # fmt: skip
            {"accepted": accepted, "transmitted": sent, "rate": accepted / sent,
             "threshold": threshold, "p_value": p, "test": "binomial test (one-sided)"},
        )
    ]  # fmt: skip


def _cycle(cycles, leads_change, t: Thresholds) -> list[Finding]:
    from scipy.stats import mannwhitneyu

    b, a = cycles
    mb, ma = median(b), median(a)
    if not mb or ma < mb * (1 + t.cycle_increase):
        return []
    p = float(mannwhitneyu(a, b, alternative="greater").pvalue)
    if p >= t.alpha:
        return []
    cash = leads_change is not None and leads_change >= t.volume_increase
    return [
        Finding(
            "cycle_lengthening",
            "high" if cash else "medium",
            {"before": _num(round(mb)), "after": _days(round(ma)), "change": _signed(ma / mb - 1),
             "p_value": _p(p),
             "cash": ", while lead volume rose: a cash and forecasting risk" if cash else "",
             "cash_fr": ", alors que le volume de leads augmentait : un risque de trésorerie "
                        "et de prévision" if cash else ""},
            {"median_days": [mb, ma], "customers": [len(b), len(a)], "p_value": p,
             "test": "Mann–Whitney U (one-sided)"},
        )
    ]  # fmt: skip


def _mix(d: Decomposition, dimension: str, t: Thresholds) -> list[Finding]:
    """Leads moved toward groups that convert worse (the mix effect is a loss).

    A group converts worse (better) when its measure per lead — revenue or customers, as
    the decomposition splits — both periods together, is below (above) that of all the
    leads. The sentence names the groups that gained share and convert worse, and those
    that lost share and convert better: each named gainer converts worse than each named
    loser, and the sentence claims nothing of a group it does not name (a growing group
    that converts better is not called worse). Without any such group, nothing true can
    be said of the shift and the finding is not raised.
    """
    base = d.before
    effect = d.effects.get("mix", 0.0)
    average = d.per_lead()
    if not base or effect >= 0 or -effect < t.mix_share * base or average is None:
        return []
    per_lead = {g: d.per_lead(g) for g in d.groups}
    moved = {g: d.share_change(g) for g in d.groups}
    # what each move cost per lead against the average lead: share moved x (own value -
    # average); their sum does not depend on the reference (the shares' moves add up to 0)
    drag = {g: moved[g] * (per_lead[g] - average) for g in d.groups if per_lead[g] is not None}
    gainers = sorted((g for g in drag if moved[g] > 0 and per_lead[g] < average), key=drag.get)
    losers = sorted((g for g in drag if moved[g] < 0 and per_lead[g] > average), key=drag.get)
    if not gainers and not losers:
        return []
    gainers, losers = gainers[:3], losers[:3]  # the costliest moves first
    revenue = d.measure == "revenue"
    return [
        Finding(
            "mix_shift_to_low_converting_channels",
            "medium",
            {"effect": (_money if revenue else _num)(effect),
             "measure": d.measure,
             "measure_fr": "le chiffre d'affaires" if revenue else "le nombre de clients",
             "share": _pct(-effect / base),
             "shift": _shift(losers, gainers, "en"),
             "shift_fr": _shift(losers, gainers, "fr"),
             "basis": "revenue per lead" if revenue else "customers per lead",
             "basis_fr": "chiffre d'affaires par lead" if revenue else "clients par lead"},
            {"mix_effect": effect, "previous": base, "dimension": dimension,
             "measure": d.measure,
             "by_group": {json_key(g): e.get("mix", 0.0) for g, e in d.by_group.items()},
             "per_lead": {json_key(g): v for g, v in per_lead.items()},
             "average_per_lead": average,
             "share_change": {json_key(g): v for g, v in moved.items()},
             "gainers_converting_worse": [json_key(g) for g in gainers],
             "losers_converting_better": [json_key(g) for g in losers]},
        )
    ]  # fmt: skip


def _shift(losers: list, gainers: list, lang: str) -> str:
    """Where the leads went, and what is true of the groups named: 'away from A toward B,
    which converts worse than the average lead' (one list may be empty, not both)."""
    away = ", ".join(_label(g, lang) for g in losers)
    toward = ", ".join(_label(g, lang) for g in gainers)
    if lang == "fr":
        if not gainers:
            verb = "convertit" if len(losers) == 1 else "convertissent"
            return f"de {away}, qui {verb} mieux que la moyenne des leads"
        verb = "convertit" if len(gainers) == 1 else "convertissent"
        return (f"de {away} " if losers else "") + (
            f"vers {toward}, qui {verb} moins bien que la moyenne des leads"
        )
    if not gainers:
        verb = "converts" if len(losers) == 1 else "convert"
        return f"away from {away}, which {verb} better than the average lead"
    verb = "converts" if len(gainers) == 1 else "convert"
    return (f"away from {away} " if losers else "") + (
        f"toward {toward}, which {verb} worse than the average lead"
    )


def _label(value: object, lang: str = "en") -> str:
    """A group's value in a sentence: a missing one is the group '(none)' ('(aucun)'), as
    in tables."""
    return group_name(value, lang)


def _both_periods(before: Mapping, after: Mapping) -> dict:
    """Each group over both periods (leads, customers, spend summed): cheap leads compare
    every campaign that ran in either period (one may run in each)."""
    out: dict = {}
    for part in (before, after):
        for g, r in part.items():
            s = out.setdefault(g, {"leads": 0, "customers": 0, "spend": None})
            s["leads"] += r.get("leads") or 0
            s["customers"] += r.get("customers") or 0
            if r.get("spend") is not None:
                s["spend"] = (s["spend"] or 0.0) + r["spend"]
    return out


def _paid(groups: Mapping, t: Thresholds) -> dict:
    """The groups with spend and enough leads to be judged on their own, in table order."""
    return {
        g: groups[g] for g in sorted(groups, key=group_order)
        if groups[g].get("spend") and (groups[g].get("leads") or 0) >= t.min_group_leads
    }  # fmt: skip


def _economics(
    before: Mapping, after: Mapping, dimension: str, t: Thresholds, young: bool
) -> list[Finding]:
    """Cheap leads with expensive customers (over both periods), and channels losing money
    (the current period, as the KPI table shows it; not said of a young cohort)."""
    out = []
    paid = _paid(_both_periods(before, after), t)
    cpl = {g: v["spend"] / v["leads"] for g, v in paid.items()}
    # no customer for real spend: the dearest customers of all (infinitely)
    cac = {g: v["spend"] / v["customers"] if v.get("customers") else float("inf")
           for g, v in paid.items()}  # fmt: skip
    if len(cac) >= 2 and any(c != float("inf") for c in cac.values()):
        median_cpl, median_cac = median(cpl.values()), median(cac.values())
        for g in cac:
            if cpl[g] < median_cpl and cac[g] > median_cac:
                out.append(Finding(
                    "cheap_leads_expensive_customers", "medium",
                    {"group": f"{dimension} {_label(g)}",
                     "group_fr": f"{tr(dimension, 'fr')} {_label(g, 'fr')}",
                     "cpl": _money(cpl[g]),
                     "median_cpl": _money(median_cpl), "cac": _money(cac[g]),
                     "median_cac": _money(median_cac)},
                    {"cpl": cpl[g], "cac": None if cac[g] == float("inf") else cac[g],
                     "median_cpl": median_cpl,
                     "median_cac": median_cac, "leads": paid[g]["leads"],
                     "customers": paid[g]["customers"], "spend": paid[g]["spend"]},
                    group={dimension: g},
                ))  # fmt: skip
    # the current period's spend and revenue, those of the table beside it: no verdict
    # where its revenue is unknown (won deals without an amount)
    for g, v in ({} if young else _paid(after, t)).items():
        revenue = v.get("revenue")
        if revenue is not None and revenue < v["spend"]:
            roi = (revenue - v["spend"]) / v["spend"]
            out.append(Finding(
                "channel_roi_negative", "medium",
                {"group": f"{dimension} {_label(g)}",
                 "group_fr": f"{tr(dimension, 'fr')} {_label(g, 'fr')}",
                 "spend": _money(v["spend"]),
                 "revenue": _money(revenue), "roi": _signed(roi)},
                {"spend": v["spend"], "revenue": revenue, "roi": roi},
                group={dimension: g},
            ))  # fmt: skip
    return out


def worst(findings: list[Finding]) -> str | None:
    """The worst failing severity raised (high, medium or low), if any."""
    for s in ("high", "medium", "low"):
        if any(f.severity == s for f in findings):
            return s
    return None
