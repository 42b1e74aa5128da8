"""A workspace ingested before leadpilot reserved some lead attribute names (an account's
``revenue``, a ``stage``): its leads table holds them under their own name. Read so, they
collided with the lead model's own columns: every live analysis and every ingest failed
with an internal TypeError. The analyses now read them as an ingest stores them today
(``NAME_attribute``) and say so; later ingests go on filling the stored column."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from helpers import write_config

import leadpilot
from leadpilot.i18n import message_in

CASE = Path(__file__).parents[1] / "corpus" / "v_attribute_named_like_a_kpi"
OLD_NAMES = {"revenue": "revenue_attribute", "deals": "deals_attribute",
             "period": "period_attribute", "stage": "stage_attribute"}  # fmt: skip


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory) -> tuple[Path, Path]:
    """(today's workspace of the case's files, the same as an earlier leadpilot left it)."""
    root = tmp_path_factory.mktemp("reserved")
    source = Path(shutil.copytree(CASE, root / "source", ignore=shutil.ignore_patterns("*.yaml")))
    today = write_config(root / "today").parent
    with leadpilot.open(today) as lp:
        lp.ingest(source)
    old = Path(shutil.copytree(today, root / "old"))
    con = duckdb.connect(str(old / "leadpilot.duckdb"))
    for stored, new in OLD_NAMES.items():
        con.execute(f'ALTER TABLE leads RENAME COLUMN "{new}" TO "{stored}"')
    con.execute("DROP TABLE lead_model")  # stored by another leadpilot: not this one's
    con.close()
    return today, old


def _rows(ws: Path, by: str) -> tuple[list[dict], list, list[dict]]:
    with leadpilot.open(ws) as lp:
        kpis = lp.kpi_result(kpis=["leads", "customers", "revenue"], by=by)
        funnel = lp.funnel_result(by="stage_attribute")
    return kpis.rows, kpis.meta.notices, funnel.rows


def test_the_analyses_read_them_as_an_ingest_stores_them_today_and_say_so(workspaces):
    today, old = workspaces
    rows, notices, funnel = _rows(old, "revenue_attribute")
    want_rows, want_notices, want_funnel = _rows(today, "revenue_attribute")
    assert rows == want_rows and funnel == want_funnel
    assert {r["revenue_attribute"]: r["revenue"] for r in rows} == {1200000.0: 1200.0,
                                                                     35000.0: 0.0}  # fmt: skip
    (said,) = [n for n in notices if n.code == "attribute_renamed"]
    assert said.data["renamed"] == OLD_NAMES
    assert "'revenue' as 'revenue_attribute'" in str(said)
    assert "attribute_renamed" not in {n.code for n in want_notices}
    french = message_in(str(said), "fr")
    assert "'revenue' sous 'revenue_attribute'" in french and "regroupez" in french


def test_an_ingest_goes_on_filling_the_stored_column(workspaces, tmp_path):
    _, template = workspaces
    old = Path(shutil.copytree(template, tmp_path / "old"))
    more = tmp_path / "more"
    more.mkdir()
    (more / "leads.csv").write_text(
        "lead_id,created_at,channel,Revenue\nL4,2025-01-09,seo,42000\n", encoding="utf-8"
    )
    with leadpilot.open(old) as lp:
        summary = lp.ingest(more)
        assert summary.tables["leads"].rows_loaded == 1
        assert "stored under another name" not in " ".join(map(str, summary.warnings))
        stored = lp.workspace.table("leads").to_pyarrow()
        by_revenue = lp.kpi_result(kpis=["leads"], by="revenue_attribute").rows
    assert "revenue_attribute" not in stored.column_names  # one column, as stored
    revenue = dict(zip(stored["lead_id"].to_pylist(), stored["revenue"].to_pylist(), strict=True))
    assert revenue["L4"] == 42000
    assert {r["revenue_attribute"]: r["leads"] for r in by_revenue}[42000.0] == 1
    # the model this ingest stored reads the attribute under the same name
    with leadpilot.open(old) as lp:
        assert lp.tables().stored_model is not None
        assert "revenue_attribute" in lp.tables()["leads"].columns
