"""Packing the revocation feed: every second becomes one small segment
(`feed_records.Segment`, about 8 bytes a revoked session) as soon as it ends, so that
a cold verifier reads 8 bytes an entry instead of a whole item, and a fleet of
verifiers can follow the feed through replicas of the segments (`FeedTable.replicas`)
about a second behind the revoking calls.

An entry stamped in a second can still appear up to `SETTLE` after the second ends (a
writer slower than `WRITE_BOUND` files it again, later): each pass packs again the
last `REPACK` before where packing had reached, with everything those seconds hold by
now. Packing is idempotent: two compactors pack a second to the same segment.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sessions_core.feed_records import Record, pack, record_of
from sessions_core.feed_store import RevocationFeed
from sessions_core.revocation_feed import OVERLAP, RELEVANT_FOR, REPACK, from_ms, to_ms

# One pass packs at most this much backlog (a compactor that was down catches up in
# passes, each recorded, rather than in one read of an hour).
MAX_PASS = timedelta(minutes=10)


def ended_until(now: datetime) -> datetime:
    """The start of the second ``now`` is in: every second before it has ended."""
    return from_ms(to_ms(now) // 1000 * 1000)


def compact(feed: RevocationFeed, now: datetime, *, relevant_for: timedelta = RELEVANT_FOR) -> int:
    """Pack every second that has ended since packing last reached, and again the
    `REPACK` before it (never further back than ``relevant_for`` and `OVERLAP`), in
    passes of at most `MAX_PASS`, each recorded as it is done; how many seconds held
    entries. Cost of a pass: the entries it packs, read once (one Query per shard of
    each hour), one write per non-empty second and replica, one for the progress; plus
    one Query for where packing stands.

    Raises:
        StoreUnavailableError: the store did not answer (what was packed is kept).
        CorruptItemError: an entry is unreadable.
    """
    final = ended_until(now)
    _, packed = feed.segments(to_ms(now))  # only the progress sorts after now
    oldest = from_ms(to_ms(now - relevant_for - OVERLAP) // 1000 * 1000)
    since = max(packed - REPACK, oldest) if packed is not None else oldest
    packed_seconds = 0
    while since < final:
        until = min(final, since + MAX_PASS)
        by_second: dict[int, list[Record]] = defaultdict(list)
        for entry in feed.entries(since, until - timedelta(milliseconds=1)):
            record = record_of(entry)
            by_second[record.revoked_ms // 1000 * 1000].append(record)
        segments = [pack(second, by_second[second]) for second in sorted(by_second)]
        feed.write_segments(segments, packed_until=until)
        packed_seconds += len(segments)
        since = until
    return packed_seconds
