"""The scorers by name: the learned models (model.py) and the rules score (rules.py).

A scorer is a class with a ``name``, a ``rank`` (listing order; among learned models the
lower rank is the simpler one, which the model choice prefers) and ``learned`` (True for a
model that ``score train`` fits and chooses among; the rules score is declared, not
learned). ``score train --model``, the model choice and the contract suite
(tests/scoring/test_estimators.py) read this registry.
"""

from __future__ import annotations

from ..errors import UsageError

_SCORERS: dict[str, type] = {}


def register(cls: type) -> type:
    """Class decorator: add a scorer to the registry under its ``name``."""
    if cls.name in _SCORERS and _SCORERS[cls.name] is not cls:
        raise TypeError(f"two scorers named {cls.name!r}")
    _SCORERS[cls.name] = cls
    return cls


def scorers() -> dict[str, type]:
    """Every scorer by name, in rank order."""
    from . import model, rules  # noqa: F401  (they register their scorers)

    return dict(sorted(_SCORERS.items(), key=lambda kv: (kv[1].rank, kv[0])))


def learned() -> dict[str, type]:
    """The models ``score train`` fits, simplest first."""
    return {name: cls for name, cls in scorers().items() if cls.learned}


def learned_model(name: str) -> type:
    """The learned model called ``name``; a UsageError lists the others."""
    found = learned()
    if name not in found:
        raise UsageError(f"--model {name!r}: expected auto, {_or(list(found))}")
    return found[name]


def _or(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
