"""The leakage guard (names, values, too-good features), reasons without personal data,
and score bands."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from leadpilot.config import Config
from leadpilot.errors import ConfigError, UsageError
from leadpilot.scoring.bands import band, quantile_cuts
from leadpilot.scoring.features import Feature, choose_features
from leadpilot.scoring.guard import (
    DATE_TEXT,
    IDENTIFIER,
    OUTCOME,
    PERSONAL,
    leakage_suspects,
    name_reason,
    value_reasons,
)
from leadpilot.scoring.model import MODELS

LEFT_OUT = {
    # HubSpot / Salesforce headers, snake_cased as ingest keeps them
    "first_name": PERSONAL, "last_name": PERSONAL, "full_name": PERSONAL, "name": PERSONAL,
    "email": PERSONAL, "email_address": PERSONAL, "phone_number": PERSONAL,
    "mobile_phone_number": PERSONAL, "fax": PERSONAL, "contact_owner": PERSONAL,
    "lead_owner": PERSONAL, "hubspot_owner_id": PERSONAL, "assigned_to": PERSONAL,
    "street_address": PERSONAL, "postal_code": PERSONAL, "zip": PERSONAL,
    "record_id": IDENTIFIER, "contact_id": IDENTIFIER, "lead_number": IDENTIFIER,
    "website_url": IDENTIFIER, "website": IDENTIFIER, "company_name": IDENTIFIER,
    "lifecycle_stage": OUTCOME, "lead_status": OUTCOME, "status": OUTCOME, "stage": OUTCOME,
    "deal_stage": OUTCOME, "converted": OUTCOME, "is_converted": OUTCOME,
    "became_a_customer_date": OUTCOME, "closed_won": OUTCOME, "close_date": OUTCOME,
    "won": OUTCOME, "lost_reason": OUTCOME, "disqualified": OUTCOME, "rating": OUTCOME,
    "lead_quality": OUTCOME, "number_of_associated_deals": OUTCOME,
    "last_activity": OUTCOME, "recent_deal_amount": OUTCOME, "statut": OUTCOME,
    "etape": OUTCOME,
}  # fmt: skip
KEPT = [
    "industry", "company_size", "number_of_employees", "country", "city", "job_title",
    "seniority", "channel", "campaign", "campaign_name", "utm_source", "annual_revenue",
    "do_not_email", "number_of_phone_calls", "total_time_spent_on_website", "lead_origin",
    "original_source_drill_down_1", "marketing_emails_opened", "tags", "first_conversion",
]  # fmt: skip


@pytest.mark.parametrize("column", sorted(LEFT_OUT))
def test_name_rules_leave_out_personal_identifier_and_outcome_fields(column):
    reason, detail = name_reason(column)
    assert reason == LEFT_OUT[column] and detail.startswith("the name reads as")


@pytest.mark.parametrize("column", KEPT)
def test_name_rules_keep_lead_attributes(column):
    assert name_reason(column) is None


def test_value_checks_find_dates_as_text_emails_and_free_text():
    n = 300
    rng = np.random.default_rng(0)
    days = pd.date_range("2024-01-01", periods=n, freq="D")
    frame = pd.DataFrame(
        {
            "signup": [f"{d:%d/%m/%Y %H:%M}" for d in days],  # dd/mm/yyyy with a time
            "seen": [f"{d:%b %d, %Y}" if i % 10 else "unknown" for i, d in enumerate(days)],
            "contact": [f"person{i}@example.org" for i in range(n)],
            "notes": [f"called on day {i}, said maybe" for i in range(n)],
            "segment": rng.choice(["smb", "mid", "ent"], n),
            "version": rng.choice(["1.2.3", "2.0.1"], n),  # dotted, but not dates
        }
    )
    found = value_reasons(ibis.memtable(frame), list(frame.columns))
    assert found["signup"][0] == DATE_TEXT and "100% of 300" in found["signup"][1]
    assert found["seen"][0] == DATE_TEXT  # 90 % read as dates
    assert found["contact"][0] == PERSONAL
    assert found["notes"][0] == IDENTIFIER
    assert "segment" not in found and "version" not in found


def test_include_forces_a_column_in_and_bad_settings_are_clear():
    leads = ibis.table(
        {"lead_id": "string", "created_at": "timestamp", "first_name": "string",
         "lifecycle_stage": "string", "industry": "string", "signed_at": "timestamp"},
        name="leads",
    )  # fmt: skip
    cfg = Config.model_validate({"scoring": {"model": {"include": ["first_name"]}}})
    choice = choose_features(leads, cfg, check_values=False)
    feats = {f.name: f for f in choice.features}
    assert feats["first_name"].personal and not feats["industry"].personal
    assert [c.column for c in choice.forced] == ["first_name"]
    assert {c.column for c in choice.left_out} == {"lifecycle_stage", "signed_at"}
    assert choice.card()["included_despite_guard"][0]["reason"] == PERSONAL
    for include, match in (("nope", "does not have: nope"), ("signed_at", "never be a feature"),
                           ("lead_id", "never be a feature")):  # fmt: skip
        cfg = Config.model_validate({"scoring": {"model": {"include": [include]}}})
        with pytest.raises(UsageError, match=match):
            choose_features(leads, cfg, check_values=False)
    from leadpilot.config import parse_config

    with pytest.raises(ConfigError, match="both included and excluded: industry"):
        parse_config("scoring:\n  model: {include: [industry], exclude: [industry]}\n")


def _frame(n=2000, seed=1):
    rng = np.random.default_rng(seed)
    honest = rng.choice(["software", "retail", "health"], n)
    y = rng.random(n) < np.where(honest == "software", 0.2, 0.08)
    stage = np.where(y, "Customer", rng.choice(["Lead", "MQL", "Other"], n))
    amount = np.where(y, rng.lognormal(8, 1, n), np.nan)  # filled only for customers
    # a sales tag: "Closed by partner" only on (some) converters, other tags at random
    tag = np.where(y & (rng.random(n) < 0.3), "Closed by partner",
                   rng.choice(["Ringing", "Busy", None], n))  # fmt: skip
    size = rng.lognormal(4, 1, n)
    X = pd.DataFrame({"industry": honest, "lifecycle_stage": stage, "deal_amount": amount,
                      "tags": tag, "company_size": size})  # fmt: skip
    return X, y.astype(int)


def test_leakage_suspects_flag_features_that_give_the_outcome_away():
    X, y = _frame()
    feats = [Feature("industry", "categorical", "attribute"),
             Feature("lifecycle_stage", "categorical", "attribute"),
             Feature("deal_amount", "numeric", "attribute"),
             Feature("tags", "categorical", "attribute"),
             Feature("company_size", "numeric", "attribute")]  # fmt: skip
    found = {s["feature"]: s for s in leakage_suspects(X, y, feats)}
    assert set(found) == {"lifecycle_stage", "deal_amount", "tags"}
    assert found["lifecycle_stage"]["univariate_auc"] == pytest.approx(1.0)
    assert "'Customer'" in found["lifecycle_stage"]["why"]
    assert found["deal_amount"]["univariate_auc"] == pytest.approx(1.0)  # missing = not won
    # the tag alone is not a good score (AUC < 0.9) but one value is pure conversion
    assert found["tags"]["univariate_auc"] < 0.9 and "'Closed by partner'" in found["tags"]["why"]
    assert "scoring.model.exclude: [tags]" in found["tags"]["advice"]
    # a personal field's value never shows, even in the diagnosis
    hidden = leakage_suspects(X, y, feats[1:2], personal={"lifecycle_stage"})
    assert "Customer" not in hidden[0]["why"] and "a value" in hidden[0]["why"]


def test_reasons_never_show_personal_values():
    rng = np.random.default_rng(5)
    n = 800
    first = rng.choice(["Gabriela", "Tom", "Ana", "Raj"], n)
    last = rng.choice(["Lopez", "Becker", "Martin"], n)
    y = (rng.random(n) < np.where(first == "Gabriela", 0.7, 0.1)).astype(int)
    X = pd.DataFrame({"first_name": first, "last_name": last,
                      "industry": rng.choice(["a", "b"], n)})  # fmt: skip
    # first_name forced in by include (flagged); last_name as an old model would hold it
    feats = [Feature("first_name", "categorical", "attribute", personal=True),
             Feature("last_name", "categorical", "attribute"),
             Feature("industry", "categorical", "attribute")]  # fmt: skip
    for kind in sorted(MODELS):
        model = MODELS[kind](feats).fit(X, y)
        _, columns = model.explain(X, 3)
        texts = [t for c in columns for t in c.to_pylist() if t]
        assert any(t.startswith("first_name [personal data] (") for t in texts)
        assert any(t.startswith("last_name [personal data] (") for t in texts)
        assert not [t for t in texts if any(v in t for v in ("Gabriela", "Tom", "Ana", "Raj",
                                                              "Lopez", "Becker", "Martin"))]
        if kind == "logistic":
            cols = [c["column"] for c in model.coefficients()]
            assert "first_name [personal data]" in cols
            assert not [c for c in cols if "Gabriela" in c or "Lopez" in c]


def test_vectorised_reasons_match_a_row_by_row_reading():
    rng = np.random.default_rng(2)
    n = 500
    X = pd.DataFrame({"industry": rng.choice(["software", "retail", None], n),
                      "company_size": np.where(rng.random(n) < 0.2, np.nan,
                                               rng.lognormal(4, 1, n))})  # fmt: skip
    y = (rng.random(n) < np.where(X.industry == "software", 0.4, 0.1)).astype(int)
    feats = [Feature("industry", "categorical", "attribute"),
             Feature("company_size", "numeric", "attribute")]  # fmt: skip
    model = MODELS["logistic"](feats).fit(X, y)
    p, columns = model.explain(X, 2)
    assert np.allclose(p, model.predict_proba(X)[:, 1])
    contrib = model.contributions(X)
    for i in range(n):
        expected = []
        for j in np.argsort(-np.abs(contrib[i]), kind="stable")[:2]:
            if abs(contrib[i, j]) < 1e-6:
                continue
            v = X.iloc[i, j]
            shown = "missing" if pd.isna(v) else (f"{round(v, 2):g}" if j == 1 else v)
            expected.append(f"{feats[j].name}={shown} ({contrib[i, j]:+.2f})")
        got = [c[i].as_py() for c in columns if c[i].as_py() is not None]
        assert got == expected


def test_quantile_bands_split_the_population_and_ties_share_a_band():
    s = np.random.default_rng(0).random(10_000) * 100
    cuts = quantile_cuts(s)
    shares = pd.Series(band(s, cuts)).value_counts(normalize=True)
    assert shares.to_dict() == pytest.approx({"A": 0.1, "B": 0.2, "C": 0.3, "D": 0.4}, abs=1e-3)
    # a points score: 60 % of leads have 0 points, the rest 10, 20 or 40
    pts = np.repeat([0, 10, 20, 40], [600, 150, 150, 100])
    cuts = quantile_cuts(pts)
    assert cuts == [40, 20, 10]  # shares at or above: 10 %, 25 %, 40 % (nearest the targets)
    assert set(band(np.array([0, 10, 20, 40]), cuts)) == {"A", "B", "C", "D"}
    # one score for every lead (no rule at all): nobody is ranked above anybody, all D
    assert quantile_cuts(np.zeros(50)) == [None, None, None]
    assert set(band(np.zeros(50), [None, None, None])) == {"D"}
    # fixed cut-offs are used as they are
    assert band(np.array([80, 60, 30, 10]), [75, 50, 25]).tolist() == ["A", "B", "C", "D"]


def test_value_checks_run_in_the_engine(make_workspace, tmp_path):
    """The same value checks on DuckDB and PostgreSQL (regular expressions in the engine)."""
    import leadpilot

    src = tmp_path / "v"
    src.mkdir()
    rows = "".join(
        f"L{i},2025-01-{i % 28 + 1:02d},{i % 28 + 1:02d}/03/2024 10:{i % 60:02d},"
        f"p{i}@example.org,{'smb' if i % 2 else 'ent'}\n"
        for i in range(60)
    )
    (src / "leads.csv").write_text("lead_id,created_at,signup,reach,segment\n" + rows)
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        choice = choose_features(lp.workspace.table("leads"), lp.config)
    left = {c.column: c.reason for c in choice.left_out}
    assert left["signup"] in (DATE_TEXT, "date") and left["reach"] == PERSONAL
    assert "segment" in {f.name for f in choice.features}
