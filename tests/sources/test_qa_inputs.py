"""Inputs a QA pass on real exports found lost, misread or badly explained: a source's
time zone, the excluded contacts' part of split deals, an empty configuration key, and
the exit statuses of the errors that name a setting (the bad-input corpus holds the
other cases: delimiter, currency, numbers, 'unknown' channels)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pytest
import yaml
from helpers import write_config

import leadpilot
from leadpilot.config import parse_config
from leadpilot.errors import ConfigError, SourceLayoutError
from leadpilot.sources.parsers import parse_timestamps


def _stored(lp, table: str, key: str, column: str) -> dict[str, datetime]:
    rows = lp.workspace.table(table).to_pyarrow().to_pylist()
    return {r[key]: r[column] for r in rows}


# ------------------------------------------------------------------ time zones
def _paris_export(folder: Path, **settings) -> Path:
    """A source configuration saying its exports are written in Paris time."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "leads.csv").write_text(
        "lead_id,created_at\n"
        "L1,2025-03-31 23:30\n"  # Paris (CEST, +02:00): 21:30 UTC, still March
        "L2,2025-07-01 00:30\n"  # 22:30 UTC on 30 June: a June lead in a UTC workspace
        "L3,2025-06-30T23:00:00Z\n"  # an offset says it: 23:00 UTC whatever the zone
    )
    (folder / "deals.csv").write_text(
        "deal_id,lead_id,created_at,status,closed_at,amount\n"
        "D1,L1,2025-04-02 10:00,won,2025-07-01,100\n"  # a day without a time stays that day
    )
    (folder / "leadpilot.yaml").write_text(
        yaml.safe_dump(
            {
                "sources": [
                    {"table": "leads", "path": "leads.csv"},
                    {"table": "deals", "path": "deals.csv"},
                ],
                **settings,
            }
        )
    )
    return folder / "leadpilot.yaml"


def test_a_source_time_zone_reads_its_times_and_the_workspace_zone_stores_them(tmp_path):
    """The source configuration's `timezone: Europe/Paris` was dropped for a UTC
    workspace: its times were stored as Paris wall-clock times in a workspace cut in UTC
    (an offset-bearing time was even moved to Paris). Now its times without an offset are
    read as Paris times and stored as UTC ones, and the summary says so."""
    ws = write_config(tmp_path / "ws", timezone="UTC").parent
    config = _paris_export(tmp_path / "src", timezone="Europe/Paris")
    with leadpilot.open(ws) as lp:
        summary = lp.ingest(config)
        created = _stored(lp, "leads", "lead_id", "created_at")
        deals = lp.workspace.table("deals").to_pyarrow().to_pylist()
        by_month = lp.kpi_result(kpis=["leads"], period="month").rows
        assert lp.config.timezone == "UTC"  # the workspace keeps its own zone
    assert created == {
        "L1": datetime(2025, 3, 31, 21, 30),
        "L2": datetime(2025, 6, 30, 22, 30),
        "L3": datetime(2025, 6, 30, 23, 0),
    }
    assert deals[0]["created_at"] == datetime(2025, 4, 2, 8, 0)
    assert deals[0]["closed_at"] == datetime(2025, 7, 1)  # the day written, not 30 June
    assert {r["period"]: r["leads"] for r in by_month} == {"2025-03": 1, "2025-06": 2}
    notes = [n for n in summary.notes if getattr(n, "code", None) == "timezone_moved"]
    assert len(notes) == 2 and "read as Europe/Paris times" in notes[0]
    assert "stored as the workspace's UTC times" in notes[0]


def test_times_that_all_carry_their_offset_are_not_said_read_in_the_source_zone(tmp_path):
    """A touch log whose every time ends in Z: none is read in the source's zone, and the
    note said 'times without an offset read as Europe/Paris times' all the same."""
    ws = write_config(tmp_path / "ws", timezone="UTC").parent
    config = _paris_export(tmp_path / "src", timezone="Europe/Paris")
    (config.parent / "leads.csv").write_text(
        "lead_id,created_at\nL1,2025-03-31T21:30:00Z\nL2,2025-06-30T22:30:00+00:00\n"
        "L3,2025-06-30T23:00:00Z\n"
    )
    with leadpilot.open(ws) as lp:
        summary = lp.ingest(config)
    notes = [n for n in summary.notes if getattr(n, "code", None) == "timezone_moved"]
    assert len(notes) == 1 and notes[0].startswith("deals.csv"), notes  # deals has none


def test_a_source_entry_names_its_own_time_zone(tmp_path):
    """`timezone` on one source entry: that file's times are read in it, the others in the
    workspace's zone; a new workspace without a leadpilot.yaml still adopts the source
    configuration's zone (nothing is moved then)."""
    ws = write_config(tmp_path / "ws", timezone="Europe/Paris").parent
    src = tmp_path / "src"
    src.mkdir()
    (src / "leads.csv").write_text("lead_id,created_at\nL1,2025-01-15 12:00\n")
    (src / "stage_events.csv").write_text("lead_id,stage,ts\nL1,mql,2025-01-16 12:00\n")
    (src / "leadpilot.yaml").write_text(
        yaml.safe_dump(
            {
                "sources": [
                    {"table": "leads", "path": "leads.csv"},
                    {"table": "stage_events", "path": "stage_events.csv", "timezone": "UTC"},
                ]
            }
        )
    )
    with leadpilot.open(ws) as lp:
        lp.ingest(src / "leadpilot.yaml")
        assert _stored(lp, "leads", "lead_id", "created_at")["L1"] == datetime(2025, 1, 15, 12)
        (event,) = lp.workspace.table("stage_events").to_pyarrow().to_pylist()
    assert event["ts"] == datetime(2025, 1, 16, 13)  # 12:00 UTC is 13:00 in Paris (CET)

    new = tmp_path / "new"
    with leadpilot.open(new, create=True) as lp:
        lp.ingest(_paris_export(tmp_path / "src2", timezone="Europe/Paris"))
        assert lp.config.timezone == "Europe/Paris"
        assert _stored(lp, "leads", "lead_id", "created_at")["L1"] == datetime(2025, 3, 31, 23, 30)


def test_timestamps_move_to_the_zone_they_are_stored_in():
    text = pa.array(["2025-01-15 12:00", "2025-01-15", "2025-01-15T12:00:00+05:00", None])
    got = parse_timestamps(text, timezone="Europe/Paris", local=True, store="America/New_York")
    assert got.values.to_pylist() == [
        datetime(2025, 1, 15, 6),  # 12:00 in Paris (UTC+1) is 06:00 in New York (UTC-5)
        datetime(2025, 1, 15),  # a day stays that day
        datetime(2025, 1, 15, 2),  # 07:00 UTC
        None,
    ]
    same = parse_timestamps(text, timezone="Europe/Paris", local=True, store="Europe/Paris")
    assert (
        same.values.to_pylist()
        == parse_timestamps(text, timezone="Europe/Paris", local=True).values.to_pylist()
    )


# ------------------------------------------------------------------ split deals
def test_kpis_say_the_revenue_of_excluded_contacts(tmp_path):
    """multi_contact: split gave half of D1 to a contact the lead rule excludes: that half
    left revenue with a warning at ingest only; the KPI result now says it too."""
    ws = write_config(tmp_path / "ws", leads={"exclude": {"lifecycle": ["partner"]}}).parent
    src = tmp_path / "src"
    src.mkdir()
    (src / "leads.csv").write_text(
        "lead_id,created_at,lifecycle\nL1,2025-01-05,lead\nL2,2025-01-05,partner\n"
        "L3,2025-01-06,lead\n"
    )
    (src / "deals.csv").write_text(
        "deal_id,lead_id,created_at,status,closed_at,amount\n"
        "D1,L1;L2,2025-01-06,won,2025-01-20,1000\nD2,L3,2025-01-07,won,2025-01-21,300\n"
    )
    (src / "leadpilot.yaml").write_text(
        yaml.safe_dump(
            {
                "sources": [
                    {"table": "leads", "path": "leads.csv"},
                    {"table": "deals", "path": "deals.csv", "multi_contact": "split"},
                ]
            }
        )
    )
    with leadpilot.open(ws) as lp:
        lp.ingest(src / "leadpilot.yaml")
        result = lp.kpi_result(kpis=["revenue", "avg_deal_size"])
        leads_only = lp.kpi_result(kpis=["leads"])
        later = lp.kpi_result(kpis=["revenue"], date_from="2025-02-01")
    assert result.rows[0]["revenue"] == 800
    (said,) = [n for n in result.notices if n.code == "excluded_revenue"]
    assert "1 won deal(s) (500.00 EUR) belong to records the lead rule excludes" in said
    assert "1 of them are an excluded contact's part of a deal that lists several" in said
    assert "excluded_revenue" not in {n.code for n in leads_only.notices}
    assert "excluded_revenue" not in {n.code for n in later.notices}  # none in that range


# ------------------------------------------------------------------ configuration
def test_an_empty_key_is_said_in_leadpilot_words():
    """`leads:` with nothing after it gave pydantic's 'Input should be a valid dictionary
    or instance of LeadRule'."""
    with pytest.raises(ConfigError) as info:
        parse_config("leads:\nsources:\n  - {table: leads, path: l.csv}\n", origin="src.yaml")
    msg = str(info.value)
    assert msg.startswith("src.yaml: 1 problem(s): line 1, leads: the key is empty, expected ")
    assert "a mapping of its settings (exclude, dedupe_by_email, dedupe_window_days)" in msg
    assert "remove the key to keep its default" in msg
    assert "instance of" not in msg and "Input should be" not in msg
    with pytest.raises(ConfigError) as info:
        parse_config("stages: 3\nsources:\n  -\n")
    msg = str(info.value)
    assert "stages: got 3, expected a mapping of its settings (implied, " in msg
    assert "sources.0: an empty item (a '-' with nothing after it)" in msg


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ({"delimiter": ";;"}, "delimiter ';;': expected one character"),
        ({"encoding": "latin-9x"}, "unknown encoding 'latin-9x'"),
        ({"timezone": "Paris"}, "unknown time zone 'Paris'"),
        # the file's dates are ISO: the format was never tried, and the typo went unseen
        ({"date_formats": ["%Q"]}, "format '%Q': %Q is not a directive the date reader knows"),
        ({"date_formats": ["dd/mm/yyyy"]}, "format 'dd/mm/yyyy' does not place a date"),
        ({"date_formats": ["%d/%m"]}, "format '%d/%m' does not place a date"),
    ],
)
def test_a_bad_source_setting_is_a_configuration_error(cli, tmp_path, setting, said):
    """A two-character delimiter or an unknown encoding ended in an internal error
    (exit 70) deep in the reader; they are configuration errors (exit 2)."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "leads.csv").write_text("lead_id,created_at\nL1,2025-01-05\n")
    (src / "leadpilot.yaml").write_text(
        yaml.safe_dump({"sources": [{"table": "leads", "path": "leads.csv", **setting}]})
    )
    code, _, err = cli("ingest", str(src / "leadpilot.yaml"), "-w", str(tmp_path / "ws"))
    assert code == ConfigError.exit_code == 2, err
    assert said in err and "internal error" not in err


def test_the_workspace_date_formats_are_checked_as_they_load(tmp_path):
    """ingest.date_formats too; a month-only layout ('%Y-%m', monthly spend) is a date,
    a literal percent sign is no directive."""
    with pytest.raises(ConfigError, match=r"ingest.date_formats: format .%d %q %Y.: %q is not"):
        parse_config("ingest: {date_formats: ['%d %q %Y']}")
    cfg = parse_config("ingest: {date_formats: ['%Y-%m', '%d/%m/%Y %H:%M', '%Y%%%m%%%d']}")
    assert cfg.ingest.date_formats[0] == "%Y-%m"


def test_a_tab_may_be_written_as_backslash_t():
    spec = parse_config("sources: [{table: leads, path: a.tsv, delimiter: '\\t'}]").sources[0]
    assert spec.delimiter == "\t"


# ------------------------------------------------------------------ exit statuses
def test_a_file_that_does_not_fit_the_configuration_exits_2(cli, tmp_path):
    """A ';' export read with delimiter ',' exited 6 (data failed validation); the fix is
    a setting, as for the other problems found before any row is read: exit 2, every
    problem still listed as JSON."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "leads.csv").write_text("lead_id;created_at\nL1;2025-01-05\n")
    (src / "leadpilot.yaml").write_text(
        yaml.safe_dump({"sources": [{"table": "leads", "path": "leads.csv", "delimiter": ","}]})
    )
    ws = tmp_path / "ws"
    code, out, err = cli("ingest", str(src / "leadpilot.yaml"), "-w", str(ws), "-f", "json")
    assert code == SourceLayoutError.exit_code == 2
    assert "set delimiter: ';' on this source" in err
    problems = yaml.safe_load(out)["error"]["problems"]
    assert {p["column"] for p in problems} == {"lead_id", "created_at"}
    assert not ws.exists()
    # rows that fail validation still exit 6
    (src / "leads.csv").write_text("lead_id;created_at\nL1;someday\n")
    (src / "leadpilot.yaml").write_text(
        yaml.safe_dump({"sources": [{"table": "leads", "path": "leads.csv"}]})
    )
    code, _, _ = cli("ingest", str(src / "leadpilot.yaml"), "-w", str(ws))
    assert code == 6


def test_ingest_refuses_an_unknown_format(cli, tmp_path):
    """`ingest --format xml` printed the table and exited 0."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "leads.csv").write_text("lead_id,created_at\nL1,2025-01-05\n")
    code, _, err = cli("ingest", str(src), "-w", str(tmp_path / "ws"), "--format", "xml")
    assert code == 2 and "--format 'xml': expected table or json" in err
    assert not (tmp_path / "ws").exists()
