"""Issuing access tokens: a session that validates gets a signed JWT whose claims are
exactly the profile's, for one store request, never outliving the session. Runs over
every store; the key set is the local key file (what serve and a local handler use)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jwt
import pytest

from sessions_core import (
    InvalidArgumentError,
    InvalidTokenError,
    SessionExpiredError,
    SessionManager,
    SessionRevokedError,
)
from sessions_core.errors import KeyConfigurationError
from tests.support import CallCounter, FakeClock, local_access_tokens

CLAIMS = {
    "iss", "sub", "aud", "client_id", "sid", "sct", "iat", "nbf", "exp", "jti",
    "auth_time", "acr", "aal",
}  # fmt: skip


@pytest.fixture
def issuing(make_manager: Any, clock: FakeClock) -> SessionManager:
    manager: SessionManager = make_manager(access_tokens=local_access_tokens(clock))
    return manager


def _claims(token: str) -> dict[str, Any]:
    found: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return found


def test_issue_for_a_valid_session_has_exactly_the_profile_claims(
    issuing: SessionManager, clock: FakeClock
) -> None:
    session = issuing.create(user_id="alice", aal=2)
    clock.advance(seconds=7)
    issued = issuing.issue_access_token(session.token or "")
    header = jwt.get_unverified_header(issued.access_token)
    assert header == {"alg": "RS256", "typ": "at+jwt", "kid": header["kid"]}
    claims = _claims(issued.access_token)
    assert set(claims) == CLAIMS
    now = int(clock.now.timestamp())
    assert claims["sub"] == "alice" and claims["sid"] == session.id
    assert claims["aud"] == "api" and claims["client_id"] == "sessions"
    assert claims["sct"] == round(session.created_at.timestamp() * 1000)
    assert (claims["iat"], claims["nbf"], claims["exp"]) == (now, now, now + 300)
    assert claims["auth_time"] == int(session.created_at.timestamp())
    assert (claims["acr"], claims["aal"]) == ("aal2", 2)
    assert issued.session_id == session.id and issued.token_type == "Bearer"
    assert issued.access_token not in repr(issued)


def test_issue_costs_one_store_request_and_applies_sliding(
    make_manager: Any, store: Any, clock: FakeClock
) -> None:
    counted = CallCounter(store)
    manager = make_manager(store=counted, access_tokens=local_access_tokens(clock))
    session = manager.create(
        user_id="alice", sliding_expiration=True, expires_in=timedelta(hours=1)
    )
    manager.issue_access_token(session.token or "")  # warms the key file, not the store
    clock.advance(minutes=1)
    counted.reset()
    manager.issue_access_token(session.token or "")
    assert sum(counted.calls.values()) == 1
    clock.advance(minutes=40)  # past half the lifetime: this validation slides
    manager.issue_access_token(session.token or "")
    assert manager.get(session.id).expires_at == clock.now + timedelta(hours=1)  # type: ignore[union-attr]


def test_exp_is_capped_by_the_absolute_expiry(make_manager: Any, clock: FakeClock) -> None:
    manager = make_manager(
        access_tokens=local_access_tokens(clock), max_lifetime=timedelta(minutes=3)
    )
    session = manager.create(user_id="alice", sliding_expiration=True)
    claims = _claims(manager.issue_access_token(session.token or "").access_token)
    assert claims["exp"] == int(clock.now.timestamp()) + 180


def test_each_token_has_its_own_jti(issuing: SessionManager) -> None:
    session = issuing.create(user_id="alice")
    ids = {
        _claims(issuing.issue_access_token(session.token or "").access_token)["jti"]
        for _ in range(5)
    }
    assert len(ids) == 5


@pytest.mark.parametrize(
    ("revoke", "error"),
    [
        (lambda m, s: m.destroy(s.id), SessionRevokedError),
        (lambda m, s: m.destroy_all_for_user(s.user_id), SessionRevokedError),
    ],
)
def test_issue_for_a_revoked_session_raises_and_issues_nothing(
    issuing: SessionManager, revoke: Any, error: type[Exception]
) -> None:
    session = issuing.create(user_id="alice")
    revoke(issuing, session)
    with pytest.raises(error):
        issuing.issue_access_token(session.token or "")


def test_issue_for_an_expired_or_unknown_token_raises(
    issuing: SessionManager, clock: FakeClock
) -> None:
    session = issuing.create(user_id="alice", expires_in=timedelta(minutes=1))
    with pytest.raises(InvalidTokenError):
        issuing.issue_access_token("garbage")
    clock.advance(minutes=2)
    with pytest.raises(SessionExpiredError):
        issuing.issue_access_token(session.token or "")


@pytest.mark.parametrize(
    "options",
    [
        {"audience": "billing"},
        {"expires_in": timedelta(0)},
        {"expires_in": timedelta(seconds=3601)},
    ],
)
def test_issue_with_options_out_of_bounds_raises_invalid_argument(
    issuing: SessionManager, options: dict[str, Any]
) -> None:
    session = issuing.create(user_id="alice")
    with pytest.raises(InvalidArgumentError):
        issuing.issue_access_token(session.token or "", **options)


def test_a_second_audience_is_issued_and_verified_only_when_named(
    issuing: SessionManager,
) -> None:
    session = issuing.create(user_id="alice")
    token = issuing.issue_access_token(session.token or "", audience="reports").access_token
    assert issuing.verify_access_token(token, audience="reports").aud == "reports"
    with pytest.raises(Exception, match="not valid"):
        issuing.verify_access_token(token)  # None: the default audience only


def test_without_access_tokens_configured_issuing_says_so(manager: SessionManager) -> None:
    session = manager.create(user_id="alice")
    with pytest.raises(KeyConfigurationError, match="not configured"):
        manager.issue_access_token(session.token or "")
