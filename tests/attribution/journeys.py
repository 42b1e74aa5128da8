"""Small hand-written journeys (imported by the attribution tests).

Lead A: five attribution touches (and an e-mail open, which is not one); lead created on
its third touch, opportunity after the fourth, won after the fifth: every anchor distinct.
Lead B: one touch. Lead C: no touch before creation; opportunity and customer on the same
(last) touch. Lead D: did not convert. Lead E: only direct touches.
"""

from __future__ import annotations

from pathlib import Path

FILES = {
    "leads.csv": """lead_id,created_at,channel
A,2025-01-10T00:00:00,paid_search
B,2025-01-12T00:00:00,paid_social
C,2025-01-05T00:00:00,referral
D,2025-01-06T00:00:00,organic_search
E,2025-01-07T00:00:00,direct
""",
    "touchpoints.csv": """touch_id,lead_id,ts,type,channel,campaign
a1,A,2025-01-01T00:00:00,visit,organic_search,
a2,A,2025-01-05T00:00:00,ad_click,paid_search,ps_generic
a3,A,2025-01-10T00:00:00,form_submit,paid_search,ps_generic
a4,A,2025-01-15T00:00:00,webinar_attendance,events,webinar_jan
a5,A,2025-01-20T00:00:00,visit,direct,
a6,A,2025-01-02T00:00:00,email_open,email,nurture
b1,B,2025-01-12T00:00:00,form_submit,paid_social,pso_retargeting
c1,C,2025-01-08T10:00:00,visit,referral,
c2,C,2025-01-09T10:00:00,call,outbound,ob_q1
d1,D,2025-01-06T00:00:00,visit,organic_search,
d2,D,2025-01-07T00:00:00,visit,direct,
e1,E,2025-01-07T00:00:00,visit,direct,
e2,E,2025-01-08T00:00:00,form_submit,direct,
""",
    "stage_events.csv": """lead_id,stage,ts
A,mql,2025-01-12T00:00:00
""",
    "deals.csv": """deal_id,lead_id,created_at,status,closed_at,amount
DA,A,2025-01-18T00:00:00,won,2025-01-25T00:00:00,1000
DB,B,2025-01-13T00:00:00,won,2025-01-20T00:00:00,500
DC,C,2025-01-09T12:00:00,won,2025-01-09T12:00:00,2000
DE,E,2025-01-09T00:00:00,won,2025-01-10T00:00:00,100
""",
    "spend.csv": """date,channel,campaign,amount
2025-01-01,paid_search,ps_generic,400
2025-01-01,paid_social,pso_retargeting,250
2025-01-01,partners,,99
""",
}

REVENUE = {"A": 1000.0, "B": 500.0, "C": 2000.0, "E": 100.0}


def write(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in FILES.items():
        (folder / name).write_text(text)
    return folder


def td(ages: list[float], half_life: float = 7.0) -> list[float]:
    w = [2 ** (-a / half_life) for a in ages]
    return [x / sum(w) for x in w]


_A_TD = td([24, 20, 15, 10, 5])  # days from each touch to the win on 2025-01-25
_C_TD = td([1 + 2 / 24, 2 / 24])  # 26 h and 2 h before the win (2025-01-09 12:00)

# Per model and lead: {channel: credit}. Worked out by hand from definitions.py.
CREDITS = {
    "first_touch": {
        "A": {"organic_search": 1}, "C": {"referral": 1}, "E": {"direct": 1},
    },
    "last_touch": {"A": {"direct": 1}, "C": {"outbound": 1}, "E": {"direct": 1}},
    # A's last non-direct touch is the webinar; E has only direct touches: its last touch.
    "last_non_direct": {"A": {"events": 1}, "C": {"outbound": 1}, "E": {"direct": 1}},
    "linear": {
        "A": {"organic_search": 0.2, "paid_search": 0.4, "events": 0.2, "direct": 0.2},
        "C": {"referral": 0.5, "outbound": 0.5},
        "E": {"direct": 1},
    },
    "time_decay": {
        "A": {"organic_search": _A_TD[0], "paid_search": _A_TD[1] + _A_TD[2],
              "events": _A_TD[3], "direct": _A_TD[4]},
        "C": {"referral": _C_TD[0], "outbound": _C_TD[1]},
        "E": {"direct": 1},
    },
    # A: 40 % a1 (first), 40 % a3 (lead creation), 20 % over a2, a4, a5.
    # C: no touch before creation -> the lead-creation anchor is the first touch: 80 % c1,
    #    20 % to the only other touch.
    # E: e1 first, e2 lead creation... E was created 2025-01-07 00:00 = e1's time: both
    #    anchors on e1, 20 % to e2.
    "position_based": {
        "A": {"organic_search": 0.4, "paid_search": 0.4 + 0.2 / 3, "events": 0.2 / 3,
              "direct": 0.2 / 3},
        "C": {"referral": 0.8, "outbound": 0.2},
        "E": {"direct": 1},
    },
    # A: 30 % a1, 30 % a3, 30 % a4 (last touch before the opportunity on 01-18), 10 % over
    #    a2 and a5. C: first = lead creation = c1, opportunity = c2; every touch an anchor:
    #    the 10 % is split over both touches.
    "w_shaped": {
        "A": {"organic_search": 0.3, "paid_search": 0.35, "events": 0.3, "direct": 0.05},
        "C": {"referral": 0.65, "outbound": 0.35},
        "E": {"direct": 1},
    },
    # A: 22.5 % each to a1, a3, a4, a5 (customer), 10 % to a2.
    # C: c1 first + lead creation (45 %), c2 opportunity + customer (45 %), 10 % over both.
    "full_path": {
        "A": {"organic_search": 0.225, "paid_search": 0.325, "events": 0.225,
              "direct": 0.225},
        "C": {"referral": 0.5, "outbound": 0.5},
        "E": {"direct": 1},
    },
}  # fmt: skip
for _m in CREDITS.values():
    _m["B"] = {"paid_social": 1}


def expected(model: str) -> dict[str, tuple[float, float]]:
    """{channel: (conversions, revenue)} for the customer conversion."""
    out: dict[str, list[float]] = {}
    for lead, credits in CREDITS[model].items():
        for ch, c in credits.items():
            acc = out.setdefault(ch, [0.0, 0.0])
            acc[0] += c
            acc[1] += c * REVENUE[lead]
    return {k: (v[0], v[1]) for k, v in out.items()}
