"""What the reliability tests share: generated workspaces' states, a writer process that
can be paused (and killed) at a named phase of its write, and the figures printed at the end
of the session. (A module of its own: ``from conftest import`` finds whichever conftest was
imported first, which depends on the order the tests run in.)

Sizes and counts are bounded for ``make test``; ``make reliability`` raises them through
the environment: ``LEADPILOT_RELIABILITY_KILLS`` (kills of an ingest, default 3),
``LEADPILOT_RELIABILITY_LEADS`` (leads of the base set, default 1500) and the
Hypothesis profile ``reliability`` (more examples).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import leadpilot

KILLS = int(os.environ.get("LEADPILOT_RELIABILITY_KILLS", "3"))
LEADS = int(os.environ.get("LEADPILOT_RELIABILITY_LEADS", "1500"))
DRIVER = Path(__file__).with_name("driver.py")
VOLATILE = {"ingested_at"}  # the time of the ingest itself
FIGURES: dict[str, object] = {}  # printed at the end of the session (make reliability)


def state(ws: Path) -> dict[str, tuple[int, int]]:
    """(rows, order-free checksum of the rows) of every table; opening must work."""
    out = {}
    with leadpilot.open(ws) as lp:
        con = lp.workspace.con
        for name in sorted(con.list_tables()):
            cols = [c for c in con.table(name).columns if c not in VOLATILE]
            row = ", ".join('"' + c.replace('"', '""') + '"' for c in cols)
            quoted = '"' + name.replace('"', '""') + '"'
            n, h = con.raw_sql(
                f"SELECT count(*), coalesce(sum(hash(row({row}))::HUGEINT), 0) FROM {quoted}"
            ).fetchone()
            out[name] = (int(n), int(h))
    return out


def shadows(ws: Path) -> list[str]:
    return sorted(p.name for p in ws.iterdir() if ".writing-" in p.name)


@dataclass
class Writer:
    """A ``leadpilot`` process started through the driver (paused at ``phase``)."""

    proc: subprocess.Popen
    marker: Path
    release: Path
    started: float = field(default_factory=time.monotonic)

    def paused(self, timeout: float = 120) -> bool:
        """Wait until the process reached its phase (False: it ended first)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.marker.exists():
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.02)
        raise AssertionError("the writer never reached its phase")

    def go_on(self) -> None:
        self.release.write_text("go")

    def kill(self) -> None:
        """SIGKILL, by its own pid."""
        os.kill(self.proc.pid, 9)
        self.proc.wait(timeout=30)

    def finish(self, timeout: float = 300) -> tuple[int, str, str]:
        out, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, out, err


def start_writer(tmp: Path, args: list[str], phase: str = "-") -> Writer:
    tmp.mkdir(parents=True, exist_ok=True)
    n = len(list(tmp.glob("marker-*")))
    marker, release = tmp / f"marker-{n}", tmp / f"release-{n}"
    env = os.environ | {"LEADPILOT_LANG": "en", "COLUMNS": "200"}
    proc = subprocess.Popen(
        [sys.executable, str(DRIVER), phase, str(marker), str(release), *map(str, args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    return Writer(proc, marker, release)


@dataclass
class Bench:
    """Workspace ``base`` (set A ingested), set B to ingest into copies of it, and the
    states before and after that ingest (``after_ws``: the copy set B was ingested into,
    left as that ingest left it)."""

    root: Path
    data_b: Path
    base: Path
    before: dict
    after: dict
    seconds: float  # the whole ingest process, started to ended
    counter: list = field(default_factory=lambda: [0])
    after_ws: Path | None = None

    def copy(self, source: Path | None = None) -> Path:
        """A new copy of ``base`` (or of ``source``, e.g. ``after_ws``)."""
        self.counter[0] += 1
        dst = self.root / f"ws-{self.counter[0]}"
        shutil.copytree(source or self.base, dst)
        return dst

    def ingest_b(self, ws: Path, phase: str = "-", *extra: str) -> Writer:
        args = ["ingest", self.data_b, "-w", ws, "--format", "json", *extra]
        return start_writer(self.root / f"ctl-{ws.name}", args, phase)
