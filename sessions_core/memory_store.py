"""`InMemorySessionStore`: the store contract in dicts, for tests and local use.

Thread-safe (one lock), and faithful to the DynamoDB store's semantics: conditional
writes, expiry left to the caller, secrets kept out of the user listing. Items are
keyed as the DynamoDB store keys them (``prefix + id``), so views under other prefixes
(`with_prefix`) share one backend as apps share one table.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime, timedelta

from sessions_core.activity import ActivityEvent
from sessions_core.changes import Applied, SessionChange, applied_to, holds
from sessions_core.clock import SAME_CLOCK, StoreClock
from sessions_core.config import DEFAULT_PREFIX
from sessions_core.feed_store import MemoryFeed, RevocationFeed
from sessions_core.keys import UserRef, location_of
from sessions_core.memory_backend import MemoryBackend
from sessions_core.models import Session
from sessions_core.revocation_feed import FeedEntry
from sessions_core.store import (
    AdmissionWrite,
    AttemptsChange,
    AttemptsChanged,
    Loaded,
    LoginAttempts,
    RevocationMarker,
    SessionIdTakenError,
    UserState,
)

_NOTHING = Loaded(None)


class InMemorySessionStore:
    """Sessions in process memory. Items are immutable models, replaced on write.

    Keys are under the ``session:`` namespace; `SessionConfig.prefix` chooses another
    (`with_prefix`), the one place a prefix is set.
    """

    def __init__(self) -> None:
        self._prefix = DEFAULT_PREFIX
        self._backend = MemoryBackend()

    @property
    def prefix(self) -> str:
        """The namespace of every key."""
        return self._prefix

    def with_prefix(self, prefix: str) -> InMemorySessionStore:
        """A view of the same items under ``prefix``."""
        if prefix == self._prefix:
            return self
        view = copy.copy(self)
        view._prefix = prefix
        return view

    def _key(self, session_id: str) -> str:
        return self._prefix + session_id

    def _user_key(self, location: str) -> str:
        return f"{self._prefix}user:{location}"

    def _login_key(self, ref: UserRef) -> str:
        return f"{self._prefix}login:{ref.location}{ref.tag}"

    def stored_keys(self) -> list[str]:
        """The stored keys (sessions and markers): what a prefix test inspects."""
        backend = self._backend
        with backend.lock:
            return [*backend.sessions, *backend.markers]

    def insert(self, session: Session) -> None:
        """Store a new session; raises `SessionIdTakenError` when the id exists."""
        stored = session.model_copy(update={"token": None})
        backend = self._backend
        with backend.lock:
            key = self._key(session.id)
            if key in backend.sessions:
                raise SessionIdTakenError(session.id)
            backend.write(self._prefix, key, stored, session.created_at)

    def load(self, session_id: str) -> Loaded:
        """The session and its user's marks.

        No lock: each dict read is atomic and items are immutable, replaced whole; the
        two reads are no more atomic together than DynamoDB's BatchGetItem is.
        """
        backend = self._backend
        session = backend.sessions.get(self._prefix + session_id)
        if session is None:
            return _NOTHING
        users = backend.users_at(self._user_key(location_of(session_id)))
        return Loaded(session, users) if users else Loaded(session)

    def get(self, session_id: str) -> Session | None:
        """One session, or None."""
        with self._backend.lock:
            return self._backend.sessions.get(self._key(session_id))

    def get_many(self, session_ids: list[str]) -> dict[str, Session]:
        """Sessions by id; missing ones left out."""
        with self._backend.lock:
            found = (self._backend.sessions.get(self._key(sid)) for sid in session_ids)
            return {session.id: session for session in found if session is not None}

    def update(self, session_id: str, change: SessionChange) -> Applied:
        """Apply ``change`` under the lock: every guard on the current copy, then the
        fields (see `SessionStore.update`)."""
        key = self._key(session_id)
        backend = self._backend
        with backend.lock:
            current = backend.sessions.get(key)
            if current is None or not all(holds(guard, current) for guard in change.guards):
                return Applied(False, current if change.current else None)
            updated = applied_to(current, change)
            moment = updated.revoked_at or updated.last_active_at or updated.created_at
            backend.write(self._prefix, key, updated, moment)
            return Applied(True, updated if change.new else None)

    def list_user(self, user_id: str) -> list[Session]:
        """The user's sessions, newest first, without secrets."""
        backend = self._backend
        with backend.lock:
            found = [
                s.without_secrets()
                for key, s in backend.sessions.items()
                if s.user_id == user_id and key.startswith(self._prefix)
            ]
        return sorted(found, key=lambda s: s.created_at, reverse=True)

    def load_users(self, refs: list[UserRef]) -> dict[UserRef, UserState]:
        """The users' slots at ``refs``."""
        found = {}
        backend = self._backend
        with backend.lock:
            for ref in refs:
                state = backend.users_at(self._user_key(ref.location)).get(ref.tag)
                if state is not None:
                    found[ref] = state
        return found

    def put_marker(self, ref: UserRef, marker: RevocationMarker, *, expires_at: datetime) -> None:
        """Write the marker unless a later one exists."""
        backend = self._backend
        with backend.lock:
            marks = backend.markers.setdefault(self._user_key(ref.location), {})
            existing = marks.get(ref.tag)
            if existing and existing[0].revoked_before >= marker.revoked_before:
                return
            marks[ref.tag] = (marker, expires_at)

    def admit(self, ref: UserRef, write: AdmissionWrite) -> bool:
        """Conditional replacement of the admitted sessions (see `SessionStore.admit`)."""
        with self._backend.lock:
            return self._backend.admit(self._user_key(ref.location), ref.tag, write)

    def release(self, ref: UserRef, session_id: str) -> None:
        """Drop one admitted session, with a new version."""
        with self._backend.lock:
            self._backend.release(self._user_key(ref.location), ref.tag, session_id)

    def mark_erased(self, ref: UserRef, marker: RevocationMarker, *, expires_at: datetime) -> None:
        """The erasure time and a "revoked before" mark at ``ref``; no admitted ones."""
        item = self._user_key(ref.location)
        with self._backend.lock:
            self._backend.erasures.setdefault(item, {})[ref.tag] = marker.revoked_before
            self._backend.admissions.get(item, {}).pop(ref.tag, None)
        self.put_marker(ref, marker, expires_at=expires_at)

    def delete_user_items(self, sessions: list[str], events: list[str], refs: list[UserRef]) -> int:
        """Delete these sessions, events and login counters."""
        logins = [self._login_key(r) for r in refs]
        with self._backend.lock:
            return self._backend.erase(
                [self._key(s) for s in sessions], self._prefix, events, logins
            )

    def delete_session(self, session_id: str) -> None:
        """Delete one session item (no event: what an erasure's straggler gets)."""
        with self._backend.lock:
            self._backend.sessions.pop(self._key(session_id), None)

    index_lag = timedelta(0)  # a dict shows every write at once

    def login_attempts(self, ref: UserRef) -> LoginAttempts | None:
        """The attempts counted under ``ref``."""
        with self._backend.lock:
            return self._backend.login_attempts.get(self._login_key(ref))

    def change_login_attempts(
        self, ref: UserRef, change: AttemptsChange, *, expires_at: datetime
    ) -> AttemptsChanged:
        """Replace the attempts with ``change(current)`` under the lock."""
        with self._backend.lock:
            return self._backend.change_attempts(self._login_key(ref), change)

    def record_activity(self, event: ActivityEvent, *, expires_at: datetime) -> bool:
        """Keep ``event`` unless it is already kept (this store records its own events
        on each write; this is for events that come from elsewhere)."""
        with self._backend.lock:
            return (
                self._backend.activity.setdefault(self._prefix, {}).setdefault(event.id, event)
                is event
            )

    def list_activity(self, user_id: str, *, since: datetime, limit: int) -> list[ActivityEvent]:
        """The user's events at or after ``since``, newest first, at most ``limit``."""
        with self._backend.lock:
            kept = list(self._backend.activity.get(self._prefix, {}).values())
        mine = (e for e in kept if e.user_id == user_id and e.at >= since)
        return sorted(mine, key=lambda e: (e.at, e.type), reverse=True)[:limit]

    @property
    def feed(self) -> RevocationFeed:
        """The revocation feed under this prefix."""
        return MemoryFeed(self._backend.feed, self._prefix)

    @property
    def server_clock(self) -> StoreClock:
        """The store's clock: this process's own."""
        return SAME_CLOCK

    def append_revocations(self, entries: list[FeedEntry], now: Callable[[], datetime]) -> None:
        """Add ``entries`` to the feed."""
        self.feed.append(entries, now)

    def read_revocations(self, since: datetime, until: datetime) -> list[FeedEntry]:
        """Every feed entry stamped from ``since`` to ``until``."""
        return self.feed.entries(since, until)

    def purge_expired(self, now: datetime, limit: int | None = None) -> int:
        """Delete expired sessions, tombstones and markers under this prefix."""
        self._backend.feed.purge(self._prefix, now)  # as TTL deletes it: not counted
        with self._backend.lock:
            return self._backend.purge(self._prefix, now, limit)
