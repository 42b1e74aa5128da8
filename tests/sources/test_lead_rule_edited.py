"""A lead rule edited in the workspace's leadpilot.yaml counts at once.

The rule (``leads:``: exclusions, e-mail merges) is stored with the leads at each ingest;
before, an edit of leadpilot.yaml changed nothing until the next ingest, silently (the
ICP, computed as the data is read, applied at once: the two disagreed). Now the analyses
apply an edited rule as they read and say so; the next ingest, of any file, stores it. A
rule that a source's own leadpilot.yaml sets for its ingest is not an edit: it stays.
"""

from __future__ import annotations

import pytest
import yaml

import leadpilot
from leadpilot.doctor import examine

LEADS = [  # lead_id, created_at, e-mail, lifecycle
    ("L1", "2025-01-02", "a@x.com", "lead"),
    ("L2", "2025-01-03", "b@x.com", "partner"),
    ("L3", "2025-01-04", "c@x.com", "lead"),
    ("L4", "2025-01-05", "a@x.com", "lead"),  # L1's e-mail, 3 days later
    ("L5", "2025-02-01", "e@x.com", "partner"),
]
PARTNERS = {x[0] for x in LEADS if x[3] == "partner"}


def write_sources(folder, deals: bool = True):
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["lead_id,created_at,email,channel,lifecycle"]
    rows += [f"{i},{d},{e},seo,{life}" for i, d, e, life in LEADS]
    (folder / "leads.csv").write_text("\n".join(rows) + "\n")
    if deals:
        (folder / "deals.csv").write_text(
            "deal_id,lead_id,created_at,status,closed_at,amount\n"
            "D1,L2,2025-01-10,won,2025-02-10,500\nD2,L3,2025-01-10,won,2025-02-10,300\n"
        )
    return folder


def set_rule(ws, rule: dict | None):
    path = ws / "leadpilot.yaml"
    cfg = yaml.safe_load(path.read_text())
    cfg.pop("leads", None)
    if rule is not None:
        cfg["leads"] = rule
    path.write_text(yaml.safe_dump(cfg))


def counts(ws) -> tuple[dict, bool]:
    """The counts, and whether the KPIs and the funnel say the rule changed."""
    with leadpilot.open(ws) as lp:
        kpis = lp.kpi_result(kpis="leads,customers,revenue")
        funnel = lp.funnel_result()
    codes = {n.code for n in kpis.meta.notices} | {n.code for n in funnel.meta.notices}
    (row,) = kpis.rows
    return {k: row[k] for k in ("leads", "customers", "revenue")}, "lead_rule_changed" in codes


def test_an_edited_rule_counts_at_once_and_the_next_ingest_stores_it(make_workspace, tmp_path):
    ws = make_workspace()
    with leadpilot.open(ws) as lp:
        lp.ingest(write_sources(tmp_path / "data"))
    before, said = counts(ws)
    # every record but L4 (merged into L1, same e-mail within 90 days)
    assert before == {"leads": 4, "customers": 2, "revenue": 800} and not said

    set_rule(ws, {"exclude": {"lifecycle": ["partner"]}, "dedupe_by_email": False})
    after, said = counts(ws)
    assert after == {"leads": len(LEADS) - len(PARTNERS), "customers": 1, "revenue": 300}
    assert said
    assert "lead_rule_changed" in {p.code for p in examine(ws).problems}
    with leadpilot.open(ws) as lp:  # the stored columns are still the old rule's
        stored = lp.table("leads").set_index("lead_id")
    assert stored["excluded_reason"].isna().all() and stored.loc["L4", "merged_into"] == "L1"

    # an ingest of another table stores the rule: the same counts, nothing to say
    with leadpilot.open(ws) as lp:
        lp.ingest_records("touchpoints", [{"lead_id": "L1", "ts": "2025-01-09", "type": "visit"}])
        stored = lp.table("leads").set_index("lead_id")
    assert set(stored.index[stored["excluded_reason"].notna()]) == PARTNERS
    assert stored["merged_into"].isna().all()
    assert counts(ws) == (after, False)
    assert "lead_rule_changed" not in {p.code for p in examine(ws).problems}


def test_a_rule_set_by_the_sources_configuration_stays(make_workspace, tmp_path):
    ws = make_workspace()
    data = write_sources(tmp_path / "data")
    (data / "leadpilot.yaml").write_text(
        yaml.safe_dump(
            {
                "sources": [
                    {"path": "leads.csv", "table": "leads"},
                    {"path": "deals.csv", "table": "deals"},
                ],
                "leads": {"exclude": {"lifecycle": ["partner"]}},
            }
        )  # fmt: skip
    )
    with leadpilot.open(ws) as lp:
        lp.ingest(data / "leadpilot.yaml")
    got, said = counts(ws)
    assert got == {"leads": 2, "customers": 1, "revenue": 300} and not said


@pytest.fixture
def edited(shared_workspaces):
    """A DuckDB workspace whose rule was edited after its ingest (shared by the tests that
    only read it)."""

    def build(ws):
        with leadpilot.open(ws) as lp:
            lp.ingest(write_sources(ws.parent / f"{ws.name}-data", deals=False))
        set_rule(ws, {"dedupe_by_email": False})

    return shared_workspaces.get("duckdb", "edited", build)


def test_every_analysis_of_an_edited_rule_says_it(edited):
    with leadpilot.open(edited) as lp:
        velocity = lp.velocity_result()
        sources = lp.sources_result()
    for result in (velocity, sources):
        assert "lead_rule_changed" in {n.code for n in result.meta.notices}


def test_the_notice_reads_in_french(edited):
    from leadpilot.i18n import message_in

    with leadpilot.open(edited) as lp:
        (said,) = [n for n in lp.kpi_result().meta.notices if n.code == "lead_rule_changed"]
    assert message_in(str(said), "fr").startswith("leads : la règle des leads")
