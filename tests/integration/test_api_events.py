"""The API handler called directly with recorded API Gateway (payload 2.0) events."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from sessions_core import SessionManager
from tests.integration.api_support import body, event, invoke
from tests.support import FakeClock, inject_error


def _create(manager: SessionManager, user: str = "alice") -> tuple[str, str]:
    session = manager.create(user_id=user)
    return session.token or "", session.id


# -- service routes ------------------------------------------------------------------------


def test_create_session_answers_201_with_token_and_public_session(
    api_manager: SessionManager,
) -> None:
    result = invoke(event("create_session"))
    assert result["statusCode"] == 201
    answer = body(result)
    assert answer["token"].startswith(answer["session"]["id"] + ".")
    assert answer["session"]["userId"] == "alice"
    assert answer["session"]["metadata"] == {"device": "Firefox on Linux"}
    assert "tokenHash" not in answer["session"] and "token" not in answer["session"]
    lifetime = answer["session"]["expiresAt"], answer["session"]["createdAt"]
    assert lifetime[0] > lifetime[1]


def test_validate_session_valid_token_answers_valid(api_manager: SessionManager) -> None:
    token, session_id = _create(api_manager)
    answer = body(invoke(event("validate_session", token=token)))
    assert answer["valid"] is True and answer["session"]["id"] == session_id
    assert "error" not in answer


@pytest.mark.parametrize("token", ["", "nonsense", "x" * 4000])
def test_validate_session_malformed_token_answers_200_invalid(
    api_manager: SessionManager, token: str
) -> None:
    result = invoke(event("validate_session", token=token))
    assert result["statusCode"] == 200
    assert body(result) == {"valid": False, "error": "invalid_token"}


def test_refresh_session_rotates_and_old_token_fails_after_grace(
    api_manager: SessionManager, clock: FakeClock
) -> None:
    token, _ = _create(api_manager)
    result = invoke(event("refresh_session", token=token))
    assert result["statusCode"] == 200
    new_token = body(result)["token"]
    assert new_token != token
    clock.advance(seconds=29)
    assert body(invoke(event("validate_session", token=token)))["valid"] is True  # grace
    assert body(invoke(event("validate_session", token=new_token)))["valid"] is True
    clock.advance(seconds=2)
    old = invoke(event("validate_session", token=token))
    assert body(old) == {"valid": False, "error": "session_revoked"}  # a replay now
    assert invoke(event("refresh_session", token="garbage"))["statusCode"] == 401


def test_refresh_session_unknown_token_answers_401_json(api_manager: SessionManager) -> None:
    result = invoke(event("refresh_session", token="bogus"))
    assert result["statusCode"] == 401
    assert body(result) == {"error": "invalid_token", "message": "the session token is not valid"}


def test_destroy_session_answers_204_and_revokes(api_manager: SessionManager) -> None:
    token, session_id = _create(api_manager)
    assert invoke(event("destroy_session", session_id=session_id))["statusCode"] == 204
    assert invoke(event("destroy_session", session_id=session_id))["statusCode"] == 204
    assert body(invoke(event("validate_session", token=token)))["error"] == "session_revoked"


def test_list_and_revoke_user_sessions(api_manager: SessionManager, clock: FakeClock) -> None:
    _create(api_manager)
    clock.advance(seconds=1)
    _, newest = _create(api_manager)
    listed = body(invoke(event("list_user_sessions")))["sessions"]
    assert listed[0]["id"] == newest and len(listed) == 2
    assert body(invoke(event("revoke_user_sessions"))) == {"revoked": 2}
    assert body(invoke(event("list_user_sessions"))) == {"sessions": []}


# -- client routes ---------------------------------------------------------------------------


def test_me_session_with_cookie_answers_the_session(api_manager: SessionManager) -> None:
    token, session_id = _create(api_manager)
    result = invoke(event("me_session_cookie", token=token))
    assert result["statusCode"] == 200 and body(result)["session"]["id"] == session_id


def test_me_session_without_token_answers_401(api_manager: SessionManager) -> None:
    data = event("me_session_cookie")
    data.pop("cookies", None)
    result = invoke(data)
    assert result["statusCode"] == 401 and body(result)["error"] == "missing_token"


def test_me_refresh_with_cookie_resets_the_cookie_and_keeps_the_token_out_of_the_body(
    api_manager: SessionManager,
) -> None:
    # Rule 15: the body used to carry the HttpOnly cookie's new token, for any script.
    token, session_id = _create(api_manager)
    result = invoke(event("me_refresh_cookie", token=token))
    assert result["statusCode"] == 200
    answer = body(result)
    assert set(answer) == {"session"} and answer["session"]["id"] == session_id
    (cookie,) = result["cookies"]
    new_token = cookie.split(";")[0].removeprefix("__Host-session=")
    assert new_token != token and new_token not in result["body"]
    assert api_manager.validate(new_token).valid
    for attribute in ("Path=/", "HttpOnly", "Secure", "SameSite=Lax", "Max-Age=86400"):
        assert attribute in cookie
    assert result["headers"]["Cache-Control"] == "no-store"


def test_me_refresh_with_bearer_sets_no_cookie(api_manager: SessionManager) -> None:
    token, _ = _create(api_manager)
    data = event("me_refresh_cookie")
    data.pop("cookies")
    data["headers"]["authorization"] = f"Bearer {token}"
    result = invoke(data)
    assert result["statusCode"] == 200 and not result.get("cookies")
    assert body(result)["token"] != token


@pytest.mark.parametrize("origin", ["https://evil.example", None, "null"])
def test_me_state_change_with_cookie_from_foreign_origin_answers_403(
    api_manager: SessionManager, origin: str | None
) -> None:
    token, _ = _create(api_manager)
    for name in ("me_refresh_cookie", "me_revoke_others_cookie"):
        data = event(name, token=token)
        if origin is None:
            data["headers"].pop("origin")
        else:
            data["headers"]["origin"] = origin
        result = invoke(data)
        assert result["statusCode"] == 403 and body(result)["error"] == "forbidden_origin"
    assert body(invoke(event("validate_session", token=token)))["valid"] is True


def test_me_logout_answers_204_clears_cookie_and_revokes(api_manager: SessionManager) -> None:
    token, _ = _create(api_manager)
    result = invoke(event("me_logout_bearer", token=token))
    assert result["statusCode"] == 204
    assert (
        result["cookies"][0].startswith("__Host-session=;") and "Max-Age=0" in result["cookies"][0]
    )
    assert body(invoke(event("validate_session", token=token)))["error"] == "session_revoked"


def test_me_sessions_marks_the_current_one(api_manager: SessionManager, clock: FakeClock) -> None:
    token, session_id = _create(api_manager)
    clock.advance(seconds=1)
    _create(api_manager)
    _create(api_manager, user="bob")
    sessions = body(invoke(event("me_sessions_bearer", token=token)))["sessions"]
    assert len(sessions) == 2
    assert [s["id"] for s in sessions if s.get("current")] == [session_id]


def test_me_revoke_one_of_mine_204_and_not_mine_404(api_manager: SessionManager) -> None:
    token, _ = _create(api_manager)
    _, other_mine = _create(api_manager)
    _, bobs = _create(api_manager, user="bob")
    assert (
        invoke(event("me_revoke_one_bearer", token=token, session_id=other_mine))["statusCode"]
        == 204
    )
    result = invoke(event("me_revoke_one_bearer", token=token, session_id=bobs))
    assert result["statusCode"] == 404 and body(result)["error"] == "session_not_found"
    missing = invoke(event("me_revoke_one_bearer", token=token, session_id="nope"))
    assert missing["statusCode"] == 404


def test_me_revoke_others_keeps_the_current_session(api_manager: SessionManager) -> None:
    token, _ = _create(api_manager)
    other, _ = _create(api_manager)
    result = invoke(event("me_revoke_others_cookie", token=token))
    assert body(result) == {"revoked": 1}
    assert body(invoke(event("validate_session", token=token)))["valid"] is True
    assert body(invoke(event("validate_session", token=other)))["valid"] is False


def test_me_session_applies_sliding_expiration(
    api_manager: SessionManager, clock: FakeClock
) -> None:
    session = api_manager.create(user_id="alice", sliding_expiration=True)
    clock.advance(hours=20)
    answer = body(invoke(event("me_session_cookie", token=session.token or "")))
    assert answer["session"]["expiresAt"].startswith(
        (clock.now + timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M")
    )


# -- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "encoded", "status"),
    [
        ("not json", False, 400),
        ("[1, 2]", False, 400),
        ('"a string"', False, 400),
        ("", False, 400),
        ("[" * 5000 + "]" * 5000, False, 400),
        (base64.b64encode(b"\xff\xfe{}").decode(), True, 400),
        ("{}", False, 422),
        ('{"userId": ""}', False, 422),
        ('{"userId": "a", "expiresIn": 0}', False, 422),
        ('{"userId": "a", "expiresIn": 34560000001}', False, 422),
        ('{"userId": "a", "expiresIn": 1.5}', False, 422),
        ('{"userId": "a", "expiresIn": true}', False, 422),
        ('{"userId": "a", "metadata": [1]}', False, 422),
        ('{"userId": 7}', False, 422),
        (json.dumps({"userId": "a", "metadata": {"k": "x" * 2100}}), False, 413),
        ("{" + '"a": 1,' * 4000 + '"b": 2}', False, 413),
    ],
)
def test_create_session_bad_body_answers_json_error(
    api_manager: SessionManager, raw: str, encoded: bool, status: int
) -> None:
    data = event("create_session", body=raw, isBase64Encoded=encoded)
    result = invoke(data)
    assert result["statusCode"] == status
    answer = body(result)
    assert set(answer) == {"error", "message"}
    assert "Traceback" not in result["body"]


def test_create_session_metadata_at_the_limit_is_accepted(api_manager: SessionManager) -> None:
    metadata = {"k": "x" * (2048 - len('{"k":""}'))}
    data = event("create_session", body=json.dumps({"userId": "a", "metadata": metadata}))
    assert invoke(data)["statusCode"] == 201


def test_unknown_route_answers_404_json(api_manager: SessionManager) -> None:
    data = event("list_user_sessions", rawPath="/nothing/here")
    data["requestContext"]["http"]["path"] = "/nothing/here"
    result = invoke(data)
    assert result["statusCode"] == 404 and body(result)["error"] == "not_found"


def test_store_throttled_answers_503_with_retry_after(
    api_manager: SessionManager, moto_client: object
) -> None:
    token, _ = _create(api_manager)
    inject_error(moto_client, "BatchGetItem", "ThrottlingException")
    result = invoke(event("validate_session", token=token))
    assert result["statusCode"] == 503
    assert result["headers"]["Retry-After"] == "1"
    assert body(result)["error"] == "store_unavailable"
    assert token not in result["body"]


def test_unexpected_failure_answers_500_without_details(
    api_manager: SessionManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_: object, **__: object) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(api_manager, "list_for_user", explode)
    result = invoke(event("list_user_sessions"))
    assert result["statusCode"] == 500
    assert body(result) == {"error": "internal_error", "message": "internal error"}


def test_openapi_document_lists_every_route(api_manager: SessionManager) -> None:
    data = event("list_user_sessions", rawPath="/openapi.json")
    data["requestContext"]["http"]["path"] = "/openapi.json"
    schema = body(invoke(data))
    assert schema["openapi"].startswith("3.")
    assert {"/sessions", "/sessions/validate", "/me/session", "/users/{userId}/sessions"} <= set(
        schema["paths"]
    )


def test_demo_login_store_unavailable_answers_503_json(
    api_manager: SessionManager, moto_client: object
) -> None:
    from examples.login.handler import handler as login_handler
    from sessions_local.gateway import LocalContext

    inject_error(moto_client, "PutItem", "ThrottlingException")
    data = event("create_session", body=json.dumps({"username": "alice", "password": "wonderland"}))
    data["rawPath"] = data["requestContext"]["http"]["path"] = "/login"
    data["headers"]["origin"] = "https://app.example.com"
    result = login_handler(data, LocalContext("DemoLoginFunction"))
    assert result["statusCode"] == 503 and result["headers"]["Retry-After"] == "1"
    assert body(result)["error"] == "store_unavailable"
