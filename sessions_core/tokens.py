"""Tokens: generation, hashing, parsing, and the derivation of a rotation successor.

A token is ``<session id>.<secret>``. The id is a canonical lowercase UUID (version 8)
whose first 48 bits are a keyed hash of the user id (`keys.UserRef.location`), so the
per-user item can be read in the same request as the session without the id revealing
its user. The secret is 32 bytes, base64url without padding (43 characters): 16 secret
bytes (from the OS CSPRNG at create, derived from the previous token at a rotation),
the session's generation (how many rotations it has had) and a MAC of both under the
deployment key (`keys.KeyRing.stamp`). The generation lets any retired token, however
old, be recognised as a replay without the session remembering it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import uuid

from sessions_core.keys import BODY_BYTES, KeyRing

SECRET_CHARS = 43  # base64url of 32 bytes, no padding
SESSION_ID_CHARS = 36
TOKEN_CHARS = SESSION_ID_CHARS + 1 + SECRET_CHARS
# Tokens issued before secrets carried their generation were remembered, once retired,
# by the first 128 bits of their SHA-256 (at most 16 of them): sessions created then
# still hold that list until they end, so it is still read.
RETIRED_DIGEST_CHARS = 32

_TOKEN_RE = re.compile(
    r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})"
)
_SESSION_ID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def generate_secure_token(nbytes: int = 32) -> str:
    """Return ``nbytes`` from the OS CSPRNG as base64url without padding.

    Raises:
        ValueError: when ``nbytes`` is below 16 (too weak to be a secret).
    """
    if nbytes < 16:
        raise ValueError("a secure token needs at least 16 bytes")
    return base64.urlsafe_b64encode(secrets.token_bytes(nbytes)).rstrip(b"=").decode("ascii")


def hash_token(token: str) -> str:
    """Return the SHA-256 of ``token`` (UTF-8) as lowercase hex: what the store keeps."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_session_id(location: str) -> str:
    """A fresh session id: a UUIDv8 whose first 48 bits are the user's ``location``
    (12 hex characters, a keyed hash of the user id: see `keys.KeyRing.user_ref`).

    The remaining 74 free bits are random; the secret, not the id, is what protects
    the session, and a collision is caught by the store's conditional insert.
    """
    prefix = bytes.fromhex(location)
    raw = bytearray(prefix + secrets.token_bytes(16 - len(prefix)))
    raw[6] = (raw[6] & 0x0F) | 0x80  # version 8 (custom layout, RFC 9562)
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    return str(uuid.UUID(bytes=bytes(raw)))


def is_session_id(value: str) -> bool:
    """True when ``value`` is a canonical lowercase UUID (what session ids look like)."""
    return len(value) == SESSION_ID_CHARS and _SESSION_ID_RE.fullmatch(value) is not None


def parse_token(token: object) -> str | None:
    """Return the session id named by a well-formed token, else None.

    Costs no I/O: the length check comes first so a 100 kB string is refused at once.
    """
    if type(token) is not str or len(token) != TOKEN_CHARS or not _TOKEN_RE.fullmatch(token):
        return None
    return token[:SESSION_ID_CHARS]


def new_token(session_id: str, keys: KeyRing) -> str:
    """A fresh token for ``session_id``: random secret bytes, generation 0."""
    return token_of(session_id, keys.stamp(session_id, secrets.token_bytes(BODY_BYTES), 0))


def token_of(session_id: str, secret: bytes) -> str:
    """The token for ``session_id`` with a 32-byte ``secret``. A rotation's secret is
    derived (`keys.KeyRing.successor_secret`) rather than random, so that two
    concurrent refreshes of one token, or a refresh retried within the grace window,
    hand out the same successor without a second write."""
    return f"{session_id}.{base64.urlsafe_b64encode(secret).rstrip(b'=').decode('ascii')}"


def secret_of(token: str) -> bytes:
    """The 32 secret bytes of a well-formed token (`parse_token` said yes)."""
    return base64.urlsafe_b64decode(token[SESSION_ID_CHARS + 1 :] + "=")


def retired_digest(token_hash: str) -> str:
    """How a retired token is remembered: the first 128 bits of its hash (hex)."""
    return token_hash[:RETIRED_DIGEST_CHARS]


def secret_matches(token: str, token_hash: str | None) -> bool:
    """Constant-time comparison of ``hash_token(token)`` with a stored hash."""
    if not token_hash:
        return False
    return hmac.compare_digest(hash_token(token), token_hash)
