"""The original's manager cases and the fixes to its bugs, over every store."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sessions_core import SessionManager, SessionRevokedError, UserAgentMismatchError
from tests.support import FakeClock


def test_manager_create_stores_the_session(manager: SessionManager) -> None:
    session = manager.create(user_id="u1", metadata={"device": "laptop"})
    stored = manager.get(session.id)
    assert stored is not None and stored.user_id == "u1"
    assert stored.metadata == {"device": "laptop"}


def test_manager_validate_fresh_token_returns_the_session(manager: SessionManager) -> None:
    session = manager.create(user_id="u1")
    assert session.token is not None
    result = manager.validate(session.token)
    assert result.valid and result.session is not None
    assert result.session.id == session.id and result.session.token is None


def test_manager_destroy_keeps_a_revoked_tombstone(manager: SessionManager) -> None:
    session = manager.create(user_id="u1")
    assert session.token is not None
    manager.destroy(session.id)
    stored = manager.get(session.id)
    assert stored is not None and stored.revoked_at is not None
    assert manager.validate(session.token).error == "session_revoked"


def test_manager_destroy_twice_and_unknown_id_are_noops(manager: SessionManager) -> None:
    session = manager.create(user_id="u1")
    manager.destroy(session.id)
    first = manager.get(session.id)
    manager.destroy(session.id)
    manager.destroy("00000000-0000-8000-8000-000000000000")
    manager.destroy("not-a-uuid")
    assert manager.get(session.id) == first


def test_manager_refresh_gives_new_token_and_later_expiry(
    manager: SessionManager, clock: FakeClock
) -> None:
    session = manager.create(user_id="u1")
    assert session.token is not None
    clock.advance(hours=1)
    refreshed = manager.refresh(session.token)
    assert refreshed.id == session.id and refreshed.token != session.token
    assert refreshed.expires_at > session.expires_at


def test_manager_list_for_user_returns_created_sessions_newest_first(
    manager: SessionManager, clock: FakeClock
) -> None:
    # Original bug 1: listing matched keys `save` never wrote, so it found nothing.
    first = manager.create(user_id="u1")
    clock.advance(seconds=1)
    second = manager.create(user_id="u1")
    manager.create(user_id="someone-else")
    listed = manager.list_for_user("u1")
    assert [s.id for s in listed] == [second.id, first.id]
    assert all(s.token is None and s.token_hash is None for s in listed)


def test_manager_destroy_all_for_user_revokes_each_and_counts(manager: SessionManager) -> None:
    # Original bug 1 again: destroyAllForUser revoked nothing.
    tokens = [manager.create(user_id="u1").token for _ in range(3)]
    other = manager.create(user_id="u2")
    assert manager.destroy_all_for_user("u1") == 3
    assert all(manager.validate(t or "").error == "session_revoked" for t in tokens)
    assert manager.validate(other.token or "").valid
    assert manager.list_for_user("u1") == []


def test_manager_default_expires_in_from_config_applies(make_manager: Any) -> None:
    manager = make_manager(default_expires_in=timedelta(hours=2))
    session = manager.create(user_id="u1")
    assert session.expires_at - session.created_at == timedelta(hours=2)


def test_manager_public_session_has_no_token_or_hash(manager: SessionManager) -> None:
    created = manager.create(user_id="u1", metadata={"a": 1})
    data = manager.to_public_session(created).model_dump(by_alias=True, mode="json")
    assert {"id", "userId", "createdAt", "expiresAt", "metadata"} <= set(data)
    assert not {"token", "tokenHash", "retired", "rotatedAt"} & set(data)
    text = repr(data)
    assert (created.token or "").split(".")[1] not in text
    assert (created.token_hash or "") not in text


def test_manager_bind_to_user_agent_binds_metadata_user_agent(make_manager: Any) -> None:
    manager = make_manager(bind_to_user_agent=True)
    session = manager.create(user_id="u1", metadata={"userAgent": "Firefox"})
    assert session.bound_user_agent == "Firefox"
    assert manager.validate(session.token, user_agent="Firefox").valid
    assert manager.validate(session.token, user_agent="curl").error == "user_agent_mismatch"


def test_manager_bind_to_user_agent_binds_the_user_agent_argument(make_manager: Any) -> None:
    # Original bug 6: binding happened only through metadata.userAgent.
    manager = make_manager(bind_to_user_agent=True)
    session = manager.create(user_id="u1", user_agent="Safari")
    assert manager.validate(session.token, user_agent="Safari").valid
    assert manager.validate(session.token).error == "user_agent_mismatch"


def test_manager_refresh_checks_the_bound_user_agent(make_manager: Any) -> None:
    # Original bug 6: refresh never checked the agent.
    manager = make_manager(bind_to_user_agent=True)
    session = manager.create(user_id="u1", user_agent="Safari")
    with pytest.raises(UserAgentMismatchError):
        manager.refresh(session.token, user_agent="curl")
    assert manager.refresh(session.token, user_agent="Safari").token


def test_manager_user_agent_checked_after_revocation(make_manager: Any) -> None:
    # Original bug 6: the agent check ran before the revoked/expired checks.
    manager = make_manager(bind_to_user_agent=True)
    session = manager.create(user_id="u1", user_agent="Safari")
    manager.destroy(session.id)
    assert manager.validate(session.token, user_agent="curl").error == "session_revoked"


def test_manager_without_binding_ignores_user_agent(manager: SessionManager) -> None:
    session = manager.create(user_id="u1", metadata={"userAgent": "Firefox"})
    assert session.bound_user_agent is None
    assert manager.validate(session.token or "", user_agent="curl").valid


def test_manager_refresh_revoked_session_raises(manager: SessionManager) -> None:
    session = manager.create(user_id="u1")
    manager.destroy(session.id)
    with pytest.raises(SessionRevokedError):
        manager.refresh(session.token or "")
