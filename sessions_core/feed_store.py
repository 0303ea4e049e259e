"""Where the revocation feed lives: the `RevocationFeed` protocol, and `MemoryFeed`,
its in-memory form (`dynamodb.feed_table.FeedTable` is the DynamoDB one). The contract
suite runs the same tests over both."""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sessions_core.feed_records import Segment
from sessions_core.revocation_feed import ENTRY_LIFETIME, FeedEntry, to_ms


class RevocationFeed(Protocol):
    """The feed of one prefix.

    Entries are written by the calls that revoke (no condition, each a small item of
    its own) and read by the moment they were stamped, strongly consistent; the
    compactor packs settled seconds into segments, which a cold reader reads instead.
    """

    def append(self, entries: list[FeedEntry], now: Callable[[], datetime]) -> None:
        """Write ``entries``; once this returns, a strongly consistent read sees each.
        A write slower than `WRITE_BOUND` is made again stamped ``now()``."""

    def entries(self, since: datetime, until: datetime) -> list[FeedEntry]:
        """Every entry stamped from ``since`` to ``until`` (strongly consistent)."""

    def segments(self, after_ms: int) -> tuple[list[Segment], datetime | None]:
        """The packed seconds after ``after_ms``, and how far packing has reached (None:
        never packed). One strongly consistent request (more past 1 MB)."""

    def write_segments(self, segments: Iterable[Segment], *, packed_until: datetime) -> None:
        """Write packed seconds (the same second again is the same segment), then
        record that packing has reached ``packed_until``."""


@dataclass
class _Held:
    """One prefix's feed in memory."""

    keys: list[tuple[int, str]] = field(default_factory=list)
    entries: dict[tuple[int, str], FeedEntry] = field(default_factory=dict)
    segments: dict[int, Segment] = field(default_factory=dict)
    packed_until: datetime | None = None


@dataclass
class FeedBackend:
    """What every prefix's view of an in-memory feed shares."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    by_prefix: dict[str, _Held] = field(default_factory=dict)

    def purge(self, prefix: str, now: datetime) -> None:
        """Drop what DynamoDB's TTL would have deleted by ``now``."""
        with self.lock:
            held = self.by_prefix.get(prefix)
            if held is None:
                return
            cutoff = to_ms(now - ENTRY_LIFETIME)
            cut = bisect.bisect_left(held.keys, (cutoff, ""))
            for key in held.keys[:cut]:
                del held.entries[key]
            del held.keys[:cut]
            held.segments = {ms: s for ms, s in held.segments.items() if ms >= cutoff}


class MemoryFeed:
    """The feed in process memory, under one prefix of a shared `FeedBackend`."""

    def __init__(self, backend: FeedBackend, prefix: str) -> None:
        self._backend = backend
        self._prefix = prefix

    def _held(self) -> _Held:
        return self._backend.by_prefix.setdefault(self._prefix, _Held())

    def append(self, entries: list[FeedEntry], now: Callable[[], datetime]) -> None:
        """Add ``entries`` (an entry of the same stamp and name is replaced)."""
        with self._backend.lock:
            held = self._held()
            for entry in entries:
                key = (to_ms(entry.revoked_at), entry.name)
                if key not in held.entries:
                    bisect.insort(held.keys, key)
                held.entries[key] = entry

    def entries(self, since: datetime, until: datetime) -> list[FeedEntry]:
        """Every entry stamped from ``since`` to ``until``."""
        with self._backend.lock:
            held = self._held()
            low = bisect.bisect_left(held.keys, (to_ms(since), ""))
            high = bisect.bisect_right(held.keys, (to_ms(until), "\U0010ffff"))
            return [held.entries[key] for key in held.keys[low:high]]

    def segments(self, after_ms: int) -> tuple[list[Segment], datetime | None]:
        """The packed seconds after ``after_ms``, oldest first, and where packing is."""
        with self._backend.lock:
            held = self._held()
            found = [held.segments[ms] for ms in sorted(held.segments) if ms > after_ms]
            return found, held.packed_until

    def write_segments(self, segments: Iterable[Segment], *, packed_until: datetime) -> None:
        """Keep the packed seconds and where packing stands."""
        with self._backend.lock:
            held = self._held()
            for segment in segments:
                held.segments[segment.second_ms] = segment
            held.packed_until = packed_until
