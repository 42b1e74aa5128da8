"""Scale: the same commands from 10 K to 5 M leads (about 20 touchpoints each) on DuckDB, and
on Spark local, timed step by step with the peak memory of the whole process tree (the JVM
included) and the disk the workspace takes.

    nice -n 10 python bench/scale.py [--sizes 10000,100000,1000000] [--spark 1000000]
                                     [--plot-only]

Each step runs in its own process (imports outside the timing); a thread of the parent reads
the resident memory of the step's process and its children every 0.1 s. Generated data is
kept in bench/data/scale-N (5 M is generated as five 1 M parts with their own identifiers).
Figures go to bench/scale.json, bench/scale.png and a section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

from results import machine, write_section

HERE = Path(__file__).parent
DATA = HERE / "data"
WORK = HERE / "work" / "scale"
OUT = HERE / "scale.json"
PNG = HERE / "scale.png"
PART = 1_000_000  # largest generated part (the generator holds a part in memory)

COMMANDS = ["ingest", "kpis", "funnel", "velocity", "attribution", "scoring"]

STEP = r"""
import json, sys, time
step, data, work, n = sys.argv[1:5]
if step == "generate":
    from pathlib import Path
    import pyarrow as pa, pyarrow.compute as pc, pyarrow.parquet as pq
    from leadpilot.synth import generate
    n, part = int(n), int(sys.argv[5])
    out = Path(data); out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    parts = max(1, n // part)
    writers = {}
    for k in range(parts):
        tables = generate(n // parts, seed=42 + k)
        for name, t in tables.items():
            if parts > 1:
                if name in ("spend", "traffic"):
                    if k:
                        continue  # dated per channel: the first part's, once
                else:
                    for col in ("lead_id", "deal_id", "touch_id"):
                        if col in t.column_names:
                            i = t.column_names.index(col)
                            t = t.set_column(i, col, pc.binary_join_element_wise(
                                pa.scalar(f"P{k}-"), t[col].cast(pa.string()), ""))
            if name not in writers:
                writers[name] = pq.ParquetWriter(out / f"{name}.parquet", t.schema)
            writers[name].write_table(t.cast(writers[name].schema))
        del tables
    counts = {}
    for name, w in writers.items():
        w.close()
        counts[name] = pq.ParquetFile(out / f"{name}.parquet").metadata.num_rows
    print(json.dumps({"seconds": time.perf_counter() - t0, "rows": counts}))
    raise SystemExit
import leadpilot
import leadpilot.pilot  # noqa: F401
from leadpilot.attribution import compute_attribution  # noqa: F401  (imports are not the work)
from leadpilot.metrics import velocity  # noqa: F401
t0 = time.perf_counter()
with leadpilot.open(work, create=(step == "ingest")) as lp:
    t1 = time.perf_counter()  # opening (Spark: the session) is reported apart
    if step == "ingest":
        s = lp.ingest(data)
        out = {t: v.rows_loaded for t, v in s.tables.items()}
    elif step == "kpis":
        out = len(lp.kpi_result(by="channel", period="month").rows)
    elif step == "funnel":
        out = len(lp.funnel_result(by="channel").rows)
    elif step == "velocity":
        out = len(lp.velocity_result(by="channel").rows)
    elif step == "attribution":
        out = len(lp.attribution_result(models="all", by="channel").rows)
    elif step == "scoring":
        out = len(lp.score_apply_result(store=True).frame)
    t2 = time.perf_counter()
print(json.dumps({"seconds": t2 - t1, "open": t1 - t0, "out": out}))
"""


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = Path(f"/proc/{d}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(d))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
        todo.extend(children.get(p, []))
    return total


def run_step(step: str, data: Path, work: Path, n: int) -> dict:
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1"}
    args = [sys.executable, "-c", STEP, step, str(data), str(work), str(n), str(PART)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    peak = [0]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            stop.wait(0.1)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    out, err = proc.communicate()
    stop.set()
    t.join()
    if proc.returncode:
        tail = err.decode(errors="replace").strip().splitlines()[-3:]
        return {"error": " | ".join(tail)[-400:], "peak_mb": peak[0] / 2**20}
    result = json.loads(out.decode().strip().splitlines()[-1])
    result["peak_mb"] = peak[0] / 2**20
    result["load"] = os.getloadavg()[0]  # the machine is shared: how busy it was
    return result


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0


def workspace(engine: str, n: int) -> Path:
    ws = WORK / f"{engine}-{n}"
    if ws.exists():
        shutil.rmtree(ws)
    ws.mkdir(parents=True)
    if engine == "spark":
        cfg = (
            "workspace:\n  backend: spark\n  spark:\n    master: local[2]\n"
            f"    warehouse: {ws / 'warehouse'}\n    conf:\n      spark.driver.memory: 4g\n"
        )
    else:
        cfg = "workspace:\n  backend: duckdb\n"
    (ws / "leadpilot.yaml").write_text(cfg)
    return ws


def measure(engine: str, n: int, results: dict) -> None:
    data = DATA / f"scale-{n}"
    key = f"{engine}-{n}"
    entry = results.setdefault(key, {"engine": engine, "leads": n, "steps": {}})
    if not (data / "leads.parquet").exists():
        print(f"generating {n:,} leads", flush=True)
        entry["generate"] = run_step("generate", data, data, n)
    rows = {p.stem: _parquet_rows(p) for p in data.glob("*.parquet")}
    entry["rows"] = rows
    ws = workspace(engine, n)
    for step in COMMANDS:
        r = run_step(step, data, ws, n)
        entry["steps"][step] = r
        print(key, step, json.dumps(r), flush=True)
        if step == "ingest":
            entry["disk_bytes"] = du(ws)
            if "error" in r:
                break
        OUT.write_text(json.dumps(results, indent=1))
    entry["disk_bytes"] = du(ws)
    OUT.write_text(json.dumps(results, indent=1))


def _parquet_rows(p: Path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(p).metadata.num_rows


# ---------------------------------------------------------------------- plot and section
def plot(results: dict) -> None:
    import altair as alt
    import pandas as pd
    import vl_convert as vlc

    rows = [
        {"engine": e["engine"], "leads": e["leads"], "command": s, "seconds": r["seconds"]}
        for e in results.values()
        for s, r in e["steps"].items()
        if "seconds" in r and r["seconds"] > 0
    ]
    df = pd.DataFrame(rows)
    chart = (
        alt.Chart(df, title="leadpilot: time against size (log-log)")
        .mark_line(point=True)
        .encode(
            x=alt.X("leads:Q", scale=alt.Scale(type="log"), title="leads (≈20 touchpoints each)"),
            y=alt.Y("seconds:Q", scale=alt.Scale(type="log"), title="seconds"),
            color=alt.Color("command:N"),
            strokeDash=alt.StrokeDash("engine:N", legend=None),
            shape=alt.Shape("engine:N"),
        )
        .properties(width=560, height=380)
    )
    PNG.write_bytes(vlc.vegalite_to_png(chart.to_json(), scale=2))


def section(results: dict, note: str = "") -> list[str]:
    lines = [
        "## Scale: 10 K to 5 M leads on DuckDB, 1 M on Spark local (`bench/scale.py`), "
        f"{date.today():%Y-%m-%d}",
        "",
        f"Machine: {machine()}; load average while the steps ran: {_loads(results)} "
        "(read at the end of each step; 2 cores: about 2 is this run alone). "
        "Run: `nice -n 10 python bench/scale.py --sizes 10000,100000,1000000,5000000`. "
        "Seconds of the command's work "
        "(imports and, on Spark, the session's start are outside; the start is in the notes); "
        "peak memory of the whole process tree (the JVM included); disk used by the workspace "
        "folder after the run. Plot: bench/scale.png (log-log).",
        *(["", note] if note else []),
        "",
        "| engine | leads | touchpoints | " + " | ".join(COMMANDS) + " | peak MB | disk MB |",
        "|---|---:|---:|" + "---:|" * len(COMMANDS) + "---:|---:|",
    ]
    for e in sorted(results.values(), key=lambda e: (e["engine"] != "duckdb", e["leads"])):
        cells = []
        for s in COMMANDS:
            r = e["steps"].get(s)
            cells.append(
                "—" if r is None else ("failed" if "error" in r else f"{r['seconds']:.2f}")
            )
        peak = max((r.get("peak_mb", 0) for r in e["steps"].values()), default=0)
        lines.append(
            f"| {e['engine']} | {e['leads']:,} | {e['rows'].get('touchpoints', 0):,} | "
            + " | ".join(cells)
            + f" | {peak:,.0f} | {e.get('disk_bytes', 0) / 2**20:,.0f} |"
        )
    lines += ["", "Peak memory per step (MB):", ""]
    for e in sorted(results.values(), key=lambda e: (e["engine"] != "duckdb", e["leads"])):
        per = ", ".join(
            f"{s} {r.get('peak_mb', 0):,.0f}" for s, r in e["steps"].items()
        )
        opened = [r["open"] for r in e["steps"].values() if "open" in r]
        extra = f"; opening the workspace {min(opened):.1f}–{max(opened):.1f} s" if opened else ""
        lines.append(f"- {e['engine']} {e['leads']:,}: {per}{extra}")
        for s, r in e["steps"].items():
            if "error" in r:
                lines.append(f"  - {s} failed: {r['error']}")
    duck = sorted((e for e in results.values() if e["engine"] == "duckdb"), key=lambda e: e["leads"])
    lines += [
        "",
        "Growth on DuckDB, step by step: the time ratio against the size ratio (linear or "
        "better: the first is at most the second; below 1 M leads fixed costs dominate):",
        "",
    ]
    for s in COMMANDS:
        steps = []
        for lo, hi in zip(duck, duck[1:], strict=False):
            a, b = lo["steps"].get(s, {}), hi["steps"].get(s, {})
            if "seconds" in a and "seconds" in b:
                steps.append(
                    f"{lo['leads']:,} → {hi['leads']:,}: ×{b['seconds'] / a['seconds']:.1f} "
                    f"for ×{hi['leads'] / lo['leads']:.0f}"
                )
        if steps:
            lines.append(f"- {s}: " + "; ".join(steps))
    top = duck[-1] if duck else None
    if top is not None:
        peak = max((r.get("peak_mb", 0) for r in top["steps"].values()), default=0)
        failed = [s for s, r in top["steps"].items() if "error" in r]
        lines += [
            "",
            f"At {top['leads']:,} leads ({top['rows'].get('touchpoints', 0):,} touchpoints): "
            f"peak memory {peak / 1024:.1f} GB (target: under 8 GB), "
            f"{'failed: ' + ', '.join(failed) if failed else 'no step failed'}, workspace "
            f"{top.get('disk_bytes', 0) / 2**30:.1f} GB on disk.",
        ]
    return lines


def _loads(results: dict) -> str:
    loads = [r["load"] for e in results.values() for r in e["steps"].values() if "load" in r]
    return f"{min(loads):.1f}–{max(loads):.1f}" if loads else "not recorded"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--spark", default="1000000", help="sizes on Spark local ('' for none)")
    ap.add_argument("--plot-only", action="store_true")
    ap.add_argument("--note", default="", help="a paragraph for RESULTS.md (conditions)")
    args = ap.parse_args()
    results = json.loads(OUT.read_text()) if OUT.exists() else {}
    if not args.plot_only:
        for n in [int(s) for s in args.sizes.split(",") if s]:
            measure("duckdb", n, results)
        for n in [int(s) for s in args.spark.split(",") if s]:
            measure("spark", n, results)
    plot(results)
    write_section(HERE / "RESULTS.md", "## Scale", section(results, args.note))


if __name__ == "__main__":
    main()
