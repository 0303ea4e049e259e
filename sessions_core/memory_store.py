"""`InMemorySessionStore`: the store contract in dicts, for tests and local use.

Thread-safe (one lock), and faithful to the DynamoDB store's semantics: conditional
writes, expiry left to the caller, secrets kept out of the user listing. Items are
keyed as the DynamoDB store keys them (``prefix + id``), so views under other prefixes
(`with_prefix`) share one backend as apps share one table.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sessions_core.keys import UserRef, location_of
from sessions_core.models import RevokedReason, Session
from sessions_core.store import (
    Loaded,
    LoginFailures,
    RevocationMarker,
    RotateResult,
    Rotation,
    SessionIdTakenError,
)

_NOTHING = Loaded(None)
DEFAULT_PREFIX = "session:"


@dataclass
class _Backend:
    """Everything every prefix's view shares: one lock, the items."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    sessions: dict[str, Session] = field(default_factory=dict)
    # Per-user item key (``prefix + "user:" + location``), then user tag, as the
    # DynamoDB store lays them out: a session's read finds its user's marks through
    # the location in its id.
    markers: dict[str, dict[str, tuple[RevocationMarker, datetime]]] = field(default_factory=dict)
    login_failures: dict[str, LoginFailures] = field(default_factory=dict)


class InMemorySessionStore:
    """Sessions in process memory. Items are immutable models, replaced on write."""

    def __init__(self, *, prefix: str = DEFAULT_PREFIX) -> None:
        self._prefix = prefix
        self._backend = _Backend()

    @property
    def prefix(self) -> str:
        """The namespace of every key."""
        return self._prefix

    def with_prefix(self, prefix: str) -> InMemorySessionStore:
        """A view of the same items under ``prefix``."""
        if prefix == self._prefix:
            return self
        view = InMemorySessionStore(prefix=prefix)
        view._backend = self._backend
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
            backend.sessions[key] = stored

    def load(self, session_id: str) -> Loaded:
        """The session and its user's marks.

        No lock: each dict read is atomic and items are immutable, replaced whole; the
        two reads are no more atomic together than DynamoDB's BatchGetItem is.
        """
        backend = self._backend
        session = backend.sessions.get(self._prefix + session_id)
        if session is None:
            return _NOTHING
        marks = backend.markers.get(self._user_key(location_of(session_id)))
        if not marks:
            return Loaded(session)
        return Loaded(session, {tag: marker for tag, (marker, _) in marks.items()})

    def get(self, session_id: str) -> Session | None:
        """One session, or None."""
        with self._backend.lock:
            return self._backend.sessions.get(self._key(session_id))

    def rotate(self, session_id: str, rotation: Rotation) -> RotateResult:
        """Conditional rotation (see `SessionStore.rotate`)."""
        key = self._key(session_id)
        backend = self._backend
        with backend.lock:
            current = backend.sessions.get(key)
            if (
                current is None
                or current.revoked_at is not None
                or current.token_hash != rotation.expected_token_hash
            ):
                return RotateResult(False, current)
            updated = current.model_copy(
                update={
                    "token_hash": rotation.token_hash,
                    "retired": rotation.retired,
                    "rotated_at": rotation.rotated_at,
                    "expires_at": rotation.expires_at,
                    "last_active_at": rotation.rotated_at,
                }
            )
            backend.sessions[key] = updated
            return RotateResult(True, updated)

    def extend(
        self, session_id: str, *, expected: datetime, expires_at: datetime, now: datetime
    ) -> bool:
        """Conditional sliding extension (see `SessionStore.extend`)."""
        key = self._key(session_id)
        backend = self._backend
        with backend.lock:
            current = backend.sessions.get(key)
            if current is None or current.revoked_at is not None:
                return False
            if current.expires_at != expected:
                return False
            backend.sessions[key] = current.model_copy(
                update={"expires_at": expires_at, "last_active_at": now}
            )
            return True

    def revoke(
        self,
        session_id: str,
        *,
        at: datetime,
        reason: RevokedReason,
        live_at: datetime | None = None,
    ) -> bool:
        """Set the tombstone if not set (see `SessionStore.revoke`)."""
        key = self._key(session_id)
        backend = self._backend
        with backend.lock:
            current = backend.sessions.get(key)
            if current is None or current.revoked_at is not None:
                return False
            if live_at is not None and current.expires_at <= live_at:
                return False
            backend.sessions[key] = current.model_copy(
                update={"revoked_at": at, "revoked_reason": reason}
            )
            return True

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

    def load_markers(self, refs: list[UserRef]) -> dict[UserRef, RevocationMarker]:
        """The markers at ``refs``."""
        found = {}
        backend = self._backend
        with backend.lock:
            for ref in refs:
                entry = backend.markers.get(self._user_key(ref.location), {}).get(ref.tag)
                if entry is not None:
                    found[ref] = entry[0]
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

    def login_failures(self, ref: UserRef) -> LoginFailures | None:
        """The failures counted under ``ref``."""
        with self._backend.lock:
            return self._backend.login_failures.get(self._login_key(ref))

    def add_login_failure(self, ref: UserRef, *, at: datetime, window: timedelta) -> LoginFailures:
        """Count one failure (see `SessionStore.add_login_failure`)."""
        key = self._login_key(ref)
        backend = self._backend
        with backend.lock:
            current = backend.login_failures.get(key)
            if current is None or current.first_at + window <= at:
                counted = LoginFailures(1, at)
            else:
                counted = LoginFailures(current.count + 1, current.first_at)
            backend.login_failures[key] = counted
            return counted

    def clear_login_failures(self, ref: UserRef) -> None:
        """Forget the failures counted under ``ref``."""
        with self._backend.lock:
            self._backend.login_failures.pop(self._login_key(ref), None)

    def purge_expired(self, now: datetime, limit: int | None = None) -> int:
        """Delete expired sessions, tombstones and markers under this prefix."""
        budget = limit if limit is not None else -1
        deleted = 0
        backend = self._backend
        with backend.lock:
            for key, session in list(backend.sessions.items()):
                if budget == deleted:
                    return deleted
                if key.startswith(self._prefix) and session.expires_at <= now:
                    del backend.sessions[key]
                    deleted += 1
            for item_key, marks in list(backend.markers.items()):
                if not item_key.startswith(self._prefix):
                    continue
                for tag, (_, expiry) in list(marks.items()):
                    if budget == deleted:
                        return deleted
                    if expiry <= now:
                        del marks[tag]
                        deleted += 1
                if not marks:
                    del backend.markers[item_key]
        return deleted
