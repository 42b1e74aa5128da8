"""The public Python entry point: ``leadpilot.open(workspace)``.

It hands a notebook user the same domain functions the CLI calls, returning
pandas DataFrames (or the result objects with their definitions).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import ibis.expr.types as ir
import pandas as pd

from . import engine
from .metrics.compute import KpiResult, compute_kpis
from .metrics.funnel import FunnelResult, compute_funnel
from .metrics.velocity import VelocityResult, compute_velocity
from .schema import TABLES
from .sources.load import IngestSummary, ingest


class Pilot:
    """An open workspace."""

    def __init__(self, workspace: engine.Workspace):
        self.workspace = workspace

    @property
    def config(self):
        return self.workspace.config

    def _materialize(self, expr: ir.Table) -> ir.Table:
        return engine.materialize(self.workspace.con, expr)

    def tables(self) -> dict[str, ir.Table]:
        out = {name: self.workspace.table(name) for name in TABLES}
        if self.workspace.has_table("scores"):  # last `score apply`: the score_band dimension
            out["scores"] = self.workspace.table("scores")
        return out

    def table(self, name: str) -> pd.DataFrame:
        return self.workspace.table(name).to_pandas()

    def labels(self) -> dict[str, dict[str, str]]:
        """Display text of folded names, as the exports wrote them: ``{"column": {attribute:
        header}, "value:channel": {channel: text}}`` ('liste_achetee' -> 'Liste achetée')."""
        out: dict[str, dict[str, str]] = {}
        if not self.workspace.has_table("labels"):
            return out
        for r in self.workspace.table("labels").to_pyarrow().to_pylist():
            out.setdefault(r["kind"], {})[r["key"]] = r["label"]
        return out

    def quarantine(self, table: str | None = None) -> pd.DataFrame:
        """What the last ingest of each file set aside: one row per problem (table, file,
        row, column, value as written, reason, fix, and the whole record as JSON)."""
        from .schema import TABLES as _tables

        q = self.workspace.table("quarantine")
        if table is not None:
            if table not in _tables:
                from .errors import UsageError

                raise UsageError(f"--table {table!r}: expected one of {', '.join(_tables)}")
            q = q.filter(q.table_name == table)
        df = q.order_by(["table_name", "file", "row"]).to_pandas()
        df.attrs["meta"] = {
            "definitions": {
                "reason": "what the cell should have held",
                "fix": "the setting or change that would let the record load",
                "record": "the record as read, JSON, so nothing is lost",
            },
            "records": int(len(df.drop_duplicates(["table_name", "file", "row", "record"]))),
            "problems": int(len(df)),
        }
        return df

    def ingest(
        self, source: str | Path, policy: str | None = None, progress=None
    ) -> IngestSummary:
        """Load a folder of canonical files or the sources a leadpilot.yaml names; the
        summary's warnings include the channel reconciliation of spend and leads."""
        summary = ingest(self.workspace, source, policy=policy, progress=progress)
        if any(t in summary.tables for t in ("leads", "spend")):
            from .metrics.reconcile import messages

            summary.warnings.extend(messages(self.reconcile()))
        return summary

    def kpi_result(
        self,
        *,
        by: list[str] | str | None = None,
        period: str = "all",
        kpis: list[str] | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        view: str = "cohort",
        as_of: date | datetime | None = None,
    ) -> KpiResult:
        """KPIs with their definitions; ``as_of`` (default: the latest event in the data)
        is the date ages are measured to, and a date leaves out the events after it."""
        if isinstance(by, str):
            by = [b.strip() for b in by.split(",") if b.strip()]
        return compute_kpis(
            self.tables(),
            self.config,
            materialize=self._materialize,
            kpis=kpis,
            by=by,
            period=period,
            date_from=date_from,
            date_to=date_to,
            view=view,
            as_of=as_of,
        )

    def funnel_result(
        self,
        *,
        by: list[str] | str | None = None,
        period: str = "all",
        view: str = "cohort",
        date_from: date | None = None,
        date_to: date | None = None,
        as_of: date | datetime | None = None,
    ) -> FunnelResult:
        """The stage chain, acceptance (measured from recorded data only) and reasons."""
        return compute_funnel(
            self.tables(),
            self.config,
            materialize=self._materialize,
            by=_dims(by),
            period=period,
            view=view,
            date_from=date_from,
            date_to=date_to,
            as_of=as_of,
        )

    def funnel(self, **kwargs) -> pd.DataFrame:
        """One row per group and stage; ``.attrs['meta']`` has acceptance and reasons."""
        result = self.funnel_result(**kwargs)
        df = pd.DataFrame(result.rows)
        df.attrs["meta"] = result.to_json()["meta"]
        return df

    def velocity_result(
        self, *, by: list[str] | str | None = None, as_of: date | datetime | None = None
    ) -> VelocityResult:
        """Stage durations and Kaplan–Meier curves; open leads censored at ``as_of``."""
        return compute_velocity(
            self.tables(), self.config, by=_dims(by), materialize=self._materialize, as_of=as_of
        )

    def velocity(self, **kwargs) -> pd.DataFrame:
        """Stage durations and Kaplan–Meier conversion by age, one row per group."""
        result = self.velocity_result(**kwargs)
        df = pd.DataFrame(result.rows)
        df.attrs["meta"] = result.to_json()["meta"]
        return df

    def content_result(self, *, as_of: date | datetime | None = None):
        """Content performance as a result (rows and meta)."""
        from .metrics.secondary import content_performance

        return content_performance(self.tables(), self.config, as_of=as_of)

    def content(self, *, as_of: date | datetime | None = None) -> pd.DataFrame:
        """Content performance: views, CTA clicks, leads first touched and what they became."""
        return _frame(self.content_result(as_of=as_of))

    def sources_result(
        self, by: str = "channel", period: str = "quarter", *, as_of: date | datetime | None = None
    ):
        """Lead-source mix as a result (rows and meta)."""
        from .metrics.secondary import source_mix

        return source_mix(self.tables(), self.config, by=by, period=period, as_of=as_of)

    def sources(
        self, by: str = "channel", period: str = "quarter", *, as_of: date | datetime | None = None
    ) -> pd.DataFrame:
        """Lead-source mix per period (shares of leads and customers)."""
        return _frame(self.sources_result(by, period, as_of=as_of))

    def retention_result(self, months: int = 6, *, as_of: date | datetime | None = None):
        """Interest retention as a result (rows and meta)."""
        from .metrics.secondary import interest_retention

        return interest_retention(self.tables(), self.config, months=months, as_of=as_of)

    def retention(self, months: int = 6, *, as_of: date | datetime | None = None) -> pd.DataFrame:
        """Share of each monthly cohort still engaging k months after creation."""
        return _frame(self.retention_result(months, as_of=as_of))

    def data_as_of(self) -> datetime | None:
        """The workspace's as-of moment: the latest event in the data (lead creation, touch,
        stage event, deal creation or closing); every analysis measures ages up to it."""
        from .metrics.asof import workspace_as_of

        return workspace_as_of(self.tables())

    def reconcile(self) -> list:
        """Channel reconciliation: spend naming a channel or campaign that no lead has, and
        lead channels that no spend names, each with the closest names ("did you mean").

        Returns a list of :class:`~leadpilot.metrics.reconcile.ReconcileWarning` (``str()``
        is the sentence); empty when no spend is loaded or every name matches.
        """
        from .metrics.reconcile import reconcile

        return reconcile(self.tables())

    def attribution_result(
        self,
        *,
        models: list[str] | str | None = None,
        conversion: str = "customer",
        by: str = "channel",
        lookback: int | None = None,
        period: str = "all",
        as_of: date | datetime | None = None,
    ):
        """Credit per model; raises MissingDataError without touchpoints to credit."""
        from .attribution import compute_attribution

        return compute_attribution(
            self.tables(),
            self.config,
            models=models,
            conversion=conversion,
            by=by,
            lookback=lookback,
            period=period,
            materialize=self._materialize,
            as_of=as_of,
        )

    def attribution(self, **kwargs) -> pd.DataFrame:
        """Credit per model and channel (campaign, content); ``.attrs['meta']`` holds each
        model's definition, the spread between models and warnings."""
        return _frame(self.attribution_result(**kwargs))

    # ---------------------------------------------------------------- lead scoring
    def score_train(
        self,
        *,
        target: str | None = None,
        horizon: int | None = None,
        model: str = "auto",
        status=None,
    ):
        """Train the predictive model on the history; returns a TrainResult (card, metrics)."""
        from .scoring.train import train

        return train(
            self.workspace.root, self.tables(), self.config,
            target=target, horizon_days=horizon, model=model, status=status,
        )  # fmt: skip

    def score_evaluate(self):
        """AUC, calibration, lift / gains and acceptance of the model and the rules score."""
        from .scoring.evaluate import evaluate

        return evaluate(self.workspace.root, self.tables(), self.config)

    def score_apply(
        self,
        *,
        input: str | Path | None = None,  # noqa: A002 - mirrors the CLI option
        as_of: date | datetime | None = None,
        reasons: bool = True,
        store: bool = True,
        progress=None,
    ) -> pd.DataFrame:
        """Score every workspace lead (stored in the ``scores`` table for the score_band
        dimension unless ``store=False``) or the leads of a new canonical file.

        ``progress(label, total) -> tick(n)`` follows the scoring steps (as in ingest);
        ``.attrs['meta']`` holds the as-of date, the bands' rule and cut-offs, the
        definitions and the warnings.
        """
        from .scoring.apply import read_leads_file, score_leads, store_scores

        leads, warnings = None, []
        if input is not None:
            leads, warnings = read_leads_file(input, self.config, self.workspace.table("leads"))
        if isinstance(as_of, date) and not isinstance(as_of, datetime):
            as_of = datetime.combine(as_of, datetime.max.time()).replace(microsecond=0)
        result = score_leads(
            self.workspace.root, self.tables(), self.config,
            as_of=as_of, leads=leads, reasons=reasons, warnings=warnings, progress=progress,
        )  # fmt: skip
        if store and input is None:
            store_scores(self.workspace.con, result, progress=progress)
        df = result.frame
        df.attrs["meta"] = result.meta
        return df

    def score_threshold(
        self,
        *,
        capacity: float | None = None,
        target_acceptance: float | None = None,
        using: str = "auto",
    ):
        """The threshold that fits sales capacity or a target acceptance, with the table."""
        from .scoring.threshold import recommend

        return recommend(
            self.workspace.root, self.tables(), self.config,
            capacity=capacity, target_acceptance=target_acceptance, using=using,
        )  # fmt: skip

    def rules_scores(self, as_of: datetime | None = None) -> pd.DataFrame:
        """The rules score of every lead as of a date (default: the last date in the data)."""
        from .scoring.features import data_end
        from .scoring.rules import rules_score

        tables = self.tables()
        at = as_of or data_end(tables) or datetime.now()
        return rules_score(tables, self.config, as_of=at, detail=True).to_pandas()

    def kpis(self, **kwargs) -> pd.DataFrame:
        """KPIs as a DataFrame; ``.attrs['meta']`` holds the definitions and warnings."""
        result = self.kpi_result(**kwargs)
        df = pd.DataFrame(result.rows)
        df.attrs["meta"] = result.to_json()["meta"]
        return df

    def close(self) -> None:
        self.workspace.close()

    def __enter__(self) -> Pilot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _frame(result) -> pd.DataFrame:
    df = pd.DataFrame(result.rows)
    df.attrs["meta"] = result.to_json()["meta"]
    return df


def _dims(by: list[str] | str | None) -> list[str] | None:
    if isinstance(by, str):
        return [b.strip() for b in by.split(",") if b.strip()]
    return by


def open(path: str | Path = ".", create: bool = False) -> Pilot:  # noqa: A001 - public name
    return Pilot(engine.open_workspace(path, create=create))
