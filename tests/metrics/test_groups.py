"""A null dimension value is one group: as many rows as distinct values (nulls included),
and the rows add up to the ungrouped total, for every kind of dimension (issue 9, #6).

Every number is checked against a plain-pandas recomputation from the generated records.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from helpers import write_config
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import leadpilot
from leadpilot.cli import app

INDUSTRIES = [None, "saas", "retail"]
CHANNELS = ["email", "paid_search", "organic"]
CAMPAIGNS = [None, "c1", "c2"]
MONTHS = ["2025-01", "2025-02", "2025-03"]
ICP = [{"column": "industry", "equals": "saas"}]

# dimension kinds: a lead attribute with nulls, channel, icp_fit, period x dimension,
# several dimensions (spend split by both, null campaigns on both sides)
KINDS = {
    "attribute": ([], "industry"),
    "channel": ([], "channel"),
    "icp_fit": ([], "icp_fit"),
    "period_attribute": (["month"], "industry"),
    "several": ([], "channel,campaign"),
    "period_campaign": (["month"], "campaign"),
}
SPEND_DIMS = {"channel", "campaign"}

lead_st = st.fixed_dictionaries(
    {
        "industry": st.sampled_from(INDUSTRIES),
        "channel": st.sampled_from(CHANNELS),
        "campaign": st.sampled_from(CAMPAIGNS),
        "month": st.sampled_from(MONTHS),
        "stage": st.sampled_from(["lead", "mql", "sql", "customer"]),
        "amount": st.integers(1, 5).map(lambda x: x * 100),
    }
)
spend_st = st.fixed_dictionaries(
    {
        "channel": st.sampled_from([*CHANNELS, "display"]),  # display: spend without leads
        "campaign": st.sampled_from(CAMPAIGNS),
        "month": st.sampled_from(MONTHS),
        "amount": st.sampled_from([0, 50, 120]),  # 0: a recorded spend of zero
    }
)


def write_source(folder, leads: list[dict], spend: list[dict]):
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["lead_id,created_at,channel,campaign,industry"]
    events, deals = ["lead_id,stage,ts"], ["deal_id,lead_id,created_at,status,closed_at,amount"]
    for i, x in enumerate(leads):
        lid = f"L{i}"
        rows.append(f"{lid},{x['month']}-03,{x['channel']},{x['campaign'] or ''},"
                    f"{x['industry'] or ''}")  # fmt: skip
        if x["stage"] in ("mql", "sql", "customer"):
            events.append(f"{lid},mql,{x['month']}-05")
        if x["stage"] in ("sql", "customer"):
            events.append(f"{lid},sql,{x['month']}-09")
        if x["stage"] == "customer":
            deals.append(f"D{i},{lid},{x['month']}-10,won,{x['month']}-25,{x['amount']}")
    sp = ["date,channel,campaign,amount"]
    sp += [f"{s['month']}-01,{s['channel']},{s['campaign'] or ''},{s['amount']}" for s in spend]
    for name, lines in (("leads", rows), ("stage_events", events), ("deals", deals),
                        ("spend", sp)):  # fmt: skip
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n")
    return folder


def expected(leads: list[dict], spend: list[dict], keys: list[str], icp: bool) -> pd.DataFrame:
    """Plain pandas: counts and sums per group, NaN group values kept as one group."""
    df = pd.DataFrame(leads)
    df["period"] = df.month
    if icp:
        df["icp_fit"] = df.industry.map(lambda v: "unknown" if pd.isna(v) else
                                        ("fit" if v == "saas" else "no_fit"))  # fmt: skip
    else:
        df["icp_fit"] = None
    df["leads"] = 1
    df["mqls"] = df.stage.isin(["mql", "sql", "customer"]).astype(int)
    df["customers"] = (df.stage == "customer").astype(int)
    df["revenue"] = df.amount.where(df.stage == "customer", 0).astype(float)
    measures = ["leads", "mqls", "customers", "revenue"]
    if not keys:
        g = df[measures].sum().to_frame().T
    else:
        g = df.groupby(keys, dropna=False)[measures].sum().reset_index()
    if spend and set(keys) - {"period"} <= SPEND_DIMS:
        s = pd.DataFrame(spend).assign(period=lambda x: x.month)
        if keys:  # merge matches NaN keys with each other, like one null group
            s = s.groupby(keys, dropna=False)["amount"].sum().reset_index()
            # an all-empty key column reads as float on one side: compare keys as objects
            g[keys], s[keys] = g[keys].astype(object), s[keys].astype(object)
            g = g.merge(s.rename(columns={"amount": "spend"}), on=keys, how="outer")
        else:
            g["spend"] = float(s.amount.sum())
        g[measures] = g[measures].fillna(0)
    return g


def key_of(row: dict, keys: list[str]) -> tuple:
    return tuple(None if pd.isna(row[k]) else row[k] for k in keys)


@pytest.mark.slow  # make test-quick leaves it out
@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    # no shrinking: each example ingests a workspace, and shrinking takes minutes
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(
    leads=st.lists(lead_st, min_size=1, max_size=25),
    # one spend row per day, channel and campaign: the spend table's key
    spend=st.lists(
        spend_st, max_size=6, unique_by=lambda s: (s["month"], s["channel"], s["campaign"])
    ),  # fmt: skip
    icp=st.booleans(),
)
def test_one_row_per_group_and_rows_add_up(tmp_path_factory, leads, spend, icp):
    """Every kind of dimension on each generated workspace (one ingest per example)."""
    base = tmp_path_factory.mktemp("g")
    src = write_source(base / "src", leads, spend)
    ws = write_config(base / "ws", **({"icp": ICP} if icp else {})).parent
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
        total = lp.kpi_result(kpis=["leads", "mqls", "customers", "revenue", "spend"]).rows[0]
        for kind, (period, by) in KINDS.items():
            dims = by.split(",")
            results = {
                f"{kind} {name}": lp.kpi_result(
                    by=dims, period=period[0] if period else "all", kpis=kpis
                )
                for name, kpis in (("headline", None), ("all", ["all"]))
            }
            keys = (["period"] if period else []) + dims
            check_groups(results, expected(leads, spend, keys, icp), keys, total)
    assert total["leads"] == len(leads)


def check_groups(results: dict, want: pd.DataFrame, keys: list[str], total: dict) -> None:
    """One row per expected group, each with the pandas figures; rows add up to ``total``."""
    want_rows = {key_of(r, keys): r for r in want.to_dict("records")}
    assert len(want_rows) == len(want)
    for kpis, result in results.items():
        got = {tuple(r[k] for k in keys): r for r in result.rows}
        assert len(got) == len(result.rows), f"{kpis}: a group appears twice"
        assert set(got) == set(want_rows), kpis
        for key, r in got.items():
            w = want_rows[key]
            counts = ("leads", "mqls", "customers")
            assert [r[c] for c in counts] == [w[c] for c in counts], (kpis, key)
            assert r["revenue"] == pytest.approx(w["revenue"]), (kpis, key)
            if "spend" in w:  # a group without a spend row: null, not 0
                assert (r["spend"] is None) == pd.isna(w["spend"]), (kpis, key)
                if r["spend"] is not None:
                    assert r["spend"] == pytest.approx(w["spend"]), (kpis, key)
        for m in ("leads", "mqls", "customers", "revenue"):
            assert sum(r[m] for r in result.rows) == pytest.approx(total[m]), (kpis, m)
        if "spend" in want:
            assert sum(r["spend"] or 0 for r in result.rows) == pytest.approx(total["spend"])


@pytest.fixture
def industry_ws(shared_workspaces, backend_kind):
    """Leads with and without an industry; the null group has the only customers (one
    workspace per backend, shared by the module's tests: they only read it)."""
    leads = [
        {"industry": None, "channel": "email", "campaign": None, "month": "2025-01",
         "stage": "customer", "amount": 300},
        {"industry": None, "channel": "email", "campaign": "c1", "month": "2025-02",
         "stage": "customer", "amount": 500},
        {"industry": "saas", "channel": "organic", "campaign": None, "month": "2025-01",
         "stage": "mql", "amount": 100},
        {"industry": "retail", "channel": "email", "campaign": "c2", "month": "2025-03",
         "stage": "lead", "amount": 100},
    ]  # fmt: skip
    spend = [{"channel": "email", "campaign": None, "month": "2025-01", "amount": 80}]

    def ingest(path):
        with leadpilot.open(path) as lp:
            lp.ingest(write_source(path.parent / f"{path.name}-src", leads, spend))

    return shared_workspaces.get(backend_kind, "industry", ingest)


def test_null_industry_is_one_row_with_its_cycle(industry_ws):
    """The issue's `--by industry`: '(none) 7,159 leads, cycle –' and '(none) 0 leads,
    cycle 296.6' are one row."""
    with leadpilot.open(industry_ws) as lp:
        rows = lp.kpi_result(by=["industry"], kpis=["all"]).rows
        icp = lp.kpi_result(by=["icp_fit"], kpis=["all"]).rows  # no ICP: all null
    none = [r for r in rows if r["industry"] is None]
    assert len(none) == 1 and none[0]["leads"] == 2 and none[0]["customers"] == 2
    assert none[0]["sales_cycle_days"] == 22 and none[0]["sales_cycle_days_n"] == 2
    assert len(icp) == 1 and icp[0]["icp_fit"] is None and icp[0]["leads"] == 4


def test_cli_table_shows_one_none_row_and_json_keeps_null(industry_ws):
    runner = CliRunner()
    r = runner.invoke(app, ["kpis", "-w", str(industry_ws), "--by", "icp_fit", "--kpi", "all"],
                      env={"COLUMNS": "200"})  # fmt: skip
    assert r.exit_code == 0, r.output
    first_table = r.stdout.split("KPIs")[1]
    assert first_table.count("(none)") == 1
    r = runner.invoke(app, ["kpis", "-w", str(industry_ws), "--by", "industry", "-f", "json"])
    doc = json.loads(r.stdout)
    assert [row["industry"] for row in doc["rows"]].count(None) == 1
    for args in (["funnel", "--by", "industry"], ["velocity", "--by", "industry"],
                 ["sources", "--by", "industry"]):  # fmt: skip
        r = runner.invoke(app, [*args, "-w", str(industry_ws)], env={"COLUMNS": "200"})
        assert r.exit_code == 0, r.output
        assert "(none)" in r.stdout and "None" not in r.stdout, args
        r = runner.invoke(app, [*args, "-w", str(industry_ws), "-f", "json"])
        values = {row["industry"] for row in json.loads(r.stdout)["rows"]}
        assert None in values and "(none)" not in values, args


def _results(lp) -> dict:
    return {
        "kpis_industry_all": lp.kpi_result(by=["industry"], kpis=["all"]).rows,
        "kpis_campaign_month": lp.kpi_result(by=["campaign"], period="month").rows,
        "kpis_channel_campaign": lp.kpi_result(by=["channel", "campaign"], kpis=["all"]).rows,
        "kpis_activity": lp.kpi_result(by=["campaign"], period="month", view="activity").rows,
        "funnel": lp.funnel_result(by=["industry"]).to_json(),
        "velocity": lp.velocity_result(by=["industry"]).rows,
        "sources": lp.sources_result("industry", "month").rows,
    }


def test_duckdb_and_postgres_group_nulls_alike(tmp_path, pg_url):
    """The NULL-safe joins give the same rows on both engines (PostgreSQL's FULL JOIN
    refuses IS NOT DISTINCT FROM: the conditions must stay equalities)."""
    leads = [
        {"industry": ind, "channel": ch, "campaign": camp, "month": m, "stage": st_, "amount": a}
        for ind, ch, camp, m, st_, a in [
            (None, "email", None, "2025-01", "customer", 300),
            (None, "email", "c1", "2025-02", "customer", 500),
            ("saas", "organic", None, "2025-01", "mql", 100),
            ("retail", "email", "c2", "2025-03", "sql", 100),
            (None, "paid_search", None, "2025-03", "lead", 100),
        ]
    ]
    spend = [
        {"channel": "email", "campaign": None, "month": "2025-01", "amount": 80},
        {"channel": "display", "campaign": None, "month": "2025-02", "amount": 0},
        {"channel": "paid_search", "campaign": "c9", "month": "2025-03", "amount": 40},
    ]
    src = write_source(tmp_path / "src", leads, spend)
    out = {}
    for name, url in (("duck", "duckdb"), ("pg", pg_url)):
        ws = write_config(tmp_path / name, url).parent
        with leadpilot.open(ws) as lp:
            lp.ingest(src)
            out[name] = _results(lp)
    assert json.dumps(out["duck"], sort_keys=True, default=str) == json.dumps(
        out["pg"], sort_keys=True, default=str
    )
    rows = out["duck"]["kpis_campaign_month"]
    assert [(r["period"], r["campaign"]) for r in rows].count(("2025-01", None)) == 1
