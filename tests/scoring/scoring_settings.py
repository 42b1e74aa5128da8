"""Scoring rules of the synthetic test workspace (shared by conftest and tests)."""

SCORING = {
    "threshold": 20,
    "half_life_days": 30,
    "fit": [
        {"column": "seniority", "in": ["vp", "c_level", "director", "head"], "points": 15},
        {"column": "company_size", "min": 50, "max": 5000, "points": 10},
        {"column": "job_title", "contains": "student", "points": -20},
    ],
    "behaviour": [
        {"type": ["webinar_attendance", "meeting"], "points": 10, "cap": 30},
        {"type": "form_submit", "points": 10, "repeatable": False},
        {"type": "email_click", "points": 3, "cap": 9},
    ],
    "model": {"target": "customer", "horizon_days": 120, "observation_days": 14},
}
