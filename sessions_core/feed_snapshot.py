"""`FeedSnapshot`: the revocations a verifier has read, in compact form
(`feed_records`), and what it must read next.

It knows every revocation stamped before `covered_until`. A read of the entries
(`merge_entries`) covers up to the moment it began, and the next one starts `OVERLAP`
before that (late writes); a read of packed segments (`merge_segments`) covers up to
where the compactor has packed. Records are forgotten once no token they deny can
still be valid (`RELEVANT_FOR` after their stamp).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sessions_core.feed_records import Record, Segment, record_of, short_hash
from sessions_core.revocation_feed import (
    OVERLAP,
    RELEVANT_FOR,
    FeedEntry,
    TokenFacts,
    to_ms,
)

_MINUTE_MS = 60_000


class FeedSnapshot:
    """The records read so far, and when.

    Attributes:
        read_began: when the last read began (None: never read).
        covered_until: every revocation stamped before it is known.
        last_segment_ms: the newest packed second read (segments after it are new).
    """

    def __init__(self, relevant_for: timedelta = RELEVANT_FOR) -> None:
        self.relevant_for = relevant_for
        self._sessions: dict[bytes, int] = {}
        self._minutes: dict[int, list[bytes]] = {}
        self._users: dict[bytes, dict[tuple[int, bytes], int]] = {}
        self._all: dict[int, int] = {}
        self._keys: dict[bytes, int] = {}
        self.read_began: datetime | None = None
        self.covered_until: datetime | None = None
        self.last_segment_ms: int | None = None

    def window(self, now: datetime) -> tuple[datetime, datetime]:
        """The entries the next read must cover: from a cold start, every one that may
        still matter; after a read, from `OVERLAP` before what it covered."""
        if self.covered_until is None:
            return now - self.relevant_for - OVERLAP, now
        return self.covered_until - OVERLAP, now

    def age(self, now: datetime) -> timedelta | None:
        """How long ago the last read began (None: never)."""
        return None if self.read_began is None else now - self.read_began

    def staleness(self, now: datetime) -> timedelta | None:
        """How long ago the newest moment it covers was (None: nothing covered)."""
        return None if self.covered_until is None else now - self.covered_until

    def merge_entries(self, entries: Iterable[FeedEntry], *, began: datetime) -> None:
        """Take a read of the entries that began at ``began``."""
        self._take(record_of(entry) for entry in entries)
        self.read_began = began
        self.covered_until = began
        self._forget(began)

    def merge_segments(
        self, segments: Iterable[Segment], *, packed_until: datetime | None, began: datetime
    ) -> None:
        """Take packed seconds read at ``began``; with ``packed_until`` (where the
        compactor has packed to), the snapshot covers up to there, unless a read of
        the entries already covers more."""
        for segment in segments:
            self._take(segment.records())
            newest = self.last_segment_ms
            self.last_segment_ms = max(segment.second_ms, newest or segment.second_ms)
        if packed_until is not None:
            covered = self.covered_until
            self.covered_until = packed_until if covered is None else max(covered, packed_until)
        self.read_began = began
        self._forget(began)

    def denies(self, token: TokenFacts) -> bool:
        """True when a record revokes the token."""
        if short_hash(token.session_id) in self._sessions:
            return True
        if self._keys and short_hash(token.kid) in self._keys:
            return True
        user = self._users.get(short_hash(token.user.location + token.user.tag))
        if user:
            created = to_ms(token.session_created_at)
            keep = short_hash(token.session_id)
            if any(created < before and keep != kept for before, kept in user):
                return True
        issued = to_ms(token.issued_at)
        return any(issued < before for before in self._all)

    def __len__(self) -> int:
        users = sum(map(len, self._users.values()))
        return len(self._sessions) + users + len(self._all) + len(self._keys)

    def _take(self, records: Iterable[Record]) -> None:
        for record in records:
            if record.kind == "s":
                known = self._sessions.get(record.key)
                if known is None or known < record.revoked_ms:
                    self._sessions[record.key] = record.revoked_ms
                    self._minutes.setdefault(record.revoked_ms // _MINUTE_MS, []).append(record.key)
            elif record.kind == "u":
                marks = self._users.setdefault(record.key, {})
                mark = (record.before_ms, record.keep)
                marks[mark] = max(marks.get(mark, 0), record.revoked_ms)
            elif record.kind == "k":
                self._keys[record.key] = max(self._keys.get(record.key, 0), record.revoked_ms)
            else:
                self._all[record.before_ms] = max(
                    self._all.get(record.before_ms, 0), record.revoked_ms
                )

    def _forget(self, now: datetime) -> None:
        cutoff = to_ms(now - self.relevant_for)
        for minute in [m for m in self._minutes if (m + 1) * _MINUTE_MS <= cutoff]:
            for key in self._minutes.pop(minute):
                if self._sessions.get(key, cutoff) < cutoff:
                    del self._sessions[key]
        for user, marks in list(self._users.items()):
            kept = {mark: at for mark, at in marks.items() if at >= cutoff}
            if kept:
                self._users[user] = kept
            else:
                del self._users[user]
        self._all = {before: at for before, at in self._all.items() if at >= cutoff}
        # By then the key has left every verifier's key set (read every 5 minutes).
        self._keys = {kid: at for kid, at in self._keys.items() if at >= cutoff}
