"""A finding about a group without a value (no content, no campaign) names it as the
tables do, '(none)', not Python's 'None'."""

from __future__ import annotations

from leadpilot.results.diagnosis import _finding_md, _group_label

FINDING = {
    "severity": "medium",
    "title": {"en": "Channel losing money", "fr": "Canal déficitaire"},
    "explanation": {"en": "spend above revenue", "fr": "dépenses supérieures au CA"},
    "actions": {"en": ["cut it"], "fr": ["réduisez-le"]},
    "group": {"channel": "seo", "content": None},
}


def test_a_missing_group_value_reads_none():
    assert _group_label(FINDING) == "channel=seo content=(none)"
    assert _group_label({**FINDING, "group": None}) == ""
    (head, *_) = _finding_md(FINDING, "en")
    assert "(channel=seo content=(none))" in head and "None" not in head
