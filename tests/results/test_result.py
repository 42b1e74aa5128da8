"""The one result type: rows, meta, typed notices and the three conversions."""

from __future__ import annotations

import json
import pickle

import pytest

from leadpilot.errors import Notice, UsageError
from leadpilot.results import UNDATED, Meta, Result, notice, param
from leadpilot.results.notices import CODES
from leadpilot.results.render import csv_text, json_text
from leadpilot.text import Text

ROWS = [{"channel": "seo", "leads": 3, "cpl": 12.5}, {"channel": None, "leads": 1, "cpl": None}]
DEFS = {
    "leads": Text("leads created", "leads créés"),
    "cpl": Text("spend / leads", "dépenses / leads"),
}


class AsOf:  # what an analysis keeps of its as-of date
    label = "2025-06-30"

    def rule_in(self, lang):
        return {"en": "the latest event", "fr": "le dernier événement"}[lang]


def result(**meta) -> Result:
    return Result(
        [dict(r) for r in ROWS],
        Meta(
            "kpis",
            view="cohort",
            view_rule=Text("cohort view", "vue cohorte"),
            as_of=AsOf(),
            params={"period": "all", "by": ["channel"]},
            definitions=DEFS,
            details={"maturity": None},
            warnings=[Notice("division_by_zero", "cpl: null where leads = 0"), "a plain note"],
            **meta,
        ),
    )


def test_to_json_is_the_output_contract():
    doc = result().to_json()
    assert set(doc) == {"rows", "meta"} and doc["rows"] == ROWS
    meta = doc["meta"]
    assert meta["view"] == "cohort" and meta["view_rule"] == "cohort view"
    assert meta["as_of"] == "2025-06-30" and meta["as_of_rule"] == "the latest event"
    assert meta["period"] == "all" and meta["by"] == ["channel"] and meta["maturity"] is None
    assert meta["definitions"] == {"leads": "leads created", "cpl": "spend / leads"}
    # warnings stay a list of plain strings; notices add their codes
    assert meta["warnings"] == ["cpl: null where leads = 0", "a plain note"]
    assert all(type(w) is str for w in meta["warnings"])
    assert meta["notices"] == [
        {"code": "division_by_zero", "message": "cpl: null where leads = 0"},
        {"code": "note", "message": "a plain note"},
    ]
    assert json.loads(json.dumps(doc)) == doc


def test_warnings_are_typed_and_still_read_as_sentences():
    r = result()
    assert [n.code for n in r.notices] == ["division_by_zero", "note"]
    assert r.warnings[0].startswith("cpl:") and "a plain note" in r.warnings
    r.warnings.append("added later")  # analyses append to the live list
    r.warnings += [Notice("no_spend", "no spend")]
    assert [n.code for n in r.notices][-2:] == ["note", "no_spend"]
    assert str(r.warnings[-1]) == "no spend" and type(str(r.warnings[-1])) is str
    assert pickle.loads(pickle.dumps(r.warnings[-1])).code == "no_spend"
    assert notice("x") == Notice("note", "x") and notice(Notice("a", "b")).code == "a"


def test_definitions_and_texts_in_each_language():
    r = result()
    assert r.definitions == {"leads": "leads created", "cpl": "spend / leads"}
    assert r.definitions_in("fr") == {"leads": "leads créés", "cpl": "dépenses / leads"}
    assert r.view_rule_in("fr") == "vue cohorte"
    assert r.meta.text_in("as_of_rule", "fr") == "le dernier événement"
    with pytest.raises(UsageError, match="lang='de': expected one of en, fr"):
        r.definitions_in("de")


def test_to_frame_and_to_arrow_carry_the_meta():
    r = result()
    df = r.to_frame()
    assert df.to_dict(orient="records")[0] == ROWS[0]
    assert df.attrs["meta"] == r.to_json()["meta"]
    table = r.to_arrow()
    assert table.column_names == ["channel", "leads", "cpl"] and table.num_rows == 2
    assert table.column("cpl").to_pylist() == [12.5, None]
    assert json.loads(table.schema.metadata[b"leadpilot.meta"]) == r.to_json()["meta"]


def test_a_frame_backed_result_writes_without_building_dicts():
    import pandas as pd

    frame = pd.DataFrame({"lead_id": ["a", "b"], "score": [90, 10], "ok": [True, False]})
    r = Result(None, Meta("score_apply", definitions=DEFS), frame=frame)
    assert len(r) == 2 and r.rows == [{"lead_id": "a", "score": 90, "ok": True},
                                      {"lead_id": "b", "score": 10, "ok": False}]  # fmt: skip
    assert r.to_frame() is frame and frame.attrs["meta"]["definitions"]["leads"]
    doc = json.loads(json_text(r))
    assert doc["rows"] == r.rows and doc["meta"] == r.to_json()["meta"]
    assert r.to_arrow().num_rows == 2
    with pytest.raises(ValueError):
        Result(ROWS, Meta("x"), frame=frame)


def test_undated_and_absent_as_of():
    assert Meta("x", as_of=None)["as_of"] is None  # a path file: null, as before
    assert Meta("x", as_of=UNDATED)["as_of_rule"] is None
    assert "as_of" not in Meta("x")  # the analysis has no as-of at all (scoring)


def test_param_reads_the_meta():
    class Named(Result):
        by = param("by")

    r = Named([], Meta("x", params={"by": ["channel"]}))
    assert r.by == ["channel"] and r.kind == "x" and "Named x: 0 row" in repr(r)


def test_csv_keeps_every_key_in_first_seen_order():
    assert csv_text([{"a": 1}, {"b": 2}]).splitlines() == ["a,b", "1,", ",2"]
    assert csv_text([]) == ""


def test_every_code_has_a_sentence():
    assert CODES["note"] and all(isinstance(v, str) and v for v in CODES.values())
