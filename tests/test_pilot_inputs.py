"""What a new user of the Python API types, and what it answers: the same forms of ``by``
everywhere, clear errors (never a bare KeyError, TypeError or a backend's exception),
errors naming the methods' parameters rather than the command line's flags, explicit
empty values refused, posted records named by their position.

One small synthetic workspace (``pilot.demo()``, 300 leads) for the reads; the tests that
write use a tiny workspace of their own."""

from __future__ import annotations

import inspect
import pydoc
from pathlib import Path

import pytest
from typer.testing import CliRunner

import leadpilot
from leadpilot import pilot
from leadpilot.cli import app
from leadpilot.errors import LeadpilotError, MissingDataError, UsageError, ValidationError
from leadpilot.reports import Report, file_format
from leadpilot.results.wording import OPTIONS, reworded_text


@pytest.fixture(scope="module")
def lp():
    with pilot.demo() as p:
        yield p


@pytest.fixture
def fresh(tmp_path):
    with leadpilot.open(tmp_path / "ws", create=True) as p:
        yield p


# ---------------------------------------------------------------- 1. diagnosis' by
def test_diagnosis_takes_by_as_every_analysis_does(lp):
    """`lp.diagnosis(by=["channel"])` raised TypeError: unhashable type: 'list'."""
    as_list = lp.diagnosis(current="2025-Q2", by=["channel"])  # read as by="channel"
    assert as_list.meta["by"] == "channel"
    assert {r["channel"] for r in as_list.rows} >= {"paid_search", "email"}
    with pytest.raises(UsageError, match="one dimension at a time; got channel, campaign"):
        lp.diagnosis(current="2025-Q2", by=["channel", "campaign"])
    with pytest.raises(UsageError, match="one dimension at a time"):
        lp.diagnosis(current="2025-Q2", by="channel,campaign")


# ---------------------------------------------------------------- 2. clear errors
def test_an_unknown_table_names_those_there_are(lp):
    """`lp.table("foo")` raised ibis' TableNotFound."""
    with pytest.raises(UsageError) as e:
        lp.table("lead")
    said = str(e.value)
    assert isinstance(e.value, LeadpilotError)
    assert "no table 'lead'" in said and "did you mean 'leads'?" in said
    assert "leads, touchpoints, stage_events, deals, spend, traffic" in said
    assert "quarantine" in said and "leadpilot_meta" not in said


def test_definitions_in_an_unknown_language_is_a_usage_error(lp):
    """`result.definitions_in("de")` raised a bare KeyError."""
    result = lp.kpi_result(kpis="leads")
    with pytest.raises(UsageError, match="^lang='de': expected one of en, fr$"):
        result.definitions_in("de")
    with pytest.raises(UsageError, match="lang='de'"):
        result.meta.text_in("view_rule", "de")
    assert result.definitions_in("FR") == result.definitions_in("fr")


@pytest.mark.parametrize(
    "call, said",
    [
        (lambda lp: lp.retention(months=2.5), "months=2.5: expected a whole number of months"),
        (lambda lp: lp.forecast(months="three"), "months='three': expected a whole number"),
        (lambda lp: lp.forecast(months=True), "months=True: expected a whole number"),
        (lambda lp: lp.plan(target_revenue="lots"), "target_revenue='lots': expected an amount"),
        (lambda lp: lp.plan(budget=[1]), r"budget \[1\]: expected an amount"),
        (lambda lp: lp.attribution(lookback="a week"), "lookback='a week': expected a whole"),
        (lambda lp: lp.score_threshold(capacity="many"), "capacity='many': expected a number"),
        (lambda lp: lp.score_train(horizon=1.5), "horizon=1.5: expected a whole number"),
    ],
)
def test_a_number_that_is_none_names_the_parameter(lp, call, said):
    """`forecast(months="3")`, `plan(target_revenue="1e6")`, `retention(months=2.5)` raised
    TypeError from deep inside."""
    with pytest.raises(UsageError, match=said):
        call(lp)


def test_a_number_written_as_text_reads_as_the_command_line_reads_it(lp):
    assert lp.forecast(months="3").to_json() == lp.forecast(months=3).to_json()
    assert lp.retention(months="2").equals(lp.retention(months=2))
    assert lp.retention(months=2.0).equals(lp.retention(months=2))
    plan = lp.plan(target_revenue="1e5")
    assert plan.meta["totals"]["revenue"] == lp.plan(target_revenue=1e5).meta["totals"]["revenue"]


# ---------------------------------------------------------------- 3. parameters, not flags
def test_errors_name_the_python_parameters(lp):
    """Each message of the trial, as the Python API raised it with the command line's
    flags; the command line keeps them (below)."""
    with pytest.raises(UsageError) as e:
        lp.kpis(date_from="2025-06-01", date_to="2025-01-01")
    assert str(e.value).startswith("date_from='2025-06-01' is after date_to='2025-01-01': ")
    with pytest.raises(UsageError, match="^months must be at least 1$"):
        lp.forecast(months=0)
    with pytest.raises(UsageError, match="^months must be at least 1$"):
        lp.retention(months=0)
    with pytest.raises(
        UsageError, match="^give exactly one of capacity=N_PER_MONTH or target_acceptance=RATE$"
    ):
        lp.score_threshold()
    with pytest.raises(MissingDataError) as e:
        lp.score_threshold(capacity=10, using="model")  # the demo has no trained model
    assert str(e.value) == "no trained model: run `score_train()` or use using='rules'"
    with pytest.raises(UsageError, match="^give exactly one of target_revenue and budget$"):
        lp.plan()
    with pytest.raises(UsageError, match="^mix names channel"):
        lp.plan(target_revenue=1e5, mix="nowhere=1")
    with pytest.raises(UsageError, match="^give previous or vs, not both$"):
        lp.diagnosis(current="2025-Q2", previous="2025-Q1", vs="last-year")
    with pytest.raises(UsageError, match="^date_from='2025-02-30': expected a date"):
        lp.kpis(date_from="2025-02-30")


def test_the_mix_to_give_is_named_as_python_writes_it(fresh):
    fresh.ingest_records("leads", [{"lead_id": "L1", "created_at": "2025-01-02"}])
    with pytest.raises(MissingDataError) as e:  # no revenue: no mix to copy
        fresh.plan(target_revenue=1000)
    said = str(e.value)
    assert said.startswith("no revenue in the reference window: give the revenue shares by "
                           "channel with mix (e.g. mix={'paid_search': 0.6")  # fmt: skip
    assert "--" not in said


def test_the_command_line_keeps_its_flags(lp):
    ws = str(lp.workspace.root)
    out = CliRunner().invoke(app, ["score", "threshold", "-w", ws])
    assert str(out.exception) == (
        "give exactly one of --capacity N_PER_MONTH or --target-acceptance RATE"
    )
    out = CliRunner().invoke(app, ["forecast", "-w", ws, "--months", "0"])
    assert str(out.exception) == "--months must be at least 1"
    with pilot.open(lp.workspace.root) as cli_like:  # as the command line opens it
        with pytest.raises(UsageError, match="^--from 2025-06-01 is after --to 2025-01-01"):
            cli_like.kpis(date_from="2025-06-01", date_to="2025-01-01")


@pytest.mark.parametrize(
    "cli, python, rest",
    [
        ("--from 2025-06-01 is after --to 2025-01-01: the range holds no day",
         "date_from='2025-06-01' is after date_to='2025-01-01': the range holds no day",
         "from=2025-06-01 is after to=2025-01-01: the range holds no day"),
        ("--months must be at least 1", "months must be at least 1",
         "months must be at least 1"),
        ("give exactly one of --capacity N_PER_MONTH or --target-acceptance RATE",
         "give exactly one of capacity=N_PER_MONTH or target_acceptance=RATE",
         # no such parameter in the REST API (its routes never say this): the flags stay
         "give exactly one of --capacity N_PER_MONTH or --target-acceptance RATE"),
        ("no revenue in the reference window: give the mix with --mix",
         "no revenue in the reference window: give the revenue shares by channel with mix "
         "(e.g. mix={'paid_search': 0.6, 'outbound': 0.4})",
         "no revenue in the reference window: give the revenue shares by channel with mix "
         "(e.g. mix=paid_search=0.6,outbound=0.4)"),
        ("no trained model: run `leadpilot score train` or use --using rules",
         "no trained model: run `score_train()` or use using='rules'",
         "no trained model: run `leadpilot score train` or use --using rules"),
        ("--kpi 'cpll': unknown; widen --from / --to, or choose another --conversion",
         "kpis='cpll': unknown; widen date_from / date_to, or choose another conversion",
         "kpi='cpll': unknown; widen from / to, or choose another conversion"),
        ("meanwhile `leadpilot kpis --by channel` gives it; train with `--horizon 0`",
         "meanwhile `leadpilot kpis --by channel` gives it; train with `horizon=0`",
         "meanwhile `leadpilot kpis --by channel` gives it; train with `--horizon 0`"),
        ("--no-such-flag stays, --shift goes with --budget",
         "--no-such-flag stays, shift goes with budget",
         "--no-such-flag stays, shift goes with budget"),
    ],
)  # fmt: skip
def test_one_table_names_each_option_for_each_reader(cli, python, rest):
    assert reworded_text(cli, "options") == cli
    assert reworded_text(cli, "python") == python
    assert reworded_text(cli, "rest") == rest


def test_the_table_names_real_parameters():
    """Every Python name of the table is a parameter of a Pilot method (or of Report.write
    / generate), so a message never names one that does not exist."""
    params = {p for _, f in inspect.getmembers(pilot.Pilot, inspect.isfunction)
              for p in inspect.signature(f).parameters}  # fmt: skip
    params |= set(inspect.signature(Report.write).parameters)
    params |= set(inspect.signature(pilot.generate).parameters) | {"role"}
    assert {o.python for o in OPTIONS.values()} <= params


# ---------------------------------------------------------------- 4. report files
def test_a_report_file_of_no_known_format_is_refused(tmp_path):
    """`report.write("q2.docx")` wrote HTML into a .docx file."""
    target = tmp_path / "q2.docx"
    with pytest.raises(UsageError) as e:
        Report(None).write(target)  # refused before anything is drawn
    assert str(e.value) == ("q2.docx: the extension .docx names no report format; name the "
                            "file .html, .pdf, .xlsx or .md, or state the format (html, pdf, "
                            "xlsx, md)")  # fmt: skip
    assert not target.exists()
    assert file_format(tmp_path / "q2.txt", "md") == "md"  # the format stated: its choice
    assert file_format(tmp_path / "q2.HTM") == "html"
    assert file_format(tmp_path / "reports") == "html"  # a folder


def test_a_report_and_the_module_functions_name_their_readers_parameters(lp, tmp_path):
    """A report made through leadpilot.open said "--format html was asked", "--lang";
    generate "--leads"; the command line's report keeps its flags."""
    python = leadpilot.open(lp.workspace.root).report("2025-Q1")
    with pytest.raises(UsageError) as e:
        python.write(tmp_path / "q2.pdf", fmt="html")
    assert "fmt='html' was asked" in str(e.value) and "--" not in str(e.value)
    with pytest.raises(UsageError, match=r"^lang='de': expected one of en, fr$"):
        python.html("de")
    cli = pilot.open(lp.workspace.root).report("2025-Q1")
    with pytest.raises(UsageError, match=r"--format html was asked.*leave --format out"):
        cli.write(tmp_path / "q2.pdf", fmt="html")
    assert not (tmp_path / "q2.pdf").exists()
    with pytest.raises(UsageError, match=r"^leads=0: expected a whole number of leads"):
        leadpilot.generate(tmp_path / "data", leads=0)
    with pytest.raises(UsageError, match=r"^--leads 0: expected a whole number of leads"):
        pilot.generate(tmp_path / "data", leads=0)  # the command line's door
    with pytest.raises(UsageError, match=r"^fmt='xls': expected csv or parquet$"):
        leadpilot.generate(tmp_path / "data", leads=5, fmt="xls")
    paths = tmp_path / "paths.csv"
    paths.write_text("path,total_conversions\nseo > email,2\n")
    rows = leadpilot.path_attribution(paths, "linear").rows
    assert sorted((r["channel"], r["conversions"]) for r in rows) == [("email", 1.0),
                                                                       ("seo", 1.0)]


# ---------------------------------------------------------------- 5. posted records
def test_a_batch_names_every_bad_record_by_its_position(fresh):
    """A record without lead_id stopped the batch as a file without the column ("row 1,
    column 'lead_id'; expected a column"), hiding record 1's bad date."""
    with pytest.raises(ValidationError) as e:
        fresh.ingest_records("leads", [{"lead_id": "T1", "created_at": "2021-13-10"},
                                       {"created_at": "2021-03-01"}])  # fmt: skip
    got = {(p.row, p.column) for p in e.value.problems}
    assert got == {(1, "created_at"), (2, "lead_id")}
    said = str(e.value)
    assert "leads batch, record 1, column 'created_at'" in said and ", row " not in said
    assert "expected a column" not in said
    # under quarantine the good record loads, the other is set aside as record 2
    summary = fresh.ingest_records("leads", [{"lead_id": "T1", "created_at": "2021-03-10"},
                                             {"created_at": "2021-03-01"}],
                                   policy="quarantine")  # fmt: skip
    assert summary.tables["leads"].rows_loaded == 1
    assert fresh.quarantine()[["file", "row", "column_name"]].values.tolist() == [
        ["leads batch", 2, "lead_id"]
    ]


def test_a_batch_warning_names_the_record_not_a_temporary_file(fresh):
    summary = fresh.ingest_records("leads", [
        {"lead_id": "W1", "created_at": "2025-01-02"},
        {"lead_id": "W2", "created_at": "2025-01-03", "email": "x"},  # another set of fields
    ])  # fmt: skip
    said = " ".join(summary.warnings)
    assert "leads batch, record 2: email x" in said and ".csv" not in said
    assert summary.tables["leads"].files == ["leads batch"]


def test_a_scored_lead_without_id_is_named_and_nothing_talks_of_quarantine(lp):
    with pytest.raises(ValidationError) as e:
        lp.score_records([{"lead_id": "N1", "created_at": "2025-03-01"},
                          {"created_at": "2025-03-01"}])  # fmt: skip
    said = str(e.value)
    assert [(p.row, p.column) for p in e.value.problems] == [(2, "lead_id")]
    assert "request, record 2, column 'lead_id'" in said and "nothing was scored" in said
    assert "quarantine" not in said and "loaded" not in said


# ---------------------------------------------------------------- 6. empty values
@pytest.mark.parametrize(
    "call, said",
    [
        (lambda lp: lp.kpis(kpis=""), "^kpis='' names no KPI"),
        (lambda lp: lp.kpis(kpis=" , "), "^kpis=' , ' names no KPI"),
        (lambda lp: lp.kpis(kpis=[]), r"^kpis \[\] names no KPI"),
        (lambda lp: lp.kpis(by=""), "^by='' names no dimension"),
        (lambda lp: lp.funnel(by=" "), "^by=' ' names no dimension"),
        (lambda lp: lp.kpis(by=["channel", ""]), "expected dimension names"),
        (lambda lp: lp.sources(by=""), "^by='' names no dimension"),
        (lambda lp: lp.diagnosis(by=""), "^by='' names no dimension"),
    ],
)
def test_an_empty_value_given_on_purpose_is_refused(lp, call, said):
    """`kpis(kpis="")` and `kpis(by="")` silently gave the defaults."""
    with pytest.raises(UsageError, match=said):
        call(lp)


def test_an_empty_list_of_dimensions_is_no_grouping(lp):
    assert lp.kpis(by=[]).equals(lp.kpis())


# ---------------------------------------------------------------- 7. documentation
def test_pilot_is_exported_and_documented():
    assert leadpilot.Pilot is pilot.Pilot
    assert "Pilot" in dir(leadpilot)
    text = pydoc.render_doc(leadpilot.Pilot)
    assert "kpi_result" in text and "names" in text


@pytest.mark.parametrize("name", ["attribution_result", "score_train", "score_evaluate",
                                  "score_threshold", "score_apply_result", "report",
                                  "score_records", "realtime_scorer"])  # fmt: skip
def test_every_method_says_what_it_returns(name):
    annotation = inspect.signature(getattr(pilot.Pilot, name)).return_annotation
    assert annotation not in (inspect.Signature.empty, "None")
    assert annotation in ("Report", "RealtimeScorer") or annotation.endswith("Result")


RULES = """\
scoring:
  threshold: 20
  fit:
    - {name: big company, column: company_size, min: 50, points: 10}
    - {column: email, contains: "@gmail.", points: -5}
    - {column: industry, equals: saas, points: 5}
  behaviour:
    - {name: big company, type: form_submit, points: 15}
"""


def test_rules_scores_columns_are_named_after_the_rules(tmp_path):
    ws, data = tmp_path / "ws", tmp_path / "data"
    ws.mkdir()
    data.mkdir()
    (ws / "leadpilot.yaml").write_text(RULES)
    (data / "leads.csv").write_text(
        "lead_id,created_at,email,company_size,industry\n"
        "L1,2025-01-02,a@gmail.com,80,saas\nL2,2025-01-03,b@corp.com,10,retail\n"
    )
    (data / "touchpoints.csv").write_text(
        "lead_id,ts,type,channel\nL2,2025-01-04,form_submit,seo\n"
    )
    with leadpilot.open(ws) as lp:
        lp.ingest(data)
        df = lp.rules_scores().sort_values("lead_id")
    assert df.columns.tolist() == [
        "lead_id", "rules_score", "scored_mql", "big company", "email [personal data]",
        "industry=saas", "big company (2)",
    ]  # fmt: skip
    assert df["big company"].tolist() == [10.0, 0.0]
    assert df["email [personal data]"].tolist() == [-5.0, 0.0]  # never the value matched
    assert df["big company (2)"].tolist() == [0.0, 15.0]
    assert df["rules_score"].tolist() == [10.0, 15.0]


def test_the_pilot_of_leadpilot_open_and_of_the_command_line(tmp_path):
    with pytest.raises(UsageError, match="names 'cli'"):
        pilot.open(tmp_path, names="cli")
    assert not Path(tmp_path, "leadpilot.yaml").exists()
