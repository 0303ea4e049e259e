"""The revocation feed over every store: each path that revokes appends what a verifier
of access tokens needs, before it returns; a snapshot of the feed denies exactly the
tokens the revocation meant, and no more."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sessions_core import Session, SessionManager
from sessions_core.feed_snapshot import FeedSnapshot
from sessions_core.revocation_feed import (
    ENTRY_LIFETIME,
    OVERLAP,
    RELEVANT_FOR,
    TokenFacts,
    session_entry,
)
from tests.support import CallCounter, FakeClock, local_access_tokens


@pytest.fixture
def issuing(make_manager: Any, clock: FakeClock) -> SessionManager:
    manager: SessionManager = make_manager(access_tokens=local_access_tokens(clock))
    return manager


def _facts(manager: SessionManager, session: Session, issued_at: Any = None) -> TokenFacts:
    return TokenFacts(
        session.id,
        manager.config.keys.ref_for_session(session.user_id, session.id),
        session.created_at,
        issued_at or manager.config.now(),
    )


def _snapshot(manager: SessionManager) -> FeedSnapshot:
    """What a verifier starting now reads."""
    snapshot = FeedSnapshot()
    now = manager.config.now()
    since, until = snapshot.window(now)
    entries = manager.config.namespaced_store.read_revocations(since, until)
    snapshot.merge_entries(entries, began=now)
    return snapshot


def test_destroy_and_logout_deny_every_token_of_that_session_only(
    issuing: SessionManager,
) -> None:
    gone, kept = issuing.create(user_id="alice"), issuing.create(user_id="alice")
    issuing.destroy(gone.id)
    snapshot = _snapshot(issuing)
    assert snapshot.denies(_facts(issuing, gone))
    assert not snapshot.denies(_facts(issuing, kept))


def test_revoke_all_denies_sessions_before_it_and_a_login_right_after_works(
    issuing: SessionManager, clock: FakeClock
) -> None:
    old = issuing.create(user_id="alice")
    other_user = issuing.create(user_id="bob")
    clock.advance(milliseconds=1)
    issuing.destroy_all_for_user("alice")
    after = issuing.create(user_id="alice")  # the same millisecond as the revocation
    snapshot = _snapshot(issuing)
    assert snapshot.denies(_facts(issuing, old))
    assert not snapshot.denies(_facts(issuing, after))
    assert not snapshot.denies(_facts(issuing, other_user))


def test_revoke_others_keeps_the_callers_session(issuing: SessionManager, clock: FakeClock) -> None:
    mine, theirs = issuing.create(user_id="alice"), issuing.create(user_id="alice")
    clock.advance(milliseconds=1)
    issuing.destroy_all_for_user("alice", except_session_id=mine.id)
    snapshot = _snapshot(issuing)
    assert not snapshot.denies(_facts(issuing, mine))
    assert snapshot.denies(_facts(issuing, theirs))


def test_reuse_detection_denies_the_sessions_tokens(
    issuing: SessionManager, clock: FakeClock
) -> None:
    session = issuing.create(user_id="alice")
    issuing.refresh(session.token or "")
    clock.advance(minutes=5)  # past the grace window: the old token is a replay
    assert issuing.validate(session.token or "").error == "session_revoked"
    assert _snapshot(issuing).denies(_facts(issuing, session))


def test_session_limit_eviction_denies_the_evicted_sessions_tokens(
    make_manager: Any, clock: FakeClock
) -> None:
    manager = make_manager(access_tokens=local_access_tokens(clock), max_sessions_per_user=1)
    first = manager.create(user_id="alice")
    clock.advance(seconds=1)
    second = manager.create(user_id="alice")
    snapshot = _snapshot(manager)
    assert snapshot.denies(_facts(manager, first))
    assert not snapshot.denies(_facts(manager, second))


def test_erasure_denies_every_token_of_the_user(issuing: SessionManager, clock: FakeClock) -> None:
    session = issuing.create(user_id="alice")
    clock.advance(milliseconds=1)
    issuing.erase_user("alice")
    assert _snapshot(issuing).denies(_facts(issuing, session))


def test_revoking_every_token_issued_before_a_moment_spares_later_ones(
    issuing: SessionManager, clock: FakeClock
) -> None:
    session = issuing.create(user_id="alice")
    earlier = clock.now
    clock.advance(seconds=1)
    issuing.revoke_access_tokens()
    clock.advance(seconds=1)
    snapshot = _snapshot(issuing)
    assert snapshot.denies(_facts(issuing, session, issued_at=earlier))
    assert not snapshot.denies(_facts(issuing, session, issued_at=clock.now))


class _Ordered(CallCounter):
    """A store that also remembers the order of its calls (through prefix views)."""

    def __init__(self, inner: Any, order: list[str] | None = None) -> None:
        super().__init__(inner)
        self.order: list[str] = [] if order is None else order

    def with_prefix(self, prefix: str) -> _Ordered:
        return _Ordered(self.inner.with_prefix(prefix), self.order)

    def __getattr__(self, name: str) -> Any:
        found = super().__getattr__(name)
        if not callable(found):
            return found

        def ordered(*args: Any, **kwargs: Any) -> Any:
            self.order.append(name)
            return found(*args, **kwargs)

        return ordered


def test_the_feed_is_written_before_the_revocation_whoever_built_the_manager(
    make_manager: Any, store: Any, clock: FakeClock
) -> None:
    # GIVEN a manager built as a login backend builds one: a store and a key, no
    # access token settings of its own
    recorded = _Ordered(store)
    plain = make_manager(store=recorded)
    session = plain.create(user_id="alice")
    recorded.order.clear()
    # WHEN it revokes THEN the feed hears of it first all the same
    plain.destroy(session.id)
    assert recorded.order == ["append_revocations", "update"]
    assert _snapshot(plain).denies(_facts(plain, session))
    recorded.order.clear()
    plain.destroy_all_for_user("alice")
    assert recorded.order[:2] == ["append_revocations", "put_marker"]


def test_entries_are_read_by_stamp_and_forgotten_once_no_token_can_need_them(
    issuing: SessionManager, store: Any, clock: FakeClock
) -> None:
    session = issuing.create(user_id="alice", expires_in=timedelta(days=2))
    issuing.destroy(session.id)
    clock.advance(minutes=15)
    assert _snapshot(issuing).denies(_facts(issuing, session))  # a cold reader finds it
    clock.advance(RELEVANT_FOR)
    assert not _snapshot(issuing).denies(_facts(issuing, session))  # no token left to deny
    feed = issuing.config.namespaced_store
    assert feed.read_revocations(clock.now - timedelta(days=1), clock.now)  # still stored
    clock.advance(ENTRY_LIFETIME)
    issuing.purge_expired()
    table = getattr(store, "feed_table", None)
    if table is None:  # memory: purged as TTL would have deleted it
        assert not feed.read_revocations(clock.now - timedelta(days=1), clock.now)
    else:  # DynamoDB: TTL deletes it, for free; its expiry has passed
        items = [i for page in _raw_pages(table) for i in page]
        assert items and all(int(i["ttl"]["N"]) <= clock.now.timestamp() for i in items)


def _raw_pages(table: Any) -> Any:
    """Every page of the feed table as stored (a test's table is small)."""
    for page in table.table.client.get_paginator("scan").paginate(TableName=table.table.name):
        yield page["Items"]


def test_a_snapshot_refresh_rereads_the_overlap_for_late_writes(
    issuing: SessionManager, clock: FakeClock
) -> None:
    store = issuing.config.namespaced_store
    snapshot = _snapshot(issuing)
    session = issuing.create(user_id="alice")
    # A writer stamped its entry just before our read began, and it showed after it.
    stamped = clock.now - OVERLAP + timedelta(milliseconds=1)
    store.append_revocations([session_entry(session.id, stamped)], issuing.config.now)
    clock.advance(seconds=5)
    since, until = snapshot.window(clock.now)
    assert since <= stamped
    snapshot.merge_entries(store.read_revocations(since, until), began=clock.now)
    assert snapshot.denies(_facts(issuing, session))
