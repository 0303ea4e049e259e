"""Erasure: everything about a user goes, their tokens stop working at once (even a
session the index does not show), it is safe twice, and it costs in proportion to the
user's items. Over every store."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sessions_core import SessionConfig, SessionManager
from sessions_core.errors import UserErasedError
from sessions_core.login_throttle import LoginThrottle
from tests.support import (
    CallCounter,
    FakeClock,
    LaggingIndexStore,
    RequestCounter,
    items_in_clear,
    pump_activity,
)


@pytest.mark.needs_stream
def test_erase_removes_sessions_tombstones_activity_and_counters(
    make_manager: Any, store: Any, clock: FakeClock
) -> None:
    manager = make_manager()
    live = manager.create(user_id="ursula", user_agent="curl/8.5.0")
    gone = manager.create(user_id="ursula")
    manager.destroy(gone.id)  # a tombstone
    LoginThrottle(manager.config).attempt("ursula", "203.0.113.7")
    other = manager.create(user_id="victor")
    pump_activity(store)
    assert len(manager.activity_for_user("ursula")) == 3
    clock.advance(seconds=1)
    erased = manager.erase_user("ursula")
    assert erased == 2 + 3 + 1  # two sessions, three activity entries, one counter
    assert manager.validate(live.token or "").error == "invalid_token"
    assert manager.get(gone.id) is None and manager.list_for_user("ursula") == []
    pump_activity(store)
    assert manager.activity_for_user("ursula") == []
    counters = manager.config.namespaced_store
    assert counters.login_attempts(manager.config.keys.user_ref("ursula")) is None
    assert manager.validate(other.token or "").valid  # nobody else's


def test_erase_stops_a_session_the_index_does_not_show(store: Any, clock: FakeClock) -> None:
    lagging = LaggingIndexStore(store)
    manager = SessionManager(SessionConfig(lagging, clock=clock))
    hidden = manager.create(user_id="ursula")
    lagging.hidden.add(hidden.id)
    clock.advance(seconds=1)
    manager.erase_user("ursula")
    # Its token stops at once; on that read, the straggler goes too (user id and all).
    assert manager.validate(hidden.token or "").error == "session_revoked"
    assert store.get(hidden.id) is None


class _IndexCatchingUp(LaggingIndexStore):
    """An index that shows the hidden sessions from its second listing on."""

    index_lag = timedelta(seconds=1)

    def __init__(
        self, inner: Any, hidden: set[str] | None = None, listings: list[str] | None = None
    ):
        super().__init__(inner, hidden)
        self.listings: list[str] = [] if listings is None else listings

    def with_prefix(self, prefix: str) -> _IndexCatchingUp:
        return _IndexCatchingUp(self.inner.with_prefix(prefix), self.hidden, self.listings)

    def list_user(self, user_id: str) -> list[Any]:
        self.listings.append(user_id)
        if len(self.listings) > 1:
            return list(self.inner.list_user(user_id))
        return super().list_user(user_id)


def test_erase_deletes_a_session_the_index_shows_only_after_its_lag(
    store: Any, clock: FakeClock
) -> None:
    # GIVEN a login the index does not show yet when the erasure first lists
    lagging = _IndexCatchingUp(store)
    manager = SessionManager(SessionConfig(lagging, clock=clock, wait=clock.wait))
    late = manager.create(user_id="ursula")
    lagging.hidden.add(late.id)
    clock.advance(seconds=1)
    # WHEN the user is erased THEN the second listing, after the lag, deletes it
    started = clock.now
    assert manager.erase_user("ursula") >= 1
    assert lagging.listings == ["ursula", "ursula"]
    assert clock.now - started == timedelta(seconds=1)  # it waited the lag, on the clock
    assert store.get(late.id) is None


def test_erase_twice_is_safe_and_a_new_login_afterwards_works(
    make_manager: Any, clock: FakeClock
) -> None:
    manager = make_manager(max_sessions_per_user=2, on_session_limit="deny")
    for _ in range(2):
        manager.create(user_id="ursula")
    clock.advance(seconds=1)
    assert manager.erase_user("ursula") >= 2
    assert manager.erase_user("ursula") == 0
    clock.advance(seconds=1)
    again = [manager.create(user_id="ursula") for _ in range(2)]  # the limit's slots too
    assert all(manager.validate(s.token or "").valid for s in again)
    assert {s.id for s in manager.list_for_user("ursula")} == {s.id for s in again}


def test_erase_costs_in_proportion_to_the_users_items(
    make_manager: Any, store: Any, clock: FakeClock
) -> None:
    # Counted on the wire for the DynamoDB stores (a botocore hook), so an erasure that
    # scanned the table, or read each item, would show; store calls for the in-memory one.
    manager = make_manager()
    for user in ("small", "large"):
        for _ in range(2 if user == "small" else 12):
            manager.create(user_id=user)
    for _ in range(40):
        manager.create(user_id=f"bystander{_}", expires_in=timedelta(hours=1))
    clock.advance(seconds=1)
    if hasattr(store, "client"):
        counter: Any = RequestCounter(store.client)
    else:
        counter = CallCounter(store)
        manager = make_manager(store=counter)
    counter.reset()
    manager.erase_user("small")
    small = dict(counter.calls)
    counter.reset()
    manager.erase_user("large")
    # The same requests whatever the user's size (each pages through that user's own
    # index entries, and deletes in batches of 25): nothing per item of the table.
    assert dict(counter.calls) == small
    assert "Scan" not in small and "scan" not in small


class _ErasedWhileInserting:
    """A store on which the user is erased right after a create's insert, by an
    erasure whose index listing does not show that session yet."""

    def __init__(self, inner: Any, clock: FakeClock) -> None:
        self.inner = inner
        self.clock = clock
        self.stored: list[str] = []

    def with_prefix(self, prefix: str) -> _ErasedWhileInserting:
        view = _ErasedWhileInserting(self.inner.with_prefix(prefix), self.clock)
        view.stored = self.stored
        return view

    def insert(self, session: Any) -> None:
        self.inner.insert(session)
        self.stored.append(session.id)
        self.clock.advance(milliseconds=1)
        hidden = LaggingIndexStore(self.inner, {session.id})
        SessionManager(SessionConfig(hidden, clock=self.clock)).erase_user(session.user_id)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.mark.parametrize("limit", [None, 2])
def test_erase_racing_a_login_leaves_nothing_of_the_user(
    store: Any, clock: FakeClock, limit: int | None
) -> None:
    # Before: a login whose insert landed after the erasure had listed the user's
    # sessions kept its item, user id in clear (the session revoked, the item not).
    racing = _ErasedWhileInserting(store, clock)
    manager = SessionManager(SessionConfig(racing, clock=clock, max_sessions_per_user=limit))
    with pytest.raises(UserErasedError):
        manager.create(user_id="ursula")
    (late,) = racing.stored
    assert store.get(late) is None
    assert store.list_user("ursula") == []
    assert "ursula" not in items_in_clear(store)
