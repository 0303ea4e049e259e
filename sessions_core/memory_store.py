"""`InMemorySessionStore`: the store contract in a dict, for tests and local use.

Thread-safe (one lock), and faithful to the DynamoDB store's semantics: conditional
writes, expiry left to the caller, secrets kept out of the user listing.
"""

from __future__ import annotations

import threading
from datetime import datetime

from sessions_core.models import Session
from sessions_core.store import (
    Loaded,
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
        # Keyed by (prefix, user id): the DynamoDB store's hashed marker key is a storage
        # detail (it lets the marker share the session's read); a dict needs none.
        self._markers: dict[tuple[str, str], tuple[RevocationMarker, datetime]] = {}

    @staticmethod
    def _key(prefix: str, session_id: str) -> str:
        return prefix + session_id

    @staticmethod
    def _marker_key(prefix: str, user_id: str) -> tuple[str, str]:
        return prefix, user_id

    def stored_keys(self) -> list[str]:
        """The stored keys (sessions and markers): what a prefix test inspects."""
        with self._lock:
            return [*self._sessions, *(prefix + "user:" + user for prefix, user in self._markers)]

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
        entry = self._markers.get((prefix, session.user_id)) if self._markers else None
        return Loaded(session, entry[0] if entry else None)

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
                    "previous_token_hash": rotation.previous_token_hash,
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
        self, prefix: str, session_id: str, *, at: datetime, live_at: datetime | None = None
    ) -> bool:
        """Set the tombstone if not set (see `SessionStore.revoke`)."""
        key = self._key(prefix, session_id)
        with self._lock:
            current = self._sessions.get(key)
            if current is None or current.revoked_at is not None:
                return False
            if live_at is not None and current.expires_at <= live_at:
                return False
            self._sessions[key] = current.model_copy(update={"revoked_at": at})
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

    def load_marker(self, prefix: str, user_id: str) -> RevocationMarker | None:
        """The user's revocation marker, if any."""
        with self._lock:
            entry = self._markers.get(self._marker_key(prefix, user_id))
        return entry[0] if entry else None

    def put_marker(
        self, prefix: str, user_id: str, marker: RevocationMarker, *, expires_at: datetime
    ) -> None:
        """Write the marker unless a later one exists."""
        key = self._marker_key(prefix, user_id)
        with self._lock:
            existing = self._markers.get(key)
            if existing and existing[0].revoked_before >= marker.revoked_before:
                return
            self._markers[key] = (marker, expires_at)

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
            for marker_key, (_, expiry) in list(self._markers.items()):
                if budget == deleted:
                    return deleted
                if marker_key[0] == prefix and expiry <= now:
                    del self._markers[marker_key]
                    deleted += 1
        return deleted
