"""Activity: every change of a session is one event in its user's security log. Over
every store: synchronously in memory; through the table's stream on DynamoDB (pumped as
Lambda's event source mapping would); dynalite has no stream and is not one of them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sessions_core import SessionManager
from tests.support import FakeClock, pump_activity

pytestmark = pytest.mark.needs_stream

CHROME_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"
)


def _types(manager: SessionManager, store: Any, user: str = "u1") -> list[tuple[str, str | None]]:
    pump_activity(store)
    return [(e.type, e.reason) for e in manager.activity_for_user(user)]


def test_activity_lists_every_change_newest_first(
    make_manager: Any, store: Any, clock: FakeClock
) -> None:
    manager = make_manager()
    session = manager.create(user_id="u1", user_agent=CHROME_MAC, ip_address="203.0.113.7")
    clock.advance(minutes=11)
    manager.validate(session.token or "")  # an activity write: not an event
    clock.advance(minutes=1)
    refreshed = manager.refresh(session.token or "")
    clock.advance(minutes=1)
    manager.destroy(refreshed.id, reason="logout")
    assert _types(manager, store) == [
        ("session.revoked", "logout"),
        ("session.refreshed", None),
        ("session.created", None),
    ]
    created = manager.activity_for_user("u1")[-1]
    assert created.device is not None and created.device.label == "Chrome on macOS"
    assert created.ip_address == "203.0.113.7" and created.at == session.created_at


def test_activity_reuse_and_revoke_all_are_told_apart(
    make_manager: Any, store: Any, clock: FakeClock
) -> None:
    manager = make_manager()
    stolen = manager.create(user_id="u1")
    manager.refresh(stolen.token or "")
    clock.advance(minutes=5)
    manager.validate(stolen.token or "")  # replayed after its grace
    other = manager.create(user_id="u1")
    clock.advance(seconds=1)
    manager.destroy_all_for_user("u1")
    reasons = [r for t, r in _types(manager, store) if t == "session.revoked"]
    assert reasons == ["revoke_all", "reuse_detected"]
    assert other.id in {e.session_id for e in manager.activity_for_user("u1")}


def test_activity_expiry_by_cleanup_is_an_event_at_the_expiry(
    make_manager: Any, store: Any, clock: FakeClock
) -> None:
    manager = make_manager()
    short = manager.create(user_id="u1", expires_in=timedelta(minutes=5))
    clock.advance(minutes=6)
    manager.purge_expired()
    pump_activity(store)
    expired = manager.activity_for_user("u1")[0]
    assert (expired.type, expired.at) == ("session.expired", short.expires_at)


def test_activity_is_per_user_and_limited(make_manager: Any, store: Any, clock: FakeClock) -> None:
    manager = make_manager()
    for _ in range(3):
        clock.advance(seconds=1)
        manager.create(user_id="u1")
    manager.create(user_id="u2")
    pump_activity(store)
    assert len(manager.activity_for_user("u1", limit=2)) == 2
    assert {e.user_id for e in manager.activity_for_user("u2")} == {"u2"}


def test_activity_older_than_the_retention_is_not_listed(
    make_manager: Any, store: Any, clock: FakeClock
) -> None:
    manager = make_manager(activity_retention=timedelta(days=1))
    manager.create(user_id="u1")
    clock.advance(days=2)
    fresh = manager.create(user_id="u1")
    pump_activity(store)
    assert [e.session_id for e in manager.activity_for_user("u1")] == [fresh.id]
