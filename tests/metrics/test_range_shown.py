"""A run over --from / --to says its range in the table's title (a pasted table read as the
all-time one), and the funnel records it in its meta as the KPIs do."""

from __future__ import annotations

import json

import pytest
from helpers import DATA, write_config

import leadpilot


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    ws = write_config(tmp_path_factory.mktemp("range") / "ws").parent
    with leadpilot.open(ws) as lp:
        lp.ingest(DATA / "good")
    return ws


@pytest.mark.parametrize("command", ["kpis", "funnel"])
def test_the_title_says_the_range(cli, ws, command):
    code, out, err = cli(command, "-w", str(ws), "--from", "2025-01-01", "--to", "2025-03-31")
    assert code == 0, err
    assert "— Jan 1, 2025 – Mar 31, 2025 —" in out.splitlines()[0]
    code, out, err = cli(command, "-w", str(ws), "--from", "2025-01-01", "--lang", "fr")
    assert code == 0, err
    assert "— 1 janv. 2025 – … —" in out.splitlines()[0]
    code, out, err = cli(command, "-w", str(ws))
    assert " – " not in out.splitlines()[0]  # no range: no dates but the as-of one


def test_the_funnel_records_its_range(cli, ws):
    code, out, err = cli("funnel", "-w", str(ws), "--to", "2025-03-31", "-f", "json")
    assert code == 0, err
    meta = json.loads(out)["meta"]
    assert meta["date_to"] == "2025-03-31" and "date_from" not in meta


def test_the_spend_notes_count_what_the_range_holds(tmp_path):
    """Over --from / --to, the note on channels no spend names counted every lead ever
    loaded (5 seo leads where the table showed 3) and did not say over which dates."""
    src = tmp_path / "src"
    src.mkdir()
    leads = ["lead_id,created_at,channel"]
    leads += [f"S{i},2025-01-1{i},seo" for i in range(3)]
    leads += [f"M{i},2025-03-1{i},seo" for i in range(2)]
    leads += ["P1,2025-01-05,paid_search", "P2,2025-03-05,paid_search"]
    (src / "leads.csv").write_text("\n".join(leads) + "\n")
    (src / "spend.csv").write_text("date,channel,amount\n2025-01-01,paid_search,100\n"
                                   "2025-03-01,paid_search,80\n2025-03-01,display,50\n")
    ws = write_config(tmp_path / "ws").parent
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
        ranged = lp.kpi_result(kpis=["leads", "cpl"], by="channel", date_from="2025-01-01",
                               date_to="2025-01-31")  # fmt: skip
        whole = lp.kpi_result(kpis=["leads", "cpl"], by="channel")
    said = " ".join(str(w) for w in ranged.warnings)
    assert "3 leads of channel 'seo' but no spend from 2025-01-01 to 2025-01-31 names it" in said
    assert "display" not in said  # its spend is dated in March
    said = " ".join(str(w) for w in whole.warnings)
    assert "5 leads of channel 'seo' but no spend names it" in said
    assert "spend names channel 'display' (50.00 over 1 row(s))" in said
