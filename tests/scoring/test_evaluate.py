"""Evaluation metrics against scikit-learn's own, and the threshold recommendation."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, roc_auc_score

from leadpilot.scoring.evaluate import auc, brier, deciles, reliability, threshold_summary
from leadpilot.scoring.threshold import choose, tradeoff


@pytest.fixture
def sample():
    rng = np.random.default_rng(3)
    p = rng.random(2000)
    y = (rng.random(2000) < p).astype(int)
    rounded = np.round(p, 1)  # many ties, like a points score
    return y, p, rounded


def test_auc_and_brier_match_sklearn(sample):
    y, p, rounded = sample
    assert auc(y, p) == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    assert auc(y, rounded) == pytest.approx(roc_auc_score(y, rounded), abs=1e-12)
    assert brier(y, p) == pytest.approx(brier_score_loss(y, p), abs=1e-12)
    assert auc(np.ones(5), np.arange(5)) is None


def test_reliability_matches_sklearn_calibration_curve(sample):
    y, p, _ = sample
    observed, predicted = calibration_curve(y, p, n_bins=10, strategy="uniform")
    table = [r for r in reliability(y, p) if r["n"]]
    assert [r["observed_rate"] for r in table] == pytest.approx(list(observed))
    assert [r["mean_predicted"] for r in table] == pytest.approx(list(predicted))
    assert sum(r["n"] for r in reliability(y, p)) == len(y)


def test_deciles_lift_and_gains_by_hand():
    # 20 leads, scores 20..1; the top 2 and lead 5 converted -> base rate 3/20
    y = np.zeros(20)
    y[[0, 1, 4]] = 1
    score = np.arange(20, 0, -1)
    d = deciles(y, score)
    assert [r["positives"] for r in d] == [2, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    assert d[0]["rate"] == 1.0 and d[0]["lift"] == pytest.approx(1 / 0.15)
    assert [r["cumulative_gain"] for r in d][:3] == pytest.approx([2 / 3, 2 / 3, 1.0])


def test_threshold_summary_by_hand():
    y = np.array([1, 1, 0, 0, 1, 0])
    score = np.array([90, 80, 70, 20, 10, 5])
    sal = np.array([1, 1, 1, 0, 0, 0])
    sql = np.array([1, 0, 0, 0, 0, 0])
    s = threshold_summary(y, score, 50, sal, sql)
    assert s["mqls"] == 3
    assert s["conversion_above"] == pytest.approx(2 / 3)
    assert s["conversion_below"] == pytest.approx(1 / 3)
    assert s["mql_precision_sal"] == 1.0 and s["mql_precision_sql"] == pytest.approx(1 / 3)


def test_threshold_recommendation_hand_built():
    # 10 leads over 2 months; scores 10..100; the 4 best were accepted, 2 became customers
    score = np.arange(10, 101, 10)
    accepted = (score >= 70).astype(int)
    converted = (score >= 90).astype(int)
    rows = tradeoff(score, accepted, converted, [0, 50, 70, 90], months=2.0)
    assert [r["mqls_per_month"] for r in rows] == [5.0, 3.0, 2.0, 1.0]
    assert [r["expected_acceptance"] for r in rows] == pytest.approx([0.4, 4 / 6, 1.0, 1.0])
    assert [r["expected_customers_per_month"] for r in rows] == [1.0, 1.0, 1.0, 1.0]
    assert choose(rows, capacity=3, target_acceptance=None)[0] == 50
    assert choose(rows, capacity=2.5, target_acceptance=None)[0] == 70
    assert choose(rows, capacity=None, target_acceptance=0.6)[0] == 50
    assert choose(rows, capacity=None, target_acceptance=0.9)[0] == 70
    best, _, warnings = choose(rows, capacity=0.5, target_acceptance=None)
    assert best == 90 and warnings


def test_evaluate_and_threshold_on_the_workspace(synth_ws):
    import leadpilot

    with leadpilot.open(synth_ws) as lp:
        ev = lp.score_evaluate()
        th = lp.score_threshold(capacity=15)
        with pytest.raises(leadpilot.errors.UsageError, match="exactly one"):
            lp.score_threshold()
    rows = {r["score"]: r for r in ev.rows}
    assert set(rows) == {"model", "rules"}
    assert rows["model"]["n"] == rows["rules"]["n"] > 100
    assert rows["model"]["auc"] > 0.6 and rows["rules"]["brier"] is None
    assert len(ev.details["deciles"]["model"]) == 10 and ev.details["reliability"]["model"]
    doc = ev.to_json()
    assert set(doc) == {"rows", "meta"} and "auc" in doc["meta"]["definitions"]
    assert th.using == "model" and th.recommended is not None
    chosen = [r for r in th.rows if r["recommended"]]
    assert chosen[0]["mqls_per_month"] <= 15


def test_threshold_per_month_figures_add_up_to_the_leads(synth_ws):
    """At threshold 0 every lead is an MQL: MQLs per month x months = the leads with a known
    outcome (the held-out leads are scaled by their real share, over the real month span)."""
    import pandas as pd

    import leadpilot
    from leadpilot.scoring.features import labelled_features
    from leadpilot.scoring.model import load_card

    with leadpilot.open(synth_ws) as lp:
        results = [lp.score_threshold(capacity=15), lp.score_threshold(capacity=15,
                                                                       using="rules")]  # fmt: skip
        card = load_card(synth_ws)
        known, _ = labelled_features(lp.tables(), lp.config, [], target=card["target"],
                                     horizon_days=card["horizon_days"])  # fmt: skip
    created = pd.to_datetime(known["created_at"])
    months = ((created.max() - created.min()).days + 1) / (365.25 / 12)
    for th in results:
        pop = th.population
        assert pop["leads_known_outcome"] == len(known) > pop["held_out_leads"] > 0
        assert pop["months"] == pytest.approx(months, rel=1e-3)
        lowest = min(th.rows, key=lambda r: r["threshold"])
        assert lowest["mqls"] == pop["held_out_leads"]  # every held-out lead is above 0
        assert lowest["mqls_per_month"] * pop["months"] == pytest.approx(len(known), rel=1e-9)
        converted = lowest["expected_customers_per_month"] * pop["months"]
        assert converted == pytest.approx(lowest["conversion"] * len(known), rel=1e-9)
        assert "known outcome" in th.to_json()["meta"]["definitions"]["mqls_per_month"]


def test_threshold_compares_the_score_as_shown(synth_ws):
    """A lead shown 50 (scores.csv rounds 100 x probability) is a scored-MQL at threshold
    50: evaluate and threshold counted 49.6 below it, so their MQL counts differed from a
    filter on the score column. The threshold is set where some lead lies in [t - 0.5, t)."""
    import numpy as np

    import leadpilot
    from leadpilot.scoring.evaluate import evaluate, held_out_scores

    with leadpilot.open(synth_ws) as lp:
        tables, config = lp.tables(), lp.config
        df, _, _ = held_out_scores(synth_ws, tables, config)
        fine = df["probability"].to_numpy() * 100
        just_below = fine[(fine % 1 >= 0.5)]
        assert len(just_below)  # the synthetic leads have such a score
        t = float(np.ceil(just_below[0]))
        config = config.model_copy(deep=True)
        config.scoring.model.threshold = t
        ev = evaluate(synth_ws, tables, config)
        th = lp.score_threshold(capacity=15)
    shown = np.rint(fine)  # what scores.csv shows for these leads
    (model,) = [r for r in ev.rows if r["score"] == "model"]
    assert model["mqls"] == int((shown >= t).sum()) > int((fine >= t).sum())
    for r in th.rows:  # each threshold of the trade-off, on the shown score too
        assert r["mqls"] == int((shown >= r["threshold"]).sum()), r


@pytest.mark.parametrize("command", [["score", "evaluate"], ["score", "apply"]])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_definitions_name_each_column_once(synth_ws, command, lang, tmp_path):
    """The tables print each definition after its column's name: the rules score's own text
    began with its name too, and read 'rules_score: rules_score: sum of the points...'."""
    import re
    import shutil

    if command[-1] == "apply":  # apply keeps its scores: on a copy, not the shared workspace
        synth_ws = shutil.copytree(synth_ws, tmp_path / "ws")

    from typer.testing import CliRunner

    from leadpilot.cli import app

    r = CliRunner().invoke(app, [*command, "-w", str(synth_ws), "--lang", lang],
                           env={"COLUMNS": "100"})  # fmt: skip
    assert r.exit_code == 0, r.output
    text = " ".join(r.stdout.split())  # the definitions wrap at 100 columns
    assert "rules_score" in text
    doubled = re.findall(r"\b(\w+) ?: \1 ?:", text)
    assert not doubled, doubled
    start = "somme des points" if lang == "fr" else "sum of the points"
    assert re.search(rf"rules_score ?: {start}", text)
