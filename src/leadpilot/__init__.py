"""leadpilot: pilot B2B lead generation by revenue, not by volume.

import leadpilot
lp = leadpilot.open("my-workspace")      # a leadpilot.Pilot
lp.kpis(by="channel", period="quarter")
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["Pilot", "__version__", "open"]

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    from .pilot import Pilot


def open(path: str | Path = ".", create: bool = False) -> Pilot:  # noqa: A001 - a notebook's word
    """Open a workspace folder; see :class:`leadpilot.Pilot` (its errors name the
    methods' parameters: ``date_from``, ``months``...)."""
    from .pilot import open as _open

    return _open(path, create=create, names="python")


def __getattr__(name: str):
    # the Pilot class, imported when first asked for: ``import leadpilot`` stays light
    # (the engine, Ibis and the metrics load with the first workspace opened)
    if name == "Pilot":
        from .pilot import Pilot

        return Pilot
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), "Pilot"})
