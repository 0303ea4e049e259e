"""Every input has a shape before it has a meaning: bodies (the demo login's too), IP
addresses, paths (one normalisation for routing and both guards), and the CloudFront
country header only behind CloudFront."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from sessions_core import InvalidArgumentError, SessionManager
from tests.integration.api_support import body, demo_event, event, invoke, invoke_demo
from tests.support import FakeClock, wired

DEEP = "[" * 5000 + "]" * 5000
NOT_UTF8 = base64.b64encode(b'{"username": "alice", "password": "\xff\xfe"}').decode()


def _demo(path: str, raw: str, *, encoded: bool = False) -> dict[str, Any]:
    return invoke_demo(demo_event(path, raw, encoded=encoded))


@pytest.mark.parametrize("path", ["/login", "/reauthenticate"])
@pytest.mark.parametrize(
    ("raw", "encoded"),
    [(DEEP, False), ('{"a":' * 40 + "1" + "}" * 40, False), (NOT_UTF8, True), ("[1,2]", False)],
    ids=["nested-5000", "nested-40", "not-utf8", "not-an-object"],
)
def test_demo_login_bad_body_answers_400_with_nosniff(
    api_manager: SessionManager, path: str, raw: str, encoded: bool
) -> None:
    # Before: the deep and the non-UTF-8 bodies were 500s, and no answer had nosniff.
    result = _demo(path, raw, encoded=encoded)
    assert result["statusCode"] == 400, result
    assert body(result)["error"] == "bad_request"
    assert result["headers"]["X-Content-Type-Options"] == "nosniff"


def test_demo_login_every_answer_is_nosniff(api_manager: SessionManager) -> None:
    result = _demo("/login", json.dumps({"username": "alice", "password": "wonderland"}))
    assert result["statusCode"] == 200
    assert result["headers"]["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "address",
    [
        "fe80::1%eth0",
        "fe80::1%25\r\nX-Evil: 1",
        "fe80::1%<script>alert(1)</script>",
        "10.0.0.1\n",
        " 10.0.0.1",
        "10.0.0.256",
        "::ffff:10.0.0.1%1",
        "\uff11\uff10.0.0.1",  # full-width digits
    ],
)
def test_create_ip_address_that_is_not_a_plain_address_answers_422(
    api_manager: SessionManager, address: str
) -> None:
    # Before: a zone id carrying CRLF and markup was stored and shown on device lists.
    data = event("create_session")
    data["body"] = json.dumps({"userId": "alice", "ipAddress": address})
    result = invoke(data)
    assert result["statusCode"] == 422 and "ipAddress" in body(result)["message"]
    assert api_manager.list_for_user("alice") == []


@pytest.mark.parametrize("address", ["192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1"])
def test_create_plain_ip_address_is_kept(api_manager: SessionManager, address: str) -> None:
    data = event("create_session")
    data["body"] = json.dumps({"userId": "alice", "ipAddress": address})
    result = invoke(data)
    assert result["statusCode"] == 201 and body(result)["session"]["ipAddress"] == address


def test_core_refuses_a_zone_id_too(api_manager: SessionManager) -> None:
    with pytest.raises(InvalidArgumentError):
        api_manager.create(user_id="alice", ip_address="fe80::1%eth0")
    token = api_manager.create(user_id="alice").token or ""
    with pytest.raises(InvalidArgumentError):
        api_manager.validate(token, ip_address="fe80::1%\r\n")


def test_source_ip_that_is_not_an_address_is_not_recorded(
    api_manager: SessionManager, clock: FakeClock
) -> None:
    mine = api_manager.create(user_id="alice", ip_address="192.0.2.1")
    clock.advance(minutes=11)
    data = event("me_sessions_bearer", token=mine.token or "")
    data["requestContext"]["http"]["sourceIp"] = "fe80::1%<b>"
    (listed,) = body(invoke(data))["sessions"]
    assert listed["ipAddress"] == "192.0.2.1"


@pytest.mark.parametrize(
    ("raw_path", "stage"),
    [("/prod/sessions", "prod"), ("/sessions/", "$default"), ("/prod//sessions//", "prod")],
)
def test_deep_body_behind_a_stage_or_odd_path_answers_400(
    api_manager: SessionManager, raw_path: str, stage: str
) -> None:
    # Before: a named stage skipped the body guard and Powertools hit RecursionError.
    data = event("create_session", body=DEEP)
    data["rawPath"] = raw_path
    data["requestContext"]["stage"] = stage
    result = invoke(data)
    assert result["statusCode"] == 400 and body(result)["error"] == "bad_request"


@pytest.mark.parametrize("raw_path", ["//sessions", "/sessions/", "/prod//sessions"])
def test_service_guard_and_router_agree_on_odd_paths(
    api_manager: SessionManager, raw_path: str
) -> None:
    # Without IAM and with $default as routeKey every spelling of /sessions is refused;
    # signed, it is the create route.
    data = event("create_session")
    data["rawPath"] = raw_path
    data["requestContext"]["stage"] = "prod" if raw_path.startswith("/prod") else "$default"
    assert invoke(data)["statusCode"] == 201
    data.update(routeKey="$default")
    data["requestContext"].pop("authorizer")
    assert invoke(data)["statusCode"] == 403


def test_erase_route_reaching_the_api_function_is_not_served_there(
    api_manager: SessionManager,
) -> None:
    # Erasure runs under its own role (EraseFunction): the API function never does it.
    api_manager.create(user_id="alice")
    data = event("revoke_user_sessions", routeKey="DELETE /users/{userId}")
    data["rawPath"] = "/users/alice"
    assert invoke(data)["statusCode"] == 404
    assert len(api_manager.list_for_user("alice")) == 1


@pytest.mark.parametrize(("trusted", "expected"), [(False, None), (True, "SE")])
def test_cloudfront_country_is_read_only_behind_cloudfront(
    api_manager: SessionManager,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    trusted: bool,
    expected: str | None,
) -> None:
    # Before: anyone calling the HTTP API directly set their own country.
    monkeypatch.setenv("SESSIONS_TRUST_CLOUDFRONT", "true" if trusted else "false")
    mine = api_manager.create(user_id="alice")
    clock.advance(minutes=11)
    data = event("me_sessions_bearer", token=mine.token or "")
    data["headers"]["cloudfront-viewer-country"] = "SE"
    with wired(api_manager):
        (listed,) = body(invoke(data))["sessions"]
    assert listed.get("country") == expected
