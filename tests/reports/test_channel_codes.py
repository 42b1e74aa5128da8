"""Channels an export wrote as codes (HubSpot's ORGANIC_SEARCH) are named in the report as
every table names them (organic_search), not in capitals beside the other channels; names
written for a reader ('Web Research') keep their text."""

from __future__ import annotations

import pytest
from helpers import write_config

import leadpilot
from leadpilot.reports.collect import readable_labels

LEADS = "lead_id,created_at,channel\n" + "".join(
    f"L{i},2025-0{1 + i % 3}-{1 + i % 27:02d},{ch}\n"
    for i, ch in enumerate(["ORGANIC_SEARCH", "Web Research", "email"] * 10)
)


def test_codes_are_not_display_names():
    labels = {"organic_search": "ORGANIC_SEARCH", "web_research": "Web Research",
              "paid_search": "PAID_SEARCH", "liste_achetee": "Liste achetée"}  # fmt: skip
    assert readable_labels(labels) == {"web_research": "Web Research",
                                       "liste_achetee": "Liste achetée"}  # fmt: skip


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = tmp_path_factory.mktemp("codes")
    src = root / "src"
    src.mkdir()
    (src / "leads.csv").write_text(LEADS)
    ws = write_config(root / "ws").parent
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
        assert lp.labels()["value:channel"]["organic_search"] == "ORGANIC_SEARCH"
        yield lp.report("2025-Q1")


def test_the_report_names_coded_channels_as_the_tables(report):
    text = report.markdown("en")
    assert "ORGANIC_SEARCH" not in text
    assert "organic_search" in text and "Web Research" in text
