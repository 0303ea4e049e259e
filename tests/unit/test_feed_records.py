"""The feed's compact form: a packed second gives back exactly the records packed into
it, at about 8 bytes a revoked session, and a snapshot built from packed seconds
denies exactly what one built from the entries denies."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from sessions_core.feed_records import HASH_BYTES, Segment, pack, record_of
from sessions_core.feed_snapshot import FeedSnapshot
from sessions_core.keys import KeyRing
from sessions_core.revocation_feed import (
    RELEVANT_FOR,
    TokenFacts,
    all_entry,
    session_entry,
    to_ms,
    user_entries,
)

NOW = datetime(2026, 1, 15, 12, 0, 0, tzinfo=UTC)
RING = KeyRing(b"k" * 40)


def _entries() -> list:
    sessions = [session_entry(str(uuid.uuid4()), NOW) for _ in range(100)]
    refs = RING.user_refs("alice")
    users = user_entries(refs, NOW, before=NOW, keep="kept-session", call="c1")
    everyone = [all_entry(NOW, before=NOW - timedelta(seconds=1), call="c2")]
    return sessions + users + everyone


def test_pack_records_round_trip_and_sessions_cost_8_bytes_each() -> None:
    entries = _entries()
    segment = pack(to_ms(NOW), (record_of(e) for e in entries))
    back = list(segment.records())
    assert len(back) == len(entries) and segment.count == len(entries)
    assert len(segment.sessions) == 100 * HASH_BYTES
    assert {(r.kind, r.key, r.before_ms, r.keep) for r in back} == {
        (r.kind, r.key, r.before_ms, r.keep) for r in map(record_of, entries)
    }
    # a write made twice is packed once
    twice = pack(to_ms(NOW), [record_of(entries[0]), record_of(entries[0])])
    assert twice.count == 1


def test_segment_unknown_tag_is_refused_not_skipped() -> None:
    with pytest.raises(ValueError, match="unknown record tag"):
        list(Segment(0, b"", b"z1234567").records())


def _facts(session_id: str, *, user: str = "bob", created: datetime = NOW) -> TokenFacts:
    return TokenFacts(session_id, RING.ref_for_session(user, session_id), created, NOW)


@pytest.mark.parametrize("packed", [False, True], ids=["entries", "packed"])
def test_snapshot_denies_the_same_from_entries_and_from_packed_seconds(packed: bool) -> None:
    entries = _entries()
    snapshot = FeedSnapshot()
    if packed:
        segment = pack(to_ms(NOW), (record_of(e) for e in entries))
        snapshot.merge_segments([segment], packed_until=NOW + timedelta(seconds=1), began=NOW)
    else:
        snapshot.merge_entries(entries, began=NOW)
    revoked = entries[0].name[2:]
    assert snapshot.denies(_facts(revoked))
    assert not snapshot.denies(_facts(str(uuid.uuid4()), created=NOW + timedelta(seconds=1)))
    # alice's sessions before the revoke-all are denied, but the kept one
    earlier = NOW - timedelta(minutes=1)
    assert snapshot.denies(_facts(str(uuid.uuid4()), user="alice", created=earlier))
    assert not snapshot.denies(_facts("kept-session", user="alice", created=earlier))
    # the "all" entry denies every token issued before its moment
    old_token = TokenFacts(str(uuid.uuid4()), RING.user_ref("x"), NOW, NOW - timedelta(seconds=2))
    assert snapshot.denies(old_token)


def test_snapshot_forgets_records_once_no_token_can_need_them() -> None:
    entry = session_entry(str(uuid.uuid4()), NOW)
    snapshot = FeedSnapshot()
    snapshot.merge_entries([entry], began=NOW)
    later = NOW + RELEVANT_FOR + timedelta(minutes=2)
    snapshot.merge_entries([], began=later)
    assert not snapshot.denies(_facts(entry.name[2:])) and len(snapshot) == 0
