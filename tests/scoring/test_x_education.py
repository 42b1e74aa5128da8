"""The real X Education dataset: ingest through the example mapping, train, evaluate."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import leadpilot

EXAMPLE = Path(__file__).parents[2] / "examples" / "x_education" / "leadpilot.yaml"
DATA = Path(__file__).parents[3] / "shared" / "datasets" / "x_education_leads" / "Leads.csv"


@pytest.mark.skipif(not DATA.exists(), reason="shared/datasets/x_education_leads is absent")
def test_x_education_scores_predict_conversion(tmp_path):
    ws = tmp_path / "xedu"
    ws.mkdir()
    shutil.copy(EXAMPLE, ws / "leadpilot.yaml")
    with leadpilot.open(ws) as lp:
        summary = lp.ingest(EXAMPLE)
        assert summary.tables["leads"].rows_loaded == 9240
        leads = lp.workspace.table("leads")
        # "Select" is a placeholder: read as missing, never a category
        assert leads.filter(leads.specialization == "Select").count().execute() == 0
        assert leads.specialization.isnull().sum().execute() >= 1942
        kpis = lp.kpi_result(kpis=["leads", "customers"]).rows[0]
        assert (kpis["leads"], kpis["customers"]) == (9240, 3561)
        train = lp.score_train()
        ev = {r["score"]: r for r in lp.score_evaluate().rows}
    assert train.card["split"]["kind"] == "hash" and train.warnings  # no dates: documented
    names = {f["name"] for f in train.card["features"]}
    assert not names & {"converted", "tags", "lead_quality", "lead_number"}
    assert ev["model"]["auc"] > 0.85
    assert ev["rules"]["auc"] > 0.75
    assert ev["model"]["n"] == ev["rules"]["n"] == train.card["population"]["held_out_leads"]
