"""Sources read straight from database tables (sources/tables.py), against the session's
PostgreSQL server: mapped like a file, validated the same way, filtered in the database."""

from __future__ import annotations

import psycopg
import pytest
import yaml
from helpers import write_config

import leadpilot
from leadpilot.errors import ConfigError, SourceError, ValidationError

CONTACTS = [
    # contact_id, created (text, as CRMs replicate it), email, source, amount
    ("C1", "2025-01-03", "a@x.com", "google", 10.5),
    ("C2", "2025-01-04", "b@x.com", "linkedin", None),
    ("C3", "2024-12-30", "c@x.com", "google", 3.0),  # filtered out
    ("C4", "not a date", "d@x.com", "google", 1.0),  # a bad date: quarantined
    ("C5", "2025-02-01", None, "email", 2.25),
]
COLUMNS = {"lead_id": "contact_id", "created_at": "created", "utm_source": "source"}
CSV = "contact_id,created,email,source,amount\n" + "".join(
    f"{c},{d},{e or ''},{s},{'' if a is None else a}\n" for c, d, e, s, a in CONTACTS
)


@pytest.fixture
def crm(pg_url):
    """A PostgreSQL schema holding a CRM table of contacts; returns its URL."""
    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute(
            "CREATE TABLE contacts (contact_id text, created text, email text, source text, "
            "amount numeric(10, 2))"
        )
        with con.cursor() as cur:
            cur.executemany("INSERT INTO contacts VALUES (%s, %s, %s, %s, %s)", CONTACTS)
    return pg_url


def _source(tmp_path, url: str, **entry) -> object:
    cfg = {
        "sources": [
            {
                "table": "leads",
                "database": url,
                "from_table": "contacts",
                "columns": COLUMNS,
                **entry,
            }
        ]
    }
    path = tmp_path / "source.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def test_a_table_is_mapped_filtered_and_validated_like_a_file(crm, tmp_path):
    source = _source(tmp_path, crm, filter="created >= '2025-01-01' OR created = 'not a date'")
    ws = write_config(tmp_path / "ws").parent
    with leadpilot.open(ws) as lp:
        summary = lp.ingest(source, policy="quarantine")
        leads = lp.table("leads").sort_values("lead_id")
        quarantine = lp.quarantine()
    assert leads["lead_id"].tolist() == ["C1", "C2", "C5"]  # C3 filtered in the database
    assert leads["created_at"].dt.strftime("%Y-%m-%d").tolist() == [
        "2025-01-03", "2025-01-04", "2025-02-01",
    ]  # fmt: skip
    assert leads["amount"].tolist()[:1] == [10.5]  # numeric read as a number, kept as attribute
    assert summary.tables["leads"].rows_quarantined == 1
    assert quarantine["row"].tolist() == [3]  # the third row of the filtered table
    label = summary.tables["leads"].files[0]
    assert label.startswith("postgresql://postgres@127.0.0.1:") and "#contacts where" in label


def test_a_table_gives_the_same_workspace_as_its_export(crm, tmp_path):
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "contacts.csv").write_text(CSV)
    file_cfg = {
        "sources": [
            {
                "table": "leads",
                "path": "export/contacts.csv",
                "columns": COLUMNS,
            }
        ]
    }
    (tmp_path / "file.yaml").write_text(yaml.safe_dump(file_cfg))
    got = {}
    for name, source in (("table", _source(tmp_path, crm)), ("file", tmp_path / "file.yaml")):
        with leadpilot.open(write_config(tmp_path / name).parent) as lp:
            lp.ingest(source, policy="quarantine")
            df = lp.table("leads").sort_values("lead_id")
            cols = ["lead_id", "created_at", "email", "channel"]
            got[name] = df[cols].astype(str).values.tolist()
    assert got["table"] == got["file"]


def test_strict_policy_names_the_table_row_and_column(crm, tmp_path):
    ws = write_config(tmp_path / "ws").parent
    with leadpilot.open(ws) as lp, pytest.raises(ValidationError) as err:
        lp.ingest(_source(tmp_path, crm))
    assert "#contacts, row 4" in str(err.value)  # the fourth row of the table


def test_the_password_never_appears_in_the_label():
    from leadpilot.config import SourceSpec
    from leadpilot.sources.tables import label

    spec = SourceSpec(
        table="leads", database="postgresql://me:secret@db/crm", from_table="s.t", filter="x > 1"
    )
    assert label(spec) == "postgresql://me@db/crm#s.t where x > 1"


def test_an_unknown_table_or_a_bad_filter_is_a_source_error(crm, tmp_path):
    ws = write_config(tmp_path / "ws").parent
    with leadpilot.open(ws) as lp:
        with pytest.raises(SourceError, match="no such table"):
            lp.ingest(_source(tmp_path, crm, from_table="nope"))
        with pytest.raises(SourceError, match="the filter cannot be run"):
            lp.ingest(_source(tmp_path, crm, filter="no_such_column = 1"))


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"path": "x.csv", "from_table": "t", "database": "duckdb://"}, "not both"),
        ({"from_table": "t"}, "needs the database"),
        ({"path": "x.csv", "filter": "a = 1"}, "go with from_table"),
        ({}, "the file \\(path\\), or a database table"),
    ],
)
def test_a_source_entry_is_a_file_or_a_table(tmp_path, entry, message):
    path = tmp_path / "leadpilot.yaml"
    path.write_text(yaml.safe_dump({"sources": [{"table": "leads", **entry}]}))
    with pytest.raises(ConfigError, match=message):
        leadpilot.config.load_config(path)
