"""Data-quality findings: a number is only as good as its data.

Each check is one engine query that counts the records concerned and brings back one
example; a finding is raised when the count is not zero (or, for the share of leads
without a channel, above ``unknown_channel_share``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

import ibis.expr.types as ir
import pandas as pd

from ..i18n import Formatter, period_name, tr
from ..metrics.catalog import Text
from ..metrics.model import counted_leads
from .findings import KINDS, Finding, Kind, Value, _num, _pct

STAGES_FR = {"mql": "MQL", "sql": "SQL", "opportunity": "opportunité", "customer": "client"}


def _k(code, severity, title, explanation, *actions) -> Kind:
    return Kind(code, severity, Text(*title), Text(*explanation), tuple(Text(*a) for a in actions))


QUALITY_KINDS = {
    k.code: k
    for k in (
        _k(
            "dq_deal_before_lead",
            "low",
            ("Deals created before their lead", "Affaires créées avant leur lead"),
            ("{count} deal(s) were created before their lead, e.g. deal {deal} of lead {lead}, "
             "created {deal_created} (lead created {lead_created}): their durations are left "
             "out of velocity.",
             "{count} affaire(s) ont été créées avant leur lead, par exemple l'affaire {deal} du "
             "lead {lead}, créée le {deal_created} (lead créé le {lead_created}) : leurs "
             "durées sont écartées de la vélocité."),
            ("Check how leads and deals are linked in the CRM export (re-created contacts, "
             "back-dated deals).",
             "Vérifier comment leads et affaires sont reliés dans l'export du CRM (contacts "
             "recréés, affaires antidatées)."),
        ),
        _k(
            "dq_skipped_stages",
            "low",
            ("Stages skipped", "Étapes sautées"),
            ("{count} lead(s) reached a stage without a recorded earlier one ({detail}), e.g. "
             "{example}: the earlier stage is implied.",
             "{count} lead(s) ont atteint une étape sans l'étape précédente enregistrée "
             "({detail_fr}), par exemple {example} : l'étape précédente est déduite."),
            ("Record every stage change in the CRM, or the stage rates mix real and implied "
             "hand-offs.",
             "Enregistrer chaque changement d'étape dans le CRM, sinon les taux par étape "
             "mêlent passages réels et déduits."),
        ),
        _k(
            "dq_unknown_channel",
            "medium",
            ("Many leads without a channel", "Beaucoup de leads sans canal"),
            ("{count} lead(s) ({share}) have no channel and no UTM or referrer to derive one, "
             "e.g. {example}: channel KPIs miss them.",
             "{count} lead(s) ({share}) n'ont ni canal ni UTM ou référent pour en déduire un, "
             "par exemple {example} : les indicateurs par canal les ignorent."),
            ("Capture the source on every form (hidden UTM fields) and map the CRM's source "
             "values (values.channel in leadpilot.yaml).",
             "Capturer la source sur chaque formulaire (champs UTM cachés) et faire "
             "correspondre les sources du CRM (values.channel dans leadpilot.yaml)."),
        ),
        _k(
            "dq_spend_unmatched",
            "medium",
            ("Spend and leads do not name the same channels",
             "Dépenses et leads ne nomment pas les mêmes canaux"),
            ("{detail}",
             "{detail_fr}"),
            ("Name channels and campaigns the same way in the ad-spend and the CRM exports "
             "(values: in leadpilot.yaml).",
             "Nommer canaux et campagnes de la même façon dans les exports de dépenses et du "
             "CRM (values: dans leadpilot.yaml)."),
        ),
        _k(
            "dq_duplicates_merged",
            "low",
            ("Duplicate e-mails merged", "Doublons d'e-mail fusionnés"),
            ("{count} lead record(s) were merged into an earlier lead with the same e-mail, "
             "e.g. {example}.",
             "{count} fiche(s) lead ont été fusionnées dans un lead antérieur de même e-mail, "
             "par exemple {example_fr}."),
            ("Deduplicate at the source (CRM) so that lead counts match leadpilot's.",
             "Dédoublonner à la source (CRM) pour que les comptes de leads concordent."),
        ),
        _k(
            "dq_empty_periods",
            "medium",
            ("Periods without data", "Périodes sans données"),
            ("No lead was created in {periods}, between the first and the last lead: a "
             "missing export rather than a real drop?",
             "Aucun lead créé en {periods_fr}, entre le premier et le dernier lead : un export "
             "manquant plutôt qu'une vraie baisse ?"),
            ("Check that the exports cover every month.",
             "Vérifier que les exports couvrent tous les mois."),
        ),
    )
}
KINDS.update(QUALITY_KINDS)  # one catalogue of kinds: findings and data quality


def _one(t: ir.Table) -> dict | None:
    rows = t.limit(1).to_pyarrow().to_pylist()
    return rows[0] if rows else None


def _count(t: ir.Table) -> int:
    return int(t.count().to_pyarrow().as_py() or 0)


def _moment(value) -> datetime | date | str:
    """A timestamp as a datetime, whatever the backend returned (pandas Timestamp, numpy
    datetime64, ISO text); a value that is no date stays as it is."""
    if isinstance(value, datetime | date):
        return value
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return str(value)
    return str(value) if pd.isna(stamp) else stamp.to_pydatetime()


def _dates(a, b) -> tuple[Value, Value]:
    """Two moments as the reader's dates ('2 mars 2025'); to the minute when they fall on
    the same day (the day alone would not say which came first)."""
    a, b = _moment(a), _moment(b)
    same_day = all(isinstance(x, datetime) for x in (a, b)) and a.date() == b.date()
    kind = "datetime" if same_day else "date"
    return Value(kind, a), Value(kind, b)


def _text(value) -> str:
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}" if (value.hour or value.minute) else f"{value:%Y-%m-%d}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def quality_findings(
    tables: Mapping[str, ir.Table],
    *,
    unknown_channel_share: float = 0.10,
    reconcile_messages: list[tuple[str, str]] | None = None,
) -> list[Finding]:
    """The data-quality findings of a workspace (all periods).

    ``reconcile_messages`` are the channel reconciliation sentences (English, French) of
    spend and leads, computed by the caller (metrics.reconcile).
    """
    out: list[Finding] = []
    leads = tables["leads"]
    counted = counted_leads(leads)

    # deals created before their lead
    d = tables["deals"]
    created = leads.select(_lid=leads.lead_id, _created=leads.created_at)
    j = d.join(created, d.lead_id == created._lid)
    early = j.filter(j.created_at < j._created)
    n = _count(early)
    if n:
        ex = _one(early.order_by(early.deal_id))
        deal_created, lead_created = _dates(ex["created_at"], ex["_created"])
        out.append(Finding("dq_deal_before_lead", "low",
                           {"count": _num(n), "deal": str(ex["deal_id"]),
                            "lead": str(ex["lead_id"]), "deal_created": deal_created,
                            "lead_created": lead_created},
                           {"count": n,
                            "example": {k: _text(v) for k, v in ex.items()}}))  # fmt: skip

    # stages skipped (an event for a later stage, none for the one before)
    ev = tables["stage_events"]
    chain = ("mql", "sql", "opportunity", "customer")
    per = ev.group_by("lead_id").aggregate(**{f"_{s}": (ev.stage == s).any() for s in chain})
    skipped = None
    detail, detail_fr = [], []
    for prev, nxt in zip(chain, chain[1:], strict=False):
        cond = per[f"_{nxt}"] & ~per[f"_{prev}"]
        k = _count(per.filter(cond))
        if k:
            detail.append(f"{nxt} without {prev}: {k:,}")
            detail_fr.append(f"{STAGES_FR[nxt]} sans {STAGES_FR[prev]} : "
                             f"{Formatter('fr').number(k)}")  # fmt: skip
        skipped = cond if skipped is None else skipped | cond
    if detail:
        bad = per.filter(skipped)
        n = _count(bad)
        ex = _one(bad.order_by(bad.lead_id))
        out.append(Finding("dq_skipped_stages", "low",
                           {"count": _num(n), "detail": "; ".join(detail),
                            "detail_fr": " ; ".join(detail_fr),
                            "example": f"lead {ex['lead_id']}"},
                           {"count": n, "by_pair": detail}))  # fmt: skip

    # leads with no channel at all
    total = _count(counted)
    unknown = counted.filter(counted.channel == "unknown")
    n = _count(unknown)
    if total and n / total > unknown_channel_share:
        ex = _one(unknown.order_by(unknown.lead_id))
        out.append(Finding("dq_unknown_channel", "medium",
                           {"count": _num(n), "share": _pct(n / total),
                            "example": f"lead {ex['lead_id']}"},
                           {"count": n, "leads": total, "share": n / total,
                            "threshold": unknown_channel_share}))  # fmt: skip

    for en, fr in reconcile_messages or []:
        out.append(Finding("dq_spend_unmatched", "medium", {"detail": en, "detail_fr": fr},
                           {"message": en}))  # fmt: skip

    # duplicate e-mails merged
    merged = leads.filter(leads.merged_into.notnull())
    n = _count(merged)
    if n:
        ex = _one(merged.order_by(merged.lead_id))
        out.append(Finding("dq_duplicates_merged", "low",
                           {"count": _num(n),
                            "example": f"lead {ex['lead_id']} merged into {ex['merged_into']}",
                            "example_fr": f"le lead {ex['lead_id']} fusionné dans "
                            f"{ex['merged_into']}"},
                           {"count": n}))  # fmt: skip

    # months with no lead between the first and the last
    months = counted.group_by(m=counted.created_at.truncate("M").date()).aggregate(
        n=counted.count()
    )
    seen = sorted(r["m"] for r in months.to_pyarrow().to_pylist())
    if len(seen) >= 2:
        missing = []
        y, mo = seen[0].year, seen[0].month
        while (y, mo) < (seen[-1].year, seen[-1].month):
            if date(y, mo, 1) not in seen:
                missing.append(f"{y}-{mo:02d}")
            y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
        if missing:
            named = {lang: ", ".join(period_name(m, lang) for m in missing)
                     for lang in ("en", "fr")}  # as the tables name them: 'May 2024'  # fmt: skip
            out.append(Finding("dq_empty_periods", "medium",
                               {"periods": named["en"], "periods_fr": named["fr"]},
                               {"months": missing}))  # fmt: skip
    return out


def reconcile_sentences(warnings, most: int = 3) -> list[tuple[str, str]]:
    """The channel reconciliation warnings (spend naming what no lead names, leads of a
    value no spend names but a close one does) as (English, French) sentences: one per
    value, or one per dimension beyond ``most`` values (as ``metrics.reconcile.messages``)."""
    fr = Formatter("fr")
    out: list[tuple[str, str]] = []
    unmatched: dict[str, list] = {}
    for w in warnings:
        if w.code == "spend_without_match":
            unmatched.setdefault(w.dimension, []).append(w)
        elif w.code == "no_spend" and w.suggestions:
            out.append((str(w), f"{fr.number(w.count)} lead(s) du {tr(w.dimension, 'fr')} "
                        f"« {w.value} » mais aucune dépense ne le nomme : ses indicateurs de coût "
                        f"sont vides (–), pas nuls{_did_you_mean_fr(w.suggestions)}"))  # fmt: skip
    for dim, ws in unmatched.items():
        dim_fr = tr(dim, "fr")
        if len(ws) <= most:
            out += [(str(w), f"les dépenses nomment le {dim_fr} « {w.value} » "
                     f"({fr.number(w.amount or 0, 2)} sur {fr.number(w.count)} ligne(s)) mais "
                     f"aucun lead ne le porte : ces dépenses ne se rattachent à aucun lead, les "
                     f"indicateurs de coût des leads qu'elles ont payés les ignorent"
                     f"{_did_you_mean_fr(w.suggestions)}") for w in ws]  # fmt: skip
            continue
        ws = sorted(ws, key=lambda w: -(w.amount or 0))
        amount = sum(w.amount or 0 for w in ws)
        shown = ", ".join(f"« {w.value} »" for w in ws[:most])
        en = (f"spend names {len(ws):,} {dim} values that no lead names (largest: "
              + ", ".join(repr(w.value) for w in ws[:most])
              + f"; {amount:,.2f} in all): that spend joins no lead, so cost KPIs by {dim} "
              "miss it")  # fmt: skip
        out.append((en, f"les dépenses nomment {fr.number(len(ws))} valeurs de {dim_fr} "
                    f"qu'aucun lead ne porte (les plus fortes : {shown} ; "
                    f"{fr.number(amount, 2)} au total) : ces dépenses ne se rattachent à aucun "
                    f"lead, les indicateurs de coût par {dim_fr} les ignorent"))  # fmt: skip
    return out


def _did_you_mean_fr(names) -> str:
    return f" (vouliez-vous dire {', '.join(f'« {n} »' for n in names)} ?)" if names else ""
