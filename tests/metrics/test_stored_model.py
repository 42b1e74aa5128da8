"""The lead model stored by the last write of the data: every analysis reads from it what
it would compute from the events, on every engine, and it is read only while it is the
data's (same data version) and was computed with today's settings and code."""

from __future__ import annotations

import json

import duckdb
import pytest
import yaml
from helpers import write_config

import leadpilot
from leadpilot.engine import versions
from leadpilot.errors import ValidationError
from leadpilot.metrics.model import model_fingerprint
from leadpilot.pilot import Pilot
from leadpilot.synth import generate, write_tables

ICP = [{"column": "industry", "in": ["Software", "Financial Services"]}]
RETAIL = "Retail & E-commerce"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stored") / "data"
    write_tables(generate(400, seed=11), folder, fmt="csv")
    return folder


def _analyses(lp: Pilot) -> dict:
    """A result of every analysis that reads the lead model, as JSON text."""
    results = {
        "kpis": lp.kpi_result(by="channel", period="month"),
        "kpis_all_icp": lp.kpi_result(kpis=["all"], by="icp_fit", period="quarter"),
        "kpis_activity": lp.kpi_result(kpis=["all"], view="activity", period="month"),
        "funnel": lp.funnel_result(by="channel"),
        "velocity": lp.velocity_result(by="channel", period="quarter"),
        "sources": lp.sources_result(),
        "content": lp.content_result(),
        "retention": lp.retention_result(),
        "attribution": lp.attribution_result(models=["linear", "markov"]),
    }
    out = {name: json.dumps(r.to_json(), sort_keys=True, default=str)
           for name, r in results.items()}  # fmt: skip
    out["rules_scores"] = lp.rules_scores().sort_values("lead_id").to_json()
    return out


def _live(monkeypatch) -> None:
    """Commands compute the lead model from the events, as before it was stored."""
    monkeypatch.setattr(Pilot, "_stored_model", lambda self, listed, meta: None)


@pytest.mark.spark
def test_every_analysis_reads_from_the_stored_model_what_the_events_give(
    backend, data, tmp_path, monkeypatch
):
    ws = write_config(tmp_path / "ws", backend, icp=ICP).parent
    with leadpilot.open(ws) as lp:
        lp.ingest(data)
        assert lp.tables().stored_model is not None
        stored = _analyses(lp)
        _live(monkeypatch)
        assert lp.tables().stored_model is None
        computed = _analyses(lp)
    for name in computed:
        assert stored[name] == computed[name], name


def _model_rows(lp: Pilot) -> list[dict]:
    m = lp.workspace.table("lead_model").select("lead_id", "customer_at", "revenue")
    return m.order_by("lead_id").to_pyarrow().to_pylist()


def test_the_stored_model_follows_every_write(data, tmp_path, monkeypatch):
    ws = write_config(tmp_path / "ws", icp=ICP).parent
    with leadpilot.open(ws) as lp:
        lp.ingest(data)
        assert lp.tables().stored_model is not None
        leads = lp.kpi_result().rows[0]["leads"]

        # a batch of posted records: the stored model is dropped, the commands compute it
        lp.ingest_records("leads", [{"lead_id": "NEW-1", "created_at": "2025-03-02",
                                     "channel": "seo"}])  # fmt: skip
        assert lp.tables().stored_model is None
        assert not lp.workspace.has_table("lead_model")
        assert lp.kpi_result().rows[0]["leads"] == leads + 1

        # a whole ingest stores it again, with the posted lead
        lp.ingest(data)
        assert lp.tables().stored_model is not None
        assert "NEW-1" in {r["lead_id"] for r in _model_rows(lp)}

        # scoring writes scores, not data: the stored model still holds
        lp.score_apply_result()
        assert lp.tables().stored_model is not None

        # an erasure rebuilds it without the lead
        lp.erase_lead("NEW-1")
        assert lp.tables().stored_model is not None
        assert "NEW-1" not in {r["lead_id"] for r in _model_rows(lp)}
        assert lp.kpi_result().rows[0]["leads"] == leads

        # a failed ingest changes nothing, the stored model included
        stamp = versions.meta_values(lp.workspace.con)["lead_model"]
        bad = tmp_path / "bad"
        bad.mkdir()
        (bad / "leads.csv").write_text("lead_id,created_at\nX-1,not a date\n", encoding="utf-8")
        with pytest.raises(ValidationError):
            lp.ingest(bad, policy="strict")
        assert versions.meta_values(lp.workspace.con)["lead_model"] == stamp
        assert lp.tables().stored_model is not None

        # a write that does not go through the Pilot (another tool, a future command)
        # counts a data version the stored model was not stamped with
        with lp.workspace.writing(what="test"):
            first = _model_rows(lp)[0]["lead_id"]
            lp.workspace.backend.delete_where_in("deals", "lead_id", [first])
        assert lp.tables().stored_model is None


def test_rows_written_by_another_tool_are_not_missed(backend, data, tmp_path, monkeypatch):
    """A tool other than leadpilot writing into the workspace's tables (a sync job, a SQL
    client) counts no data version: the row counts in the stamp tell the model is stale."""
    ws = write_config(tmp_path / "ws", backend).parent
    with leadpilot.open(ws) as lp:
        lp.ingest(data)
        before = lp.kpi_result(by="channel").to_json()
        deals = lp.workspace.table("deals")
        won = deals.filter(deals.status == "won").order_by("deal_id").limit(1)
        customer = won.lead_id.to_pyarrow().to_pylist()[0]
        stages = lp.workspace.table("stage_events")
        events = stages.filter(stages.lead_id == customer).count().execute()
        assert events > 0
        database = lp.workspace.database_file
    # outside the Pilot and its write blocks: no data version is counted
    if backend == "duckdb":  # leadpilot reads a DuckDB file read-only: another client
        with duckdb.connect(str(database)) as con:
            for table in ("deals", "stage_events"):
                con.execute(f"DELETE FROM {table} WHERE lead_id = ?", [customer])
    with leadpilot.open(ws) as lp:
        if backend != "duckdb":
            for table in ("deals", "stage_events"):
                lp.workspace.backend.delete_where_in(table, "lead_id", [customer])
        assert lp.tables().stored_model is None
        after = lp.kpi_result(by="channel").to_json()
        _live(monkeypatch)
        assert after == lp.kpi_result(by="channel").to_json()
    assert after != before


def test_changed_settings_are_computed_from_the_events(data, tmp_path):
    ws = write_config(tmp_path / "ws", icp=ICP).parent
    with leadpilot.open(ws) as lp:
        lp.ingest(data)
        before = lp.kpi_result(by="icp_fit").rows
    config = yaml.safe_load((ws / "leadpilot.yaml").read_text(encoding="utf-8"))
    config["icp"] = [{"column": "industry", "equals": RETAIL}]
    (ws / "leadpilot.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    with leadpilot.open(ws) as lp:
        assert lp.tables().stored_model is None  # computed with the other ICP
        after = lp.kpi_result(by="icp_fit").rows
        fit = {r["icp_fit"]: r["leads"] for r in after}
        count = lp.workspace.table("leads")
        retail = count.filter(
            count.merged_into.isnull() & count.excluded_reason.isnull()
            & (count.industry == RETAIL)
        ).count().execute()  # fmt: skip
    assert fit["fit"] == retail
    assert before != after


def test_an_as_of_snapshot_never_reads_the_stored_model(data, tmp_path, monkeypatch):
    ws = write_config(tmp_path / "ws").parent
    with leadpilot.open(ws) as lp:
        lp.ingest(data)
        assert lp.tables().stored_model is not None
        stored = lp.kpi_result(by="channel", as_of="2025-02-15").to_json()
        _live(monkeypatch)
        assert stored == lp.kpi_result(by="channel", as_of="2025-02-15").to_json()
        assert stored != lp.kpi_result(by="channel").to_json()


def test_the_fingerprint_names_the_settings_the_model_was_computed_with():
    from leadpilot.config import IcpRule

    rule = IcpRule(column="industry", equals="saas")
    assert model_fingerprint(True, []) == model_fingerprint(True, None)
    assert model_fingerprint(True, []) != model_fingerprint(False, [])
    assert model_fingerprint(True, []) != model_fingerprint(True, [rule])
    same = IcpRule(**rule.model_dump())
    assert model_fingerprint(True, [rule]) == model_fingerprint(True, [same])
