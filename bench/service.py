"""Load test of the service on a large generated workspace (loopback only, bounded).

    .venv/bin/python bench/service.py [--leads 1000000] [--requests 300]

1. generates the leads (Parquet) and ingests them once into bench/work/service/root/big
   (kept for later runs), with scoring rules in its leadpilot.yaml;
2. times the CLI (`leadpilot kpis` / `funnel`, a process each: what a script pays);
3. starts `leadpilot serve` on a free loopback port (a process of its own) and measures,
   with a fixed number of requests each, requests per second and p50 / p95 latency of the
   KPI, funnel and score endpoints: cold (``Cache-Control: no-cache``: computed), cached,
   and while an ingest of a batch runs (then every answer must still be a 200); the
   batch scoring path of one lead (what the score endpoint ran before the real-time
   scorer) is timed in-process before the server starts;
4. stops the server and writes its section of bench/RESULTS.md.

Targets (issue 13): cached p95 < 50 ms, cold KPI within 1.5x the CLI's time, the real-time
score of one lead < 20 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from results import machine, write_section  # noqa: E402

WORK = HERE / "work" / "service"
ROOT = WORK / "root"  # root-<leads> once the size is known
WS = ROOT / "big"
BIN = Path(sys.executable).parent / "leadpilot"
CONFIG = """\
currency: EUR
scoring:
  threshold: 30
  fit:
    - {column: seniority, in: [vp, director, c_level], points: 15}
    - {column: company_size, min: 50, points: 10}
  behaviour:
    - {type: webinar_attendance, points: 15, repeatable: false}
    - {type: email_click, points: 3, cap: 12}
    - {type: form_submit, points: 10}
"""
KPIS = "/api/v1/workspaces/big/kpis?by=channel&period=month"
FUNNEL = "/api/v1/workspaces/big/funnel?by=channel"
SCORE = "/api/v1/workspaces/big/score"
KNOWN = "L0000008"  # a generated lead with touches: its behaviour is looked up
LEAD = {"lead_id": "web-form-1", "created_at": "2026-03-01", "seniority": "vp",
        "company_size": 250, "industry": "Software", "channel": "paid_search"}  # fmt: skip


def prepare(leads: int, seed: int) -> float:
    """The workspace (made once); returns the ingest's seconds (0 when it existed)."""
    import leadpilot.pilot as pilot

    if (WS / "leadpilot.duckdb").exists():
        return 0.0
    data = WORK / f"data-{leads}"
    if not (data / "leads.parquet").exists():
        print(f"generating {leads:,} leads ...", flush=True)
        pilot.generate(data, leads=leads, seed=seed)
    WS.mkdir(parents=True, exist_ok=True)
    (WS / "leadpilot.yaml").write_text(CONFIG)
    print("ingesting ...", flush=True)
    t0 = time.perf_counter()
    with pilot.open(WS, create=True) as lp:
        lp.ingest(data)
    return time.perf_counter() - t0


def cli_seconds(args: list[str], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([str(BIN), *args, "-w", str(WS), "--format", "json"], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def batch_score_seconds(runs: int = 3) -> float:
    """The batch path a posted lead took before the real-time scorer (and ``score apply
    --input`` still takes): a file of the lead, scored by the engine queries; median."""
    import leadpilot.pilot as pilot
    from leadpilot.records import batch_file, records_csv

    times = []
    with pilot.open(WS) as lp, batch_file("leads", records_csv("leads", [LEAD], "b")) as path:
        for _ in range(runs):
            t0 = time.perf_counter()
            lp.score_apply_result(input=path, store=False)
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stats(samples: list[float], wall: float | None = None) -> dict:
    ms = sorted(x * 1000 for x in samples)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return {
        "n": len(ms),
        "p50": statistics.median(ms),
        "p95": p95,
        "rps": len(ms) / wall if wall else None,
    }


SERVER_PID: int | None = None  # the server's CPU time per request is read from /proc


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(client: httpx.Client, method: str, url: str, n: int, **kw) -> dict:
    samples, t_all = [], time.perf_counter()
    cpu0 = cpu_seconds(SERVER_PID) if SERVER_PID else None
    for _ in range(n):
        t0 = time.perf_counter()
        r = client.request(method, url, **kw)
        samples.append(time.perf_counter() - t0)
        if r.status_code != 200:
            raise RuntimeError(f"{method} {url}: {r.status_code} {r.text[:300]}")
    out = stats(samples, time.perf_counter() - t_all)
    if cpu0 is not None:
        out["cpu"] = (cpu_seconds(SERVER_PID) - cpu0) * 1000 / n
    return out


def batch_csv(n: int) -> bytes:
    lines = ["lead_id,created_at,channel,campaign,seniority,company_size"]
    lines += [f"bench-{i},2026-03-{1 + i % 28:02d},paid_search,bench_batch,manager,{10 + i % 500}"
              for i in range(n)]  # fmt: skip
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--leads", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--batch", type=int, default=50_000)
    opts = ap.parse_args()
    global ROOT, WS, SERVER_PID
    ROOT = WORK / f"root-{opts.leads}"
    WS = ROOT / "big"
    os.environ["LEADPILOT_SECRET_FILE"] = str(WORK / "secret")
    ingest_s = prepare(opts.leads, opts.seed)

    from leadpilot.access import KeyStore

    store = KeyStore(WS)
    read_key = store.create("read", "bench")[0]
    write_key = store.create("write", "bench")[0]

    print("timing the CLI ...", flush=True)
    cli_kpis = cli_seconds(["kpis", "--by", "channel", "--period", "month"])
    cli_funnel = cli_seconds(["funnel", "--by", "channel"])
    print("timing the batch scoring path of one lead ...", flush=True)
    batch_score = batch_score_seconds()

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(BIN), "serve", "--root", str(ROOT), "--port", str(port), "--max-batch-mb", "16"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    SERVER_PID = server.pid
    out: dict[str, dict] = {}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        n = opts.requests
        fresh = {"Cache-Control": "no-cache"}
        with httpx.Client(base_url=url, headers={"X-API-Key": read_key}, timeout=300) as c:
            print("cold ...", flush=True)
            out["kpis cold"] = timed(c, "GET", KPIS, 5, headers=fresh)
            out["funnel cold"] = timed(c, "GET", FUNNEL, 5, headers=fresh)
            print("cached ...", flush=True)
            out["kpis cached"] = timed(c, "GET", KPIS, n)
            out["funnel cached"] = timed(c, "GET", FUNNEL, n)
            print("score ...", flush=True)
            mem = {"before": rss_mb(server.pid)}
            # the first call makes the version's scorer (rules, model, every lead's behaviour)
            out["score one lead, first (makes the scorer)"] = timed(
                c, "POST", SCORE, 1, json={"leads": [LEAD]}
            )
            mem["after"] = rss_mb(server.pid)
            load = [os.getloadavg()[0]]
            out["score one lead"] = timed(c, "POST", SCORE, n, json={"leads": [LEAD]})
            known = LEAD | {"lead_id": KNOWN}
            out["score one known lead"] = timed(c, "POST", SCORE, n, json={"leads": [known]})
            batch = [LEAD | {"lead_id": f"web-{i}"} for i in range(20)]
            out["score 20 leads"] = timed(c, "POST", SCORE, max(10, n // 5),
                                          json={"leads": batch})  # fmt: skip
            load.append(os.getloadavg()[0])
            mem["load"] = load

            print(f"during an ingest of {opts.batch:,} leads ...", flush=True)
            body = batch_csv(opts.batch)
            done, result = threading.Event(), {}

            def ingest():
                t0 = time.perf_counter()
                with httpx.Client(base_url=url, headers={"X-API-Key": write_key},
                                  timeout=900) as w:  # fmt: skip
                    r = w.post("/api/v1/workspaces/big/ingest/leads", content=body,
                               headers={"Content-Type": "text/csv"})  # fmt: skip
                result["status"], result["seconds"] = r.status_code, time.perf_counter() - t0
                done.set()

            version = c.get("/api/v1/workspaces/big").json()["version"]
            thread = threading.Thread(target=ingest)
            thread.start()
            time.sleep(0.5)
            during = {"kpis cached": [], "funnel cached": [], "score one lead": [],
                      "kpis cold": []}  # fmt: skip
            failures: list[str] = []

            def cold_reads():  # beside the quick requests: each takes seconds
                with httpx.Client(base_url=url, headers={"X-API-Key": read_key},
                                  timeout=300) as cc:  # fmt: skip
                    while not done.is_set() and len(during["kpis cold"]) < 2:
                        t0 = time.perf_counter()
                        r = cc.get(KPIS, headers=fresh)
                        if r.status_code != 200:
                            failures.append(f"cold kpis {r.status_code}")
                            return
                        during["kpis cold"].append(time.perf_counter() - t0)

            cold_thread = threading.Thread(target=cold_reads)
            cold_thread.start()
            t_all, count = time.perf_counter(), 0
            while not done.is_set() and count < 20 * n:
                for name, (method, path, kw) in {
                    "kpis cached": ("GET", KPIS, {}),
                    "funnel cached": ("GET", FUNNEL, {}),
                    "score one lead": ("POST", SCORE, {"json": {"leads": [LEAD]}}),
                }.items():
                    t0 = time.perf_counter()
                    r = c.request(method, path, **kw)
                    if r.status_code != 200:
                        raise RuntimeError(f"during the ingest: {path} {r.status_code}")
                    during[name].append(time.perf_counter() - t0)
                    count += 1
            cold_thread.join()
            if failures:
                raise RuntimeError(f"during the ingest: {failures}")
            wall = time.perf_counter() - t_all
            thread.join()
            if result.get("status") != 200:
                raise RuntimeError(f"the ingest answered {result}")
            for name, samples in during.items():
                if samples:
                    out[f"{name}, during the ingest"] = stats(samples, wall if "cold" not in name
                                                              else None)  # fmt: skip
            after = c.get("/api/v1/workspaces/big").json()["version"]
            assert after > version
            out["kpis cold, after the ingest"] = timed(c, "GET", KPIS, 1)
            out["score one lead, first after the ingest (makes the scorer)"] = timed(
                c, "POST", SCORE, 1, json={"leads": [LEAD]}
            )
            # the batch again: idempotent, nothing changes; then leave the workspace as it was
            ingest_s2 = result["seconds"]
        report(opts, ingest_s, cli_kpis, cli_funnel, out, ingest_s2, batch_score, mem)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    # remove the batch so the next run measures the same workspace
    import leadpilot.pilot as pilot

    with pilot.open(WS) as lp:
        remove_batch(lp)


def remove_batch(lp) -> None:
    """The leads the run ingested, removed (inside the workspace's write block when it
    has one: a workspace may be opened read-only)."""
    ws = lp.workspace
    with ws.writing() if hasattr(ws, "writing") else contextlib.nullcontext():
        ws.backend.delete_where_in("leads", "campaign", ["bench_batch"])


def report(opts, ingest_s, cli_kpis, cli_funnel, out, batch_s, batch_score, mem) -> None:
    def row(name: str, s: dict) -> str:
        rps = f"{s['rps']:.0f}" if s.get("rps") else ""
        cpu = f"{s['cpu']:.1f}" if s.get("cpu") is not None else ""
        return f"| {name} | {s['n']} | {rps} | {s['p50']:.1f} | {s['p95']:.1f} | {cpu} |"

    cold = out["kpis cold"]["p50"] / 1000
    lines = [
        "## Service: REST API on loopback (`bench/service.py`)",
        "",
        f"Machine: {machine()}. Run: `.venv/bin/python bench/service.py --leads "
        f"{opts.leads} --requests {opts.requests}`, {date.today().isoformat()}. One "
        f"`leadpilot serve` process (2 reader connections), one client on the same host, "
        f"requests one after another; workspace of {opts.leads:,} generated leads"
        + (f" (ingested in {ingest_s:.0f} s)" if ingest_s else "") + ".",
        "",
        "| request | n | requests/s | p50 (ms) | p95 (ms) | server CPU per request (ms) |",
        "|---|---:|---:|---:|---:|---:|",
        *[row(name, s) for name, s in out.items()],
        "",
        f"- CLI, same questions (a process each, median of 3): `kpis --by channel --period "
        f"month` {cli_kpis:.2f} s, `funnel --by channel` {cli_funnel:.2f} s. Cold KPI answer "
        f"(p50) {cold:.2f} s = {cold / cli_kpis:.2f}x the CLI (target <= 1.5x).",
        f"- Cached p95: KPI {out['kpis cached']['p95']:.1f} ms, funnel "
        f"{out['funnel cached']['p95']:.1f} ms (target < 50 ms). Real-time score of one lead: "
        f"p95 {out['score one lead']['p95']:.1f} ms, a known lead (its touches looked up) "
        f"{out['score one known lead']['p95']:.1f} ms (target < 20 ms); the batch path it "
        f"replaces (the lead as a file, `score_apply_result(input=...)`, in-process, median "
        f"of 3) {batch_score:.2f} s.",
        f"- The scorer of a version (Pilot.realtime_scorer: rules, model, every lead's "
        f"behaviour at the as-of date) is made by the first score request after a change: "
        f"{out['score one lead, first (makes the scorer)']['p50'] / 1000:.1f} s; the server's "
        f"memory went from {mem['before']:,.0f} to {mem['after']:,.0f} MB.",
        f"- Load average (1 min) of the machine while the score requests ran: "
        f"{mem['load'][0]:.1f} then {mem['load'][1]:.1f} on {os.cpu_count()} cores (other "
        f"work shares them): a request's latency beyond its server CPU is time spent "
        f"waiting for a core.",
        f"- During the ingest: a batch of {opts.batch:,} leads posted as CSV (one transaction, "
        f"{batch_s:.1f} s); reads went on and every answer was a 200 (cached answers of the "
        "version before it until it committed; cold reads see the data before or after it).",
        "- cold = `Cache-Control: no-cache` (computed, then cached); cached = the same "
        "question again at the same workspace version; server CPU per request = the server "
        "process's user + system time over the requests (/proc), what a request costs "
        "whatever else the machine runs.",
    ]
    write_section(HERE / "RESULTS.md", "## Service", lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
