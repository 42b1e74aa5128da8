"""Access rules: API keys and roles per workspace, dashboard sessions, failed
authentications rate-limited per client address, request bodies size-limited, and the
security headers of every answer.

- A key is sent as ``X-API-Key: lpk_...`` (or ``Authorization: Bearer lpk_...``). It is
  checked against the keys of the workspace named in the URL only: a key of workspace A
  is unknown to workspace B. Unknown workspace and wrong key answer the same 401, so an
  answer never tells whether a workspace exists.
- The dashboard signs in once with a key (``POST /w/{ws}/login``) and then carries a
  session cookie (HttpOnly, SameSite=Strict, path ``/w/{ws}/``) signed with the server
  secret and naming the key: revoking the key ends the session. The cookie is accepted
  for GET requests only (no cross-site writes).
- Failed authentications are counted per client address (slowapi's limiter); past the
  limit every authenticated request from that address answers 429 until the window
  passes, whatever key it carries.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from fastapi import HTTPException, Request
from limits import parse as parse_limit
from slowapi import Limiter
from slowapi.util import get_remote_address

from ..access import KeyInfo, load_secret, role_allows
from .workspaces import Handle, Registry

SESSION_SECONDS = 8 * 3600
COOKIE = "lp_session"


@dataclass(frozen=True)
class Caller:
    """Who is calling: the workspace and the key (its id and role)."""

    handle: Handle
    key: KeyInfo
    via_session: bool = False


class Guard:
    """Authentication and roles for one service."""

    def __init__(self, registry: Registry, failures: str = "30/minute") -> None:
        self.registry = registry
        self.limiter = Limiter(key_func=get_remote_address, storage_uri="memory://")
        self._strategy = self.limiter.limiter
        self._failures = parse_limit(failures)

    # ---------------------------------------------------------------- failures
    def _client(self, request: Request) -> str:
        return get_remote_address(request)

    def _check_not_limited(self, request: Request) -> None:
        if not self._strategy.test(self._failures, "auth-failures", self._client(request)):
            reset, _ = self._strategy.get_window_stats(
                self._failures, "auth-failures", self._client(request)
            )
            wait = max(1, int(reset - time.time()))
            raise HTTPException(
                429,
                "too many failed authentications from this address; retry later",
                headers={"Retry-After": str(wait)},
            )

    def _fail(self, request: Request, detail: str) -> HTTPException:
        self._strategy.hit(self._failures, "auth-failures", self._client(request))
        return HTTPException(401, detail, headers={"WWW-Authenticate": "ApiKey"})

    # ---------------------------------------------------------------- keys
    @staticmethod
    def presented_key(request: Request) -> str | None:
        key = request.headers.get("x-api-key")
        if key:
            return key.strip()
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:].strip()
        return None

    def caller(
        self, request: Request, ws: str, role: str, allow_session: bool = False
    ) -> Caller:
        """The caller of a workspace route, or 401 / 403 / 429."""
        self._check_not_limited(request)
        key = self.presented_key(request)
        handle = self.registry.get(ws)
        info, via_session = None, False
        if key is None and allow_session and request.method in ("GET", "HEAD"):
            cookie = request.cookies.get(COOKIE)
            if cookie and handle is not None:
                info = self.session_key(handle, cookie)
                via_session = info is not None
            if info is None:
                raise self._fail(request, "sign in with an API key of this workspace")
        elif key is None:
            raise self._fail(request, "an API key is required (header X-API-Key)")
        else:
            info = handle.keys.check(key) if handle is not None else None
        if info is None or handle is None:
            raise self._fail(request, "the API key is not valid for this workspace")
        if not role_allows(info.role, role):
            raise HTTPException(403, f"this key's role ({info.role}) cannot do this: {role} needed")
        return Caller(handle, info, via_session)

    def any_key(self, request: Request) -> KeyInfo:
        """A live key of any workspace of the root (the OpenAPI document)."""
        self._check_not_limited(request)
        key = self.presented_key(request)
        if key:
            for name in self.registry.names():
                handle = self.registry.get(name)
                info = handle.keys.check(key) if handle else None
                if info is not None:
                    return info
        raise self._fail(request, "an API key is required (header X-API-Key)")

    # ---------------------------------------------------------------- sessions
    @staticmethod
    def _sign(ws: str, key_id: str, expires: int) -> str:
        msg = f"session|{ws}|{key_id}|{expires}".encode()
        return hmac.new(load_secret(), msg, hashlib.sha256).hexdigest()

    def new_session(self, handle: Handle, info: KeyInfo) -> str:
        expires = int(time.time()) + SESSION_SECONDS
        return f"{info.id}.{expires}.{self._sign(handle.name, info.id, expires)}"

    def session_key(self, handle: Handle, cookie: str) -> KeyInfo | None:
        try:
            key_id, expires_s, sig = cookie.split(".")
            expires = int(expires_s)
        except ValueError:
            return None
        if expires < time.time():
            return None
        if not hmac.compare_digest(sig, self._sign(handle.name, key_id, expires)):
            return None
        for info in handle.keys.list():
            if info.id == key_id and info.revoked_at is None:
                return info
        return None

    def login(self, request: Request, handle: Handle | None, key: str) -> KeyInfo:
        self._check_not_limited(request)
        info = handle.keys.check(key) if handle is not None else None
        if info is None:
            raise self._fail(request, "the API key is not valid for this workspace")
        return info


class BodyLimit:
    """ASGI middleware: a request body larger than its route's limit answers 413 (a
    declared Content-Length is refused before reading; a streamed body is counted as it
    arrives and refused as soon as it passes the limit)."""

    def __init__(self, app, default: int, batches: int) -> None:
        self.app, self.default, self.batches = app, default, batches

    def _limit(self, path: str) -> int:
        return self.batches if "/ingest/" in path else self.default

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self._limit(scope.get("path", ""))
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = limit + 1
                if declared > limit:
                    return await _too_large(send, limit)
        # Read the body first (it is bounded by the limit), then replay it to the app.
        chunks, seen, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > limit:
                return await _too_large(send, limit)
            chunks.append(chunk)
            more = message.get("more_body", False)
        body, replayed = b"".join(chunks), False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _too_large(send, limit: int) -> None:
    body = (
        b'{"error": {"type": "PayloadTooLarge", "message": "the request body is larger than '
        + str(limit).encode()
        + b' bytes"}}'
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    # Vega compiles its expressions with Function(): 'unsafe-eval' for scripts, nothing
    # from elsewhere than this service.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' "
        "'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'"
    ),
}
