"""What a French reader sees is French, and the same word everywhere: a missing group is
'(aucun)', a period 'T2 2025' (as in the report and the dashboard), '0 jour' is singular,
the cost per customer has one name, dates read as dates, and the notes of ingest, kpis
and forecast have French patterns. JSON and CSV keep their machine formats."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

import leadpilot
from leadpilot.i18n import Formatter
from leadpilot.reports.labels import period_name


def _text(out: str) -> str:
    """The terminal's text on one line: Rich wraps long notes at the console's width."""
    return " ".join(out.split())


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """Q1 2025: 12 leads, 6 won 30 days after creation; Q2: 13 leads without an outcome
    yet, the last created on 30 June (the current quarter is 0 days old); a deal created
    two days before its lead; spend on 'ads' only; a lead in three has no content."""
    folder = tmp_path_factory.mktemp("french") / "data"
    folder.mkdir()
    leads = ["lead_id,created_at,channel,content"]
    deals = ["deal_id,lead_id,created_at,status,closed_at,amount"]
    for i in range(12):
        day = date(2025, 1, 6) + timedelta(days=6 * i)
        content = "" if i % 4 == 0 else "/pricing"
        leads.append(f"L{i},{day},{('seo', 'ads', 'direct')[i % 3]},{content}")
        if i % 2 == 0:
            won = day + timedelta(days=30)
            deals.append(f"D{i},L{i},{day + timedelta(days=10)},won,{won},1000")
    for i in range(12, 25):
        day = min(date(2025, 4, 2) + timedelta(days=8 * (i - 12)), date(2025, 6, 30))
        leads.append(f"L{i},{day},{('seo', 'ads', 'direct')[i % 3]},/demo")
    leads.append("L90,2025-03-04 10:30:00,seo,/demo")
    deals.append("D90,L90,2025-03-02 08:00:00,open,,500")
    leads.append("L91,2025-03-05,seo,/demo")
    deals.append("D91,L91,2025-03-03,open,,500")
    spend = ["date,channel,amount", "2025-01-01,ads,300", "2025-04-01,ads,200"]
    for name, rows in (("leads", leads), ("deals", deals), ("spend", spend)):
        (folder / f"{name}.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def ws(data) -> str:
    path = data.parent / "ws"
    with leadpilot.open(path, create=True) as lp:
        lp.ingest(data)
    return str(path)


# ---------------------------------------------------------------- 1. a missing group
def test_a_missing_group_reads_aucun_in_french_and_stays_null_in_json(cli, ws):
    code, out, err = cli("kpis", "-w", ws, "--by", "content", "--lang", "fr")
    assert code == 0, err
    assert re.search(r"│ \(aucun\) +│ +3 │", out), out
    assert "(none)" not in out
    code, out, _ = cli("kpis", "-w", ws, "--by", "content")
    assert re.search(r"│ \(none\) +│ +3 │", out), out
    code, out, _ = cli("kpis", "-w", ws, "--by", "content", "--lang", "fr", "-f", "json")
    assert [r["content"] for r in json.loads(out)["rows"]].count(None) == 1


def test_a_missing_group_in_a_french_finding_and_the_report_word():
    from leadpilot.diagnostics.decompose import Group, decompose
    from leadpilot.diagnostics.findings import find
    from leadpilot.results.diagnosis import _group_label

    before = {None: Group(100, 10, 10_000), "seo": Group(100, 1, 1_000)}
    after = {None: Group(20, 2, 2_000), "seo": Group(180, 2, 2_000)}
    totals = [{"leads": 200, "mqls": 200, "sqls": 200, "opportunities": 200, "customers": c,
               "revenue": c * 1000} for c in (11, 4)]  # fmt: skip
    (mix,) = [f for f in find(*totals, decomposition=decompose(before, after), dimension="content")
              if f.code == "mix_shift_to_low_converting_channels"]  # fmt: skip
    assert "de (aucun) vers seo, qui convertit moins bien" in mix.explanation("fr")
    assert "away from (none) toward seo" in mix.explanation("en")
    finding = {"group": {"channel": "seo", "content": None}}
    assert _group_label(finding, "fr") == "channel=seo content=(aucun)"


# ---------------------------------------------------------------- 2. periods
def test_french_tables_name_periods_as_the_report_and_json_keeps_the_label(cli, ws):
    code, out, err = cli("kpis", "-w", ws, "--period", "quarter", "--lang", "fr")
    assert code == 0, err
    assert re.search(r"│ T1 2025 +│ +14 │", out), out
    assert re.search(r"│ T2 2025 \* +│ +13 │", out), out  # an immature cohort
    assert "2025-Q" not in out
    code, out, _ = cli("kpis", "-w", ws, "--period", "quarter", "--lang", "fr", "-f", "json")
    assert [r["period"] for r in json.loads(out)["rows"]] == ["2025-Q1", "2025-Q2"]
    code, out, _ = cli("kpis", "-w", ws, "--period", "quarter", "--lang", "fr", "-f", "csv")
    assert "\n2025-Q1," in out and "T1 2025" not in out
    code, out, _ = cli("kpis", "-w", ws, "--period", "quarter")  # English: the JSON's label
    assert re.search(r"│ 2025-Q1 +│", out), out


def test_french_diagnosis_and_forecast_name_periods_as_the_report(cli, ws):
    args = ("diagnose", "-w", ws, "--current", "2025-Q2", "--previous", "2025-Q1")
    code, out, err = cli(*args, "--lang", "fr")
    assert code == 0, err
    assert out.startswith("Diagnostic — T2 2025 vs T1 2025\n"), out[:200]
    assert re.search(r"┃ indicateur +┃ +T1 2025 ┃ +T2 2025 ┃", out), out
    code, out, err = cli("forecast", "-w", ws, "--lang", "fr")
    assert code == 0, err
    assert re.search(r"│ juin 2025 \* +│", out) and re.search(r"│ juil\. 2025 +│", out), out


def test_the_dashboard_names_periods_as_the_report_in_each_language():
    from leadpilot.api.dashboard import Filters

    for lang, quarter, month in (("en", "Q2 2025", "Apr 2025"), ("fr", "T2 2025", "avr. 2025")):
        f = Filters("2025-Q2", "previous", "", "", lang)
        assert f.period_text() == quarter == period_name("2025-Q2", lang)
        assert f.period_text("2025-04") == month == period_name("2025-04", lang)
        assert f.period_text("all") == period_name("all", lang)


# ---------------------------------------------------------------- 3. 0 and 1 day
def test_zero_and_one_day_are_singular_in_french(cli, ws):
    args = ("diagnose", "-w", ws, "--current", "2025-Q2", "--previous", "2025-Q1")
    code, out, err = cli(*args, "--lang", "fr")
    assert code == 0, err
    assert (
        "Les plus jeunes leads de la période courante ont 0 jour, moins que le délai médian "
        "lead → client de 30 jours : ils sont comparés" in _text(out)
    ), out
    code, out, _ = cli(*args)
    assert "youngest leads are 0 days old, under the median lead → customer delay of 30 days:" in (
        _text(out)
    )
    fr, en = Formatter("fr"), Formatter("en")
    assert [fr.day_count(v) for v in (0, 1, 1.5, 2)] == ["0 jour", "1 jour", "2 jours", "2 jours"]
    assert fr.day_count(1.5, 1) == "1,5 jour" and en.day_count(1) == "1 day"
    assert en.day_count(0) == "0 days"


def test_one_day_settings_read_in_the_singular():
    """A one-day half-life and a one-day lookback, as the definitions write them."""
    from leadpilot.api.dashboard import _Formatter
    from leadpilot.attribution.definitions import measure_defs
    from leadpilot.attribution.models.time_decay import TimeDecay
    from leadpilot.config import TimeDecayParams
    from leadpilot.reports.labels import label

    rule = TimeDecay(TimeDecayParams(time_decay_half_life_days=1.0)).definition()
    assert "poids 2^(-âge / 1 jour) par point de contact" in rule.fr
    assert "weight 2^(-age / 1 day) per touch" in rule.en
    rule = TimeDecay(TimeDecayParams(time_decay_half_life_days=7.0)).definition()
    assert "2^(-âge / 7 jours)" in rule.fr and "2^(-age / 7 days)" in rule.en
    journey = measure_defs("channel", "revenue", 1, ["visit"])["journey"]
    assert "d'un lead dans le jour précédant sa date de conversion" in journey.fr
    assert "of a lead in the day up to its conversion date" in journey.en
    note = label("immature_note", "fr", days=Formatter("fr").day_count(1))
    assert "délai habituel de closing (1 jour)," in note
    # the dashboard's velocity cards: '0,0 jour', '2,0 jours'
    cards = _Formatter(Formatter("fr"))
    assert [cards.day_word(v) for v in (0.0, 1.0, 1.94, 1.96)] == ["jour"] * 3 + ["jours"]


# ---------------------------------------------------------------- 4. one name for cac
def test_the_report_and_the_dashboard_name_the_cac_as_the_catalog(ws):
    from leadpilot.api.dashboard import _label
    from leadpilot.metrics.catalog import CATALOG

    with leadpilot.open(ws) as lp:
        report = lp.report("2025-Q2")
        doc = lp.kpi_result(kpis=["cac"]).to_json()
    assert CATALOG["cac"].label_fr == "Coût d'acquisition client"
    for lang, name in (("fr", CATALOG["cac"].label_fr), ("en", CATALOG["cac"].label_en)):
        assert _label(doc, "cac", lang) == name  # the dashboard's cards and table
        escaped = name.replace("'", "&#39;")
        assert f"<dt>{escaped}</dt>" in report.html(lang)
    assert "Coût par client" not in report.html("fr")
    assert "Cost per customer" not in report.html("en")


# ---------------------------------------------------------------- 5. dates as dates
def test_a_deal_created_before_its_lead_reads_dates_as_dates(cli, ws):
    args = ("diagnose", "-w", ws, "--current", "2025-Q2", "--previous", "2025-Q1")
    code, out, err = cli(*args, "--lang", "fr")
    assert code == 0, err
    assert (
        "2 affaire(s) ont été créées avant leur lead, par exemple l'affaire D90 du lead L90, "
        "créée le 2 mars 2025 (lead créé le 4 mars 2025) : leurs durées" in _text(out)
    ), out
    code, out, _ = cli(*args)
    assert (
        "e.g. deal D90 of lead L90, created Mar 2, 2025 (lead created Mar 4, 2025): their "
        "durations" in _text(out)
    ), out


def test_the_same_day_is_written_to_the_minute():
    from leadpilot.diagnostics.quality import _dates

    deal, lead = _dates(datetime(2025, 3, 4, 8, 0, 12, 345), datetime(2025, 3, 4, 10, 30))
    fr = Formatter("fr")
    assert (deal.text(fr), lead.text(fr)) == ("4 mars 2025, 08:00", "4 mars 2025, 10:30")
    deal, lead = _dates("2025-03-02 00:00:00", "2025-03-04 00:00:00.000001")
    assert (deal.text(fr), lead.text(fr)) == ("2 mars 2025", "4 mars 2025")


def test_the_ingest_says_in_french_which_rows_precede_their_lead(cli, data, tmp_path):
    code, out, err = cli("ingest", str(data), "-w", str(tmp_path / "ws"), "--lang", "fr")
    assert code == 0, err
    assert (
        "attention : deals : 2 ligne(s) : affaire datée avant la création de son lead : gardée "
        "et comptée ; la vélocité écarte les durées qui seraient négatives (vérifiez les dates "
        "de l'export) (par ex. deals.csv ligne 8 : created_at 2025-03-02 08:00:00 (lead créé le "
        "2025-03-04 10:30:00) ; deals.csv ligne 9 : created_at 2025-03-03 (lead créé "
        "le 2025-03-05))" in _text(out)
    ), out
    # the summary's counts, with French spaces before ':' and ';'
    assert "Leads fusionnés : 0 ; exclus par" in _text(out), out


def test_the_ingest_says_in_french_which_attributes_it_renamed(cli, tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "leads.csv").write_text(
        "lead_id,created_at,Revenue\nL1,2025-01-01,1200000\n"
    )
    code, out, err = cli("ingest", str(tmp_path / "src"), "-w", str(tmp_path / "ws"),
                         "--lang", "fr")  # fmt: skip
    assert code == 0, err
    assert (
        "leads.csv : attribut(s) de lead enregistré(s) sous un autre nom : 'Revenue' sous "
        "'revenue_attribute' : leadpilot calcule lui-même revenue (pour chaque lead, ou dans "
        "ses résultats) ; regroupez ou filtrez par le nouveau nom (kpis --by "
        "revenue_attribute), ou renommez la colonne dans l'export"
    ) in _text(out), out


def test_ambiguous_numbers_and_mixed_date_orders_in_french(cli, tmp_path):
    corpus = Path(__file__).parent / "corpus"
    code, out, err = cli("ingest", str(corpus / "v_dot_thousands_comma_file"),
                         "-w", str(tmp_path / "a"), "--lang", "fr")  # fmt: skip
    assert code != 0
    said = _text(out + err)
    assert (
        "attendu : un nombre dont on peut dire le séparateur décimal : rien dans le fichier ne "
        "dit si '1,250' vaut 1250 ou 1,25 (ni si '1.054' vaut 1054 ou un peu plus de 1) ; "
        "correction : dites comment le fichier écrit ses nombres : decimal: ',' sur cette "
        "source dans leadpilot.yaml si '1,250' vaut 1,25 et '1.054' vaut 1054"
    ) in said, said
    mixed = corpus / "v_dates_two_orders_mixed_quarantine"
    code, out, err = cli("ingest", str(mixed), "-w", str(tmp_path / "b"),
                         "--policy", "quarantine", "--lang", "fr")  # fmt: skip
    assert code == 0, err
    said = _text(out)
    assert (
        "la colonne 'created_at' mêle deux ordres de date : 4 valeur(s) lisibles seulement "
        "mois d'abord (%m/%d/%Y), 3 seulement jour d'abord (%d/%m/%Y) ; lue mois d'abord"
    ) in said, said
    assert "mêle des dates mois d'abord (%m/%d/%Y) et jour d'abord (%d/%m/%Y), et celle-ci" in said


def test_the_ingest_says_in_french_which_stages_are_out_of_order(cli, tmp_path):
    # three leads whose customer stage comes before their MQL: days and a time of day
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "leads.csv").write_text(
        "lead_id,created_at,email\nL1,2025-01-01,a@x.com\nL2,2025-01-01,b@x.com\n"
        "L3,2025-01-01,c@x.com\n"
    )
    (tmp_path / "src" / "stage_events.csv").write_text(
        "lead_id,stage,ts\nL1,customer,2025-01-10\nL1,mql,2025-02-01\n"
        "L2,customer,2025-01-11 09:30:00\nL2,mql,2025-02-02\nL3,customer,2025-01-12\n"
        "L3,mql,2025-02-03\n"
    )
    code, out, err = cli("ingest", str(tmp_path / "src"), "-w", str(tmp_path / "ws"),
                         "--lang", "fr")  # fmt: skip
    assert code == 0, err
    assert (
        "attention : stage_events : 3 ligne(s) : historique des étapes dans le désordre : une "
        "étape ultérieure datée avant une étape précédente (gardée et comptée ; la vélocité "
        "écarte les durées négatives) (par ex. stage_events.csv ligne 2 : étape customer le "
        "2025-01-10 ; stage_events.csv ligne 4 : étape customer le 2025-01-11 09:30:00 ; "
        "stage_events.csv ligne 6 : étape customer le 2025-01-12)"
    ) in _text(out), out


# ---------------------------------------------------------------- 6. notes in French
def test_the_kpis_notes_on_channels_without_spend_in_french(cli, ws):
    code, out, err = cli("kpis", "-w", ws, "--by", "channel", "--lang", "fr")
    assert code == 0, err
    text = _text(out)
    assert (
        "note : aucune dépense ne nomme les canaux direct (8 leads), seo (11 leads) : leurs "
        "indicateurs de coût sont vides (–), pas nuls (les sources organiques n'en ont pas "
        "besoin)" in text
    ), out
    assert (
        "note : aucune ligne de spend enregistrée pour 2 groupe(s) (channel=direct, "
        "channel=seo) : spend, cpl y sont vides (–), pas nuls (une ligne de spend enregistrée "
        "à 0 donne 0)" in text
    ), out
    assert "no spend" not in text and "recorded" not in text


def test_the_forecast_notes_in_french(cli, ws):
    code, out, err = cli("forecast", "-w", ws, "--lang", "fr")
    assert code == 0, err
    assert (
        "note : seulement 6 affaire(s) clôturée(s) pour apprendre les taux de gain et les "
        "délais" in _text(out)
    ), out


def test_the_forecast_with_nothing_to_forecast_in_french():
    from leadpilot.diagnostics.forecast import _nothing_note
    from leadpilot.i18n import message_in

    now = datetime(2025, 5, 5)
    assert message_in(_nothing_note(0, 0, 0, now), "fr") == (
        "rien à prévoir : aucune affaire n'est ouverte et aucun lead n'est dans l'entonnoir "
        "(créé dans les 180 jours avant le 2025-05-05, sans affaire, ni disqualifié ni rejeté) "
        "; chaque mois vaut 0, sans intervalle"
    )
    assert message_in(_nothing_note(2, 1, 0, now), "fr").startswith(
        "rien à prévoir : aucune affaire gagnée n'a de montant"
    )
    assert message_in(_nothing_note(2, 1, 3, now), "fr").startswith(
        "rien à prévoir : l'historique ne contient aucun gain pour des affaires ou des leads "
        "comme les 2 affaire(s) ouverte(s) et les 1 lead(s) de l'entonnoir"
    )


@pytest.fixture
def export(tmp_path) -> Path:
    """A European CRM export: ';' and decimal commas, a channel written 'Unknown', a deal
    in dollars the workspace cannot convert, an amount written with its euro sign."""
    folder = tmp_path / "export"
    folder.mkdir()
    files = {
        "leads": "lead_id;created_at;channel\nL1;2025-03-04;seo\nL2;2025-03-05;Unknown\n"
        "L3;2025-04-05;\nL4;2025-05-05;ads\n",
        "deals": "deal_id;lead_id;created_at;status;closed_at;amount;currency\n"
        "D1;L1;2025-03-06;won;2025-03-09;1200,50;EUR\nD2;L2;2025-03-06;won;2025-04-10;100,25;USD\n",
        "spend": "date;channel;amount\n2025-03-01;ads;1200,50\n2025-04-01;ads;€1.200,50\n",
    }
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def test_the_ingest_notes_on_numbers_money_and_channels_in_french(cli, export, tmp_path):
    ws = str(tmp_path / "ws")
    code, out, err = cli("ingest", str(export), "-w", ws, "--lang", "fr", "--policy", "quarantine")
    assert code == 0, err
    text = _text(out)
    assert (
        "note : deals.csv : nombres lus avec ',' comme séparateur décimal (d'après des valeurs "
        "comme '1200,50') ; indiquez decimal: '.' sur cette source si ce n'est pas le cas" in text
    ), out
    assert (
        "attention : leads : 1 lead(s) portent le canal 'unknown' tel qu'écrit ('Unknown' dans "
        "leads.csv, colonne 'channel') et 1 n'ont aucun canal (vide, sans balise UTM ni référent "
        "qui en nomme un) : tous sont comptés sous le canal 'unknown'. Pour garder à part ceux "
        "qui l'écrivent, associez-les sur leur source dans leadpilot.yaml, par ex. values: "
        "{channel: {Unknown: unknown_in_crm}}" in text
    ), out
    assert (
        "attention : aucune dépense ne nomme les canaux seo (1 lead), unknown (2 leads) : leurs "
        "indicateurs de coût sont vides (–), pas nuls (les sources organiques n'en ont pas "
        "besoin)" in text
    ), out
    assert (
        "mises de côté deals : 1 × attendu EUR (la devise de l'espace de travail) ou une devise "
        "ayant un taux dans ingest.currency_rates (connues : EUR)" in text
    ), out
    code, out, err = cli("quarantine", "-w", ws, "--lang", "fr")
    assert code == 0, err
    text = _text(out)
    assert (
        "correctif : déclarez son taux vers la devise de l'espace de travail dans "
        "leadpilot.yaml, par ex. ingest.currency_rates: {USD: 0.92} ; ou, si tous les montants "
        "de l'espace de travail sont dans cette devise, faites-en la sienne (currency: dans "
        "leadpilot.yaml) (1 problème(s))" in text
    ), out
    assert (
        "correctif : écrit comme une somme d'argent ('€1.200,50') : indiquez money: [amount] "
        "sur cette source dans leadpilot.yaml pour lire les symboles et codes de devise et les "
        "suffixes K / M (1 problème(s))" in text
    ), out
    for english in ("numbers read", "have the channel", "no spend", "workspace currency",
                    "declare its rate", "written as money", "problem(s)"):  # fmt: skip
        assert english not in text, english


def test_the_spend_and_channel_sentences_in_french():
    """The reconciliation's other sentences (spend naming what no lead names, a range of
    dates, 'did you mean'), and a division by zero, as the engine words them."""
    from leadpilot.i18n import message_in

    cases = {
        "spend from 2025-01-01 to 2025-03-31 names channel 'emial' (1,200.00 over 12 row(s)) "
        "but no lead has it: its spend joins no lead, so the cost KPIs of the leads it paid "
        "for miss it; did you mean 'email' or 'e-mail'?":
        "les dépenses du 2025-01-01 au 2025-03-31 nomment le canal 'emial' (1\u202f200,00 sur 12 "
        "ligne(s)) mais aucun lead ne le porte : ces dépenses ne se rattachent à aucun lead, "
        "les indicateurs de coût des leads qu'elles ont payés les ignorent ; vouliez-vous dire "
        "'email' ou 'e-mail' ?",
        "spend names 5 campaign values that no lead names (largest: 'a', 'b', 'c'; "
        "3,000.00 in all): that spend joins no lead, so cost KPIs by campaign miss it":
        "les dépenses nomment 5 valeurs de campagne qu'aucun lead ne porte (les plus "
        "fortes : 'a', 'b', 'c' ; 3\u202f000,00 au total) : ces dépenses ne se rattachent à aucun "
        "lead, les indicateurs de coût par campagne les ignorent",
        "spend from 2025-01-01 to 2025-03-31 names 4 channel values that no attribution touch "
        "names (largest: 'a', 'b', 'c'; 3,000.00 in all): that spend earns no credit, so the "
        "models' cost figures miss it":
        "les dépenses du 2025-01-01 au 2025-03-31 nomment 4 valeurs de canal qu'aucun point de "
        "contact d'attribution ne porte (les plus fortes : 'a', 'b', 'c' ; 3\u202f000,00 au "
        "total) : ces dépenses ne reçoivent aucun crédit, les coûts des modèles les ignorent",
        "3 leads of channel 'webinar' but no spend up to 2025-03-31 names it: its cost KPIs "
        "are null (–), not 0; did you mean 'webinars'?":
        "3 lead(s) du canal 'webinar' mais aucune dépense jusqu'au 2025-03-31 ne le nomme : ses "
        "indicateurs de coût sont vides (–), pas nuls ; vouliez-vous dire 'webinars' ?",
        "cpl: null where leads = 0 (division by zero)":
        "cpl : vide là où leads = 0 (division par zéro)",
    }  # fmt: skip
    for english, french in cases.items():
        assert message_in(english, "fr") == french
        assert message_in(english, "en") == english


def test_retention_headers_in_french(cli, ws):
    """Retention's cohorts and months were headed 'cohort', 'month_0' in French."""
    code, out, err = cli("retention", "-w", ws, "--lang", "fr", "--months", "2")
    assert code == 0, err
    assert "┃ cohorte ┃ leads ┃ mois 0 ┃" in _text(out) and "month_0 ┃" not in _text(out)
    code, out, err = cli("retention", "-w", ws, "--months", "2")
    assert "┃ cohort ┃ leads ┃ month 0 ┃" in _text(out) and "month_0 ┃" not in _text(out)


def test_attribution_notes_in_french():
    """The notes on conversions without touches and on values without spend were English
    under --lang fr (with or without a range of dates); numbers read as French writes them."""
    from leadpilot.i18n import message_in

    not_credited = (
        "3 conversion(s) from 2025-01-01 to 2025-03-31 (revenue 33,440.00) had no attribution "
        "touch in the 90 days before; they are not credited"
    )
    assert message_in(not_credited, "fr") == (
        "3 conversion(s) du 2025-01-01 au 2025-03-31 (chiffre d'affaires 33\u202f440,00) sans "
        "point de contact d'attribution dans les 90 jours précédents : elles ne sont pas créditées"
    )
    not_recorded = (
        "no spend recorded up to 2025-03-31 for 5 campaign value(s) (a, b, c and 2 more): their "
        "spend, cost per conversion, ROAS and ROI are null (–), not 0"
    )
    assert message_in(not_recorded, "fr") == (
        "aucune dépense enregistrée jusqu'au 2025-03-31 pour 5 valeur(s) de campagne (a, b, c et "
        "2 autres) : leurs dépenses, coût par conversion, ROAS et ROI sont vides (–), pas nuls"
    )


@pytest.mark.parametrize(
    "case, french, english",
    [
        ("unknown_lead", "un lead_id présent dans la table des leads", "present in the leads"),
        ("negative_spend", "une dépense >= 0 (un coût négatif", "a negative cost"),
        ("duplicate_key", "une clé unique (déjà ligne 3)", "a unique key"),
    ],
)
def test_the_quarantine_reasons_of_an_ingest_in_french(cli, tmp_path, case, french, english):
    source = Path(__file__).parent / "data" / "bad" / case
    ws = tmp_path / "ws"
    code, out, err = cli("ingest", str(source), "-w", str(ws), "--lang", "fr",
                         "--policy", "quarantine")  # fmt: skip
    flat = " ".join((out + err).split())
    assert code == 0, err
    assert "(politique : quarantine)" in flat  # French typography
    assert french in flat and english not in flat
    code, out, err = cli("quarantine", "-w", str(ws), "--lang", "fr")
    flat = " ".join((out + err).split())
    assert "correctif :" in flat and english not in flat
    assert not re.search(r"correctif : [a-z]+ the ", flat)  # the fix is French too


def test_a_folder_without_canonical_file_is_said_in_french(cli, tmp_path):
    code, out, err = cli("ingest", str(tmp_path), "-w", str(tmp_path / "ws"), "--lang", "fr")
    assert code != 0
    assert "aucun fichier canonique trouvé (attendu l'un de leads.csv" in " ".join(err.split())


def test_the_funnel_and_sources_tables_name_stages_and_dimensions_in_french(cli, ws):
    code, out, err = cli("funnel", "-w", ws, "--lang", "fr")
    assert code == 0, err
    text = _text(out)
    for name in ("Opportunité", "Client", "Rejetés par les ventes (sortie)"):
        assert name in text, text
    assert not re.search(r"│ (opportunity|customer) ", text), text
    assert "acceptation dans l'ensemble : " in text and "acceptation tous" not in text, text
    code, out, err = cli("funnel", "-w", ws)  # English keeps the codes JSON writes
    assert "│ customer " in out and "acceptance overall: " in _text(out), out
    code, out, err = cli("sources", "-w", ws, "--lang", "fr")
    assert code == 0, err
    assert "Répartition des sources de leads par canal" in _text(out), out


def test_a_detected_date_layout_is_said_in_french(cli, tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "leads.csv").write_text("lead_id,created_at\nL1,13.01.2025\n")
    code, out, err = cli("ingest", str(tmp_path / "src"), "-w", str(tmp_path / "ws"),
                         "--lang", "fr")  # fmt: skip
    assert code == 0, err
    assert "leads.csv : colonne 'created_at' lue en dates jour d'abord (%d.%m.%Y) (d'après ses " \
        "valeurs)" in _text(out), out


def test_the_french_diagnosis_names_each_kpi_as_the_catalog(cli, ws):
    """`diagnose --by channel --lang fr` listed the KPIs by their codes ('cpl',
    'avg_deal_size'): French names them as the catalog does, as the report and the
    dashboard; English and the JSON keep the codes."""
    from leadpilot.metrics.catalog import CATALOG

    args = ("diagnose", "-w", ws, "--current", "2025-Q2", "--previous", "2025-Q1",
            "--by", "channel")  # fmt: skip
    code, out, err = cli(*args, "--lang", "fr")
    assert code == 0, err
    for name in ("cpl", "avg_deal_size", "lead_to_customer", "revenue"):
        assert re.search(rf"│ {re.escape(CATALOG[name].label_fr)} +│", out), (name, out)
        assert not re.search(rf"│ {name} +│", out), (name, out)
    code, out, err = cli(*args, "--lang", "fr", "--format", "markdown")
    assert code == 0, err
    assert "| canal | indicateur |" in out and "| Coût par lead |" in out and "| cpl |" not in out
    code, out, _ = cli(*args)  # English: the codes JSON writes
    assert re.search(r"│ cpl +│", out) and "Cost per lead" not in out
    code, out, _ = cli(*args, "--lang", "fr", "-f", "json")
    assert {r["kpi"] for r in json.loads(out)["rows"]} >= {"cpl", "avg_deal_size"}


def test_attribution_of_a_path_file_in_french(cli, tmp_path):
    """`attribution --paths --lang fr` kept English: the conversion '(customer)' in the
    titles, 'path file ... (separator ...)' as the source, the note on the models a path
    file cannot feed. JSON and CSV do not change with the language."""
    paths = tmp_path / "paths.csv"
    paths.write_text("path,total_conversions,total_conversion_value,total_null\n"
                     "email > paid_search,20,2000,10\npaid_search,15,1500,40\n"
                     "seo > email > direct,8,900,5\ndirect,5,400,60\n")  # fmt: skip
    for models in ("all", "markov"):
        args = ("attribution", "--paths", str(paths), "-w", str(tmp_path), "-m", models)
        code, out, err = cli(*args, "--lang", "fr")
        assert code == 0, err
        text = _text(out)
        title = ("Conversions attribuées et part par modèle (conversions du fichier de "
                 "parcours)" if models == "all"
                 else "Attribution — markov (conversions du fichier de parcours)")  # fmt: skip
        assert title in text, text
        # a path file's values are in its own unit: no currency
        assert "Source : fichier de parcours paths.csv (séparateur ' > '). Définitions :" \
            in text, text
        for english in ("(customer)", "path file", "separator", "not computed", "they need"):
            assert english not in text, (english, text)
        if models == "all":
            assert "note : non calculés à partir d'un fichier de parcours (il leur faut l'heure " \
                "des points de contact ou les dates d'étape) : time_decay, position_based" in text
        code, en, _ = cli(*args)
        assert "(the path file's conversions)" in en and "(customer)" not in en
        assert "Source: path file paths.csv (separator ' > ')" in _text(en)
        for fmt in ("json", "csv"):
            assert cli(*args, "-f", fmt)[1] == cli(*args, "-f", fmt, "--lang", "fr")[1]
