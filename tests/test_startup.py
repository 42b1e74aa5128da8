"""A command imports only what it uses (issue 10: start-up is part of a command's time).

Checked in a new interpreter, since the suite itself has imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
from leadpilot.cli import main
after_import = sorted(m for m in HEAVY if m in sys.modules)
sys.argv = ["leadpilot", *ARGS]
try:
    main()
except SystemExit:
    pass
print(json.dumps({"import": after_import, "run": sorted(m for m in HEAVY if m in sys.modules)}),
      file=sys.stderr)
"""
HEAVY = ("pandas", "ibis", "duckdb", "scipy", "sklearn", "statsmodels", "altair", "vl_convert",
         "jinja2", "weasyprint", "xlsxwriter", "fastapi", "uvicorn", "leadpilot.pilot")  # fmt: skip


def probe(*args: str) -> dict:
    code = f"HEAVY = {HEAVY!r}\nARGS = {list(args)!r}\n{PROBE}"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return json.loads(proc.stderr.strip().splitlines()[-1])


def test_help_and_kpis_import_only_what_they_use(tmp_path, good_dir):
    import leadpilot

    demo_ws = tmp_path / "ws"
    with leadpilot.open(demo_ws, create=True) as lp:
        lp.ingest(good_dir)

    helped = probe("--help")
    assert helped["import"] == [], "importing the command line loads " + ", ".join(helped["import"])
    assert helped["run"] == [], "--help loads " + ", ".join(helped["run"])

    kpis = probe("kpis", "-w", str(demo_ws), "--by", "channel", "--format", "json")
    assert {"ibis", "duckdb", "leadpilot.pilot"} <= set(kpis["run"])  # it did compute
    unused = {"scipy", "sklearn", "statsmodels", "altair", "vl_convert", "jinja2", "weasyprint",
              "xlsxwriter", "fastapi", "uvicorn"}  # fmt: skip
    assert not unused & set(kpis["run"]), f"kpis loads {sorted(unused & set(kpis['run']))}"
