"""Training the predictive model on the workspace history and saving it with its card."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from ..config import Config
from ..errors import UsageError
from .evaluate import auc, brier
from .features import feature_specs, labelled_features
from .model import fit_and_choose, save_model, split

MIN_LEADS = 50
MIN_CLASS = 10


@dataclass
class TrainResult:
    card: dict
    warnings: list[str] = field(default_factory=list)

    @property
    def rows(self) -> list[dict]:
        c = self.card
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
                "held_out_brier": c["metrics"]["held_out_brier"],
            }
        ]

    def to_json(self) -> dict:
        return {
            "rows": self.rows,
            "meta": {
                "card": self.card,
                "warnings": self.warnings,
                "definitions": {
                    "held_out_auc": "ROC AUC of the saved model on the held-out leads (never "
                    "seen in training or model choice)",
                    "validation_auc_logistic": "ROC AUC of each candidate on the validation "
                    "part, which chose the model",
                    "held_out_brier": "mean squared error of the probability on held-out leads",
                },
            },
        }


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
    AUC), logistic or boosted."""
    settings = config.scoring.model
    target = target or settings.target
    if target not in ("sql", "opportunity", "customer"):
        raise UsageError(f"--target {target!r}: expected sql, opportunity or customer")
    if model not in ("auto", "logistic", "boosted"):
        raise UsageError(f"--model {model!r}: expected auto, logistic or boosted")
    horizon = settings.horizon_days if horizon_days is None else horizon_days
    if horizon < 0:
        raise UsageError("--horizon must be 0 (outcomes are final) or a number of days")
    if status:
        status("building features in the engine")
    specs = feature_specs(tables["leads"], config)
    df, info = labelled_features(tables, config, specs, target=target, horizon_days=horizon)
    y = df["label"].to_numpy() if len(df) else np.array([])
    pos = int(y.sum())
    if len(df) < MIN_LEADS or pos < MIN_CLASS or len(df) - pos < MIN_CLASS:
        raise UsageError(
            f"not enough history to train: {len(df)} leads with a known outcome "
            f"({pos} reached {target} within {horizon} days); need at least {MIN_LEADS} "
            f"leads with {MIN_CLASS} of each outcome. Leads younger than the horizon "
            f"({info['leads_too_young']}) are left out, not counted as negatives."
        )
    # Columns empty in the whole history (e.g. optional columns an export lacks) teach
    # nothing: they are not features of this model.
    empty = [f.name for f in specs if f.source != "behaviour" and not df[f.name].notna().any()]
    specs = [f for f in specs if f.name not in empty]
    part, split_info, warnings = split(df)
    fitted, choice = fit_and_choose(df, specs, part, status=status, kind=model)
    test = part == "test"
    p = fitted.predict_proba(df[test])[:, 1]
    created = pd.to_datetime(df["created_at"])
    card = {
        "target": target,
        "horizon_days": horizon,
        "observation_days": settings.observation_days,
        "window_days": settings.window_days,
        "split": split_info,
        "split_warning": warnings[0] if warnings else None,
        "empty_columns_left_out": empty,
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
            "validation_auc": choice["validation_auc"],
            "chosen_by": "validation AUC (logistic unless boosted is better by > 0.005)"
            if model == "auto"
            else f"asked for ({model})",
            "held_out_auc": auc(y[test], p),
            "held_out_brier": brier(y[test], p),
        },
    }
    if fitted.kind == "logistic":
        card["coefficients"] = fitted.coefficients()[:30]
    return TrainResult(card=save_model(root, fitted, card), warnings=warnings)
