"""leadpilot: pilot B2B lead generation by revenue, not by volume.

import leadpilot
lp = leadpilot.open("my-workspace")      # a leadpilot.Pilot
lp.kpis(by="channel", period="quarter")
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["Pilot", "__version__", "generate", "open", "path_attribution"]

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    from .pilot import Pilot


def open(path: str | Path = ".", create: bool = False) -> Pilot:  # noqa: A001 - a notebook's word
    """Open a workspace folder; see :class:`leadpilot.Pilot` (its errors name the
    methods' parameters: ``date_from``, ``months``...)."""
    from .pilot import open as _open

    return _open(path, create=create, names="python")


def generate(out_dir: str | Path, leads: int = 10_000, seed: int = 42, fmt: str = "parquet"):
    """Write a synthetic B2B dataset (the six canonical tables); see
    :func:`leadpilot.pilot.generate` (errors name its parameters: ``leads``...)."""
    from .pilot import generate as _generate

    return _generate(out_dir, leads=leads, seed=seed, fmt=fmt, names="python")


def path_attribution(path: str | Path, models: list[str] | str | None = None,
                     workspace: str | Path | None = None):  # fmt: skip
    """Attribution of an aggregated path file, without a workspace; see
    :func:`leadpilot.pilot.path_attribution` (errors name its parameters)."""
    from .pilot import path_attribution as _path_attribution

    return _path_attribution(path, models=models, workspace=workspace, names="python")


def __getattr__(name: str):
    # the Pilot class, imported when first asked for: ``import leadpilot`` stays light
    # (the engine, Ibis and the metrics load with the first workspace opened)
    if name == "Pilot":
        from .pilot import Pilot

        return Pilot
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), "Pilot"})
