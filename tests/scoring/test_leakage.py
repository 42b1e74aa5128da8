"""No leakage: a touch after the scoring date changes nothing (rules and model features)."""

from __future__ import annotations

from datetime import datetime

import leadpilot
from leadpilot.config import Config
from leadpilot.scoring.features import (
    build_features,
    choose_features,
    feature_specs,
    labelled_features,
)
from leadpilot.scoring.rules import rules_score

LEADS = (
    "lead_id,created_at,industry,company_size,region\n"
    "A,2025-01-01,software,200,emea\nB,2025-01-05,retail,,amer\nC,2025-01-10,software,30,\n"
)
TOUCHES = (
    "lead_id,ts,type,channel\n"
    "A,2025-01-02,email_open,email\nA,2025-01-10,webinar_attendance,events\n"
    "B,2025-01-06,visit,direct\nB,2025-01-07,form_submit,direct\n"
)
# Later touches: after every lead's scoring date (creation + 14 days) and after the as-of date.
LATER = "A,2025-03-01,meeting,sales\nB,2025-02-01,email_click,email\nC,2025-02-20,download,web\n"
SCORING = {
    "behaviour": [
        {"type": "email_open", "points": 5},
        {"type": ["meeting", "download"], "points": 50},
        {"type": "email_click", "points": 20, "repeatable": False},
    ],
    "half_life_days": 7,
    "model": {"observation_days": 14, "window_days": 30},
}


def _ws(make_workspace, tmp_path, name, later: bool):
    src = tmp_path / name
    src.mkdir()
    (src / "leads.csv").write_text(LEADS)
    (src / "touchpoints.csv").write_text(TOUCHES + (LATER if later else ""))
    (src / "stage_events.csv").write_text("lead_id,stage,ts\nA,customer,2025-03-02\n")
    ws = make_workspace(scoring=SCORING)
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
    return ws


def _features(ws):
    with leadpilot.open(ws) as lp:
        specs = feature_specs(lp.workspace.table("leads"), lp.config)
        expr = build_features(lp.tables(), lp.config, specs, days_after_creation=14)
        df = expr.to_pandas().sort_values("lead_id").reset_index(drop=True)
        rules_at = rules_score(lp.tables(), lp.config, days_after_creation=14).to_pandas()
        rules_asof = rules_score(lp.tables(), lp.config, as_of=datetime(2025, 1, 20)).to_pandas()
        labelled, _ = labelled_features(lp.tables(), lp.config, specs, target="customer",
                                        horizon_days=0)  # fmt: skip
    return df, rules_at.sort_values("lead_id"), rules_asof.sort_values("lead_id"), labelled


def test_a_later_touch_changes_nothing(make_workspace, tmp_path):
    without = _features(_ws(make_workspace, tmp_path, "a", later=False))
    with_later = _features(_ws(make_workspace, tmp_path, "b", later=True))
    assert without[0].equals(with_later[0])  # model features at creation + 14 days
    assert without[1]["rules_score"].tolist() == with_later[1]["rules_score"].tolist()
    assert without[2]["rules_score"].tolist() == with_later[2]["rules_score"].tolist()
    feats = without[0].set_index("lead_id")
    assert feats.loc["A", "n_email_open"] == 1 and feats.loc["A", "n_meeting"] == 0
    assert feats.loc["B", "touches"] == 2 and feats.loc["C", "touches"] == 0
    assert feats.loc["C", "days_since_last_touch"] == 30  # no touch: the window length
    # the outcome is still known (it is the label), but never a feature
    labelled = with_later[3].set_index("lead_id")
    assert labelled.loc["A", "label"] == 1 and "customer_at" not in labelled.columns


def test_features_take_every_attribute_and_skip_identifiers():
    import ibis

    leads = ibis.table(
        {
            "lead_id": "string",
            "created_at": "timestamp",
            "email": "string",
            "company": "string",
            "industry": "string",
            "company_size": "float64",
            "region": "string",
            "signed_at": "timestamp",
            "lead_number": "float64",
        },
        name="leads",
    )
    cfg = Config.model_validate({"scoring": {"model": {"exclude": ["lead_number"]}}})
    choice = choose_features(leads, cfg, check_values=False)  # names only: no data here
    specs = {f.name: f.kind for f in choice.features if f.source == "attribute"}
    assert specs == {"industry": "categorical", "company_size": "numeric",
                     "region": "categorical"}  # fmt: skip
    # every column left out is listed with its reason (excluded ones and keys are not)
    assert {c.column: c.reason for c in choice.left_out} == {
        "email": "personal data", "company": "identifier", "signed_at": "date"}  # fmt: skip
    # the schema check of a saved model still sees every column that has a kind
    assert {"email", "company"} <= {f.name for f in feature_specs(leads, cfg)}
