"""POST .../score: the real-time scorer, made once per workspace version, answers as the
batch path (Pilot.score_apply_result on a file of the same leads) does."""

from __future__ import annotations

import random

import leadpilot.pilot as pilot
from leadpilot.records import batch_file, records_csv

API = "/api/v1/workspaces"
FIELDS = ["lead_id", "score", "band", "scored_mql", "rules_score", "reason_1", "reason_2",
          "reason_3"]  # fmt: skip


def _records(ids: list[str], seed: int) -> list[dict]:
    rng = random.Random(seed)
    return [
        {"lead_id": i, "created_at": rng.choice(["2026-03-01", "2025-12-31T09:30:00"]),
         "seniority": rng.choice(["vp", "Director", "manager", None]),
         "company_size": rng.choice([10, 50, "250", None]),
         "channel": rng.choice(["Paid Search", "email", None])}
        for i in ids
    ]  # fmt: skip


def test_scores_equal_the_batch_path_and_the_scorer_is_kept_per_version(service):
    handle = service.handle("acme")
    with pilot.open(service.root / "acme") as lp:
        known = lp.tables()["leads"].lead_id.to_pandas().sample(30, random_state=1).tolist()
    records = _records([f"form-{i}" for i in range(20)] + known, seed=5)
    with service.client("acme", "read") as c:
        r = c.post(f"{API}/acme/score", json={"leads": records})
        assert r.status_code == 200, r.text
        first = handle._scorer
        assert first is not None and first[0] == handle.version
        again = c.post(f"{API}/acme/score", json={"leads": records})
        assert handle._scorer is first  # kept: no query on the workspace per request
        assert again.json()["rows"] == r.json()["rows"]
        handle.bump()  # what a committed ingest or erasure does: a new scorer is made
        after = c.post(f"{API}/acme/score", json={"leads": records[:3]})
        assert after.status_code == 200
        assert handle._scorer[0] == handle.version and handle._scorer[1] is not first[1]
    rows = r.json()["rows"]
    with pilot.open(service.root / "acme") as lp:
        with batch_file("leads", records_csv("leads", records, "request")) as path:
            batch = lp.score_apply_result(input=path, store=False).frame
    assert len(rows) == len(batch) == len(records)
    expected = batch.astype(object).where(batch.notna(), None).to_dict(orient="records")
    for got, want in zip(rows, expected, strict=True):
        assert {k: got[k] for k in FIELDS} == {k: want[k] for k in FIELDS}
    # known leads carry their behaviour (touches): some score above their fit points alone
    assert any("touch" in str(row[f"reason_{k}"]) for row in rows if row["lead_id"] in known
               for k in (1, 2, 3))
