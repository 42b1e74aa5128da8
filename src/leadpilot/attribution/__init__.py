"""Multi-touch attribution: heuristic models, exact Markov and Shapley, pushed down to the
engine. ``compute_attribution`` (workspace) and ``compute_attribution_from_paths``
(ChannelAttribution's aggregated path file) are the entry points."""

from .compute import (
    AttributionResult,
    compute_attribution,
    compute_attribution_from_paths,
    resolve_models,
)
from .definitions import MODEL_NAMES, model_defs

__all__ = [
    "AttributionResult",
    "MODEL_NAMES",
    "compute_attribution",
    "compute_attribution_from_paths",
    "model_defs",
    "resolve_models",
]
