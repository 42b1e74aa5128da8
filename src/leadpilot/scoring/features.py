"""The feature table of the predictive model, built in the engine.

Scoring date (what the model may see):
- training and evaluation: each lead is scored at ``created_at + observation_days``
  (scoring.model.observation_days); its touches after that date are never read;
- apply: every lead is scored at one as-of date (by default the last date in the data).

Features, one row per lead:
- attributes: every lead column (canonical optional columns and any extra attribute)
  except the keys and bookkeeping columns, typed dates, ``scoring.model.exclude`` and what
  the leakage guard leaves out (personal data, identifiers, dates as text, outcome-like
  fields: see guard.py; ``scoring.model.include`` forces a column in); numbers are
  numeric, the rest categorical (missing values are imputed by the model pipeline, not
  here);
- icp_fit when an ICP is configured;
- behaviour in the ``window_days`` before the scoring date (never after it):
  ``n_<type>`` touches of each type, ``touches``, ``channels_touched`` and
  ``days_since_last_touch`` (``window_days`` when there was no touch in the window).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

import ibis
import ibis.expr.types as ir
import pandas as pd

from ..config import Config
from ..errors import UsageError
from ..metrics.asof import workspace_as_of
from ..metrics.model import counted_leads, icp_fit, lead_model
from ..schema import LEAD_BOOKKEEPING, TOUCHPOINT_TYPES
from .guard import DATE, PERSONAL, LeftOut, name_reason, value_reasons
from .rules import scoring_date, touches_until

# Never features and never listed: the keys and the bookkeeping of the leads table.
NOT_FEATURES = frozenset({"lead_id", "created_at", "referrer", *LEAD_BOOKKEEPING})
BEHAVIOUR = [f"n_{t}" for t in TOUCHPOINT_TYPES] + [
    "touches",
    "channels_touched",
    "days_since_last_touch",
]


@dataclass(frozen=True)
class Feature:
    name: str
    kind: str  # "numeric" or "categorical"
    source: str  # "attribute", "icp" or "behaviour"
    personal: bool = False  # personal data forced in by scoring.model.include: value hidden

    def as_dict(self) -> dict:
        out = asdict(self)
        if not self.personal:  # cards of models without personal features keep their shape
            del out["personal"]
        return out


def _is_key(name: str) -> bool:
    return name in NOT_FEATURES or name.startswith("_")


def feature_specs(leads: ir.Table, config: Config) -> list[Feature]:
    """Every lead column that can be a feature by its type, and of which kind (numbers
    numeric, the rest categorical), plus icp_fit and the behaviour counts.

    Keys, bookkeeping, typed dates and ``scoring.model.exclude`` are left out; the
    leakage guard is not applied (see ``choose_features``): this is the list a saved
    model's features are checked against.
    """
    excluded = set(config.scoring.model.exclude)
    out = []
    for name, typ in leads.schema().items():
        if _is_key(name) or name in excluded or typ.is_temporal():
            continue
        kind = "numeric" if typ.is_numeric() else "categorical"
        out.append(Feature(name, kind, "attribute"))
    if config.icp:
        out.append(Feature("icp_fit", "categorical", "icp"))
    out += [Feature(b, "numeric", "behaviour") for b in BEHAVIOUR]
    return out


@dataclass
class FeatureChoice:
    """The features the model learns from and the columns the leakage guard left out."""

    features: list[Feature]
    left_out: list[LeftOut] = field(default_factory=list)
    forced: list[LeftOut] = field(default_factory=list)  # kept by scoring.model.include

    def card(self) -> dict:
        """The model card's account of the guard."""
        return {
            "left_out": [c.as_dict() for c in self.left_out],
            "included_despite_guard": [c.as_dict() for c in self.forced],
        }


def choose_features(leads: ir.Table, config: Config, *, check_values: bool = True) -> FeatureChoice:
    """The features of a new model: ``feature_specs`` minus what the leakage guard leaves
    out (by name, and by the values of text columns unless ``check_values`` is false),
    plus what ``scoring.model.include`` forces back in.

    Raises UsageError when ``include`` names a column that is not in the leads table or can
    never be a feature (a key, a typed date, a bookkeeping column).
    """
    include = list(config.scoring.model.include)
    schema = leads.schema()
    unknown = [c for c in include if c not in schema.names]
    if unknown:
        available = ", ".join(n for n in schema.names if not _is_key(n))
        raise UsageError(
            f"scoring.model.include names column(s) the leads table does not have: "
            f"{', '.join(unknown)}; available: {available}"
        )
    never = [c for c in include if _is_key(c) or schema[c].is_temporal()]
    if never:
        raise UsageError(
            f"scoring.model.include: {', '.join(never)} can never be a feature (a key, a "
            "bookkeeping column or a typed date: the scoring date differs between training "
            "and apply); remove it from include"
        )
    candidates = feature_specs(leads, config)
    found: dict[str, tuple[str, str]] = {}
    for f in candidates:
        if f.source == "attribute" and (r := name_reason(f.name)) is not None:
            found[f.name] = r
    if check_values:
        text = [
            f.name
            for f in candidates
            if f.source == "attribute" and f.kind == "categorical" and f.name not in found
            and schema[f.name].is_string()
        ]
        found.update(value_reasons(leads, text))
    excluded = set(config.scoring.model.exclude)
    left = [
        LeftOut(n, DATE, "a date column: dates are not features (behaviour is counted from "
                "the touchpoints before the scoring date)")
        for n, t in schema.items()
        if t.is_temporal() and not _is_key(n) and n not in excluded
    ]
    forced, features = [], []
    for f in candidates:
        r = found.get(f.name)
        if r is None:
            features.append(f)
        elif f.name in include:
            forced.append(LeftOut(f.name, *r))
            features.append(Feature(f.name, f.kind, f.source, personal=r[0] == PERSONAL))
        else:
            left.append(LeftOut(f.name, *r))
    return FeatureChoice(features, left, forced)


def build_features(
    tables: dict[str, ir.Table],
    config: Config,
    specs: list[Feature],
    *,
    as_of: datetime | None = None,
    days_after_creation: int | None = None,
    leads: ir.Table | None = None,
) -> ir.Table:
    """lead_id, created_at, scoring_at and the features of ``specs``, one row per lead."""
    window = config.scoring.model.window_days
    base = counted_leads(tables["leads"]) if leads is None else leads
    base = base.mutate(
        scoring_at=scoring_date(base, as_of=as_of, days_after_creation=days_after_creation)
    )
    frame = base.select("lead_id", "created_at", "scoring_at", **attribute_columns(
        base, config, specs))  # fmt: skip

    # No leakage: only the touches of the window that ends at the scoring date.
    fixed = as_of if days_after_creation is None else None
    facts = behaviour_facts(tables, base, config, fixed)
    frame = frame.left_join(facts, frame.lead_id == facts._lid).drop("_lid")
    since = (frame.scoring_at.epoch_seconds() - frame._last.epoch_seconds()) / 86400.0
    frame = frame.mutate(days_since_last_touch=since).drop("_last")
    return frame.mutate(**behaviour_fills(frame, window))


def attribute_columns(base: ir.Table, config: Config, specs: list[Feature]) -> dict:
    """The attribute and icp_fit features of ``specs`` as expressions on the leads
    ``base``: numbers as float64, the rest as text, a column ``base`` lacks as null."""
    attrs = {}
    for f in specs:
        if f.source == "attribute":
            if f.name not in base.columns:
                attrs[f.name] = ibis.null("float64" if f.kind == "numeric" else "string")
            else:
                col = base[f.name]
                attrs[f.name] = col.cast("float64") if f.kind == "numeric" else col.cast("string")
        elif f.source == "icp":
            attrs[f.name] = icp_fit(base, config.icp)
    return attrs


def behaviour_facts(
    tables: dict[str, ir.Table], base: ir.Table, config: Config, as_of: datetime | None
) -> ir.Table:
    """Per lead (``_lid``, the lead the touches count for): ``_last`` touch, ``touches``,
    ``channels_touched`` and ``n_<type>``, over the touches of the ``window_days`` that
    end at the scoring date (``as_of``, or each lead's ``scoring_at`` in ``base``)."""
    window = config.scoring.model.window_days
    tp = touches_until(tables, base, "scoring_at", as_of, window_days=window)
    return tp.group_by(_lid=tp.lead_key).aggregate(
        _last=tp.ts.max(),
        touches=tp.count(),
        channels_touched=tp.channel.nunique(),
        **{f"n_{t}": (tp.type == t).sum() for t in TOUCHPOINT_TYPES},
    )


def behaviour_fills(frame: ir.Table, window: int) -> dict:
    """The behaviour features as float64, a lead without touches in the window at 0 (and
    ``days_since_last_touch`` at the window's length)."""
    return {
        b: frame[b].cast("float64").fill_null(0.0 if b != "days_since_last_touch" else window)
        for b in BEHAVIOUR
    }


def data_end(tables: dict[str, ir.Table]) -> datetime | None:
    """The last date in the data: the workspace's one as-of date, shared with every
    analysis (:func:`leadpilot.metrics.asof.workspace_as_of`)."""
    return workspace_as_of(tables)


def labelled_features(
    tables: dict[str, ir.Table],
    config: Config,
    specs: list[Feature],
    *,
    target: str,
    horizon_days: int,
) -> tuple[pd.DataFrame, dict]:
    """Features at each lead's scoring date, with its outcome, for the leads whose outcome
    is known: created at least ``horizon_days`` before the end of the data (0: all).

    Returns the frame (features + label + reached_sal / reached_sql / reached_mql) and a
    description of the population.
    """
    settings = config.scoring.model
    end = data_end(tables)
    if end is None:
        raise UsageError("the workspace holds no leads; ingest data before training")
    feats = build_features(tables, config, specs, days_after_creation=settings.observation_days)
    model = lead_model(tables, implied=config.stages.implied)
    outcome = model.select(
        _lid=model.lead_id,
        _target_at=model[f"{target}_at"],
        reached_mql=model.mql_at.notnull(),
        reached_sal=model.sal_at.notnull(),
        reached_sql=model.sql_at.notnull(),
    )
    t = feats.join(outcome, feats.lead_id == outcome._lid).drop("_lid")
    if horizon_days > 0:
        limit = t.created_at + ibis.interval(days=horizon_days)
        t = t.filter(limit <= ibis.literal(end, "timestamp"))
        label = t._target_at.notnull() & (t._target_at <= limit)
    else:
        label = t._target_at.notnull()
    t = t.mutate(label=ibis.ifelse(label, 1, 0)).drop("_target_at")
    df = t.order_by(["created_at", "lead_id"]).to_pandas()
    counted = counted_leads(tables["leads"])
    total, last_created = counted.aggregate(
        n=counted.count(), last=counted.created_at.max()
    ).execute().iloc[0]
    info = {
        "target": target,
        "horizon_days": horizon_days,
        "data_end": end.isoformat(sep=" "),
        "leads_total": int(total),
        "leads_known_outcome": len(df),
        "leads_too_young": int(total) - len(df),
        # 0 when nothing happened after the last lead was created: outcomes look final
        "days_after_last_creation": (end - pd.Timestamp(last_created).to_pydatetime()).days
        if total
        else None,
        "positives": int(df["label"].sum()) if len(df) else 0,
    }
    return df, info
