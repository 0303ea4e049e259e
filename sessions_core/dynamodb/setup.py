"""Creating the sessions table from `schema` (what `create_table()` runs)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sessions_core.dynamodb.errors import TableExistsError
from sessions_core.dynamodb.schema import (
    TTL_ATTRIBUTE,
    create_feed_table_request,
    create_table_request,
)
from sessions_core.dynamodb.table import Table

logger = logging.getLogger("sessions_core.dynamodb")


def create_table(table: Table, *, feed: bool = False) -> bool:
    """Create ``table`` (the sessions table, or with ``feed`` its feed table) unless it
    exists, wait for it, enable TTL and point-in-time recovery (as the template does;
    skipped with a warning where an emulator lacks the call). Returns True when it
    created the table.

    Raises:
        StoreUnavailableError, StoreConfigurationError: DynamoDB refused or failed.
    """
    request = create_feed_table_request(table.name) if feed else create_table_request(table.name)
    try:
        with table.translated():
            table.client.create_table(**request)
        created = True
    except TableExistsError:
        created = False
    with table.translated():
        table.client.get_waiter("table_exists").wait(
            TableName=table.name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
        )
    _optional(table, "TTL", _enable_ttl)
    _optional(table, "point-in-time recovery", _enable_pitr)
    return created


def _enable_ttl(table: Table) -> None:
    with table.translated():
        status = table.client.describe_time_to_live(TableName=table.name)
        if status["TimeToLiveDescription"].get("TimeToLiveStatus") not in {"ENABLED", "ENABLING"}:
            table.client.update_time_to_live(
                TableName=table.name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
            )


def _enable_pitr(table: Table) -> None:
    with table.translated():
        table.client.update_continuous_backups(
            TableName=table.name,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )


def _optional(table: Table, feature: str, enable: Callable[[Table], None]) -> None:
    # Emulators (dynalite) lack these calls; neither is needed for the store to work.
    try:
        enable(table)
    except Exception as error:
        logger.warning(
            "%s not enabled on %s (%s)",
            feature,
            table.name,
            type(error.__cause__ or error).__name__,
        )
