"""Predictive lead scoring: two models with one contract, training, saving, loading.

Contract (scikit-learn style, checked by one test over every model):
``fit(X, y) -> self``, ``predict_proba(X) -> (n, 2) array``, ``contributions(X) -> (n,
n_features)`` log-odds contributions, ``reasons(X, k)``; fitted attributes end in ``_``.

- ``LogisticScorer``: L2-regularised logistic regression on well-encoded features
  (numbers: median imputation + missing indicator, signed log1p, standardisation;
  categories: "(missing)" as its own value, one-hot with rare values pooled and unknown
  values mapped to the pooled value). Fitted by log-loss, so its probabilities are
  calibrated on the training population (the reliability table checks it). A feature's
  contribution is coefficient x (encoded value - its training mean): how far this value
  moves the log-odds away from the average lead.
- ``BoostedScorer``: HistGradientBoostingClassifier (native missing values and
  categories). Its contributions follow each lead down every tree (path attribution, as
  in "treeinterpreter"): at each split, the change in the node's expected log-odds (the
  mean of the leaves below, weighted by their training leads) is credited to the split's
  feature. They add up exactly to the lead's log-odds minus the average lead's, and cost
  one pass over the trees; interactions are credited to the feature split on. When the
  fitted trees cannot be read (another scikit-learn layout), the contribution falls back
  to the change in log-odds when that one feature is set to its typical training value.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import UsageError
from .features import Feature
from .guard import is_personal

FORMAT_VERSION = 1
MODEL_DIR = "models"
MODEL_FILE = "scoring_model.joblib"
CARD_FILE = "scoring_model.json"


def _prepare(X: pd.DataFrame, features: list[Feature]) -> pd.DataFrame:
    """Plain numpy-friendly columns: floats for numbers, objects with NaN for categories."""
    out = {}
    for f in features:
        col = X[f.name] if f.name in X.columns else pd.Series(np.nan, index=X.index)
        if f.kind == "numeric":
            out[f.name] = pd.to_numeric(col, errors="coerce").astype("float64")
        else:
            values = col.astype(object)
            out[f.name] = values.where(col.notna(), np.nan)
    return pd.DataFrame(out, index=X.index)


def _one_thread():
    """OpenMP threads fight over a small shared machine (seconds instead of milliseconds for
    a few thousand leads): the models run on one thread."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def _signed_log1p(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.log1p(np.abs(x))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


class _Scorer:
    kind = "base"

    def __init__(self, features: list[Feature], random_state: int = 0):
        self.features = list(features)
        self.random_state = random_state

    @property
    def feature_names(self) -> list[str]:
        return [f.name for f in self.features]

    def _pipeline(self):  # pragma: no cover - defined by subclasses
        raise NotImplementedError

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> _Scorer:
        y = np.asarray(y).astype(int)
        if len(np.unique(y)) < 2:
            raise UsageError("training needs both outcomes (converted and not) among the leads")
        data = _prepare(X, self.features)
        with _one_thread():
            self.pipeline_ = self._pipeline().fit(data, y)
        self.classes_ = self.pipeline_.classes_
        self.n_features_in_ = len(self.features)
        self._fit_extra(data)
        return self

    def _fit_extra(self, data: pd.DataFrame) -> None:
        pass

    def _check(self) -> None:
        if not hasattr(self, "pipeline_"):
            raise UsageError(f"the {self.kind} model is not trained yet; call fit first")

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        self._check()
        with _one_thread():
            return self.pipeline_.predict_proba(_prepare(X, self.features))

    def contributions(self, X: pd.DataFrame) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def reasons(self, X: pd.DataFrame, k: int = 3) -> list[list[str]]:
        """The k features that move each lead's log-odds most, as 'feature=value (+0.83)'
        (see ``explain``), one list per lead."""
        _, columns = self.explain(X, k)
        if not columns:
            return [[] for _ in range(len(X))]
        lists = [c.to_pylist() for c in columns]
        return [[r for r in row if r is not None] for row in zip(*lists, strict=True)]

    def _proba_from(self, X: pd.DataFrame, contrib: np.ndarray) -> np.ndarray:
        return self.predict_proba(X)[:, 1]

    def explain(self, X: pd.DataFrame, k: int = 3) -> tuple[np.ndarray, list[pa.Array]]:
        """The probability of each lead and its k reasons, from one pass over the
        contributions: k text columns (Arrow), reason i being the i-th largest contribution
        in absolute value, 'feature=value (+0.83)', null when it is below 1e-6.

        The values of personal fields (forced in by scoring.model.include, or named like
        one, whatever the model was trained on) are never shown: 'first_name [personal
        data] (+0.83)'. Numbers show at most two decimals. Built with NumPy and Arrow, no
        Python loop over leads.
        """
        with _one_thread():
            contrib = self.contributions(X)
            p = self._proba_from(X, contrib)
        values = [self._value_codes(X, f) for f in self.features]
        return p, top_reasons(contrib, values, k, "({:+.2f})", min_abs=1e-6)

    def _value_codes(self, X: pd.DataFrame, f: Feature):
        """A function rows -> (label code per row, labels) for feature ``f``: the labels of
        the distinct values among those rows, 'name=value', 'name=missing', or one label
        for a personal field."""
        col = X[f.name] if f.name in X.columns else pd.Series(np.nan, index=X.index)
        if f.personal or is_personal(f.name):
            return lambda at: (np.zeros(len(at), dtype=np.int64), [f"{f.name} [personal data]"])
        if f.kind == "numeric":
            x = np.round(pd.to_numeric(col, errors="coerce").to_numpy(dtype="float64"), 2)

            def numeric(at: np.ndarray):
                uniq, inverse = np.unique(x[at], return_inverse=True)  # NaN sorts last
                texts = [
                    f"{f.name}=missing" if np.isnan(u) else f"{f.name}={u:g}" for u in uniq
                ]
                return inverse.astype(np.int64), texts

            return numeric
        codes, uniques = pd.factorize(col, use_na_sentinel=True)
        texts = [f"{f.name}={u}" for u in uniques] + [f"{f.name}=missing"]
        codes = np.where(codes < 0, len(uniques), codes).astype(np.int64)
        return lambda at: (codes[at], texts)


class LogisticScorer(_Scorer):
    kind = "logistic"

    def __init__(self, features: list[Feature], C: float = 0.5, random_state: int = 0):
        super().__init__(features, random_state)
        self.C = C

    def _pipeline(self):
        from sklearn.compose import ColumnTransformer
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

        parts = []
        for f in self.features:
            if f.kind == "numeric":
                steps = Pipeline(
                    [
                        ("impute", SimpleImputer(
                                strategy="median", add_indicator=True, keep_empty_features=True
                            )),
                        ("log", FunctionTransformer(_signed_log1p, feature_names_out="one-to-one")),
                        ("scale", StandardScaler()),
                    ]
                )
            else:
                steps = Pipeline(
                    [
                        ("impute", SimpleImputer(
                                strategy="constant",
                                fill_value="(missing)",
                                keep_empty_features=True,
                            )),
                        (
                            "onehot",
                            OneHotEncoder(
                                handle_unknown="infrequent_if_exist",
                                min_frequency=10,
                                max_categories=40,
                                sparse_output=False,
                            ),
                        ),
                    ]
                )
            parts.append((f.name, steps, [f.name]))
        # One transformer per feature: output_indices_ maps encoded columns back to it.
        prep = ColumnTransformer(parts, sparse_threshold=0.0)
        model = LogisticRegression(C=self.C, max_iter=3000)
        return Pipeline([("prep", prep), ("model", model)])

    def _fit_extra(self, data: pd.DataFrame) -> None:
        prep = self.pipeline_.named_steps["prep"]
        self.encoded_mean_ = np.asarray(prep.transform(data)).mean(axis=0)
        self.coef_ = self.pipeline_.named_steps["model"].coef_[0]
        self.slices_ = [prep.output_indices_[f.name] for f in self.features]
        # log-odds = intercept + coef . z = offset_ + sum of the per-feature contributions
        self.offset_ = float(
            self.pipeline_.named_steps["model"].intercept_[0] + self.coef_ @ self.encoded_mean_
        )
        # Apply speed: a categorical feature's contribution depends on its value only, so it
        # is tabulated once per known value (plus missing and unknown) from the fitted
        # pipeline itself; predictions equal the pipeline's (a test checks it).
        self.tables_, self.numeric_ = {}, {}
        for f, sl in zip(self.features, self.slices_, strict=True):
            step = prep.named_transformers_[f.name]
            if f.kind != "categorical":
                # the numeric pipeline's fitted parameters, applied with NumPy at predict time
                imp, sc = step.named_steps["impute"], step.named_steps["scale"]
                med = imp.statistics_[0]
                self.numeric_[f.name] = (
                    0.0 if np.isnan(med) else float(med),  # keep_empty_features imputes 0
                    imp.indicator_ is not None and len(imp.indicator_.features_) > 0,
                    sc.mean_,
                    sc.scale_,
                    self.coef_[sl],
                    self.encoded_mean_[sl],
                )
                continue
            known = list(step.named_steps["onehot"].categories_[0])
            probe = pd.DataFrame({f.name: [*known, np.nan, _UNKNOWN]}, dtype=object)
            terms = (np.asarray(step.transform(probe)) - self.encoded_mean_[sl]) @ self.coef_[sl]
            self.tables_[f.name] = (known, terms[:-2], terms[-2], terms[-1])

    def contributions(self, X: pd.DataFrame) -> np.ndarray:
        self._check()
        out = np.empty((len(X), len(self.features)))
        for j, f in enumerate(self.features):
            col = X[f.name] if f.name in X.columns else pd.Series(np.nan, index=X.index)
            if f.kind == "categorical":
                known, terms, missing, unknown = self.tables_[f.name]
                out[:, j] = _lookup(col, known, terms, missing, unknown)
            else:
                med, indicator, mean, scale, coef, centre = self.numeric_[f.name]
                x = pd.to_numeric(col, errors="coerce").to_numpy(dtype="float64")
                miss = np.isnan(x)
                cols = [np.where(miss, med, x)] + ([miss.astype("float64")] if indicator else [])
                z = (_signed_log1p(np.column_stack(cols)) - mean) / scale
                out[:, j] = (z - centre) @ coef
        return out

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        self._check()
        with _one_thread():
            p = self._proba_from(X, self.contributions(X))
        return np.column_stack([1 - p, p])

    def _proba_from(self, X: pd.DataFrame, contrib: np.ndarray) -> np.ndarray:
        # log-odds = offset + the sum of the contributions (see _fit_extra)
        return 1 / (1 + np.exp(-(self.offset_ + contrib.sum(axis=1))))

    def coefficients(self) -> list[dict]:
        """Encoded column -> coefficient (on standardised numbers), for the model card."""
        self._check()
        names = self.pipeline_.named_steps["prep"].get_feature_names_out()
        hidden = {f.name for f in self.features if f.personal or is_personal(f.name)}
        out = []
        for n, c in sorted(zip(names, self.coef_, strict=True), key=lambda t: -abs(t[1])):
            feature, column = str(n).split("__", 1)
            if feature in hidden:  # an encoded column names the value: never for personal data
                column = f"{feature} [personal data]"
            out.append({"column": column, "coefficient": round(float(c), 4)})
        return out


class BoostedScorer(_Scorer):
    kind = "boosted"

    def __init__(self, features: list[Feature], max_iter: int = 100, random_state: int = 0):
        super().__init__(features, random_state)
        self.max_iter = max_iter

    def _pipeline(self):
        from sklearn.compose import ColumnTransformer
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import OrdinalEncoder

        parts = []
        for f in self.features:
            if f.kind == "numeric":
                parts.append((f.name, "passthrough", [f.name]))
            else:
                enc = OrdinalEncoder(
                    handle_unknown="use_encoded_value",
                    unknown_value=np.nan,
                    encoded_missing_value=np.nan,
                    min_frequency=10,
                    max_categories=100,
                )
                parts.append((f.name, enc, [f.name]))
        prep = ColumnTransformer(parts, sparse_threshold=0.0)
        model = HistGradientBoostingClassifier(
            max_iter=self.max_iter,
            learning_rate=0.1,
            max_leaf_nodes=15,
            l2_regularization=1.0,
            categorical_features=[f.kind == "categorical" for f in self.features],
            early_stopping=False,
            random_state=self.random_state,
        )
        return Pipeline([("prep", prep), ("model", model)])

    def _fit_extra(self, data: pd.DataFrame) -> None:
        prep = self.pipeline_.named_steps["prep"]
        # Category -> ordinal code, read from the fitted encoders once (rare values share
        # the pooled code, unknown and missing are NaN): the model then runs on a matrix.
        self.codes_ = {}
        for f in self.features:
            if f.kind == "categorical":
                enc = prep.named_transformers_[f.name]
                known = list(enc.categories_[0])
                known = [k for k in known if not (isinstance(k, float) and np.isnan(k))]
                probe = pd.DataFrame({f.name: known}, dtype=object)
                self.codes_[f.name] = (known, np.asarray(enc.transform(probe)).ravel())
        matrix = self._matrix(data)
        self.paths_ = _tree_paths(self.pipeline_.named_steps["model"])
        self.reference_ = np.array(
            [
                np.nanmedian(matrix[:, j])
                if f.kind == "numeric" and np.isfinite(matrix[:, j]).any()
                else _mode(matrix[:, j])
                for j, f in enumerate(self.features)
            ]
        )

    def _matrix(self, X: pd.DataFrame) -> np.ndarray:
        out = np.empty((len(X), len(self.features)))
        for j, f in enumerate(self.features):
            col = X[f.name] if f.name in X.columns else pd.Series(np.nan, index=X.index)
            if f.kind == "categorical":
                known, codes = self.codes_[f.name]
                out[:, j] = _lookup(col, known, codes, np.nan, np.nan)
            else:
                out[:, j] = pd.to_numeric(col, errors="coerce").to_numpy(dtype="float64")
        return out

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        self._check()
        with _one_thread():
            return self.pipeline_.named_steps["model"].predict_proba(self._matrix(X))

    def contributions(self, X: pd.DataFrame) -> np.ndarray:
        self._check()
        model = self.pipeline_.named_steps["model"]
        matrix = self._matrix(X)
        if getattr(self, "paths_", None) is not None:
            return _path_contributions(self.paths_, matrix)
        base = _logit(model.predict_proba(matrix)[:, 1])
        out = np.zeros((len(matrix), len(self.features)))
        for j in range(len(self.features)):
            changed = matrix.copy()
            changed[:, j] = self.reference_[j]
            out[:, j] = base - _logit(model.predict_proba(changed)[:, 1])
        return out


    def _proba_from(self, X: pd.DataFrame, contrib: np.ndarray) -> np.ndarray:
        if getattr(self, "paths_", None) is None:
            return self.predict_proba(X)[:, 1]
        # path contributions add up to the log-odds minus the average lead's
        return 1 / (1 + np.exp(-(self.paths_["bias"] + contrib.sum(axis=1))))


def _tree_paths(model) -> dict | None:
    """Per tree of a fitted HistGradientBoostingClassifier: a copy of its predictor that
    returns the leaf reached (node index as the value) and, for each feature split on, the
    contribution of every leaf's path. None when the fitted layout is not the one known
    (private scikit-learn attributes): contributions then use the slower ablation."""
    import copy

    try:
        known, f_idx_map = model._bin_mapper.make_known_categories_bitsets()
        baseline = float(np.ravel(model._baseline_prediction)[0])
        trees = []
        for (predictor,) in model._predictors:
            nodes = predictor.nodes
            k = len(nodes)
            # expected value of a node: the leaves below it, weighted by training leads;
            # children always come after their parent in the array
            mean = nodes["value"].astype("float64")
            for i in range(k - 1, -1, -1):
                if not nodes["is_leaf"][i]:
                    left, right = nodes["left"][i], nodes["right"][i]
                    n_left, n_right = nodes["count"][left], nodes["count"][right]
                    mean[i] = (n_left * mean[left] + n_right * mean[right]) / (n_left + n_right)
            tables: dict[int, np.ndarray] = {}
            stack: list[tuple[int, dict[int, float]]] = [(0, {})]
            while stack:
                i, credit = stack.pop()
                if nodes["is_leaf"][i]:
                    for f, d in credit.items():
                        tables.setdefault(f, np.zeros(k))[i] = d
                    continue
                f = int(nodes["feature_idx"][i])
                for child in (int(nodes["left"][i]), int(nodes["right"][i])):
                    stack.append((child, {**credit, f: credit.get(f, 0.0) + mean[child] - mean[i]}))
            leaf = copy.copy(predictor)
            leaf.nodes = nodes.copy()
            leaf.nodes["value"] = np.arange(k)
            trees.append((leaf, nodes["value"].astype("float64"), float(mean[0]), tables))
        paths = {"known": known, "f_idx_map": f_idx_map, "trees": trees,
                 "bias": baseline + sum(t[2] for t in trees)}  # fmt: skip
        probe = np.zeros((1, model.n_features_in_))
        _path_contributions(paths, probe)  # fails here, not at apply, if the layout differs
        return paths
    except (AttributeError, TypeError, ValueError, KeyError, IndexError):
        return None


def _path_contributions(paths: dict, matrix: np.ndarray) -> np.ndarray:
    """(n, features) path contributions: one C pass per tree gives each lead's leaf, then
    each feature's credit is read from that tree's table (feature-major, contiguous)."""
    matrix = np.ascontiguousarray(matrix, dtype="float64")
    out = np.zeros((matrix.shape[1], len(matrix)))
    for leaf, _, _, tables in paths["trees"]:
        ids = leaf.predict(matrix, paths["known"], paths["f_idx_map"], 1).astype(np.intp)
        for f, table in tables.items():
            out[f] += table.take(ids)
    return np.ascontiguousarray(out.T)


def top_reasons(
    contrib: np.ndarray,
    values: list[Callable[[np.ndarray], tuple[np.ndarray, list[str]]]],
    k: int,
    sign_format: str,
    *,
    min_abs: float,
) -> list[pa.Array]:
    """Reason i of each row: the label of its i-th largest entry of ``contrib`` in absolute
    value, then the entry formatted by ``sign_format`` ('industry=software (+0.83)'); null
    below ``min_abs``.

    ``values[j](rows)`` gives column j's label code for each of ``rows`` and the labels;
    entries are rounded to hundredths before formatting. Vectorised: the distinct labels
    and numbers are formatted once, Arrow joins the texts.
    """
    n, m = contrib.shape
    k = min(k, m)
    if not n or not k:
        return [pa.nulls(n, pa.string()) for _ in range(k)]
    order = np.argsort(-np.abs(contrib), axis=1, kind="stable")[:, :k]
    rows = np.arange(n)
    out = []
    for r in range(k):
        column = order[:, r]
        c = contrib[rows, column]
        label_idx = np.zeros(n, dtype=np.int64)
        labels: list[str] = []
        for j in np.unique(column):
            at = np.flatnonzero(column == j)
            codes, texts = values[j](at)
            label_idx[at] = len(labels) + codes
            labels += texts
        # hundredths, and the sign apart so that -0.004 still reads (-0.00)
        keys, inverse = np.unique(
            np.rint(c * 100).astype(np.int64) * 2 + (c < 0), return_inverse=True
        )
        signs = [sign_format.format(_hundredths(key)) for key in keys.tolist()]
        label = pa.DictionaryArray.from_arrays(pa.array(label_idx), pa.array(labels, pa.string()))
        sign = pa.DictionaryArray.from_arrays(
            pa.array(inverse.astype(np.int64)), pa.array(signs, pa.string())
        )
        text = pc.binary_join_element_wise(label.cast(pa.string()), sign.cast(pa.string()), " ")
        out.append(pc.if_else(pa.array(np.abs(c) >= min_abs), text, pa.scalar(None, pa.string())))
    return out


def _hundredths(key: int) -> float:
    """Decode 2 x hundredths + (value < 0) back to a number, keeping the sign of zero."""
    h = (key - (key & 1)) // 2
    return h / 100 if h else (-0.0 if key & 1 else 0.0)


_UNKNOWN = "\x00unknown"  # a value no export holds: probes the encoders' unknown branch


def _lookup(
    col: pd.Series, known: list, values: np.ndarray, missing: float, unknown: float
) -> np.ndarray:
    """Vectorised value -> number through a small table (missing and unknown apart)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(col, from_pandas=True)
    if not pa.types.is_string(arr.type):
        arr = pc.cast(arr, pa.string())
    found = pc.index_in(arr, value_set=pa.array([str(k) for k in known], pa.string()))
    codes = found.fill_null(-1).to_numpy(zero_copy_only=False)
    table = np.asarray(values, dtype="float64")
    out = np.where(codes >= 0, table[np.maximum(codes, 0)], unknown)
    return np.where(col.isna().to_numpy(), missing, out)


def _mode(values: np.ndarray) -> float:
    values = values[~np.isnan(values)]
    if not len(values):
        return np.nan
    uniq, counts = np.unique(values, return_counts=True)
    return float(uniq[np.argmax(counts)])


MODELS: dict[str, type[_Scorer]] = {"logistic": LogisticScorer, "boosted": BoostedScorer}


# ------------------------------------------------------------------ split, training
def _hash_unit(ids: pd.Series) -> np.ndarray:
    """A stable pseudo-random number in [0, 1) per lead id (same split on every run)."""
    return np.array([int(hashlib.md5(str(i).encode()).hexdigest()[:8], 16) / 2**32 for i in ids])


def split(df: pd.DataFrame, card_split: dict | None = None) -> tuple[np.ndarray, dict, list[str]]:
    """Assign each row to 'train', 'valid' or 'test'.

    Time-based: the oldest 60 % of leads train, the next 20 % validate (model choice), the
    newest 20 % are held out for evaluation. When creation dates cannot order the leads
    (fewer than 10 distinct dates, or a part without both outcomes) the split falls back to
    a pseudo-random one by a hash of lead_id, with a warning. ``card_split`` replays a
    saved split.
    """
    warnings: list[str] = []
    info = card_split
    if info is None:
        created = pd.to_datetime(df["created_at"])
        n = len(df)
        info = {"kind": "time"}
        if created.nunique() >= 10 and n >= 20:
            ordered = created.sort_values(kind="stable").reset_index(drop=True)
            info["valid_from"] = ordered.iloc[int(n * 0.6)].isoformat()
            info["test_from"] = ordered.iloc[int(n * 0.8)].isoformat()
        else:
            info = {"kind": "hash"}
    part = _assign(df, info)
    if info["kind"] == "time" and card_split is None:
        y = df["label"].to_numpy()
        if any(len(np.unique(y[part == p])) < 2 for p in ("train", "valid", "test")):
            info = {"kind": "hash"}
            part = _assign(df, info)
    if info["kind"] == "hash" and card_split is None:
        warnings.append(
            "creation dates cannot order these leads (too few distinct dates or a period "
            "without both outcomes): train / validation / held-out parts are a pseudo-random "
            "60/20/20 split by a hash of lead_id, not a time-based split; the held-out AUC "
            "may be optimistic if the population drifts over time"
        )
    return part, info, warnings


def _assign(df: pd.DataFrame, info: dict) -> np.ndarray:
    if info["kind"] == "time":
        created = pd.to_datetime(df["created_at"])
        valid_from = pd.Timestamp(info["valid_from"])
        test_from = pd.Timestamp(info["test_from"])
        return np.where(
            created >= test_from, "test", np.where(created >= valid_from, "valid", "train")
        )
    u = _hash_unit(df["lead_id"])
    return np.where(u >= 0.8, "test", np.where(u >= 0.6, "valid", "train"))


def fit_and_choose(
    df: pd.DataFrame,
    features: list[Feature],
    part: np.ndarray,
    status: Callable[[str], None] | None = None,
    kind: str = "auto",
) -> tuple[_Scorer, dict]:
    """Fit both models on the training part, choose by validation AUC (the logistic model
    unless the boosted one is better by more than 0.005: interpretability wins ties), refit
    the choice on train + validation."""
    from sklearn.metrics import roc_auc_score

    y = df["label"].to_numpy()
    tr, va = part == "train", part == "valid"
    validation = {}
    for name, cls in MODELS.items():
        if kind not in ("auto", name):
            continue
        if status:
            status(f"fitting the {name} model on {int(tr.sum()):,} leads")
        m = cls(features).fit(df[tr], y[tr])
        validation[name] = float(roc_auc_score(y[va], m.predict_proba(df[va])[:, 1]))
    if kind != "auto":
        chosen = kind
    elif validation["boosted"] > validation["logistic"] + 0.005:
        chosen = "boosted"
    else:
        chosen = "logistic"
    if status:
        status(f"refitting the {chosen} model on train + validation")
    both = tr | va
    model = MODELS[chosen](features).fit(df[both], y[both])
    return model, {"validation_auc": validation, "chosen": chosen}


# ------------------------------------------------------------------ saving, loading
def schema_hash(features: list[Feature]) -> str:
    text = json.dumps([[f.name, f.kind, f.source] for f in features])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("leadpilot")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "dev"


def save_model(root: Path, model: _Scorer, card: dict) -> dict:
    """Write the model (joblib) and its JSON card into ``<workspace>/models``."""
    import joblib

    folder = Path(root) / MODEL_DIR
    folder.mkdir(parents=True, exist_ok=True)
    card = {
        "format_version": FORMAT_VERSION,
        "leadpilot_version": _version(),
        "trained_at": datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
        "model": model.kind,
        "features": [f.as_dict() for f in model.features],
        "schema_hash": schema_hash(model.features),
        **card,
    }
    joblib.dump(model, folder / MODEL_FILE)
    (folder / CARD_FILE).write_text(json.dumps(card, indent=2, default=str), encoding="utf-8")
    return card


def load_card(root: Path) -> dict:
    path = Path(root) / MODEL_DIR / CARD_FILE
    if not path.exists():
        raise UsageError(
            f"no trained model in {Path(root)}; run `leadpilot score train -w {root}` first"
        )
    card = json.loads(path.read_text(encoding="utf-8"))
    if card.get("format_version") != FORMAT_VERSION:
        raise UsageError(
            f"{path}: model format {card.get('format_version')} is not the format this "
            f"leadpilot reads ({FORMAT_VERSION}); retrain with `leadpilot score train`"
        )
    return card


def load_model(root: Path, current: list[Feature], *, strict: bool = True) -> tuple[_Scorer, dict]:
    """The saved model and its card, after checking it fits the current leads schema.

    ``strict``: every feature column must exist with the same kind (a workspace); otherwise
    (a new file of leads) missing columns are tolerated and read as missing values, but a
    column whose kind changed is still an error.
    """
    import joblib

    card = load_card(root)
    trained = [Feature(**f) for f in card["features"]]
    now = {f.name: f for f in current}
    missing = [f.name for f in trained if f.name not in now]
    changed = [
        f"{f.name} ({f.kind} -> {now[f.name].kind})"
        for f in trained
        if f.name in now and now[f.name].kind != f.kind
    ]
    if changed or (strict and missing):
        detail = "; ".join(
            p
            for p in (
                f"missing column(s): {', '.join(missing)}" if strict and missing else "",
                f"changed type: {', '.join(changed)}" if changed else "",
            )
            if p
        )
        raise UsageError(
            f"the saved model was trained on a different leads schema ({detail}); retrain it "
            "with `leadpilot score train` or restore the columns"
        )
    model = joblib.load(Path(root) / MODEL_DIR / MODEL_FILE)
    if schema_hash(model.features) != card["schema_hash"]:
        raise UsageError(
            f"{Path(root) / MODEL_DIR}: the model file and its card do not match; retrain"
        )
    return model, card
