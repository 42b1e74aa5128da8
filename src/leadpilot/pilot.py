"""The Python API: ``leadpilot.open(workspace)`` gives a :class:`Pilot`, the one entry point.

Everything the command line does goes through here. The analyses come in two forms
with the same parameters:

- ``lp.kpis(...)``, ``lp.funnel(...)``, ``lp.velocity(...)``, ``lp.content(...)``,
  ``lp.sources(...)``, ``lp.retention(...)``, ``lp.attribution(...)``,
  ``lp.score_apply(...)``, ``lp.quarantine(...)``: a pandas DataFrame whose
  ``.attrs["meta"]`` holds the definitions, parameters and warnings;
- the same names with ``_result`` (``lp.kpi_result(...)`` for the KPIs): the
  :class:`~leadpilot.results.Result` itself (rows, ``meta`` with typed notices,
  ``to_json()``, ``to_arrow()``, ``definitions_in(lang)``).

The scoring actions ``score_train``, ``score_evaluate`` and ``score_threshold`` return
their Result (a model card, an evaluation and a trade-off are not one table).

Every analysis that groups leads takes ``by`` (a dimension, ``"a,b"``, or a list),
``period`` (day, week, month, quarter, year or all; default all), ``view`` (cohort or
activity) and ``date_from`` / ``date_to`` where they apply, and ``as_of`` (default: the
latest event in the data; a date reads the data as it stood at the end of that day).
Dates may be ISO text and numbers text the command line would read (``months="3"``); a
value given explicitly empty (``by=""``, ``kpis=""``) is refused, not read as the default.

A wrong value raises a :class:`~leadpilot.errors.LeadpilotError` (mostly ``UsageError``)
naming the parameter, the value and what is expected, as the method calls them:
``date_from='2025-06-01' is after date_to='2025-01-01'`` (the command line, which opens
its workspaces with :func:`open`'s default, says ``--from 2025-06-01 is after --to``).

Examples
--------
>>> import leadpilot.pilot as pilot
>>> lp = pilot.demo()              # 300 synthetic leads in a temporary workspace
>>> df = lp.kpis(by="channel")
>>> df.attrs["meta"]["definitions"]["cpl"]
'spend / leads of the same period and group; null when there are none.'
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import math
import numbers
import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import ibis.expr.types as ir

from . import engine
from .engine import versions
from .errors import (
    PROBLEM_WORDS,
    EngineError,
    Notice,
    UsageError,
    ValidationError,
)
from .metrics.compute import KpiResult, check_range, compute_kpis
from .metrics.funnel import FunnelResult, compute_funnel
from .metrics.model import (
    StoredModel,
    Tables,
    lead_model,
    model_fingerprint,
    renamed_attributes,
)
from .metrics.velocity import VelocityResult, compute_velocity
from .results import Meta, Result
from .results.wording import AUDIENCES, speaking_to_its_reader, worded
from .schema import LEAD_MODEL, TABLES
from .sources.leadrule import apply_lead_rule, rule_changed

if TYPE_CHECKING:  # pandas costs 0.3 s of start-up: not imported for the annotations
    import pandas as pd

    from .attribution.compute import AttributionResult
    from .reports import Report
    from .scoring.apply import ScoreResult
    from .scoring.evaluate import EvaluationResult
    from .scoring.realtime import RealtimeScorer
    from .scoring.threshold import ThresholdResult
    from .scoring.train import TrainResult
    from .sources.load import IngestSummary

Dims = str | list[str] | None
Day = date | datetime | str | None  # a date, or its ISO text ("2025-03-31")
# label, total -> tick(n): reports progress (ingest, score apply)
ProgressFactory = Callable[[str, int], Callable[[int], None]]


def _dims(by: Dims, option: str = "--by") -> list[str] | None:
    """``"channel,campaign"`` or ``["channel", "campaign"]`` -> a list (None: no grouping).

    Text that names nothing (``""``, ``" , "``) is a UsageError, not the default: a value
    given on purpose is never silently dropped (an empty list is no grouping)."""
    if by is None:
        return None
    if isinstance(by, str):
        dims = [b.strip() for b in by.split(",") if b.strip()]
        if not dims:
            raise UsageError(f"{option} {by!r} names no dimension: leave it out for no "
                             "grouping, or name one or more (channel, campaign, ...)")  # fmt: skip
        return dims
    dims = list(by)
    if not all(isinstance(d, str) and d.strip() for d in dims):
        raise UsageError(f"{option} {dims!r}: expected dimension names (text), e.g. "
                         "['channel', 'campaign']")  # fmt: skip
    return [d.strip() for d in dims]


def _kpis(kpis: list[str] | str | None) -> list[str] | None:
    """KPI names as :func:`_dims` reads dimensions; naming none (``""``, ``[]``) is an
    error rather than the headline KPIs."""
    if kpis is None:
        return None
    names = kpis.split(",") if isinstance(kpis, str) else list(kpis)
    if not all(isinstance(k, str) for k in names):
        raise UsageError(f"--kpi {kpis!r}: expected KPI names (text), e.g. ['leads', 'cpl']")
    names = [k.strip() for k in names if k.strip()]
    if not names:
        raise UsageError(f"--kpi {kpis!r} names no KPI: leave it out for the headline KPIs, "
                         "or name some (leads,cpl) or all")  # fmt: skip
    return names


def _number(value: object, option: str, expected: str, whole: bool = False):
    """A number option: a number, or the text the command line and the REST API would read
    as one ("3", "1e6"); anything else (2.5 where a whole number is expected, "three", a
    bool) is a UsageError naming the option, the value and what is expected."""
    if value is None:
        return None
    number = value
    if isinstance(value, str):
        try:
            number = int(value) if whole else float(value)
        except ValueError:
            number = None
    if (isinstance(number, numbers.Real) and not isinstance(number, bool)
            and math.isfinite(number)):  # fmt: skip
        if isinstance(number, numbers.Integral):
            return int(number)
        if not whole:
            return float(number)
        if float(number).is_integer():
            return int(number)
    raise UsageError(f"{option} {value!r}: expected {expected}")


# what posted records are called inside, as a file (never written): see score_records
_POSTED_FILE = "/request/leads.csv"
# the meta-table key of the stored lead model's stamp:
# settings digest @ data version # row counts of the tables it is computed from
_MODEL_STAMP = "lead_model"
# The tables the stored model is computed from (the touch facts are joined when asked).
_MODEL_INPUTS = ("leads", "stage_events", "deals")


def _day(value: Day, name: str) -> date | datetime | None:
    """A date option: a date, a datetime, or ISO text; anything else is a UsageError."""
    if not isinstance(value, str):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        # written with the flag, as every option's error: Pilot names it for its reader
        flag = {"date_from": "--from", "date_to": "--to", "as_of": "--as-of"}.get(name, name)
        raise UsageError(f"{flag} {value!r}: expected a date like 2025-03-31") from None


def _one_dim(by: Dims, default: str | None, what: str) -> str | None:
    """An analysis split by one dimension: a name, or a list of one."""
    dims = _dims(by)
    if not dims:
        return default
    if len(dims) > 1:
        raise UsageError(f"{what} is split by one dimension at a time; got {', '.join(dims)}")
    return dims[0]


# what a number option expects (see _number)
_MONTHS = "a whole number of months (1 or more)"
_AMOUNT = "an amount (a number, e.g. 500000)"
# a problem of a JSON batch is in a record (its position in the array), not a file's row
_RECORD_WORDS = {**PROBLEM_WORDS, "row": ", record {}"}


def _with_required(table: str, records: object) -> object:
    """Posted records with every required field of ``table`` they leave out, as null: a
    record without ``lead_id`` is then one bad record among the others (its problem listed
    with theirs, set aside under the quarantine policy), never a file without the column,
    which would stop the whole batch before any record is read."""
    spec = TABLES.get(table)
    if spec is None or not isinstance(records, list):
        return records  # the batch's own checks say what is wrong
    required = spec.required
    return [
        {**{c: None for c in required if c not in rec}, **rec} if isinstance(rec, dict) else rec
        for rec in records
    ]


def _naming_records(exc: ValidationError, done: str = "loaded") -> ValidationError:
    """A posted batch's problems say "record 2" (its position in the array), not "row 2";
    the summary says what was not ``done`` ("nothing was scored")."""
    words = dict(_RECORD_WORDS)
    words["summary"] = words["summary"].replace("nothing was loaded", f"nothing was {done}")
    exc.words = words
    exc.args = (exc.text(words),)
    return exc


def _noting(analysis: Callable) -> Callable:
    """An analysis whose result also carries the workspace's notices (see
    :meth:`Pilot._workspace_notices`), once."""

    @functools.wraps(analysis)
    def noted(self: Pilot, *args, **kwargs):
        result = analysis(self, *args, **kwargs)
        meta = getattr(result, "meta", None)
        if isinstance(meta, Meta):
            have = {n.code for n in meta.notices}
            meta["warnings"] += [n for n in self._workspace_notices() if n.code not in have]
        return result

    return noted


def _attribute_notices(renamed: dict[str, str]) -> list[Notice]:
    """What every analysis says of lead attributes read under another name than their
    stored one (``renamed``: stored -> read; see :meth:`Pilot._stored_tables`)."""
    if not renamed:
        return []
    said = ", ".join(f"{old!r} as {new!r}" for old, new in renamed.items())
    return [Notice(
        "attribute_renamed",
        f"leads: lead attribute(s) stored by an earlier leadpilot under a name it now "
        f"computes, read under another name: {said}; group or filter by the new name "
        f"(kpis --by {next(iter(renamed.values()))})",
        data={"renamed": renamed},
    )]  # fmt: skip


@speaking_to_its_reader
class Pilot:
    """An open workspace: every analysis and action of leadpilot.

    Open one with :func:`leadpilot.open`; close it with :meth:`close` or a ``with`` block.

    Parameters
    ----------
    workspace : leadpilot.engine.Workspace
        The open workspace.
    names : {"options", "python", "rest"}
        How its errors name the options they are about: ``"python"`` (what
        :func:`leadpilot.open` and :func:`demo` give) by the methods' parameters
        (``date_from='2025-06-01' is after date_to='2025-01-01'``); ``"options"`` (the
        default here: the command line opens its workspaces so) by the command line's
        flags (``--from 2025-06-01 is after --to 2025-01-01``); ``"rest"`` by the REST
        API's query parameters. See :mod:`leadpilot.results.wording`.

    Examples
    --------
    >>> lp = demo()
    >>> lp.kpi_result(by="channel").meta["view"]
    'cohort'
    >>> lp.kpis(date_from="2025-06-01", date_to="2025-01-01")
    Traceback (most recent call last):
    ...
    leadpilot.errors.UsageError: date_from='2025-06-01' is after date_to='2025-01-01': ...
    """

    def __init__(self, workspace: engine.Workspace, names: str = "options"):
        if names not in AUDIENCES:
            raise UsageError(f"names {names!r}: expected one of {', '.join(AUDIENCES)}")
        self.workspace = workspace
        self.names = names
        self._held: Tables | None = None  # see _one_state

    @property
    def config(self):
        """The workspace configuration (``leadpilot.yaml``, validated)."""
        return self.workspace.config

    def _materialize(self, expr: ir.Table) -> ir.Table:
        return self.workspace.materialize(expr)

    # ---------------------------------------------------------------- data
    def tables(self) -> dict[str, ir.Table]:
        """The canonical tables as Ibis expressions (and ``scores`` once scores are kept).

        Returns
        -------
        dict of str to ibis Table
            leads, touchpoints, stage_events, deals, spend, traffic (, scores).

        Examples
        --------
        >>> sorted(demo().tables())[:3]
        ['deals', 'leads', 'spend']
        """
        if self._held is not None:  # a copy: a caller may replace one of its tables
            out = Tables(self._held)
            out.stored_model, out.notices = self._held.stored_model, self._held.notices
            out.memo = self._held.memo  # one state: what one analysis learnt, the next reuses
            return out
        listed = self.workspace.con.list_tables()
        meta = versions.meta_values(self.workspace.con, listed)
        stored, renamed = self._stored_tables()
        out = Tables(stored)
        if "scores" in listed:  # last `score apply`: the score_band dimension
            out["scores"] = self.workspace.table("scores")
        rule = self._rule_notices(meta)
        out.notices = rule + _attribute_notices(renamed)
        if rule:  # the stored model counted leads by the rule stored
            out["leads"] = apply_lead_rule(out["leads"], self.config.leads)
        else:
            out.stored_model = self._stored_model(listed, meta)
        out.memo = {}
        return out

    def _stored_tables(self) -> tuple[dict[str, ir.Table], dict[str, str]]:
        """The canonical tables as stored, and the lead attributes read under another
        name (stored -> read): those a leadpilot that did not reserve their name yet
        stored under a name leadpilot now computes (:func:`renamed_attributes`)."""
        out = {name: self.workspace.table(name) for name in TABLES}
        renamed = renamed_attributes(out["leads"].columns)
        if renamed:
            out["leads"] = out["leads"].rename({new: old for old, new in renamed.items()})
        return out, renamed

    def _rule_notices(self, meta: dict[str, str]) -> list[Notice]:
        """When the lead rule of leadpilot.yaml was edited since the last ingest: the
        analyses apply it at once (exclusions and e-mail merges recomputed as they read),
        and say so; the next ingest stores it."""
        if not rule_changed(meta, self.config.leads):
            return []
        return [
            Notice(
                "lead_rule_changed",
                "leads: the lead rule of leadpilot.yaml (leads:) changed since the last "
                "ingest; every count applies it now (exclusions and e-mail merges "
                "recomputed as the data is read), and the next ingest stores it",
            )
        ]

    def _workspace_notices(self) -> list[Notice]:
        """What every analysis of the workspace's current state says besides its own
        warnings (see :meth:`_rule_notices`)."""
        if self._held is not None:
            return list(self._held.notices)
        renamed = renamed_attributes(self.workspace.table("leads").columns)
        meta = versions.meta_values(self.workspace.con)
        return self._rule_notices(meta) + _attribute_notices(renamed)

    @contextlib.contextmanager
    def _one_state(self) -> Iterator[None]:
        """Inside the block every analysis reads the same tables, looked up once: a
        report's sections describe one state of the workspace, and its dozen analyses do
        not each list the tables and check the stored model again."""
        if self._held is not None:
            yield
            return
        self._held = self.tables()
        try:
            yield
        finally:
            self._held = None

    # ------------------------------------------------------- the stored lead model
    def _model_stamp(self, version: int) -> str:
        """The settings and code the model is computed with, and the data version."""
        c = self.config
        return f"{model_fingerprint(c.stages.implied, c.icp)}@{version}"

    def _model_inputs(self) -> str:
        """The row counts of the tables the stored model is computed from, as stamped."""
        counts = versions.row_counts(self.workspace.con, _MODEL_INPUTS)
        return "/".join(str(counts[t]) for t in _MODEL_INPUTS)

    def _stored_model(self, listed: list[str], meta: dict[str, str]) -> StoredModel | None:
        """The lead model the last write stored, when it is still the data's (same data
        version, and the same row counts: a tool other than leadpilot that adds or
        deletes rows counts no version) and was computed with today's settings and
        code."""
        if LEAD_MODEL.name not in listed:
            return None
        stamp, _, rows = meta.get(_MODEL_STAMP, "").partition("#")
        if stamp != self._model_stamp(versions.data_version(meta)):
            return None
        if rows != self._model_inputs():
            return None
        c = self.config
        table = self.workspace.table(LEAD_MODEL.name)
        return StoredModel(table, c.stages.implied, list(c.icp or []))

    def _after_data_write(self, store: bool = True) -> None:
        """Inside the write block that changed the data: store the lead model of the new
        data (``store``), or drop the stored one, which no longer describes it. The
        analyses then read one table instead of rebuilding the model from every event."""
        ws = self.workspace
        name = LEAD_MODEL.name
        if store:
            c = self.config
            tables, _ = self._stored_tables()
            try:
                model = lead_model(tables, implied=c.stages.implied, icp=c.icp)
            except UsageError:  # settings the data cannot serve: computed (and said) live
                store = False
            else:
                ws.backend.store(name, model)
                stamp = f"{self._model_stamp(ws.writing_version)}#{self._model_inputs()}"
                versions.set_meta(ws, {_MODEL_STAMP: stamp})
        if not store:
            if name in ws.con.list_tables():
                ws.con.drop_table(name, force=True)
            versions.set_meta(ws, {_MODEL_STAMP: None})

    def _keep_stored_model(self) -> None:
        """Inside a write block that left the data as it was (score apply): the stored
        model, if it matched before the block, still does."""
        ws = self.workspace
        meta = versions.meta_values(ws.con)
        stamp, _, rows = meta.get(_MODEL_STAMP, "").partition("#")
        if stamp == self._model_stamp(versions.data_version(meta)):
            stamp = f"{self._model_stamp(ws.writing_version)}#{rows}"
            versions.set_meta(ws, {_MODEL_STAMP: stamp})

    def table(self, name: str) -> pd.DataFrame:
        """One table of the workspace as a DataFrame.

        Parameters
        ----------
        name : str
            leads, touchpoints, stage_events, deals, spend, traffic (or quarantine, scores).

        Returns
        -------
        pandas.DataFrame

        Raises
        ------
        UsageError
            For a table the workspace does not hold, naming those it holds.

        Examples
        --------
        >>> len(demo().table("leads")) > 0
        True
        >>> demo().table("lead")
        Traceback (most recent call last):
        ...
        leadpilot.errors.UsageError: no table 'lead' in this workspace (did you mean 'leads'?); ...
        """
        listed = self.workspace.con.list_tables()
        if name not in listed:
            import difflib

            held = [t for t in TABLES if t in listed]  # the canonical ones first
            held += sorted(t for t in listed if t not in TABLES and not t.startswith("leadpilot_"))
            close = difflib.get_close_matches(str(name), held, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UsageError(f"no table {name!r} in this workspace{hint}; it holds "
                             f"{', '.join(held)}")  # fmt: skip
        return self.workspace.table(name).to_pandas()

    def labels(self) -> dict[str, dict[str, str]]:
        """Display text of folded names, as the exports wrote them.

        Returns
        -------
        dict
            ``{"column": {attribute: header}, "value:channel": {channel: text}}``
            ('liste_achetee' -> 'Liste achetée'); empty when nothing was folded.

        Examples
        --------
        >>> demo().labels()
        {}
        """
        out: dict[str, dict[str, str]] = {}
        if not self.workspace.has_table("labels"):
            return out
        for r in self.workspace.table("labels").to_pyarrow().to_pylist():
            out.setdefault(r["kind"], {})[r["key"]] = r["label"]
        return out

    def data_as_of(self) -> datetime | None:
        """The workspace's as-of moment: the latest event in the data (lead creation, touch,
        stage event, deal creation or closing); every analysis measures ages up to it.

        Returns
        -------
        datetime or None
            None for a workspace without any event.

        Examples
        --------
        >>> demo().data_as_of().year >= 2024
        True
        """
        from .metrics.asof import workspace_as_of

        return workspace_as_of(self.tables())

    def default_period(self) -> str | None:
        """The period ``diagnose`` and the report look at when none is named: the last
        complete quarter when leads were created in it, else the latest quarter holding
        leads (the dashboard opens on it too).

        Returns
        -------
        str or None
            A quarter's label (``"2025-Q2"``); None for a workspace without any event.

        Examples
        --------
        >>> demo().default_period()[4:6]
        '-Q'
        """
        from .diagnostics.compare import default_period

        as_of = self.data_as_of()
        if as_of is None:
            return None
        leads = self.tables()["leads"]
        (span,) = engine.records(
            leads.aggregate(first=leads.created_at.min(), last=leads.created_at.max())
        )
        days = [v.date() if isinstance(v, datetime) else v for v in (span["first"], span["last"])]
        return default_period(as_of, *days).label

    def reconcile(self) -> list:
        """Channel reconciliation: spend naming a channel or campaign that no lead has, and
        lead channels that no spend names, each with the closest names ("did you mean").

        Returns
        -------
        list of ReconcileWarning
            ``str()`` is the sentence, ``code`` its kind; empty when no spend is loaded or
            every name matches.

        Examples
        --------
        >>> {w.code for w in demo().reconcile()} <= {"no_spend", "spend_without_match"}
        True
        """
        from .metrics.reconcile import reconcile

        return reconcile(self.tables())

    # ---------------------------------------------------------------- ingest
    def ingest(
        self,
        source: str | Path,
        policy: str | None = None,
        progress: ProgressFactory | None = None,
        wait: float | None = None,
    ) -> IngestSummary:
        """Load a folder of canonical files, or the sources a leadpilot.yaml names.

        One writer at a time: an ingest waits while another one writes the workspace,
        and readers (other commands, the service, other Pilots) go on reading the last
        committed state meanwhile; the new state appears whole when the ingest ends.

        Parameters
        ----------
        source : str or Path
            A folder of canonical files (``leads.csv``, ``deals.parquet``...) or a
            ``leadpilot.yaml`` naming the sources and their mappings.
        policy : {"strict", "quarantine"}, optional
            strict (default from the configuration) changes nothing on a bad value;
            quarantine loads the good rows and keeps the bad ones aside.
        progress : callable, optional
            ``progress(label, total)`` returns ``tick(n)``, called as rows are read.
        wait : float, optional
            Seconds to wait for another writer of the workspace (default:
            ``workspace.write_wait``); then :class:`~leadpilot.errors.WorkspaceBusyError`.

        Returns
        -------
        IngestSummary
            Rows read / loaded / merged / quarantined per table, notes and warnings
            (including the channel reconciliation of spend and leads).

        Examples
        --------
        >>> summary = demo().ingest(demo_data())   # the same files again: nothing changes
        >>> summary.tables["leads"].rows_read == summary.tables["leads"].rows_loaded
        True
        """
        if policy not in (None, "strict", "quarantine"):
            raise UsageError(f"--policy {policy!r}: expected strict or quarantine")
        # a batch of records (inside ingest_records's write) leaves the model to that write
        outermost = not self.workspace.is_writing
        with self.workspace.writing(wait, what="ingest"):
            from .metrics.model import reserved_names
            from .sources.load import ingest  # the parsers import pandas (through pyarrow)

            try:
                summary = ingest(self.workspace, source, policy=policy, progress=progress,
                                 reserved=reserved_names())  # fmt: skip
                if outermost:
                    self._after_data_write()
            except Exception as exc:
                if not engine.out_of_memory(exc):
                    raise
                raise _ingest_out_of_memory() from None  # the write is abandoned: no change
        if any(t in summary.tables for t in ("leads", "spend")):
            from .metrics.reconcile import messages

            summary.warnings.extend(messages(self.reconcile()))
        return summary

    # ---------------------------------------------------------------- programs (the API)
    @contextlib.contextmanager
    def snapshot(self) -> Iterator[Pilot]:
        """Read inside one transaction: every query of the block sees the workspace as it
        was when the block started, whatever an ingest on another connection commits
        meanwhile (the service reads this way while it writes).

        Examples
        --------
        >>> with demo().snapshot() as lp:
        ...     lp.kpi_result().rows[0]["leads"] > 0
        True
        """
        self.workspace.refresh()
        with self.workspace.backend.snapshot():
            yield self

    def refresh(self) -> bool:
        """Read what other processes committed since the workspace was opened.

        A Pilot reads the state committed when it opened the workspace (or when its own
        last write ended), even while other processes ingest; this moves it to the last
        committed state. Expressions taken from :meth:`tables` before are not usable after.

        Returns
        -------
        bool
            True when another writer had committed and the workspace was re-opened.

        Examples
        --------
        >>> demo().refresh()
        False
        """
        return self.workspace.refresh()

    def ingest_records(
        self,
        table: str,
        records: list[dict] | None = None,
        csv_text: str | bytes | None = None,
        policy: str | None = "strict",
        label: str | None = None,
    ) -> IngestSummary:
        """Ingest a batch of one table posted by a program: JSON records or CSV text.

        The batch is written as the table's canonical file in a private temporary folder
        and ingested from there: validated exactly as a file, idempotent by the table's
        key, one transaction (under ``strict`` a bad batch changes nothing).

        Parameters
        ----------
        table : str
            leads, touchpoints, stage_events, deals, spend or traffic.
        records : list of dict, optional
            The records (give this or ``csv_text``); values are text, numbers, booleans or
            null, read as a CSV cell would be.
        csv_text : str or bytes, optional
            A CSV document with a header row.
        policy : {"strict", "quarantine"}
        label : str, optional
            How problems, the quarantine and the ingest log name the batch (default
            ``"<table> batch"``); a problem's row is the record's position (JSON) or the
            CSV line.

        Returns
        -------
        IngestSummary

        Raises
        ------
        ValidationError
            Every problem of the batch (nothing loaded under ``strict``).

        Examples
        --------
        >>> lp = open(tempfile.mkdtemp(), create=True)
        >>> s = lp.ingest_records("leads", [{"lead_id": "L1", "created_at": "2025-01-02"}])
        >>> s.tables["leads"].rows_loaded
        1
        """
        from .records import BatchLabels, batch_file, batch_parts, records_parts

        label = label or f"{table} batch"
        if (records is None) == (csv_text is None):
            raise UsageError("give the batch as records or as csv_text (one of them)")
        try:
            if records is not None:  # one file per set of fields, numbers with a point
                records = _with_required(table, records)
                batch = batch_parts(table, records_parts(table, records, label))
            else:
                batch = batch_file(table, csv_text)
            with batch as made, self.workspace.writing(what="ingest"):
                source, positions = made if records is not None else (made.parent, None)
                files = list(positions) if positions is not None else [str(made)]
                labels = BatchLabels.of(label, files, source, positions)
                with labels.naming():
                    summary = self.ingest(source, policy=policy)
                labels.store(self.workspace.backend)
                # a few records: the model is computed by the commands until the next
                # ingest (rebuilding it for every posted batch would cost each post a pass)
                self._after_data_write(store=False)
        except ValidationError as exc:
            if records is not None:  # a JSON batch: its problems name records, not rows
                _naming_records(exc)
            raise
        return labels.summary(summary)

    def score_records(
        self,
        records: list[dict],
        as_of: Day = None,
        reasons: bool = True,
        scorer: RealtimeScorer | None = None,
    ) -> ScoreResult:
        """Score leads posted by a program (a web form, a CRM webhook) in real time.

        The records are read as a canonical leads file would be (same parsing, validation
        and problems, rows numbered by their position); their behaviour is the workspace's
        touches when their lead_id is known. Scores, bands and reasons equal those of
        :meth:`score_apply_result` with ``input`` holding the same leads. Nothing is stored.

        Parameters
        ----------
        records : list of dict
            Leads in the canonical layout (lead_id, created_at, attributes).
        as_of : date, optional
            Score as of the end of this day (default: the latest event in the data).
        reasons : bool
            Add the three reasons of each score.
        scorer : optional
            A scorer from :meth:`realtime_scorer`, kept while the data does not change
            (the service keeps one per workspace version): each call is then a lookup, no
            query on the workspace. Without it, one is made for this call.

        Returns
        -------
        ScoreResult
            As :meth:`score_apply_result` with ``input``: score, band and reasons per lead.

        Examples
        --------
        >>> r = demo().score_records([{"lead_id": "new-1", "created_at": "2025-03-01"}])
        >>> r.frame.columns[:3].tolist()
        ['lead_id', 'score', 'probability']
        """
        from .records import BatchLabels, records_csv

        at = _day(as_of, "as_of")
        if isinstance(at, date) and not isinstance(at, datetime):
            at = datetime.combine(at, datetime.max.time()).replace(microsecond=0)
        # problems name the records "request" and their position, as a posted batch's do
        labels = BatchLabels.of(
            "request", [_POSTED_FILE], _POSTED_FILE,
            {_POSTED_FILE: list(range(1, len(records) + 1)) if isinstance(records, list) else []},
        )  # fmt: skip
        try:
            records_csv("leads", records, "request")  # the shape checks of a posted batch
            # a lead without lead_id (or created_at) is one bad lead among the others
            records = _with_required("leads", records)
            if scorer is None:
                from .scoring.realtime import RealtimeScorer

                scorer = RealtimeScorer(
                    self.workspace.root, self.tables(), self.config, precompute=False
                )
            with labels.naming():
                # the tables are read only when the scorer needs a query (another as-of)
                result = scorer.score(records, file=_POSTED_FILE, as_of=at, reasons=reasons,
                                      tables=self.tables)  # fmt: skip
        except ValidationError as exc:
            # nothing is loaded here, and there is no quarantine to post to
            exc.hint = "Fix the lead(s) and send them again."
            _naming_records(exc, "scored")
            raise
        result.warnings = labels.notices(result.warnings)
        return result

    def realtime_scorer(self) -> RealtimeScorer:
        """A scorer for :meth:`score_records` holding what scoring a lead needs (the rules,
        the saved model, every lead's behaviour as of the latest event), read now: valid
        until the data or the configuration changes.

        Returns
        -------
        leadpilot.scoring.realtime.RealtimeScorer

        Examples
        --------
        >>> lp = demo()
        >>> scorer = lp.realtime_scorer()
        >>> lp.score_records([{"lead_id": "L1", "created_at": "2025-03-01"}],
        ...                  scorer=scorer).frame["score"].tolist()
        [0]
        """
        from .scoring.realtime import RealtimeScorer

        return RealtimeScorer(self.workspace.root, self.tables(), self.config)

    def erase_lead(self, lead_id: str) -> dict:
        """Erase a lead everywhere (right to erasure): leads, touchpoints, stage events,
        deals, scores and the quarantine, with the records merged into it (the same
        person), in one transaction.

        Returns
        -------
        dict
            ``found``, ``lead_ids`` erased, ``removed`` rows per table, ``notes``.

        Examples
        --------
        >>> lp = open(tempfile.mkdtemp(), create=True)
        >>> _ = lp.ingest_records("leads", [{"lead_id": "L1", "created_at": "2025-01-02"}])
        >>> lp.erase_lead("L1")["removed"]["leads"]
        1
        """
        from .records import erase_lead

        with self.workspace.writing(what="erasure"):
            erased = erase_lead(self.workspace, lead_id)
            self._after_data_write()  # the stored model holds the lead too
            return erased

    def _quarantine(self, table: str | None) -> tuple[pd.DataFrame, Result]:
        from .results import Meta
        from .text import Text

        q = self.workspace.table("quarantine")
        if table is not None:
            if table not in TABLES:
                raise UsageError(f"--table {table!r}: expected one of {', '.join(TABLES)}")
            q = q.filter(q.table_name == table)
        df = q.order_by(["table_name", "file", "row"]).to_pandas()
        records = len(df.drop_duplicates(["table_name", "file", "row", "record"]))
        meta = Meta(
            "quarantine",
            params={"table": table},
            definitions={name: Text(en, fr) for name, (en, fr) in QUARANTINE.items()},
            details={"records": int(records), "problems": int(len(df))},
        )
        if df.empty:  # kept as a frame: --format csv writes the header, as for any table
            # (its typed dates hold nothing: as text, JSON writes no date format for them)
            empty = df.astype({c: object for c in df.select_dtypes("datetime").columns})
            return df, Result(None, meta, frame=empty)
        rows = df.astype(object).where(df.notna(), None).to_dict(orient="records")
        return df, Result(rows, meta)

    def quarantine_result(self, table: str | None = None) -> Result:
        """What the last ingest of each file set aside, as a Result.

        Parameters
        ----------
        table : str, optional
            Only this table's problems.

        Returns
        -------
        Result
            One row per problem (table_name, file, row, column_name, value as written,
            reason, fix, and the whole record as JSON); ``meta``: records, problems.

        Examples
        --------
        >>> demo().quarantine_result().meta["problems"]
        0
        """
        return self._quarantine(table)[1]

    def quarantine(self, table: str | None = None) -> pd.DataFrame:
        """What the last ingest of each file set aside: one row per problem.

        Parameters
        ----------
        table : str, optional
            Only this table's problems.

        Returns
        -------
        pandas.DataFrame
            table_name, file, row, column_name, value, reason, fix, record (the whole
            record as JSON); ``.attrs["meta"]``: definitions, records, problems.

        Examples
        --------
        >>> demo().quarantine().empty
        True
        """
        df, result = self._quarantine(table)
        df.attrs["meta"] = result.meta.to_json()
        return df

    # ---------------------------------------------------------------- KPIs
    def _grouped(self, compute, by, period, view, date_from, date_to, as_of, **more):
        """An analysis of grouped leads on this workspace, its options normalised once."""
        date_from, date_to = _day(date_from, "date_from"), _day(date_to, "date_to")
        check_range(date_from, date_to)  # a reversed range would silently give zeros
        return compute(
            self.tables(),
            self.config,
            materialize=self._materialize,
            by=_dims(by),
            period=period,
            view=view,
            date_from=date_from,
            date_to=date_to,
            as_of=_day(as_of, "as_of"),
            **more,
        )

    @_noting
    def kpi_result(
        self,
        by: Dims = None,
        period: str = "all",
        view: str = "cohort",
        date_from: Day = None,
        date_to: Day = None,
        as_of: Day = None,
        kpis: list[str] | str | None = None,
    ) -> KpiResult:
        """The KPIs by period and dimension, each with its definition, as a Result.

        Parameters
        ----------
        by : str or list of str, optional
            Dimensions: channel, campaign, content, acquisition, icp_fit, score_band or any
            lead attribute; ``"channel,campaign"`` or a list.
        period : str
            day, week, month, quarter, year or all (default).
        view : {"cohort", "activity"}
            cohort (default) follows the leads created in a period; activity counts what
            happened in it.
        date_from, date_to : date, optional
            First and last day of the leads (cohort) or events (activity) counted.
        as_of : date, optional
            Read the data as it stood at the end of that day (default: the latest event).
        kpis : list of str or str, optional
            KPI names (``"cpl,lead_to_customer"``), ``"all"`` (every KPI of the catalog
            that applies to the view), or the headline KPIs (default).

        Returns
        -------
        KpiResult
            rows (period and dimension keys, KPI values, a rate's ``_numerator``,
            ``_denominator``, ``_low``, ``_high``); ``meta`` (view, as-of, definitions,
            ``kpis``, maturity, warnings); ``kpis`` (the catalog entries).

        Examples
        --------
        >>> r = demo().kpi_result(by="channel", kpis="leads,cpl")
        >>> list(r.definitions)
        ['leads', 'cpl']
        """
        return self._grouped(
            compute_kpis, by, period, view, date_from, date_to, as_of, kpis=_kpis(kpis)
        )

    def kpis(
        self,
        by: Dims = None,
        period: str = "all",
        view: str = "cohort",
        date_from: Day = None,
        date_to: Day = None,
        as_of: Day = None,
        kpis: list[str] | str | None = None,
    ) -> pd.DataFrame:
        """The KPIs as a DataFrame; parameters as :meth:`kpi_result`.

        Returns
        -------
        pandas.DataFrame
            One row per period and group; ``.attrs["meta"]`` holds the definitions,
            the view and the warnings.

        Examples
        --------
        >>> df = demo().kpis(by="channel", period="quarter")
        >>> list(df.columns[:3])
        ['period', 'channel', 'leads']
        """
        return self.kpi_result(by, period, view, date_from, date_to, as_of, kpis).to_frame()

    # ---------------------------------------------------------------- funnel and velocity
    @_noting
    def funnel_result(
        self,
        by: Dims = None,
        period: str = "all",
        view: str = "cohort",
        date_from: Day = None,
        date_to: Day = None,
        as_of: Day = None,
    ) -> FunnelResult:
        """The stage chain with next-step and cumulative conversion, acceptance against the
        agreed threshold (from recorded data only) and rejection reasons.

        Parameters
        ----------
        by, period, view, date_from, date_to, as_of
            As :meth:`kpi_result`.

        Returns
        -------
        FunnelResult
            One row per group and stage (exits flagged); ``meta``: acceptance per group,
            acceptance_threshold, rejection_reasons, definitions, warnings.

        Examples
        --------
        >>> [r["stage"] for r in demo().funnel_result().rows][:3]
        ['lead', 'mql', 'sal']
        """
        return self._grouped(compute_funnel, by, period, view, date_from, date_to, as_of)

    def funnel(
        self,
        by: Dims = None,
        period: str = "all",
        view: str = "cohort",
        date_from: Day = None,
        date_to: Day = None,
        as_of: Day = None,
    ) -> pd.DataFrame:
        """The funnel as a DataFrame; parameters as :meth:`funnel_result`.

        Returns
        -------
        pandas.DataFrame
            One row per group and stage; ``.attrs["meta"]`` has acceptance and reasons.

        Examples
        --------
        >>> demo().funnel(by="channel").columns[:3].tolist()
        ['period', 'channel', 'stage']
        """
        return self.funnel_result(by, period, view, date_from, date_to, as_of).to_frame()

    @_noting
    def velocity_result(
        self,
        by: Dims = None,
        period: str = "all",
        view: str = "cohort",
        date_from: Day = None,
        date_to: Day = None,
        as_of: Day = None,
    ) -> VelocityResult:
        """Days to each stage among converters and, in the cohort view, the share converted
        by age (Kaplan–Meier, open leads censored at ``as_of``).

        Parameters
        ----------
        by, period, view, date_from, date_to, as_of
            As :meth:`kpi_result`: the cohort view groups durations by the creation period
            (and draws the curves per cohort), the activity view by the period the later
            stage was reached (no curves: they follow cohorts).

        Returns
        -------
        VelocityResult
            One row per period and group: ``<duration>`` (median), ``_mean``, ``_p75``,
            ``_n``, and ``<stage>_by_day_<N>``; ``meta.kaplan_meier`` names the stages and
            days.

        Examples
        --------
        >>> row = demo().velocity_result().rows[0]
        >>> "sales_cycle_days" in row and "customer_by_day_90" in row
        True
        """
        return self._grouped(compute_velocity, by, period, view, date_from, date_to, as_of)

    def velocity(
        self,
        by: Dims = None,
        period: str = "all",
        view: str = "cohort",
        date_from: Day = None,
        date_to: Day = None,
        as_of: Day = None,
    ) -> pd.DataFrame:
        """Velocity as a DataFrame; parameters as :meth:`velocity_result`.

        Returns
        -------
        pandas.DataFrame
            One row per period and group; ``.attrs["meta"]`` holds the definitions.

        Examples
        --------
        >>> len(demo().velocity(by="channel")) > 1
        True
        """
        return self.velocity_result(by, period, view, date_from, date_to, as_of).to_frame()

    # ---------------------------------------------------------------- secondary reports
    @_noting
    def content_result(self, as_of: Day = None) -> Result:
        """Content performance: views, CTA clicks, leads first touched and what they became.

        Parameters
        ----------
        as_of : date, optional
            As :meth:`kpi_result`.

        Returns
        -------
        Result
            One row per content; ``meta.definitions`` defines each column.

        Examples
        --------
        >>> "views" in demo().content_result().definitions
        True
        """
        from .metrics.secondary import content_performance

        as_of = _day(as_of, "as_of")
        return content_performance(self.tables(), self.config, as_of=as_of)

    def content(self, as_of: Day = None) -> pd.DataFrame:
        """Content performance as a DataFrame; parameters as :meth:`content_result`.

        Examples
        --------
        >>> "cta_clicks" in demo().content().columns
        True
        """
        return self.content_result(as_of).to_frame()

    @_noting
    def sources_result(
        self, by: Dims = "channel", period: str = "all", as_of: Day = None
    ) -> Result:
        """Lead-source mix: each source's share of the leads and of the customers per period.

        Parameters
        ----------
        by : str
            The source dimension (channel by default, or campaign, acquisition, any lead
            attribute); one at a time.
        period : str
            day, week, month, quarter, year or all (default).
        as_of : date, optional
            As :meth:`kpi_result`.

        Returns
        -------
        Result
            One row per period and source: leads, lead_share, customers, customer_share,
            lead_to_customer.

        Examples
        --------
        >>> r = demo().sources_result(period="year")
        >>> round(sum(x["lead_share"] for x in r.rows if x["period"] == r.rows[0]["period"]), 6)
        1.0
        """
        from .metrics.secondary import source_mix

        dim = _one_dim(by, "channel", "the lead-source mix")
        as_of = _day(as_of, "as_of")
        return source_mix(self.tables(), self.config, by=dim, period=period, as_of=as_of)

    def sources(self, by: Dims = "channel", period: str = "all", as_of: Day = None) -> pd.DataFrame:
        """The lead-source mix as a DataFrame; parameters as :meth:`sources_result`.

        Examples
        --------
        >>> demo().sources(by="acquisition").columns[:2].tolist()
        ['period', 'acquisition']
        """
        return self.sources_result(by, period, as_of).to_frame()

    @_noting
    def retention_result(self, months: int = 6, as_of: Day = None) -> Result:
        """Interest retention: the share of each monthly cohort still engaging k months after
        creation.

        Parameters
        ----------
        months : int
            Months after creation (columns month_0 ... month_N).
        as_of : date, optional
            As :meth:`kpi_result`; months not reached yet are null.

        Returns
        -------
        Result
            One row per cohort month.

        Examples
        --------
        >>> "month_3" in demo().retention_result(months=3).rows[0]
        True
        """
        from .metrics.secondary import interest_retention

        as_of = _day(as_of, "as_of")
        months = _number(months, "--months", _MONTHS, whole=True)
        return interest_retention(self.tables(), self.config, months=months, as_of=as_of)

    def retention(self, months: int = 6, as_of: Day = None) -> pd.DataFrame:
        """Interest retention as a DataFrame; parameters as :meth:`retention_result`.

        Examples
        --------
        >>> demo().retention(months=2).columns[0]
        'cohort'
        """
        return self.retention_result(months, as_of).to_frame()

    # ---------------------------------------------------------------- attribution
    @_noting
    def attribution_result(
        self,
        models: list[str] | str | None = None,
        conversion: str = "customer",
        by: Dims = "channel",
        lookback: int | None = None,
        period: str = "all",
        as_of: Day = None,
        date_from: Day = None,
        date_to: Day = None,
    ) -> AttributionResult:
        """Credit per model and channel (campaign, content), models side by side.

        Parameters
        ----------
        models : str or list of str, optional
            Model names (``"markov,shapley"``) or ``"all"``; default last_touch, linear,
            markov.
        conversion : str
            lead, mql, sql, opportunity, customer (default) or revenue.
        by : str
            channel (default), campaign or content; one at a time.
        lookback : int, optional
            Days of touches before the conversion (default: attribution.lookback_days).
        period : str
            day, week, month, quarter, year or all (default), by conversion date.
        as_of : date, optional
            As :meth:`kpi_result`.
        date_from, date_to : date, optional
            First and last day of the conversions credited (by conversion date; a lead
            that did not convert by its last touch). Their touches before ``date_from``
            in the lookback window count; the spend is the spend of these days.

        Returns
        -------
        AttributionResult
            One row per model, period and value: conversions, revenue, share (and spend,
            cost_per_conversion, roas, roi when spend is loaded); ``meta``: each model's
            definition, totals, the spread between models, ``date_from`` / ``date_to``,
            warnings.

        Raises
        ------
        MissingDataError
            Without touchpoints, or without a conversion (in the range) that has a touch
            to credit.
        UsageError
            ``date_from`` after ``date_to``.

        Examples
        --------
        >>> r = demo().attribution_result(models="first_touch,last_touch")
        >>> r.models
        ['first_touch', 'last_touch']
        """
        from .attribution import compute_attribution

        return compute_attribution(
            self.tables(),
            self.config,
            models=models,
            conversion=conversion,
            by=_one_dim(by, "channel", "attribution"),
            lookback=_number(lookback, "--lookback", "a whole number of days (1 or more)",
                             whole=True),
            period=period,
            materialize=self._materialize,
            as_of=_day(as_of, "as_of"),
            date_from=_day(date_from, "date_from"),
            date_to=_day(date_to, "date_to"),
        )

    def attribution(
        self,
        models: list[str] | str | None = None,
        conversion: str = "customer",
        by: Dims = "channel",
        lookback: int | None = None,
        period: str = "all",
        as_of: Day = None,
        date_from: Day = None,
        date_to: Day = None,
    ) -> pd.DataFrame:
        """Attribution as a DataFrame; parameters as :meth:`attribution_result`.

        Examples
        --------
        >>> df = demo().attribution(models="linear")
        >>> round(float(df["share"].sum()), 3)
        1.0
        """
        result = self.attribution_result(
            models, conversion, by, lookback, period, as_of, date_from, date_to
        )
        return result.to_frame()

    # ---------------------------------------------------------------- lead scoring
    def score_train(
        self,
        target: str | None = None,
        horizon: int | None = None,
        model: str = "auto",
        status: Callable[[str], None] | None = None,
    ) -> TrainResult:
        """Train the predictive model on the leads whose outcome is known; save it with its
        card in the workspace's ``models/``.

        Parameters
        ----------
        target : str, optional
            sql, opportunity or customer (default: scoring.model.target).
        horizon : int, optional
            Days after creation to reach the target (0: outcomes are final).
        model : {"auto", "logistic", "boosted"}
            auto chooses on the validation AUC.
        status : callable, optional
            Called with a short text at each step.

        Returns
        -------
        TrainResult
            ``card`` (population, metrics, features, leakage guard, bands, split) and one
            summary row.

        Examples
        --------
        >>> result = demo().score_train(target="customer", horizon=120)  # doctest: +SKIP
        >>> result.card["model"]  # doctest: +SKIP
        'logistic'
        """
        from .scoring.train import train

        horizon = _number(horizon, "--horizon", "a whole number of days (0: outcomes are final)",
                          whole=True)  # fmt: skip
        return train(
            self.workspace.root, self.tables(), self.config,
            target=target, horizon_days=horizon, model=model, status=status,
        )  # fmt: skip

    def score_evaluate(self) -> EvaluationResult:
        """AUC, calibration, lift / gains and acceptance of the model and the rules score.

        Returns
        -------
        EvaluationResult
            One row per score (model, rules); ``details``: deciles, reliability,
            population.

        Without a trained model only the rules score is evaluated, and without scoring
        rules in leadpilot.yaml (the demo workspace has none) nothing is: the rows are
        empty and the notices say why.

        Examples
        --------
        >>> evaluation = demo().score_evaluate()
        >>> evaluation.rows, [n.code for n in evaluation.notices]
        ([], ['rules_only', 'no_rules'])

        After ``score_train()`` the first row is the model's (``rows[0]["score"]`` is
        ``'model'``), followed by the rules score's when rules are declared.
        """
        from .scoring.evaluate import evaluate

        return evaluate(self.workspace.root, self.tables(), self.config)

    def score_threshold(
        self,
        capacity: float | None = None,
        target_acceptance: float | None = None,
        using: str = "auto",
    ) -> ThresholdResult:
        """The score threshold that fits sales capacity or a target acceptance rate.

        Parameters
        ----------
        capacity : float, optional
            MQLs sales can handle per month.
        target_acceptance : float, optional
            Acceptance rate to reach (0.6); give exactly one of the two.
        using : {"auto", "model", "rules"}
            The score to cut (auto: the model when one is trained).

        Returns
        -------
        ThresholdResult
            The trade-off table (one row per threshold), ``recommended``, ``rule``
            (``rule_in(lang)``), ``population``.

        Examples
        --------
        >>> demo().score_threshold(capacity=10).using   # no model trained: the rules score
        'rules'
        """
        from .scoring.threshold import recommend

        capacity = _number(capacity, "--capacity", "a number of MQLs per month, e.g. 300")
        target_acceptance = _number(target_acceptance, "--target-acceptance",
                                    "a rate between 0 and 1, e.g. 0.6")  # fmt: skip
        return recommend(
            self.workspace.root, self.tables(), self.config,
            capacity=capacity, target_acceptance=target_acceptance, using=using,
        )  # fmt: skip

    def score_apply_result(
        self,
        input: str | Path | None = None,  # noqa: A002 - mirrors the CLI option
        as_of: Day = None,
        reasons: bool = True,
        store: bool = True,
        progress: ProgressFactory | None = None,
    ) -> ScoreResult:
        """Score every workspace lead, or the leads of a new canonical file, as a Result.

        Parameters
        ----------
        input : str or Path, optional
            A new leads file (canonical layout); nothing is stored then.
        as_of : date, optional
            Score as of the end of this day (default: the latest event in the data).
        reasons : bool
            Add the three reasons of each score.
        store : bool
            Keep the workspace scores in the ``scores`` table (the score_band dimension).
        progress : callable, optional
            ``progress(label, total) -> tick(n)`` follows the scoring steps.

        Returns
        -------
        ScoreResult
            A frame of lead_id, score (0-100), probability, rules_score, scored_mql, band,
            reason_1..3; ``meta``: as_of, score (model or rules), bands, definitions.

        Examples
        --------
        >>> scores = demo().score_apply_result(store=False)
        >>> scores.meta["score"], scores.frame.columns[:3].tolist()
        ('rules', ['lead_id', 'score', 'probability'])
        """
        from .scoring.apply import read_leads_file, score_leads, store_scores

        leads, warnings = None, []
        if input is not None:
            leads, warnings = read_leads_file(input, self.config, self.workspace.table("leads"))
        as_of = _day(as_of, "as_of")
        if isinstance(as_of, date) and not isinstance(as_of, datetime):
            as_of = datetime.combine(as_of, datetime.max.time()).replace(microsecond=0)
        result = score_leads(
            self.workspace.root, self.tables(), self.config,
            as_of=as_of, leads=leads, reasons=reasons, warnings=warnings, progress=progress,
        )  # fmt: skip
        if store and input is None:
            with self.workspace.writing(what="score apply"):
                store_scores(self.workspace.con, result, progress=progress)
                self._keep_stored_model()
        return result

    def score_apply(
        self,
        input: str | Path | None = None,  # noqa: A002 - mirrors the CLI option
        as_of: Day = None,
        reasons: bool = True,
        store: bool = True,
        progress: ProgressFactory | None = None,
    ) -> pd.DataFrame:
        """Every lead's score as a DataFrame; parameters as :meth:`score_apply_result`.

        Returns
        -------
        pandas.DataFrame
            One row per lead; ``.attrs["meta"]`` holds the as-of date, the bands' rule and
            cut-offs, the definitions and the warnings.

        Examples
        --------
        >>> demo().score_apply(store=False, reasons=False).columns.tolist()[:3]
        ['lead_id', 'score', 'probability']
        """
        return self.score_apply_result(input, as_of, reasons, store, progress).to_frame()

    def rules_scores(self, as_of: Day = None) -> pd.DataFrame:
        """The rules score of every lead and each rule's points, as of a date.

        Parameters
        ----------
        as_of : date, optional
            The end of that day (a datetime: that moment); default: the latest event in
            the data.

        Returns
        -------
        pandas.DataFrame
            lead_id, rules_score, scored_mql and one column of points per rule, in the
            order of ``scoring.fit`` then ``scoring.behaviour``, named after the rule: its
            ``name`` in leadpilot.yaml, else the label its reasons show (an unnamed rule
            on a column of personal data shows the column, never the value); a name given
            twice, or one of the first three columns', gets " (2)".

        Examples
        --------
        >>> "rules_score" in demo().rules_scores().columns
        True
        """
        from .metrics.asof import end_of_day
        from .scoring.features import data_end
        from .scoring.rules import RulesScorer

        tables = self.tables()
        as_of = _day(as_of, "as_of")
        at = end_of_day(as_of) if as_of is not None else data_end(tables) or datetime.now()
        scorer = RulesScorer.from_config(self.config)
        df = scorer.score_table(tables, as_of=at, detail=True).to_pandas()
        # the engine's columns are rule_0, rule_1...: a reader gets the rules' names
        taken = {"lead_id", "rules_score", "scored_mql"}
        names = {}
        for i, label in enumerate(scorer.reason_labels()):
            name, n = label, 1
            while name in taken:
                n += 1
                name = f"{label} ({n})"
            taken.add(name)
            names[f"rule_{i}"] = name
        return df.rename(columns=names)

    # ---------------------------------------------------------------- diagnostics
    @_noting
    def diagnosis(
        self,
        current: str | None = None,
        previous: str | None = None,
        vs: str | None = None,
        by: Dims = None,
    ) -> Result:
        """Compare two periods: what changed, why, whether it is significant, what to do.

        Parameters
        ----------
        current : str, optional
            A quarter (``"2025-Q2"``), a month (``"2025-03"``) or a year; default: the last
            complete quarter.
        previous : str, optional
            The period to compare with; default: the one just before ``current``.
        vs : {"previous", "last-year"}, optional
            ``"last-year"`` compares with the same period a year before.
        by : str or list of str, optional
            One dimension (channel, campaign, content, acquisition, ...; a name or a list of
            one): the KPIs, the mix effect and the channel economics by its values.

        Returns
        -------
        Result
            rows: every KPI of both periods with its change (and, for rates, the test,
            its p-value and the interval of the difference); ``meta``: the periods,
            ``findings`` and ``data_quality`` (each with a code, a severity, evidence, an
            explanation and actions in English and French), ``decomposition`` of the
            revenue and customers change into volume, mix, conversion (by stage) and deal
            size, ``worst_severity``.

        Examples
        --------
        >>> r = demo().diagnosis(current="2025-Q2", previous="2025-Q1")
        >>> "volume_up_revenue_flat" in {f["code"] for f in r.meta["findings"]}
        True
        """
        from .diagnostics.compare import compare
        from .diagnostics.result import diagnosis_result

        dim = _one_dim(by, None, "the diagnosis")
        c = compare(self.tables(), self.config, current=current, previous=previous, vs=vs, by=dim)
        return diagnosis_result(c, self.config.currency)

    @_noting
    def plan(
        self,
        target_revenue: float | None = None,
        budget: float | None = None,
        mix: str | dict | None = None,
        shift: str | dict | None = None,
        months: int | None = None,
    ) -> Result:
        """The reverse funnel from a revenue target, or a budget what-if.

        Parameters
        ----------
        target_revenue : float, optional
            Revenue to reach: customers, opportunities, SQLs, MQLs, leads and budget
            needed per channel.
        budget : float, optional
            Budget over ``months`` (a quarter by default) for the what-if; give exactly one
            of ``target_revenue`` and ``budget``.
        mix : str or dict, optional
            Revenue shares by channel (``"paid_search=0.5,outbound=0.5"``); default: the
            current mix of revenue.
        shift : str or dict, optional
            Budget moves (``"paid_social=-20000,outbound=+20000"``).
        months : int, optional
            The months ``budget`` covers (default 3); the reverse funnel has no horizon
            (what the target needs, whenever it is won), so it refuses one.

        Returns
        -------
        Result
            One row per channel; ``meta``: totals, the reference window of the rates, the
            assumption and (reverse funnel) the least certain rate and the plan at its
            interval bounds.

        Examples
        --------
        >>> r = demo().plan(target_revenue=100_000)
        >>> r.meta["totals"]["revenue"]
        100000
        """
        from .diagnostics.plan import budget_what_if, reverse_funnel
        from .diagnostics.result import plan_result

        target_revenue = _number(target_revenue, "--target-revenue", _AMOUNT)
        budget = _number(budget, "--budget", _AMOUNT)
        months = _number(months, "--months", _MONTHS, whole=True)
        if months is not None and target_revenue is not None:
            raise UsageError(
                "--months goes with --budget (the months it covers), not with "
                "--target-revenue: the reverse funnel gives what the target needs, whatever "
                "the time it takes"
            )
        months = 3 if months is None else months
        if (target_revenue is None) == (budget is None):
            raise UsageError("give exactly one of --target-revenue and --budget")
        if target_revenue is not None:
            if shift:
                raise UsageError("--shift goes with --budget, not with --target-revenue")
            p = reverse_funnel(self.tables(), self.config, target_revenue, mix=mix)
            params = {"target_revenue": target_revenue, "mix": mix or "current"}
        else:
            if mix:
                raise UsageError("--mix goes with --target-revenue, not with --budget")
            p = budget_what_if(self.tables(), self.config, budget, shift=shift, months=months)
            params = {"budget": budget, "shift": shift, "months": months}
        return plan_result(p, self.config.currency, params)

    @_noting
    def forecast(self, months: int = 6, as_of: Day = None) -> Result:
        """Expected won revenue per month from the open pipeline, with an 80 % interval.

        Parameters
        ----------
        months : int
            Months after the as-of date (its own month's rest comes first).
        as_of : date, optional
            Forecast from the state at the end of that day (default: the latest event).

        Returns
        -------
        Result
            One row per month: expected, low, high (10th and 90th percentiles of the
            simulations), from_open_deals, from_funnel; ``meta``: the method, the number
            of open deals and of leads in the funnel.

        Examples
        --------
        >>> r = demo().forecast(months=3)
        >>> len(r.rows)
        4
        """
        from .diagnostics.forecast import forecast
        from .diagnostics.result import forecast_result

        months = _number(months, "--months", _MONTHS, whole=True)
        f = forecast(self.tables(), self.config, months=months, as_of=_day(as_of, "as_of"))
        return forecast_result(f, self.config.currency, months)

    # ---------------------------------------------------------------- reports
    def report(self, period: str | None = None, vs: str | None = None) -> Report:
        """The report of one period: headline, findings, funnel, channels, trends, velocity,
        attribution, scoring quality, data quality and definitions, ready to be written in
        English or French as HTML, PDF, Excel or Markdown.

        Parameters
        ----------
        period : str, optional
            A quarter (``"2025-Q2"``), a month (``"2025-03"``) or a year; default: the last
            complete quarter (the latest quarter holding leads when that one has none).
        vs : {"previous", "last-year"}, optional
            The comparison period: the one before (default) or the same one a year before.

        Returns
        -------
        leadpilot.reports.Report
            ``html(lang)``, ``pdf(lang)``, ``xlsx(lang)``, ``markdown(lang)`` and
            ``write(path, fmt, lang)``; ``data`` holds the Results it shows.

        Examples
        --------
        >>> report = demo().report("2025-Q2")  # doctest: +SKIP
        >>> report.data.period.label, report.data.previous.label  # doctest: +SKIP
        ('2025-Q2', '2025-Q1')
        >>> report.write("q2.html", lang="fr").name  # doctest: +SKIP
        'q2.html'

        (tests/reports run these on a 3,000-lead workspace and in a browser.)
        """
        from .reports import Report
        from .reports.collect import collect

        with self._one_state():
            return Report(collect(self, period=period, vs=vs), names=self.names)

    # ---------------------------------------------------------------- lifecycle
    def close(self) -> None:
        """Close the workspace's database connection."""
        self.workspace.close()

    def __enter__(self) -> Pilot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


QUARANTINE = {
    "reason": (
        "what the cell should have held",
        "ce que la cellule aurait dû contenir",
    ),
    "fix": (
        "the setting or change that would let the record load",
        "le réglage ou la correction qui permettrait de charger l'enregistrement",
    ),
    "record": (
        "the record as read, JSON, so nothing is lost",
        "l'enregistrement tel que lu, en JSON, pour que rien ne se perde",
    ),
}


# ---------------------------------------------------------------- without a workspace
def open(  # noqa: A001 - public name
    path: str | Path = ".", create: bool = False, names: str = "options"
) -> Pilot:
    """Open a workspace folder (holding ``leadpilot.yaml`` and its database).

    :func:`leadpilot.open` is this function for a Python reader (``names="python"``):
    the command line and the service open their workspaces here.

    Parameters
    ----------
    path : str or Path
        The workspace folder (default: the current one).
    create : bool
        Create the folder (with a default configuration) when it does not exist.
    names : {"options", "python", "rest"}
        How errors name the options (see :class:`Pilot`): the command line's flags
        (default), the Python parameters, or the REST API's.

    Returns
    -------
    Pilot

    Examples
    --------
    >>> with open(demo_workspace()) as lp:
    ...     lp.config.currency
    'EUR'
    """
    if names not in AUDIENCES:  # before opening anything
        raise UsageError(f"names {names!r}: expected one of {', '.join(AUDIENCES)}")
    return Pilot(engine.open_workspace(path, create=create), names=names)


def is_workspace(path: str | Path) -> bool:
    """Whether ``path`` is a workspace: its database is there (a file engine: the file
    ``workspace.database`` names), or its ``leadpilot.yaml`` names a server engine's
    database and lists no sources. A folder of exports whose ``leadpilot.yaml`` only lists
    sources to ingest is not one: opening it would create an empty workspace there.

    Examples
    --------
    >>> is_workspace(demo_workspace()), is_workspace(tempfile.mkdtemp())
    (True, False)
    """
    from .config import CONFIG_FILE, load_config
    from .errors import LeadpilotError

    root = Path(path)
    if not root.is_dir():
        return False
    try:
        config = load_config(root / CONFIG_FILE)
        db = engine.backend_class(config.workspace.backend).database_file(config, root)
    except LeadpilotError:  # an unreadable configuration: the default database decides
        return (root / "leadpilot.duckdb").is_file()
    if db is not None:
        return db.is_file()
    return (root / CONFIG_FILE).is_file() and not config.sources


def doctor(path: str | Path = "."):
    """Check a workspace without changing it: backend and version, capabilities, table
    sizes, disk used, and every problem found with its fix (see :mod:`leadpilot.doctor`).

    Parameters
    ----------
    path : str or Path
        The workspace folder; it need not open (why it does not is then the problem).

    Returns
    -------
    leadpilot.doctor.Checkup
        ``to_json(lang)``, ``ok``, ``problems``, ``tables``, ``backend``, ``disk``.

    Examples
    --------
    >>> doctor(demo_workspace()).ok
    True
    """
    from .doctor import examine

    return examine(path)


def remove_unused_workspace(path: str | Path) -> bool:
    """Remove the workspace folder at ``path`` if nothing was ever committed into it and
    no one is writing it (a failed first ingest leaves no half-made workspace behind, but
    never removes one that another ingest, started at the same time, is filling).

    Returns
    -------
    bool
        True when the folder was removed.

    Examples
    --------
    >>> remove_unused_workspace(tempfile.mkdtemp())
    True
    """
    import shutil

    from .config import CONFIG_FILE, load_config
    from .engine.writing import write_lock
    from .errors import LeadpilotError, WorkspaceBusyError

    root = Path(path)
    if not root.is_dir():
        return False
    try:
        with write_lock(root, 0, what="cleanup"):
            try:  # read what is committed, without opening (opening may want to write)
                config = load_config(root / CONFIG_FILE)
                db = engine.backend_class(config.workspace.backend).database_file(config, root)
                if db is None or db.exists():
                    con = engine.connect(config, root)
                    try:
                        if (
                            "ingest_log" in con.list_tables()
                            and con.table("ingest_log").count().execute()
                        ):
                            return False
                    finally:
                        con.disconnect()
            except LeadpilotError:
                pass  # not a workspace (yet): nothing of value in it
            shutil.rmtree(root, ignore_errors=True)
            return True
    except WorkspaceBusyError:
        return False


def generate(
    out_dir: str | Path, leads: int = 10_000, seed: int = 42, fmt: str = "parquet",
    names: str = "options",
) -> list[Path]:  # fmt: skip
    """Write a realistic synthetic B2B dataset: the six canonical tables.

    Parameters
    ----------
    out_dir : str or Path
        Folder to write ``leads.parquet``, ``touchpoints.parquet``... into.
    leads : int
        Number of leads (at least 1).
    seed : int
        Random seed: the same seed gives the same data.
    fmt : {"parquet", "csv"}
    names : {"options", "python"}
        How errors name the options: the command line's flags (``--leads``), or the
        parameters (``leads``: :func:`leadpilot.generate` is this function for Python).

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> [p.name for p in generate(tempfile.mkdtemp(), leads=50, fmt="csv")][:2]
    ['leads.csv', 'touchpoints.csv']
    """
    from .synth import generate as synth
    from .synth import write_tables

    with worded(names):
        if fmt not in ("csv", "parquet"):
            raise UsageError(f"--format {fmt!r}: expected csv or parquet")
        if not isinstance(leads, int) or isinstance(leads, bool) or leads < 1:
            raise UsageError(f"--leads {leads!r}: expected a whole number of leads, at least 1")
        return write_tables(synth(leads, seed=seed), Path(out_dir), fmt=fmt)


def presets() -> dict[str, dict]:
    """The export presets (``sources[].preset`` in leadpilot.yaml), by name.

    Returns
    -------
    dict of str to dict
        name -> its table, export title, notes and mapping (see :func:`preset`).

    Examples
    --------
    >>> "hubspot_contacts" in presets()
    True
    """
    from .sources.mapping import available_presets, preset_info

    return {name: preset_info(name) for name in available_presets()}


def preset(name: str) -> dict:
    """One export preset: its table, export, notes, columns, stage dates and value mappings.

    Raises
    ------
    ConfigError
        For an unknown name, with the closest one.

    Examples
    --------
    >>> preset("hubspot_contacts")["table"]
    'leads'
    """
    from .sources.mapping import preset_info

    return preset_info(name)


def path_attribution(
    path: str | Path,
    models: list[str] | str | None = None,
    workspace: str | Path | None = None,
    names: str = "options",
):
    """Attribution of an aggregated path file (ChannelAttribution's format), no workspace.

    Parameters
    ----------
    path : str or Path
        A CSV of ``path`` (channels joined by ``>``), ``total_conversions`` and optionally
        ``total_conversion_value``, ``total_null``.
    models : str or list of str, optional
        Models that need only the order of touches (first_touch, last_touch, linear,
        position_based, markov, shapley...), or ``"all"`` (those that apply).
    workspace : str or Path, optional
        A workspace whose configuration (attribution settings, currency) applies.
    names : {"options", "python"}
        How errors name the options: the command line's flags, or the parameters
        (:func:`leadpilot.path_attribution` is this function for Python).

    Returns
    -------
    AttributionResult
        As :meth:`Pilot.attribution_result`, with ``meta.source`` naming the file.

    Examples
    --------
    >>> f = Path(tempfile.mkdtemp()) / "paths.csv"
    >>> _ = f.write_text("path,total_conversions\\nseo > email,2\\nemail,1\\n")
    >>> [(r["channel"], r["conversions"]) for r in path_attribution(f, "linear").rows]
    [('email', 2.0), ('seo', 1.0)]
    """
    from .attribution import compute_attribution_from_paths
    from .config import load_config

    with worded(names):
        cfg = load_config(workspace) if workspace is not None and Path(workspace).exists() else None
        return compute_attribution_from_paths(path, cfg, models=models)


@functools.cache
def demo_data(leads: int = 300, seed: int = 42) -> Path:
    """A folder of synthetic canonical files, written once per process (for examples).

    Examples
    --------
    >>> (demo_data() / "leads.parquet").exists()
    True
    """
    root = Path(tempfile.mkdtemp(prefix="leadpilot-demo-"))
    # the folder (and the workspace beside it) goes when the process ends: a notebook or a
    # test run calling demo() leaves nothing behind in the temporary directory
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    folder = root / "data"
    generate(folder, leads=leads, seed=seed)
    return folder


@functools.cache
def demo_workspace(leads: int = 300, seed: int = 42) -> Path:
    """A workspace holding :func:`demo_data`, ingested once per process (for examples)."""
    folder = demo_data(leads, seed).parent / "ws"
    with open(folder, create=True) as lp:
        lp.ingest(demo_data(leads, seed))
    return folder


def demo(leads: int = 300, seed: int = 42) -> Pilot:
    """A :class:`Pilot` on a small synthetic workspace (a temporary folder, made once per
    process): the examples of this module use it.

    Parameters
    ----------
    leads : int
        Number of synthetic leads.
    seed : int
        Random seed.

    Returns
    -------
    Pilot

    Examples
    --------
    >>> int(demo().kpis()["leads"].iloc[0]) > 0
    True
    """
    return open(demo_workspace(leads, seed), names="python")


def _ingest_out_of_memory() -> EngineError:
    from .sources.staging import MEMORY_LIMIT

    return EngineError(
        f"the ingest needed more memory than its cap of {MEMORY_LIMIT} (what DuckDB may hold "
        "while it checks the rows; beyond it, it spills to disk, but some steps cannot); "
        "nothing was changed. Raise the cap for this ingest, e.g. "
        "LEADPILOT_INGEST_MEMORY=4GB leadpilot ingest ..., or ingest the files in parts"
    )
