"""What an attribution model is: the input it reads, the credits it returns, its parameters.

Every model is a subclass of :class:`AttributionModel` in a module of its own in this
package, with a registry ``name``; importing the package registers it (see
``__init__.py``). A model

- declares its parameters once, as a pydantic class of :mod:`leadpilot.config` (the keys of
  ``attribution:`` it reads; ``AttributionParams`` when it has none): the configuration
  validates them, ``definition()`` writes them into the rule text of ``meta.definitions``
  and ``credits()`` computes with them;
- reads :class:`Journeys`, one row per touch prepared in the engine (paths.py for a
  workspace, pathfile.py for an aggregated path file);
- returns :data:`Credits`: per (period, value of the dimension), the conversions and the
  revenue credited. Every converting journey's credits sum to 1, so the credits of a model
  sum to the conversions and to their revenue (the contract suite in
  tests/attribution/test_contract.py checks this and more on every registered model).

Models that can share one engine query declare the same ``batch`` and implement
``credit_batch`` (the rule-based models: one aggregation for all of them, see weights.py).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from datetime import date
from typing import ClassVar, Literal

import ibis.expr.types as ir
import pandas as pd

from ...config import AttributionParams, AttributionSettings
from ...text import Text

#: (period, value of the dimension) -> (conversions, revenue) credited. The period is the
#: start of the conversion's period (None when the period is 'all').
Credits = dict[tuple[date | None, str], tuple[float, float]]

_REGISTRY: dict[str, type[AttributionModel]] = {}


class Journeys:
    """The input of every model: the touch table (columns in attribution/paths.py), built in
    the engine on first use, and what some models read besides it.

    Parameters
    ----------
    table : ibis Table, optional
        One row per touch: jid, pos, n, dim, channel, period, conv, nulls, value (and, from a
        workspace, ts, end_at, created_at, opportunity_at, customer_at).
    build : callable, optional
        Builds the table when a model first reads it (a path file's Markov model never does).
    conversion : str
        The conversion stage (a Markov chain of 'lead' conversions has no null paths).
    players : (ibis Table, column), optional
        Where Shapley ranks its players (a workspace's attribution touches); default the
        table's ``dim``.
    path_file : (DataFrame, separator), optional
        An aggregated path file already in memory (Markov counts its transitions there).

    Examples
    --------
    >>> Journeys(ibis.memtable(touches)).table.count().execute()  # doctest: +SKIP
    12
    """

    def __init__(
        self,
        table: ir.Table | None = None,
        *,
        build: Callable[[], ir.Table] | None = None,
        conversion: str = "customer",
        players: tuple[ir.Table, str] | None = None,
        path_file: tuple[pd.DataFrame, str] | None = None,
    ):
        if table is None and build is None:
            raise ValueError("Journeys needs a table or a function that builds it")
        self._table, self._build = table, build
        self.conversion = conversion
        self.players = players
        self.path_file = path_file
        self.warnings: list = []  # notices (errors.Notice) a model adds for the reader

    @property
    def table(self) -> ir.Table:
        if self._table is None:
            self._table = self._build()
        return self._table


class AttributionModel(ABC):
    """The protocol every attribution model follows.

    Class attributes: ``name`` (the registry key, the file name), ``rank`` (its place in
    ``--model all``), ``kind`` ("heuristic" or "data-driven"), ``needs`` ("order": touch
    order only, what a path file holds; "timestamps": touch times and the conversion date;
    "milestones": the lead's stage dates), ``Params`` (its parameter class; the instance's
    values are ``self.params``), ``batch`` (models of the same batch share one engine
    query).
    """

    name: ClassVar[str]
    rank: ClassVar[int]
    kind: ClassVar[Literal["heuristic", "data-driven"]]
    needs: ClassVar[Literal["order", "timestamps", "milestones"]] = "order"
    Params: ClassVar[type[AttributionParams]] = AttributionParams
    batch: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("name")
        if name is None:  # an intermediate class (a family's base)
            return
        if name in _REGISTRY and _REGISTRY[name] is not cls:
            raise TypeError(f"two attribution models named {name!r}")
        if not issubclass(AttributionSettings, cls.Params):  # read from attribution:
            raise TypeError(
                f"{name}'s parameters {cls.Params.__name__} are not keys of attribution: "
                "add the class to the bases of config.AttributionSettings"
            )
        _REGISTRY[name] = cls

    def __init__(self, params: AttributionParams | None = None):
        """``params``: the model's parameters (default: their defaults), or the whole
        ``attribution:`` section (an AttributionSettings is an instance of every model's
        parameter class)."""
        params = self.Params() if params is None else params
        if not isinstance(params, self.Params):
            raise TypeError(
                f"{self.name} reads {self.Params.__name__}, not {type(params).__name__}"
            )
        self.params = params

    @abstractmethod
    def definition(self) -> Text:
        """The model's rule, in English and French, with its parameters' values."""

    @abstractmethod
    def credits(self, journeys: Journeys) -> Credits:
        """Conversions and revenue credited per (period, value of the dimension)."""

    @classmethod
    def credit_batch(
        cls, models: list[AttributionModel], journeys: Journeys
    ) -> dict[str, Credits]:
        """The credits of several models of this batch at once (default: one by one)."""
        return {m.name: m.credits(journeys) for m in models}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.params!r})"


def by_period(df: pd.DataFrame) -> Iterator[tuple[date | None, pd.DataFrame]]:
    """The rows of each period (one group, period None, when the period is 'all')."""
    if df["period"].isna().all():
        yield None, df
        return
    yield from df.groupby("period", sort=True, dropna=False)


def pct(x: float, lang: str = "en") -> str:
    """A weight as a percentage in a rule text: 0.4 -> '40 %' ('40 %' in French too)."""
    return num(x * 100, lang) + " %"


def num(x: float, lang: str = "en") -> str:
    """A number in a rule text: 3.5 -> '3.5' ('3,5' in French)."""
    text = f"{x:g}"
    return text.replace(".", ",") if lang == "fr" else text
