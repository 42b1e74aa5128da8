"""Write the Maven CRM pipeline as a French-locale Salesforce org exports it.

    python examples/salesforce_fr/make_export.py OUT_DIR [--limit N]

Reads ../shared/datasets/maven_crm_sales_opportunities (next to the repository) and
writes two report exports ("Détails uniquement", CSV) into OUT_DIR:

- ``Pistes.csv``: the Leads report, one converted lead per engaged opportunity;
- ``Opportunites.csv``: the Opportunities report, with the converted lead's id.

Both are what a French-locale org writes: ``;`` separator, Windows-1252, French
headers and picklist values, dates ``dd/mm/yyyy`` (leads ``dd/mm/yyyy HH:MM``, Paris
time), amounts ``1 054,00`` (non-breaking space, decimal comma).

Everything not in the dataset is derived deterministically (MD5 of the opportunity id):
names, e-mails, titles, lead source, the lead's creation 1 to 14 days before the
engage date. The 500 "Prospecting" opportunities carry no date at all and are left out
(a Salesforce lead always has a creation date). Standard library and pandas only.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
import unicodedata
from datetime import timedelta
from pathlib import Path

import pandas as pd

DATASET = (
    Path(__file__).resolve().parents[2].parent / "shared/datasets/maven_crm_sales_opportunities"
)

LEAD_COLUMNS = [
    "ID de piste",
    "Prénom",
    "Nom",
    "Titre",
    "Société / Compte",
    "E-mail",
    "Origine de la piste",
    "Statut de la piste",
    "Secteur d'activité",
    "Nombre d'employés",
    "Pays",
    "Propriétaire de la piste",
    "Date de création",
    "Convertie",
    "Date de conversion",
]
OPPORTUNITY_COLUMNS = [
    "ID d'opportunité",
    "Nom de l'opportunité",
    "ID de piste convertie",
    "Nom du compte",
    "Produit",
    "Étape",
    "Probabilité (%)",
    "Montant",
    "Date de création",
    "Date de clôture",
    "Origine de la piste",
    "Propriétaire de l'opportunité",
]

# Salesforce's standard Lead Source picklist as a French org shows it, weighted per
# regional office (each office works its sources differently).
SOURCES = {
    "Central": {
        "Salon professionnel": 30,
        "Liste achetée": 25,
        "Publicité": 10,
        "Site web": 15,
        "Recommandation d'un employé": 10,
        "Partenaire": 10,
    },
    "East": {
        "Publicité": 30,
        "Site web": 25,
        "Liste achetée": 15,
        "Démarchage téléphonique": 15,
        "Bouche à oreille": 15,
    },
    "West": {
        "Partenaire": 25,
        "Recommandation externe": 20,
        "Salon professionnel": 15,
        "Site web": 20,
        "Séminaire - partenaire": 10,
        "Relations publiques": 10,
    },
}
SECTORS = {
    "technolgy": "Technologie",  # misspelt in accounts.csv
    "technology": "Technologie",
    "medical": "Santé",
    "retail": "Commerce de détail",
    "software": "Logiciels",
    "entertainment": "Divertissement",
    "telecommunications": "Télécommunications",
    "marketing": "Marketing",
    "finance": "Finance",
    "services": "Services",
    "employment": "Emploi",
}
COUNTRIES = {
    "United States": "États-Unis",
    "Kenya": "Kenya",
    "Philipines": "Philippines",
    "Japan": "Japon",
    "Italy": "Italie",
    "Norway": "Norvège",
    "Korea": "Corée du Sud",
    "Jordan": "Jordanie",
    "Brazil": "Brésil",
    "Germany": "Allemagne",
    "Panama": "Panama",
    "Belgium": "Belgique",
    "Romania": "Roumanie",
    "Poland": "Pologne",
    "China": "Chine",
}
OPEN_STAGES = [  # Maven's "Engaging": an open opportunity at some stage of the sales process
    ("Qualification", 10),
    ("Analyse des besoins", 20),
    ("Proposition/Devis", 75),
    ("Négociation/Révision", 90),
]
FIRST_NAMES = [
    "Amélie", "Benoît", "Céline", "Chloé", "Clément", "Élodie", "Émilie", "François",
    "Gaëlle", "Hélène", "Jérôme", "Julien", "Léa", "Léon", "Loïc", "Manon", "Mathéo",
    "Noémie", "Océane", "Pierre", "Raphaël", "Sébastien", "Stéphane", "Thérèse", "Zoé",
]  # fmt: skip
LAST_NAMES = [
    "Bernard", "Bonnet", "Chevalier", "Dubois", "Durand", "Faure", "Fournier", "Garnier",
    "Girard", "Lambert", "Lefèvre", "Legrand", "Martin", "Mercier", "Moreau", "Perret",
    "Perrin", "Renaud", "Robert", "Roussel", "Thébault", "Vincent",
]  # fmt: skip
TITLES = [
    "Directeur des achats", "Responsable informatique", "Directrice financière",
    "Acheteur", "DSI", "Chef de projet", "Directrice générale", "Responsable des opérations",
]  # fmt: skip
NBSP = "\u00a0"


def h(key: str, salt: str) -> int:
    """A stable integer per (row, purpose): the same export on every run and machine."""
    return int.from_bytes(hashlib.md5(f"{salt}:{key}".encode()).digest()[:8], "big")


def pick_weighted(weights: dict[str, int], n: int) -> str:
    total = sum(weights.values())
    n %= total
    for value, w in weights.items():
        if n < w:
            return value
        n -= w
    raise AssertionError


def ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def montant(x: float) -> str:
    """1054 -> '1 054,00' (non-breaking space as thousands separator, decimal comma)."""
    return f"{x:,.2f}".replace(",", NBSP).replace(".", ",")


def build(dataset: Path = DATASET, limit: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    pipe = pd.read_csv(dataset / "sales_pipeline.csv", dtype=str, keep_default_na=False)
    accounts = pd.read_csv(dataset / "accounts.csv", dtype=str, keep_default_na=False)
    teams = pd.read_csv(dataset / "sales_teams.csv", dtype=str, keep_default_na=False)
    products = pd.read_csv(dataset / "products.csv", dtype=str, keep_default_na=False)
    # list prices, the expected amount of open and lost opportunities ("GTXPro" in the
    # pipeline is "GTX Pro" in products.csv)
    prices = dict(
        zip(products["product"].str.replace(" ", ""), products["sales_price"], strict=True)
    )

    pipe = pipe[pipe["deal_stage"] != "Prospecting"]  # no date at all: see the docstring
    if limit is not None:
        pipe = pipe.head(limit)
    pipe = pipe.merge(accounts, on="account", how="left").merge(teams, on="sales_agent", how="left")
    pipe = pipe.fillna("")

    leads, opps, emails = [], [], set()
    for r in pipe.itertuples(index=False):
        oid = r.opportunity_id
        lead_id = "00Q5g00" + oid  # 15-character ids, as Salesforce reports write them
        opp_id = "0065g00" + oid
        engage = pd.Timestamp(r.engage_date)
        created = engage - timedelta(
            days=1 + h(oid, "days") % 14, minutes=h(oid, "minute") % (24 * 60)
        )
        first = FIRST_NAMES[h(oid, "first") % len(FIRST_NAMES)]
        last = LAST_NAMES[h(oid, "last") % len(LAST_NAMES)]
        domain = ascii_fold(r.account).replace(" ", "") + ".com" if r.account else "gmail.com"
        local = f"{ascii_fold(first)}.{ascii_fold(last)}"
        email, n = f"{local}@{domain}", 1
        while email in emails:  # e-mails are unique: every lead is its own person
            n += 1
            email = f"{local}{n}@{domain}"
        emails.add(email)
        source = pick_weighted(SOURCES[r.regional_office], h(oid, "source"))
        company = r.account or "[non fourni]"  # Company is required on a Salesforce lead
        leads.append(
            {
                "ID de piste": lead_id,
                "Prénom": first,
                "Nom": last,
                "Titre": TITLES[h(oid, "title") % len(TITLES)],
                "Société / Compte": company,
                "E-mail": email,
                "Origine de la piste": source,
                "Statut de la piste": "Fermé - Converti",
                "Secteur d'activité": SECTORS.get(r.sector, r.sector),
                "Nombre d'employés": r.employees,
                "Pays": COUNTRIES.get(r.office_location, r.office_location),
                "Propriétaire de la piste": r.sales_agent,
                "Date de création": created.strftime("%d/%m/%Y %H:%M"),
                "Convertie": "1",
                "Date de conversion": engage.strftime("%d/%m/%Y"),
            }
        )
        if r.deal_stage == "Won":
            stage, proba, amount = "Fermée gagnée", 100, float(r.close_value)
            closed = pd.Timestamp(r.close_date)
        elif r.deal_stage == "Lost":
            # Maven writes 0 on lost deals; Salesforce keeps the expected amount
            stage, proba, amount = "Fermée perdue", 0, float(prices[r.product.replace(" ", "")])
            closed = pd.Timestamp(r.close_date)
        else:  # Engaging: open, with an expected close date (cleared by leadpilot)
            stage, proba = OPEN_STAGES[h(oid, "stage") % len(OPEN_STAGES)]
            amount = float(prices[r.product.replace(" ", "")])
            closed = engage + timedelta(days=60)
        opps.append(
            {
                "ID d'opportunité": opp_id,
                "Nom de l'opportunité": f"{company} - {r.product}",
                "ID de piste convertie": lead_id,
                "Nom du compte": r.account,
                "Produit": r.product,
                "Étape": stage,
                "Probabilité (%)": str(proba),
                "Montant": montant(amount),
                "Date de création": engage.strftime("%d/%m/%Y"),
                "Date de clôture": closed.strftime("%d/%m/%Y"),
                "Origine de la piste": source,
                "Propriétaire de l'opportunité": r.sales_agent,
            }
        )
    return pd.DataFrame(leads, columns=LEAD_COLUMNS), pd.DataFrame(
        opps, columns=OPPORTUNITY_COLUMNS
    )


def write(df: pd.DataFrame, path: Path) -> None:
    # Salesforce's French CSV: ';' separator, every field quoted, CRLF, Windows-1252
    df.to_csv(
        path, sep=";", index=False, encoding="cp1252", quoting=csv.QUOTE_ALL, lineterminator="\r\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "out_dir", type=Path, help="folder to write Pistes.csv and Opportunites.csv into"
    )
    parser.add_argument("--limit", type=int, help="only the first N opportunities (quick tests)")
    parser.add_argument("--dataset", type=Path, default=DATASET, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.dataset.exists():
        parser.error(f"{args.dataset}: not found (the repository must sit next to shared/)")
    leads, opps = build(args.dataset, args.limit)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    write(leads, args.out_dir / "Pistes.csv")
    write(opps, args.out_dir / "Opportunites.csv")
    print(
        f"wrote {len(leads):,} leads to {args.out_dir / 'Pistes.csv'} and "
        f"{len(opps):,} opportunities to {args.out_dir / 'Opportunites.csv'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
