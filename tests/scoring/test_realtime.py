"""The real-time scorer (scoring/realtime.py) gives the batch path's answer.

The batch path is what ``score_records`` did before it (and what ``score apply --input``
does): the records written as a canonical leads file, read by the ingest's pipeline and
scored by ``score_apply_result(input=..., store=False)`` with the workspace's engine
queries. Both are compared on hundreds of generated leads — new lead_ids and known ones
(merged records included), attributes written as exports write them — with a trained
model and with the rules only; scores, bands, scored_mql and reasons must be equal,
probabilities and rules scores equal to the last bits a float sum's order can change;
bad records must raise the same problems.
"""

from __future__ import annotations

import random
import shutil

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import leadpilot
from leadpilot.errors import LeadpilotError, ValidationError
from leadpilot.records import BatchLabels, batch_file, records_csv
from leadpilot.scoring.model import MODEL_DIR

EXACT = ["lead_id", "score", "band", "scored_mql", "reason_1", "reason_2", "reason_3"]
CLOSE = ["probability", "rules_score"]

SENIORITY = ["vp", "VP", "director", "c_level", "Head", "manager", "individual", "", None]
CHANNELS = ["paid_search", "Paid Search", "PAID_SOCIAL", "email", "Événements", "referral",
            "", None]  # fmt: skip
ACQUISITION = ["paid", "Inbound", "outbound", "partner", "event", "", None]
TITLES = ["VP Sales", "Student intern", "Marketing Manager", "CEO", "", None]
SIZES = [250, 49, 50, 5000, 5001, "120", " 75 ", 12.5, "", None]
DATES = ["2026-03-01", "2025-11-30T10:15:00", "2025-06-01 08:00:00", "2024-02-29",
         "2025-12-31T23:59:59"]  # fmt: skip


@pytest.fixture(scope="module")
def workspaces(synth_ws, tmp_path_factory):
    """The synthetic workspace with its trained model, and a copy with the rules only."""
    rules_only = tmp_path_factory.mktemp("rules-only") / "ws"
    shutil.copytree(synth_ws, rules_only)
    shutil.rmtree(rules_only / MODEL_DIR)
    return {"model": synth_ws, "rules": rules_only}


@pytest.fixture(scope="module")
def known(synth_ws):
    """Lead ids of the workspace: with touches, without, and merged records."""
    with leadpilot.open(synth_ws) as lp:
        leads = lp.tables()["leads"].select("lead_id", "merged_into").to_pandas()
    merged = leads.loc[leads.merged_into.notna(), "lead_id"].tolist()
    roots = leads.loc[leads.merged_into.notna(), "merged_into"].tolist()
    return {"all": leads.lead_id.tolist(), "merged": merged, "roots": roots}


def _record(rng: random.Random, lead_id: str) -> dict:
    rec = {"lead_id": lead_id, "created_at": rng.choice(DATES)}
    for key, values in (("seniority", SENIORITY), ("channel", CHANNELS),
                        ("acquisition", ACQUISITION), ("job_title", TITLES),
                        ("company_size", SIZES)):  # fmt: skip
        if rng.random() < 0.85:
            rec[key] = rng.choice(values)
    if rng.random() < 0.5:
        rec["industry"] = rng.choice(["Software", "Healthcare", "Retail & E-commerce", None])
    if rng.random() < 0.3:
        rec["country"] = rng.choice(["France", "Germany", "United States"])
    if rng.random() < 0.2:
        rec["favourite_colour"] = rng.choice(["blue", "green", 3])  # an extra attribute
    return rec


def generated(known: dict, n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    ids: list[str] = []
    pool = known["all"]
    for i in range(n):
        r = rng.random()
        if r < 0.35:
            ids.append(f"new-{seed}-{i}")
        elif r < 0.45 and known["merged"]:
            ids.append(rng.choice(known["merged"] + known["roots"]))
        else:
            ids.append(rng.choice(pool))
    ids = list(dict.fromkeys(ids))  # a lead once per request
    return [_record(rng, i) for i in ids]


def batch_path(lp, records: list[dict], as_of=None, reasons: bool = True):
    """What score_records did before the real-time scorer: a file, the batch engine path.
    A record leaving out lead_id or created_at is one bad record (its cells empty), as a
    posted batch reads it, not a file without the column."""
    if isinstance(records, list):
        records = [{**{c: None for c in ("lead_id", "created_at") if c not in r}, **r}
                   if isinstance(r, dict) else r for r in records]  # fmt: skip
    text = records_csv("leads", records, "request")
    with batch_file("leads", text) as path:
        positions = {str(path): list(range(1, len(records) + 1))}
        labels = BatchLabels.of("request", [str(path)], path, positions)
        with labels.naming():
            result = lp.score_apply_result(input=path, as_of=as_of, reasons=reasons,
                                           store=False)  # fmt: skip
        result.warnings = [str(w).replace(str(path), "request") for w in result.warnings]
    return result


def assert_same(real, batch) -> None:
    a, b = real.frame, batch.frame
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    for c in EXACT:
        if c in a.columns:
            left = a[c].astype(object).where(a[c].notna(), None).tolist()
            right = b[c].astype(object).where(b[c].notna(), None).tolist()
            assert left == right, c
    for c in CLOSE:
        np.testing.assert_allclose(a[c].to_numpy(float), b[c].to_numpy(float), rtol=1e-12,
                                   atol=1e-12, equal_nan=True, err_msg=c)  # fmt: skip
    assert real.meta["as_of"] == batch.meta["as_of"]
    assert real.meta["score"] == batch.meta["score"]
    # cut-offs are quantiles of the scored leads' rules scores: equal to the last bits an
    # engine's order of float additions can change (PostgreSQL sums in its own order)
    assert _close(real.meta["bands"], batch.meta["bands"])
    assert [str(w) for w in real.warnings] == [str(w) for w in batch.warnings]


def _close(a, b) -> bool:
    """Equal, floats to 1e-12 (nested dicts and lists)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) or isinstance(b, float):
        return a == pytest.approx(b, rel=1e-12, abs=1e-12)
    return a == b


@pytest.mark.slow  # make test-quick leaves it out
@pytest.mark.parametrize("kind", ["model", "rules"])
def test_hundreds_of_generated_leads_score_as_the_batch_path(workspaces, known, kind):
    records = generated(known, 400, seed=7)
    assert sum(r["lead_id"].startswith("new-") for r in records) > 50
    assert sum(not r["lead_id"].startswith("new-") for r in records) > 150
    with leadpilot.open(workspaces[kind]) as lp:
        scorer = lp.realtime_scorer()
        assert scorer.model is not None if kind == "model" else scorer.model is None
        batch = batch_path(lp, records)
        assert batch.meta["score"] == kind
        # known leads have behaviour: some behaviour rule points among them
        assert (batch.frame["rules_score"] != batch.frame["rules_score"].round()).any() or (
            batch.frame["rules_score"] > 25
        ).any()
        assert_same(lp.score_records(records, scorer=scorer), batch)
        assert_same(lp.score_records(records), batch)  # no cached scorer: a bounded query
        # one lead per request, as a web form posts them
        for rec in records[:25]:
            assert_same(lp.score_records([rec], scorer=scorer), batch_path(lp, [rec]))
        # without reasons, and as of another day (the scorer builds that day's behaviour)
        assert_same(lp.score_records(records[:60], scorer=scorer, reasons=False),
                    batch_path(lp, records[:60], reasons=False))  # fmt: skip
        assert_same(lp.score_records(records[:60], scorer=scorer, as_of="2025-09-30"),
                    batch_path(lp, records[:60], as_of="2025-09-30"))  # fmt: skip


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 10_000), n=st.integers(1, 12))
def test_any_small_batch_scores_as_the_batch_path(workspaces, known, model_scorer, seed, n):
    records = generated(known, n, seed)
    with leadpilot.open(workspaces["model"]) as lp:
        assert_same(lp.score_records(records, scorer=model_scorer), batch_path(lp, records))


@pytest.fixture(scope="module")
def model_scorer(workspaces):
    """A scorer kept across requests (and Pilots), as the service keeps one."""
    with leadpilot.open(workspaces["model"]) as lp:
        return lp.realtime_scorer()


BAD = {
    "a date nobody writes": [{"lead_id": "x1", "created_at": "someday"}],
    "an unknown acquisition": [{"lead_id": "x1", "created_at": "2026-03-01",
                                "acquisition": "telepathy"}],
    "no created_at": [{"lead_id": "x1", "created_at": ""}],
    "no lead_id column": [{"created_at": "2026-03-01"}],
    "twice the same lead": [{"lead_id": "x1", "created_at": "2026-03-01"},
                            {"lead_id": "x2", "created_at": "2026-03-02"},
                            {"lead_id": "x1", "created_at": "2026-03-03"}],
    "a list as a value": [{"lead_id": "x1", "created_at": "2026-03-01", "seniority": ["vp"]}],
    "a bad row among good ones": [{"lead_id": "x1", "created_at": "2026-03-01"},
                                  {"lead_id": "x2", "created_at": "31/02/2026"}],
    "not a list": {"lead_id": "x1"},
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_records_raise_the_batch_paths_problems(workspaces, case):
    records = BAD[case]
    with leadpilot.open(workspaces["rules"]) as lp:
        with pytest.raises(LeadpilotError) as batch:
            batch_path(lp, records)
        with pytest.raises(LeadpilotError) as real:
            lp.score_records(records, scorer=lp.realtime_scorer())
    assert type(real.value) is type(batch.value)
    if isinstance(batch.value, ValidationError):
        assert real.value.problems == batch.value.problems
        assert real.value.total == batch.value.total
    else:
        assert str(real.value) == str(batch.value)
    assert "leadpilot-batch" not in str(real.value) and "/request" not in str(real.value)


def test_a_scorer_reads_nothing_per_request(workspaces, known, monkeypatch):
    """Once made, a scorer answers without the workspace's tables (the default as-of)."""
    with leadpilot.open(workspaces["model"]) as lp:
        scorer = lp.realtime_scorer()
        records = generated(known, 30, seed=3)
        expected = lp.score_records(records, scorer=scorer)

        def no_tables():
            raise AssertionError("the workspace was read")

        result = scorer.score(records, file="/request/leads.csv", tables=no_tables)
    assert result.frame["score"].tolist() == expected.frame["score"].tolist()


def test_the_same_answer_on_every_backend(make_workspace, tmp_path, backend):
    """The behaviour table and the checks run on the workspace's engine (PostgreSQL too);
    the fit rules on the records alone, in-process."""
    from scoring_settings import SCORING

    from leadpilot.synth import generate, write_tables

    ws = make_workspace(scoring={k: v for k, v in SCORING.items() if k != "model"})
    write_tables(generate(400, seed=2), tmp_path / "data", fmt="parquet")
    with leadpilot.open(ws) as lp:
        lp.ingest(tmp_path / "data")
        ids = lp.tables()["leads"].lead_id.to_pandas().tolist()
        records = generated({"all": ids, "merged": [], "roots": []}, 80, seed=1)
        batch = batch_path(lp, records)
        assert batch.frame["rules_score"].gt(0).any()
        assert_same(lp.score_records(records, scorer=lp.realtime_scorer()), batch)
