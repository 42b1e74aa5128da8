"""Run the ``leadpilot`` command with a pause at one phase of its writes.

``python driver.py PHASE MARKER RELEASE leadpilot-args...``: when the write reaches PHASE
(see ``leadpilot.engine.writing.phase``), the process writes its pid into MARKER and waits
until RELEASE exists (at most two minutes) before going on. The crash tests SIGKILL it
while it waits; the concurrency tests start readers and other writers meanwhile. PHASE
``-`` never pauses.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def main() -> None:
    phase, marker, release, *args = sys.argv[1:]
    import leadpilot.engine.writing as writing

    def pause(name: str) -> None:
        if name != phase:
            return
        Path(marker).write_text(str(os.getpid()))
        deadline = time.monotonic() + 120
        while not Path(release).exists() and time.monotonic() < deadline:
            time.sleep(0.02)

    writing.on_phase = pause
    from leadpilot.cli import main as cli

    sys.argv = ["leadpilot", *args]
    cli()


if __name__ == "__main__":
    main()
