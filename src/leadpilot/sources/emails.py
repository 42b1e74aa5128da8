"""E-mail addresses of leads: the stored form, the deduplication key, placeholders, hashing.

Stored forms (README, "Data"; tested in tests/sources/test_values.py):

* ``email``: the address as written, less the spaces and invisible characters around or
  inside it (a tab, a no-break or zero-width space, a ``mailto:`` prefix, ``<...>``);
  its case is kept. Null when the cell is a placeholder (``N/A``, ``#N/A``, ``null``,
  ``-``, ``unknown``, ``test@test.com``, an address at example.com...) or not an address
  at all: such cells are counted in a warning, never used to merge leads.
* ``email_norm``: the same, Unicode-normalised (NFKC) and lower-cased: the key that
  merges the records of one mailbox (``leads.dedupe_by_email``).
* With ``privacy.hash_emails``, both hold ``hmac-sha256:<hex>``, the keyed hash of the
  normalised address: equal addresses give equal hashes, so duplicates still merge, and
  no address is stored in clear. The key lives in a file of the workspace folder
  (``privacy.secret_file``), never in the database.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

HASH_PREFIX = "hmac-sha256:"

# Characters exports leave inside addresses: whitespace of every kind and invisibles.
_INVISIBLE = r"[\s\x{a0}\x{2007}\x{2009}\x{202f}\x{200b}\x{200c}\x{200d}\x{2060}\x{feff}]+"
# What a mailbox looks like once cleaned: something, one '@', a dotted domain.
_ADDRESS = r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$"
# Cells that stand for "no e-mail" (compared lower-cased, without spaces).
PLACEHOLDERS = frozenset(
    """
    n/a na #n/a n.a. n.a null none nil nan - -- --- ? unknown inconnu nonrenseigné
    non_renseigné x xx xxx 0 no noemail no_email noe-mail pasdemail pas_de_mail
    test@test.com email@email.com mail@mail.com none@none.com noemail@noemail.com
    no@email.com na@na.com a@a.com x@x.x test@example.com
    """.split()
)
# Reserved domains (RFC 2606 / 6761): never a real mailbox.
_RESERVED = r"@(.+\.)?(example\.(com|org|net)|example|invalid|test|localhost)$"

PLACEHOLDER_REASON = (
    "an e-mail address: a placeholder for a missing e-mail ('N/A', 'null', 'test@test.com', "
    "an address at example.com...) is read as no e-mail, never used to merge leads"
)
NOT_ADDRESS_REASON = (
    "an e-mail address (name@domain.tld): read as no e-mail, never used to merge leads"
)


def clean(values: pa.Array) -> pa.Array:
    """The stored ``email``: spaces and invisible characters removed, ``mailto:`` and
    angle brackets dropped, case kept; blank becomes null."""
    s = pc.cast(values, pa.string())
    s = pc.replace_substring_regex(s, _INVISIBLE, "")
    s = pc.replace_substring_regex(s, r"(?i)^mailto:", "")
    s = pc.replace_substring_regex(s, r"^<(.*)>$", r"\1")
    return pc.if_else(pc.equal(s, ""), pa.scalar(None, pa.string()), s)


def normalise(cleaned: pa.Array) -> pa.Array:
    """The deduplication key of cleaned addresses: NFKC, lower case."""
    return pc.utf8_lower(pc.utf8_normalize(cleaned, "NFKC"))


def classify(norm: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(placeholder, not an address) masks of normalised addresses (nulls: False)."""
    placeholder = pc.or_(
        pc.is_in(norm, value_set=pa.array(sorted(PLACEHOLDERS), pa.string())),
        pc.match_substring_regex(norm, _RESERVED),
    )
    placeholder = pc.fill_null(placeholder, False)
    bad = pc.and_(
        pc.invert(placeholder), pc.invert(pc.match_substring_regex(norm, _ADDRESS))
    )
    return placeholder, pc.fill_null(bad, False)


def secret(root: Path, secret_file: str) -> bytes:
    """The workspace's hashing key, created (mode 0600) the first time it is needed."""
    path = Path(secret_file)
    if not path.is_absolute():
        path = root / path
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32) + "\n")
    return bytes.fromhex(path.read_text(encoding="ascii").strip())


def hash_values(norm: pa.Array, key: bytes) -> pa.Array:
    """``hmac-sha256:<hex>`` of each normalised address (the distinct ones are hashed)."""
    enc = pc.dictionary_encode(norm)
    hashed = [
        None if v is None else HASH_PREFIX + hmac.new(key, v.encode(), hashlib.sha256).hexdigest()
        for v in enc.dictionary.to_pylist()
    ]
    return pc.take(pa.array(hashed, pa.string()), enc.indices)


def hash_one(address: str, key: bytes) -> str:
    """The stored hash of one address as a user writes it (erasure, look-ups)."""
    norm = normalise(clean(pa.array([address], pa.string())))[0].as_py()
    return hash_values(pa.array([norm], pa.string()), key)[0].as_py()
