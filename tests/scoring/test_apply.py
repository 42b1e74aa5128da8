"""Applying scores, score_band as a KPI dimension, DuckDB/PostgreSQL parity, the CLI."""

from __future__ import annotations

import json
import shutil
from datetime import datetime

import pandas as pd
import pytest
from typer.testing import CliRunner

import leadpilot
from leadpilot.cli import app
from leadpilot.errors import UsageError, ValidationError
from leadpilot.scoring.rules import rules_score

COLUMNS = ["lead_id", "score", "probability", "rules_score", "scored_mql", "band",
           "reason_1", "reason_2", "reason_3"]  # fmt: skip


@pytest.fixture
def ws(synth_ws, tmp_path):
    """A private copy of the trained workspace (tests write the scores table)."""
    target = tmp_path / "ws"
    shutil.copytree(synth_ws, target)
    return target


def test_apply_on_the_workspace_and_score_band_dimension(ws):
    with leadpilot.open(ws) as lp:
        with pytest.raises(UsageError, match="score_band"):
            lp.kpi_result(by=["score_band"])
        df = lp.score_apply()
        kpis = lp.kpi_result(by=["score_band"], kpis=["leads", "lead_to_customer"])
        funnel = lp.funnel_result(by=["score_band"])
        n = lp.workspace.table("leads").count().execute()
    assert list(df.columns) == COLUMNS
    assert df["score"].between(0, 100).all() and df["probability"].between(0, 1).all()
    assert (df["score"] == (df["probability"] * 100).round()).all()
    assert set(df["band"]) <= {"A", "B", "C", "D"}
    assert df["reason_1"].notna().all()
    assert df.attrs["meta"]["score"] == "model"
    rows = {r["score_band"]: r for r in kpis.rows}
    assert sum(r["leads"] for r in rows.values()) == len(df) <= n
    assert set(rows) <= {"A", "B", "C", "D", "unscored"}
    assert {r["score_band"] for r in funnel.rows} == set(rows)


def test_apply_on_a_new_file_with_missing_optional_columns(ws, tmp_path):
    new = tmp_path / "new_leads.csv"
    # no channel, campaign, industry... columns; an extra column nobody trained on
    new.write_text(
        "lead_id,created_at,seniority,company_size,favourite_colour\n"
        "N1,2025-06-01,vp,400,blue\nN2,2025-06-02,individual,,red\n"
    )
    with leadpilot.open(ws) as lp:
        df = lp.score_apply(input=new)
        assert not lp.workspace.has_table("scores")  # a new file is not stored
        bad = tmp_path / "bad.csv"
        bad.write_text("lead_id,created_at\nN3,not a date\n")
        with pytest.raises(ValidationError, match="row 2.*created_at.*not a date"):
            lp.score_apply(input=bad)
        dup = tmp_path / "dup.csv"
        dup.write_text("lead_id,created_at\nN4,2025-01-01\nN4,2025-01-02\n")
        with pytest.raises(ValidationError, match="row 3.*lead_id.*N4"):
            lp.score_apply(input=dup)
    assert df["lead_id"].tolist() == ["N1", "N2"]
    assert df["score"].between(0, 100).all()
    assert any("read as missing" in w and "industry" in w for w in df.attrs["meta"]["warnings"])
    # the model's features the file leaves empty are named apart: scored as if unknown
    (said,) = [w for w in df.attrs["meta"]["warnings"] if "the scoring model reads" in w]
    assert "industry" in said and "seniority" not in said and "company_size" not in said
    # rules see the attributes of the file: seniority vp (+15), size 400 (+10)
    assert df.set_index("lead_id").loc["N1", "rules_score"] == 25


def test_rules_only_apply_gives_rule_reasons(make_workspace, tmp_path):
    src = tmp_path / "s"
    src.mkdir()
    (src / "leads.csv").write_text(
        "lead_id,created_at,industry\nA,2025-01-01,software\nB,2025-01-01,retail\n"
    )
    scoring = {"fit": [{"column": "industry", "equals": "software", "points": 80,
                        "name": "software company"}]}  # fmt: skip
    with leadpilot.open(make_workspace(scoring=scoring)) as lp:
        lp.ingest(src)
        df = lp.score_apply().set_index("lead_id")
        bands = {r["score_band"]: r["leads"] for r in lp.kpi_result(by=["score_band"]).rows}
    assert df.loc["A", "score"] == 80 and df.loc["A", "band"] == "A"
    assert df.loc["A", "reason_1"] == "software company (+80)"
    assert df.loc["B", "band"] == "D" and pd.isna(df.loc["B", "reason_1"])
    assert bands == {"A": 1, "D": 1}


@pytest.mark.parametrize("other", ["postgres", "spark"])
def test_scores_identical_on_duckdb_and_the_other_engines(synth_ws, tmp_path, request, other):
    """The rules score in the engine and the model's scores in batches: the same leads, scores,
    bands and reasons on every engine (floats within 1e-9; the decay of behavioural points
    needs ages to the microsecond, which Ibis's Spark SQL rounded to the second)."""
    from helpers import write_config
    from scoring_settings import SCORING

    url = request.getfixturevalue("pg_url") if other == "postgres" else "spark"
    if other == "spark":
        request.getfixturevalue("spark")
    pg_ws = tmp_path / other
    write_config(pg_ws, url, scoring=SCORING)
    data = synth_ws.parent / "data"
    at = datetime(2025, 9, 30)
    shutil.copytree(synth_ws / "models", pg_ws / "models")  # the same trained model
    results, scores = [], []
    for path in (synth_ws, pg_ws):
        with leadpilot.open(path) as lp:
            if path == pg_ws:
                lp.ingest(data)
            expr = rules_score(lp.tables(), lp.config, as_of=at, detail=True)
            results.append(expr.to_pandas().sort_values("lead_id").reset_index(drop=True))
            scores.append(lp.score_apply(as_of=at, store=False))
    duck, pg = results
    assert len(duck) == len(pg) > 2000
    assert duck["lead_id"].tolist() == pg["lead_id"].tolist()
    tolerance = 1e-9  # on Spark too: its float sums differ in the last digits only
    assert (duck["rules_score"] - pg["rules_score"]).abs().max() < tolerance
    assert duck["scored_mql"].tolist() == pg["scored_mql"].tolist()
    # the model's scores, bands and reasons from the one engine query, on both engines
    duck, pg = scores
    assert duck["lead_id"].tolist() == pg["lead_id"].tolist()
    assert (duck["probability"] - pg["probability"]).abs().max() < tolerance
    assert duck["band"].tolist() == pg["band"].tolist()
    assert duck["reason_1"].tolist() == pg["reason_1"].tolist()


def test_cli_end_to_end(ws, tmp_path):
    runner = CliRunner()
    res = runner.invoke(app, ["score", "evaluate", "-w", str(ws), "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert set(doc) == {"rows", "meta"} and {r["score"] for r in doc["rows"]} == {"model", "rules"}
    res = runner.invoke(app, ["score", "threshold", "-w", str(ws), "--target-acceptance", "0.5",
                              "--format", "json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["meta"]["score"] == "model" and "recommended_threshold" in doc["meta"]
    # in French: the tables' titles and columns, the rule, the population line
    res = runner.invoke(app, ["score", "evaluate", "-w", str(ws), "--lang", "fr"])
    said = " ".join(res.stdout.split())
    assert res.exit_code == 0 and "Lift et gains cumulés par décile — modèle" in said
    assert "décile" in said and "prédiction moyenne" in said and "Lift and" not in said
    res = runner.invoke(app, ["score", "threshold", "-w", str(ws), "--target-acceptance", "0.5",
                              "--lang", "fr"])  # fmt: skip
    said = " ".join(res.stdout.split())
    assert "Arbitrage du seuil — modèle" in said and "◀ recommandé" in said
    assert "seuil le plus bas avec une acceptation attendue d'au moins 50 %" in said
    assert "taux tirés de" in said and "rates from" not in said
    # the reasons below the table, one line per lead (three columns were unreadable)
    copy = shutil.copytree(ws, tmp_path / "copy")  # apply keeps its scores: not in ws
    res = runner.invoke(app, ["score", "apply", "-w", str(copy)], env={"COLUMNS": "100"})
    lines = res.stdout.splitlines()
    why = lines.index("Why (the features that move each score most):")
    table = "\n".join(lines[:why])
    assert "reason_1" not in table and "…" not in table
    assert lines[why + 1].startswith("  ") and " (+" in "\n".join(lines[why:why + 40])
    out = tmp_path / "scores.csv"
    res = runner.invoke(app, ["score", "apply", "-w", str(ws), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_text().splitlines()[0] == ",".join(COLUMNS)
    res = runner.invoke(app, ["kpis", "-w", str(ws), "--by", "score_band", "--format", "csv"])
    assert res.exit_code == 0 and res.stdout.startswith("period,score_band,")
    res = runner.invoke(app, ["score", "train", "-w", str(ws), "--target", "sql", "--horizon",
                              "90", "--model", "logistic", "--format", "json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    row = json.loads(res.stdout)["rows"][0]
    assert (row["target"], row["model"], row["validation_auc_boosted"]) == ("sql", "logistic", None)
    res = runner.invoke(app, ["score", "train", "-w", str(ws), "--model", "forest"])
    assert res.exit_code != 0
    res = runner.invoke(app, ["score", "apply", "-w", str(ws), "--as-of", "2025-06-30",
                              "--format", "json", "--no-reasons"])  # fmt: skip
    doc = json.loads(res.stdout)
    assert doc["meta"]["as_of"].startswith("2025-06-30") and "reason_1" not in doc["rows"][0]


def test_default_bands_split_the_leads_and_progress_is_reported(ws):
    ticks: dict[str, list[int]] = {}

    def factory(label: str, total: int):
        ticks[label] = [total]
        return ticks[label].append

    with leadpilot.open(ws) as lp:
        df = lp.score_apply(progress=factory)
    bands = df.attrs["meta"]["bands"]
    card = json.loads((ws / "models" / "scoring_model.json").read_text())
    assert bands["rule"].startswith("quantiles") and bands["cuts"] == card["bands"]["cuts"]
    # fixed 75 / 50 / 25 cut-offs put 98.9 % of the demo leads in D; quantile cut-offs of the
    # training leads spread them (apply scores older, colder leads too, hence more D)
    shares = df["band"].value_counts(normalize=True)
    assert shares["D"] < 0.9 and {"A", "B", "C"} <= set(shares.index)
    assert bands["shares"] == pytest.approx(shares.reindex(list("ABCD"), fill_value=0).to_dict())
    assert set(ticks) == {"features and rules in the engine", "scoring leads", "storing the scores"}
    # a score as shown is in one band (cut on 100 x probability, a shown 95 was A and B),
    # and the cut-offs are scores as shown
    assert df.groupby("score")["band"].nunique().max() == 1
    assert all(c is None or c == int(c) for c in bands["cuts"].values())
    done = ticks["scoring leads"]
    assert done[0] == len(df) == sum(done[1:])


def test_fixed_bands_and_rules_quantile_bands(make_workspace, tmp_path):
    src = tmp_path / "q"
    src.mkdir()
    industries = ["software"] * 2 + ["fintech"] * 3 + ["retail"] * 5 + ["health"] * 10
    (src / "leads.csv").write_text(
        "lead_id,created_at,industry\n"
        + "".join(f"L{i:02d},2025-01-01,{v}\n" for i, v in enumerate(industries))
    )
    fit = [{"column": "industry", "equals": "software", "points": 90},
           {"column": "industry", "equals": "fintech", "points": 60},
           {"column": "industry", "equals": "retail", "points": 30}]  # fmt: skip
    quantile = make_workspace(scoring={"fit": fit})
    fixed = make_workspace(scoring={"fit": fit, "bands": [80, 55, 40]})
    out = {}
    for name, path in (("quantile", quantile), ("fixed", fixed)):
        with leadpilot.open(path) as lp:
            lp.ingest(src)
            df = lp.score_apply()
            out[name] = (df.set_index("lead_id")["band"], df.attrs["meta"]["bands"])
    bands, meta = out["quantile"]
    # 10 % at 90 points, 25 % at >= 60, 50 % at >= 30: the nearest shares to 10 / 30 / 60 %
    assert meta["cuts"] == {"A": 90, "B": 60, "C": 30} and meta["compared"] == "rules_score"
    assert bands.value_counts().to_dict() == {"A": 2, "B": 3, "C": 5, "D": 10}
    bands, meta = out["fixed"]
    assert meta["rule"] == "fixed cut-offs (scoring.bands)" and meta["compared"] == "score"
    assert bands.value_counts().to_dict() == {"A": 2, "B": 3, "D": 15}  # 30 points < 40


def test_cli_scores_csv_reads_back_like_the_scores(make_workspace, tmp_path):
    """The fast CSV writer, and its fallback when a value needs quotes (a comma)."""
    src = tmp_path / "c"
    src.mkdir()
    (src / "leads.csv").write_text(
        "lead_id,created_at,industry\nA,2025-01-01,software\nB,2025-01-01,retail\n"
    )
    runner = CliRunner()
    for name in ("software company", "software, fintech or health"):
        scoring = {"fit": [{"column": "industry", "equals": "software", "points": 80,
                            "name": name}]}  # fmt: skip
        ws = make_workspace(scoring=scoring)
        with leadpilot.open(ws) as lp:
            lp.ingest(src)
            expected = lp.score_apply(store=False)
        out = tmp_path / "scores.csv"
        res = runner.invoke(app, ["score", "apply", "-w", str(ws), "--out", str(out)])
        assert res.exit_code == 0, res.output
        assert out.read_text().splitlines()[0] == ",".join(COLUMNS)
        got = pd.read_csv(out, keep_default_na=False, na_values=[""])
        assert got["reason_1"].tolist()[0] == f"{name} (+80)"
        pd.testing.assert_frame_equal(
            got.drop(columns=["probability", "reason_2", "reason_3"]),
            expected.drop(columns=["probability", "reason_2", "reason_3"]).astype(
                {"rules_score": float}
            ),
            check_dtype=False,
        )
