"""The per-user session limit: eviction order, deny, what does not count, what a create
costs, and a create that dies between its two writes. Runs over every store; the races
are in tests/races/test_limit_races.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sessions_core import SessionLimitError, SessionManager
from sessions_core.keys import KeyRing
from tests.support import CallCounter, FakeClock


def _valid(manager: SessionManager, tokens: list[str]) -> list[str]:
    return [t for t in tokens if manager.validate(t).valid]


def _tokens(manager: SessionManager, clock: FakeClock, count: int, user: str = "u1") -> list[str]:
    made = []
    for _ in range(count):
        clock.advance(seconds=1)
        made.append(manager.create(user_id=user).token or "")
    return made


def test_limit_evicts_the_least_recently_active_session(
    make_manager: Any, clock: FakeClock
) -> None:
    manager = make_manager(max_sessions_per_user=3, activity_resolution=timedelta(seconds=1))
    first, second, third = _tokens(manager, clock, 3)
    clock.advance(minutes=1)
    assert manager.validate(first).valid  # the oldest is now the most recently used
    clock.advance(seconds=1)
    assert manager.validate(third).valid
    fourth = _tokens(manager, clock, 1)[0]
    assert manager.validate(second).error == "session_revoked"
    assert _valid(manager, [first, third, fourth]) == [first, third, fourth]
    evicted = manager.get(second.split(".")[0])
    assert evicted is not None and evicted.revoked_reason == "session_limit"
    listed = {s.id for s in manager.list_for_user("u1")}
    assert listed == {t.split(".")[0] for t in (first, third, fourth)}


def test_limit_deny_refuses_the_create_and_lists_the_active_sessions(
    make_manager: Any, clock: FakeClock
) -> None:
    manager = make_manager(max_sessions_per_user=2, on_session_limit="deny")
    tokens = _tokens(manager, clock, 2)
    with pytest.raises(SessionLimitError) as raised:
        manager.create(user_id="u1")
    assert raised.value.code == "session_limit_reached"
    listed = [s.id for s in raised.value.sessions]
    assert listed == [t.split(".")[0] for t in reversed(tokens)]  # newest first
    assert _valid(manager, tokens) == tokens
    assert len(manager.list_for_user("u1")) == 2


def test_limit_revoked_and_expired_sessions_do_not_count(
    make_manager: Any, clock: FakeClock
) -> None:
    manager = make_manager(max_sessions_per_user=2, on_session_limit="deny")
    kept, revoked = _tokens(manager, clock, 2)
    manager.destroy(revoked.split(".")[0])
    short = manager.create(user_id="u1", expires_in=timedelta(minutes=5)).token or ""
    clock.advance(minutes=6)
    assert manager.validate(short).error == "session_expired"
    newest = manager.create(user_id="u1").token or ""  # no SessionLimitError
    assert _valid(manager, [kept, newest]) == [kept, newest]


def test_limit_sign_out_everywhere_frees_every_slot(make_manager: Any, clock: FakeClock) -> None:
    manager = make_manager(max_sessions_per_user=2, on_session_limit="deny")
    _tokens(manager, clock, 2)
    clock.advance(seconds=1)
    assert manager.destroy_all_for_user("u1") == 2
    assert len(_valid(manager, _tokens(manager, clock, 2))) == 2


def test_limit_counts_per_user(make_manager: Any, clock: FakeClock) -> None:
    manager = make_manager(max_sessions_per_user=1, on_session_limit="deny")
    alice = _tokens(manager, clock, 1, "alice")
    bob = _tokens(manager, clock, 1, "bob")
    assert _valid(manager, alice + bob) == alice + bob


def test_limit_create_below_the_limit_costs_three_requests(
    make_manager: Any, store: Any, clock: FakeClock
) -> None:
    counter = CallCounter(store)
    manager = make_manager(store=counter, max_sessions_per_user=3)
    _tokens(manager, clock, 1)
    counter.reset()
    _tokens(manager, clock, 1)
    assert dict(counter.calls) == {"load_users": 1, "admit": 1, "insert": 1}
    counter.reset()
    token = _tokens(manager, clock, 1)[0]
    assert manager.validate(token).valid
    assert counter.calls["load"] == 1 and counter.calls["update"] == 0  # validate: 1 request


class _ProcessDied(BaseException):
    """What a Lambda timing out mid-create looks like from inside: nothing runs after."""


class _DiesOnAdmit:
    """A store whose next admission never happens: the process dies between the
    create's insert and its admission."""

    def __init__(self, inner: Any, armed: list[bool] | None = None) -> None:
        self.inner = inner
        self.armed = [False] if armed is None else armed

    def with_prefix(self, prefix: str) -> _DiesOnAdmit:
        return _DiesOnAdmit(self.inner.with_prefix(prefix), self.armed)

    def admit(self, *args: Any, **kwargs: Any) -> bool:
        if self.armed[0]:
            self.armed[0] = False
            raise _ProcessDied
        result: bool = self.inner.admit(*args, **kwargs)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_limit_create_dying_between_its_writes_leaves_no_live_session_and_no_lost_slot(
    make_manager: Any, store: Any, clock: FakeClock
) -> None:
    dying = _DiesOnAdmit(store)
    manager = make_manager(store=dying, max_sessions_per_user=2, on_session_limit="deny")
    first = _tokens(manager, clock, 1)
    dying.armed[0] = True
    with pytest.raises(_ProcessDied):
        manager.create(user_id="u1")
    # The stored, never admitted session is not valid and holds no slot.
    assert [s.id for s in manager.list_for_user("u1")] == [first[0].split(".")[0]]
    second = _tokens(manager, clock, 1)
    assert _valid(manager, first + second) == first + second
    assert len(manager.list_for_user("u1")) == 2
    with pytest.raises(SessionLimitError):
        manager.create(user_id="u1")


def test_limit_deny_stores_nothing(make_manager: Any, store: Any, clock: FakeClock) -> None:
    counter = CallCounter(store)
    manager = make_manager(store=counter, max_sessions_per_user=1, on_session_limit="deny")
    _tokens(manager, clock, 1)
    counter.reset()
    with pytest.raises(SessionLimitError):
        manager.create(user_id="u1")
    assert counter.calls["insert"] == 0


def test_limit_counts_sessions_created_under_the_previous_key(
    make_manager: Any, clock: FakeClock
) -> None:
    # Before: the admission slot was keyed per key, so during a key rotation a user
    # could hold the limit under the old key and the limit again under the new one.
    old_key, new_key = KeyRing(b"o" * 32), KeyRing(b"n" * 32, [b"o" * 32])
    before = make_manager(secret_key=old_key, max_sessions_per_user=2)
    older = _tokens(before, clock, 2)
    after = make_manager(secret_key=new_key, max_sessions_per_user=2)
    newer = _tokens(after, clock, 2)
    valid = _valid(after, older + newer)
    assert valid == newer  # the two oldest, under the old key, were evicted
    evicted = after.get(older[0].split(".")[0])
    assert evicted is not None and evicted.revoked_reason == "session_limit"
    assert {s.id for s in after.list_for_user("u1")} == {t.split(".")[0] for t in newer}


def test_limit_deny_counts_sessions_created_under_the_previous_key(
    make_manager: Any, clock: FakeClock
) -> None:
    old_key, new_key = KeyRing(b"o" * 32), KeyRing(b"n" * 32, [b"o" * 32])
    before = make_manager(secret_key=old_key, max_sessions_per_user=2, on_session_limit="deny")
    older = _tokens(before, clock, 2)
    after = make_manager(secret_key=new_key, max_sessions_per_user=2, on_session_limit="deny")
    with pytest.raises(SessionLimitError) as raised:
        after.create(user_id="u1")
    assert {s.id for s in raised.value.sessions} == {t.split(".")[0] for t in older}
