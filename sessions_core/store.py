"""The storage contract both stores implement, and the small values it trades in.

Every method is one logical store operation with DynamoDB's semantics: conditional
writes are atomic, reads of the primary key are strongly consistent, and the per-user
listing is an index that may lag. `InMemorySessionStore` follows the same contract so
the unit tests and the DynamoDB tests check one behaviour (tests/contract).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple, Protocol

from sessions_core.keys import UserRef
from sessions_core.models import RevokedReason, Session


@dataclass(frozen=True)
class RevocationMarker:
    """A user's "revoked before" mark, written by `destroy_all_for_user`.

    Every session of the user created before ``revoked_before`` is revoked, except
    ``keep_session_id`` (the caller's own session in "sign out everywhere else"). It
    catches sessions the user index does not show yet.
    """

    revoked_before: datetime
    keep_session_id: str | None = None

    def revokes(self, session: Session) -> bool:
        """True when this marker revokes ``session``."""
        return session.created_at < self.revoked_before and session.id != self.keep_session_id


class Loaded(NamedTuple):
    """A session read together with its per-user item (one request).

    ``markers`` holds every mark in that item by user tag: users whose keyed hashes
    share a location share the item, and only the manager (which holds the key)
    knows which tag is the session's user's.
    """

    session: Session | None
    markers: Mapping[str, RevocationMarker] = {}


@dataclass(frozen=True)
class Rotation:
    """The fields a refresh writes, guarded by the token hash it replaces."""

    expected_token_hash: str
    token_hash: str
    retired: tuple[str, ...]
    rotated_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class RotateResult:
    """Outcome of a conditional rotation.

    ``applied`` is False when the guard failed (another refresh won, or the session was
    revoked); ``current`` is then the item as it stands, or None when it is gone.
    """

    applied: bool
    current: Session | None


@dataclass(frozen=True)
class LoginFailures:
    """Failed sign-ins of one user name: how many, since when (the window's start)."""

    count: int
    first_at: datetime


class SessionIdTakenError(Exception):
    """Internal: an insert met an existing id (the manager retries with a new id)."""


class SessionStore(Protocol):
    """Where sessions live. ``prefix`` namespaces every key (`SessionConfig.prefix`).

    Methods raise `StoreUnavailableError` when the backend cannot answer in time and
    `StoreConfigurationError` when it is misconfigured (e.g. the table is missing).
    """

    def insert(self, prefix: str, session: Session) -> None:
        """Store a new session. Raises `SessionIdTakenError` when the id exists."""

    def load(self, prefix: str, session_id: str) -> Loaded:
        """Read a session and the per-user item its id names, in one strongly
        consistent request. Expired items are returned as they are: the caller checks
        expiry."""

    def get(self, prefix: str, session_id: str) -> Session | None:
        """Read one session (strongly consistent), or None."""

    def rotate(self, prefix: str, session_id: str, rotation: Rotation) -> RotateResult:
        """Apply ``rotation`` only if the stored hash is still the expected one and the
        session is not revoked."""

    def extend(
        self,
        prefix: str,
        session_id: str,
        *,
        expected: datetime,
        expires_at: datetime,
        now: datetime,
    ) -> bool:
        """Move the expiry from ``expected`` to ``expires_at`` (sliding), only if it is
        still ``expected`` and the session is not revoked. True when written."""

    def revoke(
        self,
        prefix: str,
        session_id: str,
        *,
        at: datetime,
        reason: RevokedReason,
        live_at: datetime | None = None,
    ) -> bool:
        """Set the revocation tombstone and its reason if not set (and, given
        ``live_at``, only if the session has not expired by then): a later revocation
        never overwrites the first one's reason. True when this call revoked it."""

    def list_user(self, prefix: str, user_id: str) -> list[Session]:
        """Every stored session of the user from the user index (which may lag),
        including revoked and expired ones, without secrets."""

    def load_markers(self, prefix: str, refs: list[UserRef]) -> dict[UserRef, RevocationMarker]:
        """The revocation markers at ``refs`` (one strongly consistent request)."""

    def put_marker(
        self, prefix: str, ref: UserRef, marker: RevocationMarker, *, expires_at: datetime
    ) -> None:
        """Write the marker at ``ref`` unless a later one is already there."""

    def login_failures(self, prefix: str, ref: UserRef) -> LoginFailures | None:
        """The failed sign-ins counted under ``ref`` (strongly consistent), if any."""

    def add_login_failure(
        self, prefix: str, ref: UserRef, *, at: datetime, window: timedelta
    ) -> LoginFailures:
        """Count one failure at ``at`` atomically: a window older than ``window`` starts
        over at 1. Returns the count after this one."""

    def clear_login_failures(self, prefix: str, ref: UserRef) -> None:
        """Forget the failures counted under ``ref``."""

    def purge_expired(self, prefix: str, now: datetime, limit: int | None = None) -> int:
        """Delete items whose expiry has passed by ``now`` (tombstones and markers too),
        at most ``limit``. Returns how many were deleted."""
