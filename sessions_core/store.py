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
from typing import NamedTuple, Protocol, Self

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
    """Where sessions live.

    Every key is namespaced by ``prefix``, set once when the store is built (several
    apps can share a table); `with_prefix` gives a view of the same backend under
    another one. Each method is one logical operation with DynamoDB's semantics, and
    says its consistency and its condition. Methods raise `StoreUnavailableError` when
    the backend cannot answer in time and `StoreConfigurationError` when it is
    misconfigured (e.g. the table is missing).
    """

    @property
    def prefix(self) -> str:
        """The namespace of every key of this store."""

    def with_prefix(self, prefix: str) -> Self:
        """The same backend under ``prefix`` (what `SessionConfig.prefix` selects)."""

    def insert(self, session: Session) -> None:
        """Store a new session. Condition: no item with its id. Raises
        `SessionIdTakenError` when the id exists (the manager retries with a new id)."""

    def load(self, session_id: str) -> Loaded:
        """Read a session and the per-user item its id names: one strongly consistent
        request. Expired items are returned as they are: the caller checks expiry."""

    def get(self, session_id: str) -> Session | None:
        """Read one session (strongly consistent), or None."""

    def rotate(self, session_id: str, rotation: Rotation) -> RotateResult:
        """Apply ``rotation``. Condition: the stored hash is still the expected one and
        the session is not revoked."""

    def extend(
        self, session_id: str, *, expected: datetime, expires_at: datetime, now: datetime
    ) -> bool:
        """Move the expiry from ``expected`` to ``expires_at`` (sliding). Condition: it
        is still ``expected`` and the session is not revoked. True when written."""

    def revoke(
        self,
        session_id: str,
        *,
        at: datetime,
        reason: RevokedReason,
        live_at: datetime | None = None,
    ) -> bool:
        """Set the revocation tombstone and its reason. Condition: the session exists,
        is not revoked yet (a later revocation never overwrites the first one's reason)
        and, given ``live_at``, has not expired by then. True when this call revoked it."""

    def list_user(self, user_id: str) -> list[Session]:
        """Every stored session of the user, newest first, from the user index: it may
        lag behind writes (eventually consistent). Revoked and expired ones included,
        without secrets."""

    def load_markers(self, refs: list[UserRef]) -> dict[UserRef, RevocationMarker]:
        """The revocation markers at ``refs``: one strongly consistent request."""

    def put_marker(self, ref: UserRef, marker: RevocationMarker, *, expires_at: datetime) -> None:
        """Write the marker at ``ref``. Condition: no later marker is already there."""

    def login_failures(self, ref: UserRef) -> LoginFailures | None:
        """The failed sign-ins counted under ``ref`` (strongly consistent), if any."""

    def add_login_failure(self, ref: UserRef, *, at: datetime, window: timedelta) -> LoginFailures:
        """Count one failure at ``at`` atomically: a window older than ``window`` starts
        over at 1. Returns the count after this one."""

    def clear_login_failures(self, ref: UserRef) -> None:
        """Forget the failures counted under ``ref`` (idempotent)."""

    def purge_expired(self, now: datetime, limit: int | None = None) -> int:
        """Delete items whose expiry has passed by ``now`` (tombstones, markers and
        counters too), at most ``limit``. Condition per item: its expiry has still
        passed (a session extended meanwhile stays). Returns how many were deleted."""
