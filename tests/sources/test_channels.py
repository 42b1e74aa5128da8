"""Channel grouping rules (GA4-like defaults, overridable)."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from leadpilot.config import ChannelRule
from leadpilot.sources.channels import derived_channel

CASES = [
    # channel, utm_source, utm_medium, referrer -> expected
    ("events", None, None, None, "events"),
    (None, "google", "cpc", None, "paid_search"),
    (None, "Bing", "PPC", None, "paid_search"),
    (None, "linkedin", "paid_social", None, "paid_social"),
    (None, "facebook", "cpc", None, "paid_social"),
    (None, "google", "organic", None, "organic_search"),
    (None, "newsletter", "email", None, "email"),
    (None, "(direct)", "(none)", None, "direct"),
    (None, "partnerx", "affiliate", None, "partners"),
    (None, "salon", "event", None, "events"),
    (None, "apollo", "outbound", None, "outbound"),
    (None, "linkedin", "social", None, "organic_social"),
    (None, None, None, "https://www.google.com/", "organic_search"),
    (None, None, None, "https://blog.example.org/post", "referral"),
    (None, "criteo", "display", None, "display"),
    (None, None, None, None, "unknown"),
    (None, "", "", "", "unknown"),
]


@pytest.fixture(scope="module")
def con():
    return ibis.duckdb.connect()


def run(con, rows, rules=None):
    df = pd.DataFrame(rows, columns=["channel", "utm_source", "utm_medium", "referrer"])
    t = ibis.memtable(df.astype("string"))
    return con.execute(t.select(c=derived_channel(t, rules)))["c"].tolist()


def test_default_rules(con):
    got = run(con, [c[:4] for c in CASES])
    assert got == [c[4] for c in CASES]


def test_rules_are_overridable_and_ordered(con):
    rules = [
        ChannelRule(channel="brand_search", source="google", campaign=None, medium="cpc"),
        ChannelRule(channel="anything_paid", medium="cpc"),
    ]
    got = run(con, [(None, "google", "cpc", None), (None, "bing", "cpc", None)], rules)
    assert got == ["brand_search", "anything_paid"]
