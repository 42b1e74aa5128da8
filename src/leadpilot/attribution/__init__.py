"""Multi-touch attribution: rule-based models, exact Markov and Shapley, pushed down to the
engine. ``compute_attribution`` (workspace) and ``compute_attribution_from_paths``
(ChannelAttribution's aggregated path file) are the entry points; the models are registered
in ``attribution.models`` (one module each, see ``registry()``)."""

from .compute import (
    AttributionResult,
    compute_attribution,
    compute_attribution_from_paths,
)
from .definitions import MODEL_NAMES, model_defs
from .models import AttributionModel, Journeys, registry, resolve_models, run_models

__all__ = [
    "AttributionModel",
    "AttributionResult",
    "Journeys",
    "MODEL_NAMES",
    "compute_attribution",
    "compute_attribution_from_paths",
    "model_defs",
    "registry",
    "resolve_models",
    "run_models",
]
