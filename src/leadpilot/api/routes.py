"""The REST API under ``/api/v1/workspaces/{ws}/``: the CLI's analyses with the same
parameters and the same JSON, real-time scoring, ingestion per table, erasure, keys.

Every answer of an analysis is ``leadpilot.results.render.json_text`` of the Result
:class:`~leadpilot.pilot.Pilot` returns: byte for byte what ``--format json`` prints.
Answers are cached per workspace version (``X-Cache: hit|miss``; a request with
``Cache-Control: no-cache`` recomputes).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request, Response
from fastapi import Path as PathParam
from pydantic import BeforeValidator
from starlette.concurrency import run_in_threadpool

from ..access import KeyInfo
from ..pilot import Pilot
from ..results.render import json_text
from .models import (
    ERRORS,
    ErasureAnswer,
    IngestAnswer,
    KeyCreated,
    KeyList,
    KeyPublic,
    KeyRequest,
    ResultDocument,
    ScoreRequest,
    WorkspaceInfo,
)
from .security import Caller
from .workspaces import Handle

if TYPE_CHECKING:
    from ..reports import Report

PREFIX = "/api/v1/workspaces/{ws}"
JSON = "application/json"

WsPath = Annotated[
    str,
    PathParam(
        description="The workspace: a folder name under the service's root", max_length=64
    ),
]


def need(role: str, session: bool = False) -> Callable[..., Caller]:
    """A dependency: the caller of ``ws`` with at least ``role`` (401 / 403 / 429)."""

    def dependency(request: Request, ws: WsPath) -> Caller:
        return request.app.state.guard.caller(request, ws, role, allow_session=session)

    dependency.__name__ = f"need_{role}"
    dependency.role = role  # the OpenAPI document states it (x-role)
    return dependency


def unknown_parameters(request: Request) -> tuple[list[str], set[str]]:
    """The query parameters the request's route does not take, sorted, and those it takes."""
    route = request.scope.get("route")
    if route is None or not request.query_params:
        return [], set()
    known: set[str] = set()
    todo = [route.dependant]
    while todo:
        dependant = todo.pop()
        known |= {p.alias for p in dependant.query_params}
        todo.extend(dependant.dependencies)
    return sorted({k for k in request.query_params if k not in known}), known


def known_parameters(request: Request) -> None:
    """An unknown query parameter is refused (422), not ignored: a misspelt ``perod``
    would otherwise answer another question than the one asked."""
    unknown, known = unknown_parameters(request)
    if unknown:
        from fastapi.exceptions import RequestValidationError

        raise RequestValidationError(
            [{"loc": ("query", k), "msg": f"unknown parameter; expected one of "
              f"{', '.join(sorted(known)) or 'none'}", "input": request.query_params.get(k)}
             for k in unknown]
        )  # fmt: skip


Reader = Annotated[Caller, Depends(need("read"))]
Writer = Annotated[Caller, Depends(need("write"))]
Admin = Annotated[Caller, Depends(need("admin"))]

router = APIRouter(prefix=PREFIX, responses=ERRORS, dependencies=[Depends(known_parameters)])


def document(handle: Handle, name: str, params: dict, compute, fresh: bool = False):
    """``(json bytes, version, hit)``: the cached document of ``compute(pilot)`` at the
    workspace's current version, or computed now in one snapshot and cached (once: requests
    asking for it meanwhile wait for it). The REST routes and the dashboard share these
    entries; the result's French definitions are kept beside it (:func:`definitions`)."""
    key = (name, json.dumps(params, sort_keys=True, default=str))
    hit = None if fresh else handle.cached(key)
    if hit is not None:
        return hit[0], handle.version, True
    with handle.computing(key):
        hit = None if fresh else handle.cached(key)
        if hit is not None:  # computed by the request this one waited for
            return hit[0], handle.version, True
        version = handle.version
        with handle.reader() as lp:
            result = compute(lp)
            body = json_text(result).encode()
        handle.store(version, key, (body, JSON))
        if hasattr(result, "definitions_in"):
            handle.store(version, ("definitions", *key), (result.definitions_in("fr"), "fr"))
    return body, version, False


def definitions(handle: Handle, name: str, params: dict, compute, lang: str) -> dict[str, str]:
    """The definitions of the document ``name`` in ``lang``: the JSON carries the English
    only, the French is kept beside it when it is computed (again if it was dropped)."""
    body, _, _ = document(handle, name, params, compute)
    if lang == "en":
        return json.loads(body)["meta"].get("definitions", {})
    key = ("definitions", name, json.dumps(params, sort_keys=True, default=str))
    hit = handle.cached(key)
    if hit is None:
        document(handle, name, params, compute, fresh=True)
        hit = handle.cached(key) or ({}, "fr")
    return hit[0]


def answer(request: Request, handle: Handle, name: str, params: dict, compute) -> Response:
    """The JSON answer of an analysis (``X-Cache: hit`` when served from the cache)."""
    fresh = "no-cache" in request.headers.get("cache-control", "")
    body, version, hit = document(handle, name, params, compute, fresh)
    return Response(body, media_type=JSON, headers=_headers(version, "hit" if hit else "miss"))


def _headers(version: int, cache: str) -> dict[str, str]:
    return {"X-Cache": cache, "X-Workspace-Version": str(version), "Cache-Control": "no-store"}


# ---------------------------------------------------------------- shared parameters
Period = Literal["day", "week", "month", "quarter", "year", "all"]
View = Literal["cohort", "activity"]
By = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=200,
        description="Dimensions, comma-separated: channel, campaign, content, acquisition, "
        "icp_fit, score_band or any lead attribute",
    ),
]
PeriodQ = Annotated[Period, Query(description="day, week, month, quarter, year or all")]
ViewQ = Annotated[View, Query(description="cohort (default) or activity")]


def _iso_day(value: object) -> object:
    """A day written YYYY-MM-DD between 1900 and 9998 (no number read as a date)."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("expected a date written YYYY-MM-DD")
    day = date.fromisoformat(value)
    if not 1900 <= day.year <= 9998:
        raise ValueError("expected a date between 1900 and 9998")
    return day


Day = Annotated[date, BeforeValidator(_iso_day)]
FromQ = Annotated[Day | None, Query(alias="from", description="First day (YYYY-MM-DD)")]
ToQ = Annotated[Day | None, Query(alias="to", description="Last day (YYYY-MM-DD)")]
AsOfQ = Annotated[
    Day | None, Query(description="Analyse the data as of the end of this day (YYYY-MM-DD)")
]


def _grouped(by, period, view, date_from, date_to, as_of) -> dict:
    return {
        "by": by,
        "period": period,
        "view": view,
        "date_from": date_from,
        "date_to": date_to,
        "as_of": as_of,
    }


DOC = {200: {"model": ResultDocument, "description": "the `--format json` document"}}


@router.get("/kpis", responses=DOC, summary="KPIs (leadpilot kpis)")
def kpis(
    request: Request,
    caller: Reader,
    by: By = None,
    period: PeriodQ = "all",
    view: ViewQ = "cohort",
    date_from: FromQ = None,
    date_to: ToQ = None,
    as_of: AsOfQ = None,
    kpi: Annotated[
        str | None,
        Query(min_length=1, max_length=500, description="KPI names, comma-separated, or all"),
    ] = None,
) -> Response:
    p = _grouped(by, period, view, date_from, date_to, as_of) | {"kpis": kpi}
    return answer(request, caller.handle, "kpis", p, lambda lp: lp.kpi_result(**p))


@router.get("/funnel", responses=DOC, summary="Funnel (leadpilot funnel)")
def funnel(
    request: Request,
    caller: Reader,
    by: By = None,
    period: PeriodQ = "all",
    view: ViewQ = "cohort",
    date_from: FromQ = None,
    date_to: ToQ = None,
    as_of: AsOfQ = None,
) -> Response:
    p = _grouped(by, period, view, date_from, date_to, as_of)
    return answer(request, caller.handle, "funnel", p, lambda lp: lp.funnel_result(**p))


@router.get("/velocity", responses=DOC, summary="Velocity (leadpilot velocity)")
def velocity(
    request: Request,
    caller: Reader,
    by: By = None,
    period: PeriodQ = "all",
    view: ViewQ = "cohort",
    date_from: FromQ = None,
    date_to: ToQ = None,
    as_of: AsOfQ = None,
) -> Response:
    p = _grouped(by, period, view, date_from, date_to, as_of)
    return answer(request, caller.handle, "velocity", p, lambda lp: lp.velocity_result(**p))


@router.get("/content", responses=DOC, summary="Content performance (leadpilot content)")
def content(request: Request, caller: Reader, as_of: AsOfQ = None) -> Response:
    p = {"as_of": as_of}
    return answer(request, caller.handle, "content", p, lambda lp: lp.content_result(**p))


@router.get("/sources", responses=DOC, summary="Lead-source mix (leadpilot sources)")
def sources(
    request: Request,
    caller: Reader,
    by: Annotated[
        str, Query(min_length=1, max_length=100, description="The source dimension")
    ] = "channel",
    period: PeriodQ = "all",
    as_of: AsOfQ = None,
) -> Response:
    p = {"by": by, "period": period, "as_of": as_of}
    return answer(request, caller.handle, "sources", p, lambda lp: lp.sources_result(**p))


@router.get("/retention", responses=DOC, summary="Interest retention (leadpilot retention)")
def retention(
    request: Request,
    caller: Reader,
    months: Annotated[int, Query(ge=1, le=36, description="Months after creation")] = 6,
    as_of: AsOfQ = None,
) -> Response:
    p = {"months": months, "as_of": as_of}
    return answer(request, caller.handle, "retention", p, lambda lp: lp.retention_result(**p))


@router.get("/attribution", responses=DOC, summary="Attribution (leadpilot attribution)")
def attribution(
    request: Request,
    caller: Reader,
    model: Annotated[
        str, Query(max_length=300, description="Model name(s), comma-separated, or all")
    ] = "last_touch,linear,markov",
    conversion: Annotated[
        Literal["lead", "mql", "sql", "opportunity", "customer", "revenue"], Query()
    ] = "customer",
    by: Annotated[Literal["channel", "campaign", "content"], Query()] = "channel",
    lookback: Annotated[int | None, Query(ge=1, le=3650, description="Days of touches")] = None,
    period: PeriodQ = "all",
    as_of: AsOfQ = None,
    date_from: FromQ = None,
    date_to: ToQ = None,
) -> Response:
    p = {
        "models": model,
        "conversion": conversion,
        "by": by,
        "lookback": lookback,
        "period": period,
        "as_of": as_of,
        "date_from": date_from,
        "date_to": date_to,
    }
    return answer(
        request, caller.handle, "attribution", p, lambda lp: lp.attribution_result(**p)
    )


PeriodText = Annotated[
    str | None,
    Query(
        max_length=10,
        description="2025-Q2, 2025-03 or 2025",
        pattern=r"^(19|[2-9]\d)\d{2}(-Q[1-4]|-(0[1-9]|1[0-2]))?$",
    ),
]


@router.get("/diagnose", responses=DOC, summary="Diagnosis (leadpilot diagnose)")
def diagnose(
    request: Request,
    caller: Reader,
    current: PeriodText = None,
    previous: PeriodText = None,
    vs: Annotated[Literal["previous", "last-year"] | None, Query()] = None,
    by: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
) -> Response:
    p = {"current": current, "previous": previous, "vs": vs, "by": by}
    return answer(request, caller.handle, "diagnose", p, lambda lp: lp.diagnosis(**p))


@router.get("/plan", responses=DOC, summary="Reverse funnel or budget what-if (leadpilot plan)")
def plan(
    request: Request,
    caller: Reader,
    target_revenue: Annotated[float | None, Query(gt=0, le=1e13)] = None,
    budget: Annotated[float | None, Query(ge=0, le=1e13)] = None,
    # an empty value says nothing (leave the parameter out): refused, as the document says
    mix: Annotated[str | None, Query(min_length=1, max_length=500)] = None,
    shift: Annotated[str | None, Query(min_length=1, max_length=500)] = None,
    months: Annotated[
        int | None, Query(ge=1, le=36, description="Months the budget covers (default 3)")
    ] = None,
) -> Response:
    p = {
        "target_revenue": target_revenue,
        "budget": budget,
        "mix": None if mix in (None, "current") else mix,
        "shift": shift,
        "months": months,
    }
    return answer(request, caller.handle, "plan", p, lambda lp: lp.plan(**p))


@router.get("/forecast", responses=DOC, summary="Pipeline forecast (leadpilot forecast)")
def forecast(
    request: Request,
    caller: Reader,
    months: Annotated[int, Query(ge=1, le=36)] = 6,
    as_of: AsOfQ = None,
) -> Response:
    p = {"months": months, "as_of": as_of}
    return answer(request, caller.handle, "forecast", p, lambda lp: lp.forecast(**p))


REPORT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "md": "text/markdown; charset=utf-8",
}
REPORT_DOC = {
    200: {
        "description": "the report, to download (Content-Disposition: attachment)",
        "content": {t.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
                    for t in REPORT_TYPES.values()},  # fmt: skip
    }
}
ReportPeriod = Annotated[
    str | None,
    Query(
        max_length=10,
        description="2025-Q2, 2025-03, 2025 or all (every lead, no comparison; default: the "
        "last complete quarter)",
        pattern=r"^(all|(19|[2-9]\d)\d{2}(-Q[1-4]|-(0[1-9]|1[0-2]))?)$",
    ),
]
ReportVs = Annotated[
    Literal["previous", "last-year", "none"] | None,
    Query(description="previous (default), last-year, or none: no comparison"),
]


def report_response(
    handle: Handle,
    period: str | None,
    vs: str | None,
    lang: str,
    fmt: str,
    fresh: bool = False,
) -> Response:
    """The report (``Pilot.report``) as a download, cached per workspace version."""
    key = ("report", json.dumps([period, vs, lang, fmt]))
    hit = None if fresh else handle.cached(key)
    version, state = handle.version, "hit"
    if hit is None:
        body = _period_report(handle, version, period, vs, fresh).render(fmt, lang)
        hit, state = (body, REPORT_TYPES[fmt]), "miss"
        handle.store(version, key, hit)
    name = f"leadpilot-report-{handle.name}-{period or 'last-quarter'}-{lang}.{fmt}"
    headers = _headers(version, state) | {
        "Content-Disposition": f'attachment; filename="{name}"'
    }
    return Response(hit[0], media_type=hit[1], headers=headers)


def _period_report(handle: Handle, version: int, period: str | None, vs: str | None,
                   fresh: bool) -> Report:  # fmt: skip
    """A period's report, computed once per workspace version whatever the formats and
    languages asked of it: writing one (the HTML, the workbook) is a fraction of
    computing its analyses, and a reader often asks for a second format."""
    key = ("report data", json.dumps([period, vs]))
    hit = None if fresh else handle.cached(key)
    if hit is not None:
        return hit[0]
    with handle.computing(key):  # two formats asked at once: one computation
        hit = None if fresh else handle.cached(key)
        if hit is not None:
            return hit[0]
        with handle.reader() as lp:
            report = lp.report(period=period, vs=vs)
        handle.store(version, key, (report, "report data"))
    return report


@router.get(
    "/report",
    responses=REPORT_DOC,
    response_class=Response,
    summary="The report of a period: HTML, PDF, Excel or Markdown (leadpilot report)",
)
def report(
    request: Request,
    caller: Reader,
    period: ReportPeriod = None,
    vs: ReportVs = None,
    lang: Annotated[Literal["en", "fr"], Query()] = "en",
    format: Annotated[Literal["html", "pdf", "xlsx", "md"], Query()] = "html",  # noqa: A002
) -> Response:
    fresh = "no-cache" in request.headers.get("cache-control", "")
    return report_response(caller.handle, period, vs, lang, format, fresh)


@router.get("/quarantine", responses=DOC, summary="What ingests set aside")
def quarantine(
    request: Request,
    caller: Reader,
    table: Annotated[
        Literal["leads", "touchpoints", "stage_events", "deals", "spend", "traffic"] | None,
        Query(),
    ] = None,
) -> Response:
    p = {"table": table}
    return answer(request, caller.handle, "quarantine", p, lambda lp: lp.quarantine_result(**p))


@router.get("", response_model=WorkspaceInfo, summary="The workspace: version, as-of, tables")
def workspace(request: Request, caller: Reader) -> dict:
    def compute(lp: Pilot) -> dict:
        as_of = lp.data_as_of()
        counts = {name: int(t.count().execute()) for name, t in lp.tables().items()}
        return {
            "name": caller.handle.name,
            "as_of": as_of.isoformat(sep=" ") if as_of else None,
            "currency": lp.config.currency,
            "backend": lp.workspace.backend_name,
            "tables": counts,
        }

    version = caller.handle.version
    with caller.handle.reader() as lp:
        return compute(lp) | {"version": version}


# ---------------------------------------------------------------- real-time scoring
@router.post("/score", responses=DOC, summary="Score posted leads now (model and rules)")
def score(
    request: Request,
    caller: Reader,
    body: ScoreRequest,
    reasons: Annotated[bool, Query(description="Add each score's three reasons")] = True,
    as_of: AsOfQ = None,
) -> Response:
    """Score, band and reasons of each posted lead, computed now with the workspace's saved
    model (or its scoring rules); nothing is stored. A web form can route a lead on it."""
    handle = caller.handle
    scorer = handle.scorer(handle.version)  # made once per workspace version
    with handle.reader() as lp:
        result = lp.score_records(body.leads, as_of=as_of, reasons=reasons, scorer=scorer)
    return Response(json_text(result).encode(), media_type=JSON)


# ---------------------------------------------------------------- ingestion
class TableName(StrEnum):
    leads = "leads"
    touchpoints = "touchpoints"
    stage_events = "stage_events"
    deals = "deals"
    spend = "spend"
    traffic = "traffic"


BATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "additionalProperties": {
                            "anyOf": [
                                {"type": "string"},
                                {"type": "number"},
                                {"type": "boolean"},
                                {"type": "null"},
                            ]
                        },
                    },
                },
            },
            "text/csv": {"schema": {"type": "string", "description": "CSV with a header row"}},
        },
    }
}


@router.post(
    "/ingest/{table}",
    response_model=IngestAnswer,
    openapi_extra=BATCH_BODY,
    summary="Ingest a batch of one table (JSON records or CSV)",
)
async def ingest(
    request: Request,
    caller: Writer,
    table: TableName,
    policy: Annotated[
        Literal["strict", "quarantine"],
        Query(description="strict: a bad batch changes nothing (422 with every problem)"),
    ] = "strict",
) -> dict:
    """Validated exactly as a file of the table, idempotent by the table's key (posting
    the same batch twice changes nothing the second time), one transaction."""
    body = await request.body()
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("text/csv", "application/csv", "text/plain"):
        records, csv_text = None, body
    elif kind in ("application/json", ""):
        try:
            records = json.loads(body or b"null")
        except (ValueError, UnicodeDecodeError) as exc:
            raise HTTPException(400, f"the body is not JSON: {exc}") from None
        if isinstance(records, dict) and isinstance(records.get("records"), list):
            records = records["records"]
        csv_text = None
    else:
        raise HTTPException(415, "send application/json (records) or text/csv")
    handle = caller.handle

    def run() -> dict:
        with handle.writer() as lp:
            summary = lp.ingest_records(
                table.value, records=records, csv_text=csv_text, policy=policy,
                label=f"{table.value} batch",
            )  # fmt: skip
        return {"table": table.value, "version": handle.version, "summary": summary.as_dict()}

    return await run_in_threadpool(run)


# ---------------------------------------------------------------- erasure
@router.delete(
    "/leads/{lead_id}",
    response_model=ErasureAnswer,
    responses={404: {"description": "no such lead"}},
    summary="Erase a lead everywhere (right to erasure)",
)
def erase(
    caller: Admin,
    lead_id: Annotated[str, PathParam(max_length=200)],
) -> dict:
    """Removes the lead, the records merged into it (the same person), its touchpoints,
    stage events, deals, scores and quarantined records, in one transaction, and reports
    what was removed."""
    handle = caller.handle
    with handle.writer() as lp:
        report = lp.erase_lead(lead_id)
    if not report["found"]:
        raise HTTPException(404, f"no lead {lead_id!r} in this workspace")
    return {"lead_id": lead_id, **{k: report[k] for k in ("lead_ids", "removed", "notes")}} | {
        "version": handle.version
    }


# ---------------------------------------------------------------- keys
@router.get("/keys", response_model=KeyList, summary="The workspace's API keys")
def keys_list(caller: Admin) -> dict:
    return {"keys": [k.public() for k in caller.handle.keys.list()]}


@router.post("/keys", response_model=KeyCreated, status_code=201, summary="Create an API key")
def keys_create(caller: Admin, body: Annotated[KeyRequest, Body()]) -> dict:
    key, info = caller.handle.keys.create(body.role, body.label)
    return info.public() | {"key": key}


@router.delete(
    "/keys/{key_id}",
    response_model=KeyPublic,
    responses={404: {"description": "no such key"}},
    summary="Revoke an API key",
)
def keys_revoke(caller: Admin, key_id: Annotated[str, PathParam(max_length=40)]) -> dict:
    known: dict[str, KeyInfo] = {k.id: k for k in caller.handle.keys.list()}
    if key_id not in known:
        raise HTTPException(404, f"no key {key_id!r} in this workspace")
    return caller.handle.keys.revoke(key_id).public()
