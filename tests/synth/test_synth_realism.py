"""The data looks like a B2B business: coherent sources, plausible people, engagement, money."""

from __future__ import annotations

import pandas as pd

from leadpilot.synth import catalog

PAID = {"paid_search", "paid_social"}


def test_created_within_the_calendar(frames):
    created = frames["leads"].created_at
    assert created.min() >= pd.Timestamp("2024-01-01")
    assert created.max() < pd.Timestamp("2026-01-01")
    weekend = created.dt.day_of_week >= 5
    assert weekend.mean() < 0.12  # B2B forms are filled on workdays


def test_sources_are_consistent(frames):
    leads = frames["leads"]
    acquisition = {c.name: c.acquisition for c in catalog.CHANNELS}
    known = leads.dropna(subset=["channel"])
    assert (known.acquisition == known.channel.map(acquisition)).all()
    campaign_channel = {c.name: c.channel for c in catalog.CAMPAIGNS}
    assert (known.campaign.map(campaign_channel) == known.channel).all()
    assert known.campaign.groupby(known.channel).nunique().between(2, 5).all()
    search = known[known.channel == "paid_search"]
    assert set(search.utm_medium) == {"cpc"} and "google" in set(search.utm_source)
    assert set(known.utm_medium[known.channel == "paid_social"]) == {"paid_social"}
    assert set(known.utm_source[known.channel == "email"]) == {"newsletter"}
    for channel in ("referral", "organic_search"):
        assert known.referrer[known.channel == channel].notna().all()
    assert known.referrer[~known.channel.isin(["referral", "organic_search"])].isna().all()
    tagged = known.channel.isin(["paid_search", "paid_social", "email", "partners"])
    assert (known.utm_campaign[tagged] == known.campaign[tagged]).all()


def test_some_leads_lack_a_channel_but_keep_utms(frames):
    leads = frames["leads"]
    missing = leads.channel.isna()
    assert 0.04 <= missing.mean() <= 0.06
    assert leads.utm_source[missing].notna().all()
    assert leads.utm_medium[missing].notna().all()


def test_people_and_companies(frames):
    leads = frames["leads"]
    assert 8 <= leads.industry.nunique() <= 10
    assert leads.company_size.between(1, 20_000).all()
    assert leads.company_size.median() < leads.company_size.mean()  # skewed
    assert set(leads.seniority) == {"c_level", "vp", "director", "manager", "individual"}
    assert leads.country.value_counts(normalize=True).iloc[0] < 0.4
    per_company = leads.groupby("company")
    assert (per_company.industry.nunique() == 1).all()
    assert (per_company.country.nunique() == 1).all()
    assert leads.email.str.contains("@").all()


def test_repeat_records_share_an_email(frames):
    leads = frames["leads"].sort_values("created_at")
    key = leads.email.str.strip().str.lower()
    repeats = leads[key.duplicated()]
    assert 0.003 <= len(repeats) / len(leads) <= 0.007
    assert (repeats.email != repeats.email.str.strip().str.lower()).all()  # other case or spaces
    first = leads[~key.duplicated()].assign(key=key).set_index("key").created_at
    gap = repeats.created_at.values - first.reindex(key[key.duplicated()]).values
    assert (gap > pd.Timedelta(0)).all() and (gap <= pd.Timedelta(days=8)).all()
    children = set(frames["touchpoints"].lead_id) | set(frames["stage_events"].lead_id)
    assert not set(repeats.lead_id) & children
    assert leads.email[~key.duplicated()].is_unique


def test_touchpoints(frames):
    touches, leads = frames["touchpoints"], frames["leads"]
    per_lead = len(touches) / len(leads)
    assert 15 <= per_lead <= 25
    counts = touches.groupby("lead_id").size()
    assert counts.quantile(0.9) > 2 * counts.median()  # skewed
    sends = (touches.type == "email_send").sum()
    assert 0.2 <= (touches.type == "email_open").sum() / sends <= 0.3
    assert 0.03 <= (touches.type == "email_click").sum() / sends <= 0.05
    created = touches.lead_id.map(leads.set_index("lead_id").created_at)
    before = touches[touches.ts < created]
    assert set(before.type) <= {"ad_click", "visit", "social"}
    assert (created[before.index] - before.ts).max() <= pd.Timedelta(days=91)  # lookback
    forms = touches[touches.type == "form_submit"]
    assert (forms.ts == created[forms.index]).all()
    with_history = leads[leads.lead_id.isin(touches.lead_id)]
    assert len(with_history) >= 0.99 * len(leads)  # all but the repeat records
    inbound = with_history.lead_id[with_history.acquisition == "inbound"]
    assert inbound.isin(forms.lead_id).all()
    # Paths cross channels: many leads touched another channel than their own first.
    own = touches.lead_id.map(leads.set_index("lead_id").channel)
    other = before[before.channel != own[before.index]]
    assert other.lead_id.nunique() > 0.3 * len(leads)
    sales = touches[touches.type.isin(["call", "meeting"])]
    assert len(sales) > 0


def test_spend(frames):
    spend, leads = frames["spend"], frames["leads"]
    assert set(spend.channel) == {"paid_search", "paid_social", "events", "outbound", "partners",
                                  "email"}  # fmt: skip
    assert (spend.currency == "EUR").all()
    cost = spend.groupby("channel").amount.sum()
    true_channel = leads.campaign.map({c.name: c.channel for c in catalog.CAMPAIGNS})
    cpl = cost / true_channel.value_counts()
    assert 60 <= cpl["paid_search"] <= 120
    assert cpl["paid_social"] < cpl["paid_search"]
    assert cpl["email"] < 20
    ads = spend[spend.channel.isin(PAID)]
    assert ads.impressions.notna().all() and ads.clicks.notna().all()
    assert spend.impressions[~spend.channel.isin(PAID)].isna().all()


def test_traffic(frames):
    traffic, leads = frames["traffic"], frames["leads"]
    web = {c.name for c in catalog.CHANNELS if c.landing_cvr > 0}
    assert set(traffic.channel) == web
    true_channel = leads.campaign.map({c.name: c.channel for c in catalog.CAMPAIGNS})
    web_leads = true_channel.isin(web).sum()
    assert 0.01 <= web_leads / traffic.visitors.sum() <= 0.03
    daily = traffic.groupby("date").visitors.sum()
    assert daily.min() > 0


def test_deals(frames):
    deals = frames["deals"]
    amount = deals.amount
    assert 6_000 <= amount.median() <= 10_000
    assert amount.mean() > 1.2 * amount.median()  # long tail
    assert (deals.currency == "EUR").all()
    assert 0.05 <= (deals.status == "open").mean() <= 0.5
