"""Predictive lead scoring: two scikit-learn estimators, training, saving, loading.

Both are scikit-learn classifiers (``BaseEstimator`` + ``ClassifierMixin``): their
parameters are taken by ``__init__`` and nothing else (``get_params`` / ``set_params``,
``sklearn.base.clone`` and pickling work), fitted attributes end in ``_``. They are
registered scorers (scoring/registry.py: ``score train --model``, the model choice and the
contract suite read the registry). Contract, checked over every scorer by
tests/scoring/test_estimators.py (scikit-learn's own checks where they apply, named checks
of ours beside them): ``fit(X, y) -> self``; ``predict_proba(X) -> (n, 2)``;
``decision_function(X)``, the log-odds, equals ``baseline_`` plus the sum of
``contributions(X) -> (n, n_features)``; ``reasons(X, k)`` never shows a personal value.

X is a DataFrame of the declared ``features`` (a list of :class:`Feature`: name and kind);
missing and extra columns are tolerated at prediction time (read as missing / ignored).
With ``features=None`` they are read from X at fit time (numbers numeric, the rest
categorical; a NumPy array's columns are x0, x1, ...).

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
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import NotFittedError

from ..config import Config
from ..errors import ModelMismatchError, UsageError
from .auc import auc
from .features import Feature
from .guard import is_personal
from .reasons import top_reasons
from .registry import learned, register

FORMAT_VERSION = 1
MODEL_DIR = "models"
MODEL_FILE = "scoring_model.joblib"
CARD_FILE = "scoring_model.json"


class NotTrainedError(UsageError, NotFittedError):
    """A scorer asked to predict before it was trained. A UsageError for leadpilot, and
    scikit-learn's NotFittedError for scikit-learn (which is why it lives here, not in
    errors.py: that module imports nothing heavy)."""


class TrainingDataError(UsageError, ValueError):
    """Outcomes a scorer cannot learn from (one class only, more than two). A UsageError
    for leadpilot, a ValueError for scikit-learn."""


def _frame(X, n_features: int | None = None, who: str = "the scorer") -> pd.DataFrame:
    """X as a DataFrame. A DataFrame is read by column name (missing columns are missing
    values, extra ones ignored); any other table goes through scikit-learn's check_array
    (2-d, dense, finite or NaN) and its columns are named x0, x1, ... (``n_features``: the
    number fitted, which it must have)."""
    if isinstance(X, pd.DataFrame):
        if all(isinstance(c, str) for c in X.columns):
            return X
        return X.rename(columns=str)
    from sklearn.utils.validation import check_array

    X = check_array(X, dtype=None, ensure_all_finite="allow-nan", accept_sparse=False)
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(
            f"X has {X.shape[1]} features, but {who} is expecting {n_features} features as input"
        )
    return pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])


def _outcomes(y) -> tuple[np.ndarray, np.ndarray]:
    """(y as 0/1, the two classes): scikit-learn's checks of a classification target."""
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import column_or_1d

    if y is None:
        raise ValueError("this scorer requires y to be passed, but the target y is None")
    y = column_or_1d(y, warn=True)
    check_classification_targets(y)
    classes = np.unique(y)
    if len(classes) < 2:
        raise TrainingDataError(
            "training needs both outcomes (converted and not) among the leads; y holds one "
            "class only"
        )
    if len(classes) > 2:
        raise TrainingDataError(
            f"Only binary classification is supported: a lead converts or not, and y holds "
            f"{len(classes)} classes"
        )
    return (y == classes[1]).astype(int), classes


def infer_features(X) -> list[Feature]:
    """The features of a table without declared ones: every column, numbers numeric."""
    X = _frame(X)
    return [
        Feature(
            str(c),
            "numeric" if pd.api.types.is_numeric_dtype(X[c].dtype) else "categorical",
            "attribute",
        )
        for c in X.columns
    ]


def _prepare(X: pd.DataFrame, features: list[Feature]) -> pd.DataFrame:
    """Plain numpy-friendly columns: floats for numbers, objects with NaN for categories."""
    X = _frame(X, len(features))
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


class _Scorer(ClassifierMixin, BaseEstimator):
    """What the learned scorers share. Subclasses declare ``name`` (registry key), ``rank``
    (listing order; the model choice prefers the lower rank, the simpler model) and their
    parameters in ``__init__``."""

    name = "base"
    rank = 0
    learned = True

    @property
    def kind(self) -> str:  # the card's "model"
        return self.name

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False  # a lead converts or not
        tags.input_tags.allow_nan = True  # missing values are features' values
        tags.input_tags.string = True  # categories as text
        tags.input_tags.categorical = True
        return tags

    def _pipeline(self):  # pragma: no cover - defined by subclasses
        raise NotImplementedError

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> _Scorer:
        """Fit on the leads X (their features) and outcomes y (two classes: the second,
        in sorted order, is the conversion)."""
        X = _frame(X)
        y, classes = _outcomes(y)
        if len(y) != len(X):
            raise ValueError(f"y holds {len(y)} outcomes for {len(X)} leads")
        self.features_ = infer_features(X) if self.features is None else list(self.features)
        data = _prepare(X, self.features_)
        with _one_thread():
            self.pipeline_ = self._pipeline().fit(data, y)
        self.classes_ = classes
        self.n_features_in_ = len(self.features_)
        self.n_iter_ = self.pipeline_.named_steps["model"].n_iter_
        self._fit_extra(data)
        return self

    def _fit_extra(self, data: pd.DataFrame) -> None:
        pass

    def _check(self) -> None:
        if not hasattr(self, "pipeline_"):
            raise NotTrainedError(f"the {self.name} model is not trained yet; call fit first")

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """(n, 2): the probability of each class, the conversion second."""
        self._check()
        with _one_thread():
            return self.pipeline_.predict_proba(_prepare(X, self.features_))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The likelier class of each lead."""
        p = self.predict_proba(X)[:, 1]
        return self.classes_[(p > 0.5).astype(int)]

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """The log-odds of conversion of each lead."""
        p = self.predict_proba(X)[:, 1]
        return _logit(p)

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
        X = _frame(X, len(self.features_), type(self).__name__)
        values = [self._value_codes(X, f) for f in self.features_]
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


@register
class LogisticScorer(_Scorer):
    """L2-regularised logistic regression on encoded features (see the module's notes).

    Parameters
    ----------
    features : list of Feature, optional
        The columns it reads and their kind (default: read from X at fit time).
    C : float
        Inverse of the regularisation strength.
    max_iter : int
        Iterations of the solver.
    random_state : int
        Kept for a common signature (the solver is deterministic).

    Examples
    --------
    >>> LogisticScorer(features).fit(X, y).predict_proba(X)[:3, 1]  # doctest: +SKIP
    array([0.12, 0.61, 0.05])
    """

    name = "logistic"
    rank = 10

    def __init__(
        self,
        features: list[Feature] | None = None,
        C: float = 0.5,
        max_iter: int = 3000,
        random_state: int = 0,
    ):
        self.features = features
        self.C = C
        self.max_iter = max_iter
        self.random_state = random_state

    def _pipeline(self):
        from sklearn.compose import ColumnTransformer
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

        parts = []
        for f in self.features_:
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
        model = LogisticRegression(C=self.C, max_iter=self.max_iter)
        return Pipeline([("prep", prep), ("model", model)])

    def _fit_extra(self, data: pd.DataFrame) -> None:
        prep = self.pipeline_.named_steps["prep"]
        self.encoded_mean_ = np.asarray(prep.transform(data)).mean(axis=0)
        self.coef_ = self.pipeline_.named_steps["model"].coef_[0]
        self.slices_ = [prep.output_indices_[f.name] for f in self.features_]
        # log-odds = intercept + coef . z = offset_ + sum of the per-feature contributions
        self.offset_ = float(
            self.pipeline_.named_steps["model"].intercept_[0] + self.coef_ @ self.encoded_mean_
        )
        # Apply speed: a categorical feature's contribution depends on its value only, so it
        # is tabulated once per known value (plus missing and unknown) from the fitted
        # pipeline itself; predictions equal the pipeline's (a test checks it).
        self.tables_, self.numeric_ = {}, {}
        for f, sl in zip(self.features_, self.slices_, strict=True):
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

    @property
    def baseline_(self) -> float:
        """The average training lead's log-odds: decision_function minus the sum of the
        contributions."""
        self._check()
        return self.offset_

    def contributions(self, X: pd.DataFrame) -> np.ndarray:
        """(n, features): coefficient x (encoded value - its training mean), per feature."""
        self._check()
        X = _frame(X, len(self.features_), type(self).__name__)
        out = np.empty((len(X), len(self.features_)))
        for j, f in enumerate(self.features_):
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

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        self._check()
        return self.offset_ + self.contributions(X).sum(axis=1)

    def _proba_from(self, X: pd.DataFrame, contrib: np.ndarray) -> np.ndarray:
        # log-odds = offset + the sum of the contributions (see _fit_extra)
        return 1 / (1 + np.exp(-(self.offset_ + contrib.sum(axis=1))))

    def coefficients(self) -> list[dict]:
        """Encoded column -> coefficient (on standardised numbers), for the model card."""
        self._check()
        names = self.pipeline_.named_steps["prep"].get_feature_names_out()
        hidden = {f.name for f in self.features_ if f.personal or is_personal(f.name)}
        out = []
        for n, c in sorted(zip(names, self.coef_, strict=True), key=lambda t: -abs(t[1])):
            feature, column = str(n).split("__", 1)
            if feature in hidden:  # an encoded column names the value: never for personal data
                column = f"{feature} [personal data]"
            out.append({"column": column, "coefficient": round(float(c), 4)})
        return out


@register
class BoostedScorer(_Scorer):
    """Gradient-boosted trees (HistGradientBoostingClassifier, native missing values and
    categories), with exact path contributions (see the module's notes).

    Parameters
    ----------
    features : list of Feature, optional
        The columns it reads and their kind (default: read from X at fit time).
    max_iter, learning_rate, max_leaf_nodes, l2_regularization
        HistGradientBoostingClassifier's (no early stopping).
    random_state : int
        Seed of the trees.

    Examples
    --------
    >>> BoostedScorer(features, max_iter=50).fit(X, y).reasons(X[:1])  # doctest: +SKIP
    [['n_meeting=2 (+0.91)', 'industry=software (+0.40)', 'seniority=vp (+0.22)']]
    """

    name = "boosted"
    rank = 20

    def __init__(
        self,
        features: list[Feature] | None = None,
        max_iter: int = 100,
        learning_rate: float = 0.1,
        max_leaf_nodes: int = 15,
        l2_regularization: float = 1.0,
        random_state: int = 0,
    ):
        self.features = features
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.l2_regularization = l2_regularization
        self.random_state = random_state

    def _pipeline(self):
        from sklearn.compose import ColumnTransformer
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import OrdinalEncoder

        parts = []
        for f in self.features_:
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
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            l2_regularization=self.l2_regularization,
            categorical_features=[f.kind == "categorical" for f in self.features_],
            early_stopping=False,
            random_state=self.random_state,
        )
        return Pipeline([("prep", prep), ("model", model)])

    def _fit_extra(self, data: pd.DataFrame) -> None:
        prep = self.pipeline_.named_steps["prep"]
        # Category -> ordinal code, read from the fitted encoders once (rare values share
        # the pooled code, unknown and missing are NaN): the model then runs on a matrix.
        self.codes_ = {}
        for f in self.features_:
            if f.kind == "categorical":
                enc = prep.named_transformers_[f.name]
                known = list(enc.categories_[0])
                known = [k for k in known if not (isinstance(k, float) and np.isnan(k))]
                probe = pd.DataFrame({f.name: known}, dtype=object)
                self.codes_[f.name] = (known, np.asarray(enc.transform(probe)).ravel())
        matrix = self._matrix(data)
        self.paths_ = _tree_paths(self.pipeline_.named_steps["model"], matrix[:1000])
        self.reference_ = np.array(
            [
                np.nanmedian(matrix[:, j])
                if f.kind == "numeric" and np.isfinite(matrix[:, j]).any()
                else _mode(matrix[:, j])
                for j, f in enumerate(self.features_)
            ]
        )

    def _matrix(self, X: pd.DataFrame) -> np.ndarray:
        X = _frame(X, len(self.features_), type(self).__name__)
        out = np.empty((len(X), len(self.features_)))
        for j, f in enumerate(self.features_):
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

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        self._check()
        with _one_thread():
            return self.pipeline_.named_steps["model"].decision_function(self._matrix(X))

    @property
    def baseline_(self) -> float:
        """The average training lead's log-odds (the trees' root values): decision_function
        minus the sum of the path contributions. NaN when the trees could not be read
        (the contributions are then ablations, which do not add up)."""
        self._check()
        paths = getattr(self, "paths_", None)
        return float("nan") if paths is None else float(paths["bias"])

    def contributions(self, X: pd.DataFrame) -> np.ndarray:
        """(n, features): each feature's share of the lead's path down the trees."""
        self._check()
        model = self.pipeline_.named_steps["model"]
        matrix = self._matrix(X)
        if getattr(self, "paths_", None) is not None:
            return _path_contributions(self.paths_, matrix)
        base = _logit(model.predict_proba(matrix)[:, 1])
        out = np.zeros((len(matrix), len(self.features_)))
        for j in range(len(self.features_)):
            changed = matrix.copy()
            changed[:, j] = self.reference_[j]
            out[:, j] = base - _logit(model.predict_proba(changed)[:, 1])
        return out


    def _proba_from(self, X: pd.DataFrame, contrib: np.ndarray) -> np.ndarray:
        if getattr(self, "paths_", None) is None:
            return self.predict_proba(X)[:, 1]
        # path contributions add up to the log-odds minus the average lead's
        return 1 / (1 + np.exp(-(self.paths_["bias"] + contrib.sum(axis=1))))


def _tree_paths(model, sample: np.ndarray) -> dict | None:
    """Per tree of a fitted HistGradientBoostingClassifier: a copy of its predictor that
    returns the leaf reached (node index as the value) and, for each feature split on, the
    contribution of every leaf's path. None when the fitted layout is not the one known
    (private scikit-learn attributes), or when the contributions of the ``sample`` rows do
    not add up to the model's own log-odds: contributions then use the slower ablation.

    With categorical features the trees read the columns as the model's own preprocessor
    gives them (categorical first, then numeric): leaves are found on that matrix and each
    split's feature is mapped back to the column order of X."""
    import copy

    try:
        pre = getattr(model, "_preprocessor", None)
        order = np.arange(model.n_features_in_)  # tree column -> column of X
        if pre is not None:
            cols: list[int] = []
            for name, _, columns in pre.transformers_:
                if name != "remainder":
                    mask = np.asarray(columns)
                    cols += list(np.flatnonzero(mask) if mask.dtype == bool else mask)
            order = np.asarray(cols, dtype=np.intp)
            if sorted(order) != list(range(model.n_features_in_)):
                return None
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
                f = int(order[nodes["feature_idx"][i]])
                for child in (int(nodes["left"][i]), int(nodes["right"][i])):
                    stack.append((child, {**credit, f: credit.get(f, 0.0) + mean[child] - mean[i]}))
            leaf = copy.copy(predictor)
            leaf.nodes = nodes.copy()
            leaf.nodes["value"] = np.arange(k)
            trees.append((leaf, nodes["value"].astype("float64"), float(mean[0]), tables))
        paths = {"known": known, "f_idx_map": f_idx_map, "trees": trees, "pre": pre,
                 "bias": baseline + sum(t[2] for t in trees)}  # fmt: skip
        # fails here, not at apply, if the layout differs; and must give the model's log-odds
        raw = model.decision_function(sample)
        added = paths["bias"] + _path_contributions(paths, sample).sum(axis=1)
        if not np.allclose(added, raw, rtol=0, atol=1e-9):
            return None
        return paths
    except (AttributeError, TypeError, ValueError, KeyError, IndexError):
        return None


def _path_contributions(paths: dict, matrix: np.ndarray) -> np.ndarray:
    """(n, features) path contributions: one C pass per tree gives each lead's leaf, then
    each feature's credit is read from that tree's table (feature-major, contiguous)."""
    if paths.get("pre") is not None:  # the columns as the trees read them
        matrix = paths["pre"].transform(matrix)
    matrix = np.ascontiguousarray(matrix, dtype="float64")
    out = np.zeros((matrix.shape[1], len(matrix)))
    for leaf, _, _, tables in paths["trees"]:
        ids = leaf.predict(matrix, paths["known"], paths["f_idx_map"], 1).astype(np.intp)
        for f, table in tables.items():
            out[f] += table.take(ids)
    return np.ascontiguousarray(out.T)


_UNKNOWN = "\x00unknown"  # a value no export holds: probes the encoders' unknown branch


def _lookup(
    col: pd.Series, known: list, values: np.ndarray, missing: float, unknown: float
) -> np.ndarray:
    """Vectorised value -> number through a small table (missing and unknown apart)."""
    import pyarrow as pa

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


def __getattr__(name: str):
    if name == "MODELS":  # the learned scorers of the registry, by name
        return learned()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    """Fit every learned scorer of the registry (or only ``kind``) on the training part,
    choose by validation AUC (see :func:`choice_rule`), refit the choice on train +
    validation."""
    candidates = learned()
    y = df["label"].to_numpy()
    tr, va = part == "train", part == "valid"
    validation = {}
    for name, cls in candidates.items():
        if kind not in ("auto", name):
            continue
        if status:
            status(f"fitting the {name} model on {int(tr.sum()):,} leads")
        m = cls(features).fit(df[tr], y[tr])
        validation[name] = auc(y[va], m.predict_proba(df[va])[:, 1])
    chosen = kind if kind != "auto" else choose(validation)
    if status:
        status(f"refitting the {chosen} model on train + validation")
    both = tr | va
    model = candidates[chosen](features).fit(df[both], y[both])
    return model, {"validation_auc": validation, "chosen": chosen}


CHOICE_MARGIN = 0.005


def choose(validation: dict[str, float | None]) -> str:
    """The simplest model (lowest rank) unless a more complex one is better by more than
    CHOICE_MARGIN of validation AUC: interpretability wins ties."""
    chosen = None
    for name in learned():  # simplest first
        score = validation.get(name)
        if score is None:
            continue
        if chosen is None or score > validation[chosen] + CHOICE_MARGIN:
            chosen = name
    if chosen is None:
        raise UsageError("the validation leads do not hold both outcomes: no model to choose")
    return chosen


def choice_rule() -> str:
    """How :func:`choose` decides, for the card."""
    simplest, *others = learned()
    return (
        f"validation AUC ({simplest} unless {' or '.join(others)} is better by > "
        f"{CHOICE_MARGIN:g})"
    )


# ------------------------------------------------------------------ saving, loading
# What a saved model depends on besides its own file: the settings of scoring.model that
# shape its features (the target and horizon are the card's own, read from it), and the ICP
# rules when icp_fit is one of its features. Loading compares them with the configuration.
TRAINING_SETTINGS = ("observation_days", "window_days", "exclude", "include")


def training_config(config: Config, features: list[Feature]) -> dict:
    """The configuration a model is trained with, as it is hashed and kept in its card."""
    m = config.scoring.model
    out: dict = {f"scoring.model.{k}": getattr(m, k) for k in TRAINING_SETTINGS}
    if any(f.source == "icp" for f in features):
        out["icp"] = [r.model_dump(mode="json", exclude_none=True) for r in config.icp]
    return out


def config_hash(settings: dict, features: list[Feature]) -> str:
    """Hash of the training configuration and the features (the card's config_hash)."""
    text = json.dumps(
        {"settings": settings, "features": [f.as_dict() for f in features]},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def schema_hash(features: list[Feature]) -> str:
    text = json.dumps([[f.name, f.kind, f.source] for f in features])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("leadpilot")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "dev"


def _sklearn_version() -> str:
    import sklearn

    return sklearn.__version__


def save_model(root: Path, model: _Scorer, card: dict, config: Config | None = None) -> dict:
    """Write the model (joblib) and its JSON card into ``<workspace>/models``.

    The card records the leadpilot and scikit-learn versions and, with ``config``, the
    training configuration and its hash, which :func:`load_model` checks."""
    import joblib

    folder = Path(root) / MODEL_DIR
    folder.mkdir(parents=True, exist_ok=True)
    settings = training_config(config or Config(), model.features_)
    card = {
        "format_version": FORMAT_VERSION,
        "leadpilot_version": _version(),
        "sklearn_version": _sklearn_version(),
        "trained_at": datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
        "model": model.kind,
        "params": _plain_params(model),
        "features": [f.as_dict() for f in model.features_],
        "schema_hash": schema_hash(model.features_),
        "training_config": settings,
        "config_hash": config_hash(settings, model.features_),
        **card,
    }
    joblib.dump(model, folder / MODEL_FILE)
    (folder / CARD_FILE).write_text(json.dumps(card, indent=2, default=str), encoding="utf-8")
    return card


def _plain_params(model: _Scorer) -> dict:
    """The model's parameters for the card (the features are listed apart)."""
    return {k: v for k, v in model.get_params(deep=False).items() if k != "features"}


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


def card_differences(card: dict, config: Config | None = None) -> list[str]:
    """What differs between a saved model's card and this leadpilot, this scikit-learn and
    (with ``config``) this configuration: one line each, empty when nothing does."""
    out = []
    for what, key, now in (
        ("leadpilot", "leadpilot_version", _version()),
        ("scikit-learn", "sklearn_version", _sklearn_version()),
    ):
        then = card.get(key)
        if then is None:
            out.append(f"{what} version not recorded (a model saved by an earlier leadpilot), "
                       f"{now} now")  # fmt: skip
        elif then != now:
            out.append(f"{what} {then} when trained, {now} now")
    if config is not None:
        features = [Feature(**f) for f in card["features"]]
        settings = training_config(config, features)
        if card.get("config_hash") is None:
            out.append("training configuration not recorded (a model saved by an earlier "
                       "leadpilot)")  # fmt: skip
        elif config_hash(settings, features) != card["config_hash"]:
            then = card.get("training_config", {})
            changed = [
                f"{k}: {json.dumps(then.get(k), default=str)} when trained, "
                f"{json.dumps(v, default=str)} now"
                for k, v in settings.items()
                if then.get(k) != json.loads(json.dumps(v, default=str))
            ]
            out += changed or ["training configuration changed (its hash differs)"]
    return out


def load_model(
    root: Path, current: list[Feature], *, strict: bool = True, config: Config | None = None
) -> tuple[_Scorer, dict]:
    """The saved model and its card, after checking it fits the current leads schema, this
    leadpilot and scikit-learn, and (with ``config``) the configuration it was trained with.

    ``strict``: every feature column must exist with the same kind (a workspace); otherwise
    (a new file of leads) missing columns are tolerated and read as missing values, but a
    column whose kind changed is still an error. A model saved by another leadpilot or
    scikit-learn version, or with other training settings (scoring.model's
    observation_days, window_days, exclude, include; the ICP rules when icp_fit is a
    feature), raises :class:`~leadpilot.errors.ModelMismatchError` naming each difference.
    """
    import joblib

    card = load_card(root)
    check_features(card, current, strict=strict)
    differences = card_differences(card, config)
    if differences:
        raise ModelMismatchError(
            f"the saved model ({Path(root) / MODEL_DIR / MODEL_FILE}, trained "
            f"{card.get('trained_at', '?')}) does not fit this installation or configuration: "
            + "; ".join(differences)
            + "; retrain it with `leadpilot score train`",
            differences,
        )
    model = joblib.load(Path(root) / MODEL_DIR / MODEL_FILE)
    if schema_hash(model.features_) != card["schema_hash"]:
        raise UsageError(
            f"{Path(root) / MODEL_DIR}: the model file and its card do not match; retrain"
        )
    return model, card


def check_features(card: dict, current: list[Feature], *, strict: bool = True) -> None:
    """Raise a UsageError when the leads schema ``current`` does not fit the model of
    ``card``: a feature whose kind changed, or (``strict``) a feature column missing."""
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
