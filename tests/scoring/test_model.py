"""One contract over every model; training, saving, loading and schema checks."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import leadpilot
from leadpilot.errors import UsageError
from leadpilot.scoring.features import Feature
from leadpilot.scoring.model import (
    CARD_FILE,
    MODEL_DIR,
    MODELS,
    _prepare,
    load_model,
    save_model,
)

FEATURES = [
    Feature("industry", "categorical", "attribute"),
    Feature("company_size", "numeric", "attribute"),
    Feature("n_email_open", "numeric", "behaviour"),
]


def _data(n=600, seed=0):
    rng = np.random.default_rng(seed)
    industry = rng.choice(["software", "retail", "fintech", None], n)
    size = np.where(rng.random(n) < 0.1, np.nan, rng.lognormal(4, 1, n))
    opens = rng.poisson(1.5, n).astype(float)
    logit = -2 + 1.5 * (industry == "software") + 0.8 * opens - 0.5 * (industry == "retail")
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    X = pd.DataFrame({"industry": industry, "company_size": size, "n_email_open": opens})
    return X, y


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_model_contract(kind):
    X, y = _data()
    model = MODELS[kind](FEATURES)
    with pytest.raises(UsageError, match="not trained"):
        model.predict_proba(X)
    assert model.fit(X, y) is model
    assert not [a for a in ("pipeline_", "classes_", "n_features_in_") if not hasattr(model, a)]
    p = model.predict_proba(X)
    assert p.shape == (len(X), 2) and np.allclose(p.sum(axis=1), 1)
    # the fast apply path gives exactly what the fitted scikit-learn pipeline gives
    assert np.allclose(p, model.pipeline_.predict_proba(_prepare(X, FEATURES)), atol=1e-9)
    assert ((p >= 0) & (p <= 1)).all()
    from sklearn.metrics import roc_auc_score

    assert roc_auc_score(y, p[:, 1]) > 0.7  # it learns the signal
    contrib = model.contributions(X)
    assert contrib.shape == (len(X), len(FEATURES))
    # contributions add up: log-odds = the average lead's + the sum of the contributions
    logit = np.log(p[:, 1] / p[:, 0])
    assert np.allclose(logit - contrib.sum(axis=1), (logit - contrib.sum(axis=1))[0])
    assert kind != "boosted" or model.paths_ is not None  # the trees were read: no ablation
    proba, columns = model.explain(X, 3)  # one pass gives the probability and the reasons
    assert np.allclose(proba, p[:, 1], atol=1e-12) and len(columns) == 3
    # the strongest feature of a software lead with many opens pushes it up
    reasons = model.reasons(X, 3)
    assert len(reasons) == len(X) and all(len(r) <= 3 for r in reasons)
    i = int(np.argmax(((X.industry == "software") & (X.n_email_open >= 4)).to_numpy()))
    assert any(r.endswith(")") and "(+" in r for r in reasons[i])
    # unknown categories, missing and extra columns are tolerated at prediction time
    new = pd.DataFrame({"industry": ["aerospace", None], "company_size": [np.nan, 10.0],
                        "n_email_open": [0.0, 2.0], "extra": [1, 2]})  # fmt: skip
    assert model.predict_proba(new).shape == (2, 2)
    assert np.allclose(model.predict_proba(new), model.pipeline_.predict_proba(
        _prepare(new, FEATURES)), atol=1e-9)  # fmt: skip
    with pytest.raises(UsageError, match="both outcomes"):
        MODELS[kind](FEATURES).fit(X, np.zeros(len(X)))


def test_logistic_contributions_are_coefficient_times_centred_value():
    X, y = _data()
    model = MODELS["logistic"](FEATURES).fit(X, y)
    contrib = model.contributions(X)
    # log-odds = intercept + sum(coef * z) = (intercept + coef . mean_z) + sum(contributions)
    logit = np.log(model.predict_proba(X)[:, 1] / model.predict_proba(X)[:, 0])
    offset = logit - contrib.sum(axis=1)
    assert np.allclose(offset, offset[0])
    coefs = model.coefficients()  # for the model card, strongest first
    assert {"column", "coefficient"} <= set(coefs[0])
    assert abs(coefs[0]["coefficient"]) >= abs(coefs[-1]["coefficient"])


def test_save_load_round_trip_and_schema_mismatch(tmp_path):
    X, y = _data()
    model = MODELS["logistic"](FEATURES).fit(X, y)
    card = save_model(tmp_path, model, {"target": "customer", "horizon_days": 90})
    saved = json.loads((tmp_path / MODEL_DIR / CARD_FILE).read_text())
    assert saved["features"][0] == {"name": "industry", "kind": "categorical",
                                    "source": "attribute"}  # fmt: skip
    assert card["format_version"] == 1 and saved["target"] == "customer"
    loaded, _ = load_model(tmp_path, FEATURES)
    assert np.allclose(loaded.predict_proba(X), model.predict_proba(X))
    # a column now holding text, and a missing column: clear errors
    changed = [Feature("industry", "categorical", "attribute"),
               Feature("company_size", "categorical", "attribute"),
               Feature("n_email_open", "numeric", "behaviour")]  # fmt: skip
    with pytest.raises(UsageError, match=r"different leads schema.*company_size \(numeric"):
        load_model(tmp_path, changed)
    with pytest.raises(UsageError, match="missing column.*industry"):
        load_model(tmp_path, FEATURES[1:])
    load_model(tmp_path, FEATURES[1:], strict=False)  # a new file may lack a column
    with pytest.raises(UsageError, match="no trained model"):
        load_model(tmp_path / "elsewhere", FEATURES)


def test_training_on_the_workspace(synth_ws):
    card = json.loads((synth_ws / MODEL_DIR / CARD_FILE).read_text())
    pop = card["population"]
    # leads younger than the horizon at the end of the data are left out, not negatives
    assert pop["leads_too_young"] > 0
    assert pop["leads_known_outcome"] + pop["leads_too_young"] == pop["leads_total"]
    assert card["split"]["kind"] == "time" and card["model"] in MODELS
    assert card["metrics"]["held_out_auc"] > 0.6
    assert set(card["metrics"]["validation_auc"]) == {"logistic", "boosted"}
    assert card["training_period"]["to"] < card["split"]["test_from"]
    names = {f["name"] for f in card["features"]}
    assert {"industry", "seniority", "n_meeting", "days_since_last_touch"} <= names
    assert not names & {"lead_id", "email", "company", "created_at"}


def test_training_needs_history(make_workspace, tmp_path):
    src = tmp_path / "s"
    src.mkdir()
    (src / "leads.csv").write_text("lead_id,created_at\nA,2025-01-01\nB,2025-01-02\n")
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        with pytest.raises(UsageError, match="not enough history"):
            lp.score_train(horizon=0)
