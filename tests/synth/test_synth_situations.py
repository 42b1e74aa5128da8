"""The situations seeded for later analyses to find, recomputed independently with pandas.

Figures are per the generated tables only (no generator internals), on 20,000 leads.
"""

from __future__ import annotations

import pandas as pd
import pytest


@pytest.fixture(scope="module")
def leads(frames) -> pd.DataFrame:
    leads = frames["leads"].copy()
    events = frames["stage_events"]
    reached = events.groupby("stage").lead_id.apply(set)
    sql_or_later = reached["sql"] | reached["opportunity"] | reached["customer"]
    leads["sql"] = leads.lead_id.isin(sql_or_later)
    leads["customer"] = leads.lead_id.isin(reached["customer"])
    leads["quarter"] = leads.created_at.dt.to_period("Q").astype(str)
    return leads


def test_volume_doubles_while_closing_rate_falls(leads):
    """Situation 1: 2025-Q2 has about twice 2025-Q1's leads, at well under half its closing rate,
    and fewer customers; mainly through cheap paid_social leads."""
    by_q = leads.groupby("quarter").agg(leads=("lead_id", "size"), customers=("customer", "sum"))
    by_q["closing"] = by_q.customers / by_q.leads
    q1, q2 = by_q.loc["2025Q1"], by_q.loc["2025Q2"]
    assert 1.8 <= q2.leads / q1.leads <= 2.2
    assert 0.12 <= q1.closing <= 0.18
    assert 0.04 <= q2.closing <= 0.08
    assert q2.customers < q1.customers
    others = by_q.drop(["2025Q1", "2025Q2"])
    assert others.closing.between(0.05, 0.15).all(), others
    q1_leads, q2_leads = (leads[leads.quarter == q] for q in ("2025Q1", "2025Q2"))
    extra = len(q2_leads) - len(q1_leads)
    extra_social = (q2_leads.campaign.str.startswith(("pso_", "paid_social")).sum()
                    - q1_leads.campaign.str.startswith(("pso_", "paid_social")).sum())  # fmt: skip
    assert extra_social > 0.7 * extra
    assert (q2_leads.campaign == "paid_social_cheap_leadgen").sum() > 0.4 * extra


def test_cheap_leads_expensive_customers(leads, frames):
    """Situation 2: CPL 20 at ~3 % closing costs more per customer than CPL 80 at ~17 %."""
    spend = frames["spend"].groupby("campaign").amount.sum()
    stats = leads.groupby("campaign").agg(leads=("lead_id", "size"), customers=("customer", "sum"))
    cheap = stats.loc["paid_social_cheap_leadgen"]
    dear = stats.loc["paid_search_high_intent"]
    n = len(leads)
    assert 450 <= cheap.leads / n * 10_000 <= 550
    assert 130 <= dear.leads / n * 10_000 <= 170
    cpl_cheap = spend["paid_social_cheap_leadgen"] / cheap.leads
    cpl_dear = spend["paid_search_high_intent"] / dear.leads
    assert 17 <= cpl_cheap <= 23
    assert 70 <= cpl_dear <= 90
    assert 0.015 <= cheap.customers / cheap.leads <= 0.045
    assert 0.12 <= dear.customers / dear.leads <= 0.22
    cost_per_customer_cheap = spend["paid_social_cheap_leadgen"] / cheap.customers
    cost_per_customer_dear = spend["paid_search_high_intent"] / dear.customers
    assert cost_per_customer_dear < 0.9 * cost_per_customer_cheap


def test_inbound_volume_outbound_quality(leads):
    """Situation 3: inbound ~4x the leads of outbound, at a third of its SQL rate."""
    by_acq = leads.groupby("acquisition").agg(leads=("lead_id", "size"), sql=("sql", "mean"))
    inbound, outbound = by_acq.loc["inbound"], by_acq.loc["outbound"]
    assert 3.3 <= inbound.leads / outbound.leads <= 4.7
    assert 0.12 <= inbound.sql <= 0.18
    assert 0.38 <= outbound.sql <= 0.52


def test_channels_differ_in_quality(leads):
    rate = leads.dropna(subset=["channel"]).groupby("channel").customer.mean()
    assert rate["outbound"] > 2 * rate["paid_social"]
    assert rate["paid_search"] > 2 * rate["paid_social"]
    assert rate.max() / rate.min() > 3
    overall = leads.customer.mean()
    assert 0.05 <= overall <= 0.15


def test_fit_and_engagement_convert(leads, frames):
    """Senior buyers in fitting companies, and engaged leads, become customers more often."""
    senior = leads.customer[leads.seniority.isin(["director", "vp"])].mean()
    junior = leads.customer[leads.seniority == "individual"].mean()
    assert senior > 1.5 * junior
    engaging = {"email_open", "email_click", "download", "webinar_attendance"}
    touches = frames["touchpoints"]
    engaged = touches[touches.type.isin(engaging)].groupby("lead_id").size()
    count = leads.lead_id.map(engaged).fillna(0)
    top = count >= count.quantile(0.75)
    assert leads.customer[top].mean() > 1.5 * leads.customer[~top].mean()
