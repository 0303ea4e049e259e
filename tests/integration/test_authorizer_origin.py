"""The authorizer checks where a cookie came from: on a method that changes state, a
cookie needs an allowed Origin (or, without one, Sec-Fetch-Site same-origin or none);
a bearer token and safe methods need nothing. Its context says which credential."""

from __future__ import annotations

from typing import Any

import pytest

from handlers import authorizer
from sessions_core import SessionManager
from sessions_local.gateway import LocalContext
from tests.integration.api_support import event

ALLOWED = "https://app.example.com"  # ALLOWED_ORIGINS of the api_manager fixture


def _authorize(method: str, token: str, headers: dict[str, str], *, cookie: bool = True) -> Any:
    data = event("authorizer_request", token=token)
    data["requestContext"]["http"]["method"] = method
    data["routeKey"] = f"{method} /orders"
    if not cookie:
        data.pop("cookies")
        data["headers"]["authorization"] = f"Bearer {token}"
    data["headers"].update(headers)
    return authorizer.handler(data, LocalContext("AuthorizerFunction"))


@pytest.mark.parametrize(
    ("method", "headers", "allowed"),
    [
        ("POST", {"origin": "https://evil.example"}, False),
        ("DELETE", {"origin": "https://evil.example", "sec-fetch-site": "same-origin"}, False),
        ("PUT", {}, False),
        ("PATCH", {"sec-fetch-site": "cross-site"}, False),
        ("POST", {"origin": "null"}, False),
        ("POST", {"origin": ALLOWED}, True),
        ("POST", {"origin": ALLOWED + "/"}, True),
        ("POST", {"sec-fetch-site": "same-origin"}, True),
        ("DELETE", {"sec-fetch-site": "none"}, True),
        ("GET", {"origin": "https://evil.example"}, True),
        ("HEAD", {}, True),
        ("OPTIONS", {"sec-fetch-site": "cross-site"}, True),
    ],
)
def test_authorizer_cookie_needs_an_allowed_origin_to_change_state(
    api_manager: SessionManager, method: str, headers: dict[str, str], allowed: bool
) -> None:
    # Before: every one of these was allowed, so an API behind the authorizer that
    # accepts cookies was open to cross-site requests.
    token = api_manager.create(user_id="alice").token or ""
    answer = _authorize(method, token, headers)
    assert answer["isAuthorized"] is allowed
    if allowed:
        assert answer["context"]["credential"] == "cookie"


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_authorizer_bearer_token_needs_no_origin(api_manager: SessionManager, method: str) -> None:
    # A browser never attaches an Authorization header cross-site on its own.
    token = api_manager.create(user_id="alice").token or ""
    answer = _authorize(method, token, {"origin": "https://evil.example"}, cookie=False)
    assert answer["isAuthorized"] is True and answer["context"]["credential"] == "bearer"


def test_authorizer_event_without_a_method_denies_a_cookie(api_manager: SessionManager) -> None:
    token = api_manager.create(user_id="alice").token or ""
    data = event("authorizer_request", token=token)
    del data["requestContext"]["http"]["method"]
    assert authorizer.handler(data, None) == {"isAuthorized": False}
