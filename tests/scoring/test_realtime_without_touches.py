"""A posted lead scored by the saved model in a workspace without any touchpoint (a CRM
export alone, x_education): the behaviour features are 0 for every lead; the service's
POST /score failed on every request there (an empty lookup of behaviour), while
``score apply --input`` scored the same lead."""

from __future__ import annotations

import pytest
from helpers import build, write_config

import leadpilot

POSTED = [
    {"lead_id": "N1", "created_at": "2025-03-02", "channel": "seo"},
    {"lead_id": "N2", "created_at": "2025-03-03", "channel": "ads"},
    {"lead_id": "L3", "created_at": "2025-01-02", "channel": "seo"},  # a stored lead's id
]


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("no-touches")
    src = build(root / "src", [
        {"channel": "seo", "n": 60, "mql": 40, "sql": 30, "opportunity": 25, "customers": 20},
        {"channel": "ads", "n": 60, "mql": 20, "sql": 8, "opportunity": 5, "customers": 3},
    ])  # fmt: skip
    path = write_config(root / "ws", scoring={"model": {"target": "customer",
                                                        "horizon_days": 0}}).parent  # fmt: skip
    with leadpilot.open(path) as lp:
        lp.ingest(src)
        assert lp.workspace.table("touchpoints").count().execute() == 0
        lp.score_train(model="logistic")
    return path


@pytest.mark.parametrize("kept", [False, True], ids=["per-request", "service-scorer"])
def test_posted_leads_score_as_the_batch_path(ws, tmp_path, kept):
    csv = tmp_path / "posted.csv"
    csv.write_text("lead_id,created_at,channel\n"
                   + "".join(f"{r['lead_id']},{r['created_at']},{r['channel']}\n"
                             for r in POSTED))  # fmt: skip
    with leadpilot.open(ws) as lp:
        scorer = lp.realtime_scorer() if kept else None
        posted = lp.score_records(POSTED, scorer=scorer).frame
        batch = lp.score_apply_result(input=csv, store=False).frame
    posted, batch = (f.set_index("lead_id").sort_index() for f in (posted, batch))
    assert posted["score"].tolist() == batch["score"].tolist()
    assert posted["band"].tolist() == batch["band"].tolist()
    assert posted.loc["N1", "score"] != posted.loc["N2", "score"]  # the channel counts
