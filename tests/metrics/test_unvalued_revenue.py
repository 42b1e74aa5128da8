"""Won deals without an amount (a HubSpot export leaves Amount empty on most deals): the
average deal size divided the known revenue by every won deal (R$73k instead of R$1.37M on
the Olist export) and a channel whose won deals all lacked one showed 0 revenue and an ROI
of -100 %, with no word. Revenue counts only known amounts; a group where none is known is
unknown (null), the average leaves the unknown ones out, and it is said."""

from __future__ import annotations

import pandas as pd
import pytest

import leadpilot
from leadpilot.i18n import message_in

LEADS = (
    "lead_id,created_at,channel\n"
    "A1,2025-01-03,a\nA2,2025-01-04,a\nB1,2025-01-05,b\nC1,2025-01-06,c\n"
)
# a: one won deal of 100 and one without an amount; b: its only won deal has none;
# c: no deal at all (revenue 0, known)
DEALS = (
    "deal_id,lead_id,created_at,status,closed_at,amount\n"
    "D1,A1,2025-01-10,won,2025-02-01,100\n"
    "D2,A2,2025-01-10,won,2025-02-02,\n"
    "D3,B1,2025-01-10,won,2025-02-03,\n"
    "D4,C1,2025-01-10,lost,2025-02-04,900\n"
)
SPEND = "date,channel,amount\n2025-01-01,a,40\n2025-01-01,b,50\n2025-01-01,c,10\n"
KPIS = ["customers", "revenue", "avg_deal_size", "roas", "roi"]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("unvalued")
    src = root / "src"
    src.mkdir()
    for name, text in (("leads", LEADS), ("deals", DEALS), ("spend", SPEND)):
        (src / f"{name}.csv").write_text(text, encoding="utf-8")
    ws = root / "ws"
    ws.mkdir()
    (ws / "leadpilot.yaml").write_text("workspace: {backend: duckdb}\n", encoding="utf-8")
    with leadpilot.open(ws) as lp:
        summary = lp.ingest(src)
    return ws, src, summary


def _by_channel(result) -> dict[str, dict]:
    return {r["channel"]: r for r in result.rows}


@pytest.mark.parametrize("view", ["cohort", "activity"])
def test_revenue_counts_known_amounts_and_is_unknown_where_none_is(workspace, view):
    ws, src, _ = workspace
    with leadpilot.open(ws) as lp:
        result = lp.kpi_result(by="channel", kpis=KPIS, view=view)
    rows = _by_channel(result)
    # the average is over the deals with an amount, recomputed from the file with pandas
    deals = pd.read_csv(src / "deals.csv")
    won_a = deals[(deals.status == "won") & deals.lead_id.isin(["A1", "A2"])]
    assert rows["a"]["revenue"] == won_a.amount.sum() == 100
    assert rows["a"]["avg_deal_size"] == won_a.amount.mean() == 100  # not 100 / 2
    assert rows["a"]["roas"] == pytest.approx(100 / 40)
    # b's only won deal has no amount: unknown, not 0 and not an ROI of -100 %
    assert rows["b"]["customers"] == 1
    assert rows["b"]["revenue"] is None
    assert rows["b"]["avg_deal_size"] is None
    assert rows["b"]["roas"] is None and rows["b"]["roi"] is None
    # c has no won deal: its revenue is known to be 0
    assert rows["c"]["revenue"] == 0
    assert rows["c"]["roi"] == pytest.approx(-1.0)
    said = [w for w in result.meta.notices if w.code == "unvalued"]
    assert len(said) == 1
    assert "2 of 3 won deals have no amount" in str(said[0])
    assert "null, –, in 1 group(s)" in str(said[0])
    # the figures travel with the sentence (a report and the dashboard write them their
    # own way, in French too): in the JSON, and through a pickle (the service's caches)
    data = {"measure": "revenue", "lacking": 2, "total": 3, "unknown_groups": 1}
    assert said[0].data == data
    (doc,) = [n for n in result.to_json()["meta"]["notices"] if n["code"] == "unvalued"]
    assert doc["data"] == data
    import pickle

    assert pickle.loads(pickle.dumps(said[0])).data == data


def test_the_total_keeps_the_known_amounts(workspace):
    ws, _, _ = workspace
    with leadpilot.open(ws) as lp:
        (row,) = lp.kpi_result(kpis=KPIS).rows
    assert row["revenue"] == 100
    assert row["avg_deal_size"] == 100
    assert row["customers"] == 3


def test_the_ingest_says_which_won_deals_have_no_amount(workspace):
    _, _, summary = workspace
    said = [w for w in summary.warnings if getattr(w, "code", None) == "unvalued"]
    assert len(said) == 1
    assert "2 of the 3 won deals of deals.csv have no amount" in str(said[0])
    # the file has an amount column: the fix is to fill it, not to map it (it is mapped)
    assert "Their amount column ('amount') is empty: fill the amounts in the CRM" in said[0]
    assert "Map the amount column" not in said[0]
    assert message_in(said[0], "fr").startswith(
        "affaires : 2 des 3 affaires gagnées de deals.csv n'ont pas de montant"
    )
    assert "Leur colonne de montant ('amount') est vide" in message_in(said[0], "fr")


def test_a_deals_file_without_an_amount_column_is_told_to_map_it(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "leads.csv").write_text(LEADS, encoding="utf-8")
    no_amount = "\n".join(line.rsplit(",", 1)[0] for line in DEALS.splitlines()) + "\n"
    (src / "deals.csv").write_text(no_amount, encoding="utf-8")
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "leadpilot.yaml").write_text("workspace: {backend: duckdb}\n", encoding="utf-8")
    with leadpilot.open(ws) as lp:
        summary = lp.ingest(src)
    (said,) = [w for w in summary.warnings if getattr(w, "code", None) == "unvalued"]
    assert "3 of the 3 won deals of deals.csv have no amount" in said
    assert "Map the amount column (columns: {amount: '<your header>'})" in said
    assert "Associez la colonne de montant (columns: {amount: '<your header>'})" in (
        message_in(said, "fr")
    )


def test_nothing_is_said_when_every_won_deal_has_its_amount(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "leads.csv").write_text(LEADS, encoding="utf-8")
    (src / "deals.csv").write_text(DEALS.replace("2025-02-02,\n", "2025-02-02,30\n")
                                   .replace("2025-02-03,\n", "2025-02-03,70\n"))
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "leadpilot.yaml").write_text("workspace: {backend: duckdb}\n", encoding="utf-8")
    with leadpilot.open(ws) as lp:
        summary = lp.ingest(src)
        result = lp.kpi_result(by="channel", kpis=KPIS)
    assert not [w for w in summary.warnings if getattr(w, "code", None) == "unvalued"]
    assert not [w for w in result.meta.notices if w.code == "unvalued"]
    rows = _by_channel(result)
    assert rows["a"]["avg_deal_size"] == 65  # (100 + 30) / 2
    assert rows["b"]["revenue"] == 70


def test_a_quarantined_amount_is_no_won_deal_without_one(tmp_path):
    """An amount that is no number ('12%') sets its deal aside: the ingest says so, and
    must not also count it among the won deals without an amount (a deal not loaded)."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "leads.csv").write_text(LEADS, encoding="utf-8")
    (src / "deals.csv").write_text(DEALS.replace("2025-02-02,\n", "2025-02-02,12%\n"))
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "leadpilot.yaml").write_text("workspace: {backend: duckdb}\n", encoding="utf-8")
    with leadpilot.open(ws) as lp:
        summary = lp.ingest(src, policy="quarantine")
    assert summary.tables["deals"].rows_quarantined == 1
    said = [str(w) for w in summary.warnings if getattr(w, "code", None) == "unvalued"]
    assert said and "1 of the 2 won deals of deals.csv have no amount" in said[0], said
