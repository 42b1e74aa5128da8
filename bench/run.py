"""Benchmarks at 1,000,000 leads: generate, ingest, headline KPIs.

Each step runs in its own process so that its peak memory is its own. The
KPI step is compared, in the same run, with a floor (hand-written DuckDB SQL
on the same database) and with what an analyst would otherwise write (pandas
on the same Parquet files). Figures go to bench/RESULTS.md.

    python bench/run.py [--leads N] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from results import machine, write_section

HERE = Path(__file__).parent
DATA = HERE / "data"
WORK = HERE / "work"

STEP = r"""
import json, resource, sys, time
step, data, work, leads, seed = sys.argv[1:6]
leads, seed = int(leads), int(seed)
t0 = time.perf_counter()
result = None
if step == "generate":
    from leadpilot.synth import generate, write_tables
    write_tables(generate(leads, seed=seed), data, fmt="parquet")
elif step == "ingest":
    import leadpilot
    import leadpilot.pilot  # noqa: F401  (open() imports it lazily; imports are not the work)
    t0 = time.perf_counter()  # imports are not the command's work
    with leadpilot.open(work, create=True) as lp:
        s = lp.ingest(data)
    result = {t: v.rows_loaded for t, v in s.tables.items()}
elif step == "ingest_floor":
    # What loading costs with no mapping, parsing or validation: DuckDB reads the Parquet files.
    import duckdb
    import glob
    t0 = time.perf_counter()
    con = duckdb.connect(f"{work}-floor.duckdb")
    for f in sorted(glob.glob(f"{data}/*.parquet")):
        name = f.rsplit("/", 1)[1].split(".")[0]
        con.execute(f"create table {name} as select * from read_parquet('{f}')")
    con.close()
    result = None
elif step == "ingest_checks_floor":
    # The same work as `ingest`, hand-written: clean text (trim, blank -> null), check enums,
    # required values, future dates, duplicate keys, unknown leads, stages before their lead,
    # derive missing channels, keep the good rows, flag e-mail duplicates within 90 days.
    import duckdb
    import glob
    t0 = time.perf_counter()
    con = duckdb.connect(f"{work}-checks-floor.duckdb")
    con.execute("set preserve_insertion_order = false")
    def clean(f, keep=()):
        cols = con.execute(f"describe select * from read_parquet('{f}')").fetchall()
        return ", ".join(f"nullif(trim({c}), '') as {c}" if t == "VARCHAR" and c not in keep
                         else c for c, t, *_ in cols)
    files = {f.rsplit("/", 1)[1].split(".")[0]: f for f in glob.glob(f"{data}/*.parquet")}
    for name, f in files.items():
        con.execute(f"create temp table s_{name} as select row_number() over () as _row, "
                    f"{clean(f)} from read_parquet('{f}')")
    types = ("visit", "form_submit", "email_send", "email_open", "email_click", "download",
             "webinar_registration", "webinar_attendance", "social", "ad_click", "call",
             "meeting", "other")
    con.execute(f'''create temp table bad as
        select 'leads' t, _row from s_leads where lead_id is null or created_at is null
                                      or created_at > now() + interval 1 day
        union all select 'leads', _row from (select _row, count(*) over (partition by lead_id) n
                                              from s_leads) where n > 1
        union all select 'touchpoints', _row from s_touchpoints
            where lead_id is null or ts is null or ts > now() + interval 1 day
               or lower(type) not in {types}
        union all select 'touchpoints', _row from s_touchpoints t anti join s_leads l using (lead_id)
        union all select 'touchpoints', _row from (
            select _row, count(*) over (partition by touch_id) n from s_touchpoints) where n > 1
        union all select 'stage_events', e._row from s_stage_events e join s_leads l using (lead_id)
            where e.ts < l.created_at
        union all select 'stage_events', _row from s_stage_events e anti join s_leads l using (lead_id)
        union all select 'deals', _row from s_deals d anti join s_leads l using (lead_id)
        union all select 'deals', _row from s_deals where status in ('won', 'lost') and closed_at is null
        union all select 'spend', _row from s_spend where amount < 0
    ''')
    con.execute('''create table leads as
        select * exclude (_row, channel), coalesce(channel, case
            when regexp_matches(lower(utm_medium), '^(cpc|ppc|paid.*)$') then 'paid_search'
            when regexp_matches(lower(utm_medium), '^(e-?mail|newsletter)$') then 'email'
            when regexp_matches(lower(utm_medium), '^organic$') then 'organic_search'
            when referrer is not null then 'referral' else 'unknown' end) as channel,
            lower(email) as email_norm
        from s_leads anti join (select _row from bad where t = 'leads') b using (_row)''')
    con.execute('''create temp table merged as select lead_id, first_value(lead_id) over w as into_id
        from leads where email_norm is not null
        window w as (partition by email_norm order by created_at, lead_id)''')
    for name in ("touchpoints", "stage_events", "deals", "spend", "traffic"):
        con.execute(f"create table {name} as select * exclude (_row) from s_{name} "
                    f"anti join (select _row from bad where t = '{name}') b using (_row)")
    con.close()
    result = None
elif step == "kpis":
    import leadpilot
    import leadpilot.pilot  # noqa: F401
    t0 = time.perf_counter()
    with leadpilot.open(work) as lp:
        r = lp.kpi_result(by=["channel"], period="month")
    result = {"rows": len(r.rows), "leads": sum(x["leads"] for x in r.rows),
              "customers": sum(x["customers"] for x in r.rows),
              "revenue": round(sum(x["revenue"] for x in r.rows), 2)}
elif step == "sql_floor":
    import duckdb
    t0 = time.perf_counter()
    con = duckdb.connect(f"{work}/leadpilot.duckdb", read_only=True)
    rows = con.execute('''
        with l as (select lead_id, channel, created_at, date_trunc('month', created_at) as period
                   from leads where merged_into is null and excluded_reason is null),
        keys as (select lead_id as rid, coalesce(merged_into, lead_id) as lk from leads),
        st as (select k.lk, min(ts) filter (where stage in ('mql','sal','sql','opportunity','customer')) as mql,
                      min(ts) filter (where stage in ('sql','opportunity','customer')) as sql_,
                      min(ts) filter (where stage = 'customer') as cust
               from stage_events e join keys k on e.lead_id = k.rid group by k.lk),
        d as (select k.lk, min(created_at) as deal_at,
                     min(closed_at) filter (where status = 'won') as won_at,
                     sum(amount) filter (where status = 'won') as revenue
              from deals x join keys k on x.lead_id = k.rid group by k.lk),
        m as (select l.period, l.channel, l.created_at, coalesce(st.mql, d.deal_at, d.won_at) as mql_at,
                     coalesce(st.sql_, d.deal_at, d.won_at) as sql_at,
                     least(st.cust, d.won_at) as cust_at, d.revenue
              from l left join st on st.lk = l.lead_id left join d on d.lk = l.lead_id),
        -- leadpilot flags immature cohorts: the data's as-of date and the median delay
        stats as (select max(created_at) as as_of,
                         median(epoch(cust_at) - epoch(created_at)) filter (where cust_at is not null) as delay
                  from m),
        agg as (select period, channel, count(*) as leads, count(mql_at) as mqls,
                  count(sql_at) as sqls, count(cust_at) as customers,
                  coalesce(sum(revenue), 0) as revenue
                from m group by all),
        sp as (select date_trunc('month', date) as period, channel, sum(amount) as spend
               from spend group by all)
        select coalesce(agg.period, sp.period) as period, coalesce(agg.channel, sp.channel) as channel,
               coalesce(leads, 0) as leads, mqls, sqls, customers, revenue, coalesce(spend, 0) as spend,
               stats.as_of, stats.delay
        from agg full join sp on agg.period = sp.period and agg.channel = sp.channel cross join stats
    ''').fetchall()
    result = {"rows": len(rows), "leads": sum(r[2] for r in rows),
              "customers": sum(r[5] or 0 for r in rows),
              "revenue": round(sum(r[6] or 0 for r in rows), 2)}
elif step == "kpis_all":
    import leadpilot
    import leadpilot.pilot  # noqa: F401
    t0 = time.perf_counter()
    with leadpilot.open(work) as lp:
        r = lp.kpi_result(by=["channel"], period="month", kpis=["all"])
    result = {"rows": len(r.rows), "leads": sum(x["leads"] for x in r.rows),
              "touches": sum(x["touches_per_lead"] * x["leads"] for x in r.rows if x["leads"])}
elif step == "kpis_all_floor":
    import duckdb
    t0 = time.perf_counter()
    con = duckdb.connect(f"{work}/leadpilot.duckdb", read_only=True)
    rows = con.execute(f'''
        with keys as (select lead_id as rid, coalesce(merged_into, lead_id) as lk from leads),
        l as (select lead_id, channel, created_at, date_trunc('month', created_at) as period
              from leads where merged_into is null and excluded_reason is null),
        st as (select k.lk,
                 min(ts) filter (where stage in ('mql','sal','sql','opportunity','customer')) as mql,
                 min(ts) filter (where stage in ('sal','sql','opportunity','customer')) as sal,
                 min(ts) filter (where stage in ('sql','opportunity','customer')) as sql_,
                 min(ts) filter (where stage in ('opportunity','customer')) as opp,
                 min(ts) filter (where stage = 'customer') as cust,
                 min(ts) filter (where stage = 'rejected') as rej,
                 min(ts) filter (where stage = 'disqualified') as disq
               from stage_events e join keys k on e.lead_id = k.rid group by k.lk),
        d as (select k.lk, min(created_at) as deal_at,
                 min(closed_at) filter (where status = 'won') as won_at,
                 sum(amount) filter (where status = 'won') as revenue,
                 sum(amount) filter (where status = 'open') as open_amount,
                 count(*) filter (where status = 'won') as won,
                 count(*) filter (where status in ('won', 'lost')) as closed
              from deals x join keys k on x.lead_id = k.rid group by k.lk),
        tp as (select k.lk, count(*) as touches,
                 count(*) filter (where type = 'email_send') as sends,
                 count(*) filter (where type = 'email_open') as opens,
                 count(*) filter (where type = 'email_click') as clicks,
                 bool_or(type in ('email_open','email_click','download','webinar_registration',
                                  'webinar_attendance','social','form_submit')
                         and ts >= c.created_at and ts <= c.created_at + interval 90 day) as engaged
               from touchpoints t join keys k on t.lead_id = k.rid
               join leads c on c.lead_id = k.lk group by k.lk),
        agg as (select l.period, l.channel, count(*) as leads,
                  count(coalesce(st.mql, st.sal, st.sql_, st.opp, st.cust, d.deal_at, d.won_at)) as mqls,
                  count(coalesce(st.sal, st.sql_, st.opp, st.cust, d.deal_at, d.won_at)) as sals,
                  count(coalesce(st.sql_, st.opp, st.cust, d.deal_at, d.won_at)) as sqls,
                  count(coalesce(st.opp, st.cust, d.deal_at, d.won_at)) as opps,
                  count(coalesce(st.cust, d.won_at)) as customers,
                  count(st.rej) as rejected, count(st.disq) as disqualified,
                  coalesce(sum(d.revenue), 0) as revenue, coalesce(sum(d.open_amount), 0) as pipeline,
                  coalesce(sum(d.won), 0) as won, coalesce(sum(d.closed), 0) as closed,
                  coalesce(sum(tp.touches), 0) as touches, coalesce(sum(tp.sends), 0) as sends,
                  coalesce(sum(tp.opens), 0) as opens, coalesce(sum(tp.clicks), 0) as clicks,
                  count(*) filter (where tp.engaged) as engaged
                from l left join st on st.lk = l.lead_id left join d on d.lk = l.lead_id
                left join tp on tp.lk = l.lead_id group by all),
        sp as (select date_trunc('month', date) as period, channel, sum(amount) as spend
               from spend group by all),
        tr as (select date_trunc('month', date) as period, channel, sum(visitors) as visitors
               from traffic group by all),
        j as (select coalesce(agg.period, sp.period) as period,
                     coalesce(agg.channel, sp.channel) as channel, agg.* exclude (period, channel),
                     coalesce(spend, 0) as spend
              from agg full join sp on agg.period = sp.period and agg.channel = sp.channel)
        select coalesce(j.period, tr.period), coalesce(j.channel, tr.channel), j.* exclude (period, channel),
               coalesce(visitors, 0) as visitors
        from j full join tr on j.period = tr.period and j.channel = tr.channel
    ''').fetchall()
    result = {"rows": len(rows), "leads": sum(r[2] or 0 for r in rows),
              "touches": float(sum(r[14] or 0 for r in rows))}
elif step == "pandas_all":
    # What an analyst writes for the same measures as `kpis --kpi all` by channel and month:
    # stage dates per lead, deal sums, touch counts and engagement within 90 days, spend and
    # traffic per month; no dedup, no implied stages, no intervals.
    import pandas as pd
    t0 = time.perf_counter()
    leads_df = pd.read_parquet(f"{data}/leads.parquet", columns=["lead_id", "created_at", "channel"])
    ev = pd.read_parquet(f"{data}/stage_events.parquet", columns=["lead_id", "stage", "ts"])
    deals = pd.read_parquet(f"{data}/deals.parquet")
    tp = pd.read_parquet(f"{data}/touchpoints.parquet", columns=["lead_id", "ts", "type"])
    spend = pd.read_parquet(f"{data}/spend.parquet")
    traffic = pd.read_parquet(f"{data}/traffic.parquet")
    leads_df["period"] = leads_df["created_at"].dt.to_period("M")
    first = ev.pivot_table(index="lead_id", columns="stage", values="ts", aggfunc="min")
    deals["won_amount"] = deals.amount.where(deals.status == "won")
    deals["won"] = deals.status == "won"
    deals["closed"] = deals.status.isin(["won", "lost"])
    d = deals.groupby("lead_id").agg(revenue=("won_amount", "sum"), won=("won", "sum"),
                                     closed=("closed", "sum"))
    tp = tp.merge(leads_df[["lead_id", "created_at"]], on="lead_id")
    eng_types = ["email_open", "email_click", "download", "webinar_registration",
                 "webinar_attendance", "social", "form_submit"]
    tp["engaged"] = tp.type.isin(eng_types) & (tp.ts >= tp.created_at) & (
        tp.ts <= tp.created_at + pd.Timedelta(days=90))
    for name, typ in (("sends", "email_send"), ("opens", "email_open"), ("clicks", "email_click")):
        tp[name] = tp.type == typ
    t = tp.groupby("lead_id").agg(touches=("type", "size"), sends=("sends", "sum"),
                                  opens=("opens", "sum"), clicks=("clicks", "sum"),
                                  engaged=("engaged", "any"))
    m = leads_df.join(first, on="lead_id").join(d, on="lead_id").join(t, on="lead_id")
    for col in ("mql", "sal", "sql", "opportunity", "customer"):
        m[col] = m.get(col).notna() if col in m else False
    g = m.groupby(["period", "channel"]).agg(
        leads=("lead_id", "size"), mqls=("mql", "sum"), sals=("sal", "sum"), sqls=("sql", "sum"),
        opportunities=("opportunity", "sum"), customers=("customer", "sum"),
        revenue=("revenue", "sum"), won=("won", "sum"), closed=("closed", "sum"),
        touches=("touches", "sum"), sends=("sends", "sum"), opens=("opens", "sum"),
        clicks=("clicks", "sum"), engaged=("engaged", "sum"))
    spend["period"] = pd.to_datetime(spend["date"]).dt.to_period("M")
    traffic["period"] = pd.to_datetime(traffic["date"]).dt.to_period("M")
    out = g.join(spend.groupby(["period", "channel"])["amount"].sum().rename("spend"), how="outer")
    out = out.join(traffic.groupby(["period", "channel"])["visitors"].sum(), how="outer")
    out["cpl"] = out["spend"] / out["leads"]
    out["lead_to_customer"] = out["customers"] / out["leads"]
    result = {"rows": len(out), "leads": int(out["leads"].fillna(0).sum()),
              "touches": float(out["touches"].fillna(0).sum())}
elif step == "funnel":
    import leadpilot
    import leadpilot.pilot  # noqa: F401
    t0 = time.perf_counter()
    with leadpilot.open(work) as lp:
        r = lp.funnel_result(by=["channel"])
    result = {"customers": sum(x["count"] for x in r.rows if x["stage"] == "customer")}
elif step == "funnel_floor":
    # The same work as `funnel --by channel`: the six stages with implication, both exits,
    # and the rejection reasons, per channel, from the workspace tables.
    import duckdb
    t0 = time.perf_counter()
    con = duckdb.connect(f"{work}/leadpilot.duckdb", read_only=True)
    rows = con.execute('''
        with keys as (select lead_id as rid, coalesce(merged_into, lead_id) as lk from leads),
        l as (select lead_id, channel from leads where merged_into is null and excluded_reason is null),
        st as (select k.lk,
                 bool_or(stage in ('mql','sal','sql','opportunity','customer')) as mql,
                 bool_or(stage in ('sal','sql','opportunity','customer')) as sal,
                 bool_or(stage in ('sql','opportunity','customer')) as sql_,
                 bool_or(stage in ('opportunity','customer')) as opp,
                 bool_or(stage = 'customer') as cust,
                 bool_or(stage = 'rejected') as rej, bool_or(stage = 'disqualified') as disq,
                 min(reason) filter (where stage = 'rejected') as reason
               from stage_events e join keys k on e.lead_id = k.rid group by k.lk),
        d as (select k.lk, true as deal, bool_or(status = 'won') as won
              from deals x join keys k on x.lead_id = k.rid group by k.lk),
        m as (select l.channel, coalesce(st.mql or d.deal, false) as mql,
                     coalesce(st.sal or d.deal, false) as sal, coalesce(st.sql_ or d.deal, false) as sql_,
                     coalesce(st.opp or d.deal, false) as opp, coalesce(st.cust or d.won, false) as cust,
                     coalesce(st.rej, false) as rej, coalesce(st.disq, false) as disq, st.reason
              from l left join st on st.lk = l.lead_id left join d on d.lk = l.lead_id)
        select channel, count(*), count(*) filter (where mql), count(*) filter (where sal),
               count(*) filter (where sql_), count(*) filter (where opp), count(*) filter (where cust),
               count(*) filter (where rej), count(*) filter (where disq)
        from m group by channel
    ''').fetchall()
    reasons = con.execute('''
        with keys as (select lead_id as rid, coalesce(merged_into, lead_id) as lk from leads)
        select l.channel, coalesce(e.reason, '(no reason given)'), count(distinct k.lk)
        from stage_events e join keys k on e.lead_id = k.rid
        join leads l on l.lead_id = k.lk and l.merged_into is null and l.excluded_reason is null
        where e.stage = 'rejected' group by all
    ''').fetchall()
    result = {"customers": sum(r[6] for r in rows)}
elif step == "velocity":
    import leadpilot
    import leadpilot.pilot  # noqa: F401
    t0 = time.perf_counter()
    with leadpilot.open(work) as lp:
        r = lp.velocity_result()
    result = {"sales_cycle_days": r.rows[0]["sales_cycle_days"],
              "customer_by_day_90": r.rows[0]["customer_by_day_90"]}
elif step == "velocity_floor":
    # The same work as `velocity`: five durations (median, mean, p75, n) and the day counts
    # a Kaplan–Meier curve needs for two stages; the curve itself is NumPy on small arrays.
    import duckdb
    import numpy as np
    from scipy.stats import CensoredData, ecdf
    t0 = time.perf_counter()
    con = duckdb.connect(f"{work}/leadpilot.duckdb", read_only=True)
    con.execute('''
        create temp table m as
        with keys as (select lead_id as rid, coalesce(merged_into, lead_id) as lk from leads),
        l as (select lead_id, created_at from leads
              where merged_into is null and excluded_reason is null),
        st as (select k.lk,
                 min(ts) filter (where stage in ('mql','sal','sql','opportunity','customer')) as mql,
                 min(ts) filter (where stage in ('sql','opportunity','customer')) as sql_,
                 min(ts) filter (where stage in ('opportunity','customer')) as opp,
                 min(ts) filter (where stage = 'customer') as cust
               from stage_events e join keys k on e.lead_id = k.rid group by k.lk),
        d as (select k.lk, min(created_at) as deal_at,
                 min(closed_at) filter (where status = 'won') as won_at
              from deals x join keys k on x.lead_id = k.rid group by k.lk)
        select l.created_at,
               least(st.mql, d.deal_at, d.won_at) as mql_at,
               least(st.sql_, d.deal_at, d.won_at) as sql_at,
               least(st.opp, d.deal_at, d.won_at) as opp_at,
               least(st.cust, d.won_at) as cust_at
        from l left join st on st.lk = l.lead_id left join d on d.lk = l.lead_id
    ''')
    stats = []
    for a, b in (("created_at", "mql_at"), ("created_at", "sql_at"), ("created_at", "opp_at"),
                 ("created_at", "cust_at"), ("opp_at", "cust_at")):
        stats.append(con.execute(f'''
            select median(x), avg(x), quantile_cont(x, 0.75), count(x) from (
              select (epoch({b}) - epoch({a})) / 86400 as x from m
              where {a} is not null and {b} is not null and {b} >= {a})''').fetchone())
    as_of = con.execute("select greatest(max(created_at), max(cust_at), max(mql_at)) from m").fetchone()[0]
    curves = {}
    for stage in ("sql_at", "cust_at"):
        rows = con.execute(f'''
            select floor(greatest(0, (epoch(coalesce({stage}, ?::timestamp)) - epoch(created_at)) / 86400))::bigint,
                   {stage} is not null, count(*) from m group by all''', [as_of]).fetchall()
        days = np.array([r[0] for r in rows], float)
        ev = np.array([r[1] for r in rows])
        n = np.array([r[2] for r in rows])
        cdf = ecdf(CensoredData(uncensored=np.repeat(days[ev], n[ev]) + 1e-9,
                                right=np.repeat(days[~ev], n[~ev]) + 2e-9)).cdf
        curves[stage] = float(cdf.evaluate(90 + 1e-6))
    result = {"sales_cycle_days": round(stats[3][0], 2),
              "customer_by_day_90": round(curves["cust_at"], 6)}
elif step == "pandas_funnel_velocity":
    # What an analyst writes for the funnel by channel and the sales cycle: first date per
    # stage per lead, counts per channel, medians; no dedup, no implication, no survival curve.
    import pandas as pd
    t0 = time.perf_counter()
    leads_df = pd.read_parquet(f"{data}/leads.parquet", columns=["lead_id", "created_at", "channel"])
    ev = pd.read_parquet(f"{data}/stage_events.parquet", columns=["lead_id", "stage", "ts"])
    deals = pd.read_parquet(f"{data}/deals.parquet", columns=["lead_id", "status", "closed_at"])
    first = ev.pivot_table(index="lead_id", columns="stage", values="ts", aggfunc="min")
    won = deals[deals.status == "won"].groupby("lead_id").closed_at.min().rename("won_at")
    m = leads_df.join(first, on="lead_id").join(won, on="lead_id")
    funnel = m.groupby("channel")[["mql", "sal", "sql", "opportunity", "customer"]].count()
    cycle = (m.won_at - m.created_at).dt.total_seconds() / 86400
    result = {"customers": int(funnel["customer"].sum()),
              "sales_cycle_days": round(float(cycle.median()), 2)}
elif step == "pandas":
    import pandas as pd
    t0 = time.perf_counter()
    leads_df = pd.read_parquet(f"{data}/leads.parquet", columns=["lead_id", "created_at", "channel", "email"])
    ev = pd.read_parquet(f"{data}/stage_events.parquet", columns=["lead_id", "stage", "ts"])
    deals = pd.read_parquet(f"{data}/deals.parquet")
    spend = pd.read_parquet(f"{data}/spend.parquet")
    # What an analyst writes: no e-mail dedup, no channel derivation, first stage dates.
    leads_df["period"] = leads_df["created_at"].dt.to_period("M")
    reached = ev.pivot_table(index="lead_id", columns="stage", values="ts", aggfunc="min")
    won = deals[deals.status == "won"].groupby("lead_id").agg(revenue=("amount", "sum"))
    has_deal = deals.groupby("lead_id").size().rename("n_deals")
    m = leads_df.join(reached, on="lead_id").join(won, on="lead_id").join(has_deal, on="lead_id")
    m["is_cust"] = m.get("customer").notna() | m["revenue"].notna()
    g = m.groupby(["period", "channel"]).agg(leads=("lead_id", "size"), customers=("is_cust", "sum"),
                                             revenue=("revenue", "sum"))
    spend["period"] = pd.to_datetime(spend["date"]).dt.to_period("M")
    s = spend.groupby(["period", "channel"])["amount"].sum().rename("spend")
    out = g.join(s, how="outer")
    result = {"rows": len(out), "leads": int(out["leads"].fillna(0).sum()),
              "customers": int(out["customers"].fillna(0).sum()),
              "revenue": round(float(out["revenue"].fillna(0).sum()), 2)}
elapsed = time.perf_counter() - t0
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"step": step, "seconds": elapsed, "peak_mb": peak_mb, "result": result}))
"""


STEPS = ("generate", "ingest", "ingest_floor", "ingest_checks_floor", "kpis", "sql_floor", "pandas", "kpis_all",
         "kpis_all_floor", "pandas_all", "funnel", "funnel_floor", "velocity", "velocity_floor", "pandas_funnel_velocity")


def run_step(step: str, leads: int, seed: int) -> dict:
    proc = subprocess.run([sys.executable, "-c", STEP, step, str(DATA), str(WORK), str(leads),
                           str(seed)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{step} failed:\n{proc.stderr}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"{step:10s} {out['seconds']:8.2f} s  peak {out['peak_mb']:8.0f} MB  {out['result'] or ''}",
          flush=True)
    return out


SECTION = "## KPI engine: ingest, kpis, funnel, velocity (`make bench`)"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--leads", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--write", default=str(HERE / "RESULTS.md"))
    args = ap.parse_args()
    shutil.rmtree(DATA, ignore_errors=True)
    shutil.rmtree(WORK, ignore_errors=True)
    Path(f"{WORK}-floor.duckdb").unlink(missing_ok=True)
    Path(f"{WORK}-checks-floor.duckdb").unlink(missing_ok=True)
    results = {}
    for s in STEPS:
        # Read-only queries: best of three (the machine is shared; the minimum is the
        # least disturbed run). Steps that write run once.
        runs = 1 if s in ("generate", "ingest", "ingest_floor", "ingest_checks_floor") else 3
        results[s] = min((run_step(s, args.leads, args.seed) for _ in range(runs)),
                         key=lambda r: r["seconds"])
    rows = {}
    for f in sorted(DATA.glob("*.parquet")):
        import pyarrow.parquet as pq

        rows[f.stem] = pq.ParquetFile(f).metadata.num_rows
    k, floor = results["kpis"], results["sql_floor"]
    lines = [
        SECTION,
        "",
        f"Machine: {machine()}. Run: `make bench` ({args.leads:,} leads, seed {args.seed}), "
        f"{time.strftime('%Y-%m-%d')}.",
        "",
        "Generated rows: " + ", ".join(f"{t} {n:,}" for t, n in rows.items()) + ".",
        "",
        "| step | seconds | peak memory (MB) | notes |",
        "|---|---:|---:|---|",
        f"| generate (synthetic data → Parquet) | {results['generate']['seconds']:.1f} | "
        f"{results['generate']['peak_mb']:.0f} | |",
        f"| ingest (read, parse, validate, load, dedup) | {results['ingest']['seconds']:.1f} | "
        f"{results['ingest']['peak_mb']:.0f} | "
        f"{results['ingest']['seconds'] / results['ingest_floor']['seconds']:.1f}× the load floor |",
        f"| floor: DuckDB loads the Parquet files, no checks | "
        f"{results['ingest_floor']['seconds']:.1f} | {results['ingest_floor']['peak_mb']:.0f} | |",
        f"| floor: hand-written DuckDB SQL doing the same checks (clean text, enums, duplicates, "
        f"unknown leads, dates, channels, e-mail duplicates) | "
        f"{results['ingest_checks_floor']['seconds']:.1f} | "
        f"{results['ingest_checks_floor']['peak_mb']:.0f} | ingest is "
        f"{results['ingest']['seconds'] / results['ingest_checks_floor']['seconds']:.1f}× this |",
        f"| kpis --by channel --period month (headline) | {k['seconds']:.2f} | "
        f"{k['peak_mb']:.0f} | {k['seconds'] / floor['seconds']:.2f}× the SQL floor |",
        f"| floor: hand-written DuckDB SQL, same database | {floor['seconds']:.2f} | "
        f"{floor['peak_mb']:.0f} | same totals: {floor['result'] == k['result']} |",
        f"| pandas on the Parquet files (no dedup, no implied stages) | "
        f"{results['pandas']['seconds']:.2f} | {results['pandas']['peak_mb']:.0f} | "
        f"{results['pandas']['result']} |",
        f"| kpis --by channel --period month --kpi all (37 KPIs; the floor leaves out the 5 durations) | "
        f"{results['kpis_all']['seconds']:.2f} | {results['kpis_all']['peak_mb']:.0f} | "
        f"{results['kpis_all']['seconds'] / results['kpis_all_floor']['seconds']:.2f}× the SQL "
        "floor |",
        f"| floor: hand-written DuckDB SQL for the same measures | "
        f"{results['kpis_all_floor']['seconds']:.2f} | "
        f"{results['kpis_all_floor']['peak_mb']:.0f} | same leads and touches: "
        f"{results['kpis_all_floor']['result']['leads'] == results['kpis_all']['result']['leads']} |",
        f"| pandas: the same measures (no dedup, no implied stages, no intervals) | "
        f"{results['pandas_all']['seconds']:.2f} | {results['pandas_all']['peak_mb']:.0f} | "
        f"{results['pandas_all']['result']} |",
        f"| funnel --by channel (counts reuse the KPI compiler) | "
        f"{results['funnel']['seconds']:.2f} | {results['funnel']['peak_mb']:.0f} | "
        f"{results['funnel']['seconds'] / results['funnel_floor']['seconds']:.2f}× the SQL "
        f"floor |",
        f"| floor: hand-written DuckDB SQL for the funnel (stages, exits, reasons) | "
        f"{results['funnel_floor']['seconds']:.2f} | {results['funnel_floor']['peak_mb']:.0f} | "
        f"same customers: {results['funnel_floor']['result'] == results['funnel']['result']} |",
        f"| velocity (durations in the engine + Kaplan–Meier) | "
        f"{results['velocity']['seconds']:.2f} | {results['velocity']['peak_mb']:.0f} | "
        f"{results['velocity']['seconds'] / results['velocity_floor']['seconds']:.2f}× the "
        "SQL floor |",
        f"| floor: DuckDB SQL for the five durations + Kaplan–Meier day counts (scipy) | "
        f"{results['velocity_floor']['seconds']:.2f} | "
        f"{results['velocity_floor']['peak_mb']:.0f} | {results['velocity_floor']['result']} |",
        f"| pandas: funnel by channel + sales-cycle median (no dedup, no implied stages, "
        f"no Kaplan–Meier) | {results['pandas_funnel_velocity']['seconds']:.2f} | "
        f"{results['pandas_funnel_velocity']['peak_mb']:.0f} | "
        f"{results['pandas_funnel_velocity']['result']} |",
        "",
        f"leadpilot totals: {k['result']}; floor totals: {floor['result']}.",
        f"velocity: {results['velocity']['result']}.",
        "",
    ]
    lines += [
        "Notes:",
        "- Each step runs in its own process; imports are outside the timing; peak memory is the",
        "  process's maximum resident set. Queries: best of three runs (timings vary by about",
        "  15 % from run to run); generate and ingest: one run.",
        "- The ingest floor loads the six Parquet files into DuckDB with no mapping, parsing,",
        "  validation, deduplication or channel grouping; DuckDB's own insert of the 20 M touchpoint",
        "  strings is most of both. Ingest types files by chunks of 1 M rows into a staging",
        "  database capped at 2 GB (DuckDB spills beyond), then loads with one INSERT ... SELECT.",
        "",
    ]
    write_section(Path(args.write), SECTION.split(":")[0], lines)
    print(f"wrote {args.write}")


if __name__ == "__main__":
    main()
