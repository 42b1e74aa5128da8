"""The FastAPI application: the REST API, the dashboard, health, and the errors as HTTP.

This module (with the rest of :mod:`leadpilot.api`) is the only place that turns
leadpilot's errors into HTTP statuses.
"""

from __future__ import annotations

import contextlib
import json
import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import (
    ConfigError,
    EngineError,
    LeadpilotError,
    MissingDataError,
    ModelMismatchError,
    SourceError,
    UsageError,
    ValidationError,
    WorkspaceError,
)
from ..results.wording import reworded
from . import dashboard, routes
from .models import Health
from .security import COOKIE, SECURITY_HEADERS, BodyLimit, Guard
from .workspaces import Busy, Registry

log = logging.getLogger("leadpilot.api")

# leadpilot's errors as HTTP statuses (the most specific class first)
STATUS: tuple[tuple[type[LeadpilotError], int], ...] = (
    (ValidationError, 422),
    (ModelMismatchError, 409),
    (MissingDataError, 409),
    (SourceError, 422),
    (UsageError, 400),
    (ConfigError, 400),
    (WorkspaceError, 503),
    (EngineError, 503),
)


def status_of(exc: LeadpilotError) -> int:
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return status
    return 400


# the REST API's routes: their errors name its query parameters (``from``, ``months``), not
# the command line's flags (``--from``) the analyses write them with
REST_PREFIX = "/api/v1/"


def error_document(exc: LeadpilotError) -> dict:
    doc: dict = {"type": type(exc).__name__, "message": str(exc)}
    if isinstance(exc, ValidationError):
        doc["total"] = exc.total
        doc["problems"] = [p.as_dict() for p in exc.problems]
    return {"error": doc}


def create_app(
    root: str | Path,
    *,
    readers: int = 2,
    auth_failures: str = "30/minute",
    max_body: int = 1 << 20,
    max_batch: int = 16 << 20,
    cache_size: int = 256,
):
    """The ASGI application serving every workspace folder under ``root``.

    Parameters
    ----------
    root : path
        The folder holding one workspace folder per client (its name is the URL's
        ``{ws}``).
    readers : int
        Reader connections per workspace.
    auth_failures : str
        Failed authentications allowed per client address ("30/minute").
    max_body, max_batch : int
        Largest request body, in bytes (ingestion batches: ``max_batch``).
    """
    registry = Registry(root, readers=readers, cache_size=cache_size)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        registry.close()

    app = FastAPI(
        lifespan=lifespan,
        title="leadpilot",
        version=__version__,
        description="B2B lead generation piloted by revenue: KPIs, funnel, velocity, "
        "attribution, diagnosis, plan, forecast, real-time scoring and ingestion, per "
        "workspace. Every route but /health needs an API key (header X-API-Key) of the "
        "workspace it names.",
        openapi_url=None,  # served below, behind a key
        docs_url=None,  # the interactive docs load assets from a CDN: none here
        redoc_url=None,
    )
    app.state.registry = registry
    app.state.guard = Guard(registry, auth_failures)
    app.include_router(routes.router)
    app.include_router(dashboard.router)

    @app.get("/health", response_model=Health, tags=["service"])
    def health() -> dict:
        """Liveness: no key needed, no data shown."""
        return {"status": "ok", "version": __version__}

    def openapi_document() -> dict:
        if app.openapi_schema is None:
            doc = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            doc.setdefault("components", {})["securitySchemes"] = {
                "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}
            }
            doc["security"] = [{"ApiKey": []}]
            doc["paths"]["/health"]["get"]["security"] = []
            for path, method, role in _roles([*routes.router.routes, *dashboard.router.routes]):
                doc["paths"][path][method]["x-role"] = role
            error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorDocument"}}}
            for item in doc["paths"].values():
                for op in item.values():
                    for code, response in op.get("responses", {}).items():
                        if code.isdigit() and int(code) >= 400:  # errors are JSON everywhere
                            response["content"] = error
            doc["components"]["securitySchemes"]["Session"] = {
                "type": "apiKey", "in": "cookie", "name": COOKIE,
                "description": "the dashboard's session (POST /w/{ws}/login), GET only",
            }  # fmt: skip
            for path, item in doc["paths"].items():
                if path.startswith("/w/") and "get" in item:
                    item["get"]["security"] = [{"ApiKey": []}, {"Session": []}]
            # without a key, the dashboard page answers its sign-in form
            page = doc["paths"]["/w/{ws}/"]["get"]["responses"]["401"]
            page["content"] = {"text/html": {"schema": {"type": "string"}}}
            doc["paths"].pop("/api/v1/openapi.json", None)
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi_document

    @app.get("/api/v1/openapi.json", include_in_schema=False)
    def openapi_json(request: Request) -> JSONResponse:
        request.app.state.guard.any_key(request)
        return JSONResponse(openapi_document())

    @app.exception_handler(LeadpilotError)
    async def domain_error(request: Request, exc: LeadpilotError) -> JSONResponse:
        if request.url.path.startswith(REST_PREFIX):
            reworded(exc, "rest")
        return JSONResponse(error_document(exc), status_code=status_of(exc))

    @app.exception_handler(Busy)
    async def busy(request: Request, exc: Busy) -> JSONResponse:
        doc = {"error": {"type": "Busy", "message": "the workspace is busy; retry shortly"}}
        return JSONResponse(doc, status_code=503, headers={"Retry-After": "2"})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        doc = {"error": {"type": "HTTPError", "message": str(exc.detail)}}
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # every method of the path, not only one route's
            headers["Allow"] = ", ".join(_methods(app, request.url.path))
        return JSONResponse(doc, status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        body = _unread_body(exc)
        if body is not None:  # not a document the body's fields can be checked in
            status, message = body
            doc = {"error": {"type": "HTTPError", "message": message}}
            return JSONResponse(doc, status_code=status)
        problems = [
            {
                "column": ".".join(str(x) for x in e.get("loc", ())),
                "value": _short(e.get("input")),
                "expected": e.get("msg", ""),
                "severity": "error",
            }
            for e in exc.errors()
        ]
        doc = {
            "error": {
                "type": "RequestValidationError",
                "message": f"{len(problems)} invalid parameter(s) or body field(s)",
                "total": len(problems),
                "problems": problems,
            }
        }
        return JSONResponse(doc, status_code=422)

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error on %s %s", request.method, request.url.path)
        doc = {"error": {"type": "InternalError", "message": "internal error (a bug)"}}
        return JSONResponse(doc, status_code=500)

    @app.middleware("http")
    async def headers(request: Request, call_next):
        response = await call_next(request)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        return response

    return BodyLimit(app, default=max_body, batches=max_batch)


def _roles(api_routes):
    """(path, method, role) of every documented route: the role its key needs."""
    from fastapi.routing import APIRoute

    def found(dependant) -> str | None:
        for dep in dependant.dependencies:
            role = getattr(dep.call, "role", None) or found(dep)
            if role:
                return role
        return None

    for route in api_routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        role = (route.openapi_extra or {}).get("x-role") or found(route.dependant)
        if role:
            for method in route.methods:
                yield route.path_format, method.lower(), role


def _methods(app: FastAPI, path: str) -> list[str]:
    """The methods the routes of ``path`` answer."""
    found: set[str] = set()
    for route in [*routes.router.routes, *dashboard.router.routes, *app.routes]:
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(path):
            found |= set(getattr(route, "methods", None) or ())
    return sorted(found)


def _unread_body(exc: RequestValidationError) -> tuple[int, str] | None:
    """(status, message) when a JSON body could not be read at all, as the ingestion route
    answers it: 400 "the body is not JSON: ..." (where, as json says it), 415 when it was
    sent as another type than JSON (FastAPI then validates its bytes, and would echo their
    Python repr)."""
    for e in exc.errors():
        loc = tuple(e.get("loc", ()))
        if e.get("type") == "json_invalid":
            doc, pos = getattr(exc, "body", None), loc[1] if len(loc) > 1 else None
            error = (e.get("ctx") or {}).get("error", "invalid JSON")
            if isinstance(doc, str) and isinstance(pos, int):
                error = str(json.JSONDecodeError(error, doc, pos))
            return 400, f"the body is not JSON: {error}"
        if loc[:1] == ("body",) and isinstance(e.get("input"), bytes | bytearray):
            return 415, "send the body as JSON (Content-Type: application/json)"
    return None


def _short(value: object) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


# The settings `leadpilot serve` hands the service (the command line never imports this
# package: uvicorn loads it by name and calls from_environment()).
ENVIRONMENT = {
    "root": "LEADPILOT_SERVE_ROOT",
    "readers": "LEADPILOT_SERVE_READERS",
    "auth_failures": "LEADPILOT_SERVE_AUTH_FAILURES",
    "max_body": "LEADPILOT_SERVE_MAX_BODY",
    "max_batch": "LEADPILOT_SERVE_MAX_BATCH",
}


def from_environment():
    """The application for the settings in the environment (:data:`ENVIRONMENT`)."""
    import os
    import sys

    # An ingest posted to the service runs in its process and holds the interpreter lock in
    # long stretches: a shorter switch interval (0.5 ms, default 5 ms) lets the reads and
    # real-time scores served meanwhile get a turn (measured: about half the latency).
    sys.setswitchinterval(0.0005)

    options: dict = {}
    for name, var in ENVIRONMENT.items():
        value = os.environ.get(var)
        if value is None or name == "root":
            continue
        options[name] = value if name == "auth_failures" else int(value)
    return create_app(os.environ.get(ENVIRONMENT["root"], "."), **options)
