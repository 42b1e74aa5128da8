"""Attribution needs touchpoints (issue 9, #7): `attribution -m all` / `-m shapley` on a
CRM-only workspace crashed with `internal error: IndexError` (exit 70)."""

from __future__ import annotations

import json
import sys

import pytest

import leadpilot
from leadpilot import cli
from leadpilot.attribution import MODEL_NAMES
from leadpilot.errors import MissingDataError

LEADS = "lead_id,created_at,channel\nA,2025-01-10,paid_search\nB,2025-01-12,email\n"
DEALS = (
    "deal_id,lead_id,created_at,status,closed_at,amount\n"
    "DA,A,2025-01-18,won,2025-01-25,1000\nDB,B,2025-01-13,won,2025-01-20,500\n"
)


def workspace(make_workspace, tmp_path, touches: str | None = None, deals: str = DEALS, **cfg):
    src = tmp_path / "src"
    src.mkdir(parents=True)
    (src / "leads.csv").write_text(LEADS)
    (src / "deals.csv").write_text(deals)
    if touches is not None:
        (src / "touchpoints.csv").write_text("touch_id,lead_id,ts,type,channel\n" + touches)
    ws = make_workspace(**cfg)
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
    return ws


def no_touchpoints(shared_workspaces, backend_kind):
    """The leads and deals without touchpoints, shared by the tests that only read them."""

    def ingest(ws):
        src = ws.parent / f"{ws.name}-src"
        src.mkdir()
        (src / "leads.csv").write_text(LEADS)
        (src / "deals.csv").write_text(DEALS)
        with leadpilot.open(ws) as lp:
            lp.ingest(src)

    return shared_workspaces.get(backend_kind, "no_touchpoints", ingest)


@pytest.mark.parametrize("models", [*MODEL_NAMES, "all"])
def test_every_model_says_it_needs_touchpoints(shared_workspaces, backend_kind, models):
    ws = no_touchpoints(shared_workspaces, backend_kind)
    with leadpilot.open(ws) as lp, pytest.raises(MissingDataError) as e:
        lp.attribution_result(models=models)
    text = str(e.value)
    assert "no touchpoints" in text and "ingest a touchpoints file" in text
    assert "\n" not in text


def run_main(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """The installed entry point, in process: exit status, stdout, stderr."""
    monkeypatch.setattr(sys, "argv", ["leadpilot", *args])
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit) as e:
        cli.main()
    out = capsys.readouterr()
    return e.value.code, out.out, out.err


@pytest.mark.parametrize("backend_kind", ["duckdb"], indirect=True)
@pytest.mark.parametrize("model", ["all", "shapley", "linear"])
def test_cli_one_line_and_non_zero_exit(shared_workspaces, backend_kind, monkeypatch, capsys,
                                        model):  # fmt: skip
    ws = no_touchpoints(shared_workspaces, backend_kind)
    code, out, err = run_main(monkeypatch, capsys, "attribution", "-w", str(ws), "-m", model)
    assert code == MissingDataError.exit_code == 7
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("leadpilot: error: attribution credits")
    assert "internal error" not in err and "Traceback" not in err and out == ""
    code, out, err = run_main(
        monkeypatch, capsys, "attribution", "-w", str(ws), "-m", model, "-f", "json"
    )
    assert code == 7 and json.loads(out)["error"]["type"] == "MissingDataError"


def test_no_touch_of_the_attribution_types(make_workspace, tmp_path):
    ws = workspace(make_workspace, tmp_path, "t1,A,2025-01-08,email_open,email\n")
    with leadpilot.open(ws) as lp, pytest.raises(MissingDataError) as e:
        lp.attribution_result(models="all")
    assert "none of the 1 touchpoints has an attribution type" in str(e.value)
    assert "types found: email_open" in str(e.value) and "attribution.touch_types" in str(e.value)


def test_no_touch_in_the_lookback(make_workspace, tmp_path):
    touches = "t1,A,2024-06-01,visit,paid_search\nt2,B,2024-06-02,visit,email\n"
    ws = workspace(make_workspace, tmp_path, touches)
    with leadpilot.open(ws) as lp:
        with pytest.raises(MissingDataError) as e:
            lp.attribution_result(models="all")
        assert "none of the 2 conversion(s) has an attribution touch in the 90 days" in str(e.value)
        assert "widen lookback (attribution.lookback_days)" in str(e.value)  # the parameter
        wide = lp.attribution_result(models="all", lookback=365)  # a wider window credits
    assert sum(r["conversions"] for r in wide.rows if r["model"] == "linear") == 2


def test_touches_without_a_channel(make_workspace, tmp_path):
    touches = "t1,A,2025-01-08,visit,\nt2,B,2025-01-11,visit,\n"
    ws = workspace(make_workspace, tmp_path, touches)
    with leadpilot.open(ws) as lp, pytest.raises(MissingDataError) as e:
        lp.attribution_result(models="all")
    assert "has a channel" in str(e.value) and "keep_unlabelled" in str(e.value)
    # kept as the null group, every model credits it (Shapley's players included)
    ws = workspace(make_workspace, tmp_path / "k", touches, attribution={"keep_unlabelled": True})
    with leadpilot.open(ws) as lp:
        result = lp.attribution_result(models="all")
    assert {r["channel"] for r in result.rows} == {None}
    for m in MODEL_NAMES:
        assert sum(r["conversions"] for r in result.rows if r["model"] == m) == pytest.approx(2)


def test_no_conversion_at_all(make_workspace, tmp_path):
    touches = "t1,A,2025-01-08,visit,paid_search\n"
    ws = workspace(make_workspace, tmp_path, touches, deals=DEALS.splitlines()[0] + "\n")
    with leadpilot.open(ws) as lp, pytest.raises(MissingDataError) as e:
        lp.attribution_result(models="shapley")
    assert "no lead reached the customer stage" in str(e.value)
