"""The dashboard: server-rendered HTML, htmx for the updates, Vega-Lite for the charts.

Everything it shows comes from the same cached documents as the REST API (the same
analyses with the same parameters), so a number on the page is the number the API gives.
Nothing is loaded from elsewhere: htmx, Vega, Vega-Lite and vega-embed are vendored in
``static/vendor`` (minified releases from the npm registry, licences beside them).

Routes (all under ``/w/{ws}/``, all behind a key or the session cookie a key opens):
the page, the board (filters + panels, swapped when a filter changes), one fragment
per panel (loaded in parallel), the static files (by name from a fixed list: never a
path from the request), sign-in and sign-out.
"""

from __future__ import annotations

import calendar
import json
import re
from datetime import date
from enum import StrEnum
from importlib import resources
from typing import Annotated, Literal
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from ..errors import Notice
from ..i18n import MISSING, Formatter, day_word, message_in, tr
from ..reports.labels import NOTICES, SEVERITY, period_name, typeset
from ..reports.labels import label as report_label
from ..reports.view import notice_notes, unvalued_note
from ..results import Meta, Result, group_name
from ..text import stage_name
from .models import ERRORS
from .routes import (
    ReportPeriod,
    WsPath,
    definitions,
    document,
    known_parameters,
    need,
    report_response,
    unknown_parameters,
)
from .security import COOKIE, SESSION_SECONDS, Caller

# the pages a person reads: a parameter they do not take is one of the page's problems
FILTERED_PAGES = ("page", "board", "panel")


def _unknown(request: Request) -> list[str]:
    return getattr(request.state, "unknown_filters", [])


def known_filters(request: Request) -> None:
    """A query parameter a page does not take is said on the page, in its language, as a
    filter value that does not exist is (:class:`Filters`); the other routes refuse it
    as the API does (422)."""
    route = request.scope.get("route")
    if getattr(getattr(route, "endpoint", None), "__name__", "") not in FILTERED_PAGES:
        return known_parameters(request)
    request.state.unknown_filters = unknown_parameters(request)[0]


router = APIRouter(
    prefix="/w/{ws}",
    tags=["dashboard"],
    responses=ERRORS,
    dependencies=[Depends(known_filters)],
)

STATIC = {
    "htmx.min.js": ("vendor/htmx.min.js", "text/javascript"),
    "vega.min.js": ("vendor/vega.min.js", "text/javascript"),
    "vega-lite.min.js": ("vendor/vega-lite.min.js", "text/javascript"),
    "vega-embed.min.js": ("vendor/vega-embed.min.js", "text/javascript"),
    "dashboard.js": ("dashboard.js", "text/javascript"),
    "dashboard.css": ("dashboard.css", "text/css"),
}
_STATIC_CACHE: dict[str, bytes] = {}

env = Environment(
    loader=PackageLoader("leadpilot.api", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

HEADLINE = ("leads", "mqls", "sqls", "customers", "revenue", "spend", "cpl", "cac",
            "lead_to_customer", "roi")  # fmt: skip
CHANNEL_KPIS = "leads,customers,lead_to_customer,revenue,spend,cpl,cac,roi"
SHORT = {"cpl": "CPL", "cac": "CAC", "roi": "ROI"}  # the table's narrow headers
COSTS = ("spend", "cpl", "cac", "roi")  # what cannot be computed without spend
# a period as the API takes one (diagnose, report): all, 2025, 2025-Q2, 2025-03
PERIOD = re.compile(r"^(all|(19|[2-9]\d)\d{2}(-Q[1-4]|-(0[1-9]|1[0-2]))?)$")

UI = {
    "en": {
        "title": "Lead generation by revenue",
        "period": "Period",
        "compare": "Compare with",
        "previous": "previous period",
        "last-year": "same period last year",
        "none": "no comparison",
        "channel": "Channel",
        "campaign": "Campaign",
        "all_channels": "All channels",
        "all_campaigns": "All campaigns",
        "all_time": period_name("all", "en"),
        "as_of": "Data as of",
        "headline": "Headline",
        "trend": "Leads and revenue by month",
        "funnel": "Funnel",
        "channels": "Channels: volume, cost and revenue",
        "findings": "What changed, and what to do",
        "forecast": "Won revenue expected from the pipeline",
        "velocity": "Velocity (median days)",
        "no_findings": "No significant finding for this comparison.",
        "no_compare": "Choose a quarter, a month or a year and a comparison to see findings.",
        "vs": "vs",
        "immature": "young cohort: conversions still to come",
        "sign_in": "Sign in",
        "sign_in_help": "Paste an API key of this workspace (leadpilot keys create).",
        "key": "API key",
        "sign_out": "Sign out",
        "loading": "Loading…",
        "stage": "Stage",
        "count": "Leads",
        "conversion": "Conversion from previous stage",
        "acceptance": "Acceptance (MQL → SAL)",
        "threshold": "agreed threshold",
        "expected": "expected",
        "interval": "80 % interval",
        "month": "Month",
        "actions": "Actions",
        "definitions": "Definitions",
        "quarters": "Quarters",
        "months": "Months",
        "years": "Years",
        "points": "pts",
        "report": "Report",
        "report_help": "The report of the period and comparison chosen: it covers every "
        "channel (a report has no channel filter)",
        "report_scope": "(all channels)",
        "won_revenue": "Expected won revenue",
        "no_spend": "no spend loaded",
        "no_spend_note": "No spend is loaded: costs and ROI cannot be computed.",
        "forecast_scope": "From the {deals} deal(s) open on {day}{leads}, for {first} to "
        "{last}. A forecast starts from the data's last day: the period, comparison and "
        "channel filters do not apply to it.",
        "forecast_leads": " and the {leads} lead(s) still in progress",
        "colon": ": ",
        "missing_group": group_name(None, "en"),  # as the tables and the report write it
        "notes": "Notes on these numbers",
        "left_out": "{n} left out",
        "left_out_help": "{n} duration(s) left out: the later stage is dated before the "
        "lead's creation",
        "no_lead": "No lead {over}{filtered}: nothing to draw.",
        "filtered": " for the filters chosen",
        "no_revenue_trend": "No revenue in the months shown: the chart shows the leads only.",
        "no_revenue_channels": "No revenue {over}: the bars show the leads of each channel.",
        "no_amount": "– no amount",
        "no_amount_help": "revenue unknown (–), not 0: its won deals have no amount",
        "no_forecast_amount": "Nothing to forecast: no won deal has an amount, so the "
        "pipeline brings no known revenue.",
        "no_forecast": "No won revenue is expected from the pipeline: nothing to draw.",
        "severity": {**{k: v["en"] for k, v in SEVERITY.items()}, "info": "Info"},
        "quality": report_label("sec_quality", "en"),
        "whole_findings": "{n} finding(s) concern all channels together (the totals, the "
        "channel mix, the data), not {scope} alone: choose All channels to read them.",
        "no_scope_findings": "No significant finding for {scope} in this comparison.",
        "campaign_word": "campaign",
        # what the page says of a filter value that does not exist (nothing is computed)
        "problems": "These filters cannot be shown",
        "problems_help": "Nothing is computed for a value that does not exist: change the "
        "filter above, or",
        "reset": "go back to the default filters",
        "not_available": "not available",
        "bad_period": "Period “{value}” is not a period: expected all, a year (2025), a "
        "quarter (2025-Q2) or a month (2025-03).",
        "after_end": "Period {value}{name} starts after the data ends ({day}): expected a "
        "period that starts on {day} at the latest.",
        "bad_compare": "Comparison “{value}” is not known: expected previous, last-year or "
        "none.",
        "bad_channel": "Channel “{value}” does not exist in this workspace: expected one of "
        "{names}.",
        "no_channel": "Channel “{value}” does not exist in this workspace: no lead has a "
        "channel.",
        "bad_campaign": "Campaign “{value}” is not a campaign of channel {channel}: expected "
        "one of {names}.",
        "no_campaign": "Campaign “{value}” is not a campaign of channel {channel}: that "
        "channel has no campaign.",
        "campaign_alone": "Campaign “{value}” is chosen within its channel: choose the "
        "channel first.",
        "bad_lang": "Language “{value}” is not available: expected en (English) or fr "
        "(French).",
        "bad_parameter": "“{value}” is not a filter of this page: expected period, "
        "compare, channel, campaign or lang.",
        "bad_key": "This key is not valid for this workspace: paste a key of {ws}.",
        "too_many": "Too many failed sign-ins from this address: try again in {wait} s.",
    },
    "fr": {
        "title": "La génération de leads pilotée par le chiffre d'affaires",
        "period": "Période",
        "compare": "Comparer avec",
        "previous": "période précédente",
        "last-year": "même période l'an dernier",
        "none": "sans comparaison",
        "channel": "Canal",
        "campaign": "Campagne",
        "all_channels": "Tous les canaux",
        "all_campaigns": "Toutes les campagnes",
        "all_time": period_name("all", "fr"),
        "as_of": "Données au",
        "headline": "L'essentiel",
        "trend": "Leads et chiffre d'affaires par mois",
        "funnel": "Entonnoir",
        "channels": "Canaux\u202f: volume, coût et chiffre d'affaires",
        "findings": "Ce qui a changé, et quoi faire",
        "forecast": "Chiffre d'affaires gagné attendu du pipeline",
        "velocity": "Vélocité (jours, médiane)",
        "no_findings": "Aucun constat significatif pour cette comparaison.",
        "no_compare": "Choisissez un trimestre, un mois ou une année et une comparaison pour "
        "voir les constats.",
        "vs": "vs",
        "immature": "cohorte jeune : des conversions sont encore à venir",
        "sign_in": "Se connecter",
        "sign_in_help": "Collez une clé d'API de cet espace (leadpilot keys create).",
        "key": "Clé d'API",
        "sign_out": "Se déconnecter",
        "loading": "Chargement…",
        "stage": "Étape",
        "count": "Leads",
        "conversion": "Conversion depuis l'étape précédente",
        "acceptance": "Acceptation (MQL → SAL)",
        "threshold": "seuil convenu",
        "expected": "attendu",
        "interval": "intervalle à 80 %",
        "month": "Mois",
        "actions": "Actions",
        "definitions": "Définitions",
        "quarters": "Trimestres",
        "months": "Mois",
        "years": "Années",
        "points": "pts",
        "report": "Rapport",
        "report_help": "Le rapport de la période et de la comparaison choisies\u202f: il couvre "
        "tous les canaux (un rapport n'a pas de filtre de canal)",
        "report_scope": "(tous les canaux)",
        "won_revenue": "CA gagné attendu",
        "no_spend": "aucune dépense chargée",
        "no_spend_note": "Aucune dépense n'est chargée\u202f: coûts et ROI ne peuvent pas "
        "être calculés.",
        "forecast_scope": "D'après les {deals} affaire(s) ouvertes au {day}{leads}, de "
        "{first} à {last}. Une prévision part du dernier jour des données\u202f: les filtres "
        "de période, de comparaison et de canal ne s'y appliquent pas.",
        "forecast_leads": " et les {leads} lead(s) encore en cours",
        "colon": "\u202f: ",
        "missing_group": group_name(None, "fr"),
        "notes": "Remarques sur ces chiffres",
        "left_out": "{n} écartées",
        "left_out_one": "{n} écartée",
        "left_out_help": "{n} durée(s) écartée(s)\u202f: l'étape la plus tardive est datée "
        "avant la création du lead",
        "no_lead": "Aucun lead {over}{filtered}\u202f: rien à tracer.",
        "filtered": " pour les filtres choisis",
        "no_revenue_trend": "Aucun chiffre d'affaires sur les mois affichés\u202f: le graphique "
        "ne montre que les leads.",
        "no_revenue_channels": "Aucun chiffre d'affaires {over}\u202f: les barres montrent "
        "les leads de chaque canal.",
        "no_amount": "– sans montant",
        "no_amount_help": "chiffre d'affaires inconnu (–), pas 0\u202f: ses affaires gagnées "
        "n'ont pas de montant",
        "no_forecast_amount": "Rien à prévoir\u202f: aucune affaire gagnée n'a de montant, "
        "le pipeline n'apporte donc aucun chiffre d'affaires connu.",
        "no_forecast": "Aucun chiffre d'affaires gagné n'est attendu du pipeline\u202f: rien "
        "à tracer.",
        "severity": {**{k: v["fr"] for k, v in SEVERITY.items()}, "info": "Info"},
        "quality": report_label("sec_quality", "fr"),
        "whole_findings": "{n} constat(s) portent sur l'ensemble des canaux (les totaux, le "
        "mix des canaux, les données), pas sur {scope} seulement\u202f: choisissez Tous les "
        "canaux pour les lire.",
        "no_scope_findings": "Aucun constat significatif pour {scope} dans cette comparaison.",
        "campaign_word": "campagne",
        "problems": "Ces filtres ne peuvent pas être affichés",
        "problems_help": "Rien n'est calculé pour une valeur qui n'existe pas\u202f: changez "
        "le filtre ci-dessus, ou",
        "reset": "revenez aux filtres par défaut",
        "not_available": "indisponible",
        "bad_period": "Période «\u00a0{value}\u00a0»\u202f: ce n'est pas une période\u202f; "
        "attendu\u202f: all, une année (2025), un trimestre (2025-Q2) ou un mois (2025-03).",
        "after_end": "La période {value}{name} commence après la fin des données "
        "({day})\u202f: attendu une période qui commence au plus tard le {day}.",
        "bad_compare": "Comparaison «\u00a0{value}\u00a0» inconnue\u202f: attendu previous, "
        "last-year ou none.",
        "bad_channel": "Le canal «\u00a0{value}\u00a0» n'existe pas dans cet espace\u202f: "
        "attendu l'un de {names}.",
        "no_channel": "Le canal «\u00a0{value}\u00a0» n'existe pas dans cet espace\u202f: "
        "aucun lead n'a de canal.",
        "bad_campaign": "La campagne «\u00a0{value}\u00a0» n'est pas une campagne du canal "
        "{channel}\u202f: attendu l'une de {names}.",
        "no_campaign": "La campagne «\u00a0{value}\u00a0» n'est pas une campagne du canal "
        "{channel}\u202f: ce canal n'a pas de campagne.",
        "campaign_alone": "La campagne «\u00a0{value}\u00a0» se choisit dans son "
        "canal\u202f: choisissez d'abord le canal.",
        "bad_lang": "Langue «\u00a0{value}\u00a0» indisponible\u202f: attendu en (anglais) "
        "ou fr (français).",
        "bad_parameter": "«\u00a0{value}\u00a0» n'est pas un filtre de cette page\u202f: "
        "attendu period, compare, channel, campaign ou lang.",
        "bad_key": "Cette clé n'est pas valide pour cet espace\u202f: collez une clé de {ws}.",
        "too_many": "Trop d'échecs de connexion depuis cette adresse\u202f: réessayez dans "
        "{wait}\u00a0s.",
    },
}
# the funnel's stages (not its exits), as the report names them
FUNNEL_STAGES = ("lead", "mql", "sal", "sql", "opportunity", "customer")
STAGE_NAMES = {lang: {s: stage_name(s, lang) for s in FUNNEL_STAGES} for lang in ("en", "fr")}


# ---------------------------------------------------------------- filters
COMPARES = ("previous", "last-year", "none")
LANGS = ("en", "fr")


class Filters:
    """The dashboard's filters, as the query gives them. A value that does not exist (a
    period that is none, a channel no lead has, a language the page does not speak) is a
    problem the page states, in its language, instead of computing anything for it
    (:func:`check` adds those that depend on the data)."""

    def __init__(
        self, period: str, compare: str, channel: str, campaign: str, lang: str,
        unknown: list[str] | tuple[str, ...] = (),
    ):  # fmt: skip
        self.lang = lang if lang in LANGS else "en"
        self.period = (period or "all")[:200]
        self.compare = (compare or "previous")[:200]
        self.channel = (channel or "")[:200]
        self.campaign = (campaign or "")[:200]
        self.problems: list[dict[str, str]] = []
        if lang not in LANGS:
            self.problem("lang", "bad_lang", value=lang)
        if not PERIOD.match(self.period):
            self.problem("period", "bad_period", value=self.period)
        if self.compare not in COMPARES:
            self.problem("compare", "bad_compare", value=self.compare)
        for name in unknown:  # ?vs=2024 or ?perod=2025-Q1: said, nothing computed
            self.problem(name[:40], "bad_parameter", value=name[:40])

    def problem(self, key: str, text: str, **values: str) -> None:
        """A filter value that does not exist: what it is and what is expected."""
        values = {k: _quoted(v) if k == "value" else v for k, v in values.items()}
        message = typeset(UI[self.lang][text].format(**values), self.lang)
        self.problems.append({"key": key, "text": message})

    @property
    def bad(self) -> set[str]:
        """The filters whose value does not exist."""
        return {p["key"] for p in self.problems}

    def query(self, **change: str) -> str:
        values = {
            "period": self.period,
            "compare": self.compare,
            "channel": self.channel,
            "campaign": self.campaign,
            "lang": self.lang,
        } | change
        return urlencode({k: v for k, v in values.items() if v})

    @property
    def dims(self) -> str | None:
        if self.campaign:
            return "channel,campaign" if self.channel else "campaign"
        return "channel" if self.channel else None

    @property
    def scope(self) -> dict[str, str]:
        """The group the filters narrow to, as a diagnosis by that dimension names it."""
        if self.campaign:
            return {"campaign": self.campaign}
        return {"channel": self.channel} if self.channel else {}

    def scope_text(self) -> str:
        """The group chosen, as the report names a finding's group: "channel events"."""
        if self.campaign:
            return f"{UI[self.lang]['campaign_word']} {self.campaign}"
        return report_label("in_group", self.lang, group=self.channel)

    def group_of(self, row: dict) -> bool:
        return (not self.channel or row.get("channel") == self.channel) and (
            not self.campaign or row.get("campaign") == self.campaign
        )

    @property
    def bounds(self) -> tuple[date | None, date | None]:
        return period_bounds(self.period)

    def period_text(self, period: str | None = None) -> str:
        """A period as the page writes it, with the report's names: "All time", "Q2 2025"
        ("T2 2025" in French), "Apr 2025" ("avr. 2025"); the JSON keeps "2025-Q2"."""
        period = self.period if period is None else period
        if not PERIOD.match(period):
            return period  # not a period: as it was asked (the page says so)
        return period_name(period, self.lang)

    @property
    def compared(self) -> bool:
        """A period and a comparison are chosen: the headline compares, findings exist."""
        return self.period != "all" and self.compare != "none"


def _quoted(value: str, most: int = 60) -> str:
    """A value as asked, cut when long (the message names it, it does not repeat a page)."""
    return value if len(value) <= most else value[:most] + "…"


def _names(values: list[str], most: int = 12) -> str:
    shown = ", ".join(values[:most])
    return shown + (", …" if len(values) > most else "")


def check(f: Filters, choices: dict, fmt) -> None:
    """The problems of filter values that the data says do not exist: a period that starts
    after the data ends (the API's "2030-Q1 starts after the data ends"), a channel no lead
    has, a campaign that is not one of the chosen channel's."""
    as_of = choices.get("as_of")
    if "period" not in f.bad and f.period != "all" and as_of:
        last = date.fromisoformat(str(as_of)[:10])
        start = f.bounds[0]
        if start is not None and start > last:
            name = period_name(f.period, f.lang)  # "2030-Q1 (Q1 2030)", "2030"
            f.problem("period", "after_end", value=f.period, day=fmt.date(last),
                      name=f" ({name})" if name != f.period else "")  # fmt: skip
    channels = choices["channels"]
    if f.channel and f.channel not in channels:
        if channels:
            f.problem("channel", "bad_channel", value=f.channel, names=_names(channels))
        else:
            f.problem("channel", "no_channel", value=f.channel)
    if f.campaign and "channel" not in f.bad:
        campaigns = choices["campaigns"]
        if not f.channel:
            f.problem("campaign", "campaign_alone", value=f.campaign)
        elif f.campaign not in campaigns:
            if campaigns:
                f.problem("campaign", "bad_campaign", value=f.campaign, channel=f.channel,
                          names=_names(campaigns))  # fmt: skip
            else:
                f.problem("campaign", "no_campaign", value=f.campaign, channel=f.channel)


def period_bounds(period: str) -> tuple[date | None, date | None]:
    """``2025-Q2`` -> (2025-04-01, 2025-06-30); ``2025-03``; ``2025``; ``all`` -> None."""
    if period == "all":
        return None, None
    year = int(period[:4])
    if len(period) == 4:
        return date(year, 1, 1), date(year, 12, 31)
    if "Q" in period:
        q = int(period[-1])
        first, last = 3 * q - 2, 3 * q
    else:
        first = last = int(period[5:7])
        if not 1 <= first <= 12:
            return None, None
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


def _months_back(d: date, months: int) -> date:
    m = d.month - months
    y = d.year + (m - 1) // 12
    return date(y, (m - 1) % 12 + 1, 1)


# ---------------------------------------------------------------- data (the API's documents)
def kpi_params(by, date_from=None, date_to=None, period="all", kpis=None, as_of=None) -> dict:
    """The parameters the ``/kpis`` route passes for the same query."""
    return {
        "by": by, "period": period, "view": "cohort", "date_from": date_from,
        "date_to": date_to, "as_of": as_of, "kpis": kpis,
    }  # fmt: skip


def fetch(caller: Caller, name: str, params: dict) -> dict:
    """The document the API route ``name`` answers for ``params`` (shared cache)."""
    method = {
        "kpis": "kpi_result",
        "funnel": "funnel_result",
        "velocity": "velocity_result",
        "diagnose": "diagnosis",
        "forecast": "forecast",
    }[name]
    body, _, _ = document(
        caller.handle, name, params, lambda lp: getattr(lp, method)(**params)
    )
    return json.loads(body)


def _soft(caller: Caller, name: str, params: dict) -> dict | None:
    """A document, or None when the workspace lacks the data for it (shown as absent)."""
    from ..errors import LeadpilotError

    try:
        return fetch(caller, name, params)
    except LeadpilotError:
        return None


# ---------------------------------------------------------------- pages
# The filters are read as text and checked here (Filters, check): a value that does not
# exist gets a page that says so in the page's language, not the API's JSON 422.
Lang = Annotated[str, Query(max_length=200)]
PeriodQ = Annotated[str, Query(max_length=200)]
CompareQ = Annotated[str, Query(max_length=200)]
TextQ = Annotated[str, Query(max_length=200)]


def _html(template: str, status: int = 200, headers: dict | None = None, **context):
    return HTMLResponse(
        env.get_template(template).render(**context), status_code=status, headers=headers
    )


def _login_page(ws: str, lang: str, status: int, problem: str = "", headers=None):
    lang = lang if lang in LANGS else "en"
    return _html("login.html", status, headers, ws=ws, ui=UI[lang], lang=lang,
                 signed_in=False, problem=problem)  # fmt: skip


Session = Annotated[Caller, Depends(need("read", session=True))]


@router.get(
    "/", response_class=HTMLResponse, summary="The dashboard", openapi_extra={"x-role": "read"}
)
def page(
    request: Request,
    ws: WsPath,
    period: PeriodQ = "",
    compare: CompareQ = "previous",
    channel: TextQ = "",
    campaign: TextQ = "",
    lang: Lang = "en",
) -> HTMLResponse:
    guard = request.app.state.guard
    try:
        caller = guard.caller(request, ws, "read", allow_session=True)
    except HTTPException as exc:
        if exc.status_code == 429:  # too many failed sign-ins from this address
            lang = lang if lang in LANGS else "en"
            wait = (exc.headers or {}).get("Retry-After", "60")
            problem = typeset(UI[lang]["too_many"].format(wait=wait), lang)
            return _login_page(ws, lang, 429, problem, exc.headers)
        if exc.status_code != 401:
            raise
        return _login_page(ws, lang, 401)
    f = Filters(period or _default_period(caller), compare, channel, campaign, lang,
                _unknown(request))  # fmt: skip
    return _html("page.html", ws=ws, **_board_context(caller, f))


@router.get("/board", response_class=HTMLResponse, summary="Dashboard: filters and panels")
def board(
    request: Request,
    caller: Session,
    ws: WsPath,
    period: PeriodQ = "all",
    compare: CompareQ = "previous",
    channel: TextQ = "",
    campaign: TextQ = "",
    lang: Lang = "en",
) -> HTMLResponse:
    f = Filters(period, compare, channel, campaign, lang, _unknown(request))
    # the header's links (report, language) follow the filters: swapped out of band
    response = _html("board.html", ws=ws, oob=True, **_board_context(caller, f))
    response.headers["HX-Replace-Url"] = f"/w/{ws}/?{f.query()}"
    return response


class Panel(StrEnum):
    headline = "headline"
    trend = "trend"
    funnel = "funnel"
    channels = "channels"
    findings = "findings"
    forecast = "forecast"
    velocity = "velocity"


@router.get("/panel/{name}", response_class=HTMLResponse, summary="Dashboard: one panel")
def panel(
    request: Request,
    caller: Session,
    ws: WsPath,
    name: Panel,
    period: PeriodQ = "all",
    compare: CompareQ = "previous",
    channel: TextQ = "",
    campaign: TextQ = "",
    lang: Lang = "en",
) -> HTMLResponse:
    f = Filters(period, compare, channel, campaign, lang, _unknown(request))
    fmt = _fmt(caller, f)
    check(f, _choices(caller, f), fmt)
    ui = UI[f.lang]
    if f.problems:  # nothing is computed for a value that does not exist
        return _html("problems.html", ws=ws, f=f, ui=ui, title=ui[name.value],
                     problems=f.problems)  # fmt: skip
    context = PANELS[name.value](caller, f)
    return _html(f"panel_{name.value}.html", ws=ws, f=f, ui=ui, fmt=fmt, **context)


REDIRECT = {
    303: {"description": "to the dashboard"},
    200: {"content": {"text/html": {}}, "description": "the dashboard (redirect followed)"},
}


@router.post(
    "/login",
    summary="Dashboard: sign in with a key (form field key, or the X-API-Key header)",
    openapi_extra={"x-role": "read"},
    response_class=HTMLResponse,
    responses=REDIRECT,
)
async def login(request: Request, ws: WsPath) -> Response:
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    key = (form.get("key") or [""])[0].strip() or request.app.state.guard.presented_key(request)
    lang = (form.get("lang") or ["en"])[0]
    lang = lang if lang in LANGS else "en"
    guard = request.app.state.guard
    handle = request.app.state.registry.get(ws)
    try:
        info = guard.login(request, handle, key)
    except HTTPException as exc:
        # the sign-in form posted by a browser gets the form again, saying why in the
        # form's language; a script (a key in a header, no form) the API's JSON error
        kind = request.headers.get("content-type", "")
        form_posted = kind.startswith("application/x-www-form-urlencoded") or (
            "text/html" in request.headers.get("accept", "")
        )
        if not form_posted or exc.status_code not in (401, 429):
            raise
        ui = UI[lang]
        problem = ui["bad_key"].format(ws=ws)
        if exc.status_code == 429:  # too many failures from this address
            problem = ui["too_many"].format(wait=(exc.headers or {}).get("Retry-After", "60"))
        return _login_page(ws, lang, exc.status_code, typeset(problem, lang), exc.headers)
    response = RedirectResponse(f"/w/{ws}/?lang={lang}", status_code=303)
    response.set_cookie(
        COOKIE,
        guard.new_session(handle, info),
        max_age=SESSION_SECONDS,
        path=f"/w/{ws}/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.get(
    "/logout", summary="Dashboard: sign out", response_class=HTMLResponse, responses=REDIRECT
)
def logout(caller: Session, ws: WsPath, lang: Lang = "en") -> Response:
    response = RedirectResponse(
        f"/w/{ws}/?lang={lang if lang in LANGS else 'en'}", status_code=303
    )
    response.delete_cookie(COOKIE, path=f"/w/{ws}/")
    return response


@router.get(
    "/report",
    summary="Dashboard: download the report of the period shown",
    response_class=Response,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}, "text/markdown": {},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}},
)  # fmt: skip
def report(
    caller: Session,
    ws: WsPath,
    # a period as the API's report takes it (a bad one refused with the same 422)
    period: ReportPeriod = None,
    compare: Annotated[Literal["previous", "last-year", "none"], Query()] = "previous",
    lang: Annotated[Literal["en", "fr"], Query()] = "en",
    format: Annotated[Literal["html", "pdf", "xlsx", "md"], Query()] = "html",  # noqa: A002
) -> Response:
    # the report of what the board shows: "all" is every lead, "none" no comparison (no
    # period, the link of no board, is the report's own default); it covers every
    # channel (the links say so when a channel is chosen)
    return report_response(caller.handle, period or None, compare, lang, format)


class StaticName(StrEnum):
    htmx = "htmx.min.js"
    vega = "vega.min.js"
    vega_lite = "vega-lite.min.js"
    vega_embed = "vega-embed.min.js"
    dashboard_js = "dashboard.js"
    dashboard_css = "dashboard.css"


@router.get(
    "/static/{name}",
    summary="Dashboard: a vendored script or the style sheet",
    response_class=Response,
    responses={200: {"content": {"text/javascript": {}, "text/css": {}}}},
)
def static(caller: Session, ws: WsPath, name: StaticName) -> Response:
    relative, media = STATIC[name.value]
    data = _STATIC_CACHE.get(relative)
    if data is None:
        files = resources.files("leadpilot.api").joinpath("static", *relative.split("/"))
        data = files.read_bytes()
        _STATIC_CACHE[relative] = data
    return Response(data, media_type=media, headers={"Cache-Control": "private, max-age=3600"})


# ---------------------------------------------------------------- board and panels
def _fmt(caller: Caller, f: Filters):
    with caller.handle.reader() as lp:
        currency = lp.config.currency
    return _Formatter(Formatter(f.lang, currency))


class _Formatter:
    """Values as the reader of the page expects them, by the unit the result declares."""

    def __init__(self, f: Formatter):
        self.f = f

    def __call__(self, value, unit: str = "") -> str:
        if value is None:
            return MISSING
        if unit == "currency":
            return self.f.money(value)
        if unit == "fraction":
            return self.f.percent(value)
        if unit == "days":
            return self.f.number(value, 1)
        if isinstance(value, float) and not value.is_integer():
            return self.f.number(value, 2)
        return self.f.number(value)

    def day_word(self, value) -> str:
        """'jour' or 'jours' after a number of days as written here (one decimal): French
        is singular below 2 ('0,0 jour')."""
        return day_word(value, self.f.lang, 1)

    def date(self, value) -> str:
        return self.f.date(value)


def _default_period(caller: Caller) -> str:
    """The period diagnose and the report look at by default (Pilot.default_period), else
    all."""

    def chosen(lp) -> Result:
        return Result([{"period": lp.default_period()}], Meta("default_period"))

    body, _, _ = document(caller.handle, "default_period", {}, chosen)
    return json.loads(body)["rows"][0]["period"] or "all"


def _choices(caller: Caller, f: Filters) -> dict:
    """What the filters can choose from: the periods holding leads, the channels, the
    chosen channel's campaigns, and the data's last day (all from cached documents)."""
    quarters = fetch(caller, "kpis", kpi_params(None, period="quarter", kpis="leads"))
    months = fetch(caller, "kpis", kpi_params(None, period="month", kpis="leads"))
    channels = fetch(caller, "kpis", kpi_params("channel", kpis="leads"))
    q = [r["period"] for r in quarters["rows"]]
    names = sorted({r["channel"] for r in channels["rows"] if r.get("channel")})
    campaigns: list[str] = []
    if f.channel in names:
        by_campaign = fetch(caller, "kpis", kpi_params("channel,campaign", kpis="leads"))
        campaigns = sorted(
            {r["campaign"] for r in by_campaign["rows"]
             if r.get("channel") == f.channel and r.get("campaign")}
        )  # fmt: skip
    return {
        "quarters": q,
        "months": [r["period"] for r in months["rows"]],
        "years": sorted({p[:4] for p in q}),
        "channels": names,
        "campaigns": campaigns,
        "as_of": quarters["meta"].get("as_of"),
    }


def _board_context(caller: Caller, f: Filters) -> dict:
    fmt = _fmt(caller, f)
    choices = _choices(caller, f)
    check(f, choices, fmt)
    options = {"quarters": choices["quarters"], "months": choices["months"][-24:],
               "years": choices["years"]}  # fmt: skip
    # the period shown is offered even when it holds no lead (or is an older month): else
    # the menu would show its first option ("All time") above panels of another period (a
    # period that does not exist is offered as such, beside the message saying why)
    if f.period != "all" and "period" not in f.bad:
        group = "quarters" if "Q" in f.period else ("years" if len(f.period) == 4 else "months")
        if f.period not in options[group]:
            options[group] = sorted([*options[group], f.period])
    return {
        "f": f,
        "ui": UI[f.lang],
        "quarters": list(reversed(options["quarters"])),
        "months": list(reversed(options["months"])),
        "years": list(reversed(options["years"])),
        "channels": choices["channels"],
        "campaigns": choices["campaigns"],
        "as_of": choices["as_of"],
        "problems": f.problems,
        "bad": f.bad,
        "panels": [p.value for p in Panel],
        "fmt": fmt,
    }


def _diagnose_params(caller: Caller, f: Filters) -> dict:
    """The parameters of the diagnosis of the comparison chosen, as the ``/diagnose``
    route passes them (one cached document for the headline's comparison period and the
    findings). Over all channels it is the report's own call (``reports.collect``): by
    channel when leads have a channel, so "What changed" lists the report's findings; one
    channel or campaign is read in the diagnosis by that dimension (its group's findings)."""
    if f.campaign:
        by = "campaign"
    elif f.channel or _leads_with_channel(caller):
        by = "channel"
    else:
        by = None
    vs = "last-year" if f.compare == "last-year" else "previous"
    return {"current": f.period, "previous": None, "vs": vs, "by": by}


def _leads_with_channel(caller: Caller) -> bool:
    """Whether any lead has a channel, counted as the report counts it (once per workspace
    version): the report diagnoses by channel then."""
    return _counted(caller, "leads with channel",
                    lambda t: t["leads"].channel.notnull().sum())  # fmt: skip


def _counted(caller: Caller, name: str, count) -> bool:
    handle = caller.handle
    key = (name,)
    hit = handle.cached(key)
    if hit is not None:
        return hit[0]
    version = handle.version
    with handle.reader() as lp:
        found = int(count(lp.tables()).execute() or 0) > 0
    handle.store(version, key, (found, name))
    return found


def _comparison(caller: Caller, f: Filters) -> dict | None:
    """The comparison period as ``diagnose`` fixes it (and the report reads it): its
    label and days (cut at the same day of the period when the chosen one is not over)
    and its as-of day, the same age as the chosen period (``previous_as_of``). None when
    there is no comparison or no diagnosis for it (then the headline compares nothing)."""
    if not f.compared:
        return None
    doc = _soft(caller, "diagnose", _diagnose_params(caller, f))
    if doc is None:
        return None
    m = doc["meta"]
    return {
        "label": m["previous"]["label"],
        "from": date.fromisoformat(m["previous"]["from"]),
        "to": date.fromisoformat(m["previous"]["to"]),
        "as_of": date.fromisoformat(m["previous_as_of"]),
        "data_as_of": date.fromisoformat(m["as_of"]),
        "current_to": date.fromisoformat(m["current"]["to"]),
    }


def _reading(f: Filters, comparison: dict, fmt) -> str:
    """The report's note under its headline: the cohort view, the comparison period read
    at the same age (and cut at the same day when the chosen period is not over)."""
    period = period_name(f.period, f.lang)
    note = report_label(
        "cohort_reading", f.lang, period=period, day=fmt.date(comparison["data_as_of"])
    )
    end = f.bounds[1]
    if end is not None and comparison["current_to"] < end:
        note += " " + report_label(
            "period_cut", f.lang, period=period, day=fmt.date(comparison["current_to"])
        )
    return typeset(note, f.lang)


def _spend_loaded(caller: Caller) -> bool:
    """Whether any spend row is loaded (counted once per workspace version): without
    spend, cost cards say so instead of showing "–" alone."""
    return _counted(caller, "spend loaded", lambda t: t["spend"].count())


# ---------------------------------------------------------------- notes
# a velocity notice names the duration it concerns: "days_to_mql: 434 duration(s) left out: ..."
_NAMED = re.compile(r"^(?P<name>[\w<>]+): ")


class _Noticed:
    """Notices as a result carries them (what ``reports.view.unvalued_counts`` reads)."""

    def __init__(self, notices: list[Notice]):
        self.notices = notices


def _notices(*docs: dict | None) -> list[Notice]:
    """The notices of the API documents a panel draws (``meta.notices``: code, sentence)."""
    return [
        Notice(n["code"], n["message"], n.get("data"))
        for doc in docs
        if doc
        for n in doc["meta"].get("notices") or ()
    ]


def _notes(f: Filters, notices: list[Notice], said=(), counted: tuple[str, ...] = ()) -> list[str]:
    """The notes on the numbers a panel draws, in the page's language, as the report writes
    them (``reports.view.notice_notes``: a sentence per notice code, each once). A notice
    without such a sentence is shown as the product translates it (``message_in``); on a
    French page, only when there is a translation."""
    out = notice_notes((n.code for n in notices), f.lang, said=said, counted=counted)
    for n in notices:
        if n.code in NOTICES or n.code in said:
            continue
        text = message_in(str(n), f.lang)
        if f.lang == "en" or text != str(n):
            out.append(text)
    return [typeset(t, f.lang) for t in dict.fromkeys(out)]


# notices that speak of channels other than the one chosen (spend naming channels no
# lead names; rows over several channels)
OTHER_GROUPS = {"spend_without_match", "acceptance_partly_recorded"}


def _scoped(f: Filters, notices: list[Notice], rows: list[dict]) -> list[Notice]:
    """The notices that concern what a panel shows. A result by channel notes what holds
    of some of its groups ("some channels have leads but no spend"); with a channel (or
    campaign) chosen, the panel shows that group's ``rows`` only: a note is kept when it
    holds of them, or when nothing tells (without a filter, every notice is kept)."""
    if not f.scope:
        return notices
    out = []
    for n in notices:
        keep = True
        if n.code in ("no_spend", "not_recorded"):  # the group's spend is null, not 0
            keep = not rows or any(r.get("spend") is None for r in rows)
        elif n.code == "division_by_zero":  # "cac: null where customers = 0"
            name = str(n).split(":", 1)[0]
            keep = not rows or any(name not in r or r[name] is None for r in rows)
        elif n.code == "immature_cohorts":
            keep = not rows or any(r.get("immature") for r in rows)
        elif n.code == "no_customer_yet":
            keep = not rows or any(r.get("sales_cycle_days") is None for r in rows)
        elif n.code == "acceptance_below_threshold":
            keep = any(r.get("meets_threshold") is False for r in rows)
        elif n.code == "outside_spend_dates":  # names up to three channels, then "more"
            text = str(n)
            keep = (
                not f.channel
                or "more channel" in text
                or any(f"{sep}{f.channel}: " in text for sep in ("(", "; "))
            )
        elif n.code in OTHER_GROUPS:
            keep = False
        if keep:
            out.append(n)
    return out


def _over(f: Filters, period: str | None = None) -> str:
    """What the panel counts over, as the report says it: "in Q2 2025", "over all the data"."""
    period = f.period if period is None else period
    if period == "all" or period_bounds(period) == (None, None):
        return report_label("over_all_data", f.lang)
    return report_label("in_period", f.lang, period=f.period_text(period))


def _nothing(f: Filters, key: str = "no_lead") -> str:
    """What an empty chart says instead of an axis of NaN or 0.000000."""
    filtered = UI[f.lang]["filtered"] if f.channel or f.campaign else ""
    return UI[f.lang][key].format(over=_over(f), filtered=filtered)


def _headline(caller: Caller, f: Filters) -> dict:
    start, end = f.bounds
    kpis = ",".join(HEADLINE)
    cur = fetch(caller, "kpis", kpi_params(f.dims, start, end, kpis=kpis))
    row = next((r for r in cur["rows"] if f.group_of(r)), None)
    prev_row = None
    # the comparison period is read at the same age as the chosen one, as diagnose and
    # the report read it: not with every day of data since (a cohort keeps converting)
    comparison = _comparison(caller, f)
    if comparison is not None:
        prev = fetch(
            caller, "kpis",
            kpi_params(f.dims, comparison["from"], comparison["to"], kpis=kpis,
                       as_of=comparison["as_of"]),
        )  # fmt: skip
        prev_row = next((r for r in prev["rows"] if f.group_of(r)), None)
    fmt = _fmt(caller, f)
    no_spend = not _spend_loaded(caller)
    cards = []
    for name in HEADLINE:
        value = row.get(name) if row else None
        before = prev_row.get(name) if prev_row else None
        unit = _unit(cur, name)
        change, change_text = None, ""
        if isinstance(value, int | float) and isinstance(before, int | float):
            if unit == "fraction":  # a rate moves in points, not in percent of itself
                change = value - before
                change_text = fmt.f.number(abs(change) * 100, 1) + " " + UI[f.lang]["points"]
            elif before:
                change = value / before - 1
                change_text = fmt(abs(change), "fraction")
        cards.append(
            {
                "name": name,
                "label": _label(cur, name, f.lang),
                "value": value,
                "unit": unit,
                "before": before,
                "change": change,
                "change_text": change_text,
                "better": _better(_kpi(cur, name), change),
                "definition": _rule(cur, name, f.lang),
                # "–" alone says nothing: why the card is empty
                "missing": UI[f.lang]["no_spend"] if no_spend and name in COSTS else "",
            }
        )
    # the notes of the figures shown: won deals without an amount counted as the report
    # counts them (the whole workspace's when no filter narrows the headline to a group)
    said = {"no_spend", "not_recorded"} if no_spend else set()
    unvalued = []
    if not f.dims:
        periods = [(cur, _over(f))]
        if comparison is not None:
            previous = report_label(
                "comparison_period", f.lang, period=f.period_text(comparison["label"])
            )
            periods.append((prev, report_label("in_period", f.lang, period=previous)))
        for doc, over in periods:
            note = unvalued_note(_Noticed(_notices(doc)), over, f.lang, fmt.f)
            if note:
                unvalued.append(typeset(note, f.lang))
        if unvalued:
            said.add("unvalued")
    # the notes of the group shown, not those of the other channels (a channel with spend
    # is not told that some channels have none)
    notices = _scoped(f, _notices(cur), [row] if row else [])
    return {
        "notes": unvalued + _notes(f, notices, said),
        "cards": cards,
        "immature": bool(row and row.get("immature")),
        "previous_label": comparison["label"] if comparison else None,
        "previous_text": f.period_text(comparison["label"]) if comparison else None,
        "previous_as_of": comparison["as_of"].isoformat() if comparison else None,
        "reading": _reading(f, comparison, fmt) if comparison else None,
    }


def _kpi(doc: dict, name: str) -> dict:
    return (doc["meta"].get("kpis") or {}).get(name) or {}


def _label(doc: dict, name: str, lang: str) -> str:
    """The KPI's label in ``lang``, from the catalog entry the result carries."""
    k = _kpi(doc, name)
    return k.get(f"label_{lang}") or k.get("label_en") or name.replace("_", " ")


def _unit(doc: dict, name: str) -> str:
    return _kpi(doc, name).get("unit", "")


def _rule(doc: dict, name: str, lang: str) -> str:
    k = _kpi(doc, name)
    return typeset((k.get("rule_fr") if lang == "fr" else k.get("rule")) or "", lang)


def _better(kpi: dict, change: float | None) -> str:
    if change is None or abs(change) < 0.005:
        return "flat"
    up = change > 0
    if kpi.get("name") in ("leads", "mqls", "spend"):
        return "neutral-up" if up else "neutral-down"  # volume is not performance
    return "good" if up == bool(kpi.get("higher_is_better", True)) else "bad"


FORMAT_LOCALES = {
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["€", ""]},
    "fr": {"decimal": ",", "thousands": "\u202f", "grouping": [3], "currency": ["", "\u00a0€"]},
}


def _vl(spec: dict, lang: str = "en") -> str:
    """A Vega-Lite spec as the JSON a <script type=application/json> holds; numbers on the
    axes and in tooltips written as ``lang`` writes them."""
    base = {
        "usermeta": {"embedOptions": {"formatLocale": FORMAT_LOCALES[lang]}},
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "width": "container",
        "config": {
            "font": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
            "axis": {"labelColor": "#475569", "titleColor": "#334155", "gridColor": "#e2e8f0",
                     "domainColor": "#cbd5e1", "tickColor": "#cbd5e1", "labelFontSize": 11,
                     "titleFontSize": 11, "titleFontWeight": 500},
            "legend": {"labelColor": "#334155", "titleColor": "#334155", "orient": "top"},
            "view": {"stroke": None},
            "range": {"category": ["#2563eb", "#0d9488", "#f59e0b", "#db2777", "#7c3aed",
                                    "#64748b", "#16a34a", "#ea580c", "#0891b2", "#9333ea"]},
        },
    }  # fmt: skip
    return json.dumps(base | spec, default=str).replace("</", "<\\/")


def _trend(caller: Caller, f: Filters) -> dict:
    start, end = f.bounds
    first = _months_back(end.replace(day=1), 11) if end else None
    doc = fetch(
        caller, "kpis",
        kpi_params(f.dims, first, end, period="month", kpis="leads,customers,revenue"),
    )  # fmt: skip
    ui = UI[f.lang]
    rows = [r for r in doc["rows"] if f.group_of(r)]
    lead_t, rev_t = _label(doc, "leads", f.lang), _label(doc, "revenue", f.lang)
    # a month without a known revenue (null: its won deals have no amount) is a gap in the
    # line, not a 0
    values = [{"month": period_name(r["period"], f.lang), "leads": r["leads"],
               "revenue": r["revenue"], "immature": bool(r.get("immature"))}
              for r in rows]  # fmt: skip
    spec = {
        "height": 220,
        "data": {"values": values},
        # months named for the reader ("avr. 2025"), kept in time order, not by name; a
        # label every month up to twelve, else every second (third...) month: "All time"
        # wrote two years of months over one another on a phone
        "encoding": {"x": {"field": "month", "type": "ordinal", "title": ui["month"],
                           "sort": None, "axis": {"labelAngle": -40,
                                                  "values": _every(values, 12)}}},
        "layer": [
            {"mark": {"type": "bar", "color": "#93c5fd", "cornerRadiusEnd": 2},
             "encoding": {"y": {"field": "leads", "type": "quantitative", "title": lead_t,
                                "axis": {"titleColor": "#3b82f6"}},
                          "tooltip": [{"field": "month"}, {"field": "leads", "title": lead_t,
                                                            "format": ",d"}]}},
            {"mark": {"type": "line", "color": "#0d9488", "point": True, "strokeWidth": 2.5,
                      "invalid": "break-paths-filter-domains"},
             "encoding": {"y": {"field": "revenue", "type": "quantitative", "title": rev_t,
                                "axis": {"format": "~s", "titleColor": "#0d9488"}},
                          "tooltip": [{"field": "month"}, {"field": "revenue", "title": rev_t,
                                                            "format": ",.0f"}]}},
        ],
        "resolve": {"scale": {"y": "independent"}},
    }  # fmt: skip
    notes = _notes(f, _scoped(f, _notices(doc), rows))
    if not any(r.get("leads") for r in rows):
        return {"spec": None, "nothing": _nothing(f), "rows": rows, "notes": notes}
    said = None
    if not any(r.get("revenue") for r in rows):
        # no revenue in any month (none won, or no won deal has an amount): a revenue axis
        # would be one tick of "NaN" (or of 0); the leads alone, and the panel says why
        spec["layer"] = spec["layer"][:1]
        del spec["resolve"]
        said = ui["no_revenue_trend"]
    return {"spec": _vl(spec, f.lang), "rows": rows, "said": said, "notes": notes}


def _every(values: list[dict], most: int) -> list[str]:
    """The months an axis names: every one up to ``most``, else one in k, the last
    included."""
    months = [v["month"] for v in values]
    step = max(1, -(-len(months) // most))
    return months[::-1][::step][::-1]


def _funnel(caller: Caller, f: Filters) -> dict:
    start, end = f.bounds
    params = {"by": f.dims, "period": "all", "view": "cohort", "date_from": start,
              "date_to": end, "as_of": None}  # fmt: skip
    doc = fetch(caller, "funnel", params)
    names = STAGE_NAMES[f.lang]
    rows = [r for r in doc["rows"] if f.group_of(r) and r.get("stage") in names]
    values = [{"stage": names[r["stage"]], "order": i, "count": r["count"],
               "conversion": r.get("conversion_from_previous")} for i, r in enumerate(rows)]
    ui = UI[f.lang]
    spec = {
        "height": 200,
        "data": {"values": values},
        "encoding": {
            "y": {"field": "stage", "type": "nominal", "sort": {"field": "order"}, "title": None},
            "x": {"field": "count", "type": "quantitative", "title": ui["count"]},
        },
        "layer": [
            {"mark": {"type": "bar", "color": "#2563eb", "cornerRadiusEnd": 3},
             "encoding": {"tooltip": [{"field": "stage"}, {"field": "count", "format": ",d"},
                                      {"field": "conversion", "format": ".1%",
                                       "title": ui["conversion"]}]}},
            {"mark": {"type": "text", "align": "left", "dx": 4, "color": "#334155"},
             "encoding": {"text": {"field": "count", "format": ",d"}}},
        ],
    }  # fmt: skip
    acceptance = None
    for a in doc["meta"].get("acceptance", []) or []:
        if isinstance(a, dict) and f.group_of(a.get("group") or a):
            acceptance = a
            break
    drawn = any(r.get("count") for r in rows)  # else an axis of 0.000000: say it instead
    return {"spec": _vl(spec, f.lang) if drawn else None, "nothing": _nothing(f), "rows": rows,
            "acceptance": acceptance, "names": names,
            "threshold": doc["meta"].get("acceptance_threshold"),
            "notes": _notes(f, _scoped(f, _notices(doc), rows + [acceptance or {}]))}  # fmt: skip


def _channels(caller: Caller, f: Filters) -> dict:
    start, end = f.bounds
    doc = fetch(caller, "kpis", kpi_params("channel", start, end, kpis=CHANNEL_KPIS))
    rows = sorted(doc["rows"], key=lambda r: -(r.get("revenue") or 0))
    cols = CHANNEL_KPIS.split(",")
    ui = UI[f.lang]
    rev_t, lead_t = _label(doc, "revenue", f.lang), _label(doc, "leads", f.lang)
    # a channel whose revenue is unknown (null: its won deals have no amount) gets no bar,
    # not a bar of 0: its row says "no amount", as the table beside it says "–" (and the
    # trend breaks its line there)
    values = [{"channel": r["channel"] or ui["missing_group"], "revenue": r.get("revenue"),
               "leads": r.get("leads") or 0,
               "selected": bool(f.channel) and r.get("channel") == f.channel}
              | ({"unknown": ui["no_amount_help"]} if r.get("revenue") is None else {})
              for r in rows]  # fmt: skip
    spec = {
        "height": {"step": 22},
        "data": {"values": values},
        "encoding": {
            # the rows' order (revenue, highest first): the bars and the labels share it
            "y": {"field": "channel", "type": "nominal", "title": ui["channel"],
                  "sort": list(dict.fromkeys(v["channel"] for v in values))},
        },
        "layer": [
            {"mark": {"type": "bar", "cornerRadiusEnd": 3, "invalid": "filter"},
             "encoding": {
                 "x": {"field": "revenue", "type": "quantitative", "title": rev_t,
                       "axis": {"format": "~s"}},
                 "color": {"condition": {"test": "datum.selected", "value": "#f59e0b"},
                           "value": "#0d9488"},
                 "tooltip": [{"field": "channel"}, {"field": "revenue", "format": ",.0f",
                                                    "title": rev_t},
                             {"field": "leads", "format": ",d", "title": lead_t}]}},
            {"transform": [{"filter": "datum.revenue === null"}],
             "mark": {"type": "text", "align": "left", "x": 0, "dx": 4, "color": "#64748b",
                      "fontStyle": "italic"},
             "encoding": {
                 "text": {"value": ui["no_amount"]},
                 "tooltip": [{"field": "channel"}, {"field": "unknown", "title": rev_t},
                             {"field": "leads", "format": ",d", "title": lead_t}]}},
        ],
    }  # fmt: skip
    no_spend = not _spend_loaded(caller)
    said = {"no_spend", "not_recorded"} if no_spend else set()
    if any(n.code == "no_spend" for n in _notices(doc)):
        said.add("not_recorded")  # the same channels, said once
    # nothing to draw: no channel, or no lead (an axis of NaN or of 0.000000)
    nothing, said_chart = None, None
    if not any(r.get("leads") for r in rows):
        nothing = _nothing(f)
    elif not any(r.get("revenue") for r in rows):
        # leads but no revenue (none won, or no won deal has an amount): a revenue axis
        # would be of 0 or NaN; the leads of each channel are drawn instead, and said
        order = sorted(values, key=lambda v: -v["leads"])
        spec["encoding"]["y"]["sort"] = list(dict.fromkeys(v["channel"] for v in order))
        spec["layer"] = [{
            "mark": {"type": "bar", "cornerRadiusEnd": 3},
            "encoding": {
                "x": {"field": "leads", "type": "quantitative", "title": lead_t},
                "color": {"condition": {"test": "datum.selected", "value": "#f59e0b"},
                          "value": "#93c5fd"},
                "tooltip": [{"field": "channel"},
                            {"field": "leads", "format": ",d", "title": lead_t}]}}]  # fmt: skip
        rows = sorted(rows, key=lambda r: -(r.get("leads") or 0))
        said_chart = ui["no_revenue_channels"].format(over=_over(f))
    return {
        "spec": None if nothing else _vl(spec, f.lang),
        "nothing": nothing,
        "said": said_chart,
        "rows": rows,
        "cols": [(c, SHORT.get(c) or _label(doc, c, f.lang), _unit(doc, c)) for c in cols],
        "no_spend": no_spend,
        "notes": _notes(f, _notices(doc), said),
    }


def _findings(caller: Caller, f: Filters) -> dict:
    """The findings of the diagnosis of the comparison chosen. Over all channels, those of
    the report (the same diagnosis, in its order), then its data-quality findings; with a
    channel (or campaign) chosen, the findings about that group only: a finding about all
    channels together (the totals, the channel mix, the data) is not about one channel,
    and the panel says how many it leaves to "All channels"."""
    if not f.compared:
        return {"findings": None}
    doc = _soft(caller, "diagnose", _diagnose_params(caller, f))
    if doc is None:
        return {"findings": None}
    meta = doc["meta"]
    findings, whole = _finding_items(f, meta.get("findings") or [])
    quality, whole_quality = _finding_items(f, meta.get("data_quality") or [])
    ui = UI[f.lang]
    rows: list[dict] = []
    if f.scope:  # the notes of the group's own figures (as the headline shows them)
        start, end = f.bounds
        cur = fetch(caller, "kpis", kpi_params(f.dims, start, end, kpis=",".join(HEADLINE)))
        rows = [r for r in cur["rows"] if f.group_of(r)]
    left = whole + whole_quality
    current = _period_name(meta.get("current"))
    previous = _period_name(meta.get("previous"))
    return {
        "findings": findings,
        "quality": quality,
        "empty": (ui["no_scope_findings"].format(scope=f.scope_text())
                  if f.scope else ui["no_findings"]),
        "left": (typeset(ui["whole_findings"].format(n=left, scope=f.scope_text()), f.lang)
                 if left else None),
        "current": current and f.period_text(current),
        "previous": previous and f.period_text(previous),
        "notes": _notes(f, _scoped(f, _notices(doc), rows)),
    }


# findings about the periods compared rather than the channels (a young cohort): they hold
# of every channel's leads
PERIOD_FINDINGS = {"immature_cohort"}


def _finding_items(f: Filters, items: list[dict]) -> tuple[list[dict], int]:
    """The findings to show, as the report writes them, and how many concern all the
    groups together (left out when the filters narrow to one group)."""
    out, whole = [], 0
    fr = f.lang == "fr"
    for item in items:
        group = item.get("group") or {}
        if f.scope:
            if not group and item.get("code") not in PERIOD_FINDINGS:
                whole += 1
                continue
            if group and any(group.get(k) != v for k, v in f.scope.items()):
                continue
        out.append({
            "code": item.get("code"),
            "severity": item.get("severity", "info"),
            "title": typeset(item.get("title_fr") if fr else item.get("title"), f.lang),
            # the group a finding is about, as the report names it ("channel paid_social"),
            # unless the filters chose it
            "group": "" if f.scope else _group_text(group, f.lang),
            "explanation": typeset(
                item.get("explanation_fr") if fr else item.get("explanation"), f.lang),
            "actions": [typeset(a, f.lang)
                        for a in (item.get("actions_fr") if fr else item.get("actions")) or []],
        })  # fmt: skip
    return out, whole


def _group_text(group: dict, lang: str) -> str:
    return ", ".join(
        report_label("in_group", lang, group=group_name(v, lang)) if k == "channel"
        else f"{tr(k, lang)} {group_name(v, lang)}"
        for k, v in group.items()
    )  # fmt: skip


def _period_name(period) -> str | None:
    return period.get("label") if isinstance(period, dict) else period


def _forecast(caller: Caller, f: Filters) -> dict:
    """The pipeline forecast from the data's last day. It cannot follow the filters (a
    forecast starts from the deals open now, whatever period is looked at): the panel says
    which months it forecasts, from which pipeline, and that the filters do not apply."""
    doc = _soft(caller, "forecast", {"months": 6, "as_of": None})
    if doc is None or not doc["rows"]:
        return {"spec": None, "scope": None}
    ui = UI[f.lang]
    meta, fmt = doc["meta"], _fmt(caller, f)
    leads = meta.get("funnel_leads") or 0
    scope = ui["forecast_scope"].format(
        deals=fmt(meta.get("open_deals") or 0),
        leads=ui["forecast_leads"].format(leads=fmt(leads)) if leads else "",
        day=fmt.date(meta["as_of"]) if meta.get("as_of") else MISSING,
        first=period_name(doc["rows"][0]["month"], f.lang),
        last=period_name(doc["rows"][-1]["month"], f.lang),
    )
    notes = _notes(f, _notices(doc))
    # nothing to draw: every month 0 without an interval (no won deal has an amount, or
    # nothing is expected) would be a flat line on an axis of "NaN"; the panel says so
    if meta.get("nothing_to_forecast") or not any(
        r.get("expected") or r.get("high") for r in doc["rows"]
    ):
        key = "no_forecast_amount" if meta.get("nothing_to_forecast") else "no_forecast"
        notes = _notes(f, [n for n in _notices(doc)
                           if not str(n).startswith("nothing to forecast")])  # said above
        return {"spec": None, "scope": scope, "nothing": ui[key], "notes": notes}
    values = [{"month": period_name(r["month"], f.lang), "expected": r["expected"],
               "low": r["low"], "high": r["high"]} for r in doc["rows"]]  # fmt: skip
    spec = {
        "height": 200,
        "data": {"values": values},
        # the months slanted, as the trend writes them: upright, they were written over
        # one another on a phone ("juil. 2021août 2021")
        "encoding": {"x": {"field": "month", "type": "ordinal", "title": ui["month"],
                           "sort": None, "axis": {"labelAngle": -40}}},
        "layer": [
            {"mark": {"type": "area", "color": "#bfdbfe", "opacity": 0.7},
             "encoding": {"y": {"field": "low", "type": "quantitative", "title": ui["won_revenue"],
                                "axis": {"format": "~s"}},
                          "y2": {"field": "high"}}},
            {"mark": {"type": "line", "color": "#1d4ed8", "point": True, "strokeWidth": 2.5},
             "encoding": {"y": {"field": "expected", "type": "quantitative"},
                          "tooltip": [{"field": "month"},
                                      {"field": "expected", "format": ",.0f",
                                       "title": ui["expected"]},
                                      {"field": "low", "format": ",.0f"},
                                      {"field": "high", "format": ",.0f"}]}},
        ],
    }  # fmt: skip
    return {"spec": _vl(spec, f.lang), "rows": doc["rows"], "scope": scope, "notes": notes}


VELOCITY = ("days_to_mql", "days_to_sql", "days_to_opportunity", "sales_cycle_days")
VELOCITY_LABELS = {
    "en": {"days_to_mql": "Lead → MQL", "days_to_sql": "Lead → SQL",
           "days_to_opportunity": "Lead → opportunity", "sales_cycle_days": "Sales cycle"},
    "fr": {"days_to_mql": "Lead → MQL", "days_to_sql": "Lead → SQL",
           "days_to_opportunity": "Lead → opportunité", "sales_cycle_days": "Cycle de vente"},
}  # fmt: skip


def _velocity(caller: Caller, f: Filters) -> dict:
    start, end = f.bounds
    params = {"by": f.dims, "period": "all", "view": "cohort", "date_from": start,
              "date_to": end, "as_of": None}  # fmt: skip
    doc = fetch(caller, "velocity", params)
    row = next((r for r in doc["rows"] if f.group_of(r)), {})
    # the rules in the reader's language (the JSON carries the English only)
    defs = definitions(caller.handle, "velocity", params,
                       lambda lp: lp.velocity_result(**params), f.lang)  # fmt: skip
    notices = _notices(doc)
    # the durations left out of each median (dated before the lead's creation), shown
    # beside its n: all of them, or those of the group a filter narrows to
    left_out: dict[str, int] = {}
    for n in notices:
        if n.code == "negative_durations" and "kpi" in n.data:
            left_out[n.data["kpi"]] = (
                sum(int(g["left_out"]) for g in n.data.get("groups", ()) if f.group_of(g))
                if f.dims else int(n.data["left_out"])
            )  # fmt: skip
    # the notes of the durations shown (not those of the conversion-by-age curves)
    shown = [n for n in notices
             if (m := _NAMED.match(str(n))) is None or m["name"] in VELOCITY]  # fmt: skip
    ui, fmt = UI[f.lang], _fmt(caller, f)

    def left(n: int | None) -> tuple[int, str, str] | None:  # (count, card text, tooltip)
        if not n:
            return None
        key = "left_out_one" if n < 2 and "left_out_one" in ui else "left_out"
        return n, ui[key].format(n=fmt(n)), ui["left_out_help"].format(n=fmt(n))

    items = [(n, VELOCITY_LABELS[f.lang][n], row.get(n), row.get(f"{n}_n"),
              typeset(defs.get(n, ""), f.lang), left(left_out.get(n)))
             for n in VELOCITY]  # fmt: skip
    return {"items": items, "notes": _notes(f, _scoped(f, shown, [row] if row else []))}


PANELS = {
    "headline": _headline,
    "trend": _trend,
    "funnel": _funnel,
    "channels": _channels,
    "findings": _findings,
    "forecast": _forecast,
    "velocity": _velocity,
}
