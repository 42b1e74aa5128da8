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
