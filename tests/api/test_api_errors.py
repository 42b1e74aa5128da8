"""What the REST API answers a caller who got something wrong: its own parameter names (never
the command line's flags), every problem of a posted batch named by the record's position,
a body that is not JSON said as the ingestion route says it.

In process (FastAPI's TestClient) on one small workspace of its own (300 synthetic leads):
the session's uvicorn service of conftest.py is not needed here."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from leadpilot import pilot
from leadpilot.access import KeyStore
from leadpilot.api import create_app

API = "/api/v1/workspaces/shop"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    base = tmp_path_factory.mktemp("api-errors")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LEADPILOT_SECRET_FILE", str(base / "secret"))
        root = base / "root"
        with pilot.open(root / "shop", create=True) as lp:
            lp.ingest(pilot.demo_data())
        key = KeyStore(root / "shop").create("write", "test")[0]
        with TestClient(create_app(root), headers={"X-API-Key": key}) as c:
            yield c


def error(r) -> dict:
    return r.json()["error"]


# ---------------------------------------------------------------- parameter names
def test_a_reversed_range_names_from_and_to(client):
    r = client.get(f"{API}/kpis", params={"from": "2025-06-01", "to": "2025-01-01"})
    assert r.status_code == 400
    assert error(r)["message"].startswith("from=2025-06-01 is after to=2025-01-01: ")


def test_a_mix_error_names_the_mix_parameter(client):
    r = client.get(f"{API}/plan", params={"target_revenue": 100000, "mix": "nowhere=1"})
    assert r.status_code == 400
    said = error(r)["message"]
    assert said.startswith("mix names channel(s) ['nowhere']") and "--" not in said


def test_a_batch_problem_fix_names_the_policy_parameter(client):
    """A problem's fix written for files ("ingest with --policy quarantine") is said with
    the route's parameter."""
    r = client.post(f"{API}/ingest/spend", content="date,channel,amount\n2025-01-01,seo,-5\n"
                    "Total,,10\n", headers={"Content-Type": "text/csv"})  # fmt: skip
    assert r.status_code == 422
    doc = error(r)
    texts = [doc["message"]] + [p["fix"] or "" for p in doc["problems"]]
    assert not any("--" in t for t in texts), texts
    total = next(p for p in doc["problems"] if p["value"] == "Total")
    assert total["fix"].endswith("or ingest with policy=quarantine to set it aside")


# ---------------------------------------------------------------- posted batches
def test_every_bad_record_of_a_json_batch_is_named_by_its_position(client):
    """A record without lead_id answered "row 1, column 'lead_id'; expected a column
    'lead_id'" (row 1 has one) and hid record 1's bad date."""
    r = client.post(f"{API}/ingest/leads", json=[{"lead_id": "T1", "created_at": "2021-13-10"},
                                                 {"created_at": "2021-03-01"}])  # fmt: skip
    assert r.status_code == 422
    doc = error(r)
    assert doc["total"] == 2
    got = {(p["row"], p["column"]) for p in doc["problems"]}
    assert got == {(1, "created_at"), (2, "lead_id")}
    assert "leads batch, record 1, column 'created_at'" in doc["message"]
    assert "expected a column" not in doc["message"]


def test_a_batch_warning_names_the_record_not_an_internal_file(client):
    r = client.post(f"{API}/ingest/leads", json=[
        {"lead_id": "P1", "created_at": "2025-01-02"},
        {"lead_id": "P2", "created_at": "2025-01-03", "email": "x"},  # a placeholder e-mail
    ])  # fmt: skip
    assert r.status_code == 200
    warnings = " ".join(r.json()["summary"]["warnings"])
    assert "leads batch, record 2: email x" in warnings
    assert ".csv" not in warnings


# ---------------------------------------------------------------- /score
def test_a_score_body_that_is_not_json_is_said_as_ingest_says_it(client):
    r = client.post(f"{API}/score", content=b"{", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert error(r)["message"] == (
        "the body is not JSON: Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1)"
    )
    ingest = client.post(f"{API}/ingest/leads", content=b"{",
                         headers={"Content-Type": "application/json"})  # fmt: skip
    assert ingest.status_code == 400 and error(ingest)["message"] == error(r)["message"]


def test_a_score_body_sent_as_text_is_refused_without_echoing_bytes(client):
    r = client.post(f"{API}/score", content=b'{"leads": [{"lead_id": "a"}]}',
                    headers={"Content-Type": "text/plain"})  # fmt: skip
    assert r.status_code == 415
    said = error(r)["message"]
    assert "application/json" in said and "b'" not in said


def test_a_scored_lead_without_id_says_nothing_of_a_quarantine(client):
    r = client.post(f"{API}/score", json={"leads": [{"created_at": "2025-03-01"}]})
    assert r.status_code == 422
    doc = error(r)
    assert [(p["row"], p["column"]) for p in doc["problems"]] == [(1, "lead_id")]
    assert "request, record 1, column 'lead_id'" in doc["message"]
    assert "quarantine" not in doc["message"] and "nothing was scored" in doc["message"]


def test_a_field_error_of_a_json_body_still_lists_its_problems(client):
    r = client.post(f"{API}/score", json={"leads": []})
    assert r.status_code == 422
    assert error(r)["problems"][0]["column"] == "body.leads"
