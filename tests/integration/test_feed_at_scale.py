"""The revocation feed at scale, in read and write units as dynalite reports them
(sized by item, as DynamoDB bills; an empty Query billed at DynamoDB's one-unit
minimum): a sign-out costs the same whatever the feed holds, a warm authorizer's poll
reads what is new, a cold one reads the packed seconds, and one user's loop of "sign
out everywhere else" makes nothing dearer for anyone else.

The bulk of each burst is filed through the store's feed (the write a revoking call
makes, 25 a request) so that the test takes seconds; the calls measured go through
the manager as a sign-out does."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import Any

import pytest

from handlers.token_authorizer import FeedReader
from sessions_core import DynamoDBSessionStore, SessionConfig, SessionManager
from sessions_core.feed_compactor import compact
from sessions_core.keys import UserRef
from sessions_core.revocation_feed import (
    DEFAULT_POLL,
    FeedEntry,
    TokenFacts,
    session_entry,
    user_entries,
)
from tests.harness.consumed import ConsumedCapacity
from tests.support import FakeClock, server_store

BURST = 6_000


@pytest.fixture
def dynalite(protocol_servers: dict[str, Any]) -> DynamoDBSessionStore:
    found: DynamoDBSessionStore = server_store(protocol_servers, "dynalite")
    return found


@pytest.fixture
def manager(dynalite: DynamoDBSessionStore, clock: FakeClock) -> SessionManager:
    return SessionManager(SessionConfig(dynalite, clock=clock))


@pytest.fixture
def meter(dynalite: DynamoDBSessionStore) -> ConsumedCapacity:
    return ConsumedCapacity(dynalite.client)


def _file(manager: SessionManager, entries: list[FeedEntry]) -> None:
    feed = manager.config.namespaced_store.feed
    for start in range(0, len(entries), 25):
        feed.append(entries[start : start + 25], manager.config.now)


def _sign_outs(manager: SessionManager, clock: FakeClock, count: int) -> list[str]:
    """``count`` sessions revoked over the next three seconds (distinct sessions)."""
    ids = [str(uuid.uuid4()) for _ in range(count)]
    start = clock.now
    _file(
        manager,
        [session_entry(sid, start + timedelta(milliseconds=n % 3000)) for n, sid in enumerate(ids)],
    )
    return ids


def _reader(manager: SessionManager, *, packed: bool = False) -> FeedReader:
    """An authorizer's reader of the manager's feed, warm: it has read it now."""
    reader = FeedReader(manager.config.namespaced_store.feed, packed=packed)
    reader.refresh(manager.config.now())
    return reader


def _facts(manager: SessionManager, session_id: str) -> TokenFacts:
    ref = manager.config.keys.ref_for_session("someone", session_id)
    return TokenFacts(
        session_id, ref, manager.config.now() - timedelta(days=1), manager.config.now()
    )


def test_feed_a_sign_out_after_6000_costs_no_more_write_units_than_the_first(
    manager: SessionManager, clock: FakeClock, meter: ConsumedCapacity
) -> None:
    first, last = manager.create(user_id="ann"), manager.create(user_id="bea")
    with meter.measuring() as before:
        manager.destroy(first.id)
    _sign_outs(manager, clock, BURST - 2)
    clock.advance(seconds=3)
    with meter.measuring() as after:
        manager.destroy(last.id)
    # the feed's entry and the tombstone: one unit each, then as now
    assert before.write == 2.0
    assert after.write <= before.write
    assert after.requests == before.requests


def test_feed_warm_poll_after_6000_costs_at_most_16_read_units_and_a_cold_start_40(
    manager: SessionManager, clock: FakeClock, meter: ConsumedCapacity
) -> None:
    # GIVEN a warm authorizer that has read the feed, and 6,000 sign-outs after it
    feed = manager.config.namespaced_store.feed
    warm = _reader(manager)
    clock.advance(seconds=1)
    revoked = _sign_outs(manager, clock, BURST)
    clock.advance(seconds=10)
    warm.refresh(manager.config.now())  # it learns them (what is new, once)
    assert warm.snapshot.denies(_facts(manager, revoked[-1]))
    # WHEN it polls again, with nothing new
    clock.advance(DEFAULT_POLL)
    with meter.measuring() as poll:
        warm.refresh(manager.config.now())
    # THEN the poll reads a few empty pages, whatever the feed holds
    assert poll.read <= 16, poll
    # AND a cold container, once the compactor has packed those seconds, reads them at
    # about 8 bytes each
    compact(feed, manager.config.now())
    cold = FeedReader(feed)
    with meter.measuring() as start:
        cold.refresh(manager.config.now())
    assert start.read <= 40, start
    assert all(cold.snapshot.denies(_facts(manager, sid)) for sid in revoked[::500])
    assert not cold.snapshot.denies(_facts(manager, str(uuid.uuid4())))


def test_feed_a_sign_out_right_after_a_burst_is_denied_within_the_poll(
    manager: SessionManager, clock: FakeClock
) -> None:
    reader = _reader(manager)
    _sign_outs(manager, clock, BURST)
    session = manager.create(user_id="cat")
    manager.destroy(session.id)  # the call returns: from now on, poll + 1 s at most
    clock.advance(DEFAULT_POLL)
    reader.refresh(manager.config.now())
    assert reader.snapshot.denies(_facts(manager, session.id))


def test_feed_one_users_3000_revoke_others_leave_everyone_elses_costs_alone(
    manager: SessionManager, clock: FakeClock, meter: ConsumedCapacity
) -> None:
    reader = _reader(manager)
    clock.advance(DEFAULT_POLL)
    with meter.measuring() as quiet_before:
        reader.refresh(manager.config.now())
    other = manager.create(user_id="dee")
    with meter.measuring() as sign_out_before:
        manager.destroy(other.id)
    # One signed-in user loops "sign out everywhere else": the last call for real,
    # the rest as the entries those calls file.
    mine = manager.create(user_id="mallory")
    refs = manager.config.keys.user_refs("mallory")
    loop = [
        entry
        for n in range(2_999)
        for entry in user_entries(
            refs,
            clock.now + timedelta(milliseconds=n),
            before=clock.now,
            keep=mine.id,
            call=secrets.token_hex(8),
        )
    ]
    _file(manager, loop)
    manager.destroy_all_for_user("mallory", except_session_id=mine.id)
    clock.advance(seconds=10)
    reader.refresh(manager.config.now())  # learns the loop's entries once
    clock.advance(DEFAULT_POLL)
    with meter.measuring() as quiet_after:
        reader.refresh(manager.config.now())
    again = manager.create(user_id="dee")
    with meter.measuring() as sign_out_after:
        manager.destroy(again.id)
    assert sign_out_after.write <= sign_out_before.write
    assert quiet_after.read <= max(quiet_before.read, 8.0) * 2  # the hour may turn
    # the loop's user is still signed out everywhere but the kept session
    kept = TokenFacts(mine.id, refs[0], mine.created_at, manager.config.now())
    assert not reader.snapshot.denies(kept)
    assert isinstance(refs[0], UserRef)


def test_feed_packed_reads_one_query_a_poll_see_a_sign_out_a_second_after_and_fail_closed(
    manager: SessionManager, clock: FakeClock, meter: ConsumedCapacity
) -> None:
    # GIVEN an authorizer of a large fleet, reading only packed seconds, and a compactor
    feed = manager.config.namespaced_store.feed
    compact(feed, manager.config.now())
    reader = _reader(manager, packed=True)
    _sign_outs(manager, clock, BURST)
    session = manager.create(user_id="eve")
    manager.destroy(session.id)
    # WHEN the second ends and the compactor packs it, THEN the next poll denies it
    clock.advance(seconds=1)
    compact(feed, manager.config.now())
    with meter.measuring() as poll:
        reader.refresh(manager.config.now())
    assert reader.snapshot.denies(_facts(manager, session.id))
    assert poll.requests == {"Query": 1}
    # AND with nothing new, a poll reads a few small segments
    clock.advance(DEFAULT_POLL)
    compact(feed, manager.config.now())
    with meter.measuring() as quiet:
        reader.refresh(manager.config.now())
    assert quiet.requests == {"Query": 1} and quiet.read <= 16, quiet
    # AND once packing stops, the snapshot grows stale: past the bound, it covers
    # nothing newer, and the authorizer denies (its staleness check)
    clock.advance(seconds=40)
    reader.refresh(manager.config.now())
    staleness = reader.snapshot.staleness(manager.config.now())
    assert staleness is not None and staleness > timedelta(seconds=30)
