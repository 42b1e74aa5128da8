"""Rules scoring on hand-built leads: every rule kind, decay, caps, once/repeatable, as-of."""

from __future__ import annotations

import math
from datetime import datetime

import pytest

import leadpilot
from leadpilot.config import parse_config
from leadpilot.errors import ConfigError, UsageError
from leadpilot.scoring.rules import rule_labels, rules_score

AS_OF = datetime(2025, 3, 1)


@pytest.fixture
def src(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "leads.csv").write_text(
        "lead_id,created_at,industry,company_size,job_title,country\n"
        "A,2025-01-01,Software,200,Head of Marketing,FR\n"
        "B,2025-01-01,retail,5,Student,FR\n"
        "C,2025-01-01,fintech,,VP Sales,DE\n"
        "D,2025-02-20,software,60,,US\n"
    )
    (folder / "touchpoints.csv").write_text(
        "lead_id,ts,type,channel,content\n"
        # A: three opens (ages 0, 10, 20 days at the as-of date), one webinar, one pricing visit
        "A,2025-03-01,email_open,email,\n"
        "A,2025-02-19,email_open,email,\n"
        "A,2025-02-09,email_open,email,\n"
        "A,2025-02-19,webinar_attendance,events,webinar-q1\n"
        "A,2025-02-27,visit,organic_search,/pricing\n"
        # B: opens far in the past and one touch after the as-of date
        "B,2025-01-10,email_open,email,\n"
        "B,2025-03-05,webinar_attendance,events,webinar-q1\n"
        # C: an unsubscribe-like negative signal (call marked other) and downloads
        "C,2025-02-19,download,email,ebook\n"
        "C,2025-02-18,download,email,ebook\n"
        "C,2025-02-17,download,email,ebook\n"
        "C,2025-02-28,other,email,unsubscribe\n"
    )
    return folder


SCORING = {
    "threshold": 30,
    "half_life_days": 10,
    "fit": [
        {"column": "industry", "in": ["software", "fintech"], "points": 10},
        {"column": "company_size", "min": 50, "max": 1000, "points": 5},
        {"column": "job_title", "contains": "head", "points": 8},
        {"column": "country", "equals": "fr", "points": 2},
        {"icp_fit": "no_fit", "points": -20},
    ],
    "behaviour": [
        {"type": "email_open", "points": 4, "cap": 6},  # repeatable, decayed, capped
        {"type": "webinar_attendance", "points": 15, "repeatable": False, "decay": False},
        {"type": "visit", "content": "pricing", "points": 10, "within_days": 7},
        {"type": "download", "points": 12, "min_count": 3},
        {"type": "other", "content": "unsubscribe", "points": -30, "decay": False},
    ],
}
ICP = [{"column": "company_size", "min": 10}]


def _scores(lp, as_of=AS_OF, detail=True):
    expr = rules_score(lp.tables(), lp.config, as_of=as_of, detail=detail)
    return {r["lead_id"]: r for r in expr.to_pyarrow().to_pylist()}


def test_every_rule_kind_with_hand_computed_values(make_workspace, src):
    with leadpilot.open(make_workspace(scoring=SCORING, icp=ICP)) as lp:
        lp.ingest(src)
        s = _scores(lp)
        labels = rule_labels(lp.config.scoring)
    half = lambda days: 0.5 ** (days / 10)  # noqa: E731
    # A: fit 10 + 5 + 8 + 2; opens 4*(1 + 0.5 + 0.25) = 7 capped at 6; webinar 15 once, no
    # decay; pricing visit 2 days old within 7 days: 10 * 0.5**0.2.
    a = s["A"]
    assert a["rule_0"] == 10 and a["rule_1"] == 5 and a["rule_2"] == 8 and a["rule_3"] == 2
    assert a["rule_4"] == 0  # fits the ICP
    assert a["rule_5"] == pytest.approx(6.0)
    assert a["rule_6"] == 15
    assert a["rule_7"] == pytest.approx(10 * half(2))
    assert a["rules_score"] == pytest.approx(25 + 6 + 15 + 10 * half(2))
    assert a["scored_mql"] is True
    # B: retail, 5 employees (ICP no_fit -> -20), FR; one open 50 days old; the webinar on
    # March 5 is after the as-of date and is ignored.
    b = s["B"]
    assert b["rule_4"] == -20 and b["rule_6"] == 0
    assert b["rule_5"] == pytest.approx(4 * half(50))
    assert b["rules_score"] == pytest.approx(2 - 20 + 4 * half(50))
    assert b["scored_mql"] is False
    # C: fintech, size unknown (no size points, ICP unknown, not no_fit); 3 downloads 10 days
    # old meet the count rule once: 12 * 0.5; unsubscribe -30 without decay.
    c = s["C"]
    assert c["rule_1"] == 0 and c["rule_4"] == 0
    assert c["rule_8"] == pytest.approx(12 * 0.5)
    assert c["rule_9"] == -30
    assert c["rules_score"] == pytest.approx(10 - 30 + 6)
    # D: no touches at all: behaviour rules give 0, not null.
    assert s["D"]["rules_score"] == pytest.approx(10 + 5)
    assert labels[1] == "50<=company_size<=1000" and labels[7].startswith("touch type=visit")


def test_once_versus_repeatable_and_negative_cap(make_workspace, src):
    scoring = {
        "behaviour": [
            {"type": "download", "points": 5, "decay": False},
            {"type": "download", "points": 5, "repeatable": False},
            {"type": "download", "points": -4, "cap": 10},
        ]
    }
    with leadpilot.open(make_workspace(scoring=scoring)) as lp:
        lp.ingest(src)
        c = _scores(lp)["C"]
    assert c["rule_0"] == 15  # three downloads
    assert c["rule_1"] == 5  # once; no half-life configured: no decay
    assert c["rule_2"] == -10  # -12 capped at 10 points in absolute value


def test_as_of_date_ignores_later_touches(make_workspace, src):
    scoring = {"behaviour": [{"type": "webinar_attendance", "points": 15}], "threshold": 10}
    with leadpilot.open(make_workspace(scoring=scoring)) as lp:
        lp.ingest(src)
        before = _scores(lp, as_of=datetime(2025, 3, 4))
        after = _scores(lp, as_of=datetime(2025, 3, 6))
    assert before["B"]["rules_score"] == 0 and before["B"]["scored_mql"] is False
    assert after["B"]["rules_score"] == 15 and after["B"]["scored_mql"] is True


def test_scoring_date_after_creation_sees_nothing_later(make_workspace, src):
    scoring = {"behaviour": [{"type": "email_open", "points": 1}]}
    with leadpilot.open(make_workspace(scoring=scoring)) as lp:
        lp.ingest(src)
        expr = rules_score(lp.tables(), lp.config, days_after_creation=14)
        s = {r["lead_id"]: r["rules_score"] for r in expr.to_pyarrow().to_pylist()}
    assert s["A"] == 0  # A's opens are all later than January 15
    assert s["B"] == 1  # the January 10 open counts


def test_decay_formula():
    # the compiled weight uses exp(-ln2 * age / H): the same as 0.5 ** (age / H)
    assert math.exp(-math.log(2) * 15 / 10) == pytest.approx(0.5**1.5)


def test_bad_rules_are_clear_errors(make_workspace, src):
    with pytest.raises(ConfigError, match="fit rule needs a column"):
        parse_config("scoring:\n  fit:\n    - {column: industry, points: 3}\n")
    scoring = {"fit": [{"column": "revenue_band", "equals": "x", "points": 3}]}
    with leadpilot.open(make_workspace(scoring=scoring)) as lp:
        lp.ingest(src)
        with pytest.raises(UsageError, match="revenue_band"):
            rules_score(lp.tables(), lp.config, as_of=AS_OF)


def test_touches_of_merged_records_count_for_their_lead(make_workspace, tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "leads.csv").write_text(
        "lead_id,created_at,email\nX,2025-01-01,a@x.com\nY,2025-01-05,A@x.com\n"
    )
    (folder / "touchpoints.csv").write_text(
        "lead_id,ts,type\nX,2025-01-02,download\nY,2025-01-06,download\n"
    )
    scoring = {"behaviour": [{"type": "download", "points": 7}]}
    with leadpilot.open(make_workspace(scoring=scoring)) as lp:
        lp.ingest(folder)
        s = _scores(lp)
    assert set(s) == {"X"} and s["X"]["rules_score"] == 14  # Y was merged into X
