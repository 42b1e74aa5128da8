"""The ChannelAttribution aggregated path format: good files and specific errors."""

from __future__ import annotations

import pytest

from leadpilot.attribution import compute_attribution_from_paths
from leadpilot.attribution.pathfile import read_path_file
from leadpilot.errors import SourceError, UsageError, ValidationError


def write(tmp_path, text, name="p.csv"):
    f = tmp_path / name
    f.write_text(text)
    return f


@pytest.mark.parametrize(
    "text, sep",
    [
        ("path,total_conversions,total_conversion_value,total_null\nA > B,1,10,2\nB,0,0,3\n",
         " > "),
        ("path;total_conversions;total_null\nA>B;1;2\nB;0;3\n", ">"),
        ("path\ttotal_conversions\nA -> B\t1\nB\t0\n", " -> "),
    ],
)  # fmt: skip
def test_separators_detected(tmp_path, text, sep):
    df, found = read_path_file(write(tmp_path, text))
    assert found == sep
    assert list(df.columns) == ["path", "total_conversions", "total_conversion_value",
                                "total_null"]  # fmt: skip
    r = compute_attribution_from_paths(write(tmp_path, text), models="first_touch,linear")
    rows = {(x["model"], x["channel"]): x for x in r.rows}
    assert rows[("first_touch", "A")]["conversions"] == 1
    assert rows[("linear", "B")]["conversions"] == 0.5


def test_missing_column(tmp_path):
    with pytest.raises(SourceError, match=r"missing column\(s\) \['total_conversions'\]"):
        read_path_file(write(tmp_path, "path,conversions\nA,1\n"))


def test_bad_number_names_row_and_column(tmp_path):
    f = write(tmp_path, "path,total_conversions,total_null\nA,1,0\nB,two,1\nC,1,-3\n")
    with pytest.raises(ValidationError) as exc:
        read_path_file(f)
    msg = str(exc.value)
    assert "2 problem(s)" in msg
    assert "row 3, column 'total_conversions': got 'two'; expected a non-negative number" in msg
    assert exc.value.problems[1].row == 4 and exc.value.problems[1].column == "total_null"


def test_empty_path_and_missing_file(tmp_path):
    with pytest.raises(ValidationError, match="row 2, column 'path'"):
        read_path_file(write(tmp_path, "path,total_conversions\n,1\n"))
    with pytest.raises(SourceError, match="not found"):
        read_path_file(tmp_path / "nope.csv")


def test_models_needing_dates_are_refused_or_skipped(tmp_path):
    f = write(tmp_path, "path,total_conversions\nA > B,1\n")
    with pytest.raises(UsageError, match="time_decay need touch times"):
        compute_attribution_from_paths(f, models="linear,time_decay")
    r = compute_attribution_from_paths(f, models="all")
    assert "w_shaped" not in r.models and "markov" in r.models
    assert any("not computed from a path file" in w for w in r.warnings)


def test_a_path_file_result_defines_its_own_columns_and_no_currency(tmp_path, cli):
    """The file's conversions and values, not a workspace's leads, won deals, spend and
    currency ('Amounts in EUR' and the spend's definitions were printed for a path file)."""
    f = write(tmp_path, "path,total_conversions,total_conversion_value,total_null\n"
                        "A > B,1,10,1\nB,1,5,0\nA > C,2,20,0\n")  # fmt: skip
    r = compute_attribution_from_paths(f, models="last_touch,linear")
    assert r.currency is None and r.meta["path_file"] is True
    assert set(r.meta["definitions"]) == {"last_touch", "linear", "conversions", "revenue",
                                          "share", "journey", "spread"}  # fmt: skip
    assert "total_conversion_value" in r.meta["definitions"]["revenue"]
    code, out, _ = cli("attribution", "--paths", str(f), "--model", "last_touch,linear")
    flat = " ".join(out.split())
    assert code == 0 and "Amounts in" not in flat and "spend" not in flat
    assert "(the path file's conversions)" in flat and "won-deal" not in flat
