"""leadpilot: pilot B2B lead generation by revenue, not by volume."""

__version__ = "0.1.0"
