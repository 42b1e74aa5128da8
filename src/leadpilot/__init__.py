"""leadpilot: pilot B2B lead generation by revenue, not by volume.

import leadpilot
lp = leadpilot.open("my-workspace")
lp.kpis(by="channel", period="quarter")
"""

__version__ = "0.1.0"


def open(path=".", create=False):  # noqa: A001 - the natural name for a notebook user
    """Open a workspace folder; see :class:`leadpilot.pilot.Pilot`."""
    from .pilot import open as _open

    return _open(path, create=create)
