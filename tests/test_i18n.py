"""Languages: values formatted for the reader with Babel; unknown languages refused."""

from __future__ import annotations

import pytest

from leadpilot.errors import UsageError
from leadpilot.i18n import FRENCH, Formatter, check_language, tr

NNBSP, NBSP = "\u202f", "\xa0"


def test_french_amounts_numbers_and_rates():
    f = Formatter("fr", "EUR")
    assert f.money(1234567.89, digits=2) == f"1{NNBSP}234{NNBSP}567,89{NBSP}€"
    assert f.money(1234567.89) == f"1{NNBSP}234{NNBSP}568{NBSP}€"
    assert f.number(1583) == f"1{NNBSP}583"
    assert f.percent(0.074) in (f"7,4{NNBSP}%", f"7,4{NBSP}%")  # French typography
    assert f.date("2026-12-05") == "5 déc. 2026"


def test_english_and_the_workspace_currency():
    f = Formatter("en", "USD")
    assert f.money(1234567.89) == "$1,234,568"
    assert f.money(12.5) == "$12.50"
    assert f.number(1583) == "1,583" and f.percent(0.074) == "7.4%"
    assert Formatter("fr", "USD").money(10.0).endswith("$US")  # never a € for dollars


def test_missing_values_are_a_dash():
    f = Formatter("fr")
    assert f.value(None, "fraction") == f.money(None) == f.days(None) == "–"


@pytest.mark.parametrize("lang", ["de", "english", "FR-fr"])
def test_unknown_language_is_an_error(lang):
    with pytest.raises(UsageError, match="expected one of en, fr"):
        check_language(lang)


def test_translations_fall_back_to_english():
    assert tr("Funnel", "fr") == "Entonnoir" and tr("Funnel", "en") == "Funnel"
    assert tr("an untranslated sentence", "fr") == "an untranslated sentence"
    assert all(v and v.strip() for v in FRENCH.values())


def test_the_ingest_s_notes_on_defaulted_values_in_french():
    """The note a '*' mapping leaves (a French Salesforce's open stages), as the ingest
    words it, then in French; a value that reads like an outcome is a warning, also."""
    from leadpilot.config import SourceSpec
    from leadpilot.i18n import message_in
    from leadpilot.sources.typing import default_notes

    spec = SourceSpec(table="deals", path="deals.csv", values={"status": {"*": "open"}})
    caught = {("status", "Étape"): {"Qualification": 398, "Fermée gagnée": 3}}
    (warning,), _ = default_notes("deals", caught, spec)
    french = message_in(warning, "fr")
    assert french.startswith(
        "deals : les valeurs de 'Étape' absentes de values.status sont devenues 'open' par "
        "'*' : 'Qualification' (398), 'Fermée gagnée' (3) ; 'Fermée gagnée' ressemble(nt) à "
        "une issue : associez-la dans leadpilot.yaml (values: {status: {'Fermée gagnée': "
        "won}}) si c'en est une"
    ), french
    assert message_in(warning, "en") == warning


def test_the_unmeasured_acceptance_notes_in_french():
    """The funnel's and the KPIs' notes when no sales acceptance was recorded, as worded
    from the catalog (a rewording there shows here, not as English under --lang fr)."""
    from leadpilot.i18n import message_in
    from leadpilot.metrics.catalog import CATALOG

    why = CATALOG["mql_to_sal"].unmeasured
    for english, start in [
        (f"acceptance not measured anywhere: {why}", "l'acceptation n'est mesurée nulle part"),
        (f"acceptance not measured in 2 of 5 group(s): {why}",
         "acceptation non mesurée dans 2 groupe(s) sur 5"),
        (f"mql_to_sal is null where {why}", "mql_to_sal est vide : aucun événement"),
    ]:  # fmt: skip
        french = message_in(english, "fr")
        assert french.startswith(start), french
        assert "recorded" not in french and french.endswith("des ventes pour la mesurer")


def test_a_crm_only_workspace_s_messages_in_french(tmp_path):
    """A CRM export without touchpoints (the French Salesforce case): attribution's error
    and retention's note, as the engine words them, read in French."""
    import leadpilot
    from leadpilot.errors import MissingDataError
    from leadpilot.i18n import error_text, message_in

    src = tmp_path / "src"
    src.mkdir()
    (src / "leads.csv").write_text(
        "lead_id,created_at,channel\nL1,2025-01-02,seo\nL2,2025-01-03,events\n",
        encoding="utf-8",
    )
    (src / "deals.csv").write_text(
        "deal_id,lead_id,created_at,status,closed_at,amount\nD1,L1,2025-01-10,won,2025-02-01,100\n",
        encoding="utf-8",
    )
    with leadpilot.open(tmp_path / "ws", create=True) as lp:
        lp.ingest(src)
        (note,) = [w for w in lp.retention_result().warnings if "touchpoints" in w]
        with pytest.raises(MissingDataError) as caught:
            lp.attribution_result()
    assert message_in(note, "fr").startswith("aucune interaction chargée : la rétention")
    french = error_text(caught.value, "fr")
    assert french.startswith("l'attribution crédite les interactions (table touchpoints")
    assert french.endswith("donne le chiffre d'affaires par canal d'origine du lead")


def test_the_leakage_warning_in_french():
    from leadpilot.i18n import message_in

    english = (
        "features that alone predict the outcome almost perfectly (leakage suspects): "
        "company_size (value '(missing)': 100.0% of its 426 leads did not convert (25% of "
        "all those who did)); email (a value: 99.0% of its 1,200 leads converted (80% of all "
        "those who did); alone it separates converters from the others with AUC 0.991). "
        "Exclude them with scoring.model.exclude unless their value is known before sales "
        "qualify the lead, then retrain."
    )
    assert message_in(english, "fr") == (
        "variables qui prédisent presque parfaitement l'issue à elles seules (fuite "
        "suspectée) : company_size (la valeur '(missing)' : 100,0\u00a0% de ses 426 leads "
        "n'ont pas converti (25\u00a0% de tous les non-convertis)); email (une valeur : "
        f"99,0\u00a0% de ses 1{NNBSP}200 leads ont converti (80\u00a0% de tous les convertis) ; "
        "à elle seule, elle sépare "
        "les convertis des autres avec une AUC de 0,991). Excluez-les avec "
        "scoring.model.exclude, "
        "sauf si leur valeur est connue avant que les ventes ne qualifient le lead, puis "
        "relancez l'apprentissage."
    )


def test_a_translated_note_writes_its_numbers_the_french_way():
    from leadpilot.i18n import message_in

    note = (
        "spend from 2025-01-01 to 2025-03-31 names 4 channel values that no lead names "
        "(largest: 'x1,250.5', 'b'; 12,345.50 in all): that spend joins no lead, so cost KPIs "
        "by channel miss it"
    )
    french = message_in(note, "fr")
    assert french != note  # a sentence the patterns know
    assert f"12{NNBSP}345,50" in french and "4 valeurs" in french
    assert "'x1,250.5'" in french  # a value quoted as written stays as written
    assert "du 2025-01-01 au 2025-03-31" in french  # a date is no number
    assert message_in(note, "en") == note


@pytest.mark.parametrize(
    "text, french",
    [
        ("1,200.00 over 12 row(s)", f"1{NNBSP}200,00 over 12 row(s)"),
        ("0.25 and 12.5% and 1,234,567", f"0,25 and 12,5% and 1{NNBSP}234{NNBSP}567"),
        # not numbers: dates, times, versions, names, keys; quoted values
        ("2025-01-01 10:30:00.250", "2025-01-01 10:30:00.250"),
        ("leadpilot 0.1.0, v1.5, export_1.5.csv, L1,234", None),
        ("ingest.max_amount (1,000,000)", f"ingest.max_amount (1{NNBSP}000{NNBSP}000)"),
        ("'a 1.5' \"3.14\" `2.5` 3.5", "'a 1.5' \"3.14\" `2.5` 3,5"),
        # configuration to copy stays as YAML reads it
        ("e.g. ingest.currency_rates: {USD: 0.92} or [1.5, 2.5]", None),
        # a French apostrophe quotes nothing
        ("l'espace d'acquisition 1,200.50", f"l'espace d'acquisition 1{NNBSP}200,50"),
    ],
)
def test_numbers_of_an_english_message_in_french(text, french):
    from leadpilot.i18n import numbers_fr

    assert numbers_fr(text) == (text if french is None else french)


def test_a_refusal_counts_its_problems_as_each_language_writes_numbers():
    from leadpilot.errors import Problem, ValidationError
    from leadpilot.i18n import error_text

    problem = Problem(table="deals", file="deals.csv", row=2, column="amount", value="1.054",
                      expected="a number")  # fmt: skip
    exc = ValidationError([problem], total=2381)
    assert str(exc).startswith("2,381 problem(s); nothing was loaded.")
    assert "(and 2,380 more problem(s) in deals.csv)" in str(exc)
    french = error_text(exc, "fr")
    assert french.startswith("2\u202f381 problème(s) ; rien n'a été chargé."), french
    assert "(et 2\u202f380 autre(s) problème(s) dans deals.csv)" in french


def test_an_unfinished_period_note_in_french():
    """diagnose's note on a period not over stayed English on a French page."""
    from leadpilot.i18n import message_in

    note = (
        "2026-Q1 is not over (data as of 2026-03-30): both periods are cut at the same day "
        "of the period (2025-Q4 up to 2025-12-29)"
    )
    assert message_in(note, "fr") == (
        "T1 2026 n'est pas terminé (données au 2026-03-30) : les deux périodes sont coupées "
        "au même jour de la période (T4 2025 jusqu'au 2025-12-29)"
    )


@pytest.mark.parametrize(
    "english, french",
    [
        ("days_to_mql: 1,819 duration(s) left out: MQL dated before the lead's creation",
         "days_to_mql : 1\u202f819 durée(s) écartée(s) : date du MQL antérieure à la création "
         "du lead"),
        ("customer_by_day_<N>: 317 lead(s) left out: won deal (customer) dated before the "
         "lead's creation",
         "customer_by_day_<N> : 317 lead(s) écarté(s) : date de l'affaire gagnée (client) "
         "antérieure à la création du lead"),
        ("--kpi all in the activity view leaves out engagement_rate: cohort KPIs (leads engaged "
         "within the window after their creation); see them with --view cohort",
         "--kpi all dans la vue activité écarte engagement_rate : indicateurs de cohorte (leads "
         "engagés dans la fenêtre qui suit leur création) ; voyez-les avec --view cohort"),
    ],
)  # fmt: skip
def test_velocity_and_kpi_all_notes_in_french(english, french):
    from leadpilot.i18n import message_in

    assert message_in(english, "fr") == french


def test_nothing_is_written_without_cents():
    """Zero-lead groups read '$0.00' beside '$328,510' in the same column."""
    en, fr = Formatter("en", "USD"), Formatter("fr", "EUR")
    assert en.money(0) == "$0" and en.money(12.5) == "$12.50" and en.money(328510) == "$328,510"
    assert fr.money(0).replace("\u00a0", " ") == "0 €"


def test_every_reason_of_the_leakage_guard_reads_in_french():
    """Each name rule of the guard says what the column's name reads as, in French too."""
    from leadpilot.i18n import message_in
    from leadpilot.scoring.guard import NAME_RULES

    for _, what, _ in NAME_RULES:
        french = message_in(f"the name reads as {what}", "fr")
        assert french.startswith("le nom désigne ") and "reads as" not in french, what
