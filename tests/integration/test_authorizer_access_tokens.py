"""The authorizer with access tokens, through the real handler and payload-2.0 events,
on moto with the fake clock: allowed with no DynamoDB request while the feed is fresh;
every revocation path honoured once the poll interval has passed; a feed it cannot read
serves for the stated staleness, then denies; forged tokens denied without an
exception. DynamoDB requests are counted on the wire (a botocore hook)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import jwt
import pytest

from handlers import authorizer
from sessions_core import SessionManager
from sessions_core.revocation_feed import SHARDS
from sessions_local.gateway import LocalContext
from tests.integration.api_support import body, event, invoke, invoke_erase
from tests.support import FakeClock, RequestCounter, inject_error

POLL = timedelta(seconds=5)  # SESSIONS_REVOCATION_POLL_SECONDS' default
STALENESS = timedelta(seconds=30)


def _authorize(token: str) -> dict[str, Any]:
    data = event("authorizer_request", token=token)
    data.pop("cookies")
    data["headers"]["authorization"] = f"Bearer {token}"
    result: dict[str, Any] = authorizer.handler(data, LocalContext("AuthorizerFunction"))
    return result


def _access(manager: SessionManager, session_token: str, **options: Any) -> str:
    return manager.issue_access_token(session_token, **options).access_token


def _allowed(manager: SessionManager) -> tuple[Any, str]:
    """A session of alice's and an hour's access token the warm authorizer allows."""
    session = manager.create(user_id="alice")
    token = _access(manager, session.token or "", expires_in=timedelta(hours=1))
    assert _authorize(token)["isAuthorized"]
    return session, token


@pytest.fixture
def wire(api_manager: SessionManager) -> RequestCounter:
    return RequestCounter(api_manager.config.store.client)  # type: ignore[attr-defined]


def test_a_valid_access_token_is_allowed_with_its_claims_and_no_request_once_warm(
    api_manager: SessionManager, clock: FakeClock, wire: RequestCounter
) -> None:
    session = api_manager.create(user_id="alice", aal=2)
    token = _access(api_manager, session.token or "")
    first = _authorize(token)
    assert first == {
        "isAuthorized": True,
        "context": {
            "userId": "alice",
            "sessionId": session.id,
            "authenticatedAt": int(session.created_at.timestamp()),
            "aal": 2,
            "credential": "access_token",
        },
    }
    wire.reset()
    for _ in range(200):
        assert _authorize(token)["isAuthorized"]
    assert wire.total == 0  # the snapshot is fresh: no read at all
    clock.advance(POLL + timedelta(seconds=1))
    assert _authorize(token)["isAuthorized"]
    # one poll: a Query per shard of each hour its window touches (this clock's start
    # is on the hour, so two), each reading only what is new
    assert dict(wire.calls) == {"Query": 2 * SHARDS}


def _destroy(manager: SessionManager, session: Any, clock: FakeClock) -> None:
    invoke(event("destroy_session", session_id=session.id))


def _logout(manager: SessionManager, session: Any, clock: FakeClock) -> None:
    invoke(event("me_logout_bearer", token=session.token or ""))


def _revoke_all(manager: SessionManager, session: Any, clock: FakeClock) -> None:
    invoke(event("revoke_user_sessions"))


def _revoke_others(manager: SessionManager, session: Any, clock: FakeClock) -> None:
    mine = manager.create(user_id=session.user_id)
    done = invoke(event("me_revoke_others_cookie", token=mine.token or ""))
    assert done["statusCode"] == 200, body(done)


def _reuse(manager: SessionManager, session: Any, clock: FakeClock) -> None:
    manager.refresh(session.token or "")
    clock.advance(minutes=5)  # past the grace: the old token is a replay
    assert not manager.validate(session.token or "").valid


def _erase(manager: SessionManager, session: Any, clock: FakeClock) -> None:
    data = event("revoke_user_sessions")
    data.update(rawPath="/users/alice", routeKey="DELETE /users/{userId}")
    data["requestContext"].update(routeKey="DELETE /users/{userId}")
    data["requestContext"]["http"]["path"] = "/users/alice"
    assert invoke_erase(data)["statusCode"] == 200


PATHS: dict[str, Callable[[SessionManager, Any, FakeClock], None]] = {
    "destroy": _destroy,
    "logout": _logout,
    "revoke_all": _revoke_all,
    "revoke_others": _revoke_others,
    "reuse_detected": _reuse,
    "erasure": _erase,
}


@pytest.mark.parametrize("path", PATHS)
def test_every_revocation_path_denies_the_access_token_within_the_poll(
    api_manager: SessionManager, clock: FakeClock, path: str
) -> None:
    session = api_manager.create(user_id="alice")
    token = _access(api_manager, session.token or "", expires_in=timedelta(hours=1))
    assert _authorize(token)["isAuthorized"]  # the snapshot is read now
    clock.advance(seconds=1)
    PATHS[path](api_manager, session, clock)
    clock.advance(POLL + timedelta(milliseconds=1))
    assert _authorize(token) == {"isAuthorized": False}


def test_a_session_limit_eviction_denies_the_evicted_sessions_tokens(
    api_manager: SessionManager, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sessions_core import SessionConfig
    from tests.support import local_access_tokens, wired

    limited = SessionManager(
        SessionConfig(
            api_manager.config.store,
            clock=clock,
            access_tokens=local_access_tokens(clock),
            max_sessions_per_user=1,
        )
    )
    with wired(limited):
        first = limited.create(user_id="carol")
        token = _access(limited, first.token or "")
        assert _authorize(token)["isAuthorized"]
        clock.advance(seconds=1)
        limited.create(user_id="carol")  # evicts the first
        clock.advance(POLL + timedelta(milliseconds=1))
        assert not _authorize(token)["isAuthorized"]


def test_a_login_after_a_revoke_all_gets_tokens_that_work(
    api_manager: SessionManager, clock: FakeClock
) -> None:
    old = api_manager.create(user_id="alice")
    clock.advance(seconds=1)
    api_manager.destroy_all_for_user("alice")
    clock.advance(milliseconds=1)
    new = api_manager.create(user_id="alice")
    clock.advance(POLL)
    assert _authorize(_access(api_manager, new.token or ""))["isAuthorized"]
    assert old.token and not api_manager.validate(old.token).valid


def test_an_unreadable_feed_serves_for_the_staleness_bound_then_denies(
    api_manager: SessionManager, clock: FakeClock
) -> None:
    _, token = _allowed(api_manager)
    client = api_manager.config.store.client  # type: ignore[attr-defined]
    outage = {"on": True}
    failures = inject_error(
        client,
        "Query",
        "ProvisionedThroughputExceededException",
        active=lambda: outage["on"],
    )
    clock.advance(STALENESS - timedelta(seconds=1))
    assert _authorize(token)["isAuthorized"]  # the last snapshot, 29 s old
    assert failures  # a refresh was tried (and retried by botocore)
    clock.advance(seconds=2)
    assert not _authorize(token)["isAuthorized"]  # 31 s: fail closed
    tried = len(failures)
    assert not _authorize(token)["isAuthorized"]
    assert len(failures) == tried  # the next try waits a second, not every request
    outage["on"] = False
    clock.advance(seconds=2)
    assert _authorize(token)["isAuthorized"]  # read again: allowed again


def _forged(token: str, **header: Any) -> str:
    head, payload, signature = token.split(".")
    original = json.loads(jwt.utils.base64url_decode(head))
    new_head = jwt.utils.base64url_encode(json.dumps({**original, **header}).encode()).decode()
    return f"{new_head}.{payload}.{signature}"


def test_forged_and_foreign_tokens_are_denied_without_an_exception(
    api_manager: SessionManager, clock: FakeClock, wire: RequestCounter
) -> None:
    session = api_manager.create(user_id="alice")
    good = _access(api_manager, session.token or "")
    other_audience = _access(api_manager, session.token or "", audience="reports")
    _, payload, _ = good.split(".")
    none = jwt.utils.base64url_encode(b'{"alg":"none","typ":"at+jwt"}').decode()
    hs = jwt.encode({"sub": "alice"}, "k" * 32, algorithm="HS256", headers={"typ": "at+jwt"})
    clock.advance(seconds=301)
    expired = good
    clock.advance(seconds=-301)
    for token in [
        f"{none}.{payload}.",
        hs,
        _forged(good, typ="JWT"),
        _forged(good, kid="no-such-key"),
        other_audience,
        "a.b.c",
        "x" * 5000 + ".y.z",
    ]:
        assert _authorize(token) == {"isAuthorized": False}, token[:40]
    clock.advance(seconds=306)
    assert _authorize(expired) == {"isAuthorized": False}


def test_200_random_kids_cost_at_most_one_key_set_read(
    api_manager: SessionManager, clock: FakeClock
) -> None:
    session = api_manager.create(user_id="alice")
    good = _access(api_manager, session.token or "")
    assert _authorize(good)["isAuthorized"]
    runtime_tokens = authorizer.wiring.runtime().token_authorizer.tokens
    reads = runtime_tokens.keys.reads
    clock.advance(minutes=1)
    for _ in range(200):
        assert not _authorize(_forged(good, kid=secrets.token_urlsafe(32)))["isAuthorized"]
        clock.advance(milliseconds=200)  # 40 s in all
    assert runtime_tokens.keys.reads - reads <= 1


@pytest.mark.parametrize("server", ["moto", "dynalite"])
def test_in_real_time_a_revocation_is_honoured_within_a_one_second_poll(
    server: str, protocol_servers: dict[str, Any], moto_client: Any
) -> None:
    import os
    import time

    from handlers.settings import Settings
    from handlers.wiring import Runtime, used_everywhere
    from sessions_core import DynamoDBSessionStore, SessionConfig
    from tests.support import LOCAL_INDEX_LAG, local_access_tokens, server_store

    store = (
        server_store(protocol_servers, "dynalite")
        if server == "dynalite"
        else DynamoDBSessionStore("realtime", client=moto_client, index_lag=LOCAL_INDEX_LAG)
    )
    if server == "moto":
        store.create_table()
    manager = SessionManager(SessionConfig(store, access_tokens=local_access_tokens(None)))
    settings = Settings.from_env({**os.environ, "SESSIONS_REVOCATION_POLL_SECONDS": "1"})
    with used_everywhere(Runtime(settings, manager)):
        session = manager.create(user_id="alice")
        token = _access(manager, session.token or "")
        assert _authorize(token)["isAuthorized"]
        manager.destroy(session.id)
        returned = time.monotonic()
        while _authorize(token)["isAuthorized"]:
            assert time.monotonic() - returned < 2.0, "still allowed after poll + 1 s"
            time.sleep(0.05)
        assert time.monotonic() - returned <= 1.0 + 0.2  # the poll, and a request's time


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_access_token_in_the_session_cookie_is_denied(
    api_manager: SessionManager, method: str
) -> None:
    # GIVEN a valid access token, allowed in the Authorization header
    session = api_manager.create(user_id="alice")
    token = _access(api_manager, session.token or "")
    assert _authorize(token)["isAuthorized"]
    # WHEN it comes in the session cookie instead (a cross-site POST would skip the
    # Origin check that cookies get) THEN it is denied, whatever the method
    data = event("authorizer_request", token=token)
    data["requestContext"]["http"]["method"] = method
    data["headers"]["origin"] = "https://evil.example"
    answer = authorizer.handler(data, LocalContext("AuthorizerFunction"))
    assert answer == {"isAuthorized": False}


def test_a_withdrawn_signing_key_is_denied_within_the_poll_even_for_fresh_forgeries(
    api_manager: SessionManager, clock: FakeClock
) -> None:
    from sessions_core.key_files import SIGNING_KEYS_FILE, local_key_path
    from sessions_core.local_signing_keys import LocalSigningKeys
    from sessions_core.revocation_feed import key_entry

    # GIVEN a token signed with the current key, allowed by a warm authorizer
    session, token = _allowed(api_manager)
    keys = LocalSigningKeys(local_key_path(SIGNING_KEYS_FILE))
    leaked = keys.load(clock.now).signing(clock.now)
    assert leaked is not None
    private = keys.signer(leaked).private_key
    claims = jwt.decode(token, options={"verify_signature": False})
    # WHEN the key leaks: a new key signs at once, the old one is withdrawn (what
    # `sessions keys withdraw` does: the key set, then the feed's entry)
    keys.rotate(clock.now, timedelta(0))
    clock.advance(seconds=1)
    keys.withdraw(clock.now, leaked.kid)
    now = api_manager.config.now
    api_manager.config.namespaced_store.append_revocations([key_entry(leaked.kid, now())], now)
    forged = jwt.encode(
        {**claims, "sub": "admin", "aal": 2, "acr": "aal2", "iat": int(clock.now.timestamp())},
        private,
        algorithm="RS256",
        headers={"typ": "at+jwt", "kid": leaked.kid},
    )
    # THEN within the poll, before the authorizer reads its key set again, both the
    # real token and a forgery with a fresh iat are denied
    clock.advance(POLL + timedelta(seconds=1))
    assert not _authorize(token)["isAuthorized"]
    assert not _authorize(forged)["isAuthorized"]
    # AND once the API has read the set again (every 5 minutes: until then it signs
    # with the withdrawn key, and those tokens are denied too), its tokens work
    clock.advance(minutes=5)
    fresh = _access(api_manager, session.token or "")
    assert _authorize(fresh)["isAuthorized"]
    assert not _authorize(forged)["isAuthorized"]  # and the key left the set
