"""Rules 5 and 7: tombstones, revoke-all that beats index lag, expiry on every read."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sessions_core import SessionConfig, SessionManager
from tests.support import FakeClock, LaggingIndexStore


def test_revoke_all_kills_session_the_index_does_not_show(store: Any, clock: FakeClock) -> None:
    # GIVEN a login that landed a moment before "log out everywhere"
    lagging = LaggingIndexStore(store)
    manager = SessionManager(SessionConfig(lagging, clock=clock))
    seen = manager.create(user_id="u1")
    clock.advance(milliseconds=5)
    unseen = manager.create(user_id="u1")
    lagging.hidden.add(unseen.id)
    clock.advance(milliseconds=5)
    # WHEN revoke-all runs while the index lags
    revoked = manager.destroy_all_for_user("u1")
    # THEN both are dead, though only the visible one was counted
    assert revoked == 1
    assert manager.validate(seen.token or "").error == "session_revoked"
    assert manager.validate(unseen.token or "").error == "session_revoked"
    # AND the straggler got its tombstone on that read (so its revocation is an event)
    straggler = manager.get(unseen.id)
    assert straggler is not None and straggler.revoked_reason == "revoke_all"
    assert straggler.revoked_at == seen.created_at + timedelta(milliseconds=10)
    lagging.hidden.clear()
    assert manager.list_for_user("u1") == []
    assert manager.destroy_all_for_user("u1") == 0


def test_revoke_all_then_new_login_stays_valid(manager: SessionManager, clock: FakeClock) -> None:
    manager.create(user_id="u1")
    clock.advance(seconds=1)
    manager.destroy_all_for_user("u1")
    clock.advance(milliseconds=1)
    fresh = manager.create(user_id="u1")
    assert manager.validate(fresh.token or "").valid
    assert [s.id for s in manager.list_for_user("u1")] == [fresh.id]


def test_revoke_all_except_keeps_the_named_session(store: Any, clock: FakeClock) -> None:
    lagging = LaggingIndexStore(store)
    manager = SessionManager(SessionConfig(lagging, clock=clock))
    keep = manager.create(user_id="u1")
    hidden = manager.create(user_id="u1")
    other = manager.create(user_id="u1")
    lagging.hidden.add(hidden.id)
    clock.advance(seconds=1)
    assert manager.destroy_all_for_user("u1", except_session_id=keep.id) == 1
    assert manager.validate(keep.token or "").valid
    assert manager.validate(hidden.token or "").error == "session_revoked"
    assert manager.validate(other.token or "").error == "session_revoked"
    rotated = manager.refresh(keep.token or "")
    assert rotated.id == keep.id and rotated.token != keep.token
    assert manager.validate(rotated.token or "").valid


def test_revoke_all_counts_only_sessions_it_revoked(
    manager: SessionManager, clock: FakeClock
) -> None:
    manager.create(user_id="u1", expires_in=timedelta(minutes=1))
    already = manager.create(user_id="u1")
    manager.destroy(already.id)
    keep = manager.create(user_id="u1")
    live = manager.create(user_id="u1")
    clock.advance(minutes=2)
    assert manager.destroy_all_for_user("u1", except_session_id=keep.id) == 1
    assert manager.validate(live.token or "").error == "session_revoked"


def test_revoke_all_unknown_user_revokes_nothing(manager: SessionManager) -> None:
    assert manager.destroy_all_for_user("nobody") == 0


def test_revoke_all_leaves_other_users_alone(manager: SessionManager, clock: FakeClock) -> None:
    other = manager.create(user_id="u2")
    clock.advance(seconds=1)
    manager.destroy_all_for_user("u1")
    assert manager.validate(other.token or "").valid


def test_wrong_secret_is_invalid_token_whatever_the_state(
    manager: SessionManager, clock: FakeClock
) -> None:
    revoked = manager.create(user_id="u1")
    manager.destroy(revoked.id)
    expired = manager.create(user_id="u1", expires_in=timedelta(seconds=1))
    clock.advance(seconds=2)
    for session in (revoked, expired):
        forged = session.id + "." + "A" * 43
        assert manager.validate(forged).error == "invalid_token"


def test_revoked_token_answers_session_revoked_until_purged(
    manager: SessionManager, clock: FakeClock
) -> None:
    session = manager.create(user_id="u1", expires_in=timedelta(minutes=10))
    manager.destroy(session.id)
    clock.advance(minutes=9)
    assert manager.validate(session.token or "").error == "session_revoked"
    clock.advance(minutes=2)
    assert manager.purge_expired() >= 1
    assert manager.validate(session.token or "").error == "invalid_token"


def test_expiry_checked_on_read_even_when_the_item_remains(
    manager: SessionManager, clock: FakeClock
) -> None:
    # TTL deletes days late: the item is still there, the answer is still "expired".
    session = manager.create(user_id="u1", expires_in=timedelta(seconds=5))
    clock.advance(seconds=4, microseconds=999_000)
    assert manager.validate(session.token or "").valid
    clock.advance(milliseconds=1)
    assert manager.validate(session.token or "").error == "session_expired"
    assert manager.get(session.id) is not None


def test_short_lifetime_under_sixty_seconds_works(
    manager: SessionManager, clock: FakeClock
) -> None:
    # Original bug 5: KV refused TTLs under 60 s.
    session = manager.create(user_id="u1", expires_in=timedelta(seconds=2))
    assert manager.validate(session.token or "").valid
    manager.destroy(session.id)
    assert manager.validate(session.token or "").error == "session_revoked"


def test_list_for_user_skips_revoked_and_expired(manager: SessionManager, clock: FakeClock) -> None:
    live = manager.create(user_id="u1")
    manager.create(user_id="u1", expires_in=timedelta(seconds=1))
    gone = manager.create(user_id="u1")
    manager.destroy(gone.id)
    clock.advance(seconds=2)
    assert [s.id for s in manager.list_for_user("u1")] == [live.id]


def test_purge_expired_deletes_expired_and_keeps_live(
    manager: SessionManager, clock: FakeClock
) -> None:
    expired = [manager.create(user_id=f"u{i}", expires_in=timedelta(hours=1)) for i in range(3)]
    live = manager.create(user_id="u9", expires_in=timedelta(days=3))
    manager.destroy(expired[0].id)
    clock.advance(hours=2)
    assert manager.purge_expired() == 3
    assert all(manager.get(s.id) is None for s in expired)
    assert manager.validate(live.token or "").valid
    assert manager.purge_expired() == 0


def test_purge_expired_respects_limit(manager: SessionManager, clock: FakeClock) -> None:
    for i in range(5):
        manager.create(user_id=f"u{i}", expires_in=timedelta(minutes=1))
    clock.advance(minutes=2)
    assert manager.purge_expired(limit=2) == 2
    assert manager.purge_expired() == 3


def test_purge_expired_removes_old_revocation_markers(
    manager: SessionManager, clock: FakeClock
) -> None:
    # GIVEN cleanup has run before, as the schedule makes it
    assert manager.purge_expired() == 0
    manager.create(user_id="u1", expires_in=timedelta(minutes=1))
    manager.destroy_all_for_user("u1")
    clock.advance(days=401)
    assert manager.purge_expired() == 2  # the session and the marker
