"""Creating the sessions table from `sessions_core.table` (what `create_table()` runs)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from sessions_core.dynamodb_errors import TableExistsError, translate
from sessions_core.table import TTL_ATTRIBUTE, create_table_request

if TYPE_CHECKING:
    from sessions_core.dynamodb_store import DynamoDBSessionStore

logger = logging.getLogger("sessions_core.dynamodb")


def create_table(store: DynamoDBSessionStore) -> bool:
    """Create ``store``'s table unless it exists, wait for it, enable TTL and
    point-in-time recovery (as the template does; skipped with a warning where an
    emulator lacks the call).

    Raises:
        StoreUnavailableError, StoreConfigurationError: DynamoDB refused or failed.
    """
    request = create_table_request(store.table_name)
    request.pop("TableName")
    try:
        store.call("create_table", **request)
        created = True
    except TableExistsError:
        created = False
    try:
        store.client.get_waiter("table_exists").wait(
            TableName=store.table_name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
        )
    except (ClientError, BotoCoreError) as error:
        raise translate(error, store.table_name) from error
    _optional(store, "TTL", _enable_ttl)
    _optional(store, "point-in-time recovery", _enable_pitr)
    return created


def _enable_ttl(store: DynamoDBSessionStore) -> None:
    status = store.call("describe_time_to_live")["TimeToLiveDescription"]
    if status.get("TimeToLiveStatus") not in {"ENABLED", "ENABLING"}:
        store.call(
            "update_time_to_live",
            TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
        )


def _enable_pitr(store: DynamoDBSessionStore) -> None:
    store.call(
        "update_continuous_backups",
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
    )


def _optional(
    store: DynamoDBSessionStore, feature: str, enable: Callable[[DynamoDBSessionStore], None]
) -> None:
    # Emulators (dynalite) lack these calls; neither is needed for the store to work.
    try:
        enable(store)
    except Exception as error:
        logger.warning(
            "%s not enabled on %s (%s)",
            feature,
            store.table_name,
            type(error.__cause__ or error).__name__,
        )
