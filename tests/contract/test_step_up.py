"""Step-up: authenticated_at and aal move only by reauthenticate, and a sensitive action
asks how recently they did. Runs over every store."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sessions_core import (
    InvalidArgumentError,
    SessionExpiredError,
    SessionManager,
    SessionNotFoundError,
    SessionRevokedError,
)
from tests.support import FakeClock, pump_activity


def test_create_sets_authenticated_at_and_the_declared_aal(manager: SessionManager) -> None:
    session = manager.create(user_id="u1", aal=2)
    assert session.authenticated_at == session.created_at and session.aal == 2
    stored = manager.get(session.id)
    assert stored is not None and (stored.authenticated_at, stored.aal) == (session.created_at, 2)


@pytest.mark.parametrize("aal", [0, 4, "2", 1.5])
def test_create_refuses_an_aal_outside_one_to_three(manager: SessionManager, aal: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="aal"):
        manager.create(user_id="u1", aal=aal)


def test_refresh_sliding_and_activity_never_move_authenticated_at(
    make_manager: Any, clock: FakeClock
) -> None:
    manager = make_manager(activity_resolution=timedelta(seconds=1))
    session = manager.create(user_id="u1", sliding_expiration=True, expires_in=timedelta(hours=1))
    clock.advance(minutes=40)
    slid = manager.validate(session.token or "")  # sliding and activity both written
    assert slid.session is not None and slid.session.expires_at > session.expires_at
    refreshed = manager.refresh(session.token or "")
    stored = manager.get(refreshed.id)
    assert stored is not None and stored.authenticated_at == session.created_at
    assert manager.recently_authenticated(stored) is False  # 40 minutes > 15


@pytest.mark.needs_stream
def test_reauthenticate_moves_authenticated_at_and_aal(
    manager: SessionManager, store: Any, clock: FakeClock
) -> None:
    session = manager.create(user_id="u1")
    clock.advance(minutes=30)
    assert manager.recently_authenticated(session) is False
    stepped = manager.reauthenticate(session.id, aal=2)
    assert (stepped.authenticated_at, stepped.aal) == (clock.now, 2)
    assert stepped.token_hash is None  # no secrets in the answer
    assert manager.recently_authenticated(stepped)
    clock.advance(minutes=15, seconds=1)
    assert manager.recently_authenticated(stepped) is False
    kept = manager.reauthenticate(session.id)  # aal stays as it was when not given
    assert kept.aal == 2
    pump_activity(store)
    assert manager.activity_for_user("u1")[0].type == "session.reauthenticated"


def test_reauthenticate_unknown_revoked_and_expired_sessions_raise(
    manager: SessionManager, clock: FakeClock
) -> None:
    with pytest.raises(SessionNotFoundError):
        manager.reauthenticate("00000000-0000-8000-8000-000000000000")
    with pytest.raises(SessionNotFoundError):
        manager.reauthenticate("not-an-id")
    revoked = manager.create(user_id="u1")
    manager.destroy(revoked.id)
    with pytest.raises(SessionRevokedError):
        manager.reauthenticate(revoked.id)
    short = manager.create(user_id="u1", expires_in=timedelta(minutes=1))
    clock.advance(minutes=2)
    with pytest.raises(SessionExpiredError):
        manager.reauthenticate(short.id)
    with pytest.raises(InvalidArgumentError):
        manager.reauthenticate(short.id, aal=9)


def test_reauthentication_max_age_none_turns_the_check_off(
    make_manager: Any, clock: FakeClock
) -> None:
    manager = make_manager(reauthentication_max_age=None)
    session = manager.create(user_id="u1")
    clock.advance(days=20)
    assert manager.recently_authenticated(session)
