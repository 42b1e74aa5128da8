"""One real service per test session: uvicorn on a free loopback port, in a thread of
the test process (so the CLI, run in process, reads the same DuckDB files beside it).

Workspaces under one root (the server never writes into ``acme`` or ``globex``; tests
that write use their own):

- ``acme``: 3,000 generated leads with scoring rules (the reads, the CLI comparison, the
  dashboard);
- ``globex``: another client (isolation);
- ``scratch``: ingestion and erasure;
- ``fuzz``: schemathesis.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pandas as pd
import pytest

import leadpilot.pilot as pilot
from leadpilot.access import KeyStore

SCORING = """\
currency: EUR
scoring:
  threshold: 30
  fit:
    - {column: seniority, in: [vp, director, c_level], points: 15}
    - {column: company_size, min: 50, points: 10}
  behaviour:
    - {type: webinar_attendance, points: 15, repeatable: false}
    - {type: email_click, points: 3, cap: 12}
    - {type: form_submit, points: 10}
"""
ROLES = ("read", "write", "admin")


@dataclass
class Service:
    url: str
    root: Path
    keys: dict[str, dict[str, str]] = field(default_factory=dict)  # ws -> role -> key
    app: object = None  # the ASGI application (its FastAPI app is .app)

    def handle(self, ws: str):
        """The server's own handle of a workspace (its writer lock, its version)."""
        return self.app.app.state.registry.get(ws)

    def client(self, ws: str | None = None, role: str | None = None, **kw) -> httpx.Client:
        headers = {"X-API-Key": self.keys[ws][role]} if ws and role else {}
        headers |= kw.pop("headers", {})
        return httpx.Client(base_url=self.url, headers=headers, timeout=120, **kw)

    def api(self, ws: str) -> str:
        return f"/api/v1/workspaces/{ws}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _workspace(root: Path, name: str, leads: int, seed: int, config: str | None = None):
    ws = root / name
    ws.mkdir()
    if config:
        (ws / "leadpilot.yaml").write_text(config)
    data = root.parent / f"data-{name}"
    pilot.generate(data, leads=leads, seed=seed)
    with pilot.open(ws, create=True) as lp:
        lp.ingest(data)
    return ws


@pytest.fixture(scope="session")
def service(tmp_path_factory) -> Service:
    import uvicorn

    from leadpilot.api import create_app

    base = tmp_path_factory.mktemp("service")
    secret_dir = tmp_path_factory.mktemp("secret")  # outside every workspace
    previous = os.environ.get("LEADPILOT_SECRET_FILE")
    os.environ["LEADPILOT_SECRET_FILE"] = str(secret_dir / "secret")
    root = base / "root"
    root.mkdir()
    _workspace(root, "acme", 3000, 11, SCORING)
    _workspace(root, "globex", 400, 5)
    _workspace(root, "scratch", 300, 3)
    _workspace(root, "fuzz", 300, 4)
    svc = Service("", root)
    for name in ("acme", "globex", "scratch", "fuzz"):
        store = KeyStore(root / name)
        svc.keys[name] = {role: store.create(role, f"test {role}")[0] for role in ROLES}
    port = _free_port()
    app = create_app(root, auth_failures="400/minute", max_batch=2 << 20)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", workers=1)
    )
    thread = threading.Thread(target=server.run, name="leadpilot-test-server", daemon=True)
    thread.start()
    svc.url, svc.app = f"http://127.0.0.1:{port}", app
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield svc
    server.should_exit = True
    thread.join(timeout=15)
    if previous is None:
        os.environ.pop("LEADPILOT_SECRET_FILE", None)
    else:
        os.environ["LEADPILOT_SECRET_FILE"] = previous


@pytest.fixture(scope="session")
def flawed(service, tmp_path_factory) -> str:
    """A workspace of the server whose numbers need notes: most won deals have no amount
    (months and channels of unknown revenue), some MQLs are dated before their lead's
    creation (400 generated leads, 29 of its 32 won deals without an amount, 25 MQLs
    dated before their lead's creation)."""
    name = "flawed"
    data = tmp_path_factory.mktemp("flawed-data")
    pilot.generate(data, leads=400, seed=9)
    deals = pd.read_parquet(data / "deals.parquet")
    won = deals.index[deals.status == "won"]
    deals.loc[won[3:], "amount"] = None
    deals.to_parquet(data / "deals.parquet")
    created = pd.read_parquet(data / "leads.parquet").set_index("lead_id").created_at
    events = pd.read_parquet(data / "stage_events.parquet")
    early = events.index[events.stage == "mql"][:25]
    events.loc[early, "ts"] = events.loc[early, "lead_id"].map(created) - pd.Timedelta(days=2)
    events.to_parquet(data / "stage_events.parquet")
    with pilot.open(service.root / name, create=True) as lp:
        lp.ingest(data)
    service.keys[name] = {"read": KeyStore(service.root / name).create("read", "test")[0]}
    yield name
    service.keys.pop(name, None)


@pytest.fixture(scope="session")
def openapi(service) -> dict:
    with service.client("acme", "read") as c:
        r = c.get("/api/v1/openapi.json")
    r.raise_for_status()
    return r.json()
