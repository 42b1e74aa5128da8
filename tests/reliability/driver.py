"""Run the ``leadpilot`` command with a pause at one phase of its writes.

``python driver.py PHASE MARKER RELEASE leadpilot-args...``: when the write reaches PHASE
(see ``leadpilot.engine.writing.phase``), the process writes its pid into MARKER and waits
until RELEASE exists (at most five minutes) before going on. The crash tests SIGKILL it
while it waits; the concurrency tests start readers and other writers meanwhile. PHASE
``-`` never pauses; ``PHASE#N`` pauses at its N-th occurrence (a new workspace is
created by a write of its own before the ingest's).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def main() -> None:
    phase, marker, release, *args = sys.argv[1:]
    phase, _, nth = phase.partition("#")
    seen = {"n": 0}
    import leadpilot.engine.writing as writing

    def pause(name: str) -> None:
        if name != phase:
            return
        seen["n"] += 1
        if seen["n"] != int(nth or 1):
            return
        Path(marker).write_text(str(os.getpid()))
        deadline = time.monotonic() + 300
        while not Path(release).exists() and time.monotonic() < deadline:
            time.sleep(0.02)

    writing.on_phase = pause
    from leadpilot.cli import main as cli

    sys.argv = ["leadpilot", *args]
    cli()


if __name__ == "__main__":
    main()
