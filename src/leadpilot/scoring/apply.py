"""Scoring every lead of the workspace, or a new file of leads in the canonical layout.

Output columns: lead_id, score (0-100), probability (model), rules_score, scored_mql,
band (A/B/C/D) and reason_1..3 (feature and direction).
- score = round(100 x probability) when a model is trained; otherwise the rules score
  clipped to 0-100;
- band: see bands.py; by default quantile bands (A the top 10 %, B the next 20 %, C the
  next 30 %, D the rest) of the model's training leads (cut-offs in the model card) or of
  the scored leads' rules_score; fixed cut-offs on the score when scoring.bands is set;
- reasons: the model's three largest contributions to the log-odds (see model.py for
  how each model computes them); without a model, the three rules giving the most points
  in absolute value. The values of personal fields are never shown.
Every lead is scored at one as-of date: by default the last date in the data.

The features and the rules score are computed in the engine in one query, ordered there;
the model then runs on chunks of CHUNK leads (NumPy, no Python loop over leads), which
drives the progress callback.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa

from .. import engine
from ..config import Config
from ..errors import Notice, Problem, ValidationError
from ..results import Meta, Result, param
from ..schema import LEAD_BOOKKEEPING, SCORES
from ..text import Text
from .bands import LABELS, QUANTILE_RULE, band_codes, model_score, quantile_cuts
from .bands import describe as describe_bands
from .evaluate import RULES_TEXT
from .features import build_features, data_end, feature_specs
from .model import CARD_FILE, MODEL_DIR, load_model
from .rules import RulesScorer, rules_score

# label, total -> tick(n): the shape of sources.load.ProgressFactory
ProgressFactory = Callable[[str, int], Callable[[int], None]]
CHUNK = 100_000

SCORES_TABLE = SCORES.name  # declared in schema.DERIVED
DEFINITIONS = {
    "score": Text(
        "0-100: 100 x the model's probability when a model is trained, otherwise the rules "
        "score clipped to 0-100",
        "0-100 : 100 x la probabilité donnée par le modèle quand un modèle est entraîné, sinon "
        "le score de règles borné à 0-100",
    ),
    "probability": Text(
        "the model's probability that the lead reaches the target stage within the horizon, "
        "given its attributes and its behaviour in the window before the as-of date",
        "probabilité, selon le modèle, que le lead atteigne l'étape cible dans l'horizon, "
        "compte tenu de ses attributs et de son comportement sur la fenêtre qui précède la "
        "date de référence",
    ),
    "band": Text(
        "A / B / C / D by the cut-offs in meta.bands (rule, cut-offs, what they compare and on "
        "which leads they were computed); default: A the top 10 %, B the next 20 %, C the next "
        "30 %, D the rest of the model's training leads (or of the scored leads' rules score); "
        "fixed cut-offs on the score when scoring.bands is set",
        "A / B / C / D selon les bornes de meta.bands (règle, bornes, ce qu'elles comparent et "
        "sur quels leads elles ont été calculées) ; par défaut : A les 10 % les mieux notés, "
        "B les 20 % suivants, C les 30 % suivants, D le reste, parmi les leads d'entraînement "
        "du modèle (ou selon le score de règles des leads scorés) ; bornes fixes sur le score "
        "quand scoring.bands est défini",
    ),
    "reason_1": Text(
        "the features that move this lead's log-odds most (model), or the rules giving it the "
        "most points (no model); sign = direction",
        "les variables qui font le plus varier le log-odds de ce lead (modèle), ou les règles "
        "qui lui donnent le plus de points (sans modèle) ; le signe donne le sens",
    ),
    "rules_score": RULES_TEXT,
}


class ScoreResult(Result):
    """Every lead's score (a frame: one row per lead), the bands and the as-of moment.

    ``meta``: ``as_of`` (the moment scored, ``YYYY-MM-DD HH:MM:SS``), ``score`` (model or
    rules), ``bands`` (rule, cut-offs, shares), ``definitions`` and ``warnings``.
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        as_of: datetime | None,
        source: str,
        warnings: list[str] | None = None,
        bands: dict | None = None,
    ) -> None:
        meta = Meta(
            "score_apply",
            params={"as_of": as_of.isoformat(sep=" ") if as_of else None, "score": source},
            details={"bands": bands or {}},
            definitions=DEFINITIONS,
            warnings=warnings or [],
        )
        super().__init__(None, meta, frame=frame)
        self.as_of = as_of  # the moment itself (the scores table keeps it)

    source = param("score")
    bands = param("bands")


def read_leads_file(path: str | Path, config: Config, workspace_leads: ir.Table) -> tuple[
    ir.Table, list[str]
]:
    """A new file of leads in the canonical layout, typed like an ingest (nothing stored).

    Extra columns are kept (and ignored unless the model or a rule uses them); columns of
    the workspace leads table that the file lacks are read as missing values, with a
    warning. Bad values raise a ValidationError naming file, row, column and value.
    """
    from ..sources.readers import read_file

    data, warnings = typed_leads(read_file(path), config, workspace_leads.schema())
    return ibis.memtable(data), warnings


def typed_leads(frame, config: Config, ws_schema: ibis.Schema) -> tuple[pa.Table, list[str]]:
    """Leads read from a file (or posted records: a ``sources.readers.RawFrame``), mapped,
    parsed and validated as an ingest does; the typed rows (every column of the workspace
    leads table, missing ones as nulls) and the warnings. Bad values raise a
    ValidationError naming file, row, column and value."""
    from ..sources.mapping import canonical_spec, map_columns
    from ..sources.typing import type_mapped

    path = frame.file
    spec = canonical_spec("leads", Path(path))
    mapped, problems = map_columns(frame, spec)
    if problems:
        raise ValidationError(problems, hint="The file must be in the canonical leads layout.")
    typed = type_mapped(mapped, spec, config)
    if typed.issues.num_rows:
        issues = typed.issues.slice(0, 50).to_pylist()
        raise ValidationError(
            [
                Problem(
                    table="leads",
                    file=r["file"],
                    row=r["row"],
                    column=r["column"],
                    value=r["value"],
                    expected=r["expected"],
                )
                for r in issues
            ],
            total=typed.issues.num_rows,
            hint="Fix the file; nothing was scored.",
        )
    ids = typed.data["lead_id"].to_pylist()
    if len(set(ids)) < len(ids):
        seen: set = set()
        dup = []
        for i, v in enumerate(ids):
            if v in seen:
                dup.append(i)
            seen.add(v)
        rows = typed.data["__row"].to_pylist() if "__row" in typed.data.column_names else None
        problems = [
            Problem(
                table="leads",
                file=str(path),
                row=rows[i] if rows else None,
                column="lead_id",
                value=str(ids[i]),
                expected="a lead_id not already in the file",
            )
            for i in dup[:50]
        ]
        raise ValidationError(problems, total=len(dup), hint="Nothing was scored.")
    data = typed.data.drop_columns([c for c in typed.data.column_names if c.startswith("_")])
    warnings = []
    present = set(data.column_names)
    absent = [c for c in ws_schema.names if c not in present]
    for c in absent:
        data = data.append_column(c, pa.nulls(data.num_rows, ws_schema[c].to_pyarrow()))
    in_file = set(mapped.columns) | set(mapped.extras)
    shown = [c for c in ws_schema.names if c not in in_file and c not in LEAD_BOOKKEEPING]
    if shown:
        warnings.append(
            Notice("columns_missing", f"{path}: columns not in the file, read as missing: "
                   f"{', '.join(shown)}")
        )  # fmt: skip
    return data, warnings


def score_leads(
    root: Path,
    tables: dict[str, ir.Table],
    config: Config,
    *,
    as_of: datetime | None = None,
    leads: ir.Table | None = None,
    reasons: bool = True,
    warnings: list[str] | None = None,
    progress: ProgressFactory | None = None,
) -> ScoreResult:
    """Score every counted lead (or the leads of ``leads``, a new file) as of ``as_of``.

    ``progress(label, total)`` returns a ``tick(n)`` function; it is called for the engine
    query (total 1) and for the scoring of the leads (total: the number of leads).
    """
    if as_of is None:
        as_of = data_end(tables) or datetime.now()
    has_model = (Path(root) / MODEL_DIR / CARD_FILE).exists()
    rules = rules_score(tables, config, as_of=as_of, leads=leads, detail=True)
    n_rules = len([c for c in rules.columns if c.startswith("rule_")])
    expr = rules.select("lead_id", **{f"__{c}": rules[c] for c in rules.columns if c != "lead_id"})
    model = card = None
    if has_model:
        current = feature_specs(tables["leads"] if leads is None else leads, config)
        model, card = load_model(root, current, strict=leads is None, config=config)
        names = [f.name for f in model.features_]
        if leads is not None and warnings is not None:
            warnings += _features_unknown(leads, model.features_)
        feats = build_features(tables, config, model.features_, as_of=as_of, leads=leads)
        feats = feats.select(feats.lead_id.name("__lid"), *names)
        expr = expr.left_join(feats, expr.lead_id == feats["__lid"]).drop("__lid")
    tick = progress("features and rules in the engine", 1) if progress else None
    data = expr.order_by("lead_id").to_pyarrow()
    if tick:
        tick(1)
    return finish_scores(
        data, config, as_of=as_of, model=model, card=card, n_rules=n_rules,
        reasons=reasons, warnings=warnings, progress=progress,
    )  # fmt: skip


def _features_unknown(leads: ir.Table, features: list) -> list[Notice]:
    """The model's attribute features that a file of new leads leaves empty (a column it
    lacks, or holds no value of): its leads are scored as if each were unknown, and their
    scores differ from what the same leads score in the workspace — said by name, apart
    from the optional columns nobody needs."""
    attrs = [f.name for f in features if f.source == "attribute" and f.name in leads.columns]
    if not attrs:
        return []
    held = leads.aggregate(**{a: leads[a].count() for a in attrs}).to_pyarrow().to_pylist()[0]
    return features_unknown_notice([a for a in attrs if not held[a]])


def features_unknown_notice(empty: list[str]) -> list[Notice]:
    """The notice of :func:`_features_unknown` (the real-time scorer's too)."""
    if not empty:
        return []
    return [Notice(
        "features_missing",
        f"the scoring model reads {', '.join(empty)}, which the file leaves empty: its leads "
        "are scored as if that value were unknown, so their scores differ from what the same "
        "leads score with it; add the column(s) to the file",
    )]  # fmt: skip


def finish_scores(
    data: pa.Table,
    config: Config,
    *,
    as_of: datetime,
    model=None,
    card: dict | None = None,
    n_rules: int,
    reasons: bool = True,
    warnings: list[str] | None = None,
    progress: ProgressFactory | None = None,
) -> ScoreResult:
    """Scores, bands and reasons from the engine's rows (in lead_id order): lead_id,
    ``__rules_score``, ``__scored_mql``, ``__rule_<i>`` and the model's features. Shared by
    :func:`score_leads` and the real-time scorer (scoring/realtime.py), so both give the
    same answer for the same rows."""
    warnings = list(warnings or [])
    settings = config.scoring
    has_rules = bool(settings.fit or settings.behaviour)
    names = [f.name for f in model.features_] if model is not None else []
    n = data.num_rows
    rules_pts = data["__rules_score"].to_numpy()
    # the columns first, the frame once (a frame grown column by column costs more than
    # the scoring of a lead posted in real time)
    out: dict[str, object] = {"lead_id": data["lead_id"].to_pandas()}
    texts: list[list[pa.Array]] = [[], [], []]
    if model is not None:
        X = data.select(names).to_pandas()
        p = np.empty(n)
        tick = progress("scoring leads", n) if progress else None
        for start in range(0, n, CHUNK):
            part = X.iloc[start : start + CHUNK]
            if reasons:
                p[start : start + len(part)], cols = model.explain(part, 3)
                for k, c in enumerate(cols):
                    texts[k].append(c)
            else:
                p[start : start + len(part)] = model.predict_proba(part)[:, 1]
            if tick:
                tick(len(part))
        out["score"] = model_score(p).astype(int)
        out["probability"] = p
    else:
        if not has_rules:
            warnings.append(Notice("no_scoring", "no model and no scoring rules: every score is 0"))
        out["score"] = np.rint(np.clip(rules_pts, 0, 100)).astype(int)
        out["probability"] = np.full(n, np.nan)
        if reasons:
            pts = np.zeros((n, n_rules))
            for j in range(n_rules):
                pts[:, j] = data[f"__rule_{j}"].to_numpy()
            # the rules' labels, a personal value never shown (scoring.rules.RulesScorer)
            for k, c in enumerate(RulesScorer.from_config(config).explain_points(pts, 3)):
                texts[k].append(c)
    out["rules_score"] = rules_pts
    out["scored_mql"] = (
        data["__scored_mql"].to_numpy() if has_rules else np.zeros(n, bool)
    )
    out["band"], bands = _bands(out, n, settings.bands, card, warnings)
    if reasons:
        for k in range(3):
            col = pa.chunked_array(texts[k], pa.string()) if texts[k] else pa.nulls(n, pa.string())
            out[f"reason_{k + 1}"] = col.to_pandas()
    return ScoreResult(
        frame=pd.DataFrame(out),
        as_of=as_of,
        source="model" if model is not None else "rules",
        warnings=warnings,
        bands=bands,
    )


def _bands(
    out: dict, n: int, fixed: list[float] | None, card: dict | None, warnings: list[str]
) -> tuple[np.ndarray, dict]:
    """Each lead's band and the bands' meta (rule, cut-offs, what they compare, on what,
    and the share of the scored leads in each band); ``out``: the ``n`` leads' score,
    probability and rules_score columns."""
    if fixed is not None:
        cuts, value = list(fixed), np.asarray(out["score"])
        meta = describe_bands("fixed cut-offs (scoring.bands)", cuts, "score", None)
    elif card is not None:
        # the score as shown: two leads shown the same score share a band (a card of an
        # earlier leadpilot holds cut-offs on 100 x probability: compared the same way)
        value = np.asarray(out["score"])
        if card.get("bands"):
            meta = dict(card["bands"])
            cuts = [meta["cuts"][b] for b in ("A", "B", "C")]
        else:
            cuts = quantile_cuts(value)
            meta = describe_bands(
                QUANTILE_RULE, cuts, "score", f"the {n:,} leads scored now"
            )
            warnings.append(Notice(
                "bands_recomputed",
                "the model card holds no band cut-offs (a model trained by an earlier "
                "leadpilot): bands are quantiles of the leads scored now; retrain to fix them",
            ))  # fmt: skip
    else:
        value = np.asarray(out["rules_score"])
        cuts = quantile_cuts(value)
        meta = describe_bands(
            QUANTILE_RULE, cuts, "rules_score", f"the {n:,} leads scored now"
        )
    codes = band_codes(value, cuts)
    shares = np.bincount(codes, minlength=4) / max(n, 1)
    meta["shares"] = dict(zip(LABELS, shares.tolist(), strict=True))
    return np.array(LABELS, dtype=object)[codes], meta


def store_scores(
    con: ibis.BaseBackend, result: ScoreResult, progress: ProgressFactory | None = None
) -> None:
    """Keep the last workspace scores in the ``scores`` table (the score_band dimension)."""
    tick = progress("storing the scores", 1) if progress else None
    df = result.frame[["lead_id", "score", "probability", "rules_score", "band"]].copy()
    df["probability"] = df["probability"].astype("float64")
    df["score"] = df["score"].astype("float64")
    df["scored_at"] = pd.Timestamp(result.as_of)
    df["source"] = result.source
    data = pa.Table.from_pandas(df, preserve_index=False)
    # Bulk load (COPY on PostgreSQL), all or nothing: a failed write keeps the last scores.
    backend = engine.Backend.of(con)
    with backend.transaction():
        backend.create(SCORES, overwrite=True)
        backend.upsert(SCORES.name, data, SCORES.key)
    if tick:
        tick(1)
