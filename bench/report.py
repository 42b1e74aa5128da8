"""Report generation time on a large generated workspace; figures go to bench/RESULTS.md.

Generates and ingests N leads (1,000,000 by default; the data and workspace are kept in
bench/work/report and reused with --reuse), then times, for one quarter:

- gathering the figures (``Pilot.report``: the diagnosis, headline, funnel, channels,
  twelve monthly cohorts, velocity, attribution under every model, scoring evaluation),
  analysis by analysis;
- writing the HTML in French (charts drawn) and in English, the PDF, the Excel workbook and
  the Markdown from the gathered figures;
- ``leadpilot report`` end to end in a new process (imports included).

    python bench/report.py [--leads N] [--seed S] [--period 2025-Q2] [--reuse]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from results import machine, write_section

HERE = Path(__file__).parent
WORK = HERE / "work" / "report"
SECTION = "## Report generation (`bench/report.py`)"
TIMED = ("diagnosis", "kpi_result", "funnel_result", "velocity_result", "attribution_result",
         "score_evaluate")  # fmt: skip


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--leads", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--period", default="2025-Q2")
    ap.add_argument("--reuse", action="store_true", help="keep the data and workspace")
    ap.add_argument("--write", default=str(HERE / "RESULTS.md"))
    args = ap.parse_args()

    import leadpilot
    from leadpilot.synth import generate, write_tables

    data, ws = WORK / f"data-{args.leads}", WORK / f"ws-{args.leads}"
    setup = {}
    if not (args.reuse and any((ws / f).exists() for f in ("leadpilot.yaml", "leadpilot.duckdb"))):
        shutil.rmtree(WORK, ignore_errors=True)
        t0 = time.perf_counter()
        write_tables(generate(args.leads, seed=args.seed), data, fmt="parquet")
        setup["generate"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        with leadpilot.open(ws, create=True) as lp:
            lp.ingest(data)
        setup["ingest"] = time.perf_counter() - t0
        print(f"setup: {setup}", flush=True)

    steps: dict[str, list[float]] = {}
    with leadpilot.open(ws) as lp:
        for name in TIMED:  # time each analysis the report asks for
            method = getattr(lp, name)

            def timed(*a, _m=method, _n=name, **k):
                t0 = time.perf_counter()
                out = _m(*a, **k)
                steps.setdefault(_n, []).append(time.perf_counter() - t0)
                return out

            setattr(lp, name, timed)
        t0 = time.perf_counter()
        report = lp.report(args.period)
        gather = time.perf_counter() - t0
        counts = report.data.counts
    print(f"gather {gather:.1f} s: { {k: round(sum(v), 1) for k, v in steps.items()} }",
          flush=True)  # fmt: skip

    out = WORK / "out"
    out.mkdir(parents=True, exist_ok=True)
    renders = {}
    for label, fmt, lang in (("HTML, French (charts drawn: wide and phone)", "html", "fr"),
                             ("HTML, English", "html", "en"), ("PDF, French", "pdf", "fr"),
                             ("Excel, French", "xlsx", "fr"), ("Markdown, French", "md", "fr")):  # fmt: skip
        t0 = time.perf_counter()
        path = report.write(out / f"report-{lang}.{fmt}", lang=lang)
        renders[label] = (time.perf_counter() - t0, path.stat().st_size)
        print(f"{label}: {renders[label][0]:.2f} s, {renders[label][1]:,} bytes", flush=True)
    memory = peak_mb()

    cli = [sys.executable, "-m", "leadpilot", "report", "-w", str(ws), "--period", args.period,
           "--lang", "fr", "--out", str(out / "cli.html")]  # fmt: skip
    t0 = time.perf_counter()
    subprocess.run(cli, check=True, capture_output=True)
    end_to_end = time.perf_counter() - t0
    print(f"leadpilot report end to end: {end_to_end:.1f} s", flush=True)

    n_calls = sum(len(v) for v in steps.values())
    lines = [
        SECTION,
        "",
        f"Machine: {machine()}. Run: `python bench/report.py --leads {args.leads}` (seed "
        f"{args.seed}, period {args.period}), {time.strftime('%Y-%m-%d')}. Workspace: "
        + ", ".join(f"{t} {n:,}" for t, n in counts.items())
        + " rows"
        + (f"; generate {setup['generate']:.0f} s, ingest {setup['ingest']:.0f} s" if setup else "")
        + ".",
        "",
        "| step | seconds | notes |",
        "|---|---:|---|",
        f"| **gather the figures** (`Pilot.report`) | **{gather:.1f}** | {n_calls} analyses "
        "on the workspace, then nothing but rendering |",
    ]
    names = {
        "diagnosis": "diagnosis by channel (both periods, tests, decomposition, data quality)",
        "kpi_result": "KPIs: headline of both periods, open pipeline, channels, 12 months",
        "funnel_result": "funnel of the period",
        "velocity_result": "velocity of the period, overall and by channel (Kaplan–Meier)",
        "attribution_result": "attribution, every model, by quarter",
        "score_evaluate": "scoring evaluation (no model trained here: none found)",
    }
    for name in TIMED:
        if name in steps:
            lines.append(f"| &nbsp;&nbsp;{names[name]} | {sum(steps[name]):.1f} | "
                         f"{len(steps[name])} call(s) |")  # fmt: skip
    for label, (seconds, size) in renders.items():
        lines.append(f"| write {label} | {seconds:.2f} | {size / 1024:,.0f} KiB |")
    lines += [
        f"| **`leadpilot report --lang fr`** (new process, imports included, HTML) | "
        f"**{end_to_end:.1f}** | |",
        "",
        f"Load average at the end of the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} "
        "cores (other jobs on the machine stretch every time above). "
        f"Peak memory of the gathering and rendering process: {memory:,.0f} MB. The charts of "
        "a language are drawn once (vl-convert, no network) and shared by its HTML and PDF; "
        "the figures are gathered once for every format and language.",
    ]
    write_section(Path(args.write), SECTION, lines)
    print(f"wrote {args.write}")


if __name__ == "__main__":
    main()
