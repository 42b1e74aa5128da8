"""API keys of a workspace: created once, stored as a keyed hash, checked by the service.

A key reads ``lpk_<id>_<secret>``. The workspace keeps only, per key, its id, role,
label, dates and ``HMAC-SHA256(server secret, key)`` in ``<workspace>/api-keys.json``;
the key itself is printed once and never stored. The server secret (32 random bytes) lives
**outside every workspace**, in the file :func:`secret_path` names:

1. ``$LEADPILOT_SECRET_FILE`` when set;
2. else ``$XDG_CONFIG_HOME/leadpilot/secret`` (``~/.config/leadpilot/secret``).

It is made (mode 0600) the first time a key is created. A copy of a workspace folder
therefore carries no usable key, and a leaked ``api-keys.json`` gives nothing to replay
without the secret. ``leadpilot keys create|list|revoke`` and the service share this module.

Roles are ordered: ``read`` (analyses, dashboard, report, scoring a posted lead) <
``write`` (+ ingestion) < ``admin`` (+ erasure and key management).

Examples
--------
>>> import tempfile, os
>>> d = tempfile.mkdtemp()
>>> os.environ["LEADPILOT_SECRET_FILE"] = os.path.join(tempfile.mkdtemp(), "secret")
>>> store = KeyStore(d)
>>> key, info = store.create("read", label="BI tool")
>>> store.check(key).role
'read'
>>> store.check(key + "x") is None
True
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import UsageError, WorkspaceError

ROLES = ("read", "write", "admin")
KEYS_FILE = "api-keys.json"
PREFIX = "lpk_"


def role_allows(role: str, needed: str) -> bool:
    """Does ``role`` include ``needed`` (read < write < admin)?

    >>> role_allows("write", "read"), role_allows("read", "write")
    (True, False)
    """
    return ROLES.index(role) >= ROLES.index(needed)


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UsageError(f"--role {role!r}: expected one of {', '.join(ROLES)}")
    return role


def secret_path() -> Path:
    """Where the server secret lives (see the module's documentation)."""
    explicit = os.environ.get("LEADPILOT_SECRET_FILE")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "leadpilot" / "secret"


_SECRETS: dict[Path, bytes] = {}
_SECRET_LOCK = threading.Lock()


def load_secret(create: bool = False, path: Path | None = None) -> bytes:
    """The server secret; made (0600) when ``create`` and absent."""
    path = (path or secret_path()).resolve()
    with _SECRET_LOCK:
        if path in _SECRETS:
            return _SECRETS[path]
        if not path.exists():
            if not create:
                raise WorkspaceError(
                    f"no server secret at {path}: create a key first "
                    "(`leadpilot keys create -w DIR --role read`), or set LEADPILOT_SECRET_FILE"
                )
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32) + "\n")
        value = path.read_text().strip().encode()
        if len(value) < 32:
            raise WorkspaceError(f"the server secret {path} is too short (expected 64 hex digits)")
        _SECRETS[path] = value
        return value


def ensure_outside(secret: Path, workspace: Path) -> None:
    """The secret must not sit inside a workspace folder (it would travel with it)."""
    s, w = secret.resolve(), workspace.resolve()
    if s == w or w in s.parents:
        raise UsageError(
            f"the server secret {s} is inside the workspace {w}: keep it outside "
            "(LEADPILOT_SECRET_FILE, or the default ~/.config/leadpilot/secret)"
        )


@dataclass(frozen=True)
class KeyInfo:
    """What the workspace keeps about a key (never the key)."""

    id: str
    role: str
    label: str
    created_at: str
    revoked_at: str | None = None
    hash: str = ""

    def public(self) -> dict:
        d = asdict(self)
        d.pop("hash")
        return d


def _digest(secret: bytes, key: str) -> str:
    return hmac.new(secret, key.encode(), hashlib.sha256).hexdigest()


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class KeyStore:
    """The API keys of one workspace folder (``api-keys.json``), re-read when it changes."""

    def __init__(self, workspace: str | Path, secret: Path | None = None) -> None:
        self.root = Path(workspace)
        self.file = self.root / KEYS_FILE
        self._secret_file = secret
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._keys: dict[str, KeyInfo] = {}

    # ------------------------------------------------------------ reading
    def _load(self) -> dict[str, KeyInfo]:
        try:
            st = self.file.stat()
        except FileNotFoundError:
            self._stamp, self._keys = None, {}
            return self._keys
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp != self._stamp:
            data = json.loads(self.file.read_text(encoding="utf-8") or "{}")
            self._keys = {k["id"]: KeyInfo(**k) for k in data.get("keys", [])}
            self._stamp = stamp
        return self._keys

    def list(self) -> list[KeyInfo]:
        with self._lock:
            return list(self._load().values())

    def check(self, key: str | None) -> KeyInfo | None:
        """The live key ``key`` is, or None (unknown, malformed or revoked)."""
        if not key or not key.startswith(PREFIX) or len(key) > 200:
            return None
        parts = key[len(PREFIX) :].split("_", 1)
        if len(parts) != 2:
            return None
        with self._lock:
            info = self._load().get(parts[0])
        if info is None or info.revoked_at is not None:
            return None
        digest = _digest(load_secret(path=self._secret_file), key)
        return info if hmac.compare_digest(digest, info.hash) else None

    # ------------------------------------------------------------ writing
    def _save(self, keys: dict[str, KeyInfo]) -> None:
        tmp = self.file.with_name(f".{KEYS_FILE}.{secrets.token_hex(4)}")
        doc = {"keys": [asdict(k) for k in keys.values()]}
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=2)
        os.replace(tmp, self.file)
        self._stamp = None

    def create(self, role: str, label: str = "") -> tuple[str, KeyInfo]:
        """A new key of ``role``: returns the key (shown once) and what is stored."""
        check_role(role)
        if not self.root.is_dir():
            raise WorkspaceError(f"workspace {self.root} does not exist")
        secret_file = self._secret_file or secret_path()
        ensure_outside(secret_file, self.root)
        secret = load_secret(create=True, path=secret_file)
        with self._lock:
            keys = dict(self._load())
            key_id = secrets.token_hex(6)
            while key_id in keys:  # pragma: no cover - 48 random bits
                key_id = secrets.token_hex(6)
            key = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
            info = KeyInfo(key_id, role, label, _now(), None, _digest(secret, key))
            keys[key_id] = info
            self._save(keys)
        return key, info

    def revoke(self, key_id: str) -> KeyInfo:
        """Revoke a key by its id (kept in the list, marked revoked)."""
        with self._lock:
            keys = dict(self._load())
            info = keys.get(key_id)
            if info is None:
                raise UsageError(
                    f"no key {key_id!r} in {self.file}; `leadpilot keys list` shows them"
                )
            if info.revoked_at is None:
                info = KeyInfo(**{**asdict(info), "revoked_at": _now()})
                keys[key_id] = info
                self._save(keys)
        return info
