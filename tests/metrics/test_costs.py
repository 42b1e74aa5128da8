"""Cost KPIs where no spend is recorded, and the channel reconciliation (issue 9, #3/#6):
spend named `email` never joined leads named `email_marketing` (`cpl 0` on one row, the
spend on another, no warning)."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from typer.testing import CliRunner

import leadpilot
from leadpilot.cli import app
from leadpilot.metrics.reconcile import ReconcileWarning, closest

COSTS = ["spend", "cpl", "cost_per_mql", "cost_per_sql", "cost_per_opportunity", "cac",
         "roas", "roi"]  # fmt: skip


def write(folder, leads: str, spend: str, deals: str = ""):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "leads.csv").write_text("lead_id,created_at,channel,campaign\n" + leads)
    (folder / "spend.csv").write_text("date,channel,campaign,amount\n" + spend)
    (folder / "deals.csv").write_text(
        "deal_id,lead_id,created_at,status,closed_at,amount\n" + deals
    )
    return folder


HUBSPOT_LIKE = dict(
    leads="L1,2025-01-03,email_marketing,spring-sale\nL2,2025-01-04,email_marketing,\n"
    "L3,2025-01-05,paid_search,brand\nL4,2025-01-06,organic_search,\n",
    spend="2025-01-01,email,spring_sale,300\n2025-01-01,paid_search,brand,200\n",
    deals="D1,L1,2025-01-10,won,2025-01-20,1000\nD3,L3,2025-01-10,won,2025-01-21,400\n",
)


@pytest.fixture
def hubspot_ws(shared_workspaces, backend_kind):
    """The HubSpot-like workspace, shared by the module's tests (they only read it)."""

    def ingest(path):
        with leadpilot.open(path) as lp:
            lp.ingest(write(path.parent / f"{path.name}-src", **HUBSPOT_LIKE))

    return shared_workspaces.get(backend_kind, "hubspot", ingest)


def test_spend_of_zero_is_zero_and_no_spend_row_is_null(make_workspace, tmp_path):
    src = write(
        tmp_path / "src",
        leads="A1,2025-01-03,a,\nA2,2025-01-04,a,\nB1,2025-01-05,b,\n",
        spend="2025-01-01,a,,0\n",  # a: a recorded spend of 0; b: no spend row at all
        deals="DB,B1,2025-01-06,won,2025-01-09,700\n",
    )
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        result = lp.kpi_result(by=["channel"], kpis=["all"])
        activity = lp.kpi_result(by=["channel"], view="activity", kpis=["spend", "cpl"])
        total = lp.kpi_result(kpis=COSTS).rows[0]
    rows = {r["channel"]: r for r in result.rows}
    assert rows["a"]["spend"] == 0 and rows["a"]["cpl"] == 0 and rows["a"]["cost_per_mql"] is None
    for k in COSTS:
        assert rows["b"][k] is None, k  # was 0 (cpl 0, cac 0) before
    assert rows["b"]["revenue"] == 700
    assert {r["channel"]: r["spend"] for r in activity.rows} == {"a": 0, "b": None}
    notes = [w for w in result.warnings if w.startswith("no spend recorded")]
    assert len(notes) == 1 and "1 group(s) (channel=b)" in notes[0] and "cac" in notes[0]
    assert "not 0" in notes[0]
    assert total["spend"] == 0 and total["roas"] is None  # spend 0: no ratio to spend


def test_kpis_warn_when_spend_and_leads_name_channels_differently(hubspot_ws):
    with leadpilot.open(hubspot_ws) as lp:
        result = lp.kpi_result(by=["channel"])
        campaign = lp.kpi_result(by=["campaign"])
        unsplit = lp.kpi_result()
        no_cost = lp.kpi_result(by=["channel"], kpis=["leads", "customers"])
    rows = {r["channel"]: r for r in result.rows}
    assert rows["email"]["leads"] == 0 and rows["email"]["spend"] == 300
    assert rows["email_marketing"]["leads"] == 2 and rows["email_marketing"]["cpl"] is None
    spend_side = [w for w in result.warnings if w.startswith("spend names channel 'email'")]
    assert len(spend_side) == 1 and "did you mean 'email_marketing'?" in spend_side[0]
    lead_side = [w for w in result.warnings if "of channel 'email_marketing'" in w]
    assert len(lead_side) == 1 and "did you mean 'email'?" in lead_side[0]
    assert any("channel 'organic_search' but no spend names it" in w for w in result.warnings)
    assert not any("spend names channel 'paid_search'" in w for w in result.warnings)
    assert any(
        "spend names campaign 'spring_sale'" in w and "did you mean 'spring-sale'?" in w
        for w in campaign.warnings
    )
    # not split by channel or campaign: the totals are right, nothing to reconcile
    assert not any("did you mean" in w for w in unsplit.warnings)
    assert not any("did you mean" in w for w in no_cost.warnings)  # no cost KPI involved
    assert result.to_json()["meta"]["warnings"] == result.warnings


def test_reconcile_on_pilot_is_typed(hubspot_ws):
    with leadpilot.open(hubspot_ws) as lp:
        found = lp.reconcile()
        leads = lp.table("leads")
        spend = lp.table("spend")
    assert all(isinstance(w, ReconcileWarning) for w in found)
    got = {(w.code, w.dimension, w.value): w for w in found}
    # an independent pandas check of which names match
    for dim in ("channel", "campaign"):
        lead_names, spend_names = set(leads[dim].dropna()), set(spend[dim].dropna())
        for v in spend_names - lead_names:
            assert ("spend_without_match", dim, v) in got
        for v in spend_names & lead_names:
            assert ("spend_without_match", dim, v) not in got
    for v in set(leads.channel) - set(spend.channel):
        assert got[("no_spend", "channel", v)].count == int((leads.channel == v).sum())
    w = got[("spend_without_match", "channel", "email")]
    assert w.amount == 300 and w.count == 1 and w.suggestions == ("email_marketing",)
    assert json.loads(json.dumps(w.as_dict()))["suggestions"] == ["email_marketing"]
    assert str(w) == w.message and w.message.endswith("did you mean 'email_marketing'?")
    assert not any(w.code == "no_spend" and w.dimension == "campaign" for w in found)


def test_no_spend_loaded_means_nothing_to_reconcile(make_workspace, tmp_path):
    src = tmp_path / "s"
    src.mkdir()
    (src / "leads.csv").write_text("lead_id,created_at,channel\nA,2025-01-01,email\n")
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        assert lp.reconcile() == []
        result = lp.kpi_result(by=["channel"])
    assert result.rows[0]["cpl"] is None
    assert "no spend loaded: spend and cost KPIs are null" in result.warnings


def test_spend_without_campaigns_is_not_said_to_be_split_by_campaign(make_workspace, tmp_path):
    """A spend sheet by channel only, leads without a campaign: nothing to reconcile by
    campaign (it said "spend is split by campaign (0 values, 0.00) but no lead has a
    campaign"); a spend split by campaign that no lead has is still said."""
    src = tmp_path / "s"
    src.mkdir()
    (src / "leads.csv").write_text("lead_id,created_at,channel\nA,2025-01-01,email\n")
    (src / "spend.csv").write_text("date,channel,amount\n2025-01-01,email,50\n")
    with leadpilot.open(make_workspace()) as lp:
        summary = lp.ingest(src)
        assert lp.reconcile() == []
        assert not any("split by campaign" in str(w) for w in summary.warnings)
        (src / "spend.csv").write_text("date,channel,campaign,amount\n2025-01-01,email,x,50\n")
        lp.ingest(src)
        found = lp.reconcile()
    assert [(w.code, w.dimension, w.count) for w in found] == [("dimension_absent", "campaign", 1)]


@pytest.mark.parametrize(
    ("name", "candidates", "want"),
    [
        ("email", ["email_marketing", "paid_search"], ["email_marketing"]),
        ("Paid Search", ["organic_search", "paid_search"], ["paid_search"]),
        ("paid_socail", ["paid_social", "email"], ["paid_social"]),
        ("webinars", ["email", "paid_search"], []),
    ],
)
def test_closest_names(name, candidates, want):
    assert closest(name, candidates)[: len(want) or None] == want


@pytest.mark.parametrize("backend_kind", ["duckdb"], indirect=True)
def test_cli_json_meta_and_table_notes(hubspot_ws):
    runner = CliRunner()
    r = runner.invoke(app, ["kpis", "-w", str(hubspot_ws), "--by", "channel", "-f", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    rows = {x["channel"]: x for x in doc["rows"]}
    assert rows["email_marketing"]["spend"] is None and rows["email_marketing"]["cpl"] is None
    assert any("did you mean 'email_marketing'?" in w for w in doc["meta"]["warnings"])
    r = runner.invoke(app, ["kpis", "-w", str(hubspot_ws), "--by", "channel"],
                      env={"COLUMNS": "200"})  # fmt: skip
    assert "did you mean 'email_marketing'?" in r.stdout
    line = next(x for x in r.stdout.splitlines() if x.startswith("│ email_marketing"))
    assert "–" in line  # cpl shown as a dash, not 0


def test_attribution_costs_null_without_spend_and_reconciled(make_workspace, tmp_path):
    src = write(
        tmp_path / "j",
        leads="A,2025-01-10,paid_search,\nB,2025-01-12,paid_social,\n",
        # the spend export calls paid_social 'social_paid': no touch has that name
        spend="2025-01-01,paid_search,,400\n2025-01-01,social_paid,,250\n",
        deals="DA,A,2025-01-18,won,2025-01-25,1000\nDB,B,2025-01-13,won,2025-01-20,500\n",
    )
    (src / "touchpoints.csv").write_text(
        "touch_id,lead_id,ts,type,channel\n"
        "a1,A,2025-01-05,ad_click,paid_search\nb1,B,2025-01-12,form_submit,paid_social\n"
    )
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        result = lp.attribution_result(models="linear")
    rows = {r["channel"]: r for r in result.rows}
    assert rows["paid_social"]["spend"] is None and rows["paid_social"]["roi"] is None
    assert rows["paid_social"]["conversions"] == 1
    assert rows["social_paid"]["spend"] == 250 and rows["social_paid"]["conversions"] == 0
    assert rows["paid_search"]["spend"] == 400 and rows["paid_search"]["roi"] == 1.5
    assert any(
        "spend names channel 'social_paid'" in w and "no attribution touch" in w
        and "did you mean 'paid_social'?" in w
        for w in result.warnings
    )  # fmt: skip
    assert any(w.startswith("no spend recorded for 1 channel value(s) (paid_social)")
               for w in result.warnings)  # fmt: skip
    df = pd.DataFrame(result.rows)
    assert df.spend.sum() == pytest.approx(400 + 250)  # nulls left out, nothing lost


def test_spend_recorded_per_month_is_said_when_read_by_week_or_a_cut_range(
    make_workspace, tmp_path
):
    """A spend sheet written per month ('2025-01', read as the 1st): by week, January's
    whole spend fell in the week of the 1st and the other weeks read 'no spend recorded'
    with no word of why; by month it is right and nothing is said."""
    src = write(
        tmp_path / "src",
        leads="A1,2025-01-03,a,\nA2,2025-01-14,a,\nA3,2025-02-11,a,\n",
        spend="2025-01-01,a,,300\n2025-02-01,a,,100\n",
    )
    with leadpilot.open(make_workspace()) as lp:
        lp.ingest(src)
        weekly = lp.kpi_result(period="week", kpis=["spend", "cpl"])
        monthly = lp.kpi_result(period="month", kpis=["spend", "cpl"])
        cut = lp.kpi_result(kpis=["spend"], date_from=date(2025, 1, 2), date_to=date(2025, 1, 31))
    said = [w for w in weekly.warnings if w.code == "dated_per_month"]
    assert said and said[0].startswith("spend is recorded per month") and "by week" in said[0]
    assert not [w for w in monthly.warnings if w.code == "dated_per_month"]
    assert {r["period"]: r["spend"] for r in monthly.rows} == {"2025-01": 300, "2025-02": 100}
    assert any(w.code == "dated_per_month" for w in cut.warnings)


def test_many_unmatched_spend_names_say_what_they_were_compared_with():
    """Spend named by the touches but by no lead: 'nothing else names' them was false (the
    touchpoints do); the summary line says leads, or attribution touches, as compared."""
    from leadpilot.metrics.reconcile import ReconcileWarning, messages

    def unmatched(value: str, who: str) -> ReconcileWarning:
        return ReconcileWarning(
            code="spend_without_match", dimension="channel", value=value, count=1,
            amount=10.0, suggestions=(),
            message=f"spend names channel {value!r} (10.00 over 1 row(s)) but no {who} has it",
        )  # fmt: skip

    for who, effect in (("lead", "joins no lead"), ("attribution touch", "earns no credit")):
        (note,) = messages([unmatched(v, who) for v in "abcd"])
        assert f"4 channel values that no {who} names" in note and effect in note, note


def test_money_is_the_same_cents_whatever_the_order_of_the_sum():
    """Spend added in another order (a batch ingest, a file ingest) gave 12.63 or 12.64
    for one exact 12.635: cents are taken from the exact amount, half up."""
    from itertools import permutations

    from leadpilot.metrics.compute import money

    amounts = [0.1, 0.2, 10.07, 14.9]  # 25.27 in every order, as floats do not add
    sums = {sum(p) for p in permutations(amounts)}
    assert len(sums) > 1  # the engine's order shows in the float
    assert {money(s, 2) for s in sums} == {12.64}
    assert money(60.06, 4) == 15.02 and money(-5.005) == -5.01 and money(7) == 7.0
