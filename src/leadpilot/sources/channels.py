"""Channel grouping: deriving a lead's channel from utm_source / utm_medium / referrer.

Ordered rules, the first match wins; the defaults follow GA4's default channel
grouping, with B2B additions (events, outbound, partners). Overridable with
``channel_rules`` in leadpilot.yaml.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from ..config import ChannelRule

SEARCH = r"(^|\.)(google|bing|yahoo|baidu|duckduckgo|ecosia|yandex|qwant|search)"
SOCIAL = (
    r"(^|\.)(facebook|fb|instagram|linkedin|lnkd|twitter|x\.com|t\.co|tiktok|reddit"
    r"|pinterest|youtube|xing|snapchat)"
)
PAID = r"^(.*cp.*|ppc|retargeting|paid.*)$"
# The channel of a lead nothing names (no channel, no UTM tag or referrer a rule matches).
UNKNOWN_CHANNEL = "unknown"

DEFAULT_RULES: tuple[ChannelRule, ...] = (
    ChannelRule(
        channel="direct", source=r"^\(?direct\)?$", medium=r"^(\(none\)|\(not set\)|none)?$"
    ),
    ChannelRule(channel="paid_search", source=SEARCH, medium=PAID),
    ChannelRule(channel="paid_social", source=SOCIAL, medium=PAID),
    ChannelRule(channel="paid_social", medium=r"^paid[_ -]?social$"),
    ChannelRule(channel="display", medium=r"^(display|banner|expandable|interstitial|cpm)$"),
    ChannelRule(channel="paid_other", medium=PAID),
    ChannelRule(channel="email", source=r"^(e[-_ ]?mail|newsletter)$"),
    ChannelRule(channel="email", medium=r"^(e[-_ ]?mail|newsletter)$"),
    ChannelRule(channel="partners", medium=r"^(affiliate|partner.*)$"),
    ChannelRule(channel="events", medium=r"^(event.*|conference|trade[_ -]?show|webinar)$"),
    ChannelRule(
        channel="outbound", medium=r"^(outbound|sdr|cold[_ -]?(e?mail|call).*|prospecting)$"
    ),
    ChannelRule(channel="organic_search", medium=r"^organic$"),
    ChannelRule(channel="organic_search", source=SEARCH),
    ChannelRule(
        channel="organic_social", medium=r"^(social|social[-_ ]network|social[-_ ]media|sm)$"
    ),
    ChannelRule(channel="organic_social", source=SOCIAL),
    ChannelRule(channel="referral", medium=r"^referral$"),
    ChannelRule(channel="organic_search", referrer=SEARCH),
    ChannelRule(channel="organic_social", referrer=SOCIAL),
    ChannelRule(channel="referral", referrer=r"."),
)

_FIELDS = {
    "source": "utm_source",
    "medium": "utm_medium",
    "campaign": "utm_campaign",
    "referrer": "referrer",
}


def _condition(t: ir.Table, rule: ChannelRule) -> ir.BooleanValue | None:
    cond = None
    for attr, column in _FIELDS.items():
        pattern = getattr(rule, attr)
        if pattern is None:
            continue
        value = t[column].lower().strip() if column in t.columns else ibis.literal(None, "string")
        # Values are lower-cased; a rule that matches '' (direct's medium) matches a missing one.
        c = value.fill_null("").re_search(pattern)
        cond = c if cond is None else cond & c
    return cond


def derived_channel(t: ir.Table, rules: list[ChannelRule] | None = None) -> ir.StringValue:
    """Each row's channel: its own, else the first matching rule, else 'unknown'."""
    rules = list(rules) if rules else list(DEFAULT_RULES)
    has_utm = None
    for column in _FIELDS.values():
        if column in t.columns:
            present = t[column].notnull() & (t[column].strip() != "")
            has_utm = present if has_utm is None else has_utm | present
    branches = []
    for rule in rules:
        cond = _condition(t, rule)
        if cond is not None:
            branches.append((cond, ibis.literal(rule.channel)))
    derived = (
        ibis.cases(*branches, else_=ibis.literal(UNKNOWN_CHANNEL))
        if branches
        else ibis.literal(UNKNOWN_CHANNEL)
    )
    if has_utm is not None:
        derived = ibis.ifelse(has_utm, derived, ibis.literal(UNKNOWN_CHANNEL))
    return t.channel.fill_null(derived) if "channel" in t.columns else derived
