"""The per-deployment secret key, kept outside the table (rule 12).

Three things are keyed with it:

- the successor of a rotated token (``HMAC(key, previous token)``): derived, so that
  racing refreshes hand out the same successor without storing it, and keyed, so that
  whoever reads every stored item and holds a dead token still cannot compute the live
  one;
- the generation stamp in every secret (`stamp`): which rotation of its session a
  token belongs to, with a MAC, so that a retired token of any age is recognised as
  ours without being stored, and a forged one is not;
- the user-derived part of a session id and the user's slot in the per-user item
  (``HMAC(key, user id)``), so an id does not reveal whose it is.

A `KeyRing` holds the current key and, during a rotation, the previous ones: new values
use the current key; checks try every key. Every key has at least 32 bytes (blank or
short ones are refused, never padded or derived). Lambda gets the key from the template
(a generated Secrets Manager secret); local runs and tests get one from a file created
on first use (`local_key_ring`, `key_files`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sessions_core.errors import InvalidArgumentError, KeyConfigurationError
from sessions_core.key_files import create_private, local_key_path, read_private

MIN_KEY_BYTES = 32
LOCATION_BYTES = 6  # the user-derived 48 bits of a session id; names the per-user item
TAG_BYTES = 16  # the user's own slot inside that item (users may share a location)
_USER = b"user\x00"
_SUCCESSOR = b"successor\x00"
_GENERATION = b"generation\x00"
_ADDRESS = b"address\x00"
# A secret is 32 bytes: 16 secret bytes, the generation (4 bytes, big-endian) and a
# 12-byte MAC over the session id, the generation and the secret bytes.
BODY_BYTES = 16
GENERATION_BYTES = 4
STAMP_BYTES = 12
SECRET_BYTES = BODY_BYTES + GENERATION_BYTES + STAMP_BYTES
MAX_GENERATION = 2 ** (8 * GENERATION_BYTES) - 1


@dataclass(frozen=True)
class UserRef:
    """Where a user's per-user state lives: the item (``location``, 12 hex characters,
    also the first 48 bits of each of their session ids) and their slot in it (``tag``,
    32 hex characters). Both are keyed hashes: neither reveals the user id."""

    location: str
    tag: str


class KeyRing:
    """The current key and any previous ones (oldest last), as bytes.

    ``repr`` never shows a key.

    Raises:
        KeyConfigurationError: a key shorter than 32 bytes (blank ones included).
    """

    __slots__ = ("_keys",)

    def __init__(self, current: bytes, previous: Sequence[bytes] = ()) -> None:
        keys = (current, *previous)
        if any(len(key) < MIN_KEY_BYTES for key in keys):
            raise KeyConfigurationError(
                f"a secret key needs at least {MIN_KEY_BYTES} bytes; {KEY_ADVICE}"
            )
        self._keys: tuple[bytes, ...] = keys

    @classmethod
    def from_text(
        cls,
        current: str,
        previous: str = "",
        *,
        source: str = "the secret key",
        previous_source: str = "the previous keys",
    ) -> KeyRing:
        """A ring from the key's text (as Secrets Manager generates it) and a
        comma-separated list of previous keys. ``source`` and ``previous_source`` say
        where each came from (a variable, a secret's ARN, a file): every error names
        it, since "too short" alone does not tell an operator which setting to fix.

        Raises:
            KeyConfigurationError: a key is blank or shorter than 32 bytes.
        """
        key = current.strip().encode()
        older = [part.strip().encode() for part in previous.split(",") if part.strip()]
        if len(key) < MIN_KEY_BYTES:
            raise KeyConfigurationError(_short(source, key))
        for number, old in enumerate(older, start=1):
            if len(old) < MIN_KEY_BYTES:
                raise KeyConfigurationError(_short(f"{previous_source} (key {number})", old))
        return cls(key, older)

    def __repr__(self) -> str:
        return f"KeyRing(<{len(self._keys)} key(s) redacted>)"

    def _user_digest(self, key: bytes, user_id: str) -> bytes:
        return hmac.digest(key, _USER + user_id.encode("utf-8"), hashlib.sha256)

    def user_ref(self, user_id: str) -> UserRef:
        """The user's per-user item and slot under the current key."""
        return _ref(self._user_digest(self._keys[0], user_id))

    def user_refs(self, user_id: str) -> list[UserRef]:
        """The user's refs under every key, current first (writes that must reach
        sessions created before a key rotation go to each)."""
        return [_ref(self._user_digest(key, user_id)) for key in self._keys]

    def ref_for_session(self, user_id: str, session_id: str) -> UserRef:
        """The ref under which ``session_id`` (a session of ``user_id``) was created:
        the key whose location matches the id's first 48 bits, else the current one."""
        location = location_of(session_id)
        refs = self.user_refs(user_id) if len(self._keys) > 1 else [self.user_ref(user_id)]
        return next((ref for ref in refs if ref.location == location), refs[0])

    def address_tag(self, address: str) -> str:
        """A client address as the login counters keep it: a keyed hash (32 hex
        characters), so the table holds no address in clear."""
        digest = hmac.digest(self._keys[0], _ADDRESS + address.encode("utf-8"), hashlib.sha256)
        return digest[:TAG_BYTES].hex()

    def stamp(self, session_id: str, body: bytes, generation: int) -> bytes:
        """A 32-byte secret: ``body`` (16 bytes), then ``generation`` and its MAC under
        the current key (see `generation_of`).

        Raises:
            InvalidArgumentError: ``generation`` does not fit in 4 bytes.
        """
        return _stamped(self._keys[0], session_id, body, generation)

    def generation_of(self, session_id: str, secret: bytes) -> int | None:
        """The generation a secret of ``session_id`` was stamped with, under any key of
        the ring; None for a secret no key stamped (a forgery, or a token issued before
        secrets carried their generation). Costs one HMAC per key, whatever the input."""
        if len(secret) != SECRET_BYTES:
            return None
        body = secret[:BODY_BYTES]
        generation = int.from_bytes(secret[BODY_BYTES : BODY_BYTES + GENERATION_BYTES], "big")
        found = None
        for key in self._keys:
            if hmac.compare_digest(_stamped(key, session_id, body, generation), secret):
                found = generation
        return found

    def successor_secret(self, session_id: str, previous_token: str, generation: int) -> bytes:
        """The secret of the token that replaces ``previous_token``: its secret bytes
        derived from the previous token, stamped ``generation`` (current key)."""
        return next(self.successor_secrets(session_id, previous_token, generation))

    def successor_secrets(
        self, session_id: str, previous_token: str, generation: int
    ) -> Iterator[bytes]:
        """The successor's secret under each key, current first (a refresh racing a
        key rotation may find the one an older key derived)."""
        message = _SUCCESSOR + previous_token.encode("utf-8")
        for key in self._keys:
            body = hmac.digest(key, message, hashlib.sha256)[:BODY_BYTES]
            yield _stamped(key, session_id, body, generation)


def _stamped(key: bytes, session_id: str, body: bytes, generation: int) -> bytes:
    if not 0 <= generation <= MAX_GENERATION:
        raise InvalidArgumentError("a session cannot be rotated this many times")
    count = generation.to_bytes(GENERATION_BYTES, "big")
    message = _GENERATION + session_id.encode("ascii") + b"\x00" + count + body
    return body + count + hmac.digest(key, message, hashlib.sha256)[:STAMP_BYTES]


def _ref(digest: bytes) -> UserRef:
    return UserRef(
        location=digest[:LOCATION_BYTES].hex(),
        tag=digest[LOCATION_BYTES : LOCATION_BYTES + TAG_BYTES].hex(),
    )


def location_of(session_id: str) -> str:
    """The 48-bit user location of a session id (12 hex characters)."""
    return session_id[:8] + session_id[9:13]


def generate_key_text() -> str:
    """A new deployment key (64 characters, 48 random bytes), as `sessions` and local
    runs create it."""
    return secrets.token_urlsafe(48)


KEY_ADVICE = "make one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"


def _short(source: str, key: bytes) -> str:
    held = "is blank" if not key else f"holds {len(key)} bytes"
    return f"{source} {held}; a secret key needs at least {MIN_KEY_BYTES} bytes; {KEY_ADVICE}"


def local_key_ring(path: Path | None = None) -> KeyRing:
    """The key of local runs and tests: read from ``path`` (default
    ``~/.config/serverless-sessions/secret-key``), created there on first use (see
    `key_files`). Processes that share the file share the key (`sessions serve` and
    the operator commands against its table).

    Raises:
        KeyConfigurationError: the file is readable by others, or holds a key shorter
            than 32 bytes.
    """
    path = path or local_key_path("secret-key")
    if not path.exists():
        create_private(path, generate_key_text())
    return KeyRing.from_text(read_private(path), source=f"the key file {path}")


@cache
def default_key_ring() -> KeyRing:
    """The process's local key ring (`local_key_ring` at its default place), read
    once: what a `SessionConfig` without a ``secret_key`` uses."""
    return local_key_ring()
