"""Rule 4: sliding expiration applied on validate, once per half window, capped."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sessions_core import SessionManager
from tests.support import FakeClock


def test_sliding_validate_extends_when_less_than_half_left(
    manager: SessionManager, clock: FakeClock
) -> None:
    # Original bug 3: the sliding flag was stored but never applied.
    session = manager.create(user_id="u1", expires_in=timedelta(hours=2), sliding_expiration=True)
    clock.advance(hours=1, minutes=1)
    result = manager.validate(session.token or "")
    assert result.session is not None
    assert result.session.expires_at == clock.now + timedelta(hours=2)
    stored = manager.get(session.id)
    assert stored is not None and stored.expires_at == clock.now + timedelta(hours=2)


def test_sliding_validate_does_not_write_while_more_than_half_left(
    manager: SessionManager, clock: FakeClock
) -> None:
    session = manager.create(user_id="u1", expires_in=timedelta(hours=2), sliding_expiration=True)
    clock.advance(minutes=59)
    result = manager.validate(session.token or "")
    assert result.session is not None and result.session.expires_at == session.expires_at


def test_sliding_extension_written_once_per_half_window(
    manager: SessionManager, clock: FakeClock
) -> None:
    session = manager.create(user_id="u1", expires_in=timedelta(hours=2), sliding_expiration=True)
    clock.advance(hours=1, minutes=30)
    first = manager.validate(session.token or "").session
    clock.advance(minutes=10)
    second = manager.validate(session.token or "").session
    assert first is not None and second is not None
    assert second.expires_at == first.expires_at


def test_sliding_keeps_session_alive_past_its_first_window(
    manager: SessionManager, clock: FakeClock
) -> None:
    session = manager.create(user_id="u1", expires_in=timedelta(hours=1), sliding_expiration=True)
    for _ in range(6):
        clock.advance(minutes=40)
        assert manager.validate(session.token or "").valid


def test_sliding_never_passes_max_lifetime(make_manager: Any, clock: FakeClock) -> None:
    manager = make_manager(max_lifetime=timedelta(hours=3))
    session = manager.create(user_id="u1", expires_in=timedelta(hours=2), sliding_expiration=True)
    for _ in range(5):
        clock.advance(minutes=50)
        manager.validate(session.token)
    stored = manager.get(session.id)
    assert stored.expires_at == session.created_at + timedelta(hours=3)
    clock.now = session.created_at + timedelta(hours=3)
    assert manager.validate(session.token).error == "session_expired"


def test_non_sliding_session_is_not_extended(manager: SessionManager, clock: FakeClock) -> None:
    session = manager.create(user_id="u1", expires_in=timedelta(hours=2))
    clock.advance(hours=1, minutes=50)
    result = manager.validate(session.token or "")
    assert result.session is not None and result.session.expires_at == session.expires_at
