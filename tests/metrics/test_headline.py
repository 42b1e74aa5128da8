"""Headline KPIs: the source articles' worked examples, on DuckDB and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import build

import leadpilot
from leadpilot.errors import UsageError
from leadpilot.metrics.compute import wilson


def rows_by(result, key):
    return {r[key]: r for r in result.rows}


def test_funnel_500_180_70(make_workspace, tmp_path):
    src = build(tmp_path / "s", [{"channel": "paid_search", "n": 500, "mql": 180, "sql": 70}])
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        r = lp.kpi_result(kpis=["leads", "mqls", "sqls", "lead_to_mql"]).rows[0]
    assert (r["leads"], r["mqls"], r["sqls"]) == (500, 180, 70)
    assert r["lead_to_mql"] == pytest.approx(0.36)
    assert (r["lead_to_mql_numerator"], r["lead_to_mql_denominator"]) == (180, 500)
    assert r["lead_to_mql_low"] < 0.36 < r["lead_to_mql_high"]


def test_scenario_volume_vs_value(make_workspace, tmp_path):
    """A: 1,000 leads, 30 sales x 5,000 = 150,000; B: 300 leads, 45 sales x 8,000 = 360,000."""
    src = build(
        tmp_path / "s",
        [
            {"channel": "a", "n": 1000, "customers": 30, "basket": 5000},
            {"channel": "b", "n": 300, "customers": 45, "basket": 8000},
        ],
    )
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        rows = rows_by(lp.kpi_result(by=["channel"]), "channel")
    assert rows["a"]["revenue"] == 150_000 and rows["b"]["revenue"] == 360_000
    assert rows["a"]["lead_to_customer"] == pytest.approx(0.03)
    assert rows["b"]["lead_to_customer"] == pytest.approx(0.15)


def test_cheap_cpl_campaign_costs_more_per_sale(make_workspace, tmp_path):
    """Campaign A: CPL 20, 500 leads, 15 sales; B: CPL 80, 150 leads, 25 sales."""
    src = build(
        tmp_path / "s",
        [
            {"channel": "paid_social", "campaign": "A", "n": 500, "customers": 15, "spend": 10_000},
            {"channel": "paid_social", "campaign": "B", "n": 150, "customers": 25, "spend": 12_000},
        ],
    )
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        rows = rows_by(lp.kpi_result(by=["campaign"]), "campaign")
    assert rows["A"]["cpl"] == 20 and rows["B"]["cpl"] == 80
    cost_per_sale = {c: rows[c]["spend"] / rows[c]["customers"] for c in "AB"}
    assert round(cost_per_sale["A"]) == 667 and round(cost_per_sale["B"]) == 480


def test_inbound_vs_outbound_sqls(make_workspace, tmp_path):
    src = build(
        tmp_path / "s",
        [
            {"channel": "inbound", "n": 800, "mql": 300, "sql": 120},
            {"channel": "outbound", "n": 200, "mql": 150, "sql": 90},
        ],
    )
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        rows = rows_by(lp.kpi_result(by=["channel"], kpis=["leads", "sqls"]), "channel")
    assert (rows["inbound"]["leads"], rows["inbound"]["sqls"]) == (800, 120)
    assert (rows["outbound"]["leads"], rows["outbound"]["sqls"]) == (200, 90)


def test_volume_doubles_sales_fall(make_workspace, tmp_path):
    """400 -> 800 leads while closing falls 15 % -> 6 %: sales 60 -> 48."""
    src = build(
        tmp_path / "s",
        [
            {"channel": "x", "n": 400, "customers": 60, "month": "2025-01"},
            {"channel": "x", "n": 800, "customers": 48, "month": "2025-04"},
        ],
    )
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        rows = rows_by(lp.kpi_result(period="quarter"), "period")
    assert rows["2025-Q1"]["leads"] == 400 and rows["2025-Q2"]["leads"] == 800
    assert rows["2025-Q1"]["customers"] == 60 and rows["2025-Q2"]["customers"] == 48
    assert rows["2025-Q1"]["lead_to_customer"] == pytest.approx(0.15)
    assert rows["2025-Q2"]["lead_to_customer"] == pytest.approx(0.06)


def test_spend_without_leads_and_leads_without_spend_both_show(make_workspace, tmp_path):
    src = build(
        tmp_path / "s",
        [
            {"channel": "organic_search", "n": 10},
            {"channel": "paid_social", "n": 0, "spend": 500},
        ],
    )
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        result = lp.kpi_result(by=["channel"])
    rows = rows_by(result, "channel")
    # no spend row for organic_search: its spend and cost are unknown (null), not 0
    assert rows["organic_search"]["spend"] is None and rows["organic_search"]["cpl"] is None
    assert rows["paid_social"]["leads"] == 0 and rows["paid_social"]["spend"] == 500
    assert rows["paid_social"]["cpl"] is None and rows["paid_social"]["lead_to_customer"] is None
    assert any("division by zero" in w for w in result.warnings)
    assert any("no spend recorded for 1 group(s) (channel=organic_search)" in w
               for w in result.warnings)  # fmt: skip


def test_json_contract(make_workspace, tmp_path):
    src = build(tmp_path / "s", [{"channel": "x", "n": 20, "customers": 2, "spend": 100}])
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        doc = lp.kpi_result(by=["channel"], period="month").to_json()
    assert set(doc) == {"rows", "meta"}
    assert doc["meta"]["view"] == "cohort"
    assert set(doc["meta"]["definitions"]) >= {"leads", "cpl", "lead_to_customer"}
    row = doc["rows"][0]
    assert row["period"] == "2025-01" and row["channel"] == "x"
    assert row["lead_to_customer"] == pytest.approx(0.1)


def test_unknown_kpi_and_dimension_are_usage_errors(make_workspace, tmp_path):
    src = build(tmp_path / "s", [{"channel": "x", "n": 1}])
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        with pytest.raises(UsageError, match="did you mean 'leads'"):
            lp.kpi_result(kpis=["lead"])
        with pytest.raises(UsageError, match="unknown dimension"):
            lp.kpi_result(by=["colour"])


@pytest.mark.parametrize("k,n", [(0, 10), (3, 10), (10, 10), (1, 1), (500, 1000)])
def test_wilson_contains_the_rate(k, n):
    low, high = wilson(k, n)
    assert 0 <= low <= k / n <= high <= 1


def test_funnel_chain_1000_350_140_80_32(make_workspace, tmp_path):
    src = build(
        tmp_path / "s",
        [
            {
                "channel": "x",
                "n": 1000,
                "mql": 350,
                "sal": 350,
                "sql": 140,
                "opportunity": 80,
                "customers": 32,
            }
        ],
    )
    names = [
        "leads",
        "mqls",
        "sqls",
        "opportunities",
        "customers",
        "lead_to_mql",
        "mql_to_sql",
        "sql_to_opportunity",
        "opportunity_to_customer",
        "lead_to_customer",
    ]
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        r = lp.kpi_result(kpis=names).rows[0]
    assert [r[k] for k in names[:5]] == [1000, 350, 140, 80, 32]
    assert r["lead_to_mql"] == pytest.approx(0.35)
    assert r["mql_to_sql"] == pytest.approx(0.40)
    assert r["sql_to_opportunity"] == pytest.approx(80 / 140)
    assert r["opportunity_to_customer"] == pytest.approx(0.40)
    assert (r["opportunity_to_customer_numerator"], r["opportunity_to_customer_denominator"]) == (
        32,
        80,
    )
    assert r["lead_to_customer"] == pytest.approx(0.032)


def test_acceptance_rate_200_transmitted_120_accepted(make_workspace, tmp_path):
    src = build(tmp_path / "s", [{"channel": "x", "n": 500, "mql": 200, "sal": 120}])
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        r = lp.kpi_result(kpis=["mqls", "sals", "mql_to_sal"]).rows[0]
    assert (r["mqls"], r["sals"]) == (200, 120)
    assert r["mql_to_sal"] == pytest.approx(0.60)


def test_cost_kpis(make_workspace, tmp_path):
    """Campaign A: 10,000 spend, 500 leads, 15 sales x 1,000: CAC 667, ROAS 1.5, ROI 0.5."""
    src = build(
        tmp_path / "s",
        [
            {
                "channel": "paid_social",
                "campaign": "A",
                "n": 500,
                "mql": 100,
                "sql": 50,
                "opportunity": 30,
                "customers": 15,
                "spend": 10_000,
                "basket": 1000,
            }
        ],
    )
    names = [
        "cpl",
        "cost_per_mql",
        "cost_per_sql",
        "cost_per_opportunity",
        "cac",
        "avg_deal_size",
        "roas",
        "roi",
    ]
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        r = lp.kpi_result(kpis=names, by=["campaign"]).rows[0]
    assert r["cpl"] == 20 and r["cost_per_mql"] == 100 and r["cost_per_sql"] == 200
    assert r["cost_per_opportunity"] == pytest.approx(333.33)
    assert r["cac"] == pytest.approx(666.67)
    assert r["avg_deal_size"] == 1000
    assert r["roas"] == pytest.approx(1.5) and r["roi"] == pytest.approx(0.5)


def test_all_kpis_by_channel_and_month(make_workspace, tmp_path):
    src = build(
        tmp_path / "s",
        [
            {"channel": "a", "n": 40, "mql": 20, "sql": 10, "customers": 4, "spend": 400},
            {"channel": "b", "n": 10, "mql": 5, "month": "2025-02"},
        ],
    )
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        result = lp.kpi_result(kpis=["all"], by=["channel"], period="month")
    for row in result.rows:
        for k in result.kpis:
            if k.kind == "rate" and row[k.name] is not None:
                assert 0 <= row[f"{k.name}_low"] <= row[k.name] <= row[f"{k.name}_high"] <= 1
    assert {k.name for k in result.kpis} == set(result.to_json()["meta"]["definitions"])


def test_activity_view_counts_events_at_their_date(make_workspace, tmp_path):
    """Leads created in January reach MQL in January and SQL / customer later."""
    src = tmp_path / "a"
    src.mkdir()
    (src / "leads.csv").write_text(
        "lead_id,created_at,channel\nA,2025-01-05,x\nB,2025-01-20,x\nC,2025-02-03,x\n"
    )
    (src / "stage_events.csv").write_text(
        "lead_id,stage,ts\nA,mql,2025-01-10\nB,mql,2025-02-02\nA,sql,2025-02-15\nC,mql,2025-02-04\n"
    )
    (src / "deals.csv").write_text(
        "deal_id,lead_id,created_at,status,closed_at,amount\n"
        "D1,A,2025-02-20,won,2025-03-05,900\nD2,B,2025-02-21,lost,2025-02-28,0\n"
    )
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        names = ["leads", "mqls", "sqls", "customers", "revenue", "opportunity_to_customer"]
        act = rows_by(lp.kpi_result(view="activity", period="month", kpis=names), "period")
        coh = rows_by(lp.kpi_result(view="cohort", period="month", kpis=names), "period")
        doc = lp.kpi_result(view="activity", period="month", kpis=names).to_json()
    assert [act[p]["leads"] for p in ("2025-01", "2025-02", "2025-03")] == [2, 1, 0]
    assert [act[p]["mqls"] for p in ("2025-01", "2025-02", "2025-03")] == [1, 2, 0]
    # February SQLs: A's own (2025-02-15) and B's, implied by its lost deal (2025-02-21).
    assert act["2025-02"]["sqls"] == 2 and act["2025-03"]["customers"] == 1
    assert act["2025-03"]["revenue"] == 900 and act["2025-02"]["revenue"] == 0
    assert act["2025-02"]["opportunity_to_customer_denominator"] == 1  # B lost in February
    assert coh["2025-01"]["customers"] == 1 and coh["2025-01"]["revenue"] == 900
    assert "2025-03" not in coh
    assert doc["meta"]["view"] == "activity" and "activity view" in doc["meta"]["view_rule"]


def test_young_cohorts_are_flagged_immature(make_workspace, tmp_path):
    """Customers close ~60 days after creation; the last month's cohort is too young."""
    src = tmp_path / "m"
    src.mkdir()
    leads, deals = ["lead_id,created_at"], ["deal_id,lead_id,created_at,status,closed_at,amount"]
    for i, month in enumerate(["2025-01", "2025-02", "2025-03", "2025-04"]):
        for j in range(5):
            lid = f"L{i}{j}"
            leads.append(f"{lid},{month}-01")
            if j == 0 and month < "2025-04":
                m2 = int(month[-2:]) + 2
                deals.append(f"D{lid},{lid},{month}-10,won,2025-{m2:02d}-01,100")
    (src / "leads.csv").write_text("\n".join(leads) + "\n")
    (src / "deals.csv").write_text("\n".join(deals) + "\n")
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        result = lp.kpi_result(period="month")
    rows = rows_by(result, "period")
    assert result.maturity["expected_delay_days"] in (59, 60, 61)
    assert rows["2025-01"]["immature"] is False
    # as of the latest event (the last won deal, 2025-05-01), one day after April's end
    assert result.maturity["as_of"] == "2025-05-01" == result.to_json()["meta"]["as_of"]
    assert rows["2025-04"]["immature"] is True and rows["2025-04"]["cohort_age_days"] == 1
    assert any("immature cohorts" in w and "2025-04" in w for w in result.warnings)


def test_pipeline_value_open_at_period_end(make_workspace, tmp_path):
    src = tmp_path / "p"
    src.mkdir()
    (src / "leads.csv").write_text("lead_id,created_at\nA,2025-01-01\nB,2025-01-01\nC,2025-02-01\n")
    (src / "deals.csv").write_text(
        "deal_id,lead_id,created_at,status,closed_at,amount\n"
        "DA,A,2025-01-10,won,2025-02-15,100\n"  # open at end of Jan, closed in Feb
        "DB,B,2025-01-20,open,,50\n"  # open ever since
        "DC,C,2025-02-10,lost,2025-03-05,30\n"  # open at end of Feb
    )
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        act = rows_by(
            lp.kpi_result(
                view="activity", period="month", kpis=["pipeline_value"], date_to=date(2025, 3, 31)
            ),
            "period",
        )
        coh = lp.kpi_result(kpis=["pipeline_value"]).rows[0]
    assert act["2025-01"]["pipeline_value"] == 150
    assert act["2025-02"]["pipeline_value"] == 80
    assert act["2025-03"]["pipeline_value"] == 50
    assert coh["pipeline_value"] == 50


def test_pipeline_value_over_centuries_holds_the_datas_days_only(make_workspace, tmp_path):
    """The open pipeline is a snapshot at each period's end: before the first deal nothing
    is open, after the data's last event nothing is recorded. A range or an as-of date
    centuries away by day (the service accepts 1900 to 9998) answers the data's days, not
    millions of rows."""
    src = tmp_path / "p"
    src.mkdir()
    (src / "leads.csv").write_text("lead_id,created_at\nA,2025-01-01\nB,2025-01-05\n")
    (src / "deals.csv").write_text(
        "deal_id,lead_id,created_at,status,closed_at,amount\n"
        "DA,A,2025-01-10,won,2025-01-20,100\n"
        "DB,B,2025-01-12,open,,50\n"
    )
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        ask = {"view": "activity", "period": "day", "kpis": ["pipeline_value"]}
        wide = lp.kpi_result(**ask, date_from=date(1900, 1, 1), date_to=date(2031, 12, 31))
        plain = lp.kpi_result(**ask)
        # as of a day centuries later: nothing happened after the data's last event
        late = lp.kpi_result(**ask, as_of=date(2400, 1, 1))
    days = rows_by(wide, "period")
    # the days leads were created, and each day from the first deal's creation to the
    # as-of date (2025-01-20, the last event) with a deal open at its end
    deal_days = [f"2025-01-{d:02d}" for d in range(10, 21)]
    assert sorted(days) == ["2025-01-01", "2025-01-05", *deal_days]
    assert days["2025-01-05"]["pipeline_value"] == 0
    assert days["2025-01-11"]["pipeline_value"] == 100
    assert days["2025-01-15"]["pipeline_value"] == 150
    assert days["2025-01-20"]["pipeline_value"] == 50
    assert wide.rows == plain.rows == late.rows


def test_open_deals_without_an_amount_make_the_pipeline_unknown_not_zero(
    make_workspace, tmp_path
):
    """A CRM exporting open opportunities without their amount (Maven's "Engaging" deals)
    has an unknown open pipeline, not $0: null where no open deal has an amount, said
    where some lack one — as revenue does for won deals without an amount."""
    src = tmp_path / "p"
    src.mkdir()
    (src / "leads.csv").write_text(
        "lead_id,created_at,channel\nA,2025-01-01,email\nB,2025-01-01,email\n"
        "C,2025-01-01,seo\n"
    )
    (src / "deals.csv").write_text(
        "deal_id,lead_id,created_at,status,closed_at,amount\n"
        "DB,B,2025-01-03,open,,\n"  # open since January, no amount
        "DC,C,2025-01-04,open,,\n"
        "DA,A,2025-02-10,open,,100\n"
    )
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        coh = lp.kpi_result(by="channel", kpis=["pipeline_value"])
        act = lp.kpi_result(view="activity", period="month", kpis=["pipeline_value"])
    by_channel = rows_by(coh, "channel")
    assert by_channel["email"]["pipeline_value"] == 100  # A's; B's deal has no amount
    assert by_channel["seo"]["pipeline_value"] is None  # C's only deal has none: unknown
    (note,) = [w for w in coh.warnings if w.code == "unvalued_pipeline"]
    assert note.startswith("2 of 3 open deals have no amount: pipeline_value counts them")
    assert "(null, –, in 1 group(s) where none has one)" in note and "averages" not in note
    months = rows_by(act, "period")
    assert months["2025-01"]["pipeline_value"] is None  # DB and DC open, neither priced
    assert months["2025-02"]["pipeline_value"] == 100
    assert any(w.code == "unvalued_pipeline" for w in act.warnings)


def test_kpis_and_diagnose_judge_young_cohorts_by_one_delay(make_workspace, tmp_path):
    """Customers dated before their lead's creation are left out of the typical delay by
    kpis (as velocity leaves out negative durations): diagnose must use the same delay,
    else six such customers make it negative and a young quarter looks mature."""
    src = tmp_path / "d"
    src.mkdir()
    leads, deals = ["lead_id,created_at"], ["deal_id,lead_id,created_at,status,closed_at,amount"]
    for j in range(5):  # five customers 59 days after their creation
        leads.append(f"J{j},2025-01-01")
        deals.append(f"DJ{j},J{j},2025-01-10,won,2025-03-01,100")
    for j in range(6):  # six dated a month before it (a CRM import overwriting dates)
        leads.append(f"N{j},2025-06-01")
        deals.append(f"DN{j},N{j},2025-04-20,won,2025-05-01,100")
    leads += ["A,2025-02-01", "B,2025-06-20"]
    (src / "leads.csv").write_text("\n".join(leads) + "\n")
    (src / "deals.csv").write_text("\n".join(deals) + "\n")
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        kpis = lp.kpi_result(period="quarter")
        diagnosis = lp.diagnosis(current="2025-Q2", previous="2025-Q1")
    assert kpis.maturity["expected_delay_days"] == 59
    assert rows_by(kpis, "period")["2025-Q2"]["immature"] is True
    young = [f for f in diagnosis.meta["findings"] if f["code"] == "immature_cohort"]
    assert young, diagnosis.meta["findings"]
    assert young[0]["evidence"]["delay"] == 59, young
