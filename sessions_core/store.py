"""The storage contract both stores implement, and the small values it trades in.

Every method is one logical store operation with DynamoDB's semantics: conditional
writes are atomic, reads of the primary key are strongly consistent, and the per-user
listing is an index that may lag. `InMemorySessionStore` follows the same contract so
the unit tests and the DynamoDB tests check one behaviour (tests/contract).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol, Self

from sessions_core.activity import ActivityEvent
from sessions_core.changes import Applied, SessionChange
from sessions_core.clock import StoreClock
from sessions_core.feed_store import RevocationFeed
from sessions_core.keys import UserRef
from sessions_core.models import Session
from sessions_core.records import (
    Admission,
    AdmissionWrite,
    AttemptsChange,
    AttemptsChanged,
    Loaded,
    LoginAttempts,
    RevocationMarker,
    SessionIdTakenError,
    UserState,
)
from sessions_core.revocation_feed import FeedEntry

__all__ = [
    "Admission",
    "AdmissionWrite",
    "Applied",
    "AttemptsChange",
    "AttemptsChanged",
    "Loaded",
    "LoginAttempts",
    "RevocationMarker",
    "SessionChange",
    "SessionIdTakenError",
    "SessionStore",
    "UserState",
]


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

    def update(self, session_id: str, change: SessionChange) -> Applied:
        """Apply ``change`` to the session (`changes.SessionChange`): every guard is
        checked against the stored item and the fields are set in one atomic write.
        Returns whether it was written, with the session as written when the change
        asks for it (``new``) or as it stands when a guard failed (``current``; None
        when there is none)."""

    def get_many(self, session_ids: list[str]) -> dict[str, Session]:
        """Up to 100 sessions by id, one strongly consistent request; missing ones are
        left out."""

    def list_user(self, user_id: str) -> list[Session]:
        """Every stored session of the user, newest first, from the user index: it may
        lag behind writes (eventually consistent). Revoked and expired ones included,
        without secrets."""

    def load_users(self, refs: list[UserRef]) -> dict[UserRef, UserState]:
        """The users' slots at ``refs``: one strongly consistent request."""

    def admit(self, ref: UserRef, write: AdmissionWrite) -> bool:
        """Replace the user's admitted sessions as ``write`` says (`AdmissionWrite`:
        the admission, and the version and "not erased since" it must find). True when
        written; False when another writer came first or the user was erased (read
        again)."""

    def release(self, ref: UserRef, session_id: str) -> None:
        """Drop one session from the user's admitted ones, with a new version (so a
        concurrent admission computed before it must read again). Idempotent."""

    def put_marker(self, ref: UserRef, marker: RevocationMarker, *, expires_at: datetime) -> None:
        """Write the marker at ``ref``. Condition: no later marker is already there."""

    def mark_erased(self, ref: UserRef, marker: RevocationMarker, *, expires_at: datetime) -> None:
        """Record at ``ref`` that the user was erased at ``marker.revoked_before``, put
        ``marker`` there (unless a later one is) and drop the admitted sessions; the
        per-user item lives until ``expires_at``."""

    def delete_user_items(
        self, session_ids: list[str], event_ids: list[str], refs: list[UserRef]
    ) -> int:
        """Delete these sessions (tombstones included), these activity events and the
        login counters at ``refs``, unconditionally (batched). How many there were."""

    def delete_session(self, session_id: str) -> None:
        """Delete one session item, unconditionally (idempotent)."""

    @property
    def index_lag(self) -> timedelta:
        """How long a write may take to show in the user indexes."""

    def login_attempts(self, ref: UserRef) -> LoginAttempts | None:
        """The sign-in attempts counted under ``ref`` (strongly consistent), if any."""

    def change_login_attempts(
        self, ref: UserRef, change: AttemptsChange, *, expires_at: datetime
    ) -> AttemptsChanged:
        """Replace the attempts at ``ref`` with ``change(current)`` atomically: the
        write is conditional on the version ``change`` saw, and ``change`` is called
        again with what another writer left when it lost (contention is never an
        error). ``change`` returning None writes nothing. The item lives until
        ``expires_at``. Returns the attempts as they now stand and whether this call
        wrote them."""

    def record_activity(self, event: ActivityEvent, *, expires_at: datetime) -> bool:
        """Keep ``event`` in its user's activity until ``expires_at``. Condition: not
        kept already (a redelivered change is kept once). True when this call kept it."""

    def list_activity(self, user_id: str, *, since: datetime, limit: int) -> list[ActivityEvent]:
        """The user's events at or after ``since``, newest first, at most ``limit``
        (the activity index: it may lag behind the events function's writes)."""

    @property
    def feed(self) -> RevocationFeed:
        """The revocation feed under this store's prefix (`feed_store`): where
        verifiers and the compactor read it."""

    @property
    def server_clock(self) -> StoreClock:
        """The store's clock as seen from here (`clock.StoreClock`): every time the
        manager writes follows it, and a revocation first checks it."""

    def append_revocations(self, entries: list[FeedEntry], now: Callable[[], datetime]) -> None:
        """Add ``entries`` to the revocation feed (`revocation_feed`), each an item of
        its own; no condition. Once this returns, a strongly consistent read sees every
        entry (a write slower than `WRITE_BOUND` is made again, stamped ``now()``)."""

    def read_revocations(self, since: datetime, until: datetime) -> list[FeedEntry]:
        """Every feed entry stamped from ``since`` to ``until``, strongly consistent
        (one Query per shard of each hour)."""

    def purge_expired(self, now: datetime, limit: int | None = None) -> int:
        """Delete items whose expiry has passed by ``now`` (tombstones, markers and
        counters too), at most ``limit``. Condition per item: its expiry has still
        passed (a session extended meanwhile stays). Returns how many were deleted."""
