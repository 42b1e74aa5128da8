"""Golden outputs: every README command in --format json, on the demo data and X Education.

The files under tests/golden/ were written before the code was reshaped (issue 10) and
must stay true: rows identical, and every key of ``meta`` still there with the same
value — ``meta`` may only gain keys. Values that change from run to run (training
times, versions, file paths) are left out of the comparison.

``LEADPILOT_UPDATE_GOLDEN=1 pytest tests/test_golden.py`` rewrites the files: only when an
output changes on purpose, with the reason in the commit message.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
from pathlib import Path

import pytest

from leadpilot.cli import main
from leadpilot.synth import generate, write_tables

GOLDEN = Path(__file__).parent / "golden"
ROOT = Path(__file__).resolve().parents[1]
XEDU = ROOT / "examples" / "x_education" / "leadpilot.yaml"
UPDATE = os.environ.get("LEADPILOT_UPDATE_GOLDEN") == "1"
VOLATILE = {"trained_at", "saved_at", "model_file", "card_file", "path", "versions",
            "leadpilot_version", "sklearn_version", "fit_seconds", "seconds"}  # fmt: skip

# The README's commands (the demo workspace) and the X Education example's.
DEMO = {
    "kpis_by_channel": ["kpis", "--by", "channel"],
    "kpis_channel_campaign_quarter": ["kpis", "--by", "channel,campaign", "--period", "quarter"],
    "kpis_icp_fit_all": ["kpis", "--by", "icp_fit", "--kpi", "all"],
    "kpis_month_activity": ["kpis", "--period", "month", "--view", "activity"],
    "funnel_by_channel": ["funnel", "--by", "channel"],
    "velocity_by_channel": ["velocity", "--by", "channel"],
    "content": ["content"],
    "sources_quarter": ["sources", "--period", "quarter"],
    "retention": ["retention"],
    "attribution_all": ["attribution", "--model", "all"],
    "attribution_markov_shapley_sql_campaign_quarter": [
        "attribution", "-m", "markov,shapley", "--conversion", "sql", "--by", "campaign",
        "--period", "quarter",
    ],  # fmt: skip
    "score_train": ["score", "train", "--target", "customer", "--horizon", "180"],
    "score_evaluate": ["score", "evaluate"],
    "score_apply": ["score", "apply"],
    "score_threshold_capacity": ["score", "threshold", "--capacity", "300"],
    "kpis_by_score_band": ["kpis", "--by", "score_band"],
}
XEDU_COMMANDS = {
    "score_train": ["score", "train"],
    "score_evaluate": ["score", "evaluate"],
    "score_apply": ["score", "apply"],
    "score_threshold_acceptance": ["score", "threshold", "--target-acceptance", "0.8"],
    "funnel_by_score_band": ["funnel", "--by", "score_band"],
}


def _run(args: list[str], monkeypatch, capsys) -> dict:
    monkeypatch.setattr(sys, "argv", ["leadpilot", *args, "--format", "json"])
    monkeypatch.setenv("COLUMNS", "100")
    try:
        main()
    except SystemExit as exc:
        assert not exc.code, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("golden-demo")
    write_tables(generate(3000, seed=42), base / "data", fmt="parquet")
    import leadpilot

    with leadpilot.open(base / "ws", create=True) as lp:
        lp.ingest(base / "data")
    return base / "ws"


@pytest.fixture(scope="module")
def xedu_ws(tmp_path_factory) -> Path:
    if not XEDU.exists():
        pytest.fail("examples/x_education is missing")
    base = tmp_path_factory.mktemp("golden-xedu")
    # the example's paths are relative to its folder, as in a clone next to shared/
    clone = base / "main"
    shutil.copytree(ROOT / "examples", clone / "examples")
    (base / "shared").symlink_to(ROOT.parent / "shared")
    import leadpilot

    with leadpilot.open(base / "ws", create=True) as lp:
        lp.ingest(clone / "examples" / "x_education" / "leadpilot.yaml")
    return base / "ws"


def _stable(value, key: str = ""):
    """Drop what changes from run to run; round floats to 9 significant digits."""
    if isinstance(value, dict):
        return {k: _stable(v, k) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_stable(v, key) for v in value]
    if isinstance(value, float):
        return None if math.isnan(value) else float(f"{value:.9g}")
    return value


def _contains(golden, now, where: str = "") -> list[str]:
    """Differences where ``now`` does not hold ``golden`` (dicts may gain keys in meta)."""
    if isinstance(golden, dict) and isinstance(now, dict):
        out = []
        for k, v in golden.items():
            if k not in now:
                out.append(f"{where}.{k}: missing")
            else:
                out += _contains(v, now[k], f"{where}.{k}")
        return out
    if isinstance(golden, list) and isinstance(now, list):
        if len(golden) != len(now):
            return [f"{where}: {len(now)} items, golden {len(golden)}"]
        return [d for i, (g, n) in enumerate(zip(golden, now, strict=True))
                for d in _contains(g, n, f"{where}[{i}]")]  # fmt: skip
    return [] if golden == now else [f"{where}: {now!r}, golden {golden!r}"]


MAX_ROWS = 300  # longer outputs (scores of every lead) keep their first rows and a digest


def _digest(rows: list) -> str:
    import hashlib

    text = json.dumps(rows, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _check(kind: str, name: str, doc: dict) -> None:
    path = GOLDEN / kind / f"{name}.json"
    doc = _stable(doc)
    if len(doc["rows"]) > MAX_ROWS:
        doc["meta"]["golden_rows"] = {"count": len(doc["rows"]), "sha256": _digest(doc["rows"])}
        doc["rows"] = doc["rows"][:MAX_ROWS]
    if UPDATE or not path.exists():
        if not UPDATE:
            pytest.fail(f"{path} is missing: run with LEADPILOT_UPDATE_GOLDEN=1 to write it")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
        return
    golden = json.loads(path.read_text(encoding="utf-8"))
    # rows exactly (every key); meta: what the golden holds, additions allowed
    diffs = _contains({"rows": golden["rows"]}, {"rows": doc["rows"]})
    if any(len(g) != len(n) for g, n in zip(golden["rows"], doc["rows"], strict=False)):
        diffs.append("rows gained or lost columns")
    diffs += _contains(golden["meta"], doc["meta"], "meta")
    assert not diffs, f"{kind}/{name}: " + "; ".join(diffs[:10])


def test_demo_commands_match_their_golden_outputs(demo_ws, monkeypatch, capsys):
    for name, args in DEMO.items():
        _check("demo", name, _run([*args, "-w", str(demo_ws)], monkeypatch, capsys))


def test_x_education_commands_match_their_golden_outputs(xedu_ws, monkeypatch, capsys):
    for name, args in XEDU_COMMANDS.items():
        _check("x_education", name, _run([*args, "-w", str(xedu_ws)], monkeypatch, capsys))
