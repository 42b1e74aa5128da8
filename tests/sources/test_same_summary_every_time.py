"""An ingest's summary says the same thing on every ingest and every engine.

A lead whose stage history is out of order at several stages is named once, by its
first stage out of order along the funnel (its SQL dated before its MQL), the same on
every ingest. An unordered distinct kept any of the lead's issues: on the HubSpot example
one lead was said "customer" on two ingests and "opportunity" on three. Channels of as
many leads were listed in the order the engine grouped them (Zoho: events and email, 371
leads each, swapped between DuckDB and PostgreSQL): most leads first, then by name."""

from __future__ import annotations

import collections
import csv

import leadpilot

LEADS = 300


def _write(folder, name: str, rows: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def test_each_lead_is_named_by_its_first_stage_out_of_order(tmp_path):
    data = tmp_path / "data"
    _write(data, "leads", [{"lead_id": f"L{i}", "created_at": "2025-01-01"}
                           for i in range(LEADS)])  # fmt: skip
    # each lead: SQL before its MQL, opportunity before both, customer before all three
    stages = (("mql", "2025-01-10"), ("sql", "2025-01-05"), ("opportunity", "2025-01-03"),
              ("customer", "2025-01-02"))  # fmt: skip
    _write(data, "stage_events", [{"lead_id": f"L{i}", "stage": s, "ts": ts}
                                  for i in range(LEADS) for s, ts in stages])  # fmt: skip
    named = collections.Counter()
    for run in range(3):
        with leadpilot.open(tmp_path / f"ws{run}", create=True) as lp:
            summary = lp.ingest(data)
        out_of_order = [p for p in summary.problems if "out of order" in p.expected]
        assert out_of_order, summary.problems
        named.update(p.value.split()[0] for p in out_of_order)
        (warning,) = [w for w in summary.warnings if "out of order" in w]
        assert f"{LEADS} row(s)" in warning and "ts sql 2025-01-05" in warning
    assert set(named) == {"sql"}


def test_channels_of_as_many_leads_are_listed_by_name(tmp_path):
    data = tmp_path / "data"
    channels = ["web", "email", "web", "ads", "email", "ads", "ads", "zeta", "beta", None]
    _write(data, "leads", [{"lead_id": f"L{i}", "created_at": "2025-01-01", "channel": c or ""}
                           for i, c in enumerate(channels)])  # fmt: skip
    with leadpilot.open(tmp_path / "ws", create=True) as lp:
        summary = lp.ingest(data)
    listed = list(summary.channels)
    assert listed[0] == "ads" and listed[1:3] == ["email", "web"], listed
    assert listed[3:] == ["beta", "unknown", "zeta"], listed  # a blank channel: unknown
