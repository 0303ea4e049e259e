"""Minting is bounded per session: each access token is a KMS Sign (a quota the account
shares), so one session gets `MINTS_PER_MINUTE` a minute in a container, then 429
`rate_limited` with Retry-After; others' issuing is untouched. The issuing routes are
throttled well below KMS's quota too."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers.http_errors import from_session_error, status_of
from sessions_core import InMemorySessionStore, SessionConfig, SessionManager
from sessions_core.errors import RateLimitedError
from sessions_core.token_service import MINTS_PER_MINUTE
from tests.harness.template import load_template
from tests.support import FakeClock, local_access_tokens

KMS_RSA_SIGNS_PER_SECOND = 500


def test_mint_loop_of_one_session_is_refused_with_retry_after_and_others_still_mint(
    clock: FakeClock,
) -> None:
    tokens = local_access_tokens(clock)
    config = SessionConfig(InMemorySessionStore(), clock=clock, access_tokens=tokens)
    manager = SessionManager(config)
    looping, other = manager.create(user_id="mallory"), manager.create(user_id="alice")
    # WHEN one session loops on issuing
    for _ in range(MINTS_PER_MINUTE):
        manager.issue_access_token(looping.token or "")
        clock.advance(seconds=1)
    # THEN past its allowance it is refused, saying when to try again
    with pytest.raises(RateLimitedError) as refused:
        manager.issue_access_token(looping.token or "")
    assert 1 <= refused.value.retry_after <= 60
    answer = from_session_error(refused.value)
    assert status_of(answer) == 429 and answer.headers["Retry-After"] == str(
        refused.value.retry_after
    )
    # AND another session is not affected, and the loop's allowance comes back
    assert manager.issue_access_token(other.token or "").access_token
    clock.advance(seconds=refused.value.retry_after)
    assert manager.issue_access_token(looping.token or "").access_token


def test_issuing_routes_are_throttled_below_the_kms_quota() -> None:
    template = load_template(Path(__file__).resolve().parents[2] / "template.yaml")
    routes = template["Resources"]["SessionsApi"]["Properties"]["RouteSettings"]
    for key in ("POST /me/token", "POST /sessions/token"):
        assert routes[key]["ThrottlingRateLimit"] <= KMS_RSA_SIGNS_PER_SECOND / 4, key
