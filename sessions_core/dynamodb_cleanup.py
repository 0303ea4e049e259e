"""Cleanup for the DynamoDB store: work in proportion to what has expired.

Items carry ``expiryBucket = <prefix><expiry day>#<shard>``; the ``byExpiry`` index
(keys only) is queried day by day for ``expiresAt <= now``, from a cursor item that
remembers the first day not yet fully cleaned. A run therefore reads the expired keys
plus ``EXPIRY_SHARDS`` queries per day since the last run, however large the table.
Each delete is conditional on the expiry it saw, so a session slid or refreshed after
the (eventually consistent) index was read is never deleted.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sessions_core.dynamodb_errors import ConditionFailedError
from sessions_core.dynamodb_items import EXPIRY_SHARDS, bucket_name, day_of, num, to_ms
from sessions_core.table import EXPIRY_INDEX

if TYPE_CHECKING:
    from sessions_core.dynamodb_store import DynamoDBSessionStore

# With no cursor yet (first run on a table), start this many days back; anything that
# expired earlier is left to DynamoDB TTL, which deletes it within days anyway.
FIRST_RUN_LOOKBACK_DAYS = 7


def _cursor_key(prefix: str) -> dict[str, Any]:
    return {"id": {"S": prefix + "cleanup:cursor"}}


def purge_expired(
    store: DynamoDBSessionStore, prefix: str, now: datetime, limit: int | None
) -> int:
    """Delete up to ``limit`` expired items under ``prefix``; returns how many."""
    now_ms = to_ms(now)
    today = day_of(now_ms)
    cursor_item = store.call("get_item", Key=_cursor_key(prefix), ConsistentRead=True).get("Item")
    cursor = int(cursor_item["day"]["N"]) if cursor_item else None
    start = cursor if cursor is not None else today - FIRST_RUN_LOOKBACK_DAYS
    deleted = 0
    next_cursor = start
    for day in range(start, today + 1):
        for shard in range(EXPIRY_SHARDS):
            remaining = None if limit is None else limit - deleted
            count, finished = _purge_bucket(
                store, bucket_name(prefix, day, shard), now_ms, remaining
            )
            deleted += count
            if not finished:
                _save_cursor(store, prefix, cursor, next_cursor)
                return deleted
        if day < today:
            next_cursor = day + 1
    _save_cursor(store, prefix, cursor, next_cursor)
    return deleted


def _purge_bucket(
    store: DynamoDBSessionStore, bucket: str, now_ms: int, remaining: int | None
) -> tuple[int, bool]:
    """Delete the bucket's expired items; (deleted, True when the bucket is drained)."""
    deleted = 0
    query: dict[str, Any] = {
        "IndexName": EXPIRY_INDEX,
        "KeyConditionExpression": "expiryBucket = :b AND expiresAt <= :now",
        "ExpressionAttributeValues": {":b": {"S": bucket}, ":now": num(now_ms)},
    }
    while True:
        page = store.call("query", **query)
        for item in page.get("Items", []):
            if remaining is not None and deleted >= remaining:
                return deleted, False
            try:
                store.call(
                    "delete_item",
                    Key={"id": item["id"]},
                    ConditionExpression="expiresAt <= :now",
                    ExpressionAttributeValues={":now": num(now_ms)},
                )
                deleted += 1
            except ConditionFailedError:
                pass  # slid, refreshed or already gone since the index was read
        if "LastEvaluatedKey" not in page:
            return deleted, True
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _save_cursor(store: DynamoDBSessionStore, prefix: str, old: int | None, new: int) -> None:
    if old == new:
        return
    store.call("put_item", Item={**_cursor_key(prefix), "day": num(new)})
