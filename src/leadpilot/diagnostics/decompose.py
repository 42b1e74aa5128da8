"""Splitting a change in revenue (or customers) exactly into the effects that made it.

Revenue is a product summed over channels:

    revenue = sum over channels c of  leads x share_c x conversion_c x deal_size_c

(``share_c`` = the channel's part of the leads, ``conversion_c`` = its lead → customer
rate, ``deal_size_c`` = its revenue per customer). Between two periods every factor
moves; the change is split with the **Shapley decomposition of the product**: each
factor's effect is its marginal contribution averaged over every order in which the
factors could have changed. It is chosen because it is

* exact: the effects add up to the change, with no residual term;
* symmetric: no factor is arbitrarily changed "first" (sequential substitution — the
  usual textbook method — gives other numbers for another order);
* defined with zeros: unlike the logarithmic mean Divisia index (LMDI), which needs
  logarithms of every factor, a channel with no revenue in one period is no problem.

A factor undefined in one period (the conversion of a channel without leads, the deal
size of a channel without customers) takes its value of the other period, so it
contributes nothing: a new channel's revenue is a volume and mix effect, a vanished
channel's loss too. The conversion effect is further split stage by stage, since
conversion is the product of the stage rates (lead → MQL → SQL → opportunity →
customer): the stage factors enter the same decomposition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from math import factorial, prod

METHOD = (
    "Shapley decomposition of revenue = leads x channel share x conversion x deal size, "
    "summed over channels: each effect is the factor's marginal contribution averaged over "
    "every order of change, so the effects add up exactly to the change, whatever the "
    "order, and zeros need no logarithm; a factor undefined in one period (a channel "
    "without leads or customers) keeps its other period's value"
)
METHOD_FR = (
    "décomposition de Shapley du produit chiffre d'affaires = leads x part du canal x "
    "conversion x panier moyen, sommée sur les canaux : chaque effet est la contribution "
    "marginale du facteur moyennée sur tous les ordres de changement, donc les effets "
    "s'additionnent exactement à la variation, sans résidu ni logarithme ; un facteur "
    "indéfini sur une période (canal sans lead ou sans client) garde la valeur de l'autre"
)
STAGES = ("mql", "sql", "opportunity", "customer")
ALL = object()  # every group at once (a group's own value may be None)


def shapley_product(before: Sequence[float], after: Sequence[float]) -> list[float]:
    """Effect of each factor on ``prod(after) - prod(before)``; they sum to it exactly.

    Examples
    --------
    >>> [round(e, 6) for e in shapley_product([400, 0.15], [800, 0.06])]  # 60 -> 48 sales
    [42.0, -54.0]
    """
    n = len(before)
    if n != len(after):
        raise ValueError("before and after need as many factors")
    effects = []
    for i in range(n):
        others = [j for j in range(n) if j != i]
        total = 0.0
        for k in range(n):
            weight = factorial(k) * factorial(n - k - 1) / factorial(n)
            for changed in combinations(others, k):
                moved = set(changed)
                without = prod(after[j] if j in moved else before[j] for j in range(n))
                with_i = prod(
                    after[j] if (j in moved or j == i) else before[j] for j in range(n)
                )
                total += weight * (with_i - without)
        effects.append(total)
    return effects


def group_order(value: object) -> str:
    """Where a group is listed: by its text, a missing value first (as the KPI tables)."""
    return "" if value is None else str(value)


def json_key(value: object) -> object:
    """A group's value as the key of a JSON object: a date (or any value JSON cannot key
    by) as its text; null, text, numbers and booleans as they are."""
    return value if value is None or isinstance(value, str | int | float) else str(value)


@dataclass(frozen=True)
class Group:
    """One channel (or the whole) in one period: leads, customers, revenue and, for the
    stage split, how many leads reached each stage."""

    leads: float
    customers: float
    revenue: float = 0.0
    stages: Mapping[str, float] = field(default_factory=dict)  # mql, sql, opportunity...


@dataclass
class Decomposition:
    """The change of a total split into effects that add up to it exactly."""

    measure: str  # "revenue" or "customers"
    before: float
    after: float
    effects: dict[str, float]  # volume, mix, conversion, deal_size (revenue only)
    stage_effects: dict[str, float]  # conversion split by stage (sums to "conversion")
    by_group: dict[object, dict[str, float]]  # the group's value (a channel) -> effects
    method: str = METHOD
    method_fr: str = METHOD_FR
    # each group's own numbers in both periods: what a finding may say of a group (its
    # measure per lead) is read from them, not guessed from its effects
    groups: dict[object, tuple[Group, Group]] = field(default_factory=dict, repr=False)

    @property
    def change(self) -> float:
        return self.after - self.before

    def per_lead(self, group: object = ALL) -> float | None:
        """The measure (revenue or customers) per lead of ``group``, or of every group with
        ``ALL``, over both periods together; None without any lead."""
        pairs = self.groups.values() if group is ALL else [self.groups[group]]
        leads = sum(g.leads for pair in pairs for g in pair)
        value = sum(getattr(g, self.measure) for pair in pairs for g in pair)
        return value / leads if leads else None

    def share_change(self, group: object) -> float:
        """How much the group's share of the leads moved (current - previous)."""
        totals = [sum(pair[i].leads for pair in self.groups.values()) for i in (0, 1)]
        b, a = self.groups[group]
        return (_rate(a.leads, totals[1]) or 0.0) - (_rate(b.leads, totals[0]) or 0.0)

    def as_dict(self) -> dict:
        return {
            "measure": self.measure,
            "before": self.before,
            "after": self.after,
            "change": self.change,
            "effects": self.effects,
            "stage_effects": self.stage_effects,
            "by_group": {json_key(g): e for g, e in self.by_group.items()},
            "method": self.method,
        }


def _rate(num: float, den: float) -> float | None:
    return None if not den else num / den


def _pair(a: float | None, b: float | None) -> tuple[float, float]:
    """An undefined factor takes the other period's value (and so has no effect)."""
    if a is None and b is None:
        return 0.0, 0.0
    return (b if a is None else a), (a if b is None else b)


def _stage_rates(g: Group, stages: Sequence[str]) -> list[float | None]:
    """Lead → first stage → ... → customer rates; their product is the conversion."""
    chain = [g.leads, *[g.stages.get(s, 0.0) for s in stages], g.customers]
    return [_rate(chain[k + 1], chain[k]) for k in range(len(chain) - 1)]


def decompose(
    before: Mapping[object, Group],
    after: Mapping[object, Group],
    measure: str = "revenue",
    stages: Sequence[str] | None = None,
) -> Decomposition:
    """Split the change of revenue (or customers) between two periods into volume, mix,
    conversion (and stage by stage) and deal-size effects, summed over the groups.

    ``before`` and ``after`` map a group's value (a channel; a date, a number or None
    by another dimension) to its :class:`Group`; a group absent from one period counts
    as empty there. With ``stages`` (e.g. ``("mql", "sql",
    "opportunity")``, the intermediate stages in order) the conversion factor is the
    product of the stage rates, each with its own effect; the groups' ``stages`` counts
    must then be cumulative (a customer has passed every earlier stage), as the cohort
    view gives them.
    """
    if measure not in ("revenue", "customers"):
        raise ValueError("measure: revenue or customers")
    stages = tuple(stages or ())
    names = sorted(set(before) | set(after), key=group_order)  # a group may be None
    empty = Group(0.0, 0.0, 0.0)
    total_b = sum(before.get(n, empty).leads for n in names)
    total_a = sum(after.get(n, empty).leads for n in names)
    labels = ["volume", "mix", *([f"stage:{s}" for s in (*stages, "customer")] if stages
              else ["conversion"])]  # fmt: skip
    if measure == "revenue":
        labels.append("deal_size")
    effects = dict.fromkeys(labels, 0.0)
    by_group: dict[str, dict[str, float]] = {}
    groups: dict[object, tuple[Group, Group]] = {}
    for name in names:
        b, a = before.get(name, empty), after.get(name, empty)
        groups[name] = (b, a)
        factors_b: list[float] = [total_b]
        factors_a: list[float] = [total_a]
        share = _pair(_rate(b.leads, total_b), _rate(a.leads, total_a))
        factors_b.append(share[0])
        factors_a.append(share[1])
        if stages:
            for rb, ra in zip(_stage_rates(b, stages), _stage_rates(a, stages), strict=True):
                x, y = _pair(rb, ra)
                factors_b.append(x)
                factors_a.append(y)
        else:
            x, y = _pair(_rate(b.customers, b.leads), _rate(a.customers, a.leads))
            factors_b.append(x)
            factors_a.append(y)
        if measure == "revenue":
            x, y = _pair(_rate(b.revenue, b.customers), _rate(a.revenue, a.customers))
            factors_b.append(x)
            factors_a.append(y)
        group = dict(zip(labels, shapley_product(factors_b, factors_a), strict=True))
        by_group[name] = group
        for k, v in group.items():
            effects[k] += v
    stage_effects = {k.split(":", 1)[1]: v for k, v in effects.items() if k.startswith("stage:")}
    if stages:
        effects = {k: v for k, v in effects.items() if not k.startswith("stage:")}
        effects["conversion"] = sum(stage_effects.values())
        for group in by_group.values():
            group["conversion"] = sum(v for k, v in group.items() if k.startswith("stage:"))
    value = "revenue" if measure == "revenue" else "customers"
    total = {
        "before": sum(getattr(before.get(n, empty), value) for n in names),
        "after": sum(getattr(after.get(n, empty), value) for n in names),
    }
    ordered = {k: effects[k] for k in ("volume", "mix", "conversion", "deal_size") if k in effects}
    return Decomposition(
        measure=measure,
        before=total["before"],
        after=total["after"],
        effects=ordered,
        stage_effects=stage_effects,
        by_group=by_group,
        groups=groups,
    )
