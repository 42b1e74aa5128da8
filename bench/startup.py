"""Whole-command time, as a user feels it: `leadpilot kpis` in a new process.

Each measure is a whole process (interpreter start, imports, opening the workspace, the query,
printing), median of ``--runs`` runs, in the same run as its floors:

- ``leadpilot kpis -w WS --by channel --period month`` (the terminal table, piped);
- the same with ``--format json``;
- floor 1: one hand-written DuckDB query over the generated Parquet files, in a new Python
  process (``import duckdb`` included): what the issue's 0.78 s was;
- floor 2: the same hand-written query over the workspace's own tables (read-only);
- start-up alone: ``leadpilot --help``, and the heavy modules ``kpis`` imports.

    python bench/startup.py [--leads N] [--seed S] [--runs R] [--reuse]

The data and workspace are kept in bench/work/startup (``--reuse`` keeps them between runs).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from results import machine, write_section

HERE = Path(__file__).parent
WORK = HERE / "work" / "startup"
SECTION = "## Whole commands: start-up and `leadpilot kpis` as a process (`bench/startup.py`)"
HEAVY = ("scipy", "sklearn", "statsmodels", "altair", "vl_convert", "weasyprint", "jinja2",
         "xlsxwriter", "fastapi", "uvicorn", "matplotlib", "pandas", "pyarrow", "ibis", "duckdb",
         "rich", "pydantic")  # fmt: skip

# The headline by channel and month over the raw Parquet files: counted leads, first stage
# dates (a deal implies the stages before it), won revenue, spend; as the KPI rule says.
FLOOR_SQL = """
with l as (select lead_id, channel, created_at, date_trunc('month', created_at) as period
           from read_parquet('{data}/leads.parquet')),
st as (select lead_id,
              min(ts) filter (where stage in ('mql','sal','sql','opportunity','customer')) as mql,
              min(ts) filter (where stage in ('sql','opportunity','customer')) as sql_,
              min(ts) filter (where stage = 'customer') as cust
       from read_parquet('{data}/stage_events.parquet') group by lead_id),
d as (select lead_id, min(created_at) as deal_at,
             min(closed_at) filter (where status = 'won') as won_at,
             sum(amount) filter (where status = 'won') as revenue
      from read_parquet('{data}/deals.parquet') group by lead_id),
m as (select l.period, l.channel, coalesce(st.mql, d.deal_at, d.won_at) as mql_at,
             coalesce(st.sql_, d.deal_at, d.won_at) as sql_at,
             least(st.cust, d.won_at) as cust_at, d.revenue
      from l left join st using (lead_id) left join d using (lead_id)),
agg as (select period, channel, count(*) as leads, count(mql_at) as mqls, count(sql_at) as sqls,
               count(cust_at) as customers, coalesce(sum(revenue), 0) as revenue
        from m group by all),
sp as (select date_trunc('month', date) as period, channel, sum(amount) as spend
       from read_parquet('{data}/spend.parquet') group by all)
select coalesce(agg.period, sp.period) as period, coalesce(agg.channel, sp.channel) as channel,
       coalesce(leads, 0) as leads, mqls, sqls, customers, revenue, coalesce(spend, 0) as spend,
       spend / nullif(leads, 0) as cpl, spend / nullif(customers, 0) as cac
from agg full join sp on agg.period = sp.period and agg.channel = sp.channel
order by 1, 2
"""

WORKSPACE_SQL = """
with l as (select lead_id, channel, created_at, date_trunc('month', created_at) as period
           from leads where merged_into is null and excluded_reason is null),
keys as (select lead_id as rid, coalesce(merged_into, lead_id) as lk from leads),
st as (select k.lk, min(ts) filter (where stage in ('mql','sal','sql','opportunity','customer')) as mql,
              min(ts) filter (where stage in ('sql','opportunity','customer')) as sql_,
              min(ts) filter (where stage = 'customer') as cust
       from stage_events e join keys k on e.lead_id = k.rid group by k.lk),
d as (select k.lk, min(created_at) as deal_at, min(closed_at) filter (where status = 'won') as won_at,
             sum(amount) filter (where status = 'won') as revenue
      from deals x join keys k on x.lead_id = k.rid group by k.lk),
m as (select l.period, l.channel, coalesce(st.mql, d.deal_at, d.won_at) as mql_at,
             coalesce(st.sql_, d.deal_at, d.won_at) as sql_at, least(st.cust, d.won_at) as cust_at,
             d.revenue
      from l left join st on st.lk = l.lead_id left join d on d.lk = l.lead_id),
agg as (select period, channel, count(*) as leads, count(mql_at) as mqls, count(sql_at) as sqls,
               count(cust_at) as customers, coalesce(sum(revenue), 0) as revenue
        from m group by all),
sp as (select date_trunc('month', date) as period, channel, sum(amount) as spend
       from spend group by all)
select coalesce(agg.period, sp.period), coalesce(agg.channel, sp.channel), coalesce(leads, 0),
       mqls, sqls, customers, revenue, coalesce(spend, 0)
from agg full join sp on agg.period = sp.period and agg.channel = sp.channel order by 1, 2
"""  # noqa: E501

FLOOR = """
import sys, duckdb
rows = duckdb.connect({db!r}, read_only={ro}).execute(sys.argv[1]).fetchall()
print(len(rows), sum(r[2] for r in rows))
"""

MODULES = """
import sys
from leadpilot.cli import main
sys.argv = ["leadpilot", "kpis", "-w", sys.argv[1], "--by", "channel", "--period", "month",
            "--format", "json"]
try:
    main()
except SystemExit:
    pass
heavy = {heavy!r}
print("MODULES", sorted(m for m in heavy if m in sys.modules), file=sys.stderr)
"""


def timed(cmd: list[str], runs: int) -> tuple[float, list[float], str]:
    """Median wall time of ``cmd`` as a new process, each run's time, the last stdout."""
    times, out = [], ""
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, check=True, capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        out = proc.stdout
    return statistics.median(times), times, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--leads", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--reuse", action="store_true", help="keep the data and workspace")
    ap.add_argument("--write", default=str(HERE / "RESULTS.md"))
    args = ap.parse_args()

    data, ws = WORK / f"data-{args.leads}", WORK / f"ws-{args.leads}"
    setup = ""
    if not (args.reuse and (ws / "leadpilot.duckdb").exists()):
        import leadpilot
        from leadpilot.synth import generate, write_tables

        shutil.rmtree(WORK, ignore_errors=True)
        t0 = time.perf_counter()
        write_tables(generate(args.leads, seed=args.seed), data, fmt="parquet")
        t1 = time.perf_counter()
        with leadpilot.open(ws, create=True) as lp:
            lp.ingest(data)
        setup = f"; generate {t1 - t0:.0f} s, ingest {time.perf_counter() - t1:.0f} s"
        print(f"setup{setup}", flush=True)

    exe = str(Path(sys.executable).with_name("leadpilot"))
    py = sys.executable
    kpis = [exe, "kpis", "-w", str(ws), "--by", "channel", "--period", "month"]
    rows: list[tuple[str, float, list[float], str]] = []

    def measure(label: str, cmd: list[str], note: str = "") -> float:
        med, times, out = timed(cmd, args.runs)
        rows.append((label, med, times, note))
        print(f"{label}: {med:.2f} s {[round(t, 2) for t in times]}", flush=True)
        return med

    floor = measure(
        "floor: one hand-written DuckDB query over the Parquet files (new process)",
        [py, "-c", FLOOR.format(db=":memory:", ro=False), FLOOR_SQL.format(data=data)],
    )
    floor_ws = measure(
        "floor: the same query over the workspace's tables (new process, read-only)",
        [py, "-c", FLOOR.format(db=str(ws / "leadpilot.duckdb"), ro=True), WORKSPACE_SQL],
    )
    table = measure("`leadpilot kpis --by channel --period month` (terminal table)", kpis)
    as_json = measure("the same, `--format json`", [*kpis, "--format", "json"])
    help_ = measure("`leadpilot --help` (start-up alone)", [exe, "--help"])
    imp = measure("`python -c 'import leadpilot.cli'`", [py, "-c", "import leadpilot.cli"])

    proc = subprocess.run([py, "-c", MODULES.format(heavy=HEAVY), str(ws)],
                          capture_output=True, text=True, check=True)  # fmt: skip
    loaded = [line for line in proc.stderr.splitlines() if line.startswith("MODULES")]
    modules = json.loads(loaded[-1].split(" ", 1)[1].replace("'", '"')) if loaded else []
    not_loaded = [m for m in HEAVY if m not in modules]
    print("kpis imports:", modules, flush=True)

    lines = [
        SECTION,
        "",
        f"Machine: {machine()}. Run: `python bench/startup.py --leads {args.leads} --runs "
        f"{args.runs}` (seed {args.seed}), {time.strftime('%Y-%m-%d')}{setup}. Each line is a "
        "whole process, as a user runs it (interpreter, imports, query, output), median of "
        f"{args.runs} runs.",
        "",
        "| command | seconds (median) | runs | vs floor 1 |",
        "|---|---:|---|---:|",
    ]
    for label, med, times, _note in rows:
        lines.append(f"| {label} | {med:.2f} | {', '.join(f'{t:.2f}' for t in times)} | "
                     f"{med / floor:.2f}× |")  # fmt: skip
    lines += [
        "",
        f"- `kpis` (terminal) is {table / floor:.2f}× one hand-written query over the Parquet "
        f"files and {table / floor_ws:.2f}× the same query over the workspace's tables "
        f"(target: within 2×, goal 1.5×); JSON output {as_json / floor:.2f}×.",
        f"- Start-up: `leadpilot --help` {help_:.2f} s, `import leadpilot.cli` {imp:.2f} s.",
        f"- Heavy modules `kpis` imports: {', '.join(modules) or 'none'}; not imported: "
        f"{', '.join(not_loaded)}.",
    ]
    write_section(Path(args.write), SECTION, lines)
    print(f"wrote {args.write}")


if __name__ == "__main__":
    main()
