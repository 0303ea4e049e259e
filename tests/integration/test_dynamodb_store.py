"""DynamoDB-specific behaviour: request counts, the table, faults and their translation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.config import Config

from sessions_core import (
    DynamoDBSessionStore,
    SessionConfig,
    SessionError,
    SessionManager,
    StoreConfigurationError,
    StoreUnavailableError,
)
from sessions_core.changes import rotation
from sessions_core.dynamodb.client import client_config, make_client
from sessions_core.dynamodb.schema import create_table_request
from tests.support import FakeClock, LaggingIndexStore, RequestCounter, inject_error


@pytest.fixture
def ddb_manager(dynamodb_store: DynamoDBSessionStore, clock: FakeClock) -> SessionManager:
    return SessionManager(SessionConfig(dynamodb_store, clock=clock))


# -- request counts (rule 2) -------------------------------------------------------------


def test_validate_costs_one_request(ddb_manager: SessionManager, requests: RequestCounter) -> None:
    token = ddb_manager.create(user_id="u1").token or ""
    requests.reset()
    assert ddb_manager.validate(token).valid
    assert dict(requests.calls) == {"BatchGetItem": 1}


@pytest.mark.parametrize("token", ["", "nope", "x" * 100_000, "A" * 80, "\x00" * 80])
def test_validate_malformed_token_costs_no_request(
    ddb_manager: SessionManager, requests: RequestCounter, token: str
) -> None:
    requests.reset()
    assert ddb_manager.validate(token).error == "invalid_token"
    assert requests.total == 0


def test_create_costs_a_put_and_a_read_of_the_user_item(
    ddb_manager: SessionManager, requests: RequestCounter
) -> None:
    # The read makes sure the user was not erased while the session was stored.
    requests.reset()
    ddb_manager.create(user_id="u1")
    assert dict(requests.calls) == {"PutItem": 1, "BatchGetItem": 1}


def test_refresh_costs_a_read_and_one_conditional_write(
    ddb_manager: SessionManager, requests: RequestCounter
) -> None:
    token = ddb_manager.create(user_id="u1").token or ""
    requests.reset()
    ddb_manager.refresh(token)
    assert dict(requests.calls) == {"BatchGetItem": 1, "UpdateItem": 1}


def test_refresh_within_grace_costs_one_read(
    ddb_manager: SessionManager, requests: RequestCounter
) -> None:
    token = ddb_manager.create(user_id="u1").token or ""
    ddb_manager.refresh(token)
    requests.reset()
    ddb_manager.refresh(token)
    assert dict(requests.calls) == {"BatchGetItem": 1}


def test_validate_with_sliding_due_costs_one_extra_write(
    ddb_manager: SessionManager, requests: RequestCounter, clock: FakeClock
) -> None:
    token = ddb_manager.create(user_id="u1", sliding_expiration=True).token or ""
    clock.advance(hours=13)
    requests.reset()
    ddb_manager.validate(token)
    ddb_manager.validate(token)
    assert dict(requests.calls) == {"BatchGetItem": 2, "UpdateItem": 1}


def test_destroy_costs_the_feed_entry_and_the_tombstone(
    ddb_manager: SessionManager, requests: RequestCounter
) -> None:
    session = ddb_manager.create(user_id="u1")
    requests.reset()
    ddb_manager.destroy(session.id)
    # every revocation reaches the access tokens' feed, whoever built the manager
    assert dict(requests.calls) == {"BatchWriteItem": 1, "UpdateItem": 1}


def _paged(store: DynamoDBSessionStore, clock: FakeClock) -> SessionManager:
    """A manager whose queries come back 4 items a page: the continuation paths run."""
    small = DynamoDBSessionStore(store.table_name, client=store.client, page_size=4)
    return SessionManager(SessionConfig(small, clock=clock))


def test_list_for_user_paginates_to_the_end(
    dynamodb_store: DynamoDBSessionStore, requests: RequestCounter, clock: FakeClock
) -> None:
    manager = _paged(dynamodb_store, clock)
    ids = []
    for _ in range(10):
        clock.advance(milliseconds=1)
        ids.append(manager.create(user_id="u1").id)
    requests.reset()
    listed = manager.list_for_user("u1")
    assert [s.id for s in listed] == ids[::-1]
    assert requests.calls["Query"] == 3  # 4 + 4 + 2
    assert requests.calls["BatchGetItem"] == 1


def test_purge_expired_paginates_every_shard_to_the_end(
    dynamodb_store: DynamoDBSessionStore, requests: RequestCounter, clock: FakeClock
) -> None:
    manager = _paged(dynamodb_store, clock)
    for _ in range(40):
        manager.create(user_id="u1", expires_in=timedelta(minutes=1))
    clock.advance(minutes=2)
    requests.reset()
    assert manager.purge_expired() == 40
    assert requests.calls["DeleteItem"] == 40
    assert requests.calls["Query"] > 8  # more than one page in some shard


# -- rotation's fallback when ALL_OLD is not returned -------------------------------------


def test_rotate_condition_failure_without_all_old_falls_back_to_a_read(
    dynamodb_store: DynamoDBSessionStore, ddb_manager: SessionManager, requests: RequestCounter
) -> None:
    session = ddb_manager.create(user_id="u1")

    def strip_item(parsed: dict[str, Any], **_: Any) -> None:
        parsed.pop("Item", None)

    dynamodb_store.client.meta.events.register("after-call.dynamodb.UpdateItem", strip_item)
    requests.reset()
    stale = session.model_copy(update={"token_hash": "not-the-hash"})
    successor = session.model_copy(
        update={"token_hash": "h2", "generation": 1, "rotated_at": session.created_at}
    )
    result = dynamodb_store.update(session.id, rotation(stale, successor, {}))
    assert result.applied is False
    assert result.current is not None and result.current.id == session.id
    assert dict(requests.calls) == {"UpdateItem": 1, "GetItem": 1}


# -- decoded sessions remembered by a warm container ------------------------------------------


@pytest.fixture
def other_container(dynamodb_store: DynamoDBSessionStore, clock: FakeClock) -> SessionManager:
    """A second container's manager on the same table: its own store, its own memory."""
    store = DynamoDBSessionStore(dynamodb_store.table_name, client=dynamodb_store.client)
    return SessionManager(SessionConfig(store, clock=clock))


def test_validate_sees_a_revocation_another_container_made(
    ddb_manager: SessionManager, other_container: SessionManager
) -> None:
    # GIVEN a warm container that has validated a token (and remembers the item)
    session = ddb_manager.create(user_id="u1")
    token = session.token or ""
    assert ddb_manager.validate(token).valid and ddb_manager.validate(token).valid
    # WHEN another container revokes it THEN the warm one refuses it at once
    other_container.destroy(session.id)
    assert ddb_manager.validate(token).error == "session_revoked"


def test_validate_accepts_a_token_another_container_rotated_to(
    ddb_manager: SessionManager, other_container: SessionManager, clock: FakeClock
) -> None:
    old = ddb_manager.create(user_id="u1").token or ""
    assert ddb_manager.validate(old).valid
    new = other_container.refresh(old).token or ""
    assert ddb_manager.validate(new).valid
    clock.advance(timedelta(minutes=5))  # past the grace: the old one is now a replay
    assert ddb_manager.validate(old).error == "session_revoked"


# -- the table -----------------------------------------------------------------------------


def test_create_table_is_idempotent_and_enables_ttl(dynamodb_store: DynamoDBSessionStore) -> None:
    assert dynamodb_store.create_table() is False
    ttl = dynamodb_store.client.describe_time_to_live(TableName=dynamodb_store.table_name)
    assert ttl["TimeToLiveDescription"]["AttributeName"] == "ttl"
    table = dynamodb_store.client.describe_table(TableName=dynamodb_store.table_name)["Table"]
    expected = create_table_request(dynamodb_store.table_name)
    assert table["KeySchema"] == expected["KeySchema"]
    assert {g["IndexName"] for g in table["GlobalSecondaryIndexes"]} == {
        "byUser",
        "byExpiry",
        "byActivity",
    }
    backups = dynamodb_store.client.describe_continuous_backups(
        TableName=dynamodb_store.table_name
    )["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


def test_stored_item_holds_hash_never_the_token(
    ddb_manager: SessionManager, dynamodb_store: DynamoDBSessionStore
) -> None:
    session = ddb_manager.create(user_id="u1")
    assert session.token is not None
    secret = session.token.split(".")[1]
    scan = dynamodb_store.client.scan(TableName=dynamodb_store.table_name)
    assert secret not in repr(scan["Items"]) and session.token_hash in repr(scan["Items"])


def test_ttl_attribute_is_epoch_seconds(
    ddb_manager: SessionManager, dynamodb_store: DynamoDBSessionStore
) -> None:
    session = ddb_manager.create(user_id="u1")
    item = dynamodb_store.client.get_item(
        TableName=dynamodb_store.table_name, Key={"id": {"S": "session:" + session.id}}
    )["Item"]
    assert int(item["ttl"]["N"]) == int(session.expires_at.timestamp())


# -- faults (rule 9) -------------------------------------------------------------------------


def _fast_client(moto_client: Any, attempts: int = 2) -> Any:
    config = Config(retries={"mode": "standard", "total_max_attempts": attempts})
    return boto3.client("dynamodb", region_name="us-east-1", config=config)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("ProvisionedThroughputExceededException", 400),
        ("ThrottlingException", 400),
        ("InternalServerError", 500),
    ],
)
def test_validate_throttled_past_retries_raises_store_unavailable(
    moto_client: Any, clock: FakeClock, code: str, status: int
) -> None:
    client = _fast_client(moto_client)
    store = DynamoDBSessionStore("t", client=client)
    store.create_table()
    manager = SessionManager(SessionConfig(store, clock=clock))
    token = manager.create(user_id="u1").token or ""
    injected = inject_error(client, "BatchGetItem", code, status=status)
    with pytest.raises(StoreUnavailableError) as info:
        manager.validate(token)
    assert info.value.code == "store_unavailable"
    assert len(injected) == 2  # botocore retried once, then we failed closed
    assert token not in str(info.value)


def test_create_throttled_once_then_succeeds_writes_once(
    moto_client: Any, clock: FakeClock
) -> None:
    # In-process moto applies the write before the injected throttle replaces its
    # answer: the "write landed, response lost" fault. The retry must not double it.
    client = _fast_client(moto_client, attempts=3)
    store = DynamoDBSessionStore("t", client=client)
    store.create_table()
    manager = SessionManager(SessionConfig(store, clock=clock))
    inject_error(client, "PutItem", "ThrottlingException", times=1)
    session = manager.create(user_id="u1")
    assert [s.id for s in manager.list_for_user("u1")] == [session.id]
    assert manager.validate(session.token or "").valid


def test_missing_table_error_names_the_table(moto_client: Any, clock: FakeClock) -> None:
    manager = SessionManager(
        SessionConfig(DynamoDBSessionStore("no-such-table", client=moto_client), clock=clock)
    )
    with pytest.raises(StoreConfigurationError, match="no-such-table"):
        manager.create(user_id="u1")


def test_endpoint_down_raises_store_unavailable(clock: FakeClock) -> None:
    client = make_client(
        endpoint_url="http://127.0.0.1:9",
        config=client_config(max_attempts=1, connect_timeout=0.5, read_timeout=0.5),
    )
    manager = SessionManager(SessionConfig(DynamoDBSessionStore("t", client=client), clock=clock))
    with pytest.raises(StoreUnavailableError, match="could not be reached"):
        manager.validate("00000000-0000-8000-8000-000000000000." + "A" * 43)


def test_corrupt_item_fails_closed_as_invalid_token(
    ddb_manager: SessionManager, dynamodb_store: DynamoDBSessionStore
) -> None:
    session = ddb_manager.create(user_id="u1")
    dynamodb_store.client.update_item(
        TableName=dynamodb_store.table_name,
        Key={"id": {"S": "session:" + session.id}},
        UpdateExpression="SET lifetimeMs = :bad",
        ExpressionAttributeValues={":bad": {"S": "a day"}},
    )
    assert ddb_manager.validate(session.token or "").error == "invalid_token"
    with pytest.raises(SessionError, match="not valid"):
        ddb_manager.refresh(session.token or "")


def test_unprocessed_keys_are_retried(
    ddb_manager: SessionManager, dynamodb_store: DynamoDBSessionStore, requests: RequestCounter
) -> None:
    token = ddb_manager.create(user_id="u1").token or ""
    state = {"first": True}

    def leave_unprocessed(parsed: dict[str, Any], **_: Any) -> None:
        if state["first"]:
            state["first"] = False
            keys = parsed["Responses"].pop(dynamodb_store.table_name, [])
            parsed["Responses"][dynamodb_store.table_name] = []
            parsed["UnprocessedKeys"] = {
                dynamodb_store.table_name: {"Keys": [{"id": k["id"]} for k in keys]}
            }

    dynamodb_store.client.meta.events.register(
        "after-call.dynamodb.BatchGetItem", leave_unprocessed
    )
    requests.reset()
    assert ddb_manager.validate(token).valid
    assert requests.calls["BatchGetItem"] == 2


def test_revocation_marker_outlives_the_longest_session_cleanup_included(
    dynamodb_store: DynamoDBSessionStore, clock: FakeClock
) -> None:
    # A session the index never showed is revoked by the marker alone: the marker must
    # survive cleanup for as long as such a session can live (400 days).
    lagging = LaggingIndexStore(dynamodb_store)
    manager = SessionManager(SessionConfig(lagging, clock=clock, max_lifetime=None))
    session = manager.create(user_id="u1", expires_in=timedelta(days=400))
    lagging.hidden.add(session.id)
    clock.advance(seconds=1)
    assert manager.destroy_all_for_user("u1") == 0
    clock.advance(days=399, hours=23)
    manager.purge_expired()
    assert manager.validate(session.token or "").error == "session_revoked"
