"""The young-cohort finding gives the age of the period's youngest lead, as of the data's
last day: Zoho's Q2 2021 read "youngest leads are 0 days old" (the days from the cut
period's end to the as-of date) when its last lead was 35 days old; a period without any
lead claimed an age too. A change that rounds to zero is written without a sign."""

from __future__ import annotations

import leadpilot
from leadpilot.diagnostics.findings import Value
from leadpilot.i18n import Formatter

# Q1: ten leads won about 60 days after their creation; Q2: five leads, the last created
# on 15 April; the data ends on 20 May (the last deal won)
LEADS = "lead_id,created_at\n" + "".join(
    f"Q{i},2025-01-{i + 10:02d}\n" for i in range(10)
) + "".join(f"R{i},2025-04-{1 + 3 * i + (i == 4) * 2:02d}\n" for i in range(5))
DEALS = "deal_id,lead_id,created_at,status,closed_at,amount\n" + "".join(
    f"D{i},Q{i},2025-02-01,won,2025-03-{i + 11:02d},100\n" for i in range(9)
) + "D9,Q9,2025-02-01,won,2025-05-20,100\n"


def _workspace(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "leads.csv").write_text(LEADS, encoding="utf-8")
    (src / "deals.csv").write_text(DEALS, encoding="utf-8")
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "leadpilot.yaml").write_text("workspace: {backend: duckdb}\n", encoding="utf-8")
    return ws, src


def _young(result) -> list[dict]:
    return [f for f in result.meta["findings"] if f["code"] == "immature_cohort"]


def test_the_young_cohort_is_as_old_as_its_youngest_lead(tmp_path):
    ws, src = _workspace(tmp_path)
    assert "R4,2025-04-15" in LEADS  # the period's youngest lead
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
        q2 = lp.diagnosis(current="2025-Q2", previous="2025-Q1")
        may = lp.diagnosis(current="2025-05", previous="2025-04")  # no lead in May
    assert q2.meta["as_of"] == "2025-05-20"
    (young,) = _young(q2)
    assert young["evidence"]["age"] == 35  # 15 April -> 20 May, not 0 (cut end -> as-of)
    assert young["evidence"]["delay"] >= 59
    assert "youngest leads are 35 days old, under the median" in young["explanation"]
    assert "ont 35 jours, moins que le délai médian" in young["explanation_fr"]
    # a period without a lead has no youngest lead: no age is claimed
    assert _young(may) == []


def test_a_change_that_rounds_to_zero_has_no_sign():
    en, fr = Formatter("en"), Formatter("fr")
    assert Value("signed_pts", -0.00025).text(en) == "0.0\u00a0pts"
    assert Value("signed_pts", -0.00025).text(fr) == "0,0\u00a0pts"
    assert Value("signed_pts", -0.0031).text(en) == "−0.3\u00a0pts"
    assert Value("signed_pct", 0.0004).text(en) == "0.0%"
    assert Value("signed_pct", 0.25).text(en) == "+25.0%"
