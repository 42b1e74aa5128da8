"""A CRM export without its deals (customers from 'Became a Customer Date' alone): revenue
is unknown. It read 0, so ROI read -100 % and diagnose said every paid channel was losing
money; kpis and attribution now give null revenue, ROAS and ROI, and say why."""

from __future__ import annotations

import pytest

import leadpilot


# two quarters of 80 leads, 2024-11 and 2025-01: 40 per channel, enough to be judged
def _day(i: int) -> str:
    return f"{'2024-11' if i < 80 else '2025-01'}-{1 + i % 20:02d}"


# and a lead in September: the first quarter is then old enough to be judged
LEADS = "lead_id,created_at,channel\n" + "".join(
    f"L{i},{_day(i)},{'ads' if i % 2 else 'seo'}\n" for i in range(160)
) + "LZ,2025-09-30,seo\n"
STAGES = "lead_id,stage,ts\n" + "".join(
    f"L{i},customer,{_day(i).replace('-11-', '-12-').replace('-01-', '-02-')}\n"
    for i in range(0, 160, 3)
)
TOUCHES = "lead_id,ts,type,channel\n" + "".join(
    f"L{i},{_day(i)} 08:00,visit,{'ads' if i % 2 else 'seo'}\n" for i in range(160)
)
SPEND = "date,channel,amount\n2024-11-05,ads,500\n2025-01-05,ads,500\n2025-01-06,seo,50\n"


@pytest.fixture
def no_deals(tmp_path, backend):
    src = tmp_path / "src"
    src.mkdir()
    for name, text in (("leads", LEADS), ("stage_events", STAGES), ("touchpoints", TOUCHES),
                       ("spend", SPEND)):  # fmt: skip
        (src / f"{name}.csv").write_text(text)
    ws = tmp_path / "ws"
    ws.mkdir()
    from helpers import write_config

    write_config(ws, backend)
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
    return ws


def test_revenue_is_unknown_without_deals_not_zero(no_deals):
    with leadpilot.open(no_deals) as lp:
        kpis = lp.kpi_result(by="channel", kpis=["customers", "revenue", "roas", "roi", "cac"])
        attribution = lp.attribution_result(models=["last_touch"])
    rows = {r["channel"]: r for r in kpis.rows}
    assert rows["ads"]["customers"] > 0 and rows["ads"]["cac"] is not None
    for r in rows.values():
        assert r["revenue"] is None and r["roi"] is None and r["roas"] is None, r
    (said,) = [w for w in kpis.warnings if w.code == "table_not_loaded"]
    assert said.startswith("no deals loaded: revenue, roas, roi are null")
    assert "cac" not in said  # spend per customer needs no deal
    credited = [r for r in attribution.rows if r["conversions"]]
    assert credited and all(r["revenue"] is None and r["roi"] is None for r in credited)
    assert any(w.code == "table_not_loaded" for w in attribution.warnings)


def test_diagnose_says_no_channel_loses_money_without_deals(no_deals):
    with leadpilot.open(no_deals) as lp:
        result = lp.diagnosis(current="2025-Q1", previous="2024-Q4", by="channel")
    codes = {f["code"] for f in result.meta["findings"]}
    assert "channel_roi_negative" not in codes, result.meta["findings"]


def test_without_customers_nor_deals_revenue_is_a_known_zero(tmp_path):
    """Nobody converted and no deal is loaded: revenue is 0 (nothing to value), and a
    channel that spent is rightly at ROI -100 %."""
    from helpers import write_config

    src = tmp_path / "src"
    src.mkdir()
    (src / "leads.csv").write_text(LEADS)
    (src / "spend.csv").write_text(SPEND)
    ws = write_config(tmp_path / "ws", "duckdb").parent
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
        result = lp.kpi_result(by="channel", kpis=["customers", "revenue", "roi"])
    rows = {r["channel"]: r for r in result.rows}
    assert rows["ads"]["customers"] == 0 and rows["ads"]["revenue"] == 0
    assert rows["ads"]["roi"] == -1
    assert not [w for w in result.warnings if "no deals loaded" in w]


def test_customers_without_a_won_deal_are_said(tmp_path):
    """Deals loaded, but some customers recorded by their customer stage alone: revenue
    counts nothing for them (its rule), and the note says how many, per view and range."""
    from helpers import write_config

    src = tmp_path / "src"
    src.mkdir()
    (src / "leads.csv").write_text(LEADS)
    (src / "stage_events.csv").write_text(STAGES)
    won = ["L0", "L3", "L81"]  # customers with their won deal (two in 2024-11, one in 2025-01)
    (src / "deals.csv").write_text(
        "deal_id,lead_id,created_at,closed_at,status,amount\n"
        + "".join(f"D{k},{k},2025-01-02,2025-01-03,won,100\n" for k in won)
        + "D9,L1,2025-01-02,,open,50\n"  # not a customer: changes nothing
    )
    ws = write_config(tmp_path / "ws", "duckdb").parent
    customers = {f"L{i}": _day(i) for i in range(0, 160, 3)}
    january = {k for k, d in customers.items() if d.startswith("2025-01")}
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
        every = lp.kpi_result(kpis=["customers", "revenue"])
        cohort = lp.kpi_result(kpis=["revenue"], date_from="2025-01-01")
        activity = lp.kpi_result(kpis=["revenue"], view="activity", date_from="2024-12-15")
        counts = lp.kpi_result(kpis=["customers", "leads"])  # no revenue read: no note
    assert every.rows[0]["revenue"] == 300 and every.rows[0]["customers"] == len(customers)
    (said,) = [w for w in every.warnings if w.code == "customers_without_won_deal"]
    assert said.startswith(f"{len(customers) - 3} of {len(customers)} customers have no won")
    (said,) = [w for w in cohort.warnings if w.code == "customers_without_won_deal"]
    assert said.startswith(f"{len(january) - 1} of {len(january)} customers")
    assert not [w for w in counts.warnings if w.code == "customers_without_won_deal"]
    # the activity view: customers of the range by their customer date (December on)
    late = {k for k, d in customers.items() if d >= "2024-11-15"}  # +1 month: December on
    (said,) = [w for w in activity.warnings if w.code == "customers_without_won_deal"]
    assert said.startswith(f"{len(late) - 1} of {len(late)} customers")
    from leadpilot.i18n import message_in

    assert message_in(said, "fr").startswith(f"{len(late) - 1} client(s) sur {len(late)} n'ont")
