"""The rules the ingest validator enforces hold exactly, at every size and seed."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from leadpilot.synth import generate

LAST_ALLOWED = pd.Timestamp("2026-06-30 23:59:59")
FUNNEL = ["mql", "sal", "sql", "opportunity", "customer"]


def check_integrity(tables: dict[str, pa.Table]) -> None:
    f = {name: t.to_pandas() for name, t in tables.items()}
    leads, touches, events, deals = f["leads"], f["touchpoints"], f["stage_events"], f["deals"]
    spend, traffic = f["spend"], f["traffic"]

    assert leads.lead_id.is_unique
    assert deals.deal_id.is_unique
    assert touches.touch_id.is_unique
    known = set(leads.lead_id)
    for child in (touches, events, deals):
        assert set(child.lead_id) <= known

    created = events.lead_id.map(leads.set_index("lead_id").created_at)
    assert (events.ts >= created).all()
    marker = events.stage == "lead"
    assert (events.ts[~marker] > created[~marker]).all()
    assert (events.ts[marker] == created[marker]).all()

    closed = deals.status.isin(["won", "lost"])
    assert deals.closed_at[closed].notna().all()
    assert deals.closed_at[~closed].isna().all()
    assert (deals.closed_at[closed] >= deals.created_at[closed]).all()

    for frame, column in [
        (deals, "amount"),
        (spend, "amount"),
        (spend, "impressions"),
        (spend, "clicks"),
        (traffic, "visitors"),
        (leads, "company_size"),
    ]:
        assert (frame[column].dropna() >= 0).all(), column
    assert (spend.clicks.dropna() <= spend.impressions.dropna()).all()

    assert not spend.fillna({"campaign": "", "content": ""}).duplicated(
        ["date", "channel", "campaign", "content"]).any()  # fmt: skip
    assert not traffic.fillna({"channel": "", "content": ""}).duplicated(
        ["date", "channel", "content"]).any()  # fmt: skip

    for name, frame in f.items():
        for column in frame.columns:
            values = frame[column].dropna()
            if column == "date":
                values = pd.to_datetime(values)
            if pd.api.types.is_datetime64_any_dtype(values) and len(values):
                assert values.max() <= LAST_ALLOWED, (name, column)
    check_funnel_order(events, deals)


def check_funnel_order(events: pd.DataFrame, deals: pd.DataFrame) -> None:
    """One event per stage and lead; stages strictly in order; deals match their stages."""
    steps = events[events.stage.isin(FUNNEL)]
    assert not steps.duplicated(["lead_id", "stage"]).any()
    wide = steps.pivot(index="lead_id", columns="stage", values="ts").reindex(columns=FUNNEL)
    for earlier, later in zip(FUNNEL, FUNNEL[1:], strict=False):
        both = wide[earlier].notna() & wide[later].notna()
        assert (wide.loc[both, later] > wide.loc[both, earlier]).all(), (earlier, later)
    # A later stage implies the earlier ones, except a skipped SAL.
    for earlier, later in [("mql", "sql"), ("sql", "opportunity"), ("opportunity", "customer")]:
        assert wide.loc[wide[later].notna(), earlier].notna().all(), (earlier, later)

    assert deals.lead_id.is_unique  # one deal per opportunity
    opp = wide.opportunity.dropna()
    assert set(deals.lead_id) == set(opp.index)
    assert (deals.set_index("lead_id").created_at == opp.reindex(deals.lead_id).values).all()
    won = deals[deals.status == "won"].set_index("lead_id").closed_at
    customers = wide.customer.dropna()
    assert set(won.index) == set(customers.index)
    assert (won == customers.reindex(won.index)).all()

    exits = events[events.stage.isin(["rejected", "disqualified"])]
    assert exits.reason.notna().all()
    assert events.reason[~events.stage.isin(["rejected", "disqualified"])].isna().all()
    sales = events[events.stage.isin(["sal", "sql", "opportunity"])]
    assert sales.owner.notna().all()


def test_medium(medium):
    check_integrity(medium)


def test_small(small):
    check_integrity(small)


@pytest.mark.parametrize("n,seed", [(1, 1), (60, 2), (1_000, 3), (5_000, 4)])
def test_other_sizes_and_seeds(n, seed):
    check_integrity(generate(n, seed=seed))


def test_rejected_only_unaccepted_mqls(frames):
    events = frames["stage_events"]
    rejected = set(events.lead_id[events.stage == "rejected"])
    mqls = set(events.lead_id[events.stage == "mql"])
    accepted = set(events.lead_id[events.stage.isin(["sal", "sql"])])
    assert rejected <= mqls
    assert not rejected & accepted


def test_some_sal_skipped_and_lead_event_partial(frames):
    events, leads = frames["stage_events"], frames["leads"]
    sql = set(events.lead_id[events.stage == "sql"])
    sal = set(events.lead_id[events.stage == "sal"])
    skipped = len(sql - sal) / len(sql)
    assert 0.02 < skipped < 0.12
    with_lead_event = events.lead_id[events.stage == "lead"].nunique() / len(leads)
    assert 0.5 < with_lead_event < 0.9


def test_recent_opportunities_more_often_open(frames):
    deals = frames["deals"]
    recent = deals.created_at >= "2025-10-01"
    open_recent = (deals.status[recent] == "open").mean()
    open_old = (deals.status[~recent] == "open").mean()
    assert open_recent > 2 * open_old
