"""The fixed cost of a small ingest: a daily incremental export, or one POST to the service.

Cases, on DuckDB, PostgreSQL (a throwaway server, as the tests start it) and Spark local:

1. the six small canonical CSVs of tests/data/good into a NEW workspace (opening it with
   ``create=True`` timed apart), then the same files again (a re-ingest: nothing changes);
2. 50 new leads posted with ``ingest_records("leads", records=...)`` into a workspace already
   holding 20,000 generated leads (seed 42, ingested once, outside the timings; fresh lead
   ids and e-mails each run).

Each is timed in-process (imports, the workspace setup and Spark's start outside the timing),
median of ``--runs`` runs (in ``--rounds`` subprocesses per engine and tree, each one's first
run discarded), with the source tree of commit 01347e8 ("before", exported with git archive to
bench/work/ingest_small/before) and the working tree ("now"), each in a subprocess of this
script (PYTHONPATH set to its src), alternating (before-now, then now-before), in the same run.
Beside them: a floor (hand-written DuckDB SQL doing the minimum of case 1, in-process) and
``leadpilot ingest tests/data/good -w WS`` as a new process (case 1 on DuckDB).

    python bench/ingest_small.py [--runs 8] [--rounds 2] [--no-postgres] [--spark] [--leads 20000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from results import machine, write_section

HERE = Path(__file__).parent
ROOT = HERE.parent
WORK = HERE / "work" / "ingest_small"
GOOD = ROOT / "tests" / "data" / "good"
BEFORE = "01347e8"
SECTION = "## Small ingests: the fixed cost of an ingest (`bench/ingest_small.py`)"
CASES = {
    "open": "open a new workspace (`create=True`)",
    "first": "1. the six small CSVs into the new workspace",
    "again": "1. the same files again (re-ingest, nothing changes)",
    "post": "2. POST 50 new leads (`ingest_records`) onto 20,000 leads",
}
# the settings of tests/sparksession.py: local[2], one shuffle partition, no code generation
SPARK_CONF = {
    "spark.sql.shuffle.partitions": "1", "spark.default.parallelism": "1",
    "spark.driver.memory": "1g", "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN", "spark.sql.adaptive.enabled": "false",
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
}  # fmt: skip
# the floor's tables: leadpilot's key column, made of the key columns the files hold
KEYS = {"leads": ["lead_id"], "touchpoints": ["touch_id"], "stage_events": ["lead_id", "stage",
        "ts"], "deals": ["deal_id"], "spend": ["date", "channel", "campaign", "content"],
        "traffic": ["date", "channel", "content"]}  # fmt: skip


def child(engine: str, runs: int, data: Path, pg_url: str, tmp: Path) -> dict:
    """Measure every case on ``engine`` with the leadpilot on sys.path; a dict for JSON."""
    import contextlib

    import yaml

    import leadpilot

    out: dict = {"tree": str(Path(leadpilot.__file__).parents[1]), "setup": {}, "times": {}}
    stack = contextlib.ExitStack()
    if engine == "postgres":
        sys.path.insert(0, str(ROOT / "tests"))
        from pgserver import PgServer, fresh_schema_url

        server = PgServer(url=pg_url)  # not owned: only the schemas made here are dropped
        stack.callback(server.stop)
    if engine == "spark":
        from leadpilot.engine.spark import spark_session

        t0 = time.perf_counter()
        spark_session("local[2]", SPARK_CONF)
        out["setup"]["spark start"] = time.perf_counter() - t0

    def workspace(name: str) -> Path:
        backend = engine
        if engine == "postgres":
            backend = stack.enter_context(fresh_schema_url(server, name))
        ws = tmp / name
        ws.mkdir(parents=True)
        (ws / "leadpilot.yaml").write_text(yaml.safe_dump({"workspace": {"backend": backend}}))
        return ws

    def note(case: str, seconds: float) -> None:
        out["times"].setdefault(case, []).append(seconds)

    with stack:
        for run in range(runs + 1):
            ws = workspace(f"new{run}")
            t0 = time.perf_counter()
            lp = leadpilot.open(ws, create=True)
            t1 = time.perf_counter()
            first = lp.ingest(GOOD)
            t2 = time.perf_counter()
            lp.ingest(GOOD)
            t3 = time.perf_counter()
            lp.close()
            for case, seconds in (("open", t1 - t0), ("first", t2 - t1), ("again", t3 - t2)):
                note(case, seconds)
            out["loaded"] = sum(t.rows_loaded for t in first.tables.values())
        t0 = time.perf_counter()
        with leadpilot.open(workspace("big"), create=True) as lp:
            lp.ingest(data)
            out["setup"]["20,000 leads ingest"] = time.perf_counter() - t0
            for run in range(runs + 1):
                records = [{"lead_id": f"NEW{run:02d}-{i:03d}", "created_at": "2025-06-15 10:00:00",
                            "email": f"new{run}.{i}@bench-post.de",
                            "channel": ("paid_search", "email", "referral")[i % 3]}
                           for i in range(50)]  # fmt: skip
                t0 = time.perf_counter()
                summary = lp.ingest_records("leads", records=records)
                note("post", time.perf_counter() - t0)
                assert summary.tables["leads"].rows_loaded == 50, summary.tables["leads"]
    return out


def floor(runs: int) -> dict[str, list[float]]:
    """Hand-written DuckDB: read the six CSVs, delete their keys, insert them, count the
    touchpoints of unknown leads; one transaction, on a new database file (tables made
    before the clock starts), then the same again."""
    import duckdb

    files = {name: str(GOOD / f"{name}.csv") for name in KEYS}
    times: dict[str, list[float]] = {}
    for run in range(runs + 1):
        path = WORK / "floor" / f"floor{run}.duckdb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        con = duckdb.connect(str(path))
        keys = {}
        for name, file in files.items():
            present = con.sql(f"select * from read_csv('{file}') limit 0").columns
            keys[name] = "concat_ws('|', {})".format(
                ", ".join(f"{c}::varchar" for c in KEYS[name] if c in present))  # fmt: skip
            con.execute(f"create table {name} as select {keys[name]} as k, * "
                        f"from read_csv('{file}') limit 0")  # fmt: skip
        for case in ("first", "again"):
            t0 = time.perf_counter()
            con.execute("begin")
            for name, file in files.items():
                con.execute(f"create temp table s_{name} as select {keys[name]} as k, * "
                            f"from read_csv('{file}')")  # fmt: skip
                con.execute(f"delete from {name} where k in (select k from s_{name})")
                con.execute(f"insert into {name} select * from s_{name}")
                con.execute(f"drop table s_{name}")
            unknown = con.execute("select count(*) from touchpoints where lead_id not in "
                                  "(select lead_id from leads)").fetchone()  # fmt: skip
            con.execute("commit")
            times.setdefault(case, []).append(time.perf_counter() - t0)
            assert unknown == (0,), unknown
        con.close()
    return times


def command(env: dict, runs: int) -> list[float]:
    """``leadpilot ingest tests/data/good -w WS`` into a new workspace, as a new process."""
    exe = str(Path(sys.executable).with_name("leadpilot"))
    times = []
    for run in range(runs + 1):
        ws = WORK / "cli" / f"ws{run}"
        shutil.rmtree(ws, ignore_errors=True)
        t0 = time.perf_counter()
        subprocess.run([exe, "ingest", str(GOOD), "-w", str(ws)], env=env, check=True,
                       capture_output=True)  # fmt: skip
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=2, help="children per engine and tree")
    ap.add_argument("--leads", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--postgres", action=argparse.BooleanOptionalAction, default=None,
                    help="default: when PostgreSQL is installed")  # fmt: skip
    ap.add_argument("--spark", action="store_true", help="Spark local (the JVM starts once)")
    ap.add_argument("--write", default=str(HERE / "RESULTS.md"))
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--pg-url", default="", help=argparse.SUPPRESS)
    args = ap.parse_args()
    data = WORK / f"data-{args.leads}"
    if args.child:  # measuring process: prints its figures as one JSON line
        tmp = WORK / "ws" / f"{args.child}-{os.getpid()}"
        try:
            print("RESULT", json.dumps(child(args.child, args.runs, data, args.pg_url, tmp)))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return

    started = time.perf_counter()
    before_src = WORK / "before" / "src"
    shutil.rmtree(WORK, ignore_errors=True)
    before_src.parent.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", BEFORE, "src"], check=True,
                             capture_output=True).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(before_src.parent)], input=archive, check=True)
    from leadpilot.synth import generate, write_tables

    write_tables(generate(args.leads, seed=args.seed), data, fmt="parquet")
    trees = {"before": before_src, "now": ROOT / "src"}
    envs = {k: {**os.environ, "PYTHONPATH": str(src)} for k, src in trees.items()}

    server = None
    if args.postgres is not False:
        sys.path.insert(0, str(ROOT / "tests"))
        from pgserver import PgNotFound, start_server

        try:
            server = start_server()
        except PgNotFound:
            if args.postgres:
                raise
    engines = ["duckdb", *(["postgres"] if server else []), *(["spark"] if args.spark else [])]
    results: dict[tuple[str, str], dict] = {
        (e, t): {"times": {}, "setup": {}} for e in [*engines] for t in trees
    }
    # before and now alternate, in both orders (before-now, now-before...): a machine that
    # slows down or speeds up during the run weighs on both alike
    per_round = max(2, -(-args.runs // args.rounds))
    try:
        for engine in engines:
            for r in range(args.rounds):
                for tree in (list(trees) if r % 2 == 0 else list(trees)[::-1]):
                    cmd = [sys.executable, __file__, "--child", engine, "--runs", str(per_round),
                           "--pg-url", server.url if server else ""]  # fmt: skip
                    proc = subprocess.run(cmd, env=envs[tree], capture_output=True, text=True)
                    line = [s for s in proc.stdout.splitlines() if s.startswith("RESULT ")]
                    if proc.returncode or not line:
                        print(f"{engine} {tree} FAILED:\n{proc.stderr[-3000:]}", flush=True)
                        results[engine, tree]["error"] = proc.stderr.strip().splitlines()[-1:]
                        continue
                    res = json.loads(line[-1][len("RESULT "):])
                    got = results[engine, tree]
                    for case, times in res["times"].items():  # each child's warm-up dropped
                        got["times"].setdefault(case, []).extend(times[1:])
                    got["setup"], got["loaded"] = res["setup"], res.get("loaded")
                    print(engine, tree, r, res["tree"], {k: round(statistics.median(
                        v[1:]) * 1000) for k, v in res["times"].items()}, flush=True)  # fmt: skip
    finally:
        if server:
            server.stop()
    floors = floor(args.runs)
    cli = {tree: command(envs[tree], 5) for tree in trees}
    print("floor", {k: round(statistics.median(v[1:]) * 1000, 1) for k, v in floors.items()},
          "command", {k: round(statistics.median(v[1:]), 2) for k, v in cli.items()})

    def med(times: list[float] | None, warm_up: int = 1) -> float | None:
        return statistics.median(times[warm_up:]) * 1000 if times else None

    def ms(value: float | None) -> str:
        return "error" if value is None else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"

    lines = [
        SECTION,
        "",
        f"Machine: {machine()}. Run: `python bench/ingest_small.py --runs {args.runs} "
        f"--rounds {args.rounds}"
        + (" --spark" if args.spark else "") + f"`, {time.strftime('%Y-%m-%d')}; "
        f"{time.perf_counter() - started:.0f} s in all. Milliseconds, median of "
        f"{per_round * args.rounds} runs in {args.rounds} subprocesses per engine and tree "
        "(each one's first run discarded as warm-up), in-process; before = the source tree of "
        f"{BEFORE}, now = the working tree; before and now alternate (before-now, then "
        "now-before).",
        "",
        "| case | engine | before ms | now ms | change (now / before) | floor ms (now / floor) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for case, label in CASES.items():
        for engine in engines:
            b, n = (med(results[engine, t]["times"].get(case), 0) for t in trees)
            change = f"{n / b:.2f}× ({(n / b - 1) * 100:+.0f} %)" if b and n else ""
            fl = med(floors.get(case)) if engine == "duckdb" else None
            fl_text = f"{fl:.1f} ({n / fl:.0f}×)" if fl and n else ""
            lines.append(f"| {label} | {engine} | {ms(b)} | {ms(n)} | {change} | {fl_text} |")
    b, n = (med(cli[t]) for t in trees)
    lines.append(f"| 1. as a command: `leadpilot ingest tests/data/good -w WS` (new process) | "
                 f"duckdb | {ms(b)} | {ms(n)} | {n / b:.2f}× ({(n / b - 1) * 100:+.0f} %) | |")  # fmt: skip
    setups = "; ".join(
        f"{engine} {tree}: " + ", ".join(f"{k} {v:.1f} s" for k, v in
                                         results[engine, tree].get("setup", {}).items())
        for engine in engines for tree in trees)  # fmt: skip
    loaded = {results[e, t].get("loaded") for e in engines for t in trees}
    lines += [
        "",
        "- Case 1: tests/data/good (leads 6, touchpoints 5, stage events 8, deals 2, spend 3, "
        f"traffic 2 rows; rows loaded by the first ingest: {sorted(loaded, key=str)}), each run a "
        "new workspace (PostgreSQL: a new schema; the server has durability off, as in the "
        "tests); the re-ingest is the same call again on it. Case 2: one workspace per engine "
        f"and tree holding {args.leads:,} generated leads and their events (seed {args.seed}), "
        "50 leads with new ids and e-mails per run, the Pilot kept open as the service does.",
        "- Floor: hand-written DuckDB SQL in-process on a new database file (tables made "
        "beforehand): per file one read_csv into a staging table, delete its keys, insert, "
        "then one count of touchpoints whose lead is unknown; one transaction. The command "
        "row is a whole process (interpreter, imports, new workspace, ingest, summary), "
        "median of 5 runs after one warm-up.",
        f"- Set-up outside the timings: {setups}."
        + (" Spark: the JVM starts once per subprocess, outside the timings, with the tests' "
           "settings (local[2], one shuffle partition, no code generation)."
           if args.spark else ""),
        f"- Load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.",
    ]  # fmt: skip
    write_section(Path(args.write), SECTION, lines)
    print("\n".join(lines[4:]))
    print(f"wrote {args.write}")


if __name__ == "__main__":
    main()
