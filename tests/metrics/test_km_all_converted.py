"""Conversion by day N (Kaplan–Meier) of a group whose leads all converted: nobody is left
to convert, so the share holds at every later day. The curve stopped at the last conversion
day instead (every lead won on day 4: 'by day 30' null), on the Salesforce example every
channel's sql_by_day_* was null although all 8,300 leads reached SQL within 15 days."""

from __future__ import annotations

import pytest

import leadpilot


@pytest.fixture(scope="module")
def lp(tmp_path_factory):
    ws = tmp_path_factory.mktemp("km") / "ws"
    pilot = leadpilot.open(ws, create=True)
    # a: three leads of January, all customers on day 4; b: two of January, one customer
    # on day 4 and one open, seen until the data's end (June 30: 180 days); c: one lead
    # customer on day 4 and one open lead created 20 days before the end
    leads = [("A0", "a", "2025-01-01"), ("A1", "a", "2025-01-01"), ("A2", "a", "2025-01-01"),
             ("B0", "b", "2025-01-01"), ("B1", "b", "2025-01-01"),
             ("C0", "c", "2025-01-01"), ("C1", "c", "2025-06-10")]  # fmt: skip
    pilot.ingest_records("leads", [{"lead_id": i, "created_at": d, "channel": c}
                                   for i, c, d in leads])  # fmt: skip
    won = ["A0", "A1", "A2", "B0", "C0"]
    pilot.ingest_records("stage_events", [{"lead_id": i, "stage": "customer", "ts": "2025-01-05"}
                                          for i in won] + [  # fmt: skip
        {"lead_id": "B1", "stage": "mql", "ts": "2025-06-30"}])  # the data's end
    yield pilot
    pilot.close()


def test_a_group_that_all_converted_holds_its_share_at_every_later_day(lp):
    rows = {r["channel"]: r for r in lp.velocity_result(by=["channel"]).rows}
    for h in (30, 60, 90, 180):
        assert rows["a"][f"customer_by_day_{h}"] == 1.0, h
    # an open lead seen 180 days: the curve holds 1/2 up to day 180
    assert [rows["b"][f"customer_by_day_{h}"] for h in (30, 60, 90, 180)] == [0.5] * 4
    # an open lead seen 20 days only, no conversion after it: unknown beyond day 20 (the
    # conversion came before it was censored, so leads are still at risk there)
    c = rows["c"]
    assert c["customer_by_day_30"] is None and c["customer_by_day_180"] is None
