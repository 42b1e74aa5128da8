"""Scoring every lead of the workspace, or a new file of leads in the canonical layout.

Output columns: lead_id, score (0-100), probability (model), rules_score, scored_mql,
band (A/B/C/D) and reason_1..3 (feature and direction).
- score = round(100 x probability) when a model is trained; otherwise the rules score
  clipped to 0-100;
- band: A when score >= bands[0], B >= bands[1], C >= bands[2], D below
  (scoring.bands, default 75 / 50 / 25);
- reasons: the model's three largest contributions to the log-odds (see model.py for
  how each model computes them); without a model, the three rules giving the most points
  in absolute value.
Every lead is scored at one as-of date: by default the last date in the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa

from .. import engine
from ..config import Config
from ..errors import Problem, ValidationError
from .features import data_end, feature_specs
from .model import CARD_FILE, MODEL_DIR, load_model
from .rules import RULES_DEFINITION, rule_labels, rules_score

SCORES_TABLE = "scores"
DEFINITIONS = {
    "score": "0-100: 100 x the model's probability when a model is trained, otherwise the "
    "rules score clipped to 0-100",
    "probability": "the model's probability that the lead reaches the target stage within "
    "the horizon, given its attributes and its behaviour in the window before the as-of date",
    "band": "A: score >= scoring.bands[0], B: >= bands[1], C: >= bands[2], D: below",
    "reason_1": "the features that move this lead's log-odds most (model), or the rules "
    "giving it the most points (no model); sign = direction",
    "rules_score": RULES_DEFINITION,
}


@dataclass
class ScoreResult:
    frame: pd.DataFrame
    as_of: datetime | None
    source: str  # "model" or "rules"
    warnings: list[str] = field(default_factory=list)

    @property
    def rows(self) -> list[dict]:
        df = self.frame.astype(object).where(self.frame.notna(), None)
        return df.to_dict(orient="records")

    def to_json(self) -> dict:
        return {
            "rows": self.rows,
            "meta": {
                "as_of": self.as_of.isoformat(sep=" ") if self.as_of else None,
                "score": self.source,
                "definitions": DEFINITIONS,
                "warnings": self.warnings,
            },
        }


def band(score: np.ndarray, cuts: list[float]) -> np.ndarray:
    s = np.asarray(score, dtype=float)
    out = np.full(s.shape, "D", dtype=object)
    for label, cut in zip(("C", "B", "A"), cuts[::-1], strict=True):
        out[s >= cut] = label
    return out


def read_leads_file(path: str | Path, config: Config, workspace_leads: ir.Table) -> tuple[
    ir.Table, list[str]
]:
    """A new file of leads in the canonical layout, typed like an ingest (nothing stored).

    Extra columns are kept (and ignored unless the model or a rule uses them); columns of
    the workspace leads table that the file lacks are read as missing values, with a
    warning. Bad values raise a ValidationError naming file, row, column and value.
    """
    from ..sources.mapping import canonical_spec, map_columns
    from ..sources.readers import read_file
    from ..sources.typing import type_mapped

    spec = canonical_spec("leads", Path(path))
    frame = read_file(path)
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
    ids = typed.data["lead_id"].to_pandas()
    dup = ids.duplicated(keep="first").to_numpy()
    if dup.any():
        rows = typed.data["__row"].to_pylist() if "__row" in typed.data.column_names else None
        problems = [
            Problem(
                table="leads",
                file=str(path),
                row=rows[i] if rows else None,
                column="lead_id",
                value=str(ids.iloc[i]),
                expected="a lead_id not already in the file",
            )
            for i in np.flatnonzero(dup)[:50]
        ]
        raise ValidationError(problems, total=int(dup.sum()), hint="Nothing was scored.")
    data = typed.data.drop_columns([c for c in typed.data.column_names if c.startswith("__")])
    data = data.drop_columns([c for c in data.column_names if c.startswith("_")])
    warnings = []
    ws_schema = workspace_leads.schema()
    absent = [c for c in ws_schema.names if c not in data.column_names]
    for c in absent:
        data = data.append_column(c, pa.nulls(data.num_rows, ws_schema[c].to_pyarrow()))
    in_file = set(mapped.columns) | set(mapped.extras)
    bookkeeping = {"email_norm", "merged_into", "merge_reason", "excluded_reason"}
    bookkeeping.add("channel_derived")
    shown = [c for c in ws_schema.names if c not in in_file and c not in bookkeeping]
    if shown:
        warnings.append(f"{path}: columns not in the file, read as missing: {', '.join(shown)}")
    return ibis.memtable(data), warnings


def score_leads(
    root: Path,
    tables: dict[str, ir.Table],
    config: Config,
    *,
    as_of: datetime | None = None,
    leads: ir.Table | None = None,
    reasons: bool = True,
    warnings: list[str] | None = None,
) -> ScoreResult:
    warnings = list(warnings or [])
    if as_of is None:
        as_of = data_end(tables) or datetime.now()
    settings = config.scoring
    has_rules = bool(settings.fit or settings.behaviour)
    rules = rules_score(tables, config, as_of=as_of, leads=leads, detail=True).to_pandas()
    rules = rules.sort_values("lead_id", kind="stable").reset_index(drop=True)
    has_model = (Path(root) / MODEL_DIR / CARD_FILE).exists()
    out = pd.DataFrame({"lead_id": rules["lead_id"]})
    if has_model:
        from .features import build_features

        current = feature_specs(tables["leads"] if leads is None else leads, config)
        model, card = load_model(root, current, strict=leads is None)
        feats = build_features(tables, config, model.features, as_of=as_of, leads=leads)
        X = feats.to_pandas().set_index("lead_id").reindex(out["lead_id"]).reset_index()
        p = model.predict_proba(X)[:, 1] if len(X) else np.array([])
        out["score"] = np.rint(p * 100).astype(int)
        out["probability"] = p
    else:
        if not has_rules:
            warnings.append("no model and no scoring rules: every score is 0")
        out["score"] = np.rint(np.clip(rules["rules_score"].to_numpy(), 0, 100)).astype(int)
        out["probability"] = np.nan
    out["rules_score"] = rules["rules_score"].to_numpy()
    out["scored_mql"] = rules["scored_mql"].to_numpy() if has_rules else False
    out["band"] = band(out["score"].to_numpy(), settings.bands)
    if reasons:
        if has_model:
            texts = model.reasons(X, 3) if len(X) else []
        else:
            texts = _rule_reasons(rules, rule_labels(settings))
        for k in range(3):
            out[f"reason_{k + 1}"] = [r[k] if len(r) > k else None for r in texts]
    return ScoreResult(
        frame=out, as_of=as_of, source="model" if has_model else "rules", warnings=warnings
    )


def _rule_reasons(rules: pd.DataFrame, labels: list[str]) -> list[list[str]]:
    if not labels:
        return [[] for _ in range(len(rules))]
    pts = rules[[f"rule_{i}" for i in range(len(labels))]].to_numpy(dtype=float)
    order = np.argsort(-np.abs(pts), axis=1)[:, :3]
    return [
        [f"{labels[j]} ({pts[i, j]:+g})" for j in row if pts[i, j] != 0]
        for i, row in enumerate(order)
    ]


def store_scores(con: ibis.BaseBackend, result: ScoreResult) -> None:
    """Keep the last workspace scores in the ``scores`` table (the score_band dimension)."""
    df = result.frame[["lead_id", "score", "probability", "rules_score", "band"]].copy()
    df["probability"] = df["probability"].astype("float64")
    df["score"] = df["score"].astype("float64")
    df["scored_at"] = pd.Timestamp(result.as_of)
    df["source"] = result.source
    data = pa.Table.from_pandas(df, preserve_index=False)
    # Bulk load (COPY on PostgreSQL), all or nothing: a failed write keeps the last scores.
    with engine.transaction(con):
        con.create_table(SCORES_TABLE, schema=ibis.Schema.from_pyarrow(data.schema), overwrite=True)
        engine.upsert(con, SCORES_TABLE, data, "lead_id")
