"""What the benchmark scripts share: the machine line and their section of RESULTS.md."""

from __future__ import annotations

import os
import platform
from pathlib import Path

TITLE = "# Benchmark results"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, Python {platform.python_version()}"


def write_section(path: Path, key: str, lines: list[str]) -> None:
    """Put a benchmark's section (``lines``, starting with its ``## `` heading) in RESULTS.md.

    The section whose heading starts with ``key`` is replaced where it stands (appended when
    absent); the other benchmarks' sections are kept, so each script can be rerun alone.
    """
    sections: list[list[str]] = []
    if path.exists():
        for line in path.read_text().splitlines():
            if line.startswith("## ") or not sections:
                sections.append([])
            sections[-1].append(line)
    if not sections or sections[0][:1] != [TITLE]:
        sections.insert(0, [TITLE, ""])
    body = [*lines]
    while body and not body[0].strip():
        body.pop(0)
    while body and not body[-1].strip():
        body.pop()
    body.append("")
    at = next((i for i, s in enumerate(sections) if s[0].startswith(key)), None)
    if at is None:
        sections.append(body)
    else:
        sections[at] = body
    path.write_text("\n".join(line for s in sections for line in s).rstrip("\n") + "\n")
