"""Exports as CRMs really write them: no number may come out wrong without an error.

A French-locale Salesforce report is ';'-separated, Windows-1252, with French headers,
dd/mm/yyyy dates and '1 054,00' amounts; these tests write such files and check that
every date is read the same way in every table, or that the ingest refuses to guess.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import leadpilot
from leadpilot.errors import SourceError, ValidationError

LEADS_HEADER = (
    "ID de piste;Date de création;Origine de la piste;Société / Compte;Nb d'employés;Titre;"
    "E-mail;Étape\n"
)
OPPS_HEADER = (
    "ID de l'opportunité;Nom de l'opportunité;ID de piste;Étape;Montant;Date de création;"
    "Date de clôture\n"
)
LEADS_COLUMNS = {
    "lead_id": "ID de piste",
    "created_at": "Date de création",
    "channel": "Origine de la piste",
    "company": "Société / Compte",
    "company_size": "Nb d'employés",
    "job_title": "Titre",
    "email": "E-mail",
}
OPPS_COLUMNS = {
    "deal_id": "ID de l'opportunité",
    "lead_id": "ID de piste",
    "status": "Étape",
    "amount": "Montant",
    "created_at": "Date de création",
    "closed_at": "Date de clôture",
}
OPPS_VALUES = {"status": {"Fermée gagnée": "won", "Fermée perdue": "lost", "*": "open"}}


def _leads(rows: list[tuple[str, str]]) -> str:
    out = [LEADS_HEADER]
    for i, (lid, created) in enumerate(rows):
        source = "Liste achetée" if i % 2 else "Publicité"
        out.append(f"{lid};{created};{source};Société {i};1 200;Directrice;p{i}@x.fr;Nouvelle\n")
    return "".join(out)


def _opps(rows: list[tuple[str, str, str, str, str]]) -> str:
    out = [OPPS_HEADER]
    for oid, lid, stage, created, closed in rows:
        out.append(f"{oid};Affaire {oid};{lid};{stage};1 054,00 €;{created};{closed}\n")
    return "".join(out)


def _write_export(folder: Path, leads: str, opps: str, workspace_formats=None, **source_opts):
    """The two report files (Windows-1252) and a leadpilot.yaml naming them."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pistes.csv").write_bytes(leads.encode("cp1252"))
    (folder / "opportunites.csv").write_bytes(opps.encode("cp1252"))
    cfg = {
        "currency": "EUR",
        "ingest": {"decimal": ","} | ({"date_formats": workspace_formats} if workspace_formats
                                       else {}),  # fmt: skip
        "sources": [
            {
                "table": "leads",
                "path": "pistes.csv",
                "preset": "salesforce_leads",
                "columns": LEADS_COLUMNS,
                **source_opts.get("leads", {}),
            },
            {
                "table": "deals",
                "path": "opportunites.csv",
                "preset": "salesforce_opportunities",
                "columns": OPPS_COLUMNS,
                "constants": {"currency": "EUR"},
                "values": OPPS_VALUES,
                **source_opts.get("deals", {}),
            },
        ],
    }
    path = folder / "leadpilot.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


LEAD_ROWS = [("L1", "01/11/2016"), ("L2", "25/11/2016"), ("L3", "03/02/2017")]
OPP_ROWS = [
    ("O1", "L1", "Fermée gagnée", "05/11/2016", "10/12/2016"),
    ("O2", "L2", "Fermée perdue", "28/11/2016", "02/01/2017"),  # 28/11: day-first
    ("O3", "L3", "Proposition", "04/02/2017", "30/03/2017"),
]


@pytest.fixture
def ws(tmp_path, backend):
    path = tmp_path / "ws"
    path.mkdir()
    (path / "leadpilot.yaml").write_text(
        yaml.safe_dump({"workspace": {"backend": backend}, "currency": "EUR"})
    )
    return path


def _dates(lp, table: str, column: str) -> dict[str, str]:
    df = lp.table(table)
    key = "deal_id" if table == "deals" else "lead_id"
    return {
        k: (None if v is None or v != v else f"{v:%Y-%m-%d}")
        for k, v in zip(df[key], df[column], strict=True)
    }


def _day_first(shared_workspaces, kind: str):
    """The export of LEAD_ROWS and OPP_ROWS ingested with ingest.date_formats ['%d/%m/%Y']
    (shared by the tests that only read it), and the summary of that ingest."""
    first = {}

    def ingest(path):
        config = _write_export(path.parent / f"{path.name}-x", _leads(LEAD_ROWS),
                               _opps(OPP_ROWS), ["%d/%m/%Y"])  # fmt: skip
        with leadpilot.open(path) as lp:
            first["summary"] = lp.ingest(config)

    path = shared_workspaces.get(kind, "day_first", ingest, currency="EUR")
    return path, shared_workspaces.once(kind, "day_first summary", lambda: first["summary"])


def test_workspace_formats_win_over_the_presets_for_every_table(shared_workspaces,
                                                                backend_kind):  # fmt: skip
    """Finding 1: with ingest.date_formats ['%d/%m/%Y'] the preset's US formats used to win
    for the deals (01/11/2016 read as 2016-01-11). Now both tables read day-first."""
    ws, summary = _day_first(shared_workspaces, backend_kind)
    with leadpilot.open(ws) as lp:
        leads = _dates(lp, "leads", "created_at")
        created = _dates(lp, "deals", "created_at")
        closed = _dates(lp, "deals", "closed_at")
        amounts = sorted(lp.table("deals").amount)
    assert leads == {"L1": "2016-11-01", "L2": "2016-11-25", "L3": "2017-02-03"}
    assert created == {"O1": "2016-11-05", "O2": "2016-11-28", "O3": "2017-02-04"}
    assert closed == {"O1": "2016-12-10", "O2": "2017-01-02", "O3": None}  # open: cleared
    assert amounts == [1054.0, 1054.0, 1054.0]
    assert any("windows-1252" in n.lower() or "cp1252" in n.lower() for n in summary.notes)


def test_french_values_and_headers_are_transliterated(shared_workspaces, backend_kind):
    """Finding 9: 'Liste achetée' used to become 'liste_achet_e' and 'Étape' 'tape'."""
    ws, _ = _day_first(shared_workspaces, backend_kind)
    with leadpilot.open(ws) as lp:
        leads = lp.table("leads")
    assert set(leads.channel) == {"liste_achetee", "publicite"}
    assert "etape" in leads.columns and set(leads.etape) == {"Nouvelle"}


def test_source_formats_win_over_the_workspaces(ws, tmp_path):
    opps = [("O1", "L1", "Fermée gagnée", "2016.11.05", "2016.12.10")]
    config = _write_export(
        tmp_path / "x",
        _leads(LEAD_ROWS),
        _opps(opps),
        ["%d/%m/%Y"],
        deals={"date_formats": ["%Y.%m.%d"]},
    )
    with leadpilot.open(ws) as lp:
        lp.ingest(config)
        assert _dates(lp, "deals", "created_at") == {"O1": "2016-11-05"}
        assert _dates(lp, "leads", "created_at")["L1"] == "2016-11-01"


def test_layout_detected_when_nothing_is_set(ws, tmp_path):
    """No format anywhere: the preset's default (month-first) cannot read 25/11/2016, the
    day-first layout reads every value of the column, so the column is day-first."""
    config = _write_export(tmp_path / "x", _leads(LEAD_ROWS), _opps(OPP_ROWS))
    with leadpilot.open(ws) as lp:
        summary = lp.ingest(config)
        assert _dates(lp, "leads", "created_at")["L1"] == "2016-11-01"
        assert _dates(lp, "deals", "created_at")["O1"] == "2016-11-05"
    detected = [n for n in summary.notes if "detected from its values" in n]
    assert any("'Date de création'" in n and "day-first" in n for n in detected)


def test_ambiguous_column_is_refused_whatever_the_policy(ws, tmp_path):
    """Every value fits day-first and month-first (no day above 12) and nothing is set:
    the ingest refuses, with both readings, an example cell and the setting to write."""
    leads = [("L1", "01/11/2016"), ("L2", "03/02/2017")]
    opps = [("O1", "L1", "Fermée gagnée", "05/11/2016", "10/12/2016")]
    config = _write_export(tmp_path / "x", _leads(leads), _opps(opps))
    for policy in ("strict", "quarantine"):
        with leadpilot.open(ws) as lp, pytest.raises(ValidationError) as info:
            lp.ingest(config, policy=policy)
        text = str(info.value) + " ".join(str(p) for p in info.value.problems)
        assert "'Date de création'" in text
        assert "got '01/11/2016'" in text
        assert "day-first (%d/%m/%Y) reads it as 2016-11-01" in text
        assert "month-first (%m/%d/%Y) reads it as 2016-01-11" in text
        assert "date_formats" in text
        with leadpilot.open(ws) as lp:
            assert len(lp.table("leads")) == 0 and len(lp.table("quarantine")) == 0
    # said once, the layout is used for every date column of the file
    config = _write_export(tmp_path / "x", _leads(leads), _opps(opps), ["%d/%m/%Y"])
    with leadpilot.open(ws) as lp:
        lp.ingest(config)
        assert _dates(lp, "leads", "created_at") == {"L1": "2016-11-01", "L2": "2017-02-03"}


def test_ambiguous_column_follows_the_files_other_date_column(ws, tmp_path):
    """The closing dates settle day-first (30/03); the creation dates all fit both orders:
    one export, one locale, so they are read day-first too, and the summary says so."""
    opps = [
        ("O1", "L1", "Fermée gagnée", "05/11/2016", "30/11/2016"),
        ("O2", "L3", "Fermée perdue", "04/02/2017", "30/03/2017"),
    ]
    config = _write_export(tmp_path / "x", _leads(LEAD_ROWS), _opps(opps))
    with leadpilot.open(ws) as lp:
        summary = lp.ingest(config)
        assert _dates(lp, "deals", "created_at") == {"O1": "2016-11-05", "O2": "2017-02-04"}
    assert any("like the file's other date columns" in n for n in summary.notes)


def test_a_column_is_never_read_two_ways(ws, tmp_path):
    """Day-first for the column: a month-first cell (11/25/2016) is an error showing the
    cell as written and the fix, not a date read the other way round."""
    leads = [("L1", "01/11/2016"), ("L2", "25/11/2016"), ("L3", "11/26/2016"), ("L4", "28/11/2016")]
    config = _write_export(tmp_path / "x", _leads(leads), _opps(OPP_ROWS[:2]))
    with leadpilot.open(ws) as lp, pytest.raises(ValidationError) as info:
        lp.ingest(config)
    (problem,) = info.value.problems
    assert problem.row == 4 and problem.column == "Date de création"
    assert problem.value == "11/26/2016"
    assert "%d/%m/%Y" in problem.expected and "date_formats" in (problem.fix or "")


def test_future_date_error_shows_the_cell_as_written(ws, tmp_path):
    leads = [("L1", "01/11/2016"), ("L2", "25/11/2099")]
    config = _write_export(tmp_path / "x", _leads(leads), _opps(OPP_ROWS[1:2]))
    with leadpilot.open(ws) as lp, pytest.raises(ValidationError) as info:
        lp.ingest(config)
    problem = info.value.problems[0]  # then its deal, whose lead cannot load
    assert problem.value == "25/11/2099" and problem.column == "Date de création"
    assert [p.column for p in info.value.problems[1:]] == ["ID de piste"]
    assert "date_formats" in problem.fix


# ---------------------------------------------------------------- encodings


def _canonical_leads(folder: Path, text: str, encoding: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "leads.csv").write_bytes(text.encode(encoding))
    return folder


LEADS_TEXT = "lead_id,created_at,company,channel\nL1,2025-01-05,Société Générale,Publicité\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_encodings_are_read_or_detected(ws, tmp_path, encoding):
    folder = _canonical_leads(tmp_path / encoding, LEADS_TEXT * 1, encoding)
    with leadpilot.open(ws) as lp:
        summary = lp.ingest(folder)
        leads = lp.table("leads")
    assert list(leads.company) == ["Société Générale"]
    if encoding == "cp1252":
        assert any("read as" in n and "detected" in n for n in summary.notes)


def test_undecodable_file_names_the_line_and_the_setting(ws, tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    good = "lead_id,created_at,company\n" + "".join(f"L{i},2025-01-05,Acme\n" for i in range(5))
    # bytes that are neither UTF-8 nor text in any 8-bit encoding a detector would trust
    (folder / "leads.csv").write_bytes(good.encode() + b"L9,2025-01-05,\x81\x8d\x8f\x90\x9d\n")
    spec = folder / "leadpilot.yaml"
    spec.write_text(
        yaml.safe_dump({"sources": [{"table": "leads", "path": "leads.csv", "encoding": "utf-8"}]})
    )
    with leadpilot.open(ws) as lp, pytest.raises(SourceError) as info:
        lp.ingest(spec)
    message = str(info.value)
    assert "line 7" in message and "encoding:" in message and "windows-1252" in message


# ---------------------------------------------------------------- HubSpot wide rows

HUBSPOT_HEADER = (
    "Record ID,First Name,Last Name,Email,Company Name,Number of Employees,Country/Region,"
    "Create Date,Lifecycle Stage,Original Source,Became a Marketing Qualified Lead Date,"
    "Became a Customer Date\n"
)


def _hubspot(folder: Path, rows: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "contacts.csv").write_text(HUBSPOT_HEADER + "".join(r + "\n" for r in rows))
    path = folder / "leadpilot.yaml"
    path.write_text(
        yaml.safe_dump(
            {"sources": [{"table": "leads", "path": "contacts.csv", "preset": "hubspot_contacts"}]}
        )
    )
    return path


def test_a_bad_wide_cell_sets_aside_that_record_only(ws, tmp_path):
    """Finding 5: a bad 'Became a Customer Date' used to drop the row's valid MQL event too,
    and the summary counted 2 where the quarantine held 1."""
    config = _hubspot(
        tmp_path / "h",
        [
            "1,Ana,Lopez,ana@a.io,A,10,Spain,2024-01-08 09:14,customer,ORGANIC_SEARCH,"
            "2024-01-10 11:02,not a date",
            "2,Tom,Beck,tom@b.io,B,10,Spain,2024-01-09 09:00,lead,PAID_SEARCH,2024-01-11 10:00,",
        ],
    )
    with leadpilot.open(ws) as lp:
        summary = lp.ingest(config, policy="quarantine")
        ev = lp.table("stage_events")
        events = sorted(zip(ev.lead_id, ev.stage, strict=True))
        leads = sorted(lp.table("leads").lead_id)
        q = lp.table("quarantine")
    assert leads == ["1", "2"]
    assert events == [("1", "mql"), ("2", "mql")]
    s = summary.tables["stage_events"]
    assert (s.rows_read, s.rows_loaded, s.rows_quarantined, s.problems_quarantined) == (3, 2, 1, 1)
    assert len(q) == s.problems_quarantined
    assert list(q.column_name) == ["Became a Customer Date"] and list(q.value) == ["not a date"]
    # re-ingesting the same files replaces their quarantine instead of adding to it
    with leadpilot.open(ws) as lp:
        lp.ingest(config, policy="quarantine")
        assert len(lp.table("quarantine")) == 1


def test_a_customer_two_days_before_its_contact_is_kept(ws, tmp_path):
    """Finding 5: a real customer dated two days before the contact's creation is kept, in a
    counted data-quality warning, never quarantined."""
    config = _hubspot(
        tmp_path / "h",
        ["1,Ana,Lopez,ana@a.io,A,10,Spain,2024-01-08 09:14,customer,ORGANIC_SEARCH,"
         "2024-01-10 11:02,2024-01-06 10:00"],  # fmt: skip
    )
    with leadpilot.open(ws) as lp:
        summary = lp.ingest(config)  # strict: no error
        events = sorted(lp.table("stage_events").stage)
    assert events == ["customer", "mql"]
    (warning,) = [w for w in summary.warnings if "before its lead's creation" in w]
    assert warning.startswith("stage_events: 1 row(s): stage dated before its lead's creation")
    assert "Became a Customer Date 2024-01-06 10:00:00 (lead created 2024-01-08 09:14:00)" in (
        warning
    )


def test_hubspot_internal_source_values_map_to_channels(ws, tmp_path):
    """Finding 3: HubSpot's internal values (ORGANIC_SEARCH, EMAIL_MARKETING, ...) map to the
    same channels as its UI labels, so that spend named 'email' joins their leads."""
    internal = [
        ("ORGANIC_SEARCH", "organic_search"),
        ("PAID_SEARCH", "paid_search"),
        ("SOCIAL_MEDIA", "organic_social"),
        ("EMAIL_MARKETING", "email"),
        ("REFERRALS", "referral"),
        ("DIRECT_TRAFFIC", "direct"),
        ("OTHER_CAMPAIGNS", "other"),
        ("OFFLINE", "offline"),
        ("PAID_SOCIAL", "paid_social"),
        ("AI_REFERRALS", "referral"),
        ("Email Marketing", "email"),
    ]
    rows = [
        f"{i},A,B,a{i}@a.io,A,10,Spain,2024-01-08 09:14,lead,{value},,"
        for i, (value, _) in enumerate(internal)
    ]
    config = _hubspot(tmp_path / "h", rows)
    with leadpilot.open(ws) as lp:
        lp.ingest(config)
        leads = lp.table("leads").set_index("lead_id")
    for i, (value, channel) in enumerate(internal):
        assert leads.loc[str(i), "channel"] == channel, value


def test_original_labels_are_kept_for_display(shared_workspaces, backend_kind):
    ws, _ = _day_first(shared_workspaces, backend_kind)
    with leadpilot.open(ws) as lp:
        labels = lp.labels()
    assert labels["value:channel"] == {"liste_achetee": "Liste achetée", "publicite": "Publicité"}
    assert labels["column"]["etape"] == "Étape"


def test_periods_are_cut_in_the_workspaces_time_zone(tmp_path, backend):
    """A Paris workspace: 01/03/2017 00:30 is March, like a 23:30 UTC time of 28 February;
    a deal closed on 01/03/2017 is March revenue (it used to be cut in UTC: February)."""
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "leadpilot.yaml").write_text(
        yaml.safe_dump({"workspace": {"backend": backend}, "timezone": "Europe/Paris"})
    )
    src = tmp_path / "src"
    src.mkdir()
    (src / "leadpilot.yaml").write_text(
        yaml.safe_dump(
            {
                "ingest": {"date_formats": ["%d/%m/%Y", "%d/%m/%Y %H:%M"]},
                "sources": [
                    {"table": "leads", "path": "leads.csv"},
                    {"table": "deals", "path": "deals.csv"},
                ],
            }
        )
    )
    (src / "leads.csv").write_text(
        "lead_id,created_at\nL1,15/02/2017\nL2,01/03/2017 00:30\nL3,2017-02-28T23:30:00Z\n"
    )
    (src / "deals.csv").write_text(
        "deal_id,lead_id,created_at,status,closed_at,amount\n"
        "D1,L1,20/02/2017,won,01/03/2017,1000\n"
    )
    with leadpilot.open(ws) as lp:
        lp.ingest(src / "leadpilot.yaml")
        cohort = lp.kpis(period="month", kpis=["leads"])
        activity = lp.kpis(period="month", view="activity", kpis=["customers", "revenue"])
        stored = _dates(lp, "leads", "created_at")
    assert stored == {"L1": "2017-02-15", "L2": "2017-03-01", "L3": "2017-03-01"}
    assert dict(zip(cohort.period, cohort.leads, strict=True)) == {"2017-02": 1, "2017-03": 2}
    row = activity.set_index("period").loc["2017-03"]
    assert row.customers == 1 and row.revenue == 1000


def test_unlisted_outcome_stages_are_never_silently_open(ws, tmp_path):
    """Finding of the new-user trial: French stages without a values: override became 'open'
    through the preset's '*' — 0 customers, 0 revenue, no warning."""
    config = _write_export(tmp_path / "x", _leads(LEAD_ROWS), _opps(OPP_ROWS), ["%d/%m/%Y"])
    cfg = yaml.safe_load(config.read_text(encoding="utf-8"))
    del cfg["sources"][1]["values"]  # the preset's English stages only
    config.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    with leadpilot.open(ws) as lp:
        summary = lp.ingest(config)
    text = "\n".join(summary.warnings)
    assert "'Fermée gagnée' (1)" in text and "read(s) like an outcome" in text
    assert "none of the 3 deals of opportunites.csv is won or lost" in text


def test_decimal_comma_error_names_the_setting(ws, tmp_path):
    """Decimal commas are told from the values (decimal: auto, the default); a workspace
    that forces '.' gets an error naming the setting for them."""
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "leads.csv").write_text("lead_id,created_at\nL1,2025-01-05\n")
    (folder / "deals.csv").write_text(
        "deal_id;lead_id;created_at;status;closed_at;amount\n"
        'D1;L1;2025-01-06;won;2025-01-20;"1 054,00"\nD2;L1;2025-01-06;won;2025-01-21;"12,50"\n'
    )
    with leadpilot.open(ws) as lp:
        lp.ingest(folder)
        assert sorted(lp.table("deals")["amount"]) == [12.5, 1054.0]
    cfg = yaml.safe_load((ws / "leadpilot.yaml").read_text())
    (ws / "leadpilot.yaml").write_text(yaml.safe_dump({**cfg, "ingest": {"decimal": "."}}))
    with leadpilot.open(ws) as lp, pytest.raises(ValidationError) as info:
        lp.ingest(folder)
    assert [p.value for p in info.value.problems] == ["1 054,00", "12,50"]
    assert all("decimal: ','" in (p.fix or "") for p in info.value.problems)


def test_won_deals_of_excluded_records_are_said(ws, tmp_path):
    """With multi_contact: split, the half of a deal credited to a contact the lead rule
    excludes left revenue silently; any won deal of an excluded record is now said."""
    src = tmp_path / "s"
    src.mkdir()
    (src / "leads.csv").write_text(
        "lead_id,created_at,lifecycle\nL1,2025-01-05,lead\nL2,2025-01-05,partner\n"
    )
    (src / "deals.csv").write_text(
        "deal_id,lead_id,created_at,status,closed_at,amount\nD1,L1;L2,2025-01-06,won,"
        "2025-01-20,1000\n"
    )
    (src / "leadpilot.yaml").write_text(
        yaml.safe_dump(
            {
                "leads": {"exclude": {"lifecycle": ["partner"]}},
                "sources": [
                    {"table": "leads", "path": "leads.csv"},
                    {"table": "deals", "path": "deals.csv", "multi_contact": "split"},
                ],
            }
        )
    )
    with leadpilot.open(ws) as lp:
        summary = lp.ingest(src / "leadpilot.yaml")
        revenue = lp.kpis(kpis=["revenue"]).revenue.iloc[0]
    assert revenue == 500
    assert any(
        w.startswith("deals: 1 won deal(s) (500.00) belong to records the lead rule excludes")
        for w in summary.warnings
    )
