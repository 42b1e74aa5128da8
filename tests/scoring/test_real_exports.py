"""Scoring on exports as users have them: a HubSpot contacts export full of personal,
outcome-like and date columns, and an export whose outcomes are final (no later dates)."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

import leadpilot
from leadpilot.cli import app
from leadpilot.errors import UsageError
from leadpilot.scoring.bands import band_codes
from leadpilot.scoring.features import labelled_features
from leadpilot.scoring.guard import IDENTIFIER, OUTCOME, PERSONAL
from leadpilot.scoring.model import load_card, load_model, split

FIRST = ["Gabriela", "Tom", "Chloé", "Raj", "Ana", "Lukas", "Sofia", "Omar"]
LAST = ["Lopez", "Becker", "Martin", "Patel", "Rossi", "Nowak"]
OWNERS = ["Jane Doe", "Marc Petit", "Ines Garcia"]
HEADER = (
    "Record ID,First Name,Last Name,Email,Phone Number,Contact owner,Company Name,Industry,"
    "Number of Employees,Country/Region,Job Title,Create Date,Lifecycle Stage,Lead Status,"
    "Original Source,Original Source Drill-Down 1,First Conversion Date,Website URL,"
    "Postal Code,Became a Lead Date,Became a Marketing Qualified Lead Date,"
    "Became a Sales Qualified Lead Date,Became an Opportunity Date,Became a Customer Date"
)


def hubspot_contacts(n: int = 500, seed: int = 3) -> str:
    """A HubSpot 'all contacts' export: sales fill lifecycle stage, lead status and owner
    as the lead progresses; names, e-mails and phones identify people."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2023-01-02T09:00")
    lines = [HEADER]
    for i in range(n):
        created = start + np.timedelta64(int(rng.integers(0, 500 * 24 * 60)), "m")
        industry = rng.choice(["Computer Software", "Retail", "Law Practice", "Design"])
        size = int(rng.lognormal(4, 1.2)) + 1
        first = rng.choice(FIRST)
        p = 0.04 + 0.4 * (industry == "Computer Software") + 0.15 * (size > 100)
        p += 0.25 * (first == "Gabriela")  # so that the name matters to a model that sees it
        won = rng.random() < p
        mql = won or rng.random() < 0.3
        after = {s: created + np.timedelta64(int(rng.integers(lo, hi)), "D")
                 for s, lo, hi in (("conversion", 0, 3), ("mql", 1, 5), ("sql", 6, 12),
                                   ("opportunity", 13, 19), ("customer", 20, 50))}  # fmt: skip
        when = {s: after[s] if won or (s == "mql" and mql) else None for s in after}
        stage = ("Customer" if won else "Marketing Qualified Lead" if mql else "Lead")
        status = "Connected" if won else rng.choice(["New", "Attempted to Contact",
                                                     "Unqualified", "Bad Timing"])  # fmt: skip
        owner = rng.choice(OWNERS) if won or rng.random() < 0.2 else ""
        last = rng.choice(LAST)
        company = f"Company {i}"
        lines.append(",".join([
            str(1000 + i), first, last, f"{first.lower()}.{last.lower()}{i}@example.com",
            f"+34 600 {i:03d} {i % 97:03d}", owner, company, industry, str(size),
            rng.choice(["Spain", "France", "Germany"]),
            rng.choice(["Head of Marketing", "Founder", "VP Sales", "Analyst"]),
            _fmt(created), stage, status,
            rng.choice(["Paid Search", "Organic Search", "Email Marketing", "Referrals"]),
            rng.choice(["google", "newsletter", ""]), _fmt(after["conversion"]),
            f"https://company{i}.example.com", f"{28000 + i}", _fmt(created),
            *[_fmt(when[s]) if when[s] is not None else ""
              for s in ("mql", "sql", "opportunity", "customer")],
        ]))  # fmt: skip
    return "\n".join(lines) + "\n"


def _fmt(t: np.datetime64) -> str:
    return str(t).replace("T", " ")[:16]


def _workspace(root, name: str, model: dict):
    ws = root / name
    ws.mkdir()
    (ws / "contacts.csv").write_text(hubspot_contacts(), encoding="utf-8")
    cfg = {
        "workspace": {"backend": "duckdb"},
        "sources": [{"table": "leads", "path": "contacts.csv", "preset": "hubspot_contacts"}],
        "scoring": {"model": {"target": "customer", "horizon_days": 60, **model}},
    }
    (ws / "leadpilot.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    with leadpilot.open(ws) as lp:
        lp.ingest(ws / "leadpilot.yaml")
        train = lp.score_train()
        scores = lp.score_apply()
    return ws, train, scores


@pytest.fixture(scope="module")
def hubspot(tmp_path_factory):
    """The same HubSpot export trained twice: with the default guard, and with
    first_name and lifecycle_stage forced in by scoring.model.include."""
    root = tmp_path_factory.mktemp("hubspot")
    return {
        "default": _workspace(root, "default", {}),
        "include": _workspace(root, "include", {"include": ["first_name", "lifecycle_stage"]}),
    }


def _reasons(scores) -> list[str]:
    cols = [c for c in scores.columns if c.startswith("reason_")]
    return [r for c in cols for r in scores[c].dropna().tolist()]


def _shows(reason: str, values: list[str]) -> bool:
    """Whether a reason shows one of ``values`` ('feature=value (+0.12)')."""
    return any(f"={v} (" in reason for v in values)


def test_guard_leaves_out_personal_identifier_date_and_outcome_columns(hubspot):
    _, train, scores = hubspot["default"]
    card = train.card
    left = {c["column"]: c["reason"] for c in card["guard"]["left_out"]}
    assert {c: left.get(c) for c in ("first_name", "last_name", "email", "phone_number",
                                     "contact_owner", "postal_code")} == dict.fromkeys(
        ("first_name", "last_name", "email", "phone_number", "contact_owner", "postal_code"),
        PERSONAL)  # fmt: skip
    assert left["lifecycle_stage"] == left["lead_status"] == OUTCOME
    assert left["became_a_lead_date"] == OUTCOME
    assert left["website_url"] == left["company"] == IDENTIFIER
    assert left["first_conversion_date"] in ("date as text", "date")  # text, or typed by ingest
    names = {f["name"] for f in card["features"]}
    assert not names & set(left)
    assert {"industry", "company_size", "country", "job_title", "channel"} <= names
    # honest features: an honest AUC, no warning, no suspect
    assert 0.5 < card["metrics"]["held_out_auc"] < 0.99
    assert card["metrics"]["held_out_auc_warning"] is None and card["leakage_suspects"] == []
    assert "first_name" in train.rows[0]["left_out"].split(", ")
    reasons = _reasons(scores)
    assert reasons and not [r for r in reasons if _shows(r, FIRST + LAST + OWNERS)]


def test_included_leaky_and_personal_columns_are_flagged_and_never_shown(hubspot):
    _, train, scores = hubspot["include"]
    card = train.card
    forced = {c["column"]: c["reason"] for c in card["guard"]["included_despite_guard"]}
    assert forced == {"first_name": PERSONAL, "lifecycle_stage": OUTCOME}
    suspects = {s["feature"]: s for s in card["leakage_suspects"]}
    assert "lifecycle_stage" in suspects and "'Customer'" in suspects["lifecycle_stage"]["why"]
    # the too-good AUC never comes alone
    auc = card["metrics"]["held_out_auc"]
    assert auc > 0.99
    warning = card["metrics"]["held_out_auc_warning"]
    assert "leakage" in warning and "lifecycle_stage" in warning and warning in train.warnings
    assert train.rows[0]["held_out_auc_warning"] == warning
    reasons = _reasons(scores)
    assert any(r.startswith("first_name [personal data] (") for r in reasons)
    assert not [r for r in reasons if _shows(r, FIRST) or r.startswith("first_name=")]
    assert not [c for c in card["coefficients"] if c["column"].startswith("first_name_")]
    assert "first_name [personal data]" in {c["column"] for c in card["coefficients"]}


def test_bands_are_the_training_quantiles_kept_in_the_card(hubspot):
    ws, train, scores = hubspot["default"]
    bands = train.card["bands"]
    meta = scores.attrs["meta"]["bands"]
    assert meta["rule"].startswith("quantiles") and meta["cuts"] == bands["cuts"]
    assert meta["compared"] == "score" and "training leads" in meta["computed_on"]
    assert sum(meta["shares"].values()) == pytest.approx(1.0)
    # the cut-offs split the training leads 10 / 20 / 30 / 40 %
    with leadpilot.open(ws) as lp:
        card = load_card(ws)
        model, _ = load_model(ws, model_features(card), strict=False)
        df, _ = labelled_features(lp.tables(), lp.config, model.features,
                                  target=card["target"],
                                  horizon_days=card["horizon_days"])  # fmt: skip
    part, _, _ = split(df, card["split"])
    p = np.rint(100 * model.predict_proba(df[part != "test"])[:, 1])  # the scores as shown
    cuts = [bands["cuts"][b] for b in "ABC"]
    shares = np.bincount(band_codes(p, cuts), minlength=4) / len(p)
    # about 10 / 20 / 30 / 40 %: leads shown the same (integer) score share a band, so a
    # cut-off moves by a whole score's leads (~2 % of these leads at most)
    assert shares == pytest.approx([0.1, 0.2, 0.3, 0.4], abs=0.025)
    assert np.unique(p).size < len(p)  # ties there are


def model_features(card: dict) -> list:
    from leadpilot.scoring.features import Feature

    return [Feature(**f) for f in card["features"]]


def test_cli_prints_the_guard_the_suspects_and_the_bands(hubspot):
    runner = CliRunner()
    ws = hubspot["include"][0]
    res = runner.invoke(app, ["score", "train", "-w", str(ws)], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    text = re.sub(r"\s+", " ", res.output)
    assert "Columns left out of the features" in text
    assert "last_name" in text and "personal data" in text
    assert "leakage suspect: lifecycle_stage" in text
    assert "scoring.model.exclude: [lifecycle_stage]" in text  # brackets are not markup
    assert "too good: leakage" in text and "held-out AUC" in text
    assert "included by scoring.model.include: first_name" in text
    res = runner.invoke(app, ["score", "apply", "-w", str(hubspot["default"][0]), "--format",
                              "json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert len(doc["rows"]) == 500 and doc["meta"]["bands"]["rule"].startswith("quantiles")
    assert set(doc["rows"][0]) >= {"lead_id", "score", "band", "reason_1"}
    res = runner.invoke(app, ["score", "apply", "-w", str(hubspot["default"][0])],
                        env={"COLUMNS": "200"})  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "Leads by band: A" in res.output and "bands: quantiles" in res.output
    ws, _, scores = hubspot["include"]
    res = runner.invoke(app, ["score", "apply", "-w", str(ws)], env={"COLUMNS": "400"})
    top = scores.sort_values("score", ascending=False, kind="stable").head(20)
    hidden = top.filter(like="reason_").stack().str.contains("[personal data]", regex=False)
    assert res.exit_code == 0 and hidden.any()
    assert "first_name [personal data] (" in res.output


# ------------------------------------------------------------------ final outcomes
@pytest.fixture(scope="module")
def final_outcomes(tmp_path_factory):
    """An export with no dates after creation (like X Education): 120 leads created the
    same day, 30 of them customers on that same day."""
    root = tmp_path_factory.mktemp("final")
    src = root / "src"
    src.mkdir()
    rng = np.random.default_rng(4)
    industry = rng.choice(["software", "retail", "health"], 120)
    won = np.arange(120) % 4 == 0
    (src / "leads.csv").write_text(
        "lead_id,created_at,industry\n"
        + "".join(f"L{i},2019-12-30,{industry[i]}\n" for i in range(120))
    )
    (src / "stage_events.csv").write_text(
        "lead_id,stage,ts\n" + "".join(f"L{i},customer,2019-12-30\n" for i in np.flatnonzero(won))
    )
    ws = root / "ws"
    ws.mkdir()
    (ws / "leadpilot.yaml").write_text(yaml.safe_dump({"workspace": {"backend": "duckdb"}}))
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
    return ws


def test_no_known_outcome_error_suggests_horizon_zero(final_outcomes):
    with leadpilot.open(final_outcomes) as lp:
        with pytest.raises(UsageError) as err:
            lp.score_train()
    msg = str(err.value)
    assert "0 leads with a known outcome" in msg and "120 leads are younger" in msg
    # the Python API names its parameter, the command line its flag (below)
    assert "horizon=0" in msg and "--horizon" not in msg
    assert "scoring.model.horizon_days: 0" in msg
    assert "no date after the leads' creation" in msg
    res = CliRunner().invoke(app, ["score", "train", "-w", str(final_outcomes)])
    assert res.exit_code != 0 and "--horizon 0" in str(res.exception)


def test_final_outcomes_train_with_horizon_zero_and_threshold_adds_up(final_outcomes):
    res = CliRunner().invoke(app, ["score", "train", "-w", str(final_outcomes), "--horizon", "0",
                                   "--format", "json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["rows"][0]["horizon_days"] == 0
    with leadpilot.open(final_outcomes) as lp:
        th = lp.score_threshold(capacity=50)
    # a pseudo-random held-out part (one creation date), one period: 120 leads, not 5 x held out
    lowest = min(th.rows, key=lambda r: r["threshold"])
    assert th.population["months"] == 1.0 and th.population["held_out_leads"] < 120
    assert lowest["mqls_per_month"] == pytest.approx(120)
    assert any("less than a month" in w for w in th.warnings)


def test_cli_in_french_names_the_guard_the_suspects_and_the_bands(hubspot):
    res = CliRunner().invoke(app, ["score", "train", "-w", str(hubspot["include"][0]), "--lang",
                                   "fr"], env={"COLUMNS": "200"})  # fmt: skip
    assert res.exit_code == 0, res.output
    text = re.sub(r"\s+", " ", res.output)
    assert "(objectif Client, sous 60 jours)" in text
    assert "Colonnes écartées des variables" in text
    assert re.search(r"colonne\W+motif\W+détail", text)
    assert re.search(r"last_name\W+donnée personnelle\W+le nom désigne le nom d'une personne",
                     text)  # fmt: skip
    assert "AUC de 1,000 ; la valeur 'Customer' : 100,0 % de ses 87 leads" in text
    assert "fuite suspectée : lifecycle_stage : à elle seule" in text
    assert "excluez-la (scoring.model.exclude : [lifecycle_stage])" in text
    assert "incluse par scoring.model.include : first_name (donnée personnelle" in text
    assert "tranches : quantiles : A les 10 % du haut" in text and "D en dessous" in text
    for english in ("features;", "personal data", "leakage suspect", "the name reads as",
                    "left-out column anyway", "D below"):  # fmt: skip
        assert english not in text, english
    res = CliRunner().invoke(app, ["score", "apply", "-w", str(hubspot["default"][0]),
                                   "--lang", "fr"], env={"COLUMNS": "200"})  # fmt: skip
    text = re.sub(r"\s+", " ", res.output)
    assert res.exit_code == 0 and "Leads par tranche : A" in text, text
    assert "tranches : quantiles : A les 10 % du haut" in text
    # the reasons' weights with a decimal comma, as every French number
    assert re.search(r"=[^;]+ \([+-]\d+,\d\d\)", text) and not re.search(r"\([+-]\d+\.\d", text)


def test_excluded_and_misspelt_columns_are_said(hubspot, tmp_path):
    """The columns scoring.model.exclude leaves out are listed with the guard's; a name the
    leads do not have excluded nothing without a word (the column meant stayed a feature)."""
    ws = tmp_path / "ws"
    shutil.copytree(hubspot["default"][0], ws)
    cfg = yaml.safe_load((ws / "leadpilot.yaml").read_text(encoding="utf-8"))
    cfg["scoring"]["model"]["exclude"] = ["industry", "jobtitle"]
    (ws / "leadpilot.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    with leadpilot.open(ws) as lp:
        result = lp.score_train()
    card = result.meta["card"]
    assert card["excluded_columns"] == ["industry"]
    assert "industry" not in {f["name"] for f in card["features"]}
    (note,) = [w for w in result.warnings if w.code == "exclude_unknown"]
    assert note.data == {"columns": ["jobtitle"]}
    assert "jobtitle (did you mean job_title?)" in str(note) and "exclude nothing" in str(note)
    res = CliRunner().invoke(app, ["score", "train", "-w", str(ws)], env={"COLUMNS": "200"})
    text = re.sub(r"\s+", " ", res.output)
    assert res.exit_code == 0, text
    assert re.search(r"industry\W+excluded\W+scoring\.model\.exclude", text), text
    assert "note: scoring.model.exclude names column(s) the leads table does not have" in text
    res = CliRunner().invoke(app, ["score", "train", "-w", str(ws), "--lang", "fr"],
                             env={"COLUMNS": "200"})  # fmt: skip
    text = re.sub(r"\s+", " ", res.output)
    assert re.search(r"industry\W+exclue\W+scoring\.model\.exclude", text), text
    assert "jobtitle (vouliez-vous dire job_title ?)" in text or (
        "jobtitle (vouliez-vous dire job_title?)" in text
    ), text


def test_a_column_left_out_without_any_value_is_said_empty(tmp_path):
    """A canonical column the export does not fill (email here) is not listed as personal
    data left out by the guard: it is said to hold no value."""
    from helpers import build

    src = build(tmp_path / "src", [
        {"channel": "seo", "n": 40, "mql": 30, "sql": 20, "opportunity": 15, "customers": 12},
        {"channel": "ads", "n": 40, "mql": 10, "sql": 5, "opportunity": 3, "customers": 2},
    ])  # fmt: skip
    leads = (src / "leads.csv").read_text().splitlines()
    (src / "leads.csv").write_text(
        "\n".join([leads[0] + ",email,owner"] + [f"{r},,Ann" for r in leads[1:]]) + "\n"
    )
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "leadpilot.yaml").write_text(yaml.safe_dump({"scoring": {"model": {
        "target": "customer", "horizon_days": 0}}}))  # fmt: skip
    with leadpilot.open(ws) as lp:
        lp.ingest(src)
        card = lp.score_train().meta["card"]
    guard = {x["column"]: x["reason"] for x in card["guard"]["left_out"]}
    assert guard.get("email") == PERSONAL and guard.get("owner") == PERSONAL
    assert "email" in card["empty_columns_left_out"]
    assert "owner" not in card["empty_columns_left_out"]  # it holds a value: the guard's
    res = CliRunner().invoke(app, ["score", "train", "-w", str(ws)], env={"COLUMNS": "200"})
    text = re.sub(r"\s+", " ", res.output)
    assert res.exit_code == 0, text
    assert re.search(r"owner\W+personal data", text)
    assert not re.search(r"email\W+personal data", text)
    assert re.search(r"Without a value in any lead: [a-z_, ]*\bemail\b", text), text
