"""The security review's findings over the handlers (rules 13-16 and the smaller ones).

Each test failed on the code before the fix; the commit that added it says so.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

import pytest

from handlers import authorizer
from sessions_core import SessionManager
from sessions_local.gateway import LocalContext, merge_headers
from tests.integration.api_support import body, event, invoke
from tests.support import FakeClock

# -- rule 13: service routes check routeKey and the IAM principal themselves ---------


def _forged(name: str, **changes: Any) -> dict[str, Any]:
    data = event(name)
    data.update(changes)
    return data


def test_service_route_default_route_key_answers_403_and_creates_nothing(
    api_manager: SessionManager,
) -> None:
    # Before: $default with rawPath /sessions minted a session for any user.
    data = _forged("create_session", routeKey="$default")
    data["requestContext"]["routeKey"] = "$default"
    data["requestContext"].pop("authorizer", None)
    result = invoke(data)
    assert result["statusCode"] == 403 and body(result)["error"] == "forbidden"
    assert api_manager.list_for_user("alice") == []


def test_service_route_right_key_without_iam_answers_403_and_creates_nothing(
    api_manager: SessionManager,
) -> None:
    data = event("create_session")
    del data["requestContext"]["authorizer"]
    assert invoke(data)["statusCode"] == 403
    assert api_manager.list_for_user("alice") == []


def test_service_route_key_of_a_client_route_answers_403(api_manager: SessionManager) -> None:
    session = api_manager.create(user_id="alice")
    data = event("destroy_session", session_id=session.id, routeKey="GET /me/session")
    assert invoke(data)["statusCode"] == 403
    assert api_manager.validate(session.token or "").valid


def test_service_route_behind_a_named_stage_is_guarded_too(api_manager: SessionManager) -> None:
    data = _forged("revoke_user_sessions", routeKey="$default")
    data["rawPath"] = "/prod" + data["rawPath"]
    data["requestContext"]["stage"] = "prod"
    assert invoke(data)["statusCode"] == 403


def test_service_route_signed_event_still_answers(api_manager: SessionManager) -> None:
    assert invoke(event("create_session"))["statusCode"] == 201


# -- rule 15: tokens out of reach of scripts and caches ---------------------------


@pytest.mark.parametrize("name", ["create_session", "refresh_session"])
def test_token_carrying_answers_are_no_store_and_nosniff(
    api_manager: SessionManager, name: str
) -> None:
    token = api_manager.create(user_id="alice").token or ""
    result = invoke(event(name, token=token))
    assert result["statusCode"] in {200, 201} and "token" in body(result)
    assert result["headers"]["Cache-Control"] == "no-store"
    assert result["headers"]["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name", ["validate_session", "me_session_cookie", "list_user_sessions"])
def test_every_api_answer_is_nosniff(api_manager: SessionManager, name: str) -> None:
    result = invoke(event(name, token="bogus"))
    assert result["headers"]["X-Content-Type-Options"] == "nosniff"


def test_unknown_route_and_bad_body_answers_are_nosniff(api_manager: SessionManager) -> None:
    unknown = invoke(_forged("me_session_cookie", rawPath="/nowhere", routeKey="$default"))
    bad = event("create_session")
    bad["body"] = "[1]"
    bad["isBase64Encoded"] = False
    for result in (unknown, invoke(bad)):
        assert result["headers"]["X-Content-Type-Options"] == "nosniff"


def test_docs_page_cannot_be_framed(api_manager: SessionManager) -> None:
    data = _forged("me_session_cookie", rawPath="/docs", routeKey="GET /docs")
    result = invoke(data)
    assert result["statusCode"] == 200
    assert "frame-ancestors 'none'" in result["headers"]["Content-Security-Policy"]
    assert result["headers"]["X-Frame-Options"] == "DENY"


# -- the authorizer answers any event shape ---------------------------------------


@pytest.mark.parametrize(
    "shape",
    [
        {"headers": [["authorization", "Bearer x"]]},
        {"headers": None, "cookies": None},
        {"cookies": "__Host-session=abc"},
        {"cookies": [None, 3, {"a": 1}]},
        {"headers": {"authorization": 7}},
        {"requestContext": "nope", "headers": {"authorization": "Bearer x"}},
        {"requestContext": {"http": None}},
    ],
)
def test_authorizer_odd_event_shapes_deny_instead_of_raising(
    api_manager: SessionManager, shape: dict[str, Any]
) -> None:
    # Before: headers as a list or None cookies raised: a Lambda error, not a deny.
    assert authorizer.handler(shape, LocalContext("AuthorizerFunction")) == {"isAuthorized": False}


@pytest.mark.parametrize("shape", [None, [], "event", 42])
def test_authorizer_non_dict_events_deny(shape: Any) -> None:
    assert authorizer.handler(shape, None) == {"isAuthorized": False}


def test_authorizer_replayed_retired_token_revokes_the_session(
    api_manager: SessionManager, clock: FakeClock
) -> None:
    # Rule 11 holds behind the authorizer too: it may write the revocation.
    first = api_manager.create(user_id="alice").token or ""
    current = api_manager.refresh(first).token or ""
    clock.advance(minutes=1)
    data = event("authorizer_request", token=first)
    assert authorizer.handler(data, None) == {"isAuthorized": False}
    assert api_manager.validate(current).error == "session_revoked"


# -- never log the event ---------------------------------------------------------


def test_api_never_logs_the_event_even_when_told_to(
    api_manager: SessionManager,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("POWERTOOLS_LOGGER_LOG_EVENT", "true")
    token = api_manager.create(user_id="alice").token or ""
    caplog.set_level(logging.DEBUG)
    invoke(event("validate_session", token=token))
    captured = capsys.readouterr()
    secret = token.split(".")[1]
    assert secret not in captured.out + captured.err + caplog.text


# -- the local gateway merges repeated headers as API Gateway does -------------------


def test_gateway_merges_repeated_headers_with_commas_and_cookies_with_semicolons() -> None:
    merged = merge_headers(
        [("Accept", "a"), ("accept", "b"), ("Cookie", "x=1"), ("Cookie", "y=2"), ("Host", "h")]
    )
    assert merged == {"accept": "a,b", "cookie": "x=1; y=2", "host": "h"}


# -- the demo login: 401 for every wrong password, 429 after five -------------------


def _login(username: str, password: str) -> dict[str, Any]:
    from examples.login.handler import handler

    data = event("me_session_cookie")
    data.pop("cookies", None)
    data.update(rawPath="/login", routeKey="POST /login", isBase64Encoded=False)
    data["requestContext"]["http"].update(method="POST", path="/login")
    data["headers"]["origin"] = "https://app.example.com"
    data["headers"]["content-type"] = "application/json"
    data["body"] = json.dumps({"username": username, "password": password})
    result: dict[str, Any] = handler(data, LocalContext("DemoLoginFunction"))
    return result


@pytest.mark.parametrize("password", ["wrong", "pässwörd", "密码", "\U0001f511" * 3])
@pytest.mark.parametrize("username", ["alice", "nobody"])
def test_demo_login_wrong_password_of_any_characters_answers_401(
    api_manager: SessionManager, username: str, password: str
) -> None:
    # Before: a non-ASCII password for an unknown user was a 500 (a user oracle).
    result = _login(username, password)
    assert result["statusCode"] == 401
    assert body(result)["error"] == "invalid_credentials"


def test_demo_login_sixth_failure_in_15_minutes_answers_429_with_retry_after(
    api_manager: SessionManager, clock: FakeClock
) -> None:
    for _ in range(5):
        assert _login("alice", "nope")["statusCode"] == 401
    blocked = _login("alice", "wonderland")  # even the right password, while blocked
    assert blocked["statusCode"] == 429
    assert 0 < int(blocked["headers"]["Retry-After"]) <= 900
    assert _login("bob", "builder")["statusCode"] == 200  # per user name
    clock.advance(timedelta(minutes=15, seconds=1))
    assert _login("alice", "wonderland")["statusCode"] == 200


def test_demo_login_success_resets_the_failure_count(
    api_manager: SessionManager, clock: FakeClock
) -> None:
    for _ in range(4):
        _login("alice", "nope")
    assert _login("alice", "wonderland")["statusCode"] == 200
    for _ in range(4):
        assert _login("alice", "nope")["statusCode"] == 401
    assert _login("alice", "wonderland")["statusCode"] == 200
