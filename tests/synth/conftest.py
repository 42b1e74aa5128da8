"""Generated datasets shared by the synth tests (generated once per session: they are pure)."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from leadpilot.synth import generate

# Large enough for the seeded situations to show within tolerance, small enough to be fast.
N_MEDIUM = 20_000


@pytest.fixture(scope="session")
def medium() -> dict[str, pa.Table]:
    return generate(N_MEDIUM, seed=42)


@pytest.fixture(scope="session")
def small() -> dict[str, pa.Table]:
    return generate(200, seed=7)


@pytest.fixture(scope="session")
def frames(medium) -> dict[str, pd.DataFrame]:
    return {name: table.to_pandas() for name, table in medium.items()}
