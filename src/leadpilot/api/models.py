"""The documents of the OpenAPI description: answers, errors and request bodies."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Scalar = str | int | float | bool | None


class ResultDocument(BaseModel):
    """The JSON of ``leadpilot <command> --format json``: rows, and meta (view, as-of,
    definitions, warnings, notices, parameters)."""

    model_config = ConfigDict(extra="allow")
    rows: list[dict[str, Any]]
    meta: dict[str, Any]


class ProblemModel(BaseModel):
    table: str | None = None
    file: str | None = Field(None, description="the batch's label (or the request)")
    row: int | None = Field(
        None, description="JSON: the record's position (1-based); CSV: the line (header 1)"
    )
    column: str | None = None
    value: str | None = None
    expected: str | None = None
    severity: str | None = None
    fix: str | None = None


class ErrorBody(BaseModel):
    type: str
    message: str
    total: int | None = None
    problems: list[ProblemModel] | None = None


class ErrorDocument(BaseModel):
    error: ErrorBody


class Health(BaseModel):
    status: Literal["ok"]
    version: str


class WorkspaceInfo(BaseModel):
    name: str
    version: int = Field(description="bumped by every ingest or erasure (cache key)")
    as_of: str | None
    currency: str
    backend: str
    tables: dict[str, int]


class IngestAnswer(BaseModel):
    table: str
    version: int
    summary: dict[str, Any]


class ErasureAnswer(BaseModel):
    lead_id: str
    lead_ids: list[str] = Field(description="the records erased (the lead and its merges)")
    removed: dict[str, int] = Field(description="rows removed per table")
    notes: list[str]
    version: int


class ScoreRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    leads: list[dict[str, Scalar]] = Field(
        min_length=1,
        max_length=100,
        description="1 to 100 leads in the canonical leads layout (lead_id, created_at, "
        "and any attribute); a known lead_id is scored with its touches",
    )


class KeyPublic(BaseModel):
    id: str
    role: Literal["read", "write", "admin"]
    label: str
    created_at: str
    revoked_at: str | None = None


class KeyList(BaseModel):
    keys: list[KeyPublic]


class KeyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["read", "write", "admin"]
    label: str = Field("", max_length=200)


class KeyCreated(KeyPublic):
    key: str = Field(description="the key itself: shown once, never stored")


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorDocument, "description": text}
    for code, text in {
        400: "invalid parameters (the message says which and what is expected), or a body "
        "that is not JSON",
        401: "no key, or a key that is not valid for this workspace",
        403: "the key's role does not allow this",
        409: "the workspace lacks the data this needs, or its model does not fit",
        413: "the request body is too large",
        415: "the body is sent as a type the route does not read (send JSON, or CSV to "
        "ingest)",
        422: "invalid input: every problem, with row, column, value and expectation",
        429: "too many failed authentications from this address",
        503: "the workspace is busy or its database cannot be reached",
    }.items()
}
