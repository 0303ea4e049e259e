"""Devices people recognise: the device, where and when, the absolute expiry, and why a
session ended. Runs over every store."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sessions_core import InvalidArgumentError, PublicSession, SessionManager
from sessions_core.devices import parse_device
from tests.support import CallCounter, FakeClock

CHROME_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
)
SAFARI_IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
ANDROID_TABLET = (
    "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@pytest.mark.parametrize(
    ("agent", "kind", "label"),
    [
        (CHROME_MAC, "desktop", "Chrome on macOS"),
        (SAFARI_IPHONE, "mobile", "Safari on iPhone"),
        (SAFARI_IPAD, "tablet", "Safari on iPad"),
        (ANDROID_TABLET, "tablet", "Chrome on Android"),
        (GOOGLEBOT, "bot", "Googlebot"),
        ("curl/8.5.0", "unknown", "curl"),
    ],
)
def test_device_parsed_at_create_is_stored_and_listed(
    manager: SessionManager, agent: str, kind: str, label: str
) -> None:
    session = manager.create(user_id="u1", user_agent=agent)
    assert session.device is not None
    assert (session.device.type, session.device.label) == (kind, label)
    (listed,) = manager.list_for_user("u1")
    assert listed.device == session.device
    stored = manager.get(session.id)
    assert stored is not None and stored.device == session.device


@pytest.mark.parametrize(
    ("agent", "os", "label"),
    [(SAFARI_IPHONE, "iOS", "Safari on iPhone"), (SAFARI_IPAD, "iOS", "Safari on iPad")],
)
def test_device_apple_os_is_ios_while_the_label_names_the_device(
    agent: str, os: str, label: str
) -> None:
    # Before: an iPhone's os was "iPhone".
    device = parse_device(agent)
    assert device is not None and (device.os, device.label) == (os, label)


def test_device_without_a_user_agent_is_none(manager: SessionManager) -> None:
    assert manager.create(user_id="u1").device is None
    assert parse_device("   ") is None


def test_create_records_where_and_the_absolute_expiry(make_manager: Any, clock: FakeClock) -> None:
    manager = make_manager(max_lifetime=timedelta(days=30))
    session = manager.create(user_id="u1", ip_address="203.0.113.7", country="DE")
    assert (session.ip_address, session.country) == ("203.0.113.7", "DE")
    assert session.absolute_expires_at == session.created_at + timedelta(days=30)
    assert session.last_active_at == session.created_at
    listed = manager.list_for_user("u1")[0]
    assert (listed.ip_address, listed.country) == ("203.0.113.7", "DE")
    assert listed.absolute_expires_at == session.absolute_expires_at


def test_create_per_session_max_lifetime_caps_refresh_and_sliding(
    make_manager: Any, clock: FakeClock
) -> None:
    manager = make_manager()
    session = manager.create(
        user_id="u1",
        expires_in=timedelta(hours=24),
        sliding_expiration=True,
        max_lifetime=timedelta(hours=30),
    )
    assert session.absolute_expires_at == session.created_at + timedelta(hours=30)
    clock.advance(hours=20)
    refreshed = manager.refresh(session.token or "")
    assert refreshed.expires_at == session.created_at + timedelta(hours=30)


def test_create_per_session_max_lifetime_above_the_configured_one_is_refused(
    make_manager: Any,
) -> None:
    manager = make_manager(max_lifetime=timedelta(days=7))
    with pytest.raises(InvalidArgumentError, match="max_lifetime"):
        manager.create(user_id="u1", max_lifetime=timedelta(days=8))
    assert manager.list_for_user("u1") == []


def test_validate_writes_activity_at_most_once_per_resolution(
    make_manager: Any, store: Any, clock: FakeClock
) -> None:
    counter = CallCounter(store)
    manager = make_manager(store=counter, activity_resolution=timedelta(minutes=10))
    token = manager.create(user_id="u1").token or ""
    counter.reset()
    for _ in range(19):  # 19 requests over 9.5 minutes: nothing to write
        clock.advance(seconds=30)
        assert manager.validate(token).valid
    assert counter.calls["update"] == 0 and counter.calls["load"] == 19
    clock.advance(seconds=31)  # 10 min 1 s after the last write
    result = manager.validate(token, ip_address="198.51.100.9", country="FR")
    assert result.session is not None and result.session.last_active_at == clock.now
    assert counter.calls["update"] == 1
    for _ in range(5):
        manager.validate(token)
    assert counter.calls["update"] == 1
    (listed,) = manager.list_for_user("u1")
    assert (listed.last_active_at, listed.ip_address, listed.country) == (
        clock.now,
        "198.51.100.9",
        "FR",
    )


def test_validate_activity_resolution_none_never_writes(
    make_manager: Any, store: Any, clock: FakeClock
) -> None:
    counter = CallCounter(store)
    manager = make_manager(store=counter, activity_resolution=None)
    token = manager.create(user_id="u1").token or ""
    clock.advance(hours=5)
    assert manager.validate(token).valid
    assert counter.calls["update"] == 0


def test_validate_activity_and_sliding_share_one_write(
    make_manager: Any, store: Any, clock: FakeClock
) -> None:
    counter = CallCounter(store)
    manager = make_manager(store=counter)
    session = manager.create(user_id="u1", sliding_expiration=True, expires_in=timedelta(hours=1))
    clock.advance(minutes=40)
    result = manager.validate(session.token or "")
    assert result.session is not None
    assert result.session.expires_at == clock.now + timedelta(hours=1)
    assert result.session.last_active_at == clock.now
    assert counter.calls["update"] == 1


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        (lambda m, s: m.destroy(s.id), "revoked"),
        (lambda m, s: m.destroy(s.id, reason="logout"), "logout"),
        (lambda m, s: m.destroy_all_for_user("u1"), "revoke_all"),
        (lambda m, s: m.destroy_all_for_user("u1", except_session_id="other"), "revoke_others"),
    ],
)
def test_revoked_reason_is_recorded_and_never_overwritten(
    manager: SessionManager, clock: FakeClock, how: Any, reason: str
) -> None:
    session = manager.create(user_id="u1")
    clock.advance(seconds=1)
    how(manager, session)
    clock.advance(seconds=1)
    manager.destroy(session.id, reason="logout")  # a later revocation changes nothing
    manager.destroy_all_for_user("u1")
    stored = manager.get(session.id)
    assert stored is not None and stored.revoked_reason == reason


def test_public_view_carries_every_public_field_with_its_value(
    manager: SessionManager, clock: FakeClock
) -> None:
    session = manager.create(
        user_id="u1",
        user_agent=CHROME_MAC,
        ip_address="192.0.2.1",
        country="NL",
        metadata={"plan": "pro"},
        sliding_expiration=True,
        aal=2,
    )
    manager.destroy(session.id, reason="logout")
    stored = manager.get(session.id)
    assert stored is not None
    public = PublicSession.of(stored)
    for name in PublicSession.model_fields:
        if name != "current":
            assert getattr(public, name) == getattr(stored, name), name
    assert public.absolute_expires_at is not None and public.revoked_reason == "logout"
