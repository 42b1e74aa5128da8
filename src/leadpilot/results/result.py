"""The one shape of every analysis: rows and their meta.

A :class:`Result` holds small rows (a list of dicts; the scores of ``score apply`` keep
their pandas frame) and a :class:`Meta`: the parameters, the view, the as-of date, the
definition of every column shown (English and French, :class:`~leadpilot.text.Text`),
what the analysis adds (funnel acceptance, attribution spread, evaluation deciles, the
model card...) and the warnings, typed (:class:`~leadpilot.errors.Notice`: a stable code
and a sentence).

``Result.to_json()`` is the output contract of ``--format json``: ``{"rows": [...],
"meta": {...}}``; ``to_frame()`` a pandas DataFrame with ``.attrs["meta"]``; ``to_arrow()``
an Arrow table carrying the same meta in its schema metadata.

This module sits just above :mod:`leadpilot.errors`, :mod:`leadpilot.text` and
:mod:`leadpilot.i18n`: it imports no analysis, so reports and the web service take any
result the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import Notice, UsageError
from ..i18n import check_language, tr
from ..text import Text
from .wording import reworded

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import pyarrow as pa

GENERIC = "note"  # the code of a warning written as a plain sentence
NONE = "(none)"  # a missing group value in tables (JSON and CSV keep null)


class Dated(Protocol):
    """What a result keeps of its as-of date (:class:`leadpilot.metrics.asof.AsOf`)."""

    @property
    def label(self) -> str | None: ...

    def rule_in(self, lang: str) -> str | None: ...


class _Undated:
    """The as-of of data without dates (a path file): ``null`` in the JSON."""

    label = None

    def rule_in(self, lang: str) -> None:
        return None


UNDATED = _Undated()
_ABSENT = object()


def group_name(value: object, lang: str = "en") -> str:
    """A group value as a person reads it: a missing one is the group '(none)' ('(aucun)'
    in French), the same word in tables, findings, the report and the dashboard.

    >>> group_name(None, "fr"), group_name(None), group_name(10.0, "fr")
    ('(aucun)', '(none)', '10.0')
    """
    return tr(NONE, lang) if value is None else str(value)


def language(lang: str) -> str:
    """A reader's language code ("en", "fr"), or the UsageError of an unknown one, naming
    the parameter as a Python reader calls it (``lang='de': expected one of en, fr``)."""
    try:
        return check_language(lang)
    except UsageError as exc:
        raise reworded(exc, "python") from None


def notice(warning: str) -> Notice:
    """A warning as a :class:`Notice` (a plain sentence gets the code ``"note"``)."""
    return warning if isinstance(warning, Notice) else Notice(GENERIC, str(warning))


class Meta(dict):
    """A result's meta: the JSON ``meta`` object itself (a dict), plus typed views of it.

    The items are what ``--format json`` prints under ``meta`` (the view, its rule, the
    as-of date and rule, the parameters, ``definitions`` in English, the analysis'
    details and ``warnings``). The attributes keep what the JSON flattens:

    - ``kind``: the analysis ("kpis", "funnel", "velocity", "content", ...);
    - ``texts``: every column's definition as a :class:`Text` (``definitions_in(lang)``);
      every other text of the meta (``view_rule``, ``as_of_rule``, a threshold's
      ``rule``) in ``text_in(key, lang)``;
    - ``notices``: the warnings as :class:`Notice` (``code`` and sentence);
    - ``headers`` and ``units``: how a table shows each column (``Text`` per language;
      fraction, currency, days, multiple or a plain number).

    Examples
    --------
    >>> meta = Meta("demo", params={"by": ["channel"]},
    ...             definitions={"leads": Text("leads created", "leads créés")},
    ...             warnings=[Notice("no_spend", "no spend loaded")])
    >>> meta["definitions"], meta.definitions_in("fr")
    ({'leads': 'leads created'}, {'leads': 'leads créés'})
    >>> meta["warnings"]
    [Notice('no_spend', 'no spend loaded')]
    >>> meta.to_json()["warnings"], meta.to_json()["notices"]
    (['no spend loaded'], [{'code': 'no_spend', 'message': 'no spend loaded'}])
    """

    def __init__(
        self,
        kind: str,
        *,
        params: Mapping[str, Any] | None = None,
        definitions: Mapping[str, Text] | None = None,
        warnings: Iterable[str] = (),
        view: str | None = None,
        view_rule: Text | None = None,
        as_of: Dated | None | object = _ABSENT,
        details: Mapping[str, Any] | None = None,
        texts: Mapping[str, Text] | None = None,
        headers: Mapping[str, Text] | None = None,
        units: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.kind = kind
        self.texts: dict[str, Text] = dict(definitions or {})
        self.other_texts: dict[str, Text] = dict(texts or {})
        self.headers: dict[str, Text] = dict(headers or {})
        self.units: dict[str, str] = dict(units or {})
        if view is not None:
            self["view"] = view
        if view_rule is not None:
            self.other_texts["view_rule"] = view_rule
            self["view_rule"] = view_rule.en
        if as_of is not _ABSENT:
            dated = as_of if as_of is not None else UNDATED
            self["as_of"] = dated.label
            en, fr = dated.rule_in("en"), dated.rule_in("fr")
            if en is not None:
                self.other_texts["as_of_rule"] = Text(en, fr or en)
            self["as_of_rule"] = en
        self.update(params or {})
        self["definitions"] = {name: t.en for name, t in self.texts.items()}
        for key, value in (details or {}).items():
            self[key] = value
        for key, text in self.other_texts.items():
            self.setdefault(key, text.en)
        self["warnings"] = [notice(w) for w in warnings]
        # what the as-of date itself implies (a given date after the data's last event)
        if as_of is not _ABSENT and as_of is not None:
            have = {n.code for n in self["warnings"]}
            self["warnings"] += [n for n in getattr(as_of, "notices", ()) if n.code not in have]

    # ---------------------------------------------------------------- typed views
    @property
    def notices(self) -> list[Notice]:
        """The warnings as :class:`Notice` objects (stable ``code``, ``str()`` the sentence)."""
        return [notice(w) for w in self["warnings"]]

    def definitions_in(self, lang: str) -> dict[str, str]:
        """``meta["definitions"]`` in ``lang`` ("en": as the JSON holds them; another
        language than en and fr is a UsageError)."""
        lang = language(lang)
        return {name: t[lang] for name, t in self.texts.items()}

    def text_in(self, key: str, lang: str) -> str | None:
        """A text of the meta (``view_rule``, ``as_of_rule``, ``rule``...) in ``lang``."""
        lang = language(lang)
        text = self.other_texts.get(key)
        if text is None:
            value = self.get(key)
            return value if isinstance(value, str) else None
        return text[lang]

    def header(self, column: str, lang: str) -> str | None:
        """The column's header in ``lang`` when the analysis names one."""
        lang = language(lang)
        text = self.headers.get(column)
        return text[lang] if text is not None else None

    def to_json(self) -> dict[str, Any]:
        """The JSON meta: plain data, warnings as strings, and ``notices`` with codes."""
        out = dict(self)
        out["warnings"] = [str(w) for w in self["warnings"]]
        out["notices"] = [n.as_dict() for n in self.notices]
        return out


class Result:
    """Rows and their :class:`Meta`: what every analysis returns.

    Parameters
    ----------
    rows : list of dict
        One dict per row (dimension keys, then measures); ``None`` when ``frame`` is given.
    meta : Meta
        Parameters, view, as-of, definitions, details and warnings.
    frame : pandas.DataFrame, optional
        The rows as a frame, for results too large for dicts (every lead's score).

    Examples
    --------
    >>> r = Result([{"channel": "seo", "leads": 3}], Meta("demo",
    ...            definitions={"leads": Text("leads created", "leads créés")}))
    >>> r.to_json()["rows"], r.to_json()["meta"]["definitions"]
    ([{'channel': 'seo', 'leads': 3}], {'leads': 'leads created'})
    >>> r.to_frame().attrs["meta"]["warnings"], r.to_arrow().num_rows
    ([], 1)
    """

    def __init__(
        self,
        rows: list[dict] | None,
        meta: Meta,
        *,
        frame: pd.DataFrame | None = None,
    ) -> None:
        if (rows is None) == (frame is None):
            raise ValueError("a Result holds rows or a frame, one of the two")
        self._rows = rows
        self._frame = frame
        self.meta = meta

    # ---------------------------------------------------------------- the rows
    @property
    def kind(self) -> str:
        """The analysis that made it ("kpis", "funnel", "velocity", ...)."""
        return self.meta.kind

    @property
    def rows(self) -> list[dict]:
        """The rows as dicts (JSON values; missing values are ``None``)."""
        if self._rows is None:
            df = self._frame.astype(object).where(self._frame.notna(), None)
            return df.to_dict(orient="records")
        return self._rows

    @property
    def frame(self) -> pd.DataFrame | None:
        """The rows' own frame, when the analysis built one (``score apply``)."""
        return self._frame

    def __len__(self) -> int:
        return len(self._rows) if self._rows is not None else len(self._frame)

    # ---------------------------------------------------------------- the meta
    @property
    def warnings(self) -> list[Notice]:
        """``meta["warnings"]``: typed notices, each ``str()`` its sentence."""
        return self.meta["warnings"]

    @warnings.setter
    def warnings(self, value: Iterable[str]) -> None:
        self.meta["warnings"] = [notice(w) for w in value]

    @property
    def notices(self) -> list[Notice]:
        """The warnings as :class:`Notice` objects."""
        return self.meta.notices

    @property
    def definitions(self) -> dict[str, str]:
        """``meta["definitions"]``: every column's rule in English."""
        return self.meta["definitions"]

    def definitions_in(self, lang: str) -> dict[str, str]:
        """The definitions in ``lang`` ("en": as the JSON holds them; "fr").

        Raises
        ------
        UsageError
            For another language: ``lang='de': expected one of en, fr``.
        """
        return self.meta.definitions_in(lang)

    def view_rule_in(self, lang: str) -> str | None:
        """``meta["view_rule"]`` in ``lang`` (None when the analysis has none)."""
        return self.meta.text_in("view_rule", lang)

    # ---------------------------------------------------------------- conversions
    def to_json(self) -> dict[str, Any]:
        """``{"rows": [...], "meta": {...}}``: the ``--format json`` document."""
        return {"rows": self.rows, "meta": self.meta.to_json()}

    def to_frame(self) -> pd.DataFrame:
        """The rows as a pandas DataFrame; ``.attrs["meta"]`` is the JSON meta."""
        import pandas as pd

        df = self._frame if self._frame is not None else pd.DataFrame(self.rows)
        df.attrs["meta"] = self.meta.to_json()
        return df

    def to_arrow(self) -> pa.Table:
        """The rows as an Arrow table; the JSON meta is in the schema metadata under
        ``b"leadpilot.meta"``."""
        import pyarrow as pa

        if self._frame is not None:
            table = pa.Table.from_pandas(self._frame, preserve_index=False)
        else:
            names = list(dict.fromkeys(k for r in self._rows for k in r))
            columns = {n: [r.get(n) for r in self._rows] for n in names}
            try:
                table = pa.table(columns)
            except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed types: pandas decides
                table = pa.Table.from_pandas(self.to_frame(), preserve_index=False)
        meta = json.dumps(self.meta.to_json(), default=str).encode("utf-8")
        return table.replace_schema_metadata({b"leadpilot.meta": meta})

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.kind}: {len(self)} row(s)>"


class param:  # noqa: N801 - used like property
    """A named attribute of a result subclass that reads one key of its meta.

    >>> class Demo(Result):
    ...     by = param("by")
    >>> Demo([], Meta("demo", params={"by": ["channel"]})).by
    ['channel']
    """

    def __init__(self, key: str) -> None:
        self.key = key

    def __set_name__(self, owner: type, name: str) -> None:
        self.__doc__ = f'``meta["{self.key}"]``'

    def __get__(self, obj: Result | None, owner: type) -> Any:
        if obj is None:
            return self
        return obj.meta[self.key]
