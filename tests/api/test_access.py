"""Access rules on every route of the OpenAPI document (generated: a new route cannot be
forgotten): no key, a wrong key, a key of another workspace, each role; and the rules
that are not per route (the OpenAPI document itself, rate limits, body limits, paths)."""

from __future__ import annotations

from html import unescape

import httpx
import pytest

ROLES = ("read", "write", "admin")
PLACEHOLDERS = {"table": "leads", "name": "headline", "lead_id": "no-such-lead",
                "key_id": "no-such-key"}  # fmt: skip


def operations(doc: dict):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            yield path, method, op


def url(path: str, op: dict, ws: str) -> str:
    out = path.replace("{ws}", ws)
    for p in op.get("parameters", []):
        if p["in"] == "path" and p["name"] != "ws":
            enum = p.get("schema", {}).get("enum")
            value = enum[0] if enum else PLACEHOLDERS[p["name"]]
            out = out.replace("{" + p["name"] + "}", str(value))
    return out


def test_every_route_states_its_role(openapi):
    missing = [
        f"{m.upper()} {p}" for p, m, op in operations(openapi)
        if p != "/health" and op.get("x-role") not in ROLES
    ]  # fmt: skip
    assert not missing, f"routes without x-role: {missing}"
    assert len(list(operations(openapi))) >= 20


def _cases(doc):
    return [(p, m, op) for p, m, op in operations(doc) if p != "/health"]


def test_health_needs_no_key(service):
    with service.client() as c:
        r = c.get("/health")
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_openapi_document_needs_a_key(service):
    with service.client() as c:
        assert c.get("/api/v1/openapi.json").status_code == 401
    with service.client("globex", "read") as c:
        assert c.get("/api/v1/openapi.json").status_code == 200


def test_every_route_refuses_no_key_wrong_key_and_other_workspaces(service, openapi):
    """401 without a key, with a malformed or unknown key, with an admin key of another
    workspace, and for a workspace that does not exist (the same answer: no oracle)."""
    failures = []
    foreign = service.keys["globex"]["admin"]
    attempts = {
        "no key": {},
        "garbage": {"X-API-Key": "not-a-key"},
        "unknown": {"X-API-Key": "lpk_000000000000_" + "x" * 43},
        "other workspace": {"X-API-Key": foreign},
        "bearer other": {"Authorization": f"Bearer {foreign}"},
    }
    with service.client() as c:
        for path, method, op in _cases(openapi):
            for what, headers in attempts.items():
                r = c.request(method, url(path, op, "acme"), headers=headers)
                if r.status_code != 401:
                    failures.append(f"{method.upper()} {path} [{what}]: {r.status_code}")
            r = c.request(method, url(path, op, "nosuchws"), headers={"X-API-Key": foreign})
            if r.status_code != 401:
                failures.append(f"{method.upper()} {path} [unknown workspace]: {r.status_code}")
    assert not failures, failures


def test_every_route_enforces_its_role(service, openapi):
    """A key below the route's role gets 403; a key with it gets past authentication (the
    placeholders then make the request itself fail or succeed, never 401 / 403)."""
    failures = []
    for path, method, op in _cases(openapi):
        needed = ROLES.index(op["x-role"])
        for i, role in enumerate(ROLES):
            with service.client("acme", role) as c:
                r = c.request(method, url(path, op, "acme"))
            allowed = i >= needed
            if allowed and r.status_code in (401, 403):
                failures.append(f"{method.upper()} {path} [{role}]: {r.status_code}")
            if not allowed and r.status_code != 403:
                failures.append(f"{method.upper()} {path} [{role}]: {r.status_code} not 403")
    assert not failures, failures


def test_read_key_cannot_ingest_or_erase(service):
    with service.client("scratch", "read") as c:
        r = c.post("/api/v1/workspaces/scratch/ingest/leads",
                   json=[{"lead_id": "X1", "created_at": "2025-01-01"}])  # fmt: skip
        assert r.status_code == 403
        assert c.delete("/api/v1/workspaces/scratch/leads/L000001").status_code == 403
    with service.client("scratch", "write") as c:
        assert c.delete("/api/v1/workspaces/scratch/leads/L000001").status_code == 403


def test_failed_authentication_is_rate_limited(service):
    """Past the limit, every request from that address answers 429, even with a good key
    (another loopback address, so the rest of the session is not limited)."""
    transport = httpx.HTTPTransport(local_address="127.0.0.77")
    good = service.keys["globex"]["read"]
    with httpx.Client(base_url=service.url, transport=transport, timeout=30) as c:
        codes = [
            c.get("/api/v1/workspaces/globex/kpis", headers={"X-API-Key": "lpk_bad_x"}).status_code
            for _ in range(401)
        ]
        assert codes[:400] == [401] * 400 and codes[400] == 429
        r = c.get("/api/v1/workspaces/globex/kpis", headers={"X-API-Key": good})
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        # the dashboard page a person opens answers its sign-in form saying how long to
        # wait, in the page's language (it answered the API's JSON)
        page = c.get("/w/globex/", params={"lang": "fr"})
        assert page.status_code == 429 and page.headers["content-type"].startswith("text/html")
        assert '<html lang="fr">' in page.text and 'id="key"' in page.text
        wait = page.headers["Retry-After"]
        assert f"réessayez dans {wait}" in unescape(page.text).replace("\u202f", " ")
    with service.client("globex", "read") as c:  # from 127.0.0.1: not limited
        assert c.get("/api/v1/workspaces/globex/kpis").status_code == 200


def test_bodies_are_size_limited(service):
    with service.client("scratch", "write") as c:
        big = b"lead_id,created_at\n" + b"L,2025-01-01\n" * 200_000  # 2.6 MB > 2 MiB
        r = c.post("/api/v1/workspaces/scratch/ingest/leads", content=big,
                   headers={"Content-Type": "text/csv"})  # fmt: skip
        assert r.status_code == 413

        def chunks():  # no Content-Length: counted as it streams
            for _ in range(30):
                yield b"x" * 100_000

        r = c.post("/api/v1/workspaces/scratch/ingest/leads", content=chunks(),
                   headers={"Content-Type": "text/csv"})  # fmt: skip
        assert r.status_code == 413
    with service.client("acme", "read") as c:
        r = c.post("/api/v1/workspaces/acme/score", content=b"{" + b" " * (1 << 20) + b"}",
                   headers={"Content-Type": "application/json"})  # fmt: skip
        assert r.status_code == 413


@pytest.mark.parametrize("ws", ["..", "acme/..", "%2e%2e", "acme%2F..%2Fglobex", "/etc"])
def test_no_path_from_a_request(service, ws):
    """A workspace is a folder name under the root, nothing else."""
    with service.client("acme", "admin") as c:
        r = c.get(f"/api/v1/workspaces/{ws}/kpis")
    assert r.status_code in (401, 404)


def test_static_files_by_name_only(service):
    with service.client("acme", "read") as c:
        assert c.get("/w/acme/static/htmx.min.js").status_code == 200
        for name in ("..%2Fapp.py", "vendor%2Fhtmx.min.js", "LICENSES.txt", "../app.py"):
            assert c.get(f"/w/acme/static/{name}").status_code in (404, 422)
