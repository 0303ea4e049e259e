"""The authorizer (allow / deny, header or cookie, fail closed) and the cleanup function."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from handlers import authorizer, cleanup
from sessions_core import DynamoDBSessionStore, SessionConfig, SessionManager
from sessions_local.gateway import LocalContext
from tests.integration.api_support import event
from tests.support import FakeClock, RequestCounter, inject_error


def _authorize(data: dict[str, Any]) -> dict[str, Any]:
    return authorizer.handler(data, LocalContext("AuthorizerFunction"))


def _with_header(token: str) -> dict[str, Any]:
    data = event("authorizer_request")
    data.pop("cookies")
    data["headers"]["authorization"] = f"Bearer {token}"
    return data


def test_authorizer_cookie_token_allows_with_identity_and_step_up_facts(
    api_manager: SessionManager, clock: FakeClock
) -> None:
    session = api_manager.create(user_id="alice", aal=2)
    clock.advance(minutes=3)
    answer = _authorize(event("authorizer_request", token=session.token or ""))
    assert answer == {
        "isAuthorized": True,
        "context": {
            "userId": "alice",
            "sessionId": session.id,
            "authenticatedAt": int(session.created_at.timestamp()),
            "aal": 2,
            "credential": "cookie",
        },
    }


def test_authorizer_bearer_token_allows(api_manager: SessionManager) -> None:
    session = api_manager.create(user_id="alice")
    answer = _authorize(_with_header(session.token or ""))
    assert answer["isAuthorized"] is True and answer["context"]["credential"] == "bearer"


@pytest.mark.parametrize(
    "token", ["", "garbage", "00000000-0000-8000-8000-000000000000." + "A" * 43]
)
def test_authorizer_bad_or_missing_token_denies(api_manager: SessionManager, token: str) -> None:
    assert _authorize(event("authorizer_request", token=token)) == {"isAuthorized": False}


def test_authorizer_revoked_and_expired_tokens_deny(
    api_manager: SessionManager, clock: FakeClock
) -> None:
    revoked = api_manager.create(user_id="alice")
    api_manager.destroy(revoked.id)
    expired = api_manager.create(user_id="alice", expires_in=timedelta(minutes=1))
    clock.advance(minutes=2)
    for session in (revoked, expired):
        assert _authorize(_with_header(session.token or ""))["isAuthorized"] is False


def test_authorizer_store_unavailable_fails_closed(
    api_manager: SessionManager, moto_client: Any
) -> None:
    session = api_manager.create(user_id="alice")
    inject_error(moto_client, "BatchGetItem", "ProvisionedThroughputExceededException")
    assert _authorize(_with_header(session.token or "")) == {"isAuthorized": False}


def test_authorizer_read_only_manager_never_writes(moto_client: Any, clock: FakeClock) -> None:
    store = DynamoDBSessionStore("ro", client=moto_client)
    store.create_table()
    writer = SessionManager(SessionConfig(store, clock=clock))
    reader = SessionManager(SessionConfig(store, clock=clock, read_only=True))
    session = writer.create(user_id="alice", sliding_expiration=True)
    old = writer.refresh(session.token or "")
    clock.advance(hours=13)
    counter = RequestCounter(moto_client)
    assert reader.validate(old.token or "").valid
    assert reader.validate(session.token or "").error == "session_revoked"  # replay, not revoked
    assert set(counter.calls) == {"BatchGetItem"}
    assert writer.validate(old.token or "").valid


def test_cleanup_handler_purges_expired_and_keeps_live(
    api_manager: SessionManager, clock: FakeClock
) -> None:
    expired = [
        api_manager.create(user_id=f"u{i}", expires_in=timedelta(minutes=5)) for i in range(4)
    ]
    live = api_manager.create(user_id="alice")
    clock.advance(minutes=6)
    result = cleanup.handler(event("cleanup_schedule"), LocalContext("CleanupFunction"))
    assert result == {"deleted": 4}
    assert all(api_manager.get(s.id) is None for s in expired)
    assert api_manager.validate(live.token or "").valid


def _cleanup_cost(moto_client: Any, clock: FakeClock, live: int, table: str) -> dict[str, int]:
    store = DynamoDBSessionStore(table, client=moto_client)
    store.create_table()
    manager = SessionManager(SessionConfig(store, clock=clock))
    manager.purge_expired()  # the schedule has run before
    for i in range(live):
        manager.create(user_id=f"live{i}", expires_in=timedelta(days=7))
    for i in range(20):
        manager.create(user_id=f"gone{i}", expires_in=timedelta(minutes=30))
    clock.advance(hours=1)
    counter = RequestCounter(moto_client)
    items_read = {"n": 0}

    def count_items(parsed: dict[str, Any], **_: Any) -> None:
        items_read["n"] += len(parsed.get("Items", []))

    moto_client.meta.events.register("after-call.dynamodb.Query", count_items)
    assert manager.purge_expired() == 20
    moto_client.meta.events.unregister("after-call.dynamodb.Query", count_items)
    return {**counter.calls, "items_read": items_read["n"]}


def test_cleanup_cost_does_not_grow_with_live_sessions(moto_client: Any, clock: FakeClock) -> None:
    small = _cleanup_cost(moto_client, clock, live=20, table="small")
    large = _cleanup_cost(moto_client, clock, live=200, table="large")
    assert small == large
    assert small["DeleteItem"] == 20 and small["items_read"] == 20


def test_cleanup_after_400_idle_days_costs_the_expired_items_plus_a_constant(
    moto_client: Any, clock: FakeClock
) -> None:
    # GIVEN sessions whose expiries are spread over 400 days, and no cleanup run since
    store = DynamoDBSessionStore("idle", client=moto_client)
    store.create_table()
    manager = SessionManager(SessionConfig(store, clock=clock, max_lifetime=None))
    for day in range(0, 400, 5):
        manager.create(user_id=f"u{day}", expires_in=timedelta(days=day, hours=1))
    live = manager.create(user_id="stays", expires_in=timedelta(days=400))
    clock.advance(days=399, hours=23)
    # WHEN one run happens THEN it finds every expired item, at a constant overhead
    counter = RequestCounter(moto_client)
    assert manager.purge_expired() == 80
    assert counter.calls["DeleteItem"] == 80
    assert counter.total - 80 <= 100 and counter.calls["Query"] == 8
    assert manager.get(live.id) is not None
