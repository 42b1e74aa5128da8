"""Command line, in process: ingest errors as JSON, the quarantine, presets, new workspaces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml


def _bad_leads(folder: Path, n_bad: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["lead_id,created_at,company"]
    rows += [f"G{i},2025-01-05,Acme" for i in range(3)]
    rows += [f"B{i},someday,Acme" for i in range(n_bad)]
    (folder / "leads.csv").write_text("\n".join(rows) + "\n")
    return folder


def test_json_on_failure_lists_every_problem(cli, tmp_path):
    """Finding 10: strict mode showed 20 of 47,071 problems and --format json printed
    nothing; now JSON on stdout holds every problem with its fix, and the exit is 6."""
    source = _bad_leads(tmp_path / "src", 45)
    code, out, err = cli("ingest", str(source), "-w", str(tmp_path / "ws"), "--format", "json")
    assert code == 6
    doc = json.loads(out)
    problems = doc["error"]["problems"]
    assert doc["error"]["total"] == 45 and len(problems) == 45
    assert {p["row"] for p in problems} == set(range(5, 50))
    assert all(p["value"] == "someday" and p["column"] == "created_at" for p in problems)
    assert all("date_formats" in p["fix"] for p in problems)
    assert err.strip().startswith("leadpilot: error: 45 problem(s); nothing was loaded.")


def test_quarantine_command_lists_what_was_set_aside(cli, tmp_path):
    source = _bad_leads(tmp_path / "src", 2)
    ws = tmp_path / "ws"
    code, out, _ = cli("ingest", str(source), "-w", str(ws), "--policy", "quarantine")
    assert code == 0 and "leadpilot quarantine -w" in out
    code, out, _ = cli("quarantine", "-w", str(ws))
    assert code == 0
    assert "2 problem(s) in 2 record(s)" in out and "someday" in out and "fix:" in out
    code, out, _ = cli("quarantine", "-w", str(ws), "--format", "csv")
    lines = out.strip().splitlines()
    assert len(lines) == 3 and "column_name" in lines[0] and ",someday," in lines[1]
    # the same file again: the quarantine is replaced, not appended to
    cli("ingest", str(source), "-w", str(ws), "--policy", "quarantine")
    code, out, _ = cli("quarantine", "-w", str(ws), "--format", "json")
    assert len(json.loads(out)["rows"]) == 2


def test_presets_list_and_show(cli):
    code, out, _ = cli("presets")
    assert code == 0
    for name in ("hubspot_contacts", "hubspot_deals", "salesforce_leads",
                 "salesforce_opportunities"):  # fmt: skip
        assert name in out
    code, out, _ = cli("presets", "hubspot_contacts")
    assert code == 0
    assert "Became a Customer Date" in out and "Original Source" in out and "organic_social" in out
    code, _, err = cli("presets", "hubspot_contact")
    assert code == 2 and "did you mean 'hubspot_contacts'" in err


def test_new_workspace_takes_the_source_configurations_currency(cli, tmp_path):
    """Finding 12: `ingest CONFIG -w NEWDIR` created a EUR workspace for a USD config."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "leads.csv").write_text("lead_id,created_at\nL1,2025-01-05\n")
    (src / "spend.csv").write_text("date,channel,amount\n2025-01-01,email,100\n")
    (src / "leadpilot.yaml").write_text(
        yaml.safe_dump(
            {
                "currency": "USD",
                "timezone": "America/New_York",
                "sources": [
                    {"table": "leads", "path": "leads.csv"},
                    {"table": "spend", "path": "spend.csv"},
                ],
            }
        )
    )
    ws = tmp_path / "new-ws"
    code, _, err = cli("ingest", str(src / "leadpilot.yaml"), "-w", str(ws))
    assert code == 0, err
    written = yaml.safe_load((ws / "leadpilot.yaml").read_text())
    assert written["currency"] == "USD" and written["timezone"] == "America/New_York"
    code, out, _ = cli("kpis", "-w", str(ws), "--format", "json")
    assert json.loads(out)["meta"]["currency"] == "USD"


def test_ingest_warns_when_spend_and_leads_name_channels_differently(cli, tmp_path):
    """Finding 3: spend named 'email' never joined leads named 'email_marketing', silently."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "leads.csv").write_text("lead_id,created_at,channel\nL1,2025-01-05,email_marketing\n")
    (src / "spend.csv").write_text("date,channel,amount\n2025-01-01,email,100\n")
    code, out, _ = cli("ingest", str(src), "-w", str(tmp_path / "ws"))
    assert code == 0
    assert "'email'" in out and "email_marketing" in out and "did you mean" in out


def _commands():
    from leadpilot.cli import app

    def walk(typer_app, prefix=()):
        for c in typer_app.registered_commands:
            yield (*prefix, c.name or c.callback.__name__.replace("_", "-")), c.callback
        for g in typer_app.registered_groups:
            yield from walk(g.typer_instance, (*prefix, g.name))

    return list(walk(app))


def test_every_command_takes_lang():
    """--lang fr|en everywhere (finding 9): every command declares it."""
    import inspect

    missing = [
        " ".join(name)
        for name, fn in _commands()
        if "lang" not in inspect.signature(fn).parameters
    ]
    assert not missing, f"commands without --lang: {missing}"
    assert len(_commands()) >= 18


@pytest.mark.parametrize(
    "args",
    [["kpis"], ["funnel"], ["velocity"], ["quarantine"], ["content"], ["retention"],
     ["attribution"], ["presets"], ["score", "evaluate"]],  # fmt: skip
)
def test_unknown_language_is_an_error_on_every_command(cli, tmp_path, args):
    code, _, err = cli(*args, "-w", str(tmp_path), "--lang", "de") if args != ["presets"] else (
        cli(*args, "--lang", "de")
    )
    assert code == 2 and "--lang 'de': expected one of en, fr" in err


def test_french_tables_format_numbers_and_the_workspace_currency(cli, tmp_path):
    """Finding 9: numbers stayed 1,583 and 7.4 % in French; a USD workspace showed €/MQL."""
    from helpers import build, write_config

    folder = build(
        tmp_path / "data",
        [{"channel": "email", "n": 1500, "mql": 900, "customers": 110, "basket": 2500,
          "spend": 3000}],  # fmt: skip
    )
    ws = tmp_path / "ws"
    write_config(ws, currency="USD")
    assert cli("ingest", str(folder), "-w", str(ws))[0] == 0
    code, out, _ = cli("kpis", "-w", str(ws), "--kpi", "leads,cpl,lead_to_customer,revenue",
                       "--lang", "fr")  # fmt: skip
    assert code == 0
    assert "1\u202f500" in out  # French thousands
    assert "2,00\xa0$US" in out  # CPL in the workspace's dollars, French style
    assert "7,3\xa0%" in out or "7,3\u202f%" in out  # 110 / 1500
    assert "275\u202f000\xa0$US" in out and "€" not in out
    code, out, _ = cli("kpis", "-w", str(ws), "--kpi", "leads,cpl", "--lang", "en")
    assert "1,500" in out and "$2.00" in out


def test_failed_ingest_into_a_new_folder_leaves_nothing(cli, tmp_path):
    """A failed ingest leaves the workspace as it was: here, not there at all (a later
    `kpis -w` used to report 0 leads, in EUR, from the half-made workspace)."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("leads:\nsources: [{table: leads, path: nowhere.csv}]\n")
    ws = tmp_path / "new-ws"
    code, _, err = cli("ingest", str(bad), "-w", str(ws))
    assert code != 0 and not ws.exists()
    code, _, err = cli("kpis", "-w", str(ws))
    assert code == 3 and "does not exist" in err


def test_an_ingest_out_of_memory_says_the_cap_and_changes_nothing(cli, tmp_path, monkeypatch):
    # DuckDB stops when what it cannot spill passes the ingest's cap: one line naming the
    # cap and the setting, exit 5, and the workspace as it was (the write is abandoned)
    import duckdb

    import leadpilot
    from leadpilot import pilot
    from leadpilot.sources import load

    data = tmp_path / "data"
    pilot.generate(data, leads=300, seed=4)
    ws = tmp_path / "ws"
    assert cli("ingest", str(data), "-w", str(ws))[0] == 0
    with leadpilot.open(ws) as lp:
        before = {t: lp.tables()[t].count().execute() for t in ("leads", "touchpoints")}
    real = load.ingest

    def runs_out(*args, **kwargs):
        real(*args, **kwargs)  # everything written, then the engine runs out
        raise duckdb.OutOfMemoryException("Out of Memory Error: failed to allocate data")

    monkeypatch.setattr(load, "ingest", runs_out)
    pilot.generate(tmp_path / "more", leads=400, seed=5)
    code, out, err = cli("ingest", str(tmp_path / "more"), "-w", str(ws))
    assert code == 5
    assert "more memory than its cap of 2GB" in err and "LEADPILOT_INGEST_MEMORY=4GB" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 3
    with leadpilot.open(ws) as lp:
        assert {t: lp.tables()[t].count().execute() for t in ("leads", "touchpoints")} == before


def test_a_folder_holding_only_its_leadpilot_yaml_names_it(cli, tmp_path):
    """`leadpilot ingest zoho_crm` (an example's folder: its leadpilot.yaml names the files)
    said no canonical file was found, without pointing at the configuration beside."""
    folder = _bad_leads(tmp_path / "export", 0)
    (folder / "leads.csv").rename(folder / "crm.csv")
    (folder / "leadpilot.yaml").write_text(
        yaml.safe_dump({"sources": [{"path": "crm.csv", "table": "leads"}]})
    )
    code, out, err = cli("ingest", str(folder), "-w", str(tmp_path / "ws"))
    assert code != 0
    said = " ".join(err.split())
    assert f"holds a leadpilot.yaml naming sources: ingest it ({folder / 'leadpilot.yaml'})" in said
    code, out, err = cli("ingest", str(folder / "leadpilot.yaml"), "-w", str(tmp_path / "ws"))
    assert code == 0, err
    code, out, err = cli("ingest", str(tmp_path / "ws"), "-w", str(tmp_path / "ws2"))
    assert "the folder holds" not in " ".join(err.split())  # a workspace's own settings


def test_an_empty_quarantine_has_its_csv_header_and_its_french(cli, tmp_path, good_dir):
    ws = tmp_path / "ws"
    assert cli("ingest", str(good_dir), "-w", str(ws))[0] == 0
    code, out, _ = cli("quarantine", "-w", str(ws), "--format", "csv")
    assert code == 0 and out.splitlines() == [
        "table_name,file,row,column_name,value,reason,record,ingested_at,fix"
    ]
    code, out, _ = cli("quarantine", "-w", str(ws), "--lang", "fr")
    assert out.strip() == "La quarantaine est vide : chaque ligne des derniers chargements a " \
        "été chargée."  # fmt: skip
