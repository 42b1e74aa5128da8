"""A count of durations left out (a won deal dated before its lead's creation) says which
leads it counts when a range is given: diagnose printed two such notes for one KPI, one per
period, with nothing to tell which period each count was of."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import write_config

import leadpilot
from leadpilot.i18n import message_in

# January: one lead won before its creation (J1); February: two (F1, F2); F3 and J2 won
# consistently; M1 (March) carries the data past February, so February is over.
LEADS = (
    "lead_id,created_at,channel\nJ1,2025-01-10,x\nJ2,2025-01-11,x\n"
    "F1,2025-02-10,x\nF2,2025-02-11,x\nF3,2025-02-12,x\nM1,2025-03-05,x\n"
)
DEALS = (
    "deal_id,lead_id,created_at,status,closed_at,amount\n"
    "D1,J1,2025-01-02,won,2025-01-05,100\nD2,J2,2025-01-12,won,2025-01-20,100\n"
    "D3,F1,2025-02-01,won,2025-02-03,100\nD4,F2,2025-02-01,won,2025-02-04,100\n"
    "D5,F3,2025-02-13,won,2025-02-20,100\nD6,M1,2025-03-06,won,2025-03-09,100\n"
)


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("left-out")
    src = root / "src"
    src.mkdir()
    (src / "leads.csv").write_text(LEADS)
    (src / "deals.csv").write_text(DEALS)
    path = write_config(root / "ws").parent
    with leadpilot.open(path) as lp:
        lp.ingest(src)
    return path


def _left_out(notes) -> list[str]:
    return [str(n) for n in notes if "left out" in str(n)]


def test_diagnose_names_the_period_of_each_count(ws):
    with leadpilot.open(ws) as lp:
        notes = _left_out(lp.diagnosis(current="2025-02").warnings)
    assert (
        "sales_cycle_days: 1 duration(s) left out (leads created from 2025-01-01 to "
        "2025-01-31): won deal (customer) dated before the lead's creation"
    ) in notes, notes
    assert (
        "sales_cycle_days: 2 duration(s) left out (leads created from 2025-02-01 to "
        "2025-02-28): won deal (customer) dated before the lead's creation"
    ) in notes, notes


def test_a_range_is_named_in_both_views_and_velocity(ws):
    feb = {"date_from": date(2025, 2, 1), "date_to": date(2025, 2, 28)}
    with leadpilot.open(ws) as lp:
        cohort = _left_out(lp.kpi_result(kpis=["sales_cycle_days"], **feb).warnings)
        activity = _left_out(
            lp.kpi_result(kpis=["sales_cycle_days"], view="activity", **feb).warnings
        )
        velocity = _left_out(lp.velocity_result(**feb).warnings)
        everything = _left_out(lp.kpi_result(kpis=["sales_cycle_days"]).warnings)
    assert cohort == [
        "sales_cycle_days: 2 duration(s) left out (leads created from 2025-02-01 to "
        "2025-02-28): won deal (customer) dated before the lead's creation"
    ]
    # the activity view counts the durations ending in the range: the won dates of F1, F2
    assert activity == [
        "sales_cycle_days: 2 duration(s) left out (durations ending from 2025-02-01 to "
        "2025-02-28): won deal (customer) dated before the lead's creation"
    ]
    assert any(
        n.startswith("customer_by_day_<N>: 2 lead(s) left out (leads created from 2025-02-01")
        for n in velocity
    ), velocity
    # no range, no words for one: all three leads
    assert everything == [
        "sales_cycle_days: 3 duration(s) left out: won deal (customer) dated before the "
        "lead's creation"
    ]


@pytest.mark.parametrize(
    "english, french",
    [
        ("sales_cycle_days: 2 duration(s) left out (leads created from 2025-02-01 to "
         "2025-02-28): won deal (customer) dated before the lead's creation",
         "sales_cycle_days : 2 durée(s) écartée(s) (leads créés du 2025-02-01 au 2025-02-28) "
         ": date de l'affaire gagnée (client) antérieure à la création du lead"),
        ("days_to_mql: 1,204 duration(s) left out (durations ending up to 2025-03-31): MQL "
         "dated before the lead's creation",
         "days_to_mql : 1\u202f204 durée(s) écartée(s) (durées terminées jusqu'au 2025-03-31) "
         ": date du MQL antérieure à la création du lead"),
        ("customer_by_day_<N>: 2 lead(s) left out (leads created from 2025-02-01): won deal "
         "(customer) dated before the lead's creation",
         "customer_by_day_<N> : 2 lead(s) écarté(s) (leads créés à partir du 2025-02-01) : "
         "date de l'affaire gagnée (client) antérieure à la création du lead"),
    ],
)  # fmt: skip
def test_the_range_in_french(english, french):
    assert message_in(english, "fr") == french
