"""The attribution models: one module per model in this package, found by the registry.

Adding a model is adding a module here (and its hand-computed test): a subclass of
:class:`~.base.AttributionModel` with a ``name`` registers itself when its module is
imported, and this package imports every module it holds. ``--model all``, the
configuration's rule texts (``meta.definitions``) and the contract suite
(tests/attribution/test_contract.py) all read :func:`registry`.
"""

from __future__ import annotations

import importlib
import pkgutil

from ...config import AttributionParams
from ...errors import MissingDataError, UsageError
from .base import _REGISTRY, AttributionModel, Credits, Journeys, by_period

DEFAULT_MODELS = ("last_touch", "linear", "markov")

for _info in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_info.name}")


def registry() -> dict[str, type[AttributionModel]]:
    """Every registered model by name, in the order of ``--model all`` (their rank)."""
    return dict(sorted(_REGISTRY.items(), key=lambda kv: (kv[1].rank, kv[0])))


def model_names() -> tuple[str, ...]:
    return tuple(registry())


def resolve_models(models: list[str] | str | None) -> list[str]:
    """The model names asked for: a list, a comma-separated string, 'all' or None (the
    default trio); unknown names are a UsageError listing the known ones."""
    names = model_names()
    if models is None:
        return list(DEFAULT_MODELS)
    if isinstance(models, str):
        models = [m.strip() for m in models.split(",") if m.strip()]
    if models == ["all"]:
        return list(names)
    unknown = [m for m in models if m not in names]
    if unknown or not models:
        raise UsageError(f"unknown model(s) {unknown}; expected all or some of {', '.join(names)}")
    return list(dict.fromkeys(models))


def make_models(
    names: list[str] | str | None, params: AttributionParams | None = None
) -> list[AttributionModel]:
    """The models asked for, each reading its parameters from ``params`` (typically the
    configuration's AttributionSettings; default: every parameter's default)."""
    from ...config import AttributionSettings

    params = AttributionSettings() if params is None else params
    found = registry()
    return [found[n](params) for n in resolve_models(names)]


def batches(models: list[AttributionModel]) -> list[list[AttributionModel]]:
    """The models grouped by shared engine query, in the registry's order."""
    groups: dict[str, list[AttributionModel]] = {}
    for m in sorted(models, key=lambda m: m.rank):
        groups.setdefault(m.batch or f"model:{m.name}", []).append(m)
    return list(groups.values())


def run_models(
    models: list[AttributionModel] | list[str] | str,
    journeys: Journeys | object,
    params: AttributionParams | None = None,
    *,
    check_empty: bool = True,
) -> dict[str, Credits]:
    """The credits of each model on the same journeys, in the order asked for.

    ``models``: model objects, or names (with ``params``, see :func:`make_models`).
    ``journeys``: a :class:`Journeys`, or a touch table. With ``check_empty`` an empty touch
    table raises :class:`MissingDataError` (one count query; compute_attribution checks
    its inputs before and says more precisely what is missing).

    Examples
    --------
    >>> out = run_models("first_touch,markov", Journeys(touches))  # doctest: +SKIP
    >>> out["markov"][(None, "paid_search")]  # doctest: +SKIP
    (12.5, 31250.0)
    """
    if not isinstance(journeys, Journeys):
        journeys = Journeys(journeys)
    if isinstance(models, str) or (models and isinstance(next(iter(models)), str)):
        models = make_models(models, params)
    if check_empty and journeys.path_file is None:
        if int(journeys.table.count().execute()) == 0:
            raise MissingDataError(
                "no journey to credit: the touch table is empty (attribution credits the "
                "attribution touches that precede each conversion; see attribution.touch_types "
                "and attribution.lookback_days)"
            )
    out: dict[str, Credits] = {}
    for group in batches(models):
        out.update(type(group[0]).credit_batch(group, journeys))
    return {m.name: out[m.name] for m in models}


__all__ = [
    "AttributionModel",
    "Credits",
    "DEFAULT_MODELS",
    "Journeys",
    "batches",
    "by_period",
    "make_models",
    "model_names",
    "registry",
    "resolve_models",
    "run_models",
]
