"""End-to-end command line: generate -> ingest -> kpis JSON, errors without tracebacks, and
the exit statuses the README documents.

In process (the same ``main()`` the ``leadpilot`` script calls, argv and streams swapped),
except one smoke test that runs the real script for its exit statuses.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import DATA

import leadpilot
from leadpilot import errors
from leadpilot.cli import main

README = Path(__file__).parents[1] / "README.md"


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def run(*args: str) -> Ran:
    """``leadpilot ARGS`` in this process, at 100 columns."""
    out, err = io.StringIO(), io.StringIO()
    argv, columns = sys.argv, os.environ.get("COLUMNS")
    sys.argv, os.environ["COLUMNS"] = ["leadpilot", *args], "100"
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = argv
        if columns is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = columns
    return Ran(code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "data"
    r = run("generate", str(out), "--leads", "3000", "--seed", "7", "--format", "csv")
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="module")
def ws(generated, tmp_path_factory) -> Path:
    """The generated data ingested through the command (read by the tests below)."""
    ws = tmp_path_factory.mktemp("ws") / "ws"
    r = run("ingest", str(generated), "-w", str(ws))
    assert r.returncode == 0, r.stderr
    assert "Ingest summary" in r.stdout
    return ws


def test_generate_ingest_kpis_json(ws):
    r = run("kpis", "-w", str(ws), "--by", "channel", "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert set(doc) == {"rows", "meta"} and doc["meta"]["view"] == "cohort"
    assert {"leads", "cpl", "lead_to_customer"} <= set(doc["meta"]["definitions"])
    channels = {row["channel"] for row in doc["rows"]}
    assert len(channels) >= 8
    total = sum(row["leads"] for row in doc["rows"])
    r = run("kpis", "-w", str(ws), "--format", "json")
    assert json.loads(r.stdout)["rows"][0]["leads"] == total


def test_ingesting_the_same_files_again_changes_nothing(generated, ws):
    before = json.loads(run("kpis", "-w", str(ws), "--format", "json").stdout)["rows"]
    r = run("ingest", str(generated), "-w", str(ws))
    assert r.returncode == 0, r.stderr
    assert json.loads(run("kpis", "-w", str(ws), "--format", "json").stdout)["rows"] == before


def test_kpis_csv_and_table(ws):
    r = run("kpis", "-w", str(ws), "--by", "channel", "--period", "quarter", "--format", "csv")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines[0].startswith("period,channel,leads")
    assert len(lines) > 8
    r = run("kpis", "-w", str(ws), "--by", "channel")
    assert r.returncode == 0 and "cpl" in r.stdout
    assert max(len(line) for line in r.stdout.splitlines()) <= 100
    r = run("kpis", "-w", str(ws), "--by", "channel", "--period", "quarter", "--kpi", "all")
    assert r.returncode == 0, r.stderr
    assert max(len(line) for line in r.stdout.splitlines()) <= 100
    assert "roas" in r.stdout and "engaged" in r.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["funnel", "--by", "channel"],
        ["velocity"],
        ["content"],
        ["sources"],
        ["retention"],
        ["kpis", "--view", "activity", "--period", "month"],
    ],
)
def test_funnel_velocity_and_secondary_commands(ws, args):
    r = run(*args, "-w", str(ws), "--format", "json")
    assert r.returncode == 0, (args, r.stderr)
    doc = json.loads(r.stdout)
    assert set(doc) == {"rows", "meta"} and doc["rows"], args
    r = run(*args, "-w", str(ws))
    assert r.returncode == 0 and "Traceback" not in r.stderr, args


def test_generate_is_deterministic(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert run("generate", str(a), "--leads", "500", "--seed", "3").returncode == 0
    assert run("generate", str(b), "--leads", "500", "--seed", "3").returncode == 0
    for f in sorted(a.iterdir()):
        assert f.read_bytes() == (b / f.name).read_bytes(), f.name


def test_bad_input_exits_non_zero_with_one_line_reason(tmp_path):
    ws = tmp_path / "ws"
    r = run("ingest", str(DATA / "bad" / "bad_date"), "-w", str(ws))
    assert r.returncode == errors.ValidationError.exit_code
    first = r.stderr.strip().splitlines()[0]
    assert first.startswith("leadpilot: error:") and "row 3" in first
    assert "Traceback" not in r.stderr
    assert not ws.exists()  # a failed first ingest leaves no half-made workspace


def test_missing_workspace_and_bad_options(tmp_path):
    r = run("kpis", "-w", str(tmp_path / "nope"))
    assert r.returncode == errors.WorkspaceError.exit_code
    assert "does not exist" in r.stderr and "Traceback" not in r.stderr
    r = run("kpis", "-w", str(tmp_path), "--format", "xml")
    assert r.returncode == errors.UsageError.exit_code and "Traceback" not in r.stderr
    r = run("kpis", "--no-such-option")  # a usage error from the command-line parser
    assert r.returncode == 2 and "No such option" in r.stderr and "Traceback" not in r.stderr


def test_errors_in_french_with_lang_fr(tmp_path):
    """A French export refused: the reason, the value as written, what was expected and
    the setting that fixes it, in French."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "leads.csv").write_text(
        "lead_id,created_at,email\nL1,31/01/2025,a@x.fr\nL2,hier,b@x.fr\n"
        "L3,2025-01-04,c@x.fr\nL4,12/02/2025,d@x.fr\nL5,1 054,e@x.fr\n",
        encoding="utf-8",
    )
    ws = tmp_path / "ws"
    r = run("ingest", str(src), "-w", str(ws), "--lang", "fr")
    assert r.returncode == errors.ValidationError.exit_code
    first, *problems = r.stderr.strip().splitlines()
    assert first.startswith("leadpilot : erreur : 2 problème(s) ; rien n'a été chargé.")
    assert "ligne 3, colonne 'created_at' : lu 'hier'" in first
    assert ("attendu : une date écrite comme 31/12/2024 (%d/%m/%Y, le format des autres "
            "valeurs de la colonne) ou ISO 8601, avec ou sans heure") in first  # fmt: skip
    assert "correction : indiquez le format de date du fichier dans leadpilot.yaml" in first
    assert first.endswith("relancez avec --policy quarantine pour charger les lignes valides.")
    assert [p.split(" : ")[0].split(", ")[1] for p in problems] == ["ligne 3", "ligne 6"]
    # a column the configuration names and the file lacks
    (src / "leadpilot.yaml").write_text(
        "sources:\n  - path: leads.csv\n    table: leads\n"
        "    columns: {created_at: Date de creation}\n",
        encoding="utf-8",
    )
    (src / "leads.csv").write_text("lead_id,Date creation\nL1,2025-01-02\n", encoding="utf-8")
    r = run("ingest", str(src / "leadpilot.yaml"), "-w", str(ws), "--lang", "fr")
    column = "une colonne 'Date de creation' pour leads.created_at"
    assert f"attendu : {column} (vouliez-vous dire 'Date creation' ?). Rien n'a été" in r.stderr
    r2 = run("kpis", "-w", str(tmp_path / "nope"), "--lang", "fr")
    assert r2.stderr.startswith("leadpilot : erreur : l'espace de travail")
    assert "n'existe pas ; créez-le avec `leadpilot init" in r2.stderr
    for line in (first, *problems, r.stderr, r2.stderr):  # no English framing left
        assert not any(w in line for w in ("row ", "expected", "fix:", " got ", "problem(s)",
                                           "Nothing", "did you"))  # fmt: skip
    # in English, the message as raised
    r = run("ingest", str(src / "leadpilot.yaml"), "-w", str(ws))
    assert r.stderr.strip().startswith("leadpilot: error: 1 problem(s); nothing was loaded.")


@pytest.mark.parametrize(
    ("args", "french"),
    [
        (["kpis", "--by", "foo"], "dimension(s) inconnue(s) ['foo'] ; disponibles : period"),
        (["kpis", "--period", "fortnight"], "période inconnue 'fortnight' ; attendu : day"),
        (["kpis", "--view", "other"], "vue inconnue 'other' ; attendu : cohort ou activity"),
        (["kpis", "--kpi", "nope"], "indicateur inconnu 'nope' ; connus : leads, mqls"),
        (["attribution", "--model", "nope"], "modèle(s) inconnu(s) ['nope'] ; attendu : all"),
        (["kpis", "--from", "2025-13-01"], "--from '2025-13-01' : attendu une date comme"),
    ],
)
def test_bad_options_in_french(ws, args, french):
    r = run(*args, "-w", str(ws), "--lang", "fr")
    assert r.returncode == errors.UsageError.exit_code
    assert r.stderr.strip().startswith(f"leadpilot : erreur : {french}"), r.stderr


def test_init_writes_config(tmp_path):
    r = run("init", str(tmp_path / "ws"))
    assert r.returncode == 0
    assert (tmp_path / "ws" / "leadpilot.yaml").exists()
    # the workspace exists (the service answered 401 for a folder without its database)
    with leadpilot.open(tmp_path / "ws") as lp:
        assert lp.workspace.has_table("leads")
    r = run("init", str(tmp_path / "ws"))
    assert r.returncode != 0 and "already exists" in r.stderr


def documented_statuses() -> dict[int, str]:
    """The README's table of exit statuses."""
    text = README.read_text()
    table = text.split("| status | meaning |", 1)[1].split("\n\n", 1)[0]
    return {
        int(m.group(1)): m.group(2)
        for m in re.finditer(r"^\| (\d+) \| (.+?) \|$", table, re.MULTILINE)
    }


def test_the_documented_exit_statuses_are_the_errors_statuses():
    documented = documented_statuses()
    raised = {
        cls.exit_code
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.LeadpilotError)
    }
    from leadpilot.cli.diagnostics import FINDINGS_EXIT

    # every status an error can end with is documented, and nothing else is
    assert raised | {0, FINDINGS_EXIT, 70, 130} == set(documented)
    assert "validation" in documented[errors.ValidationError.exit_code]
    assert "--wait" in documented[errors.WorkspaceBusyError.exit_code]
    assert "diagnose --fail-on" in documented[FINDINGS_EXIT]


def test_the_installed_script_exits_with_the_documented_statuses(tmp_path):
    """One smoke test through the real script in a new process: statuses reach the shell."""

    def script(*args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "COLUMNS": "100"}
        return subprocess.run([sys.executable, "-m", "leadpilot", *args], capture_output=True,
                              text=True, timeout=300, env=env)  # fmt: skip

    ok = script("init", str(tmp_path / "ws"))
    assert ok.returncode == 0, ok.stderr
    bad = script("ingest", str(DATA / "bad" / "bad_date"), "-w", str(tmp_path / "new"))
    assert bad.returncode == 6 and bad.stderr.strip().startswith("leadpilot: error:")
    assert "Traceback" not in bad.stderr
    usage = script("kpis", "--no-such-option")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr


def test_version(cli):
    from importlib import metadata

    code, out, _ = cli("--version")
    assert code == 0 and out.strip() == f"leadpilot {metadata.version('leadpilot')}"
