"""Devices and the per-user limit over the API handler (recorded payload-2.0 events)."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import pytest

from sessions_core import PublicSession, SessionConfig, SessionManager
from tests.integration.api_support import body, event, invoke
from tests.support import FakeClock, pump_activity, wired

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"


def _create(**fields: Any) -> dict[str, Any]:
    data = event("create_session")
    data["body"] = base64.b64encode(json.dumps({"userId": "alice", **fields}).encode()).decode()
    data["isBase64Encoded"] = True
    return invoke(data)


def test_create_takes_device_place_and_remember_me(api_manager: SessionManager) -> None:
    result = _create(
        userAgent=FIREFOX_LINUX, ipAddress="2001:db8::7", country="NL", maxLifetime=3_600_000
    )
    assert result["statusCode"] == 201
    session = body(result)["session"]
    assert session["device"] == {
        "browser": "Firefox",
        "os": "Linux",
        "type": "desktop",
        "label": "Firefox on Linux",
    }
    assert (session["ipAddress"], session["country"]) == ("2001:db8::7", "NL")
    assert session["absoluteExpiresAt"] == session["expiresAt"]  # capped by remember-me: 1 h


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"ipAddress": "not an address"}, "ipAddress"),
        ({"country": "germany"}, "country"),
        ({"maxLifetime": 0}, "maxLifetime"),
    ],
)
def test_create_bad_device_fields_answer_422_naming_them(
    api_manager: SessionManager, fields: dict[str, Any], field: str
) -> None:
    result = _create(**fields)
    assert result["statusCode"] == 422 and field in body(result)["message"]


def test_create_max_lifetime_above_the_configured_one_answers_422(
    api_manager: SessionManager,
) -> None:
    result = _create(maxLifetime=31 * 24 * 3_600_000)  # the default cap is 30 days
    assert result["statusCode"] == 422
    assert body(result)["error"] == "invalid_argument"


def test_create_at_the_limit_with_deny_answers_409_with_the_active_sessions(
    api_manager: SessionManager, clock: FakeClock
) -> None:
    store = api_manager.config.store
    deny = SessionManager(
        SessionConfig(store, clock=clock, max_sessions_per_user=2, on_session_limit="deny")
    )
    with wired(deny):
        first, second = (body(_create())["session"]["id"] for _ in range(2))
        result = _create()
    assert result["statusCode"] == 409
    answer = body(result)
    assert answer["error"] == "session_limit_reached" and answer["message"]
    assert {s["id"] for s in answer["sessions"]} == {first, second}
    assert "token" not in json.dumps(answer)


def test_me_sessions_shows_devices_places_and_times(
    api_manager: SessionManager, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SESSIONS_TRUST_CLOUDFRONT", "true")  # a deployment behind CloudFront
    mine = api_manager.create(user_id="alice", user_agent=FIREFOX_LINUX, ip_address="192.0.2.1")
    clock.advance(minutes=11)  # activity is due: this request is written down
    data = event("me_sessions_bearer", token=mine.token or "")
    data["headers"]["cloudfront-viewer-country"] = "SE"
    data["requestContext"]["http"]["sourceIp"] = "198.51.100.20"
    with wired(api_manager):
        result = invoke(data)
    assert result["statusCode"] == 200
    (listed,) = body(result)["sessions"]
    assert listed["current"] is True and listed["device"]["label"] == "Firefox on Linux"
    assert (listed["ipAddress"], listed["country"]) == ("198.51.100.20", "SE")
    assert listed["lastActiveAt"] == clock.now.isoformat().replace("+00:00", "Z")
    stored = api_manager.get(mine.id)
    assert stored is not None
    # Every public field of the stored session, each with its value (the listing may
    # not drop one: absoluteExpiresAt once went missing behind a truthiness check).
    expected = PublicSession.of(stored, current=True).model_dump(
        mode="json", by_alias=True, exclude_none=True
    )
    assert listed == expected
    assert {"createdAt", "expiresAt", "absoluteExpiresAt", "authenticatedAt"} <= set(listed)


def test_me_logout_records_logout_as_the_reason(api_manager: SessionManager) -> None:
    mine = api_manager.create(user_id="alice")
    assert invoke(event("me_logout_bearer", token=mine.token or ""))["statusCode"] == 204
    stored = api_manager.get(mine.id)
    assert stored is not None and stored.revoked_reason == "logout"


def test_country_header_that_is_not_a_country_code_is_ignored(
    api_manager: SessionManager, clock: FakeClock
) -> None:
    mine = api_manager.create(user_id="alice", country="DE")
    clock.advance(timedelta(minutes=11))
    data = event("me_sessions_bearer", token=mine.token or "")
    data["headers"]["cloudfront-viewer-country"] = "<script>"
    (listed,) = body(invoke(data))["sessions"]
    assert listed["country"] == "DE"


def _route(name: str, path: str, route_key: str, **fill: str) -> dict[str, Any]:
    data = event(name, **fill)
    data.update(rawPath=path, routeKey=route_key)
    data["requestContext"].update(routeKey=route_key)
    data["requestContext"]["http"].update(path=path)
    return data


def test_me_activity_and_users_activity_list_the_security_log(
    api_manager: SessionManager, clock: FakeClock
) -> None:
    mine = api_manager.create(user_id="alice", user_agent=FIREFOX_LINUX)
    clock.advance(minutes=1)
    other = api_manager.create(user_id="alice")
    clock.advance(minutes=1)
    api_manager.destroy(other.id)
    pump_activity(api_manager.config.namespaced_store)
    me = invoke(
        _route("me_sessions_bearer", "/me/activity", "GET /me/activity", token=mine.token or "")
    )
    assert me["statusCode"] == 200
    assert [(e["type"], e["sessionId"]) for e in body(me)["events"]] == [
        ("session.revoked", other.id),
        ("session.created", other.id),
        ("session.created", mine.id),
    ]
    assert body(me)["events"][-1]["device"]["label"] == "Firefox on Linux"
    data = _route("list_user_sessions", "/users/alice/activity", "GET /users/{userId}/activity")
    data["pathParameters"] = {"userId": "alice"}
    service = invoke(data)
    assert service["statusCode"] == 200 and body(service) == body(me)
