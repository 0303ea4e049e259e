"""Settings are the one way in: every variable reaches what it configures in every
function, through the same build path Lambda takes (Settings.from_env, build_manager),
and a bad value names its variable."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from handlers import api, events
from handlers.settings import Settings, SettingsError
from handlers.wiring import build_manager
from sessions_core import SessionManager
from sessions_core.activity import ActivityEvent
from tests.integration.api_support import body, event, invoke

EVERY = {
    "SESSIONS_TABLE": "sessions-api",
    "SESSIONS_PREFIX": "shop:",
    "SESSIONS_BIND_USER_AGENT": "true",
    "SESSIONS_DEFAULT_TTL_SECONDS": "3600",
    "SESSIONS_MAX_LIFETIME_SECONDS": "86400",
    "SESSIONS_REFRESH_GRACE_SECONDS": "5",
    "SESSIONS_COOKIE_SAMESITE": "Strict",
    "SESSIONS_READ_ONLY": "true",
    "SESSIONS_EXPIRY_SHARDS": "3",
    "SESSIONS_MAX_PER_USER": "4",
    "SESSIONS_ON_LIMIT": "deny",
    "SESSIONS_ACTIVITY_RESOLUTION_SECONDS": "0",
    "SESSIONS_ACTIVITY_RETENTION_DAYS": "7",
    "SESSIONS_REAUTH_MAX_AGE_SECONDS": "60",
    "SESSIONS_TRUST_CLOUDFRONT": "true",
    "SESSIONS_EVENT_BUS": "shop-bus",
    "CLEANUP_MAX_DELETES": "100",
    "ALLOWED_ORIGINS": "https://shop.example, https://admin.example/",
    "SESSIONS_SECRET_KEY": "s" * 40,
}


def test_settings_every_variable_is_read() -> None:
    settings = Settings.from_env(EVERY)
    defaults = Settings(keys=settings.keys)
    read = {
        f.name
        for f in dataclasses.fields(Settings)
        if getattr(settings, f.name) != getattr(defaults, f.name)
    }
    declared = {f.name for f in dataclasses.fields(Settings) if f.metadata.get("env") in EVERY}
    assert read == declared
    assert settings.allowed_origins == {"https://shop.example", "https://admin.example"}


def test_settings_reach_the_managers_config_through_build_manager(moto_client: Any) -> None:
    # Before: build_manager dropped the retention, and a survivor of the mutation pass
    # showed it could drop the per-user limit unnoticed.
    settings = Settings.from_env(EVERY)
    config = build_manager(settings).config
    for name in (
        "prefix",
        "default_expires_in",
        "bind_to_user_agent",
        "max_lifetime",
        "refresh_grace",
        "read_only",
        "activity_resolution",
        "max_sessions_per_user",
        "on_session_limit",
        "activity_retention",
        "reauthentication_max_age",
    ):
        assert getattr(config, name) == getattr(settings, name), name
    assert config.keys is settings.keys
    assert config.namespaced_store.prefix == "shop:"
    assert config.store.layout.shards == 3  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SESSIONS_ON_LIMIT", "evict_newest"),
        ("SESSIONS_MAX_PER_USER", "-1"),
        ("SESSIONS_READ_ONLY", "yes"),
        ("SESSIONS_ACTIVITY_RETENTION_DAYS", "0"),
        ("SESSIONS_DEFAULT_TTL_SECONDS", "a day"),
    ],
)
def test_settings_bad_value_names_its_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env({**EVERY, variable: value})


def _activity(manager: SessionManager, user: str, days_ago: int) -> None:
    at = datetime.now(UTC) - timedelta(days=days_ago)
    kept = ActivityEvent.model_construct(
        type="session.created", session_id=f"s-{days_ago}", user_id=user, at=at
    )
    manager.config.namespaced_store.record_activity(kept, expires_at=at + timedelta(days=400))


def test_me_activity_lists_only_the_configured_retention(
    api_manager: SessionManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: ActivityRetentionDays reached the events function, but /me/activity
    # always listed 90 days: a user saw events the deployment said were gone.
    monkeypatch.setenv("SESSIONS_ACTIVITY_RETENTION_DAYS", "7")
    monkeypatch.setenv("SESSIONS_SECRET_KEY", "s" * 40)
    previous = api.wiring.use(None)  # built from the environment, as in Lambda
    try:
        manager = api.wiring.runtime().manager
        _activity(manager, "rita", 3)
        _activity(manager, "rita", 8)
        mine = manager.create(user_id="rita").token or ""
        answer = invoke(event("me_sessions_bearer", rawPath="/me/activity", token=mine))
    finally:
        api.wiring.use(previous)
    listed = {e["sessionId"] for e in body(answer)["events"]}
    assert "s-3" in listed and "s-8" not in listed


def test_events_function_keeps_activity_for_the_configured_retention(
    api_manager: SessionManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SESSIONS_ACTIVITY_RETENTION_DAYS", "7")
    monkeypatch.setenv("SESSIONS_SECRET_KEY", "s" * 40)
    previous = events.wiring.use(None)
    try:
        assert events.processor().retention == timedelta(days=7)
    finally:
        events.wiring.use(previous)
