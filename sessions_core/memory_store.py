"""`InMemorySessionStore`: the store contract in a dict, for tests and local use.

Thread-safe (one lock), and faithful to the DynamoDB store's semantics: conditional
writes, expiry left to the caller, secrets kept out of the user listing.
"""

from __future__ import annotations

import threading
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


class InMemorySessionStore:
    """Sessions in process memory. Items are immutable models, replaced on write."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, Session] = {}
        # By (prefix, location) and then user tag, as the DynamoDB store lays them out:
        # a session's read finds its user's marks through the location in its id.
        self._markers: dict[tuple[str, str], dict[str, tuple[RevocationMarker, datetime]]] = {}
        self._login_failures: dict[tuple[str, UserRef], LoginFailures] = {}

    @staticmethod
    def _key(prefix: str, session_id: str) -> str:
        return prefix + session_id

    def stored_keys(self) -> list[str]:
        """The stored keys (sessions and markers): what a prefix test inspects."""
        with self._lock:
            markers = [prefix + "user:" + location for prefix, location in self._markers]
            return [*self._sessions, *markers]

    def insert(self, prefix: str, session: Session) -> None:
        """Store a new session; raises `SessionIdTakenError` when the id exists."""
        stored = session.model_copy(update={"token": None})
        with self._lock:
            key = self._key(prefix, session.id)
            if key in self._sessions:
                raise SessionIdTakenError(session.id)
            self._sessions[key] = stored

    def load(self, prefix: str, session_id: str) -> Loaded:
        """The session and its user's marker.

        No lock: each dict read is atomic and items are immutable, replaced whole; the
        two reads are no more atomic together than DynamoDB's BatchGetItem is.
        """
        session = self._sessions.get(prefix + session_id)
        if session is None:
            return _NOTHING
        marks = self._markers.get((prefix, location_of(session_id))) if self._markers else None
        if not marks:
            return Loaded(session)
        return Loaded(session, {tag: marker for tag, (marker, _) in marks.items()})

    def get(self, prefix: str, session_id: str) -> Session | None:
        """One session, or None."""
        with self._lock:
            return self._sessions.get(self._key(prefix, session_id))

    def rotate(self, prefix: str, session_id: str, rotation: Rotation) -> RotateResult:
        """Conditional rotation (see `SessionStore.rotate`)."""
        key = self._key(prefix, session_id)
        with self._lock:
            current = self._sessions.get(key)
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
            self._sessions[key] = updated
            return RotateResult(True, updated)

    def extend(
        self,
        prefix: str,
        session_id: str,
        *,
        expected: datetime,
        expires_at: datetime,
        now: datetime,
    ) -> bool:
        """Conditional sliding extension (see `SessionStore.extend`)."""
        key = self._key(prefix, session_id)
        with self._lock:
            current = self._sessions.get(key)
            if current is None or current.revoked_at is not None:
                return False
            if current.expires_at != expected:
                return False
            self._sessions[key] = current.model_copy(
                update={"expires_at": expires_at, "last_active_at": now}
            )
            return True

    def revoke(
        self,
        prefix: str,
        session_id: str,
        *,
        at: datetime,
        reason: RevokedReason,
        live_at: datetime | None = None,
    ) -> bool:
        """Set the tombstone if not set (see `SessionStore.revoke`)."""
        key = self._key(prefix, session_id)
        with self._lock:
            current = self._sessions.get(key)
            if current is None or current.revoked_at is not None:
                return False
            if live_at is not None and current.expires_at <= live_at:
                return False
            self._sessions[key] = current.model_copy(
                update={"revoked_at": at, "revoked_reason": reason}
            )
            return True

    def list_user(self, prefix: str, user_id: str) -> list[Session]:
        """The user's sessions, newest first, without secrets."""
        with self._lock:
            found = [
                s.without_secrets()
                for key, s in self._sessions.items()
                if s.user_id == user_id and key.startswith(prefix)
            ]
        return sorted(found, key=lambda s: s.created_at, reverse=True)

    def load_markers(self, prefix: str, refs: list[UserRef]) -> dict[UserRef, RevocationMarker]:
        """The markers at ``refs``."""
        found = {}
        with self._lock:
            for ref in refs:
                entry = self._markers.get((prefix, ref.location), {}).get(ref.tag)
                if entry is not None:
                    found[ref] = entry[0]
        return found

    def put_marker(
        self, prefix: str, ref: UserRef, marker: RevocationMarker, *, expires_at: datetime
    ) -> None:
        """Write the marker unless a later one exists."""
        with self._lock:
            marks = self._markers.setdefault((prefix, ref.location), {})
            existing = marks.get(ref.tag)
            if existing and existing[0].revoked_before >= marker.revoked_before:
                return
            marks[ref.tag] = (marker, expires_at)

    def login_failures(self, prefix: str, ref: UserRef) -> LoginFailures | None:
        """The failures counted under ``ref``."""
        with self._lock:
            return self._login_failures.get((prefix, ref))

    def add_login_failure(
        self, prefix: str, ref: UserRef, *, at: datetime, window: timedelta
    ) -> LoginFailures:
        """Count one failure (see `SessionStore.add_login_failure`)."""
        with self._lock:
            current = self._login_failures.get((prefix, ref))
            if current is None or current.first_at + window <= at:
                counted = LoginFailures(1, at)
            else:
                counted = LoginFailures(current.count + 1, current.first_at)
            self._login_failures[(prefix, ref)] = counted
            return counted

    def clear_login_failures(self, prefix: str, ref: UserRef) -> None:
        """Forget the failures counted under ``ref``."""
        with self._lock:
            self._login_failures.pop((prefix, ref), None)

    def purge_expired(self, prefix: str, now: datetime, limit: int | None = None) -> int:
        """Delete expired sessions, tombstones and markers under ``prefix``."""
        budget = limit if limit is not None else -1
        deleted = 0
        with self._lock:
            for key, session in list(self._sessions.items()):
                if budget == deleted:
                    return deleted
                if key.startswith(prefix) and session.expires_at <= now:
                    del self._sessions[key]
                    deleted += 1
            for item_key, marks in list(self._markers.items()):
                for tag, (_, expiry) in list(marks.items()):
                    if budget == deleted:
                        return deleted
                    if item_key[0] == prefix and expiry <= now:
                        del marks[tag]
                        deleted += 1
                if not marks:
                    del self._markers[item_key]
        return deleted
