"""Training the predictive model on the workspace history and saving it with its card."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from ..config import Config
from ..errors import Notice, UsageError
from ..results import Meta, Result, param
from ..text import Text
from .auc import auc
from .bands import QUANTILE_RULE, model_score, quantile_cuts
from .bands import describe as describe_bands
from .evaluate import TOO_GOOD_AUC, brier
from .features import choose_features, labelled_features
from .guard import leakage_suspects
from .model import choice_rule, fit_and_choose, save_model, split
from .registry import learned_model

MIN_LEADS = 50
MIN_CLASS = 10
DEFINITIONS = {
    "held_out_auc": Text(
        "ROC AUC of the saved model on the held-out leads (never seen in training or model choice)",
        "AUC ROC du modèle enregistré sur les leads réservés au test (jamais vus pendant "
        "l'entraînement ni pendant le choix du modèle)",
    ),
    "validation_auc_logistic": Text(
        "ROC AUC of each candidate on the validation part, which chose the model",
        "AUC ROC de chaque candidat sur la partie validation, qui a servi à choisir le modèle",
    ),
    "held_out_brier": Text(
        "mean squared error of the probability on held-out leads",
        "erreur quadratique moyenne de la probabilité sur les leads réservés au test",
    ),
    "held_out_auc_warning": Text(
        f"set when the held-out AUC is above {TOO_GOOD_AUC}: a sign that a feature records the "
        "outcome",
        f"signalé quand l'AUC sur les leads réservés au test dépasse "
        f"{str(TOO_GOOD_AUC).replace('.', ',')} : signe qu'une variable enregistre l'issue",
    ),
    "left_out": Text(
        "lead columns the leakage guard kept out of the features (the card's guard.left_out "
        "gives each one's reason: personal data, identifier, date, date as text, outcome-like "
        "field); scoring.model.include forces one in",
        "colonnes des leads que le garde-fou anti-fuite a exclues des variables (guard.left_out "
        "dans la fiche du modèle donne le motif de chacune : donnée personnelle, identifiant, "
        "date, date en texte, champ qui ressemble à l'issue) ; scoring.model.include en force "
        "une",
    ),
    "leakage_suspects": Text(
        "features that alone predict the outcome almost perfectly on the training leads: "
        "univariate AUC >= 0.90 (each lead scored by its value's conversion rate), or one value "
        "of >= 20 leads of which >= 99 % converted holding >= 5 % of the converters (see "
        "scoring/guard.py)",
        "variables qui, à elles seules, prédisent l'issue presque parfaitement sur les leads "
        "d'entraînement : AUC univariée >= 0,90 (chaque lead noté par le taux de conversion de "
        "sa valeur), ou une valeur portée par >= 20 leads, dont >= 99 % ont converti, et qui "
        "regroupe >= 5 % des leads convertis (voir scoring/guard.py)",
    ),
    "bands": Text(
        "the card's bands: the rule and cut-offs of score bands A-D",
        "les tranches de la fiche du modèle : la règle et les bornes des tranches de score A-D",
    ),
}


class TrainResult(Result):
    """The trained model's card (``meta["card"]``: population, metrics, features, guard,
    bands, split) and one summary row."""

    def __init__(self, card: dict, warnings: list[str] | None = None) -> None:
        meta = Meta(
            "score_train", details={"card": card}, definitions=DEFINITIONS, warnings=warnings or []
        )
        super().__init__(_summary(card), meta)

    card = param("card")


def _summary(c: dict) -> list[dict]:
    """The card in one row: the model, its population and its AUCs."""
    return [
        {
            "model": c["model"],
            "target": c["target"],
            "horizon_days": c["horizon_days"],
            "train_leads": c["population"]["train_leads"],
            "held_out_leads": c["population"]["held_out_leads"],
            "positives": c["population"]["positives"],
            "validation_auc_logistic": c["metrics"]["validation_auc"].get("logistic"),
            "validation_auc_boosted": c["metrics"]["validation_auc"].get("boosted"),
            "held_out_auc": c["metrics"]["held_out_auc"],
            "held_out_auc_warning": c["metrics"].get("held_out_auc_warning"),
            "held_out_brier": c["metrics"]["held_out_brier"],
            "features": len(c["features"]),
            "left_out": ", ".join(x["column"] for x in c["guard"]["left_out"]),
            "leakage_suspects": ", ".join(x["feature"] for x in c["leakage_suspects"]),
        }
    ]


def train(
    root: Path,
    tables: dict[str, ir.Table],
    config: Config,
    *,
    target: str | None = None,
    horizon_days: int | None = None,
    model: str = "auto",
    status: Callable[[str], None] | None = None,
) -> TrainResult:
    """Train on the leads whose outcome is known; ``model``: auto (choice by validation
    AUC) or the name of a learned model of the registry (logistic, boosted).

    The features are the ones the leakage guard keeps (guard.py; scoring.model.include /
    exclude adjust it). The saved card lists the columns left out and why, the features
    that alone give the outcome away (leakage_suspects), the band cut-offs (quantiles of
    the training leads' scores) and a warning with any held-out AUC above 0.99. Raises
    UsageError when too few leads have a known outcome, suggesting ``--horizon 0`` when
    the horizon is what leaves them out.
    """
    settings = config.scoring.model
    target = target or settings.target
    if target not in ("sql", "opportunity", "customer"):
        raise UsageError(f"--target {target!r}: expected sql, opportunity or customer")
    if model != "auto":
        learned_model(model)  # a UsageError names the learned models of the registry
    horizon = settings.horizon_days if horizon_days is None else horizon_days
    if horizon < 0:
        raise UsageError("--horizon must be 0 (outcomes are final) or a number of days")
    if status:
        status("choosing features (leakage guard)")
    choice = choose_features(tables["leads"], config)
    specs = choice.features
    excluded, exclude_warnings = _excluded(tables["leads"], settings.exclude)
    if status:
        status("building features in the engine")
    df, info = labelled_features(tables, config, specs, target=target, horizon_days=horizon)
    y = df["label"].to_numpy() if len(df) else np.array([])
    pos = int(y.sum())
    if len(df) < MIN_LEADS or pos < MIN_CLASS or len(df) - pos < MIN_CLASS:
        raise UsageError(_history_message(info, len(df), pos, target, horizon))
    # Columns empty in the whole history (e.g. optional columns an export lacks) teach
    # nothing: they are not features of this model.
    empty = [f.name for f in specs if f.source != "behaviour" and not df[f.name].notna().any()]
    specs = [f for f in specs if f.name not in empty]
    # the columns the guard left out that hold nothing either: said as empty, not as
    # personal data or identifiers (x_education's export has no email nor company)
    empty += _without_values(tables["leads"], [x.column for x in choice.left_out])
    part, split_info, split_warnings = split(df)
    warnings = exclude_warnings + [Notice("pseudo_random_split", w) for w in split_warnings]
    test = part == "test"
    if status:
        status("checking each feature alone against the outcome")
    personal = {f.name for f in specs if f.personal}
    suspects = leakage_suspects(df[~test], y[~test], specs, personal=personal)
    fitted, chosen = fit_and_choose(df, specs, part, status=status, kind=model)
    p = fitted.predict_proba(df[test])[:, 1]
    held_out_auc = auc(y[test], p)
    too_good = _too_good(held_out_auc, suspects)
    if too_good:
        warnings.append(Notice("too_good", too_good))
    if suspects:
        warnings.append(Notice(
            "leakage_suspects",
            "features that alone predict the outcome almost perfectly (leakage suspects): "
            + "; ".join(f"{s['feature']} ({s['why']})" for s in suspects)
            + ". Exclude them with scoring.model.exclude unless their value is known before "
            "sales qualify the lead, then retrain.",
        ))  # fmt: skip
    # Default bands: quantiles of the training leads' scores, kept in the card so that a
    # lead's band does not depend on who else is scored with it.
    trained = model_score(fitted.predict_proba(df[~test])[:, 1])  # the score as shown
    bands = describe_bands(
        QUANTILE_RULE,
        quantile_cuts(trained),
        "score",
        f"the model's {int((~test).sum()):,} training leads (scored at creation + "
        f"{settings.observation_days} days)",
    )
    created = pd.to_datetime(df["created_at"])
    card = {
        "target": target,
        "horizon_days": horizon,
        "observation_days": settings.observation_days,
        "window_days": settings.window_days,
        "split": split_info,
        "split_warning": split_warnings[0] if split_warnings else None,
        "guard": choice.card(),
        "leakage_suspects": suspects,
        "empty_columns_left_out": empty,
        "excluded_columns": excluded,
        "bands": bands,
        "training_period": {
            "from": created[~test].min().isoformat(),
            "to": created[~test].max().isoformat(),
        },
        "population": {
            **info,
            "train_leads": int((~test).sum()),
            "held_out_leads": int(test.sum()),
        },
        "metrics": {
            "validation_auc": chosen["validation_auc"],
            "chosen_by": choice_rule()
            if model == "auto"
            else f"asked for ({model})",
            "held_out_auc": held_out_auc,
            "held_out_auc_warning": too_good,
            "held_out_brier": brier(y[test], p),
        },
    }
    if hasattr(fitted, "coefficients"):
        card["coefficients"] = fitted.coefficients()[:30]
    return TrainResult(card=save_model(root, fitted, card, config), warnings=warnings)


def _excluded(leads: ir.Table, exclude: list[str]) -> tuple[list[str], list[Notice]]:
    """The columns ``scoring.model.exclude`` leaves out, and a warning for the names the
    leads table does not have: a misspelt name excluded nothing, silently, and the column
    it meant (an outcome-like field) stayed a feature."""
    columns = leads.columns
    unknown = [c for c in exclude if c not in columns]
    if not unknown:
        return list(exclude), []
    hints = []
    for name in unknown:
        near = difflib.get_close_matches(name, list(columns), n=1)
        hints.append(f"{name}" + (f" (did you mean {near[0]}?)" if near else ""))
    return [c for c in exclude if c in columns], [Notice(
        "exclude_unknown",
        f"scoring.model.exclude names column(s) the leads table does not have: "
        f"{', '.join(hints)}; they exclude nothing: correct them in leadpilot.yaml",
        {"columns": unknown},
    )]  # fmt: skip


def _without_values(leads: ir.Table, columns: list[str]) -> list[str]:
    """Those of ``columns`` (lead attributes) without a value in any lead (one query)."""
    named = [c for c in columns if c in leads.columns]
    if not named:
        return []
    counts = leads.aggregate(**{f"c{i}": leads[c].count() for i, c in enumerate(named)})
    row = counts.to_pyarrow().to_pylist()[0]
    return [c for i, c in enumerate(named) if not row[f"c{i}"]]


def _too_good(held_out_auc: float | None, suspects: list[dict]) -> str | None:
    """The warning that goes with a held-out AUC above 0.99 (None below)."""
    if held_out_auc is None or held_out_auc <= TOO_GOOD_AUC:
        return None
    where = (
        "suspects: " + ", ".join(s["feature"] for s in suspects)
        if suspects
        else "no single feature gives it away alone: look for combinations in the model card"
    )
    return (
        f"held-out AUC {held_out_auc:.3f} is above {TOO_GOOD_AUC}: lead scoring on honest "
        "data is never that good, so a feature almost certainly records the outcome "
        f"(leakage; {where}); exclude it with scoring.model.exclude and retrain before "
        "trusting any score"
    )


def _history_message(info: dict, known: int, pos: int, target: str, horizon: int) -> str:
    """Why there is too little history to train, and the setting that may fix it."""
    within = f"within {horizon} days" if horizon else "(outcomes final)"
    msg = (
        f"not enough history to train: {known:,} leads with a known outcome ({pos:,} reached "
        f"{target} {within}); need at least {MIN_LEADS} leads with {MIN_CLASS} of each outcome."
    )
    if horizon > 0 and info["leads_too_young"]:
        young = info["leads_too_young"]
        msg += (
            f" {young:,} leads are younger than the {horizon}-day horizon at the end of the "
            f"data ({info['data_end'][:10]}) and are left out, not counted as negatives."
        )
        if info.get("days_after_last_creation", 1) <= 0:
            msg += " The data has no date after the leads' creation (the outcomes look final)."
        msg += (
            " If the outcomes in this export are final (an export without stage dates, or one "
            "taken long after the leads were worked), train with `--horizon 0` or set "
            "scoring.model.horizon_days: 0 in leadpilot.yaml."
        )
    elif not pos:
        msg += (
            f" No lead reached {target}: check that the outcomes were ingested (stage_events or "
            "deals) or train on an earlier stage with --target sql."
        )
    return msg
