"""Every label of the report exists in English and in French, and a rendered report in
one language holds no text of the other (the test fails on any untranslated label)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from texts import reader_texts, untranslated

from leadpilot.reports import labels
from leadpilot.reports.labels import CAVEATS, GAPS, LABELS, NOTICES, SEVERITY
from leadpilot.results.notices import CODES

TEMPLATES = Path(labels.__file__).parent / "templates"


def test_every_label_has_both_languages():
    for table in (LABELS, GAPS, CAVEATS, SEVERITY, NOTICES):
        for key, text in table.items():
            assert text.en.strip() and text.fr.strip(), key
            # the same placeholders in both languages
            assert set(re.findall(r"\{(\w+)\}", text.en)) == set(
                re.findall(r"\{(\w+)\}", text.fr)
            ), key


def test_an_unknown_label_is_an_error_not_a_key_on_the_page():
    with pytest.raises(KeyError):
        labels.label("no_such_label", "fr")


def test_the_template_asks_only_for_labels_that_exist():
    used = set(re.findall(r"t\('(\w+)'\)", (TEMPLATES / "report.html.j2").read_text()))
    assert used and used <= set(LABELS)


def test_every_notice_code_a_report_can_show_is_translated():
    assert set(NOTICES) <= set(CODES)
    shown = set(CODES) - {"note", "activity_rates", "kaplan_meier_cohort_only",
                          "kpis_left_out", "columns_missing", "features_missing", "no_scoring",
                          "bands_recomputed",
                          "over_capacity", "target_unreachable", "acceptance_from_sql",
                          "leakage_suspects", "path_file_models", "exclude_unknown"}  # fmt: skip
    assert shown <= set(NOTICES), shown - set(NOTICES)


def _data_values(report) -> set[str]:
    """The data's own words that a report shows as they are (channel display names)."""
    d = report.data
    names = {str(r.get("channel")) for r in (d.channels.rows if d.channels else [])}
    return names | set(d.channel_labels.values())


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_untranslated_text_in_the_demo_report(demo_report, lang):
    html = demo_report.html(lang)
    assert len(reader_texts(html)) > 300
    assert untranslated(html, lang, _data_values(demo_report)) == []


def test_the_checker_catches_an_untranslated_label(demo_report):
    html = demo_report.html("fr").replace(">Entonnoir de conversion<", ">Funnel<", 1)
    assert any("'Funnel'" in p for p in untranslated(html, "fr"))
    html = demo_report.html("en").replace("What to do", "Que faire", 1)
    assert any("Que faire" in p for p in untranslated(html, "en"))
    html = demo_report.html("fr").replace("Que faire", "Que faire with the team", 1)
    assert any("with" in p for p in untranslated(html, "fr"))
