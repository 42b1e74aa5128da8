"""Real-time scoring: a lead posted by a web form or a CRM webhook, scored in milliseconds.

A :class:`RealtimeScorer` is made once per workspace version (the service caches it; see
api/workspaces.py) and holds what scoring one lead needs, so a request runs no query on
the workspace:

- the configuration, the as-of moment (the last date in the data, as ``score apply``),
  the saved model and its card (read once);
- the behaviour of every lead at that moment, computed once in the engine with the very
  expressions of the batch path (scoring/rules.py ``_behaviour_points``, features.py
  ``behaviour_facts``): each behaviour rule's points and the model's behaviour features,
  per lead the touches count for, looked up by a hash of the lead_id. A point query of one
  lead's touches is a scan of the whole touchpoints table on DuckDB (no index: 0.6 s on
  20 million touches), hence the table; another as-of date builds another one, on demand.

A request: the records are read by the ingest's own mapping, parsing and validation
(``sources.mapping.map_columns`` and ``sources.typing.type_mapped`` on the records as
text columns, as a CSV file of them would be read: same dates, enums, channels, same
problems); the fit rules and the model's attribute features are one SQL statement
(compiled from the batch path's Ibis expressions once per shape of the records) run by an
in-process DuckDB on the records alone; then the batch path's own last step
(``apply.finish_scores``: model, reasons, bands) gives the answer. Scores, bands and
reasons equal those of ``score apply --input`` on the same leads
(tests/scoring/test_realtime.py).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb
import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa

from ..config import Config
from .apply import ScoreResult, features_unknown_notice, finish_scores, typed_leads
from .features import attribute_columns, behaviour_facts, data_end, feature_specs
from .model import CARD_FILE, MODEL_DIR, check_features, load_model
from .rules import RulesScorer, _behaviour_points

POSTED = "__posted"
Tables = Callable[[], dict[str, ir.Table]]
# score_table needs a scoring date; the fit rules never read it
_UNUSED = datetime(2000, 1, 1)


def _text(value: object) -> str:
    """A JSON value as a CSV export of it holds it (``records.records_csv``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def records_frame(records: list[dict], file: str):
    """Posted records as the raw frame of a file holding them: every column text, named
    as written (trimmed), a missing or null value an empty cell, rows numbered as file
    lines (the header is line 1)."""
    from ..errors import SourceError
    from ..sources.readers import ROW, RawFrame

    keys = list(dict.fromkeys(k for rec in records for k in rec))
    header = [str(k).lstrip("\ufeff").strip() for k in keys]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise SourceError(f"{file}: row 1 repeats the column name(s) {dupes}; names must be unique")
    columns = {
        h: pa.array([_text(rec.get(k)) for rec in records], pa.string())
        for h, k in zip(header, keys, strict=True)
    }
    columns[ROW] = pa.array(range(2, len(records) + 2), pa.int64())
    return RawFrame(file, pa.table(columns))


def _hashes(ids: list[str]) -> np.ndarray:
    """Python's own string hash of each id: the table lives in this process only, and one id
    hashes in nanoseconds (a lookup per request)."""
    return np.fromiter((hash(i) for i in ids), dtype=np.int64, count=len(ids))


class Lookup:
    """Per-lead values (float64 columns) found by lead_id, with a default for a lead that
    has none: sorted 64-bit hashes of the ids (``searchsorted``), each hit checked against
    the id itself (so a collision costs a step, never a wrong lead)."""

    def __init__(self, table: pa.Table, key: str, defaults: dict[str, float]):
        table = table.filter(table[key].is_valid())
        keys = table[key].combine_chunks()
        hashes = _hashes(keys.to_pylist())
        order = np.argsort(hashes, kind="stable")
        self._hashes = hashes[order]
        self._keys = keys.take(pa.array(order))
        self.defaults = dict(defaults)
        self._columns = {
            name: table[name].to_numpy().astype("float64")[order] for name in defaults
        }

    def __len__(self) -> int:
        return len(self._hashes)

    def rows(self, ids: list[str]) -> np.ndarray:
        """The row of each id, -1 when the table holds none."""
        out = np.full(len(ids), -1, dtype=np.int64)
        if not len(self._hashes) or not ids:
            return out
        wanted = _hashes(ids)
        at = np.searchsorted(self._hashes, wanted)
        n = len(self._hashes)
        for i, (h, j) in enumerate(zip(wanted, at, strict=True)):
            while j < n and self._hashes[j] == h:
                if self._keys[j].as_py() == ids[i]:
                    out[i] = j
                    break
                j += 1
        return out

    def values(self, name: str, rows: np.ndarray) -> np.ndarray:
        col = self._columns[name]
        if not len(col):  # no lead has a row (no touchpoint at all): every value defaults
            return np.full(len(rows), self.defaults[name], dtype="float64")
        found = rows >= 0
        return np.where(found, col[np.where(found, rows, 0)], self.defaults[name])


class _Behaviour:
    """The behaviour rules' points and the model's behaviour features at one as-of."""

    def __init__(self, rules: Lookup | None, features: Lookup | None):
        self.rules, self.features = rules, features


class RealtimeScorer:
    """Scores posted leads with the workspace's rules and saved model, as ``score apply``
    with ``--input`` would, without scanning the workspace per request.

    Parameters
    ----------
    root : Path
        The workspace folder (the saved model lives there).
    tables : dict of str to ibis Table
        The workspace's tables, read once here (as-of date, behaviour table).
    config : Config
    precompute : bool
        Compute every lead's behaviour now (a service: each request is then a lookup);
        otherwise each call reads the behaviour of the posted leads only (one query).
    """

    def __init__(
        self, root: Path, tables: dict[str, ir.Table], config: Config, precompute: bool = True
    ):
        self.root, self.config, self.precompute = Path(root), config, precompute
        settings = config.scoring
        self.has_rules = bool(settings.fit or settings.behaviour)
        self.n_fit, self.n_behaviour = len(settings.fit), len(settings.behaviour)
        self.leads_schema = tables["leads"].schema()
        self.as_of = data_end(tables) or datetime.now()
        self.model = self.card = None
        if (self.root / MODEL_DIR / CARD_FILE).exists():
            # the checks of the batch path, once: versions, configuration, model file
            current = feature_specs(tables["leads"], config)
            self.model, self.card = load_model(self.root, current, strict=False, config=config)
        self._behaviour_features = [
            f.name for f in (self.model.features_ if self.model is not None else [])
            if f.source == "behaviour"
        ]  # fmt: skip
        self._plans: OrderedDict[tuple, str] = OrderedDict()
        self._behaviours: OrderedDict[datetime, _Behaviour] = OrderedDict()
        self._lock = threading.Lock()  # the plans
        self._behaviour_lock = threading.Lock()  # a behaviour table being made: seconds
        # one in-process connection on one thread (a one-row query: threads only cost)
        self._local = duckdb.connect(":memory:", config={"threads": 1})
        self._local_lock = threading.Lock()
        if precompute:
            self._behaviours[self.as_of] = self._behaviour(tables, self.as_of, None)

    # ---------------------------------------------------------------- engine side, once
    def _behaviour(
        self, tables: dict[str, ir.Table], as_of: datetime, ids: list[str] | None
    ) -> _Behaviour:
        """Per lead: each behaviour rule's points and the model's behaviour features at
        ``as_of`` (every lead, or only ``ids``), by the batch path's own expressions."""
        settings = self.config.scoring
        rules = features = None
        leads = tables["leads"]
        if settings.behaviour:
            pts = _behaviour_points(tables, leads, settings, as_of)
            if ids is not None:
                pts = pts.filter(pts._lid.isin(ids))
            names = [f"rule_{self.n_fit + j}" for j in range(self.n_behaviour)]
            rules = Lookup(pts.to_pyarrow(), "_lid", dict.fromkeys(names, 0.0))
        if self._behaviour_features:
            window = self.config.scoring.model.window_days
            facts = behaviour_facts(tables, leads, self.config, as_of)
            if ids is not None:
                facts = facts.filter(facts._lid.isin(ids))
            at = ibis.literal(as_of, "timestamp")
            facts = facts.mutate(
                days_since_last_touch=(at.epoch_seconds() - facts._last.epoch_seconds())
                / 86400.0
            )
            wanted = self._behaviour_features
            facts = facts.select("_lid", **{b: facts[b].cast("float64") for b in wanted})
            defaults = {b: (float(window) if b == "days_since_last_touch" else 0.0)
                        for b in wanted}  # fmt: skip
            features = Lookup(facts.to_pyarrow(), "_lid", defaults)
        return _Behaviour(rules, features)

    def behaviour(self, as_of: datetime, tables: Tables | None, ids: list[str]) -> _Behaviour:
        """The behaviour of ``ids`` (precompute=False) or of every lead at ``as_of``, made
        with ``tables()`` when the scorer holds none for that date."""
        if not self.precompute:
            if tables is None:
                raise ValueError("a scorer made with precompute=False needs the tables")
            return self._behaviour(tables(), as_of, ids)
        hit = self._behaviours.get(as_of)  # the usual case: no lock to wait on
        if hit is not None:
            return hit
        with self._behaviour_lock:
            hit = self._behaviours.get(as_of)
            if hit is not None:
                return hit
            if tables is None:
                raise ValueError(f"no behaviour table as of {as_of} and no tables to build it")
            made = self._behaviour(tables(), as_of, None)
            self._behaviours[as_of] = made
            while len(self._behaviours) > 4:  # other dates: a few, the default one kept
                del self._behaviours[next(d for d in self._behaviours if d != self.as_of)]
            return made

    # ---------------------------------------------------------------- per shape of records
    def _plan(self, schema: pa.Schema) -> str:
        """The SQL of the fit rules and the model's attribute features over the posted
        rows (table ``__posted``), compiled from the batch path's expressions once per
        shape of the records."""
        key = tuple((f.name, str(f.type)) for f in schema)
        with self._lock:
            sql = self._plans.get(key)
            if sql is not None:
                self._plans.move_to_end(key)
                return sql
        posted = ibis.table(ibis.Schema.from_pyarrow(schema), name=POSTED)
        settings = self.config.scoring
        fit_only = settings.model_copy(update={"behaviour": []})
        fit = RulesScorer(scoring=fit_only, icp=self.config.icp).score_table(
            {"leads": posted}, as_of=_UNUSED, leads=posted, detail=True
        )
        expr = fit.select(
            "lead_id",
            __fit=fit.rules_score,
            **{f"__rule_{i}": fit[f"rule_{i}"] for i in range(self.n_fit)},
        )
        if self.model is not None:
            check_features(self.card, feature_specs(posted, self.config), strict=False)
            specs = [f for f in self.model.features_ if f.source != "behaviour"]
            feats = posted.select(__lid=posted.lead_id, **attribute_columns(
                posted, self.config, specs))  # fmt: skip
            expr = expr.left_join(feats, expr.lead_id == feats["__lid"]).drop("__lid")
        sql = ibis.to_sql(expr.order_by("lead_id"), dialect="duckdb")
        with self._lock:
            self._plans[key] = sql
            while len(self._plans) > 32:
                self._plans.popitem(last=False)
        return sql

    def _run(self, sql: str, data: pa.Table) -> pa.Table:
        with self._local_lock:
            self._local.register(POSTED, data)
            try:
                return self._local.execute(sql).to_arrow_table()
            finally:
                self._local.unregister(POSTED)

    # ---------------------------------------------------------------- a request
    def score(
        self,
        records: list[dict],
        *,
        file: str,
        as_of: datetime | None = None,
        reasons: bool = True,
        tables: Tables | None = None,
    ) -> ScoreResult:
        """Score ``records`` (JSON objects in the canonical leads layout) as of ``as_of``
        (default: the scorer's, the last date in the data). ``file`` names the records in
        problems and warnings; ``tables()`` gives the workspace's tables, needed for another
        as-of date (or with ``precompute=False``). Raises what an ingest of them as a file would."""
        data, warnings = typed_leads(records_frame(records, file), self.config,
                                     self.leads_schema)  # fmt: skip
        if self.model is not None:  # as the batch path says it (_features_unknown)
            warnings += features_unknown_notice([
                f.name for f in self.model.features_ if f.source == "attribute"
                and f.name in data.column_names and data[f.name].null_count == len(data)
            ])  # fmt: skip
        as_of = self.as_of if as_of is None else as_of
        rows = self._run(self._plan(data.schema), data)
        ids = rows["lead_id"].to_pylist()
        settings = self.config.scoring
        behaviour = None
        if settings.behaviour or self._behaviour_features:
            behaviour = self.behaviour(as_of, tables, ids)
        cols: dict[str, pa.Array | np.ndarray] = {"lead_id": rows["lead_id"]}
        total = rows["__fit"].to_numpy()
        for i in range(self.n_fit):
            cols[f"__rule_{i}"] = rows[f"__rule_{i}"]
        if settings.behaviour:
            found = behaviour.rules.rows(ids)
            for j in range(self.n_behaviour):
                name = f"rule_{self.n_fit + j}"
                points = behaviour.rules.values(name, found)
                cols[f"__{name}"] = points
                total = total + points  # the batch's order of additions: same float sums
        cols["__rules_score"] = total
        cols["__scored_mql"] = total >= settings.threshold
        if self.model is not None:
            # a Lookup of no row is falsy (len 0: a workspace without touchpoints): tested
            # with `is not None`, the model's behaviour features are its defaults there
            features = behaviour.features if behaviour is not None else None
            found = features.rows(ids) if features is not None else None
            for f in self.model.features_:
                if f.source == "behaviour":
                    cols[f.name] = features.values(f.name, found)
                else:
                    cols[f.name] = rows[f.name]
        data = pa.table({k: (v if isinstance(v, pa.Array | pa.ChunkedArray) else pa.array(v))
                         for k, v in cols.items()})  # fmt: skip
        return finish_scores(
            data, self.config, as_of=as_of, model=self.model, card=self.card,
            n_rules=self.n_fit + self.n_behaviour, reasons=reasons, warnings=warnings,
        )  # fmt: skip
