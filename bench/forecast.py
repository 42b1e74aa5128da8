"""Back-test of the pipeline forecast on generated data; figures go to bench/RESULTS.md.

From the state at several past dates, forecast the next six months of won revenue and
compare with what was then won from the deals and leads that existed at that date.

    python bench/forecast.py [--leads N] [--seed S]
"""

from __future__ import annotations

import argparse
import shutil
import time
from datetime import date
from pathlib import Path

from results import machine, write_section

import leadpilot
from leadpilot.diagnostics.forecast import backtest
from leadpilot.synth import generate, write_tables

HERE = Path(__file__).parent
DATES = (date(2024, 9, 30), date(2024, 12, 31), date(2025, 3, 31), date(2025, 6, 30),
         date(2025, 9, 30))  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--leads", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--write", default=str(HERE / "RESULTS.md"))
    args = ap.parse_args()
    work = HERE / "work-forecast"
    shutil.rmtree(work, ignore_errors=True)
    write_tables(generate(args.leads, seed=args.seed), work / "data", fmt="parquet")
    with leadpilot.open(work / "ws", create=True) as lp:
        lp.ingest(work / "data")
        lines = [
            f"## Pipeline forecast back-test ({args.leads:,} generated leads, seed {args.seed}), "
            f"{date.today().isoformat()}",
            "",
            f"Machine: {machine()}. `python bench/forecast.py`: from each date, forecast six "
            "months of won revenue (open deals and MQLs/SQLs in the funnel; no new lead) and "
            "compare with what was then won from the deals and leads that existed on that "
            "date. Error = (forecast − actual) / actual over the six months; coverage = whole "
            "months (the as-of date's month is only its rest, left out) whose actual falls in "
            "the 80 % interval: about 80 % of them should.",
            "",
            "| as of | forecast | actual | error | months in the 80 % interval | seconds |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        errors = []
        inside = compared = 0
        for at in DATES:
            t0 = time.perf_counter()
            b = backtest(lp.tables(), lp.config, at, months=6)
            seconds = time.perf_counter() - t0
            errors.append(abs(b["total_error"] or 0))
            inside += b["months_inside_interval"]
            compared += b["months_compared"]
            lines.append(
                f"| {at} | {b['forecast_total']:,.0f} | {b['actual_total']:,.0f} | "
                f"{b['total_error']:+.1%} | {b['months_inside_interval']} / {b['months_compared']} "
                f"| {seconds:.1f} |"
            )
            print(lines[-1])
        lines += ["", f"Mean absolute error over the six-month totals: "
                      f"{sum(errors) / len(errors):.1%}; months in the 80 % interval: "
                      f"{inside} / {compared} ({inside / compared:.0%})."]  # fmt: skip
        # the interval is itself simulated: its coverage over other seeds of the draws
        per_seed = []
        for seed in range(1, 6):
            runs = [backtest(lp.tables(), lp.config, at, months=6, seed=seed) for at in DATES]
            per_seed.append((sum(b["months_inside_interval"] for b in runs),
                             sum(b["months_compared"] for b in runs)))  # fmt: skip
        ins, n = sum(i for i, _ in per_seed), sum(c for _, c in per_seed)
        lines.append(
            f"With the draws' seeds 1 to 5 instead of 42: {', '.join(f'{i}' for i, _ in per_seed)}"
            f" of {per_seed[0][1]} months inside; {ins} / {n} ({ins / n:.0%})."
        )
    write_section(Path(args.write), "## Pipeline forecast back-test", lines)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
