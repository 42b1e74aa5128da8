"""Every scorer of the registry against scikit-learn's checks and our named contract.

scikit-learn's own suite (``parametrize_with_checks``) runs on each learned model with
``features=None`` (features read from X), which is how it feeds them: NumPy arrays. All of
its checks pass, none declared as an expected failure. It does not reach what leadpilot
relies on beyond that, so named checks of ours follow, over every scorer of the registry
(``leadpilot.scoring.registry.scorers()``: the learned models and the rules score):

- DataFrames with declared features, read by column name: a column missing at prediction
  time is a missing value and an extra one is ignored (a new file of leads), where
  scikit-learn would require the fitted columns exactly;
- contributions that add up to the decision (log-odds for a model, points for the rules);
- reasons that never show a personal value;
- clone and pickle round trips, a clear error before training;
- the saved model's card: versions and the training configuration checked at load.

The rules score is a scorer of its own, but no scikit-learn check applies to it: its X is
the workspace's tables (Ibis expressions the engine computes), not an array, and it is
declared in leadpilot.yaml, not learned from y.
"""

from __future__ import annotations

import json
import pickle
from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from helpers import write_config
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score
from sklearn.utils.estimator_checks import parametrize_with_checks

import leadpilot
from leadpilot.config import Config, ScoringSettings
from leadpilot.errors import ModelMismatchError, UsageError
from leadpilot.scoring import auc as auc_module
from leadpilot.scoring import evaluate, guard, model
from leadpilot.scoring.features import Feature
from leadpilot.scoring.model import (
    CARD_FILE,
    MODEL_DIR,
    BoostedScorer,
    LogisticScorer,
    load_model,
    save_model,
)
from leadpilot.scoring.registry import learned, scorers

SCORERS = list(scorers())
FIRST = ["Gabriela", "Tom", "Ana", "Raj"]
FEATURES = [
    Feature("industry", "categorical", "attribute"),
    Feature("company_size", "numeric", "attribute"),
    Feature("n_email_click", "numeric", "behaviour"),
    Feature("first_name", "categorical", "attribute", personal=True),
]


# ------------------------------------------------------------------ scikit-learn's checks
@parametrize_with_checks([LogisticScorer(), BoostedScorer(max_iter=20)])
def test_scikit_learn_checks(estimator, check):
    check(estimator)


# ------------------------------------------------------------------ data for each scorer
def _leads(n=600, seed=0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    industry = rng.choice(["software", "retail", "fintech", None], n)
    size = np.where(rng.random(n) < 0.1, np.nan, rng.lognormal(4, 1, n))
    clicks = rng.poisson(1.5, n).astype(float)
    first = rng.choice(FIRST, n)
    logit = -2 + 1.5 * (industry == "software") + 0.8 * clicks + 1.0 * (first == "Gabriela")
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    X = pd.DataFrame(
        {"industry": industry, "company_size": size, "n_email_click": clicks, "first_name": first}
    )
    return X, y


LEADS = """lead_id,created_at,first_name,email,industry
L1,2025-01-05,Gabriela,g@x.com,software
L2,2025-01-06,Tom,t@x.com,retail
L3,2025-02-01,Ana,a@x.com,software
L4,2025-02-10,Raj,r@x.com,fintech
L5,2025-02-11,Gabriela,g2@x.com,retail
"""
TOUCHES = """touch_id,lead_id,ts,type,channel
T1,L1,2025-01-05 10:00:00,form_submit,paid_search
T2,L1,2025-01-20 10:00:00,webinar_attendance,events
T3,L3,2025-02-03 08:00:00,email_click,email
T4,L4,2025-02-12 08:00:00,form_submit,paid_search
T5,L5,2025-02-12 09:00:00,email_click,email
"""
RULES = ScoringSettings(
    fit=[
        {"column": "first_name", "equals": "Gabriela", "points": 7},  # personal: never shown
        {"column": "industry", "in": ["software"], "points": 10},
    ],
    behaviour=[
        {"type": "form_submit", "points": 5},
        {"type": ["webinar_attendance", "email_click"], "points": 3, "cap": 6},
    ],
    half_life_days=30,
)


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    base = tmp_path_factory.mktemp("rules-ws")
    (base / "src").mkdir()
    (base / "src" / "leads.csv").write_text(LEADS)
    (base / "src" / "touchpoints.csv").write_text(TOUCHES)
    write_config(base / "ws", "duckdb")
    with leadpilot.open(base / "ws") as lp:
        lp.ingest(base / "src")
        yield lp.tables()


@pytest.fixture
def case(request, tables):
    """(an unfitted scorer, X, y) for the scorer named by the test's parameter."""
    cls = scorers()[request.param]
    if cls.learned:
        X, y = _leads()
        return cls(FEATURES), X, y
    return cls(scoring=RULES, as_of=datetime(2025, 3, 1)), tables, None


def _fitted(case):
    scorer, X, y = case
    return scorer.fit(X, y), X


# ------------------------------------------------------------------ our named checks
@pytest.mark.parametrize("case", SCORERS, indirect=True)
def test_fit_returns_the_scorer_and_outputs_have_one_row_per_lead(case):
    scorer, X, y = case
    assert scorer.fit(X, y) is scorer
    n = len(X) if isinstance(X, pd.DataFrame) else X["leads"].count().execute()
    contrib = scorer.contributions(X)
    assert contrib.shape[0] == n and scorer.decision_function(X).shape == (n,)
    if scorer.learned:
        p = scorer.predict_proba(X)
        assert p.shape == (n, 2) and np.allclose(p.sum(axis=1), 1)
        assert ((p >= 0) & (p <= 1)).all()
        assert contrib.shape == (n, len(FEATURES))
        assert set(scorer.predict(X)) <= set(scorer.classes_)
    else:
        assert contrib.shape == (n, len(RULES.fit) + len(RULES.behaviour))


@pytest.mark.parametrize("case", SCORERS, indirect=True)
def test_contributions_add_up_to_the_decision(case):
    scorer, X = _fitted(case)
    contrib = scorer.contributions(X)
    decision = scorer.decision_function(X)
    assert np.allclose(scorer.baseline_ + contrib.sum(axis=1), decision, atol=1e-9)
    if scorer.learned:  # the decision is the log-odds of the probability
        p = scorer.predict_proba(X)[:, 1]
        assert np.allclose(decision, np.log(p / (1 - p)), atol=1e-6)
        proba, _ = scorer.explain(X, 3)  # one pass: the same probability
        assert np.allclose(proba, p, atol=1e-12)
    else:  # the points of each rule, summed: the engine's rules_score
        pts = scorer.score_table(X, as_of=scorer.as_of).order_by("lead_id").to_pandas()
        assert np.allclose(decision, pts["rules_score"].to_numpy())


@pytest.mark.parametrize("case", SCORERS, indirect=True)
def test_reasons_never_show_personal_values(case):
    scorer, X = _fitted(case)
    reasons = [r for row in scorer.reasons(X, 3) for r in row]
    assert any(r.startswith("first_name [personal data] (") for r in reasons)
    assert not [r for r in reasons if any(name.lower() in r.lower() for name in FIRST)]


@pytest.mark.parametrize("case", SCORERS, indirect=True)
def test_clone_keeps_the_parameters_not_the_fit(case):
    scorer, X, y = case
    params = scorer.get_params()
    assert type(scorer)(**params).get_params() == params
    scorer.fit(X, y)
    twin = clone(scorer)
    assert twin.get_params() == params
    assert not [a for a in vars(twin) if a.endswith("_") and not a.startswith("_")]
    twin.fit(X, y)
    assert np.allclose(twin.decision_function(X), scorer.decision_function(X))


@pytest.mark.parametrize("case", SCORERS, indirect=True)
def test_set_params_changes_the_scorer(case):
    scorer, X, y = case
    name, value = ("random_state", 7) if scorer.learned else ("days_after_creation", 14)
    assert scorer.set_params(**{name: value}) is scorer
    assert scorer.get_params()[name] == value


@pytest.mark.parametrize("case", SCORERS, indirect=True)
def test_pickle_round_trip_gives_the_same_scores(case):
    scorer, X = _fitted(case)
    again = pickle.loads(pickle.dumps(scorer))
    assert again.get_params().keys() == scorer.get_params().keys()
    assert np.array_equal(again.decision_function(X), scorer.decision_function(X))
    assert again.reasons(X, 3) == scorer.reasons(X, 3)


@pytest.mark.parametrize("name", list(learned()))
def test_a_model_reads_columns_by_name(name):
    X, y = _leads()
    m = scorers()[name](FEATURES).fit(X, y)
    shuffled = X[list(reversed(X.columns))].assign(extra=1)
    assert np.allclose(m.predict_proba(shuffled), m.predict_proba(X))
    # a column missing from a new file of leads is a missing value
    assert m.predict_proba(X.drop(columns="company_size")).shape == (len(X), 2)


@pytest.mark.parametrize("name", list(learned()))
def test_predicting_before_training_is_a_clear_error(name):
    X, _ = _leads(20)
    with pytest.raises(UsageError, match="not trained") as exc:
        scorers()[name](FEATURES).predict_proba(X)
    assert isinstance(exc.value, NotFittedError)  # and scikit-learn's own error


def test_the_registry_holds_the_models_and_the_rules():
    assert list(learned()) == ["logistic", "boosted"]  # simplest first: the model choice
    assert set(SCORERS) == {"logistic", "boosted", "rules"}
    assert model.choice_rule() == "validation AUC (logistic unless boosted is better by > 0.005)"
    assert model.choose({"logistic": 0.80, "boosted": 0.804}) == "logistic"
    assert model.choose({"logistic": 0.80, "boosted": 0.81}) == "boosted"
    assert model.choose({"boosted": 0.7}) == "boosted"
    with pytest.raises(UsageError, match="expected auto, logistic or boosted"):
        from leadpilot.scoring.registry import learned_model

        learned_model("forest")


# ------------------------------------------------------------------ the saved model's card
def _saved(tmp_path, config: Config) -> dict:
    X, y = _leads()
    m = LogisticScorer(FEATURES).fit(X, y)
    return save_model(tmp_path, m, {"target": "customer", "horizon_days": 90}, config)


def test_the_card_records_versions_parameters_and_the_training_configuration(tmp_path):
    import sklearn

    card = _saved(tmp_path, Config())
    assert card["sklearn_version"] == sklearn.__version__ and card["leadpilot_version"]
    assert card["params"] == {"C": 0.5, "max_iter": 3000, "random_state": 0}
    assert card["training_config"]["scoring.model.window_days"] == 90
    assert len(card["config_hash"]) == 16
    load_model(tmp_path, FEATURES, config=Config())  # same configuration: loads


def test_loading_names_what_differs_and_says_retrain(tmp_path):
    _saved(tmp_path, Config())
    path = tmp_path / MODEL_DIR / CARD_FILE
    card = json.loads(path.read_text())
    card["sklearn_version"], card["leadpilot_version"] = "0.24.2", "0.0.1"
    path.write_text(json.dumps(card))
    changed = Config.model_validate(
        {"scoring": {"model": {"window_days": 30, "exclude": ["industry"]}}}
    )
    with pytest.raises(ModelMismatchError) as exc:
        load_model(tmp_path, FEATURES, config=changed)
    msg = str(exc.value)
    assert "scikit-learn 0.24.2 when trained" in msg and "leadpilot 0.0.1 when trained" in msg
    assert "scoring.model.window_days: 90 when trained, 30 now" in msg
    assert 'scoring.model.exclude: [] when trained, ["industry"] now' in msg
    assert msg.endswith("retrain it with `leadpilot score train`")
    assert len(exc.value.differences) == 4 and isinstance(exc.value, UsageError)


def test_a_card_without_versions_is_refused(tmp_path):
    _saved(tmp_path, Config())
    path = tmp_path / MODEL_DIR / CARD_FILE
    card = json.loads(path.read_text())
    for key in ("sklearn_version", "config_hash"):
        del card[key]
    path.write_text(json.dumps(card))
    with pytest.raises(ModelMismatchError, match="scikit-learn version not recorded"):
        load_model(tmp_path, FEATURES, config=Config())


def test_settings_that_do_not_shape_the_features_need_no_retraining(tmp_path):
    _saved(tmp_path, Config())
    other = Config.model_validate(
        {"scoring": {"threshold": 10, "model": {"threshold": 70, "target": "sql"}}}
    )
    load_model(tmp_path, FEATURES, config=other)


# ------------------------------------------------------------------ one AUC
def test_one_auc_function():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 500)
    score = np.round(rng.random(500) + 0.3 * y, 1)  # many ties
    assert auc_module.auc(y, score) == pytest.approx(roc_auc_score(y, score), abs=1e-12)
    assert auc_module.auc(np.ones(4), score[:4]) is None
    # training, evaluation and the leakage guard call this one
    assert evaluate.auc is auc_module.auc and guard.rank_auc is auc_module.auc
    assert model.auc is auc_module.auc
