"""Synthetic B2B lead-generation data in the canonical model, with seeded situations to find.

``generate(n_leads, seed)`` returns the six canonical tables as pyarrow Tables;
``write_tables(tables, out_dir, fmt)`` writes them as ``<table>.parquet`` or ``<table>.csv``.
The business behind the data (channels, campaigns, funnel rates, costs) is in ``catalog``.
"""

from .build import generate
from .write import write_tables

__all__ = ["generate", "write_tables"]
