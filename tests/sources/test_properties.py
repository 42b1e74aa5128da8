"""Property-based tests of ingestion: re-ingesting is idempotent, nothing is lost."""

from __future__ import annotations

import string
from datetime import datetime, timedelta

import pytest
from helpers import data_only, snapshot, write_config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import leadpilot

emails = st.sampled_from(["a@x.com", "A@x.com ", "b@y.org", "c@z.net", "", "d@x.com"])
channels = st.sampled_from(["paid_search", "Paid Search", "email", "", "events"])
lead_rows = st.lists(
    st.tuples(
        st.text(string.ascii_uppercase + string.digits, min_size=1, max_size=4),
        st.integers(0, 400),
        emails,
        channels,
    ),
    min_size=1,
    max_size=25,
    unique_by=lambda r: r[0],
)


@pytest.mark.slow  # make test-quick leaves it out
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=lead_rows)
def test_reingest_is_idempotent_and_lossless(tmp_path_factory, rows):
    base = tmp_path_factory.mktemp("p")
    src = base / "src"
    src.mkdir()
    start = datetime(2025, 1, 1)
    lines = ["lead_id,created_at,email,channel"]
    for lid, day, email, channel in rows:
        lines.append(f"{lid},{(start + timedelta(days=day)):%Y-%m-%d},{email},{channel}")
    (src / "leads.csv").write_text("\n".join(lines) + "\n")
    ws = write_config(base / "ws").parent
    with leadpilot.open(ws) as lp:
        first = lp.ingest(src)
    once = snapshot(ws)
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
        leads = lp.table("leads")
    twice = snapshot(ws)
    assert data_only(once) == data_only(twice)
    # every record is kept; counted + merged = read
    assert len(leads) == len(rows)
    assert first.leads_merged + sum(first.channels.values()) == len(rows)
    assert leads.channel.notna().all()
