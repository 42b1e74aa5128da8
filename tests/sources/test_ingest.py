"""Ingestion end to end on a tiny canonical folder, on DuckDB and PostgreSQL."""

from __future__ import annotations

import pytest
from helpers import DATA, data_only, snapshot, write_config

import leadpilot
from leadpilot.errors import SourceError, ValidationError

BAD_CASES = sorted(p.name for p in (DATA / "bad").iterdir() if p.is_dir())


def _good(shared_workspaces, kind: str):
    """The workspace of the good files on backend ``kind``, shared by the module's tests
    that leave its data as they found it, and the summary of its (first) ingest."""
    first = {}

    def ingest(ws) -> None:
        with leadpilot.open(ws) as lp:
            first["summary"] = lp.ingest(DATA / "good")

    ws = shared_workspaces.get(kind, "good", ingest)
    return ws, shared_workspaces.once(kind, "good summary", lambda: first["summary"])


def test_good_folder_loads_every_table(shared_workspaces, backend_kind):
    ws, summary = _good(shared_workspaces, backend_kind)
    with leadpilot.open(ws) as lp:
        counts = {
            t: lp.workspace.table(t).count().execute()
            for t in ("leads", "touchpoints", "stage_events", "deals", "spend", "traffic")
        }
    assert counts == {
        "leads": 6,
        "touchpoints": 5,
        "stage_events": 8,
        "deals": 2,
        "spend": 3,
        "traffic": 2,
    }
    assert summary.tables["leads"].rows_read == 6
    # L4 has L1's e-mail (other case, trailing space) 36 days later: merged, not lost.
    assert summary.leads_merged == 1
    # L2's channel comes from google / cpc; L5 has nothing: unknown; 'Paid Search' normalised.
    assert summary.channels == {"paid_search": 3, "email": 1, "unknown": 1}
    assert summary.channels_derived == 1 and summary.channels_unknown == 1  # L2 named, L5 not


def test_merged_lead_keeps_its_record(shared_workspaces, backend_kind):
    ws, _ = _good(shared_workspaces, backend_kind)
    with leadpilot.open(ws) as lp:
        leads = lp.table("leads").set_index("lead_id")
    assert leads.loc["L4", "merged_into"] == "L1"
    assert "same e-mail" in leads.loc["L4", "merge_reason"]
    assert leads.loc["L2", "channel"] == "paid_search"
    assert bool(leads.loc["L2", "channel_derived"]) is True
    assert leads.loc["L1", "industry"] == "software"  # extra column kept as an attribute
    assert float(leads.loc["L3", "company_size"]) == 800.0


def test_reingest_is_idempotent(shared_workspaces, backend_kind):
    # the shared workspace holds the good files once ingested: ingesting them again must
    # leave its data as it was (only the write records grow), as the other tests need it
    ws, _ = _good(shared_workspaces, backend_kind)
    before = snapshot(ws)
    with leadpilot.open(ws) as lp:
        lp.ingest(DATA / "good")
    after = snapshot(ws)
    assert data_only(before) == data_only(after)


def test_newer_export_updates_changed_rows(make_workspace, good_dir, tmp_path):
    ws = make_workspace()
    with leadpilot.open(ws) as lp:
        lp.ingest(good_dir)
    newer = tmp_path / "newer"
    newer.mkdir()
    (newer / "deals.csv").write_text(
        "deal_id,lead_id,created_at,status,closed_at,amount,currency\n"
        "D2,L3,2025-02-25,won,2025-04-01,5500,EUR\n"
        "D3,L6,2025-03-10,open,,900,EUR\n"
    )
    with leadpilot.open(ws) as lp:
        lp.ingest(newer)
        deals = lp.table("deals").set_index("deal_id")
    assert len(deals) == 3
    assert deals.loc["D2", "status"] == "won" and deals.loc["D2", "amount"] == 5500
    assert deals.loc["D1", "amount"] == 12000  # untouched


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_input_is_reported_and_changes_nothing(case, shared_workspaces, backend_kind):
    # A refused ingest leaves the workspace as it found it (asserted below): the cases
    # share one workspace holding the good files.
    ws, _ = _good(shared_workspaces, backend_kind)
    before = snapshot(ws)
    with leadpilot.open(ws) as lp, pytest.raises(ValidationError) as info:
        lp.ingest(DATA / "bad" / case)
    text = str(info.value) + "\n" + "\n".join(str(p) for p in info.value.problems)
    for line in (DATA / "bad" / case / "expected.txt").read_text().splitlines():
        for part in line.split("|"):
            assert part.strip() in text, f"{case}: {part!r} not in {text!r}"
    assert snapshot(ws) == before


KEPT_CASES = sorted(p.name for p in (DATA / "kept").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", KEPT_CASES)
def test_date_inconsistencies_are_kept_and_counted(case, make_workspace, good_dir):
    """A stage or deal dated before its lead (or a deal closed before its creation) is kept,
    counted in a warning with an example, never quarantined: one policy for all of them."""
    ws = make_workspace()
    with leadpilot.open(ws) as lp:
        lp.ingest(good_dir)
        summary = lp.ingest(DATA / "kept" / case)
        quarantined = lp.workspace.table("quarantine").count().execute()
    assert quarantined == 0
    (table,) = summary.tables
    assert summary.tables[table].rows_loaded == summary.tables[table].rows_read == 1
    text = "\n".join(summary.warnings)
    for line in (DATA / "kept" / case / "expected.txt").read_text().splitlines():
        for part in line.split("|"):
            assert part.strip() in text, f"{case}: {part!r} not in {text!r}"


def test_every_problem_of_a_file_is_reported(make_workspace):
    ws = make_workspace()
    with leadpilot.open(ws) as lp, pytest.raises(ValidationError) as info:
        lp.ingest(DATA / "bad" / "bad_date")
    rows = sorted(p.row for p in info.value.problems)
    assert rows == [3, 4] and info.value.total == 2


def test_quarantine_loads_good_rows_and_keeps_bad_ones(make_workspace, tmp_path):
    ws = make_workspace()
    src = tmp_path / "mixed"
    src.mkdir()
    (src / "leads.csv").write_text(
        "lead_id,created_at,email\nL1,2025-01-05,a@x.com\nL2,not a date,b@x.com\n"
        "L3,2025-01-07,c@x.com\n"
    )
    (src / "touchpoints.csv").write_text(
        "lead_id,ts,type\nL1,2025-01-06,visit\nL2,2025-01-06,visit\nL3,2025-01-08,telepathy\n"
    )
    with leadpilot.open(ws) as lp:
        summary = lp.ingest(src, policy="quarantine")
        q = lp.table("quarantine")
        leads = lp.table("leads")
    assert sorted(leads.lead_id) == ["L1", "L3"]
    assert summary.tables["leads"].rows_quarantined == 1
    # L2's touchpoint now points to a lead that is not loaded: quarantined too, never dropped.
    assert summary.tables["touchpoints"].rows_quarantined == 2
    assert summary.tables["touchpoints"].rows_loaded == 1
    assert len(q) == 3
    assert set(q.table_name) == {"leads", "touchpoints"}
    assert q.record.notna().all()


def test_missing_source_is_a_clear_error(make_workspace, tmp_path):
    ws = make_workspace()
    with leadpilot.open(ws) as lp, pytest.raises(SourceError, match="no such file"):
        lp.ingest(tmp_path / "nowhere")
    empty = tmp_path / "empty"
    empty.mkdir()
    with leadpilot.open(ws) as lp, pytest.raises(SourceError, match="no canonical file"):
        lp.ingest(empty)


def test_lead_rule_excludes_and_window(make_workspace, tmp_path):
    ws = make_workspace(leads={"exclude": {"lifecycle": ["customer"]}, "dedupe_window_days": 10})
    src = tmp_path / "s"
    src.mkdir()
    (src / "leads.csv").write_text(
        "lead_id,created_at,email,lifecycle\n"
        "A,2025-01-01,p@x.com,lead\nB,2025-01-05,P@x.com,lead\nC,2025-03-01,p@x.com,lead\n"
        "D,2025-01-02,q@x.com,customer\n"
    )
    with leadpilot.open(ws) as lp:
        summary = lp.ingest(src)
        leads = lp.table("leads").set_index("lead_id")
    assert leads.loc["B", "merged_into"] == "A"  # 4 days after A
    assert leads.loc["C", "merged_into"] is None or str(leads.loc["C", "merged_into"]) in (
        "None",
        "nan",
    )  # 55 days later: a new lead
    assert summary.leads_excluded == 1 and "customer" in leads.loc["D", "excluded_reason"]


def test_xlsx_and_parquet_sources(make_workspace, tmp_path, good_dir):
    import pandas as pd

    ws = make_workspace()
    src = tmp_path / "x"
    src.mkdir()
    pd.read_csv(good_dir / "leads.csv").to_excel(src / "leads.xlsx", index=False)
    pd.read_csv(good_dir / "spend.csv").to_parquet(src / "spend.parquet")
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
        assert lp.workspace.table("leads").count().execute() == 6
        assert lp.workspace.table("spend").count().execute() == 3


def test_currency_rates_convert_amounts(make_workspace, tmp_path):
    ws = make_workspace(ingest={"currency_rates": {"USD": 0.5}})
    src = tmp_path / "c"
    src.mkdir()
    (src / "leads.csv").write_text("lead_id,created_at\nL1,2025-01-01\n")
    (src / "deals.csv").write_text(
        "deal_id,lead_id,created_at,status,closed_at,amount,currency\n"
        "D1,L1,2025-01-02,won,2025-01-03,100,USD\nD2,L1,2025-01-02,won,2025-01-03,100,EUR\n"
    )
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
        deals = lp.table("deals").set_index("deal_id")
    assert deals.loc["D1", "amount"] == 50 and deals.loc["D2", "amount"] == 100
    assert set(deals.currency) == {"EUR"}


def test_an_amount_header_naming_a_currency_is_read_in_it(make_workspace, tmp_path):
    """'Amount spent (USD)' (Meta Ads) in a euro workspace: the header's dollars are
    converted (they were stored as euros); a header without a code changes nothing."""
    ws = make_workspace(ingest={"currency_rates": {"USD": 0.5}})
    src = tmp_path / "h"
    src.mkdir()
    (src / "meta.csv").write_text(
        "Day,Campaign name,Amount spent (USD)\n2025-01-01,a,100.00\n2025-01-02,b,300.00\n"
    )
    (src / "other.csv").write_text("Day,Campaign,Cost (net)\n2025-01-03,c,40.00\n")
    (src / "leadpilot.yaml").write_text(
        "sources:\n"
        "  - {table: spend, path: meta.csv, constants: {channel: paid_social},\n"
        "     columns: {date: Day, campaign: Campaign name, amount: Amount spent (USD)}}\n"
        "  - {table: spend, path: other.csv, constants: {channel: email},\n"
        "     columns: {date: Day, campaign: Campaign, amount: Cost (net)}}\n"
    )
    with leadpilot.open(ws) as lp:
        lp.ingest(src / "leadpilot.yaml")
        spend = lp.table("spend").set_index("campaign")
    assert spend.loc["a", "amount"] == 50 and spend.loc["b", "amount"] == 150
    assert spend.loc["c", "amount"] == 40 and set(spend.currency) == {"EUR"}


def test_configured_formats_decimal_comma_and_money(make_workspace, tmp_path):
    ws = make_workspace()
    src = tmp_path / "cfg"
    src.mkdir()
    (src / "contacts.csv").write_text(
        "Id;Créé le;Source\nC1;05/03/2025;Paid Search\nC2;06/03/2025;Events\n"
    )
    (src / "costs.csv").write_text(
        "Jour;Canal;Coût\n01/03/2025;Paid Search;\"1 234,50 €\"\n02/03/2025;Events;\"141,56 €\"\n"
    )
    (src / "leadpilot.yaml").write_text(
        "ingest:\n  date_formats: ['%d/%m/%Y']\n  decimal: ','\n"
        "sources:\n"
        "  - {table: leads, path: contacts.csv, columns: {lead_id: Id, created_at: 'Créé le',"
        " channel: Source}}\n"
        "  - {table: spend, path: costs.csv, columns: {date: Jour, channel: Canal,"
        " amount: 'Coût'}, money: [amount]}\n"
    )
    with leadpilot.open(ws) as lp:
        lp.ingest(src / "leadpilot.yaml")
        spend = lp.table("spend").sort_values("date")
        leads = lp.table("leads").sort_values("lead_id")
    assert spend.amount.tolist() == [1234.5, 141.56]
    assert spend.channel.tolist() == ["paid_search", "events"]
    assert [str(d)[:10] for d in leads.created_at] == ["2025-03-05", "2025-03-06"]


def test_source_config_currency_must_match_workspace(make_workspace, tmp_path):
    from leadpilot.errors import ConfigError

    ws = make_workspace()  # EUR
    src = tmp_path / "usd"
    src.mkdir()
    (src / "leads.csv").write_text("lead_id,created_at\nL1,2025-01-01\n")
    (src / "leadpilot.yaml").write_text(
        "currency: USD\nsources:\n  - {table: leads, path: leads.csv}\n"
    )
    with leadpilot.open(ws) as lp, pytest.raises(ConfigError, match="currency: USD"):
        lp.ingest(src / "leadpilot.yaml")


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_chunked_reading_gives_the_same_workspace(tmp_path, monkeypatch, good_dir, fmt):
    """Large files are typed chunk by chunk: duplicates across chunks, row numbers and the
    quarantine must come out exactly as when the file is typed whole."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from leadpilot.sources import load

    src = tmp_path / "src"
    src.mkdir()
    (src / "leads.csv").write_text((good_dir / "leads.csv").read_text())
    lines = ["lead_id,ts,type,channel,touch_id"]
    for i in range(23):
        lines.append(f"L1,2025-01-{1 + i % 28:02d},visit,Paid Search,T{i}")
    lines.append("L1,2025-01-05,telepathy,seo,T100")  # bad type, in the last chunk
    lines.append("L1,2025-01-05,visit,seo,T3")  # duplicate key of a row in the first chunk
    lines.append("NOPE,2025-01-05,visit,seo,T200")  # unknown lead
    (src / "touchpoints.csv").write_text("\n".join(lines) + "\n")
    if fmt == "parquet":
        t = pacsv.read_csv(src / "touchpoints.csv")
        pq.write_table(t.cast(t.schema), src / "touchpoints.parquet", row_group_size=4)
        (src / "touchpoints.csv").unlink()

    results = []
    for chunk in (None, 5):
        if chunk:
            monkeypatch.setattr(load, "CHUNK_ROWS", chunk)
        ws = tmp_path / f"ws{chunk}"  # reading is backend-independent: DuckDB only
        write_config(ws)
        with leadpilot.open(ws) as lp:
            summary = lp.ingest(src, policy="quarantine")
        snap = data_only(snapshot(ws))
        for row in snap["quarantine"]:
            row[3] = ""  # ingested_at (columns are sorted by name: column_name, file, fix, …)
        snap["quarantine"].sort(key=repr)
        results.append((snap, summary.tables["touchpoints"].rows_quarantined))
    assert repr(results[0]) == repr(results[1])  # repr: NaN == NaN
    assert results[1][1] == 3
