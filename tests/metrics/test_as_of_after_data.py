"""An as-of date after the data's last event is said: the days between count as observed
(open leads read as not converted through them, young cohorts lose their immature flag),
which is what the data shows only if the export was taken that late."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import build, write_config

import leadpilot
from leadpilot.i18n import message_in


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("as-of")
    src = build(root / "src", [{"channel": "seo", "n": 10, "mql": 5, "customers": 2,
                                "month": "2025-03"}])  # fmt: skip
    path = write_config(root / "ws").parent
    with leadpilot.open(path) as lp:
        lp.ingest(src)
    return path


def _said(result) -> list:
    return [n for n in result.meta.notices if n.code == "as_of_after_data"]


def test_a_date_after_the_data_is_said_by_every_analysis(ws):
    with leadpilot.open(ws) as lp:
        end = lp.data_as_of().date()
        later = date(end.year + 1, end.month, 1)
        gap = (later - end).days
        for analysis in (lp.kpi_result, lp.funnel_result, lp.velocity_result,
                         lp.retention_result, lp.content_result):  # fmt: skip
            (note,) = _said(analysis(as_of=later))
            assert note.data == {"as_of": later.isoformat(), "data_end": end.isoformat(),
                                 "days": gap}, analysis.__name__  # fmt: skip
            assert str(note).startswith(f"--as-of {later.isoformat()} is {gap:,} day(s) after")
        # on or before the data's end, and by default: nothing to say
        for as_of in (end, date(end.year, end.month, 1), None):
            assert not _said(lp.kpi_result(as_of=as_of)), as_of


def test_the_note_in_french_and_in_the_cli(ws, cli):
    code, out, _ = cli("kpis", "-w", str(ws), "--as-of", "2030-01-31", "--lang", "fr")
    assert code == 0
    flat = " ".join(out.split())
    assert "--as-of 2030-01-31 tombe" in flat and "jour(s) après le dernier événement" in flat
    english = ("--as-of 2030-01-31 is 1,762 day(s) after the data's last event (2025-03-25): "
               "those days count as observed (leads still open read as not converted through "
               "them, cohorts as older and mature); if the export was taken earlier, give its "
               "date or leave --as-of out")  # fmt: skip
    assert message_in(english, "fr").startswith(
        "--as-of 2030-01-31 tombe 1\u202f762 jour(s) après le dernier événement des données "
        "(2025-03-25) : ces jours comptent comme observés"
    )
