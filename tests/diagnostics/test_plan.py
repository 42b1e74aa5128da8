"""Planning: the reverse funnel fed back through the rates, and the budget what-if."""

from __future__ import annotations

import math
import re

import pytest
from helpers import build, write_config

import leadpilot
from leadpilot.diagnostics.plan import budget_what_if, reverse_funnel
from leadpilot.errors import UsageError
from leadpilot.i18n import message_in


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    base = tmp_path_factory.mktemp("plan")
    groups = []
    for month in ("2024-01", "2024-04", "2024-07", "2024-10"):
        groups += [
            {"channel": "paid_social", "n": 400, "mql": 160, "sql": 60, "opportunity": 30,
             "customers": 10, "basket": 4000, "spend": 8000, "month": month},
            {"channel": "outbound", "n": 100, "mql": 80, "sql": 50, "opportunity": 30,
             "customers": 15, "basket": 6000, "spend": 6000, "month": month},
        ]  # fmt: skip
    groups.append({"channel": "email", "n": 1, "month": "2025-06"})  # the data's end
    folder = build(base / "data", groups)
    ws = base / "ws"
    write_config(ws)
    with leadpilot.open(ws) as lp:
        lp.ingest(folder)
    return ws


def test_reverse_funnel_fed_back_through_the_rates_reaches_the_target(ws):
    with leadpilot.open(ws) as lp:
        plan = reverse_funnel(lp.tables(), lp.config, 300_000)
    rows = {r["channel"]: r for r in plan.rows}
    assert set(rows) == {"paid_social", "outbound"}
    for r in plan.rows:
        # the lead target, through the observed rates and deal size, gives the revenue
        customers = r["leads_needed"]
        for rate in ("lead_to_mql", "mql_to_sql", "sql_to_opportunity",
                     "opportunity_to_customer"):  # fmt: skip
            customers *= r[rate]
        assert customers * r["deal_size"] >= r["revenue"] * (1 - 1e-9)
        assert r["budget"] == pytest.approx(r["leads_needed"] * r["cpl"])
    # current mix = the revenue shares: outbound 60 customers x 6000 vs 40 x 4000
    assert rows["outbound"]["revenue_share"] == pytest.approx(360 / 520)
    assert rows["paid_social"]["cpl"] == pytest.approx(20.0)
    s = plan.sensitivity
    assert s["leads_needed_low"] <= s["leads_needed"] <= s["leads_needed_high"]


def test_mix_is_given_or_refused(ws):
    with leadpilot.open(ws) as lp:
        plan = reverse_funnel(lp.tables(), lp.config, 100_000, mix="paid_social=0.5,outbound=0.5")
        assert [r["revenue"] for r in plan.rows] == [50_000, 50_000]
        with pytest.raises(UsageError, match="add up to 0.9"):
            reverse_funnel(lp.tables(), lp.config, 1, mix="paid_social=0.5,outbound=0.4")
        with pytest.raises(UsageError, match="tiktok"):
            reverse_funnel(lp.tables(), lp.config, 1, mix="tiktok=1")


def test_budget_what_if_moves_customers_and_flags_extrapolation(ws):
    with leadpilot.open(ws) as lp:
        w = budget_what_if(lp.tables(), lp.config, 14_000,
                           shift="paid_social=-4000,outbound=+4000")  # fmt: skip
    rows = {r["channel"]: r for r in w.rows}
    ps, ob = rows["paid_social"], rows["outbound"]
    # the quarter's budget spread like the observed spend: 8000 / 6000
    assert ps["spend_before"] == pytest.approx(8000) and ob["spend_before"] == pytest.approx(6000)
    assert ps["leads_before"] == pytest.approx(400) and ob["leads_after"] == pytest.approx(166.67,
                                                                                       rel=1e-3)
    assert ob["customers_after"] == pytest.approx(166.67 * 0.15, rel=1e-3)
    assert w.totals["revenue_after"] > w.totals["revenue_before"]
    assert ob["extrapolated"] and ps["extrapolated"] is False
    assert any("outbound" in x and "outside the spend observed" in x for x in w.warnings)


def test_won_deals_without_an_amount_leave_the_deal_size_as_the_kpi_does(tmp_path):
    """Ten customers, five won deals of 1,000 and five without an amount (a HubSpot export
    leaves Amount empty): the deal size is 1,000 (the avg_deal_size KPI), not 500 — which
    doubled the customers, and every stage above, needed for a target."""
    src = tmp_path / "src"
    src.mkdir()
    leads = ["lead_id,created_at,channel"]
    deals = ["deal_id,lead_id,created_at,status,closed_at,amount"]
    for i in range(40):
        leads.append(f"L{i},2024-{1 + i % 10:02d}-05,email")
        if i < 10:
            month, amount = f"2024-{1 + i % 10:02d}", "1000" if i % 2 else ""
            deals.append(f"D{i},L{i},{month}-10,won,{month}-20,{amount}")
    leads.append("LZ,2025-06-30,email")  # the data's end
    (src / "leads.csv").write_text("\n".join(leads) + "\n")
    (src / "deals.csv").write_text("\n".join(deals) + "\n")
    ws = tmp_path / "ws"
    write_config(ws)
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
        plan = lp.plan(target_revenue=10_000)
        (kpi,) = lp.kpi_result(kpis=["avg_deal_size"]).rows
    (row,) = plan.rows
    assert kpi["avg_deal_size"] == 1000 == row["deal_size"]
    assert row["customers_needed"] == 10
    # said as kpis say it (over the reference window's won deals)
    assert any(w.code == "unvalued" and "won deals have no amount" in w for w in plan.warnings)
    assert "won deals with an amount" in plan.to_json()["meta"]["definitions"]["deal_size"]


def test_the_win_rate_is_the_kpi_of_that_name_open_deals_left_out(tmp_path):
    """Ten opportunities: 4 won, 2 lost, 4 still open. The plan's win rate (column
    opportunity_to_customer) is the KPI's 4 / 6, not customers / opportunities = 4 / 10,
    which counted the open deals as lost and asked for more opportunities (and leads)."""
    src = tmp_path / "src"
    src.mkdir()
    leads = ["lead_id,created_at,channel"]
    deals = ["deal_id,lead_id,created_at,status,closed_at,amount"]
    status = ["won"] * 4 + ["lost"] * 2 + ["open"] * 4
    for i in range(20):
        month = f"2024-{7 + i % 6:02d}"
        leads.append(f"L{i},{month}-05,email")
        if i < 10:
            closed = f"{month}-20" if status[i] != "open" else ""
            deals.append(f"D{i},L{i},{month}-10,{status[i]},{closed},1000")
    leads.append("LZ,2025-06-30,email")  # the data's end
    (src / "leads.csv").write_text("\n".join(leads) + "\n")
    (src / "deals.csv").write_text("\n".join(deals) + "\n")
    ws = tmp_path / "ws"
    write_config(ws)
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
        plan = lp.plan(target_revenue=10_000)
        ref = plan.meta["reference"]
        (kpi,) = lp.kpi_result(kpis=["opportunity_to_customer"], date_from=ref["from"],
                               date_to=ref["to"]).rows  # fmt: skip
    (row,) = plan.rows
    assert row["opportunity_to_customer"] == pytest.approx(4 / 6) == kpi["opportunity_to_customer"]
    assert row["customers_needed"] == 10 and row["opportunities_needed"] == 15  # ⌈10 / (4/6)⌉
    assert "won / closed deals" in plan.to_json()["meta"]["definitions"]["opportunities_needed"]


def test_the_what_if_marks_only_channels_far_from_their_spend_and_says_what_the_mark_is(cli, ws):
    """`plan --budget --shift` put ⚠ after channels with no legend, and on every channel
    when the budget itself was far from the spend observed (each channel's share then is
    as far from its own), though the notes named the shifted channels only. The mark keeps
    its rule (the channel's budget outside ±50 % of its observed spend, the `extrapolated`
    column); its legend is printed, and a budget far from the observed spend is said once.
    (The reference window holds 7,000 of spend per 3 months: 4,000 paid_social, 3,000
    outbound.)"""

    def plan(budget: str, lang: str = "en") -> str:
        code, out, err = cli("plan", "-w", str(ws), "--budget", budget, "--shift",
                             "paid_social=-2000,outbound=+2000", "--lang", lang)  # fmt: skip
        assert code == 0, err
        return out

    # the budget is the spend observed: only outbound, shifted to 5,000, is far from its own
    out = plan("7000")
    assert "outbound ⚠" in out and "paid_social ⚠" not in out
    text = " ".join(out.split())
    assert "⚠ extrapolated: the channel's budget after the shifts is outside ±50 % of its spend" \
        in text  # fmt: skip
    assert "times the spend observed" not in text
    # 3.57 times the spend observed: every channel is far from its own, and the note says why
    out = plan("25000")
    assert "outbound ⚠" in out and "paid_social ⚠" in out
    text = " ".join(out.split())
    assert "the budget (25,000 for 3 months) is 3.57 times the spend observed per 3 months in " \
        "the reference year (7,000): spread like that spend, every channel's budget" in text
    fr = " ".join(plan("25000", "fr").split())
    assert "⚠ extrapolated : le budget du canal après les transferts sort de ±50 %" in fr
    assert re.search(r"le budget \(25\s000 pour 3 mois\) vaut 3,57 fois les dépenses observées "
                     r"par 3 mois sur l'année de référence \(7\s000\)", fr), fr  # fmt: skip
    assert "outside the spend observed" not in fr and "sort de ±50 % des dépenses" in fr
    assert "leads créés pendant les douze mois" in fr  # the reference window's rule


def test_spend_per_month_is_read_over_the_months_the_window_holds_leads_in(tmp_path):
    """A deal closed long after the last lead sets the data's end: the twelve-month window
    then holds leads in seven of its months only, and the spend observed per quarter was
    read as a twelfth of its spend x 3 (every channel marked ⚠ at its own spend rate)."""
    groups = [
        {"channel": "paid_social", "n": 100, "mql": 40, "sql": 20, "opportunity": 10,
         "customers": 5, "basket": 4000, "spend": 3000, "month": f"2024-{m:02d}"}
        for m in range(1, 13)
    ]  # fmt: skip
    folder = build(tmp_path / "data", groups)
    with open(folder / "deals.csv", "a", encoding="utf-8") as fh:
        fh.write("DLATE,L1,2024-12-12,won,2025-06-20,4000\n")  # as_of: 2025-06-20
    ws = tmp_path / "ws"
    write_config(ws)
    with leadpilot.open(ws) as lp:
        lp.ingest(folder)
        w = budget_what_if(lp.tables(), lp.config, 1.0)
        held = w.reference["months"]
        assert 6.5 <= held <= 7.5, w.reference  # June to December 2024
        (spent,) = lp.kpi_result(kpis=["spend"], date_from=w.reference["from"],
                                 date_to=w.reference["to"]).rows  # fmt: skip
        at_its_rate = spent["spend"] * 3 / held  # a quarter at the spend rate observed
        w = budget_what_if(lp.tables(), lp.config, at_its_rate)
    (row,) = w.rows
    assert row["extrapolated"] is False, (row, w.reference)
    assert not any("times the spend observed" in x for x in w.warnings)


MONTHS = [f"2024-{m:02d}" for m in range(2, 13)] + ["2025-01"]


def _open_deals_ws(tmp_path):
    """Two channels over a mature year: 40 email leads, 20 with an opportunity (8 won, 2
    lost, 10 still open); 40 seo leads, 10 with one (5 won, 5 lost: none open); spend."""
    src = tmp_path / "src"
    src.mkdir()
    leads = ["lead_id,created_at,channel"]
    deals = ["deal_id,lead_id,created_at,status,closed_at,amount"]
    spend = ["date,channel,amount"]
    plans = {"email": ["won"] * 8 + ["lost"] * 2 + ["open"] * 10, "seo": ["won", "lost"] * 5}
    for channel, statuses in plans.items():
        for i in range(40):
            month = MONTHS[i % 12]
            lead = f"{channel}{i}"
            leads.append(f"{lead},{month}-20,{channel}")
            if i < len(statuses):
                closed = f"{month}-25" if statuses[i] != "open" else ""
                deals.append(f"D{lead},{lead},{month}-22,{statuses[i]},{closed},1000")
        spend += [f"{m}-20,{channel},100" for m in MONTHS]
    # the data's end: the reference window (twelve months ending one median lead ->
    # customer delay, 5 days, before it) holds every lead above
    leads.append("LZ,2025-02-14,email")
    for name, rows in (("leads", leads), ("deals", deals), ("spend", spend)):
        (src / f"{name}.csv").write_text("\n".join(rows) + "\n")
    ws = tmp_path / "ws"
    write_config(ws)
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
    return ws


def test_both_plans_read_one_lead_to_customer_rate_and_say_when_open_deals_weigh(tmp_path):
    """The reverse funnel multiplied the win rate on closed deals (open deals left out);
    the budget what-if read customers / leads (open deals as lost): for email, 0.5 x 8/10 =
    40 % against 8 / 40 = 20 %, so a budget bought half the customers the reverse funnel
    asked its leads for. Both read the product of the stage rates now, and say how much
    the opportunities still open weigh (email 8 of 20 became customers so far)."""
    ws = _open_deals_ws(tmp_path)
    with leadpilot.open(ws) as lp:
        plan = reverse_funnel(lp.tables(), lp.config, 20_000)
        what_if = budget_what_if(lp.tables(), lp.config, 600)
    rows = {r["channel"]: r for r in plan.rows}
    email = rows["email"]
    through = 1.0
    for rate in ("lead_to_mql", "mql_to_sql", "sql_to_opportunity", "opportunity_to_customer"):
        through *= email[rate]
    assert through == pytest.approx(0.5 * 0.8)
    spent = {r["channel"]: r for r in what_if.rows}["email"]
    assert spent["lead_to_customer"] == pytest.approx(through)
    assert spent["customers_before"] == pytest.approx(spent["leads_before"] * through)
    # pooled: 13 customers of 30 opportunities so far, 13 won of 20 closed
    said = [w for w in plan.warnings if w.startswith("open deals:")]
    assert said == [
        "open deals: 43.3% of the reference window's opportunities became customers so far, "
        "against a win rate of 65.0% (won / closed deals): the plan counts the opportunities "
        "still open as closing at the win rate; if they are stale, it takes "
        f"{_leads_so_far(rows)} leads instead of {plan.totals['leads_needed']}"
    ]
    (said,) = [w for w in what_if.warnings if w.startswith("open deals:")]
    assert f"instead of {what_if.totals['customers_before']:,.1f}" in said
    fr = message_in(said, "fr")
    assert fr.startswith("affaires ouvertes : 43,3\u00a0% des opportunités") and "65,0\u00a0%" in fr


def _leads_so_far(rows: dict) -> int:
    """The leads each channel needs at its conversion so far (email 8/20, seo 5/10)."""
    total = 0
    for channel, so_far in (("email", 8 / 20), ("seo", 5 / 10)):
        r = rows[channel]
        opportunities = math.ceil(r["customers_needed"] / so_far - 1e-9)
        total += math.ceil(opportunities / (r["sql_to_opportunity"] * r["mql_to_sql"]
                                            * r["lead_to_mql"]) - 1e-9)  # fmt: skip
    return total


def test_no_open_deal_note_when_every_opportunity_closed(ws):
    with leadpilot.open(ws) as lp:
        plan = reverse_funnel(lp.tables(), lp.config, 300_000)
    assert not [w for w in plan.warnings if w.startswith("open deals:")]


def test_a_plan_overshooting_its_target_in_whole_customers_says_so(ws, cli):
    """Each channel asks for whole customers: a target under one deal per channel gives a
    plan bringing several times the target, which was not said."""
    with leadpilot.open(ws) as lp:
        small = reverse_funnel(lp.tables(), lp.config, 5_000)
        large = reverse_funnel(lp.tables(), lp.config, 300_000)
    assert [r["customers_needed"] for r in small.rows] == [1, 1]
    assert small.totals["revenue_planned"] == 6000 + 4000
    (said,) = [w for w in small.warnings if w.startswith("whole customers:")]
    assert said == ("whole customers: the plan's customers bring 10,000, 2.0 times the target; "
                    "outbound, paid_social hold less than one customer of it and each asks for "
                    "a whole one: give --mix to spread the target over fewer channels")
    assert "clients entiers : les clients du plan apportent" in message_in(said, "fr")
    assert not [w for w in large.warnings if w.startswith("whole customers:")]
    assert large.totals["revenue_planned"] >= 300_000


def test_the_extrapolation_legend_only_with_a_marked_row(cli, ws):
    code, out, err = cli("plan", "-w", str(ws), "--budget", "7000")
    assert code == 0, err
    assert "⚠" not in out  # no row marked: no legend either


def test_a_shift_beyond_a_channels_budget_says_how_much_it_has(ws):
    with leadpilot.open(ws) as lp:
        with pytest.raises(UsageError) as err:
            budget_what_if(lp.tables(), lp.config, 14_000, shift="outbound=-7000,paid_social=+7000")
    said = str(err.value)
    assert said.startswith("--shift leaves a negative budget for outbound: the budget is spread "
                           "like the reference window's spend before the shifts (outbound "
                           "6,000)")  # fmt: skip
    assert message_in(said, "fr").startswith("--shift laisse un budget négatif à outbound")


def test_months_go_with_a_budget_not_with_a_revenue_target(ws, cli):
    """--months was accepted with --target-revenue and ignored (the same plan for 3 or 12
    months): the reverse funnel has no horizon, so it is refused; a budget covers 3 months
    unless told."""
    with leadpilot.open(ws) as lp:
        with pytest.raises(UsageError, match=r"^months goes with budget .*, not with "
                                             r"target_revenue"):  # fmt: skip
            lp.plan(target_revenue=100_000, months=12)
        assert lp.plan(budget=14_000).meta["months"] == 3
        assert lp.plan(budget=14_000, months="6").meta["months"] == 6
    code, _, err = cli("plan", "-w", str(ws), "--target-revenue", "100000", "--months", "12")
    assert code == 2 and "--months goes with --budget" in err, err
    code, _, err = cli("plan", "-w", str(ws), "--target-revenue", "100000", "--months", "12",
                       "--lang", "fr")  # fmt: skip
    assert code == 2 and "--months va avec --budget" in err, err


def test_a_budget_without_spend_in_its_window_says_the_window_and_the_fix(tmp_path):
    """'no spend in the reference window: a budget cannot be spread' said neither which
    window nor what to do (the Salesforce and X Education examples have no spend)."""
    from leadpilot.errors import MissingDataError

    src = tmp_path / "src"
    src.mkdir()
    leads = ["lead_id,created_at,channel"] + [f"L{i},2024-{1 + i % 10:02d}-05,email"
                                              for i in range(20)]  # fmt: skip
    deals = ["deal_id,lead_id,created_at,status,closed_at,amount"] + [
        f"D{i},L{i},2024-{1 + i % 10:02d}-10,won,2024-{1 + i % 10:02d}-20,1000" for i in range(5)
    ]
    (src / "leads.csv").write_text("\n".join(leads) + "\n")
    (src / "deals.csv").write_text("\n".join(deals) + "\n")
    ws = tmp_path / "ws"
    write_config(ws)
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
        with pytest.raises(MissingDataError) as none:
            lp.plan(budget=50_000)
        window = lp.plan(target_revenue=10_000).meta["reference"]
        # spend only long before the window: said with its dates
        (src / "spend.csv").write_text("date,channel,amount\n2020-01-01,email,500\n")
        lp.ingest(src)
        with pytest.raises(MissingDataError) as before:
            lp.plan(budget=50_000)
    said = str(none.value)
    assert f"({window['from']} to {window['to']}," in said
    assert "the workspace holds no spend; ingest the ad-spend exports" in said
    assert said.endswith("or plan from a revenue target instead (target_revenue)")
    assert "the spend loaded runs from 2020-01-01 to 2020-01-01" in str(before.value)
    french = message_in(said.replace("(target_revenue)", "(--target-revenue)"), "fr")
    assert french.startswith("aucune dépense sur la fenêtre de référence (du ")
    assert "chargez les exports de dépenses publicitaires" in french
