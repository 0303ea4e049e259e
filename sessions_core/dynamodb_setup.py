"""Creating the sessions table from `sessions_core.table` (what `create_table()` runs)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from sessions_core.dynamodb_errors import TableExistsError, translate
from sessions_core.table import TTL_ATTRIBUTE, create_table_request

if TYPE_CHECKING:
    from sessions_core.dynamodb_store import DynamoDBSessionStore

logger = logging.getLogger("sessions_core.dynamodb")


def create_table(store: DynamoDBSessionStore) -> bool:
    """Create ``store``'s table unless it exists, wait for it, enable TTL.

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
    _enable_ttl(store)
    return created


def _enable_ttl(store: DynamoDBSessionStore) -> None:
    try:
        status = store.call("describe_time_to_live")["TimeToLiveDescription"]
        if status.get("TimeToLiveStatus") in {"ENABLED", "ENABLING"}:
            return
        store.call(
            "update_time_to_live",
            TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
        )
    except Exception as error:
        logger.warning(
            "TTL not enabled on %s (%s); cleanup still purges",
            store.table_name,
            type(error.__cause__ or error).__name__,
        )
