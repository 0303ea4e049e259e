"""Rule 3: refresh rotates; a grace window for racing tabs; replay after it revokes."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from sessions_core import (
    InvalidTokenError,
    SessionExpiredError,
    SessionManager,
    SessionRevokedError,
)
from tests.support import FakeClock


def test_refresh_old_token_stops_working_after_grace(
    manager: SessionManager, clock: FakeClock
) -> None:
    # Original bug 2: the old token stayed valid forever after a refresh.
    session = manager.create(user_id="u1")
    refreshed = manager.refresh(session.token or "")
    clock.advance(seconds=31)
    assert manager.validate(session.token or "").valid is False
    assert manager.validate(refreshed.token or "").valid is False  # replay revoked it


def test_refresh_previous_token_validates_within_grace(
    manager: SessionManager, clock: FakeClock
) -> None:
    session = manager.create(user_id="u1")
    refreshed = manager.refresh(session.token or "")
    clock.advance(seconds=29)
    assert manager.validate(session.token or "").valid
    assert manager.validate(refreshed.token or "").valid


def test_refresh_repeated_within_grace_returns_same_successor(
    manager: SessionManager, clock: FakeClock
) -> None:
    session = manager.create(user_id="u1")
    first = manager.refresh(session.token or "")
    clock.advance(seconds=10)
    second = manager.refresh(session.token or "")
    assert second.token == first.token
    assert manager.validate(first.token or "").valid


def test_refresh_replay_after_grace_revokes_the_session(
    manager: SessionManager, clock: FakeClock
) -> None:
    session = manager.create(user_id="u1")
    successor = manager.refresh(session.token or "")
    clock.advance(seconds=31)
    assert manager.validate(successor.token or "").valid
    with pytest.raises(SessionRevokedError):
        manager.refresh(session.token or "")
    stored = manager.get(session.id)
    assert stored is not None and stored.revoked_at is not None
    assert manager.validate(successor.token or "").error == "session_revoked"


def test_validate_replay_after_grace_revokes_the_session(
    manager: SessionManager, clock: FakeClock
) -> None:
    session = manager.create(user_id="u1")
    successor = manager.refresh(session.token or "")
    clock.advance(minutes=5)
    assert manager.validate(session.token or "").error == "session_revoked"
    assert manager.validate(successor.token or "").error == "session_revoked"


def test_refresh_grace_window_is_configurable(make_manager: Any, clock: FakeClock) -> None:
    manager = make_manager(refresh_grace=timedelta(seconds=2))
    session = manager.create(user_id="u1")
    manager.refresh(session.token)
    clock.advance(seconds=3)
    assert manager.validate(session.token).error == "session_revoked"


def test_refresh_chain_of_rotations_each_token_works_once(
    manager: SessionManager, clock: FakeClock
) -> None:
    token = manager.create(user_id="u1").token or ""
    seen = {token}
    for _ in range(5):
        clock.advance(minutes=1)
        token = manager.refresh(token).token or ""
        assert token not in seen
        seen.add(token)
    assert manager.validate(token).valid


def test_refresh_lifetime_does_not_grow(manager: SessionManager, clock: FakeClock) -> None:
    # Original bug 4: expiresAt = now + (expiresAt - createdAt) grew 24 → 44 → 84 h.
    token = manager.create(user_id="u1").token or ""
    for _ in range(4):
        clock.advance(hours=4)
        refreshed = manager.refresh(token)
        token = refreshed.token or ""
        assert refreshed.expires_at == clock.now + timedelta(hours=24)


def test_refresh_never_passes_max_lifetime(make_manager: Any, clock: FakeClock) -> None:
    manager = make_manager(max_lifetime=timedelta(hours=30))
    session = manager.create(user_id="u1")
    clock.advance(hours=20)
    refreshed = manager.refresh(session.token)
    assert refreshed.expires_at == session.created_at + timedelta(hours=30)
    clock.advance(hours=10)
    with pytest.raises(SessionExpiredError):
        manager.refresh(refreshed.token)


def test_create_caps_expiry_at_max_lifetime(make_manager: Any) -> None:
    manager = make_manager(max_lifetime=timedelta(hours=1))
    session = manager.create(user_id="u1", expires_in=timedelta(hours=5))
    assert session.expires_at == session.created_at + timedelta(hours=1)


def test_refresh_expired_session_raises_session_expired(
    manager: SessionManager, clock: FakeClock
) -> None:
    session = manager.create(user_id="u1", expires_in=timedelta(minutes=5))
    clock.advance(minutes=5)
    with pytest.raises(SessionExpiredError):
        manager.refresh(session.token or "")


@pytest.mark.parametrize("token", ["", "garbage", "a" * 80, "x" * 100_000])
def test_refresh_malformed_token_raises_invalid_token(manager: SessionManager, token: str) -> None:
    with pytest.raises(InvalidTokenError):
        manager.refresh(token)


def test_refresh_concurrent_callers_rotate_once_with_one_successor(
    manager: SessionManager,
) -> None:
    session = manager.create(user_id="u1")
    barrier = threading.Barrier(12)
    results: list[str] = []
    errors: list[BaseException] = []

    def refresh() -> None:
        barrier.wait()
        try:
            results.append(manager.refresh(session.token or "").token or "")
        except BaseException as error:  # collected, then asserted empty below
            errors.append(error)

    threads = [threading.Thread(target=refresh) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == 12 and len(set(results)) == 1
    assert manager.validate(results[0]).valid
