"""Does the score predict revenue? AUC, calibration, lift and gains, threshold, acceptance.

The metric functions are plain NumPy (tests check them against scikit-learn's own);
``evaluate`` scores the held-out leads with the model and the rules and compares both.
"""

from __future__ import annotations

from pathlib import Path

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from ..config import Config
from ..errors import Notice
from ..results import Meta, Result
from ..text import Text
from .auc import auc
from .bands import model_score
from .features import labelled_features
from .model import CARD_FILE, MODEL_DIR, load_model, split
from .rules import RULES_DEFINITION, rules_score

TOO_GOOD_AUC = 0.99  # above it an AUC always comes with the leakage warning
# rules.RULES_DEFINITION with its French (tests check that the English is the same text).
RULES_TEXT = Text(
    RULES_DEFINITION,
    "somme des points des règles de scoring de leadpilot.yaml ; règles de "
    "profil (fit) sur les attributs du lead, règles de comportement sur ses interactions "
    "jusqu'à la date de référence (les interactions ultérieures sont ignorées), points "
    "comportementaux atténués par 0.5 ** (age_days / half_life_days), chaque règle plafonnée "
    "à son cap ; scored_mql : rules_score >= scoring.threshold.",
)
DEFINITIONS = {
    "auc": Text(
        "area under the ROC curve: the probability that a random converter scores above a "
        "random non-converter (ties count one half); 0.5 is chance",
        "aire sous la courbe ROC : probabilité qu'un lead converti tiré au hasard ait un "
        "score supérieur à celui d'un lead non converti tiré au hasard (les ex aequo comptent "
        "pour moitié) ; 0,5 correspond au hasard",
    ),
    "brier": Text(
        "mean squared difference between the predicted probability and the outcome (0/1); "
        "lower is better; only for the model (a points score is not a probability)",
        "écart quadratique moyen entre la probabilité prédite et l'issue (0/1) ; plus il est "
        "bas, mieux c'est ; uniquement pour le modèle (un score en points n'est pas une "
        "probabilité)",
    ),
    "reliability": Text(
        "held-out leads in ten equal-width probability bins: mean predicted probability vs "
        "observed conversion rate",
        "leads réservés au test répartis en dix classes de probabilité de même largeur : "
        "probabilité prédite moyenne face au taux de conversion observé",
    ),
    "deciles": Text(
        "leads sorted by score, highest first, cut in ten equal groups: conversion rate, lift "
        "(rate / overall rate), cumulative gains (share of all converters captured up to this "
        "decile)",
        "leads triés par score décroissant, découpés en dix groupes égaux : taux de "
        "conversion, lift (taux / taux global), gains cumulés (part de l'ensemble des leads "
        "convertis captée jusqu'à ce décile)",
    ),
    "conversion_above": Text(
        "conversion rate of the leads at or above the threshold (model: score >= "
        "scoring.model.threshold, the 0-100 score as shown, 100 x probability rounded to the "
        "unit; rules: rules_score >= scoring.threshold); conversion_below: of the others",
        "taux de conversion des leads au niveau du seuil ou au-dessus (modèle : score >= "
        "scoring.model.threshold, le score 0-100 affiché, 100 x probabilité arrondi à "
        "l'unité ; règles : rules_score >= scoring.threshold) ; conversion_below : celui des "
        "autres",
    ),
    "mql_precision_sal": Text(
        "share of scored-MQLs (leads at or above the threshold) that sales accepted (reached "
        "SAL, from stage events, implied stages included); mql_precision_sql: that reached SQL",
        "part des MQL scorés (leads au niveau du seuil ou au-dessus) acceptés par les ventes "
        "(étape SAL atteinte, d'après les événements d'étape, étapes implicites comprises) ; "
        "mql_precision_sql : part ayant atteint l'étape SQL",
    ),
    "target": Text(
        "a lead converts when it reaches the target stage within horizon_days of its "
        "creation; leads younger than the horizon at the end of the data are left out",
        "un lead est converti quand il atteint l'étape cible dans les horizon_days jours "
        "suivant sa création ; les leads plus jeunes que l'horizon à la fin des données sont "
        "écartés",
    ),
    "rules_score": RULES_TEXT,
    "auc_warning": Text(
        "set when the AUC is above 0.99: a sign that a feature records the outcome",
        "signalé quand l'AUC dépasse 0,99 : signe qu'une variable enregistre l'issue",
    ),
}


# ------------------------------------------------------------------ metric functions
def brier(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((np.asarray(p, dtype=float) - np.asarray(y, dtype=float)) ** 2))


def reliability(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict]:
    """Equal-width bins of predicted probability (the last bin includes 1.0)."""
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    idx = np.minimum((p * bins).astype(int), bins - 1)
    out = []
    for b in range(bins):
        m = idx == b
        n = int(m.sum())
        out.append(
            {
                "bin": b + 1,
                "low": b / bins,
                "high": (b + 1) / bins,
                "n": n,
                "mean_predicted": float(p[m].mean()) if n else None,
                "observed_rate": float(y[m].mean()) if n else None,
            }
        )
    return out


def deciles(y: np.ndarray, score: np.ndarray, groups: int = 10) -> list[dict]:
    """Lift and cumulative gains; ties are broken by position (stable sort)."""
    y = np.asarray(y, dtype=float)
    order = np.argsort(-np.asarray(score, dtype=float), kind="stable")
    ys = y[order]
    n, total = len(ys), ys.sum()
    base = total / n if n else 0.0
    out, cum = [], 0.0
    for g, part in enumerate(np.array_split(ys, groups)):
        if not len(part):
            continue
        cum += part.sum()
        rate = float(part.mean())
        out.append(
            {
                "decile": g + 1,
                "n": int(len(part)),
                "positives": int(part.sum()),
                "rate": rate,
                "lift": float(rate / base) if base else None,
                "cumulative_gain": float(cum / total) if total else None,
            }
        )
    return out


def _rate(mask: np.ndarray, y: np.ndarray) -> float | None:
    return float(y[mask].mean()) if mask.any() else None


def threshold_summary(
    y: np.ndarray, score: np.ndarray, threshold: float, sal: np.ndarray, sql: np.ndarray
) -> dict:
    above = np.asarray(score, dtype=float) >= threshold
    y = np.asarray(y, dtype=float)
    return {
        "threshold": threshold,
        "mqls": int(above.sum()),
        "conversion_above": _rate(above, y),
        "conversion_below": _rate(~above, y),
        "mql_precision_sal": _rate(above, np.asarray(sal, dtype=float)),
        "mql_precision_sql": _rate(above, np.asarray(sql, dtype=float)),
    }


# ------------------------------------------------------------------ evaluation
class EvaluationResult(Result):
    """One row per score (model, rules): AUC, Brier score, base rate and acceptance at the
    threshold; ``details`` (also in ``meta``): lift and gains by decile, reliability bins,
    the held-out population."""

    def __init__(self, rows: list[dict], details: dict, warnings: list[str] | None = None):
        meta = Meta(
            "score_evaluate", definitions=DEFINITIONS, details=details, warnings=warnings or []
        )
        super().__init__(rows, meta)
        self.details = details


def held_out_scores(
    root: Path, tables: dict[str, ir.Table], config: Config
) -> tuple[pd.DataFrame, dict, list[str]]:
    """Held-out leads with label, probability (model), rules_score and stage flags.

    With a trained model: its held-out part (the newest leads for a time split). Without
    one: every lead whose outcome is known (rules are not trained on the data).
    """
    from .features import feature_specs

    warnings: list[str] = []
    has_model = (Path(root) / MODEL_DIR / CARD_FILE).exists()
    settings = config.scoring.model
    if has_model:
        current = feature_specs(tables["leads"], config)
        model, card = load_model(root, current, config=config)
        df, info = labelled_features(
            tables,
            config,
            model.features_,
            target=card["target"],
            horizon_days=card["horizon_days"],
        )
        part, _, _ = split(df, card["split"])
        info.update(_span(df))
        df = df[part == "test"].reset_index(drop=True)
        if card["split"]["kind"] == "hash":
            split_warning = card.get("split_warning") or "held-out part is a pseudo-random split"
            warnings.append(Notice("pseudo_random_split", split_warning))
        df["probability"] = model.predict_proba(df)[:, 1] if len(df) else []
        info["model"] = {k: card[k] for k in ("model", "trained_at", "target", "horizon_days")}
        info["split_kind"] = card["split"]["kind"]
    else:
        df, info = labelled_features(
            tables, config, [], target=settings.target, horizon_days=settings.horizon_days
        )
        info.update(_span(df))
        df["probability"] = np.nan
        warnings.append(Notice(
            "rules_only",
            "no trained model: only the rules score is evaluated (on every lead "
            "whose outcome is known)",
        ))  # fmt: skip
    rules = rules_score(tables, config, days_after_creation=settings.observation_days).to_pandas()[
        ["lead_id", "rules_score"]
    ]
    df = df.merge(rules, on="lead_id", how="left")
    df["rules_score"] = df["rules_score"].fillna(0.0)
    info["held_out_leads"] = len(df)
    return df, info, warnings


def _span(df: pd.DataFrame) -> dict:
    """First and last creation date of the leads with a known outcome (all of them, not only
    the held-out part): the period the per-month figures of ``score threshold`` cover."""
    created = pd.to_datetime(df["created_at"])
    return {
        "created_from": created.min().isoformat() if len(df) else None,
        "created_to": created.max().isoformat() if len(df) else None,
    }


def evaluate(root: Path, tables: dict[str, ir.Table], config: Config) -> EvaluationResult:
    """AUC, Brier score, threshold summary, deciles and reliability of the model and the
    rules score on the held-out leads; an AUC above 0.99 always carries a leakage warning."""
    df, info, warnings = held_out_scores(root, tables, config)
    y = df["label"].to_numpy()
    sal, sql = df["reached_sal"].to_numpy(), df["reached_sql"].to_numpy()
    if not len(df) or len(np.unique(y)) < 2:
        warnings.append(
            Notice(
                "auc_undefined", "the held-out leads do not hold both outcomes: AUC is undefined"
            )
        )
    rows, details = [], {"population": info, "deciles": {}, "reliability": {}}
    sources = []
    if df["probability"].notna().any():
        p = df["probability"].to_numpy()
        # ranked by the probability; cut at the threshold on the score as shown
        sources.append(("model", p * 100, model_score(p), config.scoring.model.threshold))
    if config.scoring.fit or config.scoring.behaviour:
        rules = df["rules_score"].to_numpy()
        sources.append(("rules", rules, rules, config.scoring.threshold))
    else:
        warnings.append(
            Notice(
                "no_rules", "no scoring rules in leadpilot.yaml: the rules score is not evaluated"
            )
        )
    for name, score, shown, threshold in sources:
        row = {
            "score": name,
            "n": len(df),
            "positives": int(y.sum()),
            "base_rate": float(y.mean()) if len(y) else None,
            "auc": auc(y, score),
            "brier": brier(y, score / 100) if name == "model" else None,
            **threshold_summary(y, shown, threshold, sal, sql),
        }
        rows.append(row)
        row["auc_warning"] = None
        if row["auc"] is not None and row["auc"] > TOO_GOOD_AUC:
            row["auc_warning"] = (
                f"AUC {row['auc']:.3f} of the {name} score is above {TOO_GOOD_AUC}: lead "
                "scoring on honest data is never that good; a feature (or a rule's column) "
                "almost certainly records the outcome (leakage): see leakage_suspects in "
                "`leadpilot score train`'s output and exclude it"
            )
            warnings.append(Notice("too_good", row["auc_warning"]))
        details["deciles"][name] = deciles(y, score)
        if name == "model":
            details["reliability"][name] = reliability(y, score / 100)
    return EvaluationResult(rows=rows, details=details, warnings=warnings)
