"""Write the Olist marketing funnel as a HubSpot portal exports it, plus an ad-spend sheet.

    python examples/hubspot_export/make_export.py OUT_DIR [--limit N]

Reads ../shared/datasets/olist_marketing_funnel (next to the repository) and writes
into OUT_DIR:

- ``all-contacts.csv``: HubSpot's contacts export (CRM > Contacts > Export): one contact
  per Olist MQL, with HubSpot's internal ``Original Source`` values (ORGANIC_SEARCH,
  PAID_SEARCH, ...) and the "Became a ... Date" lifecycle columns; plus, for about one
  won deal in eight, a colleague of the seller that the sales rep added by hand
  (``Original Source`` OFFLINE, drill-down CRM_UI) when the deal was created;
- ``all-deals.csv``: HubSpot's deals export with associations: one deal per Olist closed
  deal, "Closed Won"; ``Associated Contact IDs`` lists the MQL's contact, and the
  colleague after it (``101;102``) where there is one;
- ``ad_spend_by_channel.csv``: monthly cost by channel as a marketer keeps it. Olist
  publishes no cost at all: these amounts are INVENTED (an assumed cost per MQL per
  channel times the month's MQLs, with a deterministic +/-10 % wobble).

Dates are copied as Olist writes them, to the minute, in a portal set to UTC; the MQL's
creation time of day (Olist has only the date) and every name, e-mail and owner are
derived deterministically from MD5 hashes of the ids. Standard library and pandas only.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import unicodedata
from datetime import timedelta
from pathlib import Path

import pandas as pd

DATASET = Path(__file__).resolve().parents[2].parent / "shared/datasets/olist_marketing_funnel"

CONTACT_COLUMNS = [
    "Record ID",
    "First Name",
    "Last Name",
    "Email",
    "Company Name",
    "Country/Region",
    "Create Date",
    "Lifecycle Stage",
    "Lead Status",
    "Contact owner",
    "Original Source",
    "Original Source Drill-Down 1",
    "First Page Seen",
    "Became a Lead Date",
    "Became a Marketing Qualified Lead Date",
    "Became a Sales Qualified Lead Date",
    "Became an Opportunity Date",
    "Became a Customer Date",
]
DEAL_COLUMNS = [
    "Record ID",
    "Deal Name",
    "Pipeline",
    "Deal Stage",
    "Amount",
    "Create Date",
    "Close Date",
    "Deal owner",
    "Business Segment",
    "Associated Contact IDs",
    "Associated Contact",
]

# Olist's origin -> HubSpot's internal Original Source value (what an export writes)
# and the drill-down that keeps Olist's own word where several share one source.
ORIGIN = {
    "organic_search": ("ORGANIC_SEARCH", ""),
    "paid_search": ("PAID_SEARCH", ""),
    "social": ("SOCIAL_MEDIA", ""),
    "email": ("EMAIL_MARKETING", ""),
    "referral": ("REFERRALS", ""),
    "direct_traffic": ("DIRECT_TRAFFIC", ""),
    "display": ("OTHER_CAMPAIGNS", "display"),
    "other_publicities": ("OTHER_CAMPAIGNS", "other_publicities"),
    "other": ("OTHER_CAMPAIGNS", "other"),
    "unknown": ("OFFLINE", "IMPORT"),  # a source HubSpot could not tell: imported
    "": ("", ""),  # 60 MQLs without origin: HubSpot leaves Original Source empty
}
# The marketer's spend sheet names channels its own way; assumed cost per MQL (BRL).
SPEND_CPL = {"paid_search": 95.0, "organic_social": 30.0, "email": 12.0, "display": 140.0}
SPEND_ORIGIN = {"paid_search": "paid_search", "organic_social": "social", "email": "email",
                "display": "display"}  # fmt: skip

FIRST_NAMES = [
    "Ana", "Beatriz", "Caio", "Camila", "Débora", "Érica", "Fábio", "Gabriela", "Gonçalo",
    "Helena", "Inês", "João", "Júlia", "Larissa", "Lúcia", "Marcelo", "Mônica", "Otávio",
    "Patrícia", "Rafael", "Sérgio", "Tânia", "Thiago", "Vinícius",
]  # fmt: skip
LAST_NAMES = [
    "Almeida", "Araújo", "Barbosa", "Cardoso", "Carvalho", "Costa", "Gonçalves", "Gomes",
    "Lima", "Magalhães", "Martins", "Melo", "Oliveira", "Pereira", "Ribeiro", "Rocha",
    "Santos", "Silva", "Sousa", "Conceição",
]  # fmt: skip
LEAD_STATUSES = ["Open", "Attempted to Contact", "Connected", "In Progress", "Unqualified",
                 "Bad Timing"]  # fmt: skip


def h(key: str, salt: str) -> int:
    """A stable integer per (row, purpose): the same export on every run and machine."""
    return int.from_bytes(hashlib.md5(f"{salt}:{key}".encode()).digest()[:8], "big")


def ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def person(key: str) -> tuple[str, str]:
    return (
        FIRST_NAMES[h(key, "first") % len(FIRST_NAMES)],
        LAST_NAMES[h(key, "last") % len(LAST_NAMES)],
    )


def owner(key: str, kind: str) -> str:
    """Olist's SDR / SR ids as HubSpot owner names."""
    first, last = person(f"{kind}:{key}")
    return f"{first} {last}"


def stamp(ts: pd.Timestamp) -> str:
    return ts.strftime("%Y-%m-%d %H:%M")  # HubSpot's export layout, to the minute


def build(
    dataset: Path = DATASET, limit: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    mqls = pd.read_csv(
        dataset / "olist_marketing_qualified_leads_dataset.csv", dtype=str, keep_default_na=False
    )
    deals = pd.read_csv(
        dataset / "olist_closed_deals_dataset.csv", dtype=str, keep_default_na=False
    )
    if limit is not None:
        mqls = mqls.head(limit)
        deals = deals[deals["mql_id"].isin(mqls["mql_id"])]
    won = deals.set_index("mql_id")

    contacts = []  # (create timestamp, key, row) before ids are given
    for r in mqls.itertuples(index=False):
        key = r.mql_id
        created = pd.Timestamp(r.first_contact_date) + timedelta(
            hours=8 + h(key, "hour") % 13, minutes=h(key, "minute") % 60
        )
        source, drill = ORIGIN[r.origin]
        first, last = person(key)
        deal = won.loc[key] if key in won.index else None
        if deal is not None:
            won_at = pd.Timestamp(deal["won_date"]).floor("min")
            day = pd.Timestamp(r.first_contact_date)
            if day <= won_at < created:  # won on its first day: created earlier that day
                created = (day + (won_at - day) / 2).floor("min")
        row = {
            "First Name": first,
            "Last Name": last,
            "Company Name": "",
            "Country/Region": "Brazil",
            "Create Date": stamp(created),
            "Original Source": source,
            "Original Source Drill-Down 1": drill,
            "First Page Seen": f"https://sellers.example.com.br/lp/{r.landing_page_id[:12]}",
            "Became a Lead Date": stamp(created),
            "Became a Marketing Qualified Lead Date": stamp(created),
            "Became a Sales Qualified Lead Date": "",
        }
        if deal is None:
            row |= {
                "Lifecycle Stage": "Marketing Qualified Lead",
                "Lead Status": LEAD_STATUSES[h(key, "status") % len(LEAD_STATUSES)],
                "Contact owner": owner(str(h(key, "sdr") % 32), "sdr"),
                "Became an Opportunity Date": "",
                "Became a Customer Date": "",
            }
            contacts.append((created, key, row))
            continue
        # Olist has no deal creation date: a third of the way from first contact to won
        # (the won date itself for the one deal won before its first contact).
        deal_created = (created + (won_at - created) / 3 if won_at > created else won_at).floor(
            "min"
        )
        row |= {
            "Lifecycle Stage": "Customer",
            "Lead Status": "Connected",
            "Contact owner": owner(deal["sr_id"], "sr"),
            "Became an Opportunity Date": stamp(deal_created),
            "Became a Customer Date": stamp(won_at),
        }
        contacts.append((created, key, row))
        if h(key, "colleague") % 8 == 0:  # a second contact on the deal, added by sales
            c_first, c_last = person(key + ":colleague")
            c_created = deal_created + timedelta(minutes=5 + h(key, "c_minute") % 120)
            contacts.append(
                (
                    c_created,
                    key + ":colleague",
                    {
                        "First Name": c_first,
                        "Last Name": c_last,
                        "Company Name": "",
                        "Country/Region": "Brazil",
                        "Create Date": stamp(c_created),
                        "Original Source": "OFFLINE",
                        "Original Source Drill-Down 1": "CRM_UI",
                        "First Page Seen": "",
                        "Became a Lead Date": stamp(c_created),
                        "Became a Marketing Qualified Lead Date": "",
                        "Became a Sales Qualified Lead Date": "",
                        "Lifecycle Stage": "Customer",
                        "Lead Status": "Connected",
                        "Contact owner": owner(deal["sr_id"], "sr"),
                        # HubSpot syncs the lifecycle of every contact of a deal
                        "Became an Opportunity Date": stamp(c_created),
                        "Became a Customer Date": stamp(won_at),
                    },
                )
            )

    # Record IDs grow with creation, as HubSpot's do; e-mails are unique per contact.
    contacts.sort(key=lambda c: (c[0], c[1]))
    ids, emails, rows = {}, set(), []
    for n, (_, key, row) in enumerate(contacts):
        ids[key] = str(151 + 3 * n)
        local = f"{ascii_fold(row['First Name'])}.{ascii_fold(row['Last Name'])}"
        domain = "gmail.com" if h(key, "domain") % 3 else "hotmail.com"
        email, i = f"{local}@{domain}", 1
        while email in emails:
            i += 1
            email = f"{local}{i}@{domain}"
        emails.add(email)
        rows.append({"Record ID": ids[key], "Email": email} | row)
    contacts_df = pd.DataFrame(rows, columns=CONTACT_COLUMNS)
    names = {r["Record ID"]: f"{r['First Name']} {r['Last Name']}" for r in rows}

    deal_rows = []
    by_id = contacts_df.set_index("Record ID")
    for r in deals.itertuples(index=False):
        key = r.mql_id
        contact_ids = [ids[key]] + ([ids[key + ":colleague"]] if key + ":colleague" in ids else [])
        primary = by_id.loc[ids[key]]
        revenue = float(r.declared_monthly_revenue or 0)
        segment = r.business_segment or "seller"
        deal_rows.append(
            {
                "Deal Name": f"{segment} - {r.seller_id[:8]}",
                "Pipeline": "Sales Pipeline",
                "Deal Stage": "Closed Won",
                # declared monthly revenue; 0 means "not declared": HubSpot leaves it empty
                "Amount": f"{revenue:g}" if revenue > 0 else "",
                "Create Date": primary["Became an Opportunity Date"],
                "Close Date": primary["Became a Customer Date"],
                "Deal owner": primary["Contact owner"],
                "Business Segment": r.business_segment,
                "Associated Contact IDs": ";".join(contact_ids),
                "Associated Contact": ";".join(names[c] for c in contact_ids),
            }
        )
    deal_rows.sort(key=lambda d: (d["Create Date"], d["Associated Contact IDs"]))
    for n, d in enumerate(deal_rows):
        d["Record ID"] = str(9_000_000_001 + 7 * n)
    deals_df = pd.DataFrame(deal_rows, columns=DEAL_COLUMNS)

    # Monthly spend by channel, as the marketer's sheet has it (INVENTED: see above).
    month = mqls["first_contact_date"].str[:7]
    spend_rows = []
    for channel, cpl in SPEND_CPL.items():
        counts = month[mqls["origin"] == SPEND_ORIGIN[channel]].value_counts()
        for m in sorted(counts.index):  # months with MQLs from the channel
            wobble = 0.9 + (h(f"{channel}:{m}", "spend") % 201) / 1000
            spend_rows.append(
                {"month": m, "channel": channel, "cost": round(cpl * counts.get(m, 0) * wobble, 2)}
            )
    spend_df = pd.DataFrame(spend_rows, columns=["month", "channel", "cost"])
    return contacts_df, deals_df, spend_df


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path, help="folder to write the three CSV files into")
    parser.add_argument("--limit", type=int, help="only the first N MQLs (quick tests)")
    parser.add_argument("--dataset", type=Path, default=DATASET, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.dataset.exists():
        parser.error(f"{args.dataset}: not found (the repository must sit next to shared/)")
    contacts, deals, spend = build(args.dataset, args.limit)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    contacts.to_csv(args.out_dir / "all-contacts.csv", index=False, encoding="utf-8")
    deals.to_csv(args.out_dir / "all-deals.csv", index=False, encoding="utf-8")
    spend.to_csv(args.out_dir / "ad_spend_by_channel.csv", index=False, encoding="utf-8")
    print(
        f"wrote {len(contacts):,} contacts, {len(deals):,} deals and {len(spend):,} spend rows "
        f"to {args.out_dir}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
