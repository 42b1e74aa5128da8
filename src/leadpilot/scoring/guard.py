"""The leakage guard: which lead columns the predictive model never learns from by default,
and which features predict the outcome too well to be honest.

A CRM export holds three kinds of columns that make a model look perfect and score nothing:

- personal data and identifiers (names, e-mails, phones, owners, ids, urls, addresses,
  postal codes): they identify a person or a record, not a kind of lead; a model that
  learns from them memorises people, and its reasons would show personal data;
- dates written as text: used as categories, each day is a value of its own, and the
  export date tells the age of a lead (and so whether it had time to convert);
- outcome-like fields (lifecycle stage, lead status, converted, deal stage, "became a ...",
  closed / won / lost, sales' rating, snapshots such as "last activity"): sales fill them
  in after qualification, so they record the outcome rather than predict it.

The first and third kinds are recognised by the column name (``NAME_RULES``, matched on
whole words of the snake_case name), dates as text and e-mail addresses by the values
(``value_reasons``, counted in the engine on a sample), and so are text columns whose
values are almost all distinct (identifiers or free text). ``scoring.model.include``
forces a column in despite the guard; ``scoring.model.exclude`` leaves any column out.

After that, ``leakage_suspects`` flags any feature that alone predicts the outcome almost
perfectly on the training leads (see its docstring for the rule); flagged features are
kept but named in ``score train``'s output and the model card with the advice to exclude
them.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from .auc import auc as rank_auc

PERSONAL = "personal data"
IDENTIFIER = "identifier"
DATE_TEXT = "date as text"
DATE = "date"
OUTCOME = "outcome-like field (filled after qualification)"


def _words(*words: str) -> str:
    """A regex matching any of ``words`` as whole words of a snake_case name."""
    return r"(?:^|_)(?:" + "|".join(words) + r")(?:_|$)"


# (reason, what the name says, regex on the snake_case column name); the first match wins.
NAME_RULES: list[tuple[str, str, str]] = [
    (PERSONAL, "a person's name",
     r"^(?:name|nom|prenom|surname|firstname|lastname|fullname|username)$"
     r"|(?:^|_)(?:first|last|full|middle|given|family|sur|contact|lead|person|display|user"
     r"|owner)_?name$"),
    (PERSONAL, "an e-mail address", r"(?:^|_)(?:e_?mails?|email_address(?:es)?|courriel)$"),
    (PERSONAL, "a phone number",
     _words("phone", "phones", "phone_number", "telephone", "tel", "mobile", "cellphone",
            "cell_phone", "fax", "portable", "gsm", "whatsapp")),
    (PERSONAL, "the owner or sales rep (a person, assigned after qualification)",
     _words("owner", "owners", "assigned_to", "assignee", "sales_rep", "rep", "sdr", "bdr",
            "account_manager", "account_executive", "salesperson", "proprietaire",
            "responsable", "created_by", "modified_by", "updated_by")),
    (PERSONAL, "a postal address or location of a person",
     _words("address", "addresses", "street", "street_address", "adresse", "rue",
            "zip", "zip_code", "zipcode", "postal", "postal_code", "postcode", "code_postal")),
    (PERSONAL, "a date of birth",
     _words("birthday", "birthdate", "birth_date", "date_of_birth", "dob",
            "date_de_naissance")),
    (PERSONAL, "a social profile",
     r"(?:^|_)(?:linkedin|twitter|facebook|instagram)_(?:url|profile|bio|handle|username|id)"),
    (IDENTIFIER, "a record id",
     r"(?:^|_)(?:id|ids|uuid|guid)$|^id_"
     r"|(?:^|_)(?:lead|contact|prospect|customer|client|account|record|object|deal)"
     r"_(?:number|no|num|key|ref)$"
     r"|(?:^|_)(?:siren|siret|vat_number|tax_id|duns|numero)$"),
    (IDENTIFIER, "a url or web site",
     _words("url", "urls", "website", "web_site", "site_web", "site_internet", "homepage",
            "domain", "domain_name")),
    (IDENTIFIER, "a company name",
     r"^(?:company|company_name|account|account_name|organization|organisation"
     r"|organization_name|organisation_name|societe|entreprise|nom_entreprise"
     r"|raison_sociale|employer)$"),
    (OUTCOME, "a stage, status or outcome",
     _words("status", "statut", "stage", "stages", "etape", "lifecycle", "cycle_de_vie",
            "converted", "converti", "became", "closed", "close",
            "closedate", "close_date", "won", "lost", "win", "gagne", "perdu", "disqualified",
            "disqualification", "unqualified", "qualified", "qualification", "rejected",
            "rejection", "outcome", "result", "churn", "churned", "entered", "exited",
            "time_in", "days_to_close", "customer_since", "mql", "sql", "sal")),
    (OUTCOME, "a judgement by sales (rating, grade, quality)",
     _words("rating", "grade", "lead_quality", "lead_grade", "lead_rating")),
    (OUTCOME, "a deal or opportunity field",
     _words("deal", "deals", "opportunity", "opportunities", "opp", "total_revenue",
            "revenue_won", "contacted", "sales_activities", "sales_activity")),
    (OUTCOME, "a snapshot at export time (possibly after the outcome)",
     r"^(?:last|latest|recent|most_recent)_"),
]
# A name like do_not_email or number_of_phone_calls is a fact about the lead, not the
# personal value: the personal-data and identifier rules skip these prefixes.
NOT_A_VALUE = re.compile(
    r"^(?:do_not|dont|no|not|opt_out|opted_out|unsubscribed|has|is|n|num|number_of|nb"
    r"|count|total|times|invalid|valid|bounced)_"
)
_COMPILED = [(reason, what, re.compile(rx)) for reason, what, rx in NAME_RULES]

# Value checks, counted in the engine on the first SAMPLE_ROWS leads.
SAMPLE_ROWS = 100_000
DATE_SHARE = 0.8  # >= 80 % of the present values look like a date or a timestamp
EMAIL_SHARE = 0.5  # >= 50 % look like an e-mail address
DISTINCT_SHARE = 0.9  # >= 90 % distinct values among at least DISTINCT_MIN present ones
DISTINCT_MIN = 200
DATE_RE = (
    r"^\s*(?:[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}"  # 2024-03-05, 2024/03/05
    r"|[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{2,4}"  # 05/03/2024, 3.5.24
    r"|[0-9]{1,2}[ -][A-Za-z]{3,9}\.?,?[ -][0-9]{2,4}"  # 05 Mar, 2024 / 5-mar-24
    r"|[A-Za-z]{3,9}\.? [0-9]{1,2},? [0-9]{4}"  # Mar 5, 2024
    r")(?:[ T,]+[0-9]{1,2}:[0-9]{2}.*)?\s*$"  # optional time
)
EMAIL_RE = r"^\s*[^@\s]+@[^@\s]+\.[A-Za-z]{2,}\s*$"

# Univariate leakage check (leakage_suspects).
SUSPECT_AUC = 0.90
PURE_RATE = 0.99
PURE_COVER = 0.05
PURE_MIN = 20
RARE = 10  # values with fewer training leads are pooled, as the model pools them
BINS = 20


@dataclass(frozen=True)
class LeftOut:
    """A lead column the guard keeps out of the features, and why."""

    column: str
    reason: str  # PERSONAL, IDENTIFIER, DATE_TEXT, DATE or OUTCOME
    detail: str

    def as_dict(self) -> dict:
        return asdict(self)


def name_reason(column: str) -> tuple[str, str] | None:
    """(reason, detail) when the column's name says it must not be a feature, else None."""
    name = column.lower()
    for reason, what, rx in _COMPILED:
        if reason in (PERSONAL, IDENTIFIER) and NOT_A_VALUE.match(name):
            continue
        if rx.search(name):
            return reason, f"the name reads as {what}"
    return None


def is_personal(column: str) -> bool:
    """Whether the column's name says it holds personal data (checked again at apply time,
    so that no reason ever shows such a value, whatever the model was trained on)."""
    found = name_reason(column)
    return found is not None and found[0] == PERSONAL


def value_reasons(leads: ir.Table, columns: list[str]) -> dict[str, tuple[str, str]]:
    """Text columns whose values are dates, e-mail addresses or almost all distinct.

    One aggregate query in the engine over the first ``SAMPLE_ROWS`` leads: for each
    column the present values, those that look like a date (``DATE_RE``), like an e-mail
    (``EMAIL_RE``), and the distinct values.
    """
    if not columns:
        return {}
    sample = leads.select(*columns).limit(SAMPLE_ROWS)
    aggs = {}
    for i, c in enumerate(columns):
        col = sample[c].cast("string")
        present = col.notnull() & (col.strip() != "")
        aggs[f"n{i}"] = present.sum()
        aggs[f"d{i}"] = (present & col.re_search(DATE_RE)).sum()
        aggs[f"e{i}"] = (present & col.re_search(EMAIL_RE)).sum()
        aggs[f"u{i}"] = col.nunique()
    row = sample.aggregate(**aggs).execute().iloc[0]
    out = {}
    for i, c in enumerate(columns):
        n = int(row[f"n{i}"] or 0)
        if not n:
            continue
        dates, emails, distinct = (int(row[f"{k}{i}"] or 0) for k in "deu")
        if dates >= DATE_SHARE * n:
            out[c] = (DATE_TEXT, f"{dates / n:.0%} of {n:,} values read as dates")
        elif emails >= EMAIL_SHARE * n:
            out[c] = (PERSONAL, f"{emails / n:.0%} of {n:,} values are e-mail addresses")
        elif n >= DISTINCT_MIN and distinct >= DISTINCT_SHARE * n:
            out[c] = (
                IDENTIFIER,
                f"{distinct / n:.0%} of {n:,} values are distinct (an identifier or free text)",
            )
    return out


# ------------------------------------------------------------------ too-good features
def _groups(values: pd.Series, kind: str) -> tuple[np.ndarray, list[str]]:
    """Group code per lead and the groups' labels: categories (rare ones pooled), numbers
    as they are (20 distinct values or fewer) or in 20 quantile bins; missing apart."""
    if kind == "numeric":
        x = pd.to_numeric(values, errors="coerce")
        if x.nunique() > BINS:
            x = pd.qcut(x, BINS, duplicates="drop")
        codes, uniques = pd.factorize(x, sort=True)
        labels = [str(u) for u in uniques]
    else:
        codes, uniques = pd.factorize(values.astype(object), sort=False)
        labels = [str(u) for u in uniques]
        counts = np.bincount(codes[codes >= 0], minlength=len(labels))
        rare = counts < RARE
        if rare.any():
            pooled = len(labels)
            codes = np.where((codes >= 0) & rare[np.maximum(codes, 0)], pooled, codes)
            labels.append(f"(values with fewer than {RARE} leads)")
    codes = np.where(codes < 0, len(labels), codes)
    labels.append("(missing)")
    return codes, labels


def leakage_suspects(
    X: pd.DataFrame, y: np.ndarray, features: list, *, personal: set[str] | None = None
) -> list[dict]:
    """Features that alone predict the outcome almost perfectly on the training leads.

    Each feature is cut into groups (categories with fewer than 10 leads pooled, as the
    model pools them; numbers by value, or in 20 quantile bins when they have more; missing
    values as a group). A feature is a suspect when

    - its univariate AUC is at least 0.90: scoring each lead by its group's conversion rate
      ranks a random converter above a random non-converter 90 % of the time or more; no
      honest attribute or behaviour count does that alone (on the X Education leads the
      best honest one, time on site, reaches 0.77; sales' tags reach 0.92); or
    - one group of at least 20 leads is at least 99 % of the rarer outcome (converters,
      normally) and holds at least 5 % of those leads: lifecycle_stage = customer, a tag
      "Closed by ...", a number filled in only for converters. By chance alone, 20 leads
      out of 20 convert with a probability below one in a million when at most half of the
      leads convert.

    Suspects are reported, not removed: the advice names scoring.model.exclude.
    ``personal``: feature names whose values are never shown (the group is then described
    without its label).
    """
    y = np.asarray(y).astype(bool)
    personal = personal or set()
    out = []
    if y.all() or not y.any():
        return out
    for f in features:
        if f.name not in X.columns:
            continue
        codes, labels = _groups(X[f.name], f.kind)
        n = np.bincount(codes, minlength=len(labels))
        k = np.bincount(codes, weights=y, minlength=len(labels))
        rate = np.divide(k, n, out=np.zeros(len(n)), where=n > 0)
        auc = rank_auc(y, rate[codes])
        if auc is not None and auc < 0.5:
            auc = 1 - auc
        why = []
        if auc is not None and auc >= SUSPECT_AUC:
            why.append(f"alone it separates converters from the others with AUC {auc:.3f}")
        rare = k if y.mean() <= 0.5 else n - k  # the rarer outcome's leads per group
        rare_rate = np.divide(rare, n, out=np.zeros(len(n)), where=n > 0)
        cover = rare / rare.sum()
        who = "converted" if y.mean() <= 0.5 else "did not convert"
        for g in np.flatnonzero((n >= PURE_MIN) & (rare_rate >= PURE_RATE) & (cover >= PURE_COVER)):
            label = "a value" if f.name in personal else f"value {labels[g]!r}"
            why.append(
                f"{label}: {rare_rate[g]:.1%} of its {int(n[g]):,} leads {who} "
                f"({cover[g]:.0%} of all those who did)"
            )
        if why:
            out.append(
                {
                    "feature": f.name,
                    "univariate_auc": auc,
                    "why": "; ".join(why),
                    "advice": f"exclude it (scoring.model.exclude: [{f.name}]) unless its value "
                    "is known before sales qualify the lead",
                }
            )
    return sorted(out, key=lambda s: -(s["univariate_auc"] or 0))

