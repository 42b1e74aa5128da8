"""Recommending a score threshold from sales capacity or a target acceptance rate."""

from __future__ import annotations

from pathlib import Path

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from ..config import Config
from ..errors import MissingDataError, Notice, UsageError
from ..results import Meta, Result, param
from ..text import Text
from .bands import model_score
from .evaluate import held_out_scores

DAYS_PER_MONTH = 365.25 / 12
DEFINITIONS = {
    "threshold": Text(
        "score from which a lead becomes a scored-MQL (model: the 0-100 score as shown, 100 x "
        "probability rounded to the unit; rules: rules_score points)",
        "score à partir duquel un lead devient un MQL scoré (modèle : le score 0-100 affiché, "
        "100 x probabilité arrondi à l'unité ; règles : points du rules_score)",
    ),
    "mqls": Text(
        "held-out leads at or above the threshold (the sample the rates are read from)",
        "leads réservés au test au niveau du seuil ou au-dessus (l'échantillon sur lequel les "
        "taux sont mesurés)",
    ),
    "mqls_per_month": Text(
        "share of the held-out leads at or above the threshold x the leads with a known "
        "outcome / the months those leads span (first to last creation date, in days + 1, / "
        "30.44); at threshold 0 it is the leads with a known outcome per month",
        "part des leads réservés au test au niveau du seuil ou au-dessus x les leads dont "
        "l'issue est connue / le nombre de mois que couvrent ces leads (de la première à la "
        "dernière date de création, en jours + 1, / 30,44) ; au seuil 0, ce sont les leads "
        "dont l'issue est connue par mois",
    ),
    "expected_acceptance": Text(
        "share of those leads that sales accepted (reached SAL; SQL when the data has no SAL "
        "stage)",
        "part de ces leads acceptés par les ventes (étape SAL atteinte ; SQL quand les données "
        "n'ont pas d'étape SAL)",
    ),
    "expected_customers_per_month": Text(
        "share of the held-out leads at or above the threshold that reached the target within "
        "the horizon x the leads with a known outcome / the months they span",
        "part des leads réservés au test au niveau du seuil ou au-dessus ayant atteint la "
        "cible dans l'horizon x les leads dont l'issue est connue / le nombre de mois qu'ils "
        "couvrent",
    ),
    "conversion": Text(
        "share of those leads that reached the target within the horizon",
        "part de ces leads ayant atteint la cible dans l'horizon",
    ),
    "recommended": Text(
        "capacity: the lowest threshold whose MQLs per month fit the capacity; target "
        "acceptance: the lowest threshold whose expected acceptance reaches the target (the "
        "most MQLs that still meet it)",
        "capacité : le seuil le plus bas dont les MQL par mois tiennent dans la capacité ; "
        "acceptation cible : le seuil le plus bas dont l'acceptation attendue atteint la cible "
        "(celui qui donne le plus de MQL tout en l'atteignant)",
    ),
}


def rule_text(capacity: float | None, target_acceptance: float | None) -> Text:
    """The rule that chooses the recommended threshold (meta.rule), in English and French."""
    if capacity is not None:
        fr = f"{capacity:g}".replace(".", ",")
        return Text(
            f"lowest threshold with at most {capacity:g} MQLs per month",
            f"seuil le plus bas avec au plus {fr} MQL par mois",
        )
    assert target_acceptance is not None
    pct = f"{target_acceptance:.0%}"
    return Text(
        f"lowest threshold with an expected acceptance of at least {pct}",
        f"seuil le plus bas avec une acceptation attendue d'au moins {pct[:-1]} %",
    )


class ThresholdResult(Result):
    """The trade-off of thresholds (one row each), the recommended one and its rule.

    ``meta``: ``score`` (model or rules), ``capacity`` / ``target_acceptance`` (the one
    given), ``recommended_threshold``, ``rule`` (English; ``rule_in(lang)``),
    ``population`` (the leads the rates stand for), ``definitions`` and ``warnings``.
    """

    def __init__(
        self,
        rows: list[dict],
        *,
        recommended: float | None,
        using: str,
        rule: Text,
        population: dict,
        warnings: list[str] | None = None,
        capacity: float | None = None,
        target_acceptance: float | None = None,
    ) -> None:
        meta = Meta(
            "score_threshold",
            params={"score": using, "capacity": capacity, "target_acceptance": target_acceptance},
            details={"recommended_threshold": recommended, "population": population},
            texts={"rule": rule},
            definitions=DEFINITIONS,
            warnings=warnings or [],
        )
        super().__init__(rows, meta)

    recommended = param("recommended_threshold")
    using = param("score")
    rule = param("rule")
    population = param("population")

    def rule_in(self, lang: str) -> str:
        """meta.rule in ``lang``."""
        return self.meta.text_in("rule", lang)


def tradeoff(
    scores: np.ndarray,
    accepted: np.ndarray,
    converted: np.ndarray,
    thresholds: list[float],
    months: float,
    scale: float = 1.0,
) -> list[dict]:
    """threshold -> MQLs per month, expected acceptance, expected customers per month.

    ``scale``: how many leads of the population each scored lead stands for (population /
    held-out leads); ``months``: the months the population spans.
    """
    scores = np.asarray(scores, dtype=float)
    accepted = np.asarray(accepted, dtype=float)
    converted = np.asarray(converted, dtype=float)
    rows = []
    for t in thresholds:
        above = scores >= t
        n = int(above.sum())
        rows.append(
            {
                "threshold": float(t),
                "mqls": n,
                "mqls_per_month": n * scale / months,
                "expected_acceptance": float(accepted[above].mean()) if n else None,
                "conversion": float(converted[above].mean()) if n else None,
                "expected_customers_per_month": float(converted[above].sum()) * scale / months,
            }
        )
    return rows


def choose(
    rows: list[dict], capacity: float | None, target_acceptance: float | None
) -> tuple[float | None, str, list[str]]:
    """The recommended threshold of the trade-off ``rows``, the rule that chose it, warnings."""
    warnings: list[str] = []
    ordered = sorted(rows, key=lambda r: r["threshold"])
    if capacity is not None:
        fits = [r for r in ordered if r["mqls_per_month"] <= capacity]
        rule = rule_text(capacity, None).en
        if not fits:
            warnings.append(
                Notice(
                    "over_capacity", "even the highest threshold sends more MQLs than the capacity"
                )
            )
            return ordered[-1]["threshold"], rule, warnings
        return fits[0]["threshold"], rule, warnings
    assert target_acceptance is not None
    rule = rule_text(None, target_acceptance).en
    meets = [
        r
        for r in ordered
        if r["expected_acceptance"] is not None and r["expected_acceptance"] >= target_acceptance
    ]
    if not meets:
        warnings.append(Notice(
            "target_unreachable",
            f"no threshold reaches an acceptance of {target_acceptance:.0%}; the table shows "
            "the best that can be had",
        ))  # fmt: skip
        return None, rule, warnings
    return meets[0]["threshold"], rule, warnings


def recommend(
    root: Path,
    tables: dict[str, ir.Table],
    config: Config,
    *,
    capacity: float | None = None,
    target_acceptance: float | None = None,
    using: str = "auto",
) -> ThresholdResult:
    """The trade-off table of thresholds on the held-out leads and the recommended one.

    Rates are read on the held-out leads (every lead with a known outcome when no model is
    trained); per-month figures scale them to every lead with a known outcome over the
    months those leads span (see DEFINITIONS).
    """
    if (capacity is None) == (target_acceptance is None):
        raise UsageError("give exactly one of --capacity N_PER_MONTH or --target-acceptance RATE")
    if capacity is not None and capacity <= 0:
        raise UsageError("--capacity must be a positive number of MQLs per month")
    if target_acceptance is not None and not 0 < target_acceptance <= 1:
        raise UsageError("--target-acceptance must be a rate between 0 and 1, e.g. 0.6")
    if using not in ("auto", "model", "rules"):
        raise UsageError(f"--using {using!r}: expected auto, model or rules")
    df, info, warnings = held_out_scores(root, tables, config)
    has_model = df["probability"].notna().any()
    if using == "auto":
        using = "model" if has_model else "rules"
    if using == "model" and not has_model:
        raise MissingDataError("no trained model: run `leadpilot score train` or use --using rules")
    if not len(df):
        raise MissingDataError("no lead with a known outcome to base a threshold on")
    if using == "model":
        scores = model_score(df["probability"].to_numpy())  # as shown: rounded
        thresholds = [float(t) for t in range(0, 101, 5)]
    else:
        scores = df["rules_score"].to_numpy()
        thresholds = sorted({float(v) for v in np.percentile(scores, np.arange(0, 101, 5))})
    accepted = df["reached_sal"].to_numpy()
    if not accepted.any():
        accepted = df["reached_sql"].to_numpy()
        warnings.append(
            Notice("acceptance_from_sql", "no lead reached SAL: acceptance is read from SQL")
        )
    population, months, more = _population(df, info)
    warnings += more
    scale = population / len(df)
    rows = tradeoff(scores, accepted, df["label"].to_numpy(), thresholds, months, scale)
    chosen, _, more = choose(rows, capacity, target_acceptance)
    for r in rows:
        r["recommended"] = chosen is not None and r["threshold"] == chosen
    return ThresholdResult(
        rows,
        recommended=chosen,
        using=using,
        rule=rule_text(capacity, target_acceptance),
        capacity=capacity,
        target_acceptance=target_acceptance,
        warnings=warnings + more,
        population={
            "leads_known_outcome": population,
            "held_out_leads": len(df),
            "held_out_share": len(df) / population,
            "created_from": info.get("created_from"),
            "created_to": info.get("created_to"),
            "months": months,
        },
    )


def _population(df: pd.DataFrame, info: dict) -> tuple[int, float, list[str]]:
    """The leads the held-out ones stand for (every lead with a known outcome) and the months
    they span, first to last creation date inclusive."""
    warnings: list[str] = []
    population = int(info.get("leads_known_outcome") or len(df))
    first, last = info.get("created_from"), info.get("created_to")
    if first is None or last is None:  # pragma: no cover - held_out_scores always sets them
        created = pd.to_datetime(df["created_at"])
        first, last = created.min(), created.max()
    days = (pd.Timestamp(last) - pd.Timestamp(first)) / pd.Timedelta(days=1) + 1
    months = days / DAYS_PER_MONTH
    if months < 1:
        warnings.append(Notice(
            "short_history",
            f"the leads with a known outcome span {days:.0f} day(s), less than a month: "
            "figures per month are for the whole period",
        ))  # fmt: skip
        months = 1.0
    return population, months, warnings
