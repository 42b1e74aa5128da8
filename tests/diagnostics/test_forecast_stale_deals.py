"""Open deals older than any deal ever closed forecast nothing (no win that late in the
history): said, with their number and amount, since a stale pipeline otherwise reads as a
bleak one (Salesforce example: $3.2 M of $3.9 M open in such deals, without a word)."""

from __future__ import annotations

import pytest
from helpers import write_config

import leadpilot
from leadpilot.i18n import message_in

LEADS = "lead_id,created_at,channel\n" + "".join(
    f"L{i},2025-01-{1 + i % 20:02d},seo\n" for i in range(30)
)
# 20 deals closed 3 to 10 days after their creation; O1 open since January (150 days
# at the end), O2 recent
DEALS = "deal_id,lead_id,created_at,status,closed_at,amount\n" + "".join(
    f"D{i},L{i},2025-01-{1 + i % 20:02d},{'won' if i % 2 else 'lost'},"
    f"2025-01-{1 + i % 20 + 3 + i % 8:02d},1000\n"
    for i in range(20)
) + "O1,L20,2025-01-30,open,,5000\nO2,L21,2025-06-20,open,,700\n"
LAST = "L29,2025-06-29,seo\n"  # the data ends on June 29


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("stale")
    src = root / "src"
    src.mkdir()
    (src / "leads.csv").write_text(LEADS.replace("L29,2025-01-10,seo\n", LAST))
    (src / "deals.csv").write_text(DEALS)
    path = write_config(root / "ws", currency="USD").parent
    with leadpilot.open(path) as lp:
        lp.ingest(src)
    return path


def test_open_deals_older_than_the_history_are_said(ws):
    with leadpilot.open(ws) as lp:
        result = lp.forecast(months=3)
        early = lp.forecast(months=3, as_of="2025-02-05")  # O1 is 6 days old then
    (note,) = [n for n in result.meta.notices if n.code == "open_deals_older_than_history"]
    assert note.data == {"deals": 1, "open_deals": 2, "amount": 5000.0, "longest_days": 10}
    assert str(note).startswith("1 of the 2 open deals (5,000 of 5,700 USD) are older than any")
    assert not [n for n in early.meta.notices if n.code == "open_deals_older_than_history"]
    assert message_in(str(note), "fr").startswith(
        "1 des 2 affaires ouvertes (5\u202f000 sur 5\u202f700 USD) sont plus anciennes que toute "
        "affaire jamais conclue (10 jours)"
    )
