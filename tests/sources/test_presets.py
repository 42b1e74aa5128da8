"""CRM export presets (HubSpot, Salesforce) and the Zoho CRM example, end to end.

The fixtures under tests/data/presets/<preset>/ are small exports with the real header
names of each CRM; their leadpilot.yaml names the files with the preset. Every test
ingests on DuckDB and PostgreSQL and checks the exact rows that land in the workspace.
The Zoho test loads the real demo export in shared/datasets with examples/zoho_crm.
"""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from helpers import DATA, write_config

import leadpilot
from leadpilot.config import SourceSpec
from leadpilot.sources.mapping import available_presets, resolve_spec

PRESETS = DATA / "presets"
ROOT = Path(__file__).resolve().parents[2]
ZOHO_EXAMPLE = ROOT / "examples" / "zoho_crm" / "leadpilot.yaml"
ZOHO_DATA = ROOT.parent / "shared" / "datasets" / "zoho_crm_demo_export"

HUBSPOT_CONTACTS = "hubspot-crm-exports-all-contacts-2024-06-30.csv"
HUBSPOT_DEALS = "hubspot-crm-exports-all-deals-2024-06-30.csv"
SALESFORCE_OPPORTUNITIES = "report1719756101234.csv"


def _plain(value):
    """A cell as a comparable Python value: None for missing, minutes for timestamps."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        value = round(value, 6)  # amounts converted at a rate: 21000 * 1.1
        return int(value) if value.is_integer() else value
    return value


def rows(lp, table: str, columns: list[str]) -> list[tuple]:
    df = lp.table(table)[columns]
    out = [tuple(_plain(v) for v in r) for r in df.astype(object).itertuples(index=False)]
    return sorted(out, key=lambda r: tuple("" if v is None else str(v) for v in r))


def ingest(make_workspace, source: Path, **kwargs):
    # The workspace takes the source configuration's currency, as a user would set it.
    cfg = yaml.safe_load(source.read_text()) if source.suffix == ".yaml" else {}
    ws = make_workspace(**({"currency": cfg["currency"]} if "currency" in cfg else {}))
    lp = leadpilot.open(ws)
    return lp, lp.ingest(source, **kwargs)


# ---------------------------------------------------------------------------
# the presets themselves


@pytest.mark.parametrize(
    "name,table",
    [
        ("hubspot_contacts", "leads"),
        ("hubspot_deals", "deals"),
        ("salesforce_leads", "leads"),
        ("salesforce_opportunities", "deals"),
    ],
)
def test_preset_is_available_and_resolves(name, table):
    assert name in available_presets()
    spec = resolve_spec(SourceSpec(table=table, path="export.csv", preset=name))
    assert spec.table == table and spec.columns
    assert spec.path == "export.csv"


def test_user_mapping_wins_key_by_key():
    spec = resolve_spec(
        SourceSpec(
            table="deals",
            path="x.csv",
            preset="salesforce_opportunities",
            columns={"lead_id": "Converted Lead ID"},
            money=["amount"],
        )
    )
    assert spec.columns["lead_id"] == "Converted Lead ID"
    assert spec.columns["deal_id"] == "Opportunity ID"  # the preset's other keys stay
    assert spec.values["status"]["Closed Won"] == "won"
    assert spec.date_formats is None  # the preset's formats are only a default
    assert spec.preset_date_formats == ["%m/%d/%Y", "%m/%d/%Y %I:%M %p"]


# ---------------------------------------------------------------------------
# HubSpot


def test_hubspot_contacts(make_workspace):
    lp, summary = ingest(make_workspace, PRESETS / "hubspot_contacts" / "leadpilot.yaml")
    with lp:
        leads = rows(
            lp,
            "leads",
            [
                "lead_id",
                "created_at",
                "email",
                "channel",
                "company",
                "company_size",
                "country",
                "job_title",
            ],
        )
        events = rows(lp, "stage_events", ["lead_id", "stage", "ts"])
        attrs = lp.table("leads").set_index("lead_id")
    assert leads == [
        (
            "51",
            "2024-01-08 09:14",
            "ana.lopez@brightloop.io",
            "paid_search",
            "Brightloop",
            120,
            "Spain",
            "Head of Marketing",
        ),
        (
            "52",
            "2024-01-15 14:03",
            "tom.becker@kanzlei-becker.de",
            "organic_search",
            "Kanzlei Becker",
            12,
            "Germany",
            "Partner",
        ),
        (
            "53",
            "2024-02-02 10:30",
            "chloe.martin@atelier-lumen.fr",
            "direct",
            "Atelier Lumen",
            8,
            "France",
            "Founder",
        ),
        (
            "54",
            "2024-02-12 16:20",
            "raj.patel@finsight.co.uk",
            "email",
            "Finsight",
            340,
            "United Kingdom",
            "VP Finance",
        ),
        # "Social Media" is the label HubSpot used before "Organic Social"
        (
            "55",
            "2024-02-20 08:05",
            "mia.jensen@nordlys.dk",
            "organic_social",
            "Nordlys",
            45,
            "Denmark",
            "Operations Manager",
        ),
        (
            "56",
            "2024-03-04 13:47",
            "luca.rossi@veloce.it",
            "paid_social",
            "Veloce Logistica",
            210,
            "Italy",
            "COO",
        ),
        # "1,500" employees
        (
            "57",
            "2024-03-11 11:11",
            "sara@lindqvist-partners.se",
            "referral",
            "Lindqvist & Partners",
            1500,
            "Sweden",
            "Managing Director",
        ),
        # date without a time, e-mail with spaces around it, no employee count
        (
            "58",
            "2024-04-02 00:00",
            "Ben.Weber@Nordwerk.de",
            "offline",
            "Nordwerk",
            None,
            "Germany",
            "Purchasing Lead",
        ),
        (
            "59",
            "2024-04-09 17:25",
            "olga.novak@praha-soft.cz",
            "other",
            "Praha Soft",
            60,
            "Czechia",
            "CTO",
        ),
        # no Original Source and no UTM fields: the channel cannot be derived
        ("60", "2024-04-16 07:58", "kenji.sato@example.jp", "unknown", None, None, "Japan", None),
        (
            "61",
            "2024-05-06 09:40",
            "eva.horvat@adriaticmedia.hr",
            "organic_social",
            "Adriatic Media",
            25,
            "Croatia",
            "Growth Lead",
        ),
    ]
    # The wide "Became a ... Date" columns become one stage event per date present.
    assert events == [
        ("51", "customer", "2024-03-15 17:30"),
        ("51", "mql", "2024-01-10 11:02"),
        ("51", "opportunity", "2024-02-01 10:00"),
        ("51", "sql", "2024-01-22 16:40"),
        ("52", "mql", "2024-01-18 08:45"),
        ("54", "mql", "2024-02-14 09:00"),
        ("54", "sql", "2024-03-01 11:30"),
        ("56", "mql", "2024-03-06 10:10"),
        ("56", "opportunity", "2024-03-20 15:00"),
        ("57", "mql", "2024-03-12 09:30"),
        ("57", "opportunity", "2024-03-28 10:00"),
        ("57", "sql", "2024-03-19 14:00"),
        ("59", "mql", "2024-04-10 12:00"),
        ("61", "customer", "2024-06-24 16:45"),
        ("61", "mql", "2024-05-07 10:00"),
        ("61", "opportunity", "2024-05-20 09:00"),
        ("61", "sql", "2024-05-13 11:00"),
    ]
    assert summary.tables["leads"].rows_loaded == 11
    assert summary.tables["stage_events"].rows_loaded == 17
    # a blank Original Source and no UTM or referrer column: nothing names it, 'unknown'
    assert summary.channels_derived == 0 and summary.channels_unknown == 1
    # 56 went from MQL to opportunity in HubSpot: SQL is implied, with a warning.
    assert summary.warnings == [
        "stage_events: 1 row(s): lead reached opportunity with no sql event: sql implied "
        f"(stages.implied) (e.g. {HUBSPOT_CONTACTS} row 7: stage opportunity)"
    ]
    # Unmapped columns stay as lead attributes under snake_case names.
    assert attrs.loc["51", "lifecycle_stage"] == "Customer"
    assert attrs.loc["54", "lead_status"] == "In Progress"
    assert attrs.loc["58", "original_source_drill_down_1"] == "IMPORT"
    assert attrs.loc["51", "industry"] == "Computer Software"


def test_hubspot_deals(make_workspace):
    lp, summary = ingest(make_workspace, PRESETS / "hubspot_deals" / "leadpilot.yaml")
    with lp:
        deals = rows(
            lp,
            "deals",
            ["deal_id", "lead_id", "created_at", "status", "closed_at", "amount", "currency"],
        )
    assert deals == [
        ("9001", "51", "2024-02-01 10:00", "won", "2024-03-15 17:30", 24000, "EUR"),
        # open: the Close Date is an expected date and is cleared
        ("9002", "56", "2024-03-20 15:00", "open", None, 18500.5, "EUR"),
        ("9003", "57", "2024-03-28 10:00", "lost", "2024-05-02 12:00", 7200, "EUR"),
        ("9004", "54", "2024-03-05 09:00", "open", None, None, "EUR"),
        # 1,250.00 USD at the configured rate 0.9
        ("9005", "61", "2024-05-20 09:00", "won", "2024-06-24 16:45", 1125, "EUR"),
        # no Currency: the workspace currency
        ("9006", "51", "2024-06-10 11:00", "open", None, 3000, "EUR"),
    ]
    assert summary.tables["deals"].rows_quarantined == 0


def _copy_fixture(tmp_path: Path, name: str) -> Path:
    target = tmp_path / "presets"
    shutil.copytree(PRESETS, target, dirs_exist_ok=True)
    return target / name


@pytest.mark.parametrize(
    "mode,expected",
    [
        (None, {"9007": ("57", 5000)}),
        ("first", {"9007": ("57", 5000)}),
        ("split", {"9007#57": ("57", 2500), "9007#59": ("59", 2500)}),
        ("all", {"9007#57": ("57", 5000), "9007#59": ("59", 5000)}),
    ],
)
def test_hubspot_deal_with_several_contacts(mode, expected, make_workspace, tmp_path):
    """A B2B deal with two associated contacts is never rejected: the multi_contact option
    credits the first contact (default), splits the amount, or credits each contact."""
    folder = _copy_fixture(tmp_path, "hubspot_deals")
    with open(folder / HUBSPOT_DEALS, "a", encoding="utf-8") as fh:
        fh.write(
            "9007,Joint workshop,Sales Pipeline,Closed Won,5000,EUR,2024-04-10 10:00,"
            '2024-04-30 10:00,Marc Olsen,"Sara Lindqvist; Olga Novak","57;59"\n'
        )
    if mode is not None:
        cfg = yaml.safe_load((folder / "leadpilot.yaml").read_text())
        cfg["sources"][1]["multi_contact"] = mode
        (folder / "leadpilot.yaml").write_text(yaml.safe_dump(cfg))
    lp, summary = ingest(make_workspace, folder / "leadpilot.yaml")  # strict: nothing rejected
    with lp:
        deals = lp.table("deals").set_index("deal_id")
        quarantined = lp.workspace.table("quarantine").count().execute()
    assert quarantined == 0
    assert not any(d.startswith("9007") for d in deals.index if d not in expected)
    for deal_id, (lead, amount) in expected.items():
        assert deals.loc[deal_id, "lead_id"] == lead
        assert deals.loc[deal_id, "amount"] == amount
    note = [w for w in summary.warnings if "several contacts" in w]
    assert note == [
        w for w in summary.warnings if w.startswith("deals: 1 deal(s) list several contacts")
    ]
    assert len(note) == 1 and f"multi_contact: {mode or 'first'}" in note[0]


def test_open_deal_expected_to_close_in_the_future(make_workspace, tmp_path):
    folder = _copy_fixture(tmp_path, "hubspot_deals")
    next_year = pd.Timestamp.now().year + 1
    with open(folder / HUBSPOT_DEALS, "a", encoding="utf-8") as fh:
        fh.write(
            f"9008,Praha Soft - rollout,Sales Pipeline,Decision Maker Bought-In,9000,EUR,"
            f"2024-04-20 10:00,{next_year}-03-31 00:00,Marc Olsen,Olga Novak,59\n"
        )
    lp, _ = ingest(make_workspace, folder / "leadpilot.yaml")
    with lp:
        deal = lp.table("deals").set_index("deal_id").loc["9008"]
    assert deal.status == "open" and pd.isna(deal.closed_at)


# ---------------------------------------------------------------------------
# Salesforce


def test_salesforce_leads(make_workspace):
    lp, summary = ingest(make_workspace, PRESETS / "salesforce_leads" / "leadpilot.yaml")
    with lp:
        leads = rows(
            lp,
            "leads",
            [
                "lead_id",
                "created_at",
                "channel",
                "company",
                "company_size",
                "country",
                "job_title",
                "merged_into",
            ],
        )
        attrs = lp.table("leads").set_index("lead_id")
    assert leads == [
        # US dates: 3/5/2024 is 5 March
        (
            "00Q5g00000AbC01",
            "2024-03-05 00:00",
            "web",
            "Crestline Health",
            2500,
            "United States",
            "IT Director",
            None,
        ),
        (
            "00Q5g00000AbC02",
            "2024-03-14 09:05",
            "partners",
            "Orbit Aerospace",
            800,
            "United States",
            "Procurement Manager",
            None,
        ),
        (
            "00Q5g00000AbC03",
            "2023-12-31 00:00",
            "phone_inquiry",
            "Bell & Sons Plumbing",
            14,
            "United States",
            "Owner",
            None,
        ),
        (
            "00Q5g00000AbC04",
            "2024-01-08 16:47",
            "outbound",
            "Greyfield Capital",
            None,
            "Canada",
            "CFO",
            None,
        ),
        (
            "00Q5g00000AbC05",
            "2024-02-20 00:00",
            "events",
            "Lumatech",
            350,
            "Singapore",
            "VP Engineering",
            None,
        ),
        (
            "00Q5g00000AbC06",
            "2024-02-27 11:30",
            "referral",
            "Pinecrest Schools",
            1200,
            "United States",
            "HR Manager",
            None,
        ),
        (
            "00Q5g00000AbC07",
            "2024-04-02 00:00",
            "paid_other",
            "Maison Vert",
            40,
            "France",
            "Marketing Lead",
            None,
        ),
        # the same person again 10 days later (e-mail in other case): merged, not counted
        (
            "00Q5g00000AbC08",
            "2024-03-15 00:00",
            "events",
            "Crestline Health",
            2500,
            "United States",
            "IT Director",
            "00Q5g00000AbC01",
        ),
        (
            "00Q5g00000AbC09",
            "2024-04-10 08:00",
            "other",
            "Dune Logistics",
            95,
            "United Arab Emirates",
            "COO",
            None,
        ),
        (
            "00Q5g00000AbC10",
            "2024-04-18 00:00",
            "unknown",
            "Fischer GmbH",
            None,
            "Germany",
            None,
            None,
        ),
    ]
    assert summary.tables["leads"].rows_loaded == 10
    assert summary.leads_merged == 1
    assert summary.channels == {
        "web": 1,
        "partners": 1,
        "phone_inquiry": 1,
        "outbound": 1,
        "events": 1,
        "referral": 1,
        "paid_other": 1,
        "other": 1,
        "unknown": 1,
    }
    assert attrs.loc["00Q5g00000AbC02", "lead_status"] == "Closed - Converted"
    assert float(attrs.loc["00Q5g00000AbC02", "converted"]) == 1.0
    assert attrs.loc["00Q5g00000AbC01", "lead_owner"] == "Dana Price"


def test_salesforce_opportunities(make_workspace):
    lp, summary = ingest(make_workspace, PRESETS / "salesforce_opportunities" / "leadpilot.yaml")
    with lp:
        deals = rows(
            lp,
            "deals",
            ["deal_id", "lead_id", "created_at", "status", "closed_at", "amount", "currency"],
        )
    assert deals == [
        (
            "0065g00000XyZ01",
            "00Q5g00000AbC01",
            "2024-03-20 00:00",
            "won",
            "2024-05-02 00:00",
            48000,
            "USD",
        ),
        ("0065g00000XyZ02", "00Q5g00000AbC02", "2024-03-28 00:00", "open", None, 125000, "USD"),
        (
            "0065g00000XyZ03",
            "00Q5g00000AbC05",
            "2024-02-26 00:00",
            "lost",
            "2024-04-05 00:00",
            15500,
            "USD",
        ),
        ("0065g00000XyZ04", "00Q5g00000AbC09", "2024-04-12 00:00", "open", None, None, "USD"),
        # 21,000.00 EUR at the configured rate 1.1
        (
            "0065g00000XyZ05",
            "00Q5g00000AbC01",
            "2024-05-10 14:15",
            "won",
            "2024-06-03 00:00",
            23100,
            "USD",
        ),
        ("0065g00000XyZ06", "00Q5g00000AbC05", "2024-05-20 00:00", "open", None, 30000, "USD"),
    ]
    assert summary.tables["deals"].rows_quarantined == 0


def test_salesforce_opportunities_with_user_overrides(make_workspace, tmp_path):
    """A single-currency org whose report names the lead column 'Converted Lead ID'."""
    folder = _copy_fixture(tmp_path, "salesforce_opportunities")
    df = pd.read_csv(folder / SALESFORCE_OPPORTUNITIES, dtype=str, keep_default_na=False)
    df = df.rename(columns={"Lead ID": "Converted Lead ID"}).drop(columns=["Opportunity Currency"])
    df.to_csv(folder / SALESFORCE_OPPORTUNITIES, index=False)
    (folder / "leadpilot.yaml").write_text(
        "currency: USD\n"
        "sources:\n"
        "  - {table: leads, path: ../salesforce_leads/report1719756032871.csv,\n"
        "     preset: salesforce_leads}\n"
        "  - table: deals\n"
        f"    path: {SALESFORCE_OPPORTUNITIES}\n"
        "    preset: salesforce_opportunities\n"
        "    columns: {lead_id: Converted Lead ID}\n"
        "    constants: {currency: USD}\n",
        encoding="utf-8",
    )
    lp, _ = ingest(make_workspace, folder / "leadpilot.yaml")
    with lp:
        deals = rows(lp, "deals", ["deal_id", "lead_id", "amount", "currency"])
    assert deals[0] == ("0065g00000XyZ01", "00Q5g00000AbC01", 48000, "USD")
    # without a rate, the EUR opportunity is now read as USD, as the constant says
    assert deals[4] == ("0065g00000XyZ05", "00Q5g00000AbC01", 21000, "USD")
    assert len(deals) == 6


# ---------------------------------------------------------------------------
# Zoho CRM demo export (real data), DuckDB


@pytest.fixture
def zoho_data():
    if not ZOHO_DATA.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{ZOHO_DATA} is missing; CI must provide the Zoho CRM demo export")
        pytest.skip(f"the Zoho CRM demo export is not at {ZOHO_DATA}")
    return ZOHO_DATA


def test_zoho_crm_example_loads_the_real_export(zoho_data, tmp_path):
    # As examples/zoho_crm/README.md says: a DuckDB workspace whose currency is USD.
    ws = tmp_path / "ws"
    write_config(ws, "duckdb", currency="USD")
    with leadpilot.open(ws) as lp:
        summary = lp.ingest(ZOHO_EXAMPLE)
        leads = lp.table("leads")
        deals = lp.table("deals")
        spend = lp.table("spend")
        n_quarantined = len(lp.table("quarantine"))
        kpis = lp.kpis()
    t = summary.tables
    assert {name: (s.rows_read, s.rows_loaded, s.rows_quarantined) for name, s in t.items()} == {
        "leads": (3900, 3900, 0),
        "deals": (3632, 3632, 0),
        "spend": (110, 110, 0),
    }
    # Half of Zoho's potentials predate their lead: kept, and flagged as a warning.
    assert n_quarantined == 0
    # spend and leads are reconciled: the campaign types with no lead source, the lead
    # sources with no campaign, and campaigns (which no lead carries) are said once each
    reconciliation = summary.warnings[1:]
    assert any(w.startswith("spend names channel 'direct_mail'") for w in reconciliation)
    assert any(w.startswith("spend is split by campaign (110 values") for w in reconciliation)
    assert any("online_store (370 leads), web_research (384 leads)" in w for w in reconciliation)
    assert len(reconciliation) == 4
    assert summary.warnings[0].startswith(
        "deals: 1,819 row(s): deal dated before its lead's creation: kept and counted"
    )
    # the example shows the cell as the export wrote it, and the lead's creation
    assert "Potentials.csv row 132: Created Time 28 Feb, 2021 00:01:00 (lead created 2021-" in (
        summary.warnings[0]
    )
    assert summary.leads_merged == 0 and summary.leads_excluded == 0

    assert leads.created_at.min() == pd.Timestamp("2018-07-02 00:05")
    assert leads.created_at.max() == pd.Timestamp("2021-04-15 00:03")
    assert summary.channels == {
        "referral": 832,
        "paid_other": 412,
        "outbound": 408,
        "partners": 386,
        "web_research": 384,
        "email": 371,
        "events": 371,
        "online_store": 370,
        "public_relations": 366,
    }
    assert leads.lead_status.value_counts()["Junk Lead"] == 388
    assert (leads.converted == "Yes").sum() == 3632

    assert deals.deal_id.is_unique
    assert deals.status.value_counts().to_dict() == {"open": 1722, "won": 1425, "lost": 485}
    won = deals[deals.status == "won"]
    assert won.amount.sum() == 89_066_200
    assert set(deals.currency) == {"USD"}
    assert deals[deals.status == "open"].closed_at.isna().all()
    assert deals[deals.status != "open"].closed_at.notna().all()

    assert spend.amount.sum() == pytest.approx(44_209_580)
    assert set(spend.currency) == {"USD"}
    assert spend.channel.value_counts().to_dict() == {
        "events": 23,
        "public_relations": 17,
        "partners": 14,
        "email": 13,
        "direct_mail": 11,
        "referral": 11,
        "paid_other": 10,
        "outbound": 8,
        "other": 3,
    }

    assert kpis.attrs["meta"]["currency"] == "USD"
    assert (kpis.leads[0], kpis.customers[0]) == (3900, 1425)
    assert kpis.revenue[0] == 89_066_200 and kpis.spend[0] == pytest.approx(44_209_580)

    # A known oddity of this generated export, not checked by ingest: half the
    # potentials were created before their lead, and 317 were won before it existed.
    created = deals.merge(leads[["lead_id", "created_at"]], on="lead_id", suffixes=("", "_lead"))
    assert (created.created_at < created.created_at_lead).sum() == 1819
    early_win = (created.status == "won") & (created.closed_at < created.created_at_lead)
    assert early_win.sum() == 317
