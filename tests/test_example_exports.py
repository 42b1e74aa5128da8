"""The two CRM-export examples checked against an independent pandas computation.

examples/salesforce_fr/make_export.py and examples/hubspot_export/make_export.py write,
from the public datasets in ../shared/datasets, the files a French-locale Salesforce org
and a HubSpot portal export. Each example's own leadpilot.yaml loads them into a fresh
workspace through the Python API, and leadpilot's kpis / velocity are compared with
figures computed here in plain pandas straight from the written files (never from
leadpilot's tables): leads by source and by month, customers, revenue, win rate and the
median sales cycle. Counts and revenue must be equal exactly; durations to leadpilot's
rounding (2 decimals). Each definitional difference is stated where it applies.

The exports are built from the full datasets (8,300 and 8,088 records: the whole module
takes a few seconds).
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pandas as pd
import pytest

import leadpilot

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "datasets"
DAY = 86400.0


def _script(example: str):
    path = ROOT / "examples" / example / "make_export.py"
    spec = importlib.util.spec_from_file_location(f"make_export_{example}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _workspace(example: str, tmp: Path):
    """The example's leadpilot.yaml next to the export its script wrote, ingested."""
    if not SHARED.exists():
        pytest.fail(f"{SHARED} is missing: the examples read its datasets")
    shutil.copy(ROOT / "examples" / example / "leadpilot.yaml", tmp / "leadpilot.yaml")
    assert _script(example).main([str(tmp / "export")]) == 0
    lp = leadpilot.open(tmp / "ws", create=True)
    summary = lp.ingest(tmp / "leadpilot.yaml")
    return lp, summary, tmp / "export"


def _one(df: pd.DataFrame) -> dict:
    assert len(df) == 1, df
    return df.iloc[0].to_dict()


def _period(label: str) -> str:
    return str(label).rstrip(" *")  # immature cohorts are starred in tables only


# --------------------------------------------------------------------------------------
# Salesforce, French locale: Pistes.csv + Opportunites.csv (';', Windows-1252, 1 054,00)

# The channel each "Origine de la piste" value should land in: the `values:` mapping of
# examples/salesforce_fr/leadpilot.yaml, and for the values it does not list, their own
# name folded to snake_case with the accents transliterated (not stripped).
SF_CHANNEL = {
    "Liste achetée": "outbound",
    "Démarchage téléphonique": "outbound",
    "Publicité": "paid_other",
    "Salon professionnel": "events",
    "Séminaire - partenaire": "events",
    "Partenaire": "partners",
    "Recommandation d'un employé": "referral",
    "Recommandation externe": "referral",
    "Site web": "site_web",
    "Bouche à oreille": "bouche_a_oreille",
    "Relations publiques": "relations_publiques",
}
PARIS = "Europe/Paris"  # the workspace's time zone: the report's times are Paris time


def sf_pandas(export: Path) -> dict:
    read = dict(sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    leads = pd.read_csv(export / "Pistes.csv", **read)
    opps = pd.read_csv(export / "Opportunites.csv", **read)
    leads["channel"] = leads["Origine de la piste"].map(SF_CHANNEL)
    assert leads["channel"].notna().all(), "a lead source the test does not know"
    created = pd.to_datetime(leads["Date de création"], format="%d/%m/%Y %H:%M")
    # leadpilot keeps wall-clock times of the workspace's zone (Paris) and measures
    # durations between them: across a DST change that is an hour off the elapsed time
    leads["created"] = created
    leads["month"] = created.dt.strftime("%Y-%m")  # the calendar month as written (Paris)
    opps["amount"] = (
        opps["Montant"].str.replace("\u00a0", "").str.replace(" ", "").str.replace(",", ".")
    ).astype(float)
    opps["closed"] = pd.to_datetime(opps["Date de clôture"], format="%d/%m/%Y")
    won = opps[opps["Étape"] == "Fermée gagnée"]
    lost = opps[opps["Étape"] == "Fermée perdue"]
    # every lead id and e-mail is distinct: leadpilot's e-mail deduplication merges nothing
    assert leads["ID de piste"].is_unique and leads["E-mail"].str.lower().is_unique
    # a customer: a lead with a won opportunity; its cycle runs from the lead's creation
    # to the earliest won opportunity's close date
    first_win = won.groupby("ID de piste convertie")["closed"].min()
    cust = leads.set_index("ID de piste").join(first_win.rename("won_at"), how="inner")
    cycle = (cust["won_at"] - cust["created"]).dt.total_seconds() / DAY
    assert (cycle >= 0).all()  # no lead here is won before its creation
    rev_by_lead = won.groupby("ID de piste convertie")["amount"].sum()
    by_channel = leads.set_index("ID de piste").join(rev_by_lead.rename("revenue"))
    return {
        "leads": len(leads),
        "leads_by_channel": leads["channel"].value_counts().to_dict(),
        "leads_by_month": leads["month"].value_counts().to_dict(),
        "leads_by_channel_month": leads.groupby(["channel", "month"]).size().to_dict(),
        "customers": len(cust),
        "customers_by_channel": cust["channel"].value_counts().to_dict(),
        "revenue": won["amount"].sum(),
        "revenue_by_channel": by_channel.groupby("channel")["revenue"].sum().to_dict(),
        "won": len(won),
        "closed": len(won) + len(lost),
        "cycle_median": cycle.median(),
        "cycle_mean": cycle.mean(),
        "cycle_n": len(cycle),
    }


@pytest.fixture(scope="module")
def sf(tmp_path_factory):
    lp, summary, export = _workspace("salesforce_fr", tmp_path_factory.mktemp("salesforce_fr"))
    yield lp, summary, sf_pandas(export)
    lp.close()


def test_salesforce_fr_loads_every_row(sf):
    lp, summary, pd_ = sf
    assert summary.tables["leads"].rows_loaded == pd_["leads"] == 8300
    assert summary.tables["deals"].rows_loaded == 8300
    assert summary.leads_merged == 0 and summary.leads_excluded == 0
    assert lp.config.currency == "USD"


def test_salesforce_fr_headline_equals_pandas(sf):
    lp, _, pd_ = sf
    k = _one(lp.kpis(kpis=["leads", "customers", "revenue", "opportunity_to_customer"]))
    assert k["leads"] == pd_["leads"]
    assert k["customers"] == pd_["customers"] == 4238
    assert k["revenue"] == pd_["revenue"] == 10_005_534  # Maven's won close_value total
    # win rate: won / closed (won + lost) opportunities, open ones left out
    assert k["opportunity_to_customer_numerator"] == pd_["won"] == 4238
    assert k["opportunity_to_customer_denominator"] == pd_["closed"] == 6711
    assert k["opportunity_to_customer"] == pytest.approx(pd_["won"] / pd_["closed"], abs=1e-12)


def test_salesforce_fr_by_channel_equals_pandas(sf):
    lp, _, pd_ = sf
    k = lp.kpis(by="channel", kpis=["leads", "customers", "revenue"]).set_index("channel")
    assert k["leads"].to_dict() == pd_["leads_by_channel"]
    assert k["customers"].to_dict() == pd_["customers_by_channel"]
    assert k["revenue"].to_dict() == pd_["revenue_by_channel"]


def test_salesforce_fr_sales_cycle_equals_pandas(sf):
    lp, _, pd_ = sf
    v = _one(lp.velocity())
    # lead created (Paris time, to the minute) -> close date of the won opportunity
    # (a date: midnight, Paris time); durations in days, fractional, rounded to 2 decimals
    assert v["sales_cycle_days_n"] == pd_["cycle_n"] == 4238
    assert v["sales_cycle_days"] == pytest.approx(pd_["cycle_median"], abs=0.005)
    assert v["sales_cycle_days_mean"] == pytest.approx(pd_["cycle_mean"], abs=0.005)
    k = _one(lp.kpis(kpis=["sales_cycle_days"]))
    assert k["sales_cycle_days"] == v["sales_cycle_days"]


def test_salesforce_fr_leads_by_month_equal_pandas(sf):
    lp, _, pd_ = sf
    k = lp.kpis(period="month", kpis=["leads"])
    assert {_period(p): n for p, n in zip(k["period"], k["leads"], strict=True)} == pd_[
        "leads_by_month"
    ]


def test_salesforce_fr_leads_by_channel_and_month_equal_pandas(sf):
    lp, _, pd_ = sf
    k = lp.kpis(by="channel", period="month", kpis=["leads"])
    got = {
        (c, _period(p)): n for c, p, n in zip(k["channel"], k["period"], k["leads"], strict=True)
    }
    assert {key: n for key, n in got.items() if n} == pd_["leads_by_channel_month"]


# --------------------------------------------------------------------------------------
# HubSpot: all-contacts.csv + all-deals.csv (multi-contact deals) + the marketer's spend

# HubSpot's internal Original Source values onto leadpilot's channels (the
# hubspot_contacts preset): the same channel names as the marketer's spend sheet.
HS_CHANNEL = {
    "ORGANIC_SEARCH": "organic_search",
    "PAID_SEARCH": "paid_search",
    "SOCIAL_MEDIA": "organic_social",
    "EMAIL_MARKETING": "email",
    "REFERRALS": "referral",
    "DIRECT_TRAFFIC": "direct",
    "OTHER_CAMPAIGNS": "other",
    "OFFLINE": "offline",
    # Definitional difference: a contact without Original Source (and no UTM or referrer
    # to derive one from) is put in leadpilot's 'unknown' channel.
    "": "unknown",
}
SPEND_CHANNEL = {"display": "other"}  # the `values:` of the spend source in the yaml


def hs_pandas(export: Path) -> dict:
    read = dict(dtype=str, keep_default_na=False)
    contacts = pd.read_csv(export / "all-contacts.csv", **read)
    deals = pd.read_csv(export / "all-deals.csv", **read)
    spend = pd.read_csv(export / "ad_spend_by_channel.csv", dtype={"month": str})
    # Definitional difference: contacts typed in by sales for a deal in progress
    # (drill-down CRM_UI) are excluded by the example's lead rule and are not leads.
    leads = contacts[contacts["Original Source Drill-Down 1"] != "CRM_UI"].copy()
    assert contacts["Email"].str.lower().is_unique  # e-mail deduplication merges nothing
    leads["channel"] = leads["Original Source"].map(HS_CHANNEL)
    assert leads["channel"].notna().all(), "an Original Source the test does not know"
    leads["created"] = pd.to_datetime(leads["Create Date"], format="%Y-%m-%d %H:%M")
    leads["month"] = leads["created"].dt.strftime("%Y-%m")  # portal time zone: UTC
    deals["amount"] = pd.to_numeric(deals["Amount"].replace("", None))  # empty: no amount
    deals["closed"] = pd.to_datetime(deals["Close Date"], format="%Y-%m-%d %H:%M")
    # multi_contact: first: a deal listing "101;102" belongs to its first contact only
    deals["lead"] = deals["Associated Contact IDs"].str.split(";").str[0]
    won = deals[deals["Deal Stage"] == "Closed Won"]
    closed = deals[deals["Deal Stage"].isin(["Closed Won", "Closed Lost"])]
    # a customer: a lead with a won deal or a "Became a Customer Date"; won at the
    # earliest of the two
    stage = pd.to_datetime(leads.set_index("Record ID")["Became a Customer Date"].replace("", None))
    won_at = pd.concat([stage.dropna(), won.groupby("lead")["closed"].min()]).groupby(level=0).min()
    cust = leads.set_index("Record ID").join(won_at.rename("won_at"), how="inner")
    cycle = (cust["won_at"] - cust["created"]).dt.total_seconds() / DAY
    # Definitional difference: a customer won before the lead's creation (Olist's one deal
    # won two days before its first contact) has no sales cycle: leadpilot leaves the
    # negative duration out, with a counted note.
    negative = int((cycle < 0).sum())
    cycle = cycle[cycle >= 0]
    revenue = won[won["lead"].isin(leads["Record ID"])]
    rev_by_lead = revenue.groupby("lead")["amount"].sum()
    by_channel = leads.set_index("Record ID").join(rev_by_lead.rename("revenue"))
    # most won deals of the export have no amount: a channel whose won deals all lack one
    # has an unknown revenue (null), not 0; one without a won deal has 0
    won_channel = revenue.merge(leads[["Record ID", "channel"]], left_on="lead",
                                right_on="Record ID")["channel"]  # fmt: skip
    priced = revenue["amount"].notna().groupby(won_channel.values).sum()
    revenue_by_channel = by_channel.groupby("channel")["revenue"].sum()
    unknown = [c for c in revenue_by_channel.index if c in priced.index and not priced[c]]
    revenue_by_channel[unknown] = None
    spend["channel"] = spend["channel"].replace(SPEND_CHANNEL)
    spend_by_channel = spend.groupby("channel")["cost"].sum()
    leads_by_channel = leads["channel"].value_counts()
    return {
        "contacts": len(contacts),
        "leads": len(leads),
        "excluded": len(contacts) - len(leads),
        "two_contact_deals": int(deals["Associated Contact IDs"].str.contains(";").sum()),
        "leads_by_channel": leads_by_channel.to_dict(),
        "leads_by_month": leads["month"].value_counts().to_dict(),
        "leads_by_channel_month": leads.groupby(["channel", "month"]).size().to_dict(),
        "customers": len(cust),
        "customers_by_channel": cust["channel"].value_counts().to_dict(),
        "revenue": revenue["amount"].sum(),
        "revenue_by_channel": _nulls(revenue_by_channel.to_dict()),
        "won": len(won),
        "closed": len(closed),
        "cycle_median": cycle.median(),
        "cycle_mean": cycle.mean(),
        "cycle_n": len(cycle),
        "cycle_negative": negative,
        "spend": spend["cost"].sum(),
        "spend_by_channel": spend_by_channel.to_dict(),
        "cpl_by_channel": (spend_by_channel / leads_by_channel).dropna().to_dict(),
    }


@pytest.fixture(scope="module")
def hs(tmp_path_factory):
    lp, summary, export = _workspace("hubspot_export", tmp_path_factory.mktemp("hubspot"))
    yield lp, summary, hs_pandas(export)
    lp.close()


def test_hubspot_loads_every_row(hs):
    lp, summary, pd_ = hs
    assert summary.tables["leads"].rows_loaded == pd_["contacts"]
    assert summary.tables["deals"].rows_loaded == pd_["won"] == 842  # none dropped
    assert summary.leads_excluded == pd_["excluded"] > 0
    assert summary.leads_merged == 0
    assert pd_["two_contact_deals"] > 0
    assert any("several contacts" in w for w in summary.warnings)
    assert lp.config.currency == "BRL"


def test_hubspot_headline_equals_pandas(hs):
    lp, _, pd_ = hs
    kpis = ["leads", "customers", "revenue", "opportunity_to_customer", "spend"]
    k = _one(lp.kpis(kpis=kpis))
    assert k["leads"] == pd_["leads"] == 8000
    assert k["customers"] == pd_["customers"] == 842
    # declared monthly revenue of the won deals, each counted once (its first contact)
    assert k["revenue"] == pd_["revenue"]
    # Olist publishes won deals only: won / closed = 842 / 842
    assert k["opportunity_to_customer_numerator"] == pd_["won"]
    assert k["opportunity_to_customer_denominator"] == pd_["closed"]
    assert k["spend"] == pytest.approx(pd_["spend"], abs=0.005)


def _nulls(values: dict) -> dict:
    """NaN as None: two NaN never compare equal."""
    return {k: None if v is None or v != v else v for k, v in values.items()}


def test_hubspot_by_channel_equals_pandas(hs):
    lp, _, pd_ = hs
    k = lp.kpis(by="channel", kpis=["leads", "customers", "revenue", "spend", "cpl"])
    k = k.set_index("channel")
    assert k["leads"].to_dict() == pd_["leads_by_channel"]
    assert k["customers"][k["customers"] > 0].to_dict() == pd_["customers_by_channel"]
    assert _nulls(k["revenue"].to_dict()) == pd_["revenue_by_channel"]
    assert {c for c, v in pd_["revenue_by_channel"].items() if v is None} == {"other", "referral"}
    # spend joins the leads by channel: the marketer's "email", "organic_social" and
    # "paid_search" are the channels HubSpot's EMAIL_MARKETING, SOCIAL_MEDIA and
    # PAID_SEARCH map to; cost KPIs are null where no spend names the channel
    assert k["spend"].dropna().to_dict() == pytest.approx(pd_["spend_by_channel"], abs=0.005)
    assert k["cpl"].dropna().to_dict() == pytest.approx(pd_["cpl_by_channel"], abs=0.005)


def test_hubspot_leads_by_month_equal_pandas(hs):
    lp, _, pd_ = hs
    k = lp.kpis(period="month", kpis=["leads"])
    got = {_period(p): n for p, n in zip(k["period"], k["leads"], strict=True)}
    assert {p: n for p, n in got.items() if n} == pd_["leads_by_month"]
    k = lp.kpis(by="channel", period="month", kpis=["leads"])
    got = {
        (c, _period(p)): n for c, p, n in zip(k["channel"], k["period"], k["leads"], strict=True)
    }
    assert {key: n for key, n in got.items() if n} == pd_["leads_by_channel_month"]


def test_hubspot_sales_cycle_equals_pandas(hs):
    lp, _, pd_ = hs
    v = lp.velocity()
    row = _one(v)
    assert pd_["cycle_negative"] == 1
    assert row["sales_cycle_days_n"] == pd_["cycle_n"] == 841
    assert row["sales_cycle_days"] == pytest.approx(pd_["cycle_median"], abs=0.005)
    assert row["sales_cycle_days_mean"] == pytest.approx(pd_["cycle_mean"], abs=0.005)
    notes = " ".join(v.attrs["meta"]["warnings"])
    assert "sales_cycle_days: 1 duration(s) left out" in notes
