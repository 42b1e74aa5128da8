"""An edit of a served workspace's leadpilot.yaml reaches the next request, as it reaches
the next command: the service kept the configuration its connections first read (a lead
rule added later counted the excluded leads in every answer, and let a posted batch in
unexcluded, until a restart)."""

from __future__ import annotations

import leadpilot.pilot as pilot
from leadpilot.access import KeyStore


def test_an_edited_lead_rule_counts_at_the_next_request(service):
    ws = service.root / "edited"
    ws.mkdir()
    (ws / "leadpilot.yaml").write_text("currency: EUR\n")
    src = ws.parent.parent / "data-edited"
    src.mkdir()
    (src / "leads.csv").write_text(
        "lead_id,created_at,company\n"
        + "".join(f"L{i},2025-01-{1 + i:02d},{'Internal' if i < 3 else 'Acme'}\n"
                  for i in range(10))
    )  # fmt: skip
    with pilot.open(ws, create=True) as lp:
        lp.ingest(src)
    key = KeyStore(ws).create("write", "test")[0]
    api = service.api("edited")
    with service.client(headers={"X-API-Key": key}) as c:
        before = c.get(f"{api}/kpis", params={"kpi": "leads"}).json()["rows"][0]["leads"]
        config = ws / "leadpilot.yaml"
        config.write_text(config.read_text() + "leads:\n  exclude: {company: [Internal]}\n")
        after = c.get(f"{api}/kpis", params={"kpi": "leads"}).json()["rows"][0]["leads"]
        posted = c.post(f"{api}/ingest/leads", json=[
            {"lead_id": "L20", "created_at": "2025-01-20", "company": "Internal"},
            {"lead_id": "L21", "created_at": "2025-01-21", "company": "Acme"},
        ])  # fmt: skip
        assert posted.status_code == 200, posted.text
        last = c.get(f"{api}/kpis", params={"kpi": "leads"}).json()["rows"][0]["leads"]
    assert (before, after, last) == (10, 7, 8)
    with pilot.open(ws) as lp:  # the CLI's count, on the same folder
        assert lp.kpi_result(kpis=["leads"]).rows[0]["leads"] == 8
