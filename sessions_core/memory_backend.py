"""What every prefix's view of an `InMemorySessionStore` shares: one lock and the
items, laid out as the DynamoDB store lays them out."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime

from sessions_core.activity import ActivityEvent, translate
from sessions_core.feed_store import FeedBackend
from sessions_core.models import Session
from sessions_core.records import (
    Admission,
    AdmissionWrite,
    AttemptsChange,
    AttemptsChanged,
    LoginAttempts,
    RevocationMarker,
    UserState,
)


@dataclass
class MemoryBackend:
    """Everything every prefix's view shares: one lock, the items."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    sessions: dict[str, Session] = field(default_factory=dict)
    # Per-user item key (``prefix + "user:" + location``), then user tag, as the
    # DynamoDB store lays them out: a session's read finds its user's marks through
    # the location in its id.
    markers: dict[str, dict[str, tuple[RevocationMarker, datetime]]] = field(default_factory=dict)
    admissions: dict[str, dict[str, Admission]] = field(default_factory=dict)
    erasures: dict[str, dict[str, datetime]] = field(default_factory=dict)
    login_attempts: dict[str, LoginAttempts] = field(default_factory=dict)
    # Per prefix, then event id: the user's security log, filled on each write as
    # DynamoDB's stream fills the table's (the same `translate`).
    activity: dict[str, dict[str, ActivityEvent]] = field(default_factory=dict)
    # The revocation feed (a table of its own on DynamoDB, expired by TTL there).
    feed: FeedBackend = field(default_factory=FeedBackend)

    def write(self, prefix: str, key: str, new: Session | None, at: datetime) -> None:
        """Replace (or, with None, remove) a session item and record what it means
        (call with the lock held)."""
        old = self.sessions.get(key)
        if new is None:
            self.sessions.pop(key, None)
        else:
            self.sessions[key] = new
        event = translate(old, new, removed_at=at)
        if event is not None:
            self.activity.setdefault(prefix, {}).setdefault(event.id, event)

    def users_at(self, item_key: str) -> dict[str, UserState]:
        """Every user's slot in one per-user item (call with the lock held, or accept
        a read as atomic as DynamoDB's)."""
        marks = self.markers.get(item_key, {})
        admitted = self.admissions.get(item_key, {})
        erased = self.erasures.get(item_key, {})
        return {
            tag: UserState(
                marker=marks[tag][0] if tag in marks else None,
                admission=admitted.get(tag),
                erased_at=erased.get(tag),
            )
            for tag in marks.keys() | admitted.keys() | erased.keys()
        }

    def erase(
        self, session_keys: list[str], prefix: str, event_ids: list[str], login_keys: list[str]
    ) -> int:
        """Delete these items, with no event (call with the lock held); how many."""
        gone = [k for k in session_keys if self.sessions.pop(k, None) is not None]
        kept = self.activity.get(prefix, {})
        events = [i for i in event_ids if kept.pop(i, None) is not None]
        counters = [k for k in login_keys if self.login_attempts.pop(k, None) is not None]
        return len(gone) + len(events) + len(counters)

    def admit(self, item: str, tag: str, write: AdmissionWrite) -> bool:
        """Replace a user's admitted sessions as ``write`` says, if its version is still
        the one expected and the user was not erased since (call with the lock held)."""
        erased = self.erasures.get(item, {}).get(tag)
        if erased is not None and erased > write.not_erased_since:
            return False
        slots = self.admissions.setdefault(item, {})
        current = slots.get(tag)
        if (current.version if current else None) != write.expected:
            return False
        slots[tag] = write.admission
        return True

    def change_attempts(self, key: str, change: AttemptsChange) -> AttemptsChanged:
        """Replace sign-in attempts with ``change(current)`` (call with the lock held)."""
        current = self.login_attempts.get(key)
        changed = change(current)
        if changed is None:
            return current, False
        self.login_attempts[key] = changed
        return changed, True

    def release(self, item: str, tag: str, session_id: str) -> None:
        """Drop one admitted session, with a new version (call with the lock held)."""
        current = self.admissions.get(item, {}).get(tag)
        if current is not None and session_id in current.sessions:
            kept = {sid: e for sid, e in current.sessions.items() if sid != session_id}
            self.admissions[item][tag] = Admission(secrets.token_hex(8), kept)

    def purge(self, prefix: str, now: datetime, limit: int | None) -> int:
        """Delete expired sessions, tombstones and marks under ``prefix``, at most
        ``limit`` (call with the lock held)."""
        budget = limit if limit is not None else -1
        deleted = 0
        for key, session in list(self.sessions.items()):
            if budget == deleted:
                return deleted
            if key.startswith(prefix) and session.expires_at <= now:
                self.write(prefix, key, None, now)
                deleted += 1
        for item_key, marks in list(self.markers.items()):
            if not item_key.startswith(prefix):
                continue
            for tag, (_, expiry) in list(marks.items()):
                if budget == deleted:
                    return deleted
                if expiry <= now:
                    del marks[tag]
                    deleted += 1
            if not marks:
                del self.markers[item_key]
        return deleted
