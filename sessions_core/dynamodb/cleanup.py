"""Cleanup: work in proportion to what has expired, however long since the last run.

Every item that expires carries ``expiryBucket = <prefix>exp#<shard>`` and the
``byExpiry`` index (keys only) sorts each shard by ``expiresAt``. A run queries each
shard once for ``expiresAt <= now``: it reads only expired keys, plus one query per
shard (and per 1 MB page), whether the last run was an hour or a year ago. Each delete
is conditional on the expiry it saw, so a session slid or refreshed after the
(eventually consistent) index was read is never deleted.
"""

from __future__ import annotations

from datetime import datetime

from sessions_core.dynamodb.errors import ConditionFailedError
from sessions_core.dynamodb.items import Layout, num, to_ms
from sessions_core.dynamodb.part import TablePart
from sessions_core.dynamodb.schema import EXPIRY_INDEX
from sessions_core.dynamodb.table import Expression, Table


class Cleanup(TablePart):
    """The store's `purge_expired`."""

    def purge_expired(self, now: datetime, limit: int | None = None) -> int:
        """Delete up to ``limit`` expired items under this prefix; how many."""
        return _purge(self.table, self.layout, now, limit)


def _purge(table: Table, layout: Layout, now: datetime, limit: int | None) -> int:
    now_value = num(to_ms(now))
    deleted = 0
    for shard in range(layout.shards):
        pages = table.query(
            EXPIRY_INDEX,
            Expression(
                condition="expiryBucket = :b AND expiresAt <= :now",
                values={":b": {"S": layout.bucket(shard)}, ":now": now_value},
            ),
        )
        for page in pages:
            for item in page:
                if limit is not None and deleted >= limit:
                    return deleted
                try:
                    table.delete(
                        {"id": item["id"]},
                        Expression(condition="expiresAt <= :now", values={":now": now_value}),
                    )
                    deleted += 1
                except ConditionFailedError:
                    pass  # slid, refreshed or already gone since the index was read
    return deleted
