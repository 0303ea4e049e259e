"""Sign-in attempts are counted before the password is checked, in one atomic write
that also decides: at most five per (name, address) and fifty per name reach the check
in a window, the window restarts, and racing guesses cannot slip past the count. Over
every store."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from sessions_core import SessionManager
from sessions_core.login_throttle import DEFAULT_WINDOW, LoginThrottle
from tests.support import FakeClock

HOME = "198.51.100.10"
THIEF = "203.0.113.66"


@pytest.fixture
def throttle(manager: SessionManager) -> LoginThrottle:
    return LoginThrottle(manager.config)


def test_throttle_sixth_attempt_from_one_address_waits_for_the_window(
    throttle: LoginThrottle, clock: FakeClock
) -> None:
    assert all(throttle.attempt("alice", THIEF) is None for _ in range(5))
    clock.advance(minutes=5)
    wait = throttle.attempt("alice", THIEF)
    assert wait == DEFAULT_WINDOW - timedelta(minutes=5)


def test_throttle_another_address_is_not_locked_out(
    throttle: LoginThrottle, clock: FakeClock
) -> None:
    # A stranger's guesses must not lock the user out from their own address.
    for _ in range(6):
        throttle.attempt("alice", THIEF)
    assert throttle.attempt("alice", HOME) is None
    assert throttle.attempt("bob", THIEF) is None  # per name, too


def test_throttle_window_restarts_once_it_is_over(
    throttle: LoginThrottle, clock: FakeClock
) -> None:
    for _ in range(5):
        throttle.attempt("alice", THIEF)
    clock.advance(DEFAULT_WINDOW)
    assert throttle.attempt("alice", THIEF) is None
    assert all(throttle.attempt("alice", THIEF) is None for _ in range(4))
    assert throttle.attempt("alice", THIEF) is not None  # a full new window, no more


def test_throttle_name_ceiling_bounds_guessing_from_many_addresses(
    throttle: LoginThrottle, clock: FakeClock
) -> None:
    for host in range(50):
        assert throttle.attempt("alice", f"192.0.2.{host}") is None
    assert throttle.attempt("alice", HOME) is not None
    assert throttle.attempt("bob", HOME) is None
    clock.advance(DEFAULT_WINDOW)
    assert throttle.attempt("alice", HOME) is None


def test_throttle_success_clears_its_address_and_gives_its_attempt_back(
    throttle: LoginThrottle, manager: SessionManager
) -> None:
    for _ in range(4):
        throttle.attempt("alice", HOME)
    throttle.succeeded("alice", HOME)
    assert all(throttle.attempt("alice", HOME) is None for _ in range(5))
    stored = manager.config.namespaced_store.login_attempts(manager.config.keys.user_ref("alice"))
    # four, one given back by the success, five more: the name has counted eight
    assert stored is not None and stored.window.count == 8


def test_throttle_keeps_no_name_or_address_in_clear(
    throttle: LoginThrottle, manager: SessionManager
) -> None:
    throttle.attempt("alice@example.com", THIEF)
    stored = manager.config.namespaced_store.login_attempts(
        manager.config.keys.user_ref("alice@example.com")
    )
    assert stored is not None
    assert THIEF not in stored.addresses and len(next(iter(stored.addresses))) == 32


def test_throttle_racing_guesses_reach_the_password_check_five_times(
    store: Any, clock: FakeClock, make_manager: Any
) -> None:
    # Before: read the count, check the password, then count: 40 racing guesses all
    # read "below five" and all reached the check.
    throttle = LoginThrottle(make_manager().config)
    admitted: list[bool] = []
    start = threading.Barrier(40)

    def guess() -> None:
        start.wait()
        admitted.append(throttle.attempt("alice", THIEF) is None)

    threads = [threading.Thread(target=guess) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert admitted.count(True) == 5 and admitted.count(False) == 35
