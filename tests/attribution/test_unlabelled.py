"""Attribution touches without a value of the dimension (a CRM's calls and meetings carry
no channel): left out by default (attribution.keep_unlabelled: false), and said as such —
the conversions they alone precede were reported as having "no attribution touch"."""

from __future__ import annotations

import pytest
from helpers import write_config

import leadpilot

LEADS = "lead_id,created_at\nL1,2025-01-02\nL2,2025-01-03\nL3,2025-01-04\n"
# L1: a call only (no channel); L2: a labelled ad click then a call; L3: no touch
TOUCHES = (
    "touch_id,lead_id,ts,type,channel\n"
    "t1,L1,2025-01-05 10:00,call,\n"
    "t2,L2,2025-01-05 10:00,ad_click,paid_search\n"
    "t3,L2,2025-01-06 10:00,call,\n"
)
DEALS = (
    "deal_id,lead_id,created_at,status,closed_at,amount\n"
    "D1,L1,2025-01-07,won,2025-01-10,100\n"
    "D2,L2,2025-01-07,won,2025-01-10,200\n"
    "D3,L3,2025-01-07,won,2025-01-10,400\n"
)


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    src = tmp_path_factory.mktemp("unlabelled")
    for name, text in (("leads", LEADS), ("touchpoints", TOUCHES), ("deals", DEALS)):
        (src / f"{name}.csv").write_text(text)
    return src


@pytest.mark.parametrize("keep", [False, True])
def test_touches_without_a_channel_are_said_left_out(sources, tmp_path, keep):
    ws = write_config(tmp_path / "ws", "duckdb", attribution={"keep_unlabelled": keep}).parent
    with leadpilot.open(ws) as lp:
        lp.ingest(sources)
        r = lp.attribution_result(models="last_touch")
    (note,) = [w for w in r.meta.notices if w.code == "not_credited"]
    credited = {x["channel"]: x["conversions"] for x in r.rows if x["conversions"]}
    if keep:  # L1's call is credited to the null group, L2's call is its last touch
        assert credited == {None: 2}
        assert note == "1 conversion(s) (revenue 400.00) had no attribution touch in the 90 " \
            "days before; they are not credited"
        assert "left out" not in r.definitions["journey"]
    else:  # L2's last labelled touch takes the credit; L1 is not "without a touch"
        assert credited == {"paid_search": 1}
        assert note == (
            "2 conversion(s) (revenue 500.00) are not credited: 1 had no attribution touch "
            "in the 90 days before, 1 (revenue 100.00) only touches without a channel; "
            "attribution.keep_unlabelled: true credits those to '(none)'"
        )
        assert "touches without a channel are left out" in r.definitions["journey"]
        from leadpilot.i18n import message_in

        assert message_in(note, "fr").startswith("2 conversion(s) (chiffre d'affaires 500,00)")
