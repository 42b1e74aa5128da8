"""The contract of every registered attribution model, on DuckDB, PostgreSQL and Spark.

In the style of scikit-learn's ``parametrize_with_checks``: each property is a test of its
own, parametrised over every model of the registry (``leadpilot.attribution.registry()``)
and every backend, so a failure reads ``test_<broken property>[<model>-<backend>]``. A new
model (one module in attribution/models/) is picked up without touching this file; its
hand-computed credits go in a test of its own.

The workspaces are built once per backend from a seeded set of journeys: 60 leads, one to
five attribution touches each on five channels, about 40 % won (one deal each) over several
months, every touch before its lead's conversion and inside the lookback window, so the
expected conversions and revenue per month are known without running any model. Variants:
the same rows shuffled, the channels renamed (``direct`` too, with
``attribution.direct_channels`` following), every journey cut to its first touch, and no
touchpoints at all.
"""

from __future__ import annotations

import contextlib
import random
from collections import Counter
from datetime import datetime, timedelta

import pytest
from helpers import write_config
from pgserver import fresh_schema_url

import leadpilot
from leadpilot.attribution import Journeys, compute_attribution, registry, run_models
from leadpilot.attribution.paths import journeys as build_journeys
from leadpilot.config import AttributionSettings
from leadpilot.errors import MissingDataError

MODELS = list(registry())
CHANNELS = ["paid_search", "paid_social", "organic_search", "email", "direct"]
RENAMED = {c: f"ch_{i}" for i, c in enumerate(CHANNELS)}  # a bijection, direct included
T0 = datetime(2025, 1, 1)


# ------------------------------------------------------------------ the seeded journeys
def _journeys(seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(60):
        created = T0 + timedelta(days=2 * i, hours=rng.randrange(24))
        n = rng.randint(1, 5)
        touches = sorted(
            (created + timedelta(days=rng.uniform(-20, 10)), rng.choice(CHANNELS))
            for _ in range(n)
        )
        won = rng.random() < 0.4
        out.append(
            {
                "lead": f"L{i:03d}",
                "created": created,
                "touches": touches,
                # every touch precedes the conversion, within the 90-day lookback
                "won_at": created + timedelta(days=rng.randint(15, 40)) if won else None,
                "amount": rng.choice([500.0, 1000.0, 2500.0, 4000.0]) if won else 0.0,
            }
        )
    return out


JOURNEYS = _journeys()


def _month(ts: datetime) -> str:
    return ts.strftime("%Y-%m")


def expected_totals(journeys: list[dict]) -> dict[str, tuple[float, float]]:
    """{month of the conversion: (conversions, revenue)}, worked out from the data."""
    out: dict[str, list[float]] = {}
    for j in journeys:
        if j["won_at"] is not None:
            acc = out.setdefault(_month(j["won_at"]), [0.0, 0.0])
            acc[0] += 1
            acc[1] += j["amount"]
    return {k: (v[0], v[1]) for k, v in out.items()}


def _files(journeys: list[dict], *, rename=None, shuffle=False, touches=True) -> dict:
    name = (rename or {}).get
    leads = ["lead_id,created_at,channel"]
    tps = ["touch_id,lead_id,ts,type,channel"]
    deals = ["deal_id,lead_id,created_at,status,closed_at,amount"]
    for j in journeys:
        leads.append(f"{j['lead']},{j['created']:%Y-%m-%dT%H:%M:%S},{name('email', 'email')}")
        for k, (ts, ch) in enumerate(j["touches"]):
            kind = "ad_click" if ch.startswith("paid") else "visit"
            tps.append(f"{j['lead']}-{k},{j['lead']},{ts:%Y-%m-%dT%H:%M:%S},{kind},{name(ch, ch)}")
        if j["won_at"] is not None:
            opened = j["won_at"] - timedelta(days=5)
            deals.append(
                f"D{j['lead']},{j['lead']},{opened:%Y-%m-%dT%H:%M:%S},won,"
                f"{j['won_at']:%Y-%m-%dT%H:%M:%S},{j['amount']}"
            )
    files = {"leads.csv": leads, "deals.csv": deals}
    if touches:
        files["touchpoints.csv"] = tps
    if shuffle:
        rng = random.Random(11)
        for rows in files.values():
            body = rows[1:]
            rng.shuffle(body)
            rows[1:] = body
    return {k: "\n".join(v) + "\n" for k, v in files.items()}


VARIANTS = {
    "base": (JOURNEYS, {}),
    "shuffled": (JOURNEYS, {"shuffle": True}),
    "renamed": (JOURNEYS, {"rename": RENAMED}),
    "one_touch": ([{**j, "touches": j["touches"][:1]} for j in JOURNEYS], {}),
    "no_touch": (JOURNEYS, {"touches": False}),
}


# ------------------------------------------------------------------ workspaces per backend
class Bench:
    """The variants' workspaces on one backend, built on first use, and the results of
    each (model, variant), computed once."""

    def __init__(self, backend: str, server, tmp, stack: contextlib.ExitStack):
        self.backend, self.server, self.tmp, self.stack = backend, server, tmp, stack
        self.workspaces: dict[str, leadpilot.pilot.Pilot] = {}
        self.results: dict[str, dict] = {}

    def workspace(self, variant: str):
        if variant not in self.workspaces:
            url = "duckdb" if self.backend == "duckdb" else "spark"
            if self.backend == "postgres":
                url = self.stack.enter_context(fresh_schema_url(self.server, f"contract_{variant}"))
            journeys, options = VARIANTS[variant]
            src = self.tmp / f"src_{variant}"
            src.mkdir()
            for name, text in _files(journeys, **options).items():
                (src / name).write_text(text)
            settings = {}
            if variant == "renamed":
                settings["attribution"] = {"direct_channels": [RENAMED["direct"]]}
            ws = self.tmp / f"ws_{variant}"
            write_config(ws, url, **settings)
            lp = self.stack.enter_context(leadpilot.open(ws))
            lp.ingest(src)
            self.workspaces[variant] = lp
        return self.workspaces[variant]

    def run(self, models: str, variant: str = "base") -> dict:
        """{model: {(month, channel): (conversions, revenue, share)}}, by period month."""
        lp = self.workspace(variant)
        result = compute_attribution(lp.tables(), lp.config, models=models, period="month")
        out: dict = {}
        for r in result.to_json()["rows"]:
            values = (r["conversions"], r["revenue"], r["share"])
            out.setdefault(r["model"], {})[(r["period"], r["channel"])] = values
        return out

    def credits(self, model: str, variant: str = "base", again: bool = False) -> dict:
        """The model's credits, from one run of every model on the variant (``again``: from
        a second run)."""
        key = f"{variant}-again" if again else variant
        if key not in self.results:
            self.results[key] = self.run("all", variant)
        return self.results[key][model]


@pytest.fixture(scope="module", params=["duckdb", "postgres", "spark"])
def bench(request, tmp_path_factory):
    server = request.getfixturevalue("pg_server") if request.param == "postgres" else None
    if request.param == "spark":
        request.getfixturevalue("spark")  # the session's local Spark
    with contextlib.ExitStack() as stack:
        yield Bench(request.param, server, tmp_path_factory.mktemp(request.param), stack)


def _per_period(credits: dict) -> dict[str, tuple[float, float]]:
    out: dict[str, list[float]] = {}
    for (period, _), (c, v, _) in credits.items():
        acc = out.setdefault(period, [0.0, 0.0])
        acc[0] += c
        acc[1] += v
    return {k: (v[0], v[1]) for k, v in out.items()}


# ------------------------------------------------------------------ the checks
@pytest.mark.parametrize("model", MODELS)
def test_credits_sum_to_conversions_and_revenue(bench, model):
    got = _per_period(bench.credits(model))
    want = expected_totals(JOURNEYS)
    assert set(got) == set(want)
    for month, (conversions, revenue) in want.items():
        assert got[month][0] == pytest.approx(conversions, abs=1e-5), month
        # each row's revenue is rounded to the cent
        assert got[month][1] == pytest.approx(revenue, abs=0.01 * len(CHANNELS)), month


@pytest.mark.parametrize("model", MODELS)
def test_no_credit_is_negative(bench, model):
    for key, (c, v, share) in bench.credits(model).items():
        assert c >= 0 and v >= 0 and (share is None or share >= 0), key


@pytest.mark.parametrize("model", MODELS)
def test_one_touch_journeys_give_all_their_credit_to_their_channel(bench, model):
    want: dict = {}
    for j in VARIANTS["one_touch"][0]:
        if j["won_at"] is not None:
            key = (_month(j["won_at"]), j["touches"][0][1])
            c, v = want.get(key, (0.0, 0.0))
            want[key] = (c + 1, v + j["amount"])
    got = {k: v for k, v in bench.credits(model, "one_touch").items() if v[0] or v[1]}
    assert set(got) == set(want)
    for key, (c, v) in want.items():
        assert got[key][0] == pytest.approx(c, abs=1e-6), key
        assert got[key][1] == pytest.approx(v, abs=0.01), key


@pytest.mark.parametrize("model", MODELS)
def test_renaming_channels_permutes_credits(bench, model):
    base = bench.credits(model)
    renamed = bench.credits(model, "renamed")
    assert set(renamed) == {(p, RENAMED[ch]) for p, ch in base}
    for (p, ch), values in base.items():
        assert renamed[(p, RENAMED[ch])] == pytest.approx(values, abs=1e-6), (p, ch)


@pytest.mark.parametrize("model", MODELS)
def test_same_input_same_output(bench, model):
    assert bench.credits(model, "base", again=True) == bench.credits(model)


@pytest.mark.parametrize("model", MODELS)
def test_credits_do_not_depend_on_the_models_run_beside(bench, model):
    alone = bench.run(model)
    assert set(alone) == {model}
    together = bench.credits(model)
    assert set(alone[model]) == set(together)
    for key, values in together.items():
        assert alone[model][key] == pytest.approx(values, abs=1e-6), key


@pytest.mark.parametrize("model", MODELS)
def test_order_of_input_rows_is_irrelevant(bench, model):
    base = bench.credits(model)
    shuffled = bench.credits(model, "shuffled")
    assert set(shuffled) == set(base)
    for key, values in base.items():
        assert shuffled[key] == pytest.approx(values, abs=1e-6), key


@pytest.mark.parametrize("model", MODELS)
def test_empty_input_is_a_clear_error(bench, model):
    lp = bench.workspace("no_touch")
    with pytest.raises(MissingDataError, match="no touchpoints"):
        compute_attribution(lp.tables(), lp.config, models=model)
    # the model itself, handed an empty touch table of this backend
    empty = build_journeys(
        lp.tables(), lp.config, conversion="customer", by="channel", lookback=90, period="all"
    )
    with pytest.raises(MissingDataError, match="no journey to credit"):
        run_models([model], Journeys(empty))


@pytest.mark.parametrize("model", MODELS)
def test_parameters_are_declared_once_in_the_configuration(model):
    cls = registry()[model]
    settings = AttributionSettings()
    # the attribution: section is made of every model's parameter class
    assert isinstance(settings, cls.Params)
    assert set(cls.Params.model_fields) <= set(AttributionSettings.model_fields)
    assert cls.__module__.rsplit(".", 1)[-1] == model  # one module per model, named after it


@pytest.mark.parametrize("model", MODELS)
def test_rule_is_written_in_english_and_french(model):
    text = registry()[model](AttributionSettings()).definition()
    assert text.en.strip() and text.fr.strip() and text.en != text.fr


def test_models_are_listed_once_in_rank_order():
    ranks = [registry()[m].rank for m in MODELS]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    assert Counter(MODELS).most_common(1)[0][1] == 1
