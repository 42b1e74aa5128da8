"""Pipeline forecast: the revenue expected to be won month by month from what is open now.

Two sources, both read at the as-of date:

* **open deals**: a deal open at age *a* (days since it was created) wins with the
  probability observed among closed deals that were still open at age *a* (won / won +
  lost among those that took longer than *a* to close — an old open deal is less likely
  to win than a young one; deals open today are censored); if it wins, it closes
  after a time drawn from the won deals that took longer than *a*, minus *a* (so the time
  it has already been open counts: censoring respected). Its amount is its own (the
  average deal size when missing).
* **leads in the funnel** (created in the last 180 days, no deal yet, not disqualified or
  rejected; by the furthest stage reached: lead, MQL or SQL): a lead at a stage for *a*
  days wins with the share of the history's leads that were at that stage for *a* days
  too (neither moved on nor won by then) and won later, after their remaining time, for
  the average deal size.

Rates are uncertain as well as outcomes: each simulated run draws them from their Beta
posterior (the history's wins and losses), so the interval carries both.

The months' totals are simulated (``runs`` draws, fixed seed): the forecast is their
mean with an 80 % interval (10th and 90th percentiles). New leads created after the
as-of date are not forecast.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import ibis
import ibis.expr.types as ir
import numpy as np

from ..config import Config
from ..errors import UsageError
from ..metrics.asof import resolve_as_of
from ..metrics.model import lead_model

FUNNEL_DAYS = 180
METHOD = (
    "open deals win with the rate of deals that were still open at their age and "
    "close after the remaining time of won deals that took longer; recent leads, MQLs and "
    "SQLs without a deal become customers with the rate and delay observed from their "
    "stage; months simulated with rates drawn from their posterior (mean, 80 % interval "
    "from the 10th and 90th percentiles); no new lead"
)
METHOD_FR = (
    "les affaires ouvertes gagnent au taux des affaires encore ouvertes à leur âge et se "
    "concluent après le temps restant des affaires gagnées plus longues ; les leads récents, "
    "MQL et SQL sans affaire deviennent clients au taux et au délai observés depuis leur "
    "étape ; mois simulés avec des taux tirés de leur loi a posteriori (moyenne, intervalle "
    "à 80 % entre 10e et 90e centiles) ; aucun nouveau lead"
)


@dataclass
class Forecast:
    rows: list[dict]  # one per month: expected, low, high, from_open_deals, from_funnel
    as_of: str
    open_deals: int
    funnel_leads: int
    method: str = METHOD
    method_fr: str = METHOD_FR
    warnings: list[str] = field(default_factory=list)


def _month_index(start: date, when: date) -> int:
    return (when.year - start.year) * 12 + when.month - start.month


def _first_of_next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def forecast(
    tables: dict[str, ir.Table],
    config: Config,
    *,
    months: int = 6,
    as_of=None,
    runs: int = 2000,
    seed: int = 42,
) -> Forecast:
    """Expected won revenue per month for ``months`` months after the as-of date."""
    if months < 1:
        raise UsageError("--months must be at least 1")
    tables, at = resolve_as_of(tables, as_of)
    if at.at is None:
        raise UsageError("the workspace holds no data to forecast from; ingest data first")
    now: datetime = at.at
    rng = np.random.default_rng(seed)
    warnings: list[str] = []
    # months after the as-of date: the rest of its month first
    start = now.date().replace(day=1)
    labels = [start]
    while len(labels) < months + 1:
        labels.append(_first_of_next_month(labels[-1]))
    sims = np.zeros((runs, len(labels)))
    by_source = {"deals": np.zeros(len(labels)), "funnel": np.zeros(len(labels))}

    # ---- open deals
    d = tables["deals"]
    closed = d.filter(d.status.isin(["won", "lost"]) & d.closed_at.notnull())
    days = (closed.closed_at.epoch_seconds() - closed.created_at.epoch_seconds()) / 86400
    # in a fixed order: the draws below follow the rows (the same data, the same forecast)
    hist = closed.select("deal_id", won=closed.status == "won", days=days).order_by(
        "deal_id"
    ).to_pyarrow()
    won_flag = np.asarray(hist["won"].to_pylist(), dtype=bool)
    took = np.asarray(hist["days"].to_pylist(), dtype=float)
    amounts = d.filter(d.status == "won").amount
    avg_size = amounts.mean().to_pyarrow().as_py() or 0.0
    open_ = d.filter(d.status == "open").select(
        "deal_id",
        amount=d.amount,
        age=(ibis.literal(now, "timestamp").epoch_seconds() - d.created_at.epoch_seconds())
        / 86400,
    ).order_by("deal_id").to_pyarrow()
    n_open = open_.num_rows
    if len(took) < 10:
        warnings.append(f"only {len(took)} closed deal(s) to learn win rates and delays from")
    for amount, age in zip(open_["amount"].to_pylist(), open_["age"].to_pylist(), strict=True):
        later = took > age
        wins = took[later & won_flag]
        # among the deals that were still open at this age, the share that won (deals open
        # today are censored: their outcome is unknown, they count on neither side)
        total = int(later.sum())
        if total == 0 or len(wins) == 0:
            continue  # older than every closed deal: no evidence it will still close
        # the win rate at this age is uncertain too: one Beta draw per run
        p = rng.beta(len(wins) + 1, total - len(wins) + 1, size=runs)
        remaining = rng.choice(wins, size=runs) - age
        hit = rng.random(runs) < p
        value = amount if amount is not None else avg_size
        _add(sims, by_source["deals"], now, start, remaining, hit, value)

    # ---- leads in the funnel (MQL / SQL, no deal yet)
    n_funnel = _funnel(tables, config, now, start, rng, runs, sims, by_source, avg_size, warnings)

    rows = []
    for i, month in enumerate(labels):
        col = sims[:, i]
        rows.append({
            "month": f"{month.year}-{month.month:02d}",
            "expected": float(col.mean()),
            "low": float(np.percentile(col, 10)),
            "high": float(np.percentile(col, 90)),
            "from_open_deals": float(by_source["deals"][i] / runs),
            "from_funnel": float(by_source["funnel"][i] / runs),
        })  # fmt: skip
    if now.day > 1:
        rows[0]["partial"] = True  # the rest of the as-of date's month only
    return Forecast(rows, now.date().isoformat(), n_open, n_funnel, warnings=warnings)


def _add(sims, source, now, start, remaining, hit, value) -> None:
    """Add ``value`` to the simulated month each winning draw closes in."""
    when = [now + timedelta(days=float(r)) for r in remaining]
    idx = np.array([_month_index(start, w.date()) for w in when])
    ok = hit & (idx >= 0) & (idx < sims.shape[1])
    rows = np.nonzero(ok)[0]
    np.add.at(sims, (rows, idx[ok]), value)
    np.add.at(source, idx[ok], value)


NEXT = {"lead": "mql_at", "mql": "sql_at", "sql": "opportunity_at"}


def _funnel(tables, config, now, start, rng, runs, sims, source, avg_size, warnings) -> int:
    """Leads without a deal yet, by the furthest stage reached (lead, MQL, SQL).

    A lead at stage *s* for *a* days is compared with the history's leads that were at
    *s* for *a* days too — had not moved on nor been won by then: their share won later is
    its probability, and their remaining time to won its delay.
    """
    m = lead_model(tables, implied=config.stages.implied)
    cutoff = now - timedelta(days=FUNNEL_DAYS)
    cols = ["created_at", "mql_at", "sql_at", "opportunity_at", "customer_at",
            "disqualified_at", "rejected_at"]  # fmt: skip
    data = m.select("lead_id", *cols).order_by("lead_id").to_pyarrow()

    def days(col: str) -> np.ndarray:
        return np.array(
            [np.nan if v is None else v.timestamp() / 86400 for v in data[col].to_pylist()]
        )

    t = {c: days(c) for c in cols}
    now_d, cut_d = now.timestamp() / 86400, cutoff.timestamp() / 86400
    mature = t["created_at"] <= cut_d
    recent = ~mature & np.isnan(t["opportunity_at"]) & np.isnan(t["customer_at"]) & np.isnan(
        t["disqualified_at"]) & np.isnan(t["rejected_at"])  # fmt: skip
    total = 0
    for stage, nxt in NEXT.items():
        at = t["created_at"] if stage == "lead" else t[f"{stage}_at"]
        # history: mature leads that reached the stage
        h = mature & ~np.isnan(at)
        moved = np.where(np.isnan(t[nxt][h]), np.inf, t[nxt][h] - at[h])
        won_after = np.where(np.isnan(t["customer_at"][h]), np.inf, t["customer_at"][h] - at[h])
        if h.sum() < 20:
            continue
        # now: recent leads whose furthest stage is this one
        here = recent & ~np.isnan(at) & np.isnan(t[nxt])
        if stage == "lead":
            here &= np.isnan(t["sql_at"])
        ages = np.floor(now_d - at[here])
        total += int(here.sum())
        for age, count in zip(*np.unique(ages, return_counts=True), strict=True):
            alike = (moved > age) & (won_after > age)
            n = int(alike.sum())
            if n == 0:
                continue
            wins = won_after[alike & np.isfinite(won_after)]
            p = rng.beta(len(wins) + 1, n - len(wins) + 1, size=(int(count), runs))
            if len(wins) == 0:
                continue
            for k in range(int(count)):
                remaining = rng.choice(wins, size=runs) - age
                hit = rng.random(runs) < p[k]
                _add(sims, source["funnel"], now, start, remaining, hit, avg_size)
    return total


def backtest(
    tables: dict[str, ir.Table], config: Config, at: date, months: int = 6, **kw
) -> dict:
    """Forecast from the state at ``at`` and compare with what was then won, month by month,
    from deals and leads that existed at ``at`` (new leads are not forecast)."""
    f = forecast(tables, config, months=months, as_of=at, **kw)
    d = tables["deals"]
    moment = datetime.combine(at, datetime.max.time())
    won = d.filter(
        (d.status == "won") & (d.created_at <= moment) & (d.closed_at > moment)
    )  # deals open at ``at`` that were won later
    leads = tables["leads"]
    old = leads.filter(leads.created_at <= moment).select(_lid=leads.lead_id)
    later_deals = d.filter((d.status == "won") & (d.created_at > moment))
    later_deals = later_deals.join(old, later_deals.lead_id == old._lid)
    actual: dict[str, float] = {}
    for t in (won, later_deals):
        rows = t.select(m=t.closed_at.truncate("M").date(), a=t.amount.fill_null(0.0))
        for r in rows.to_pyarrow().to_pylist():
            key = f"{r['m'].year}-{r['m'].month:02d}"
            actual[key] = actual.get(key, 0.0) + r["a"]
    out = []
    for r in f.rows:
        out.append({**r, "actual": actual.get(r["month"], 0.0)})
    total_f = sum(r["expected"] for r in out)
    total_a = sum(r["actual"] for r in out)
    inside = sum(r["low"] <= r["actual"] <= r["high"] for r in out)
    return {
        "as_of": f.as_of,
        "months": out,
        "forecast_total": total_f,
        "actual_total": total_a,
        "total_error": None if not total_a else (total_f - total_a) / total_a,
        "months_inside_interval": inside,
    }
