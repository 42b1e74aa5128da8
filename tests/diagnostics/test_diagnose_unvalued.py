"""A period whose won deals have no amount has an unknown revenue: diagnose split its
"change" into effects anyway, from 0 (the report's bridge read "Q1 2018: R$0.00 ... deal
size +R$62M" on the HubSpot export). The customers' change is split instead, and said."""

from __future__ import annotations

import leadpilot

LEADS = "lead_id,created_at,channel\n" + "".join(
    f"{p}{i},2025-{m}-0{i},{c}\n"
    for p, m in (("Q", "01"), ("R", "04"))
    for i, c in ((1, "a"), (2, "a"), (3, "b"), (4, "b"))
)
# Q1's won deal has no amount; Q2's have theirs
DEALS = (
    "deal_id,lead_id,created_at,status,closed_at,amount\n"
    "D1,Q1,2025-01-10,won,2025-01-20,\n"
    "D2,R1,2025-04-10,won,2025-04-20,500\n"
    "D3,R3,2025-04-10,won,2025-04-21,300\n"
)


def _diagnose(tmp_path, leads: str, deals: str):
    """Q2 2025 against Q1 by channel, on a new DuckDB workspace of these two files."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "leads.csv").write_text(leads, encoding="utf-8")
    (src / "deals.csv").write_text(deals, encoding="utf-8")
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "leadpilot.yaml").write_text("workspace: {backend: duckdb}\n", encoding="utf-8")
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
        return lp.diagnosis(current="2025-Q2", previous="2025-Q1", by="channel")


def test_an_unknown_revenue_is_not_split_the_customers_are(tmp_path):
    result = _diagnose(tmp_path, LEADS, DEALS)
    meta = result.meta
    assert meta["decomposition"]["revenue"] is None
    customers = meta["decomposition"]["customers"]
    assert (customers["before"], customers["after"]) == (1, 2)
    said = [str(n) for n in meta.notices if n.code == "unvalued"]
    assert any("the revenue of 2025-Q1 is unknown in some groups" in s for s in said)
    assert not any(f["code"] == "channel_roi_negative" for f in meta["findings"])


def test_a_channel_without_leads_in_a_period_counts_zero_there(tmp_path):
    """Channel c has leads in Q1 and none in Q2: its Q2 leads are 0 (a change of -100 %),
    not unknown ("–")."""
    result = _diagnose(
        tmp_path,
        LEADS + "Q5,2025-01-09,c\nQ6,2025-01-09,c\n",
        DEALS.replace("2025-01-20,\n", "2025-01-20,100\n"),
    )
    rows = {(r["channel"], r["kpi"]): r for r in result.rows}
    leads = rows[("c", "leads")]
    assert (leads["previous"], leads["current"]) == (2, 0)
    assert leads["change"] == -2 and leads["relative_change"] == -1
    assert rows[("c", "revenue")]["current"] == 0
    assert rows[("c", "lead_to_customer")]["current"] is None  # 0 / 0: no rate
    assert rows[("a", "leads")]["current"] == 2  # a group present in both: as it was
