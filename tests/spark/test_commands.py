"""Every command on a Spark workspace gives what it gives on DuckDB (same generated data):
funnel, velocity, attribution under every model, diagnose, the secondary reports, scoring
and the report; writes that Parquet folders cannot do in place (re-ingest, erasure) leave
the same rows. Floats within rel 1e-9 (Spark adds partial sums per partition)."""

from __future__ import annotations

import json
import math

import pytest
from helpers import write_config

import leadpilot
from leadpilot.synth import generate, write_tables

REL = 1e-9


@pytest.fixture(scope="module")
def pair(tmp_path_factory, spark):
    """(DuckDB Pilot, Spark Pilot) on the same 400 generated leads."""
    root = tmp_path_factory.mktemp("spark_commands")
    write_tables(generate(400, seed=21), root / "data", fmt="parquet")
    duck = leadpilot.open(write_config(root / "duck").parent)
    sp = leadpilot.open(write_config(root / "spark", "spark").parent)
    for lp in (duck, sp):
        lp.ingest(root / "data")
    yield duck, sp
    duck.close()
    sp.close()


def same(a, b, where="") -> None:
    """Equal JSON documents, floats within REL."""
    if isinstance(a, float) and isinstance(b, float | int):
        assert math.isclose(a, b, rel_tol=REL, abs_tol=1e-9) or (
            math.isnan(a) and math.isnan(b)
        ), where
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), where
        for k in a:
            same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{i}]")
    else:
        assert a == b, (where, a, b)


def _rows(result) -> list:
    return json.loads(json.dumps(result.to_json()["rows"], default=str))


COMMANDS = {
    "funnel": lambda lp: lp.funnel_result(by="channel"),
    "velocity": lambda lp: lp.velocity_result(by="channel"),
    "attribution (all models)": lambda lp: lp.attribution_result(models="all", period="quarter"),
    "content": lambda lp: lp.content_result(),
    "sources": lambda lp: lp.sources_result(),
    "retention": lambda lp: lp.retention_result(),
    "diagnose": lambda lp: lp.diagnosis(),
    "forecast": lambda lp: lp.forecast(),
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_command_gives_the_same_rows_on_spark(pair, command):
    duck, sp = pair
    run = COMMANDS[command]
    same(_rows(run(duck)), _rows(run(sp)), command)


def test_rules_scores_are_stored_and_read_back_as_a_dimension(pair):
    duck, sp = pair
    a = duck.score_apply_result(store=True).frame.sort_values("lead_id")
    b = sp.score_apply_result(store=True).frame.sort_values("lead_id")
    assert a["lead_id"].tolist() == b["lead_id"].tolist()
    assert (a["score"] - b["score"]).abs().max() < 1e-9
    same(_rows(duck.kpi_result(by="score_band")), _rows(sp.kpi_result(by="score_band")))


def test_the_report_is_written_from_spark(pair):
    _, sp = pair
    text = sp.report().markdown("en")
    assert text.startswith("#") and "Funnel" in text


def test_reingesting_and_erasing_rewrite_the_same_rows(pair, tmp_path):
    duck, sp = pair
    again = tmp_path / "again"
    again.mkdir()
    # the same lead again with another channel: replaced by key, not added
    lead = duck.table("leads").sort_values("lead_id").iloc[0]
    (again / "leads.csv").write_text(
        f"lead_id,created_at,channel\n{lead['lead_id']},{lead['created_at']:%Y-%m-%d},events\n"
    )
    for lp in (duck, sp):
        lp.ingest(again)
    d, s = duck.table("leads"), sp.table("leads")
    assert len(d) == len(s)
    assert s.set_index("lead_id").loc[lead["lead_id"], "channel"] == "events"
    erased = [lp.erase_lead(lead["lead_id"]) for lp in (duck, sp)]
    assert erased[0] == erased[1] and erased[1]["found"]
    assert lead["lead_id"] not in set(sp.table("leads")["lead_id"])
    assert len(duck.table("touchpoints")) == len(sp.table("touchpoints"))


def test_a_failed_ingest_changes_nothing_on_spark(pair, tmp_path):
    _, sp = pair
    before = {t: len(sp.table(t)) for t in ("leads", "touchpoints", "quarantine", "ingest_log")}
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "leads.csv").write_text("lead_id,created_at\nNEW1,2025-01-02\nNEW2,not a date\n")
    with pytest.raises(leadpilot.errors.ValidationError):
        sp.ingest(bad, policy="strict")
    assert {t: len(sp.table(t)) for t in before} == before


def test_an_empty_table_is_a_relation_of_the_jvm(pair):
    """An empty table (no folder yet) is read without Python: createDataFrame([]) made it a
    Python RDD, and every query touching it started Python workers for a task on it."""
    from ibis.backends.pyspark.datatypes import PySparkSchema

    duck, sp = pair
    session = sp.workspace.con._session
    with sp.snapshot():  # the views pointed at the last commit (other tests write)
        empty = [t for t in sp.workspace.con.list_tables() if session.table(t).count() == 0]
    assert "quarantine" in empty
    for name in empty:
        plan = session.table(name)._jdf.queryExecution().analyzed().toString()
        assert "RDD" not in plan, (name, plan)
        declared = PySparkSchema.from_ibis(duck.workspace.table(name).schema())
        assert [(f.name, f.dataType) for f in session.table(name).schema.fields] == [
            (f.name, f.dataType) for f in declared.fields
        ], name


def test_a_command_on_spark_writes_its_one_error_line_and_nothing_in_the_current_folder(
    tmp_path,
):
    """A Spark command printed Spark's start-up notices (log profile, log level, Hadoop's
    native library) before its error, and left an empty spark-warehouse/ folder in the
    directory it ran from. The JVM's own notice of its incubator modules remains: it is
    printed by Java before any logging starts."""
    import subprocess
    import sys

    ws = write_config(tmp_path / "ws", "spark", workspace={"backend": "spark",
                      "spark": {"master": "local[1]"}}).parent  # fmt: skip
    run = subprocess.run(
        [sys.executable, "-m", "leadpilot", "kpis", "-w", str(ws), "--by", "bogus"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 2
    lines = [x for x in run.stderr.splitlines() if not x.startswith("WARNING: Using incubator")]
    assert len(lines) == 1 and lines[0].startswith("leadpilot: error: unknown dimension"), lines
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws"]
