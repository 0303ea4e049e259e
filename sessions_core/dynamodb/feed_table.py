"""`FeedTable`: the revocation feed in a table of its own (``<sessions table>-feed``,
keys ``p`` and ``s``, declared in `schema` and template.yaml).

- An entry: ``p = <prefix>e#<hour>#<shard>``, ``s = <stamp ms, 13 digits>#<name>``,
  ``b`` (before, ms) and ``k`` (kept session) where it has them, and a TTL: about 90
  bytes, one write unit, whatever the feed holds.
- A packed second (`feed_records.Segment`): ``p = <prefix>c#<replica>``,
  ``s = <second ms>``, ``d`` (session hashes) and ``o`` (other records); and in the
  same partition, at ``s = "~"`` (after every second), how far the compactor has
  packed (``u``). One strongly consistent Query of a replica reads every new second
  and where packing stands.

Light on purpose (no models): the authorizer reads through it on its cold path.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sessions_core.dynamodb.server_time import DynamoDBClock, server_time_of
from sessions_core.dynamodb.table import Expression, Item, Table
from sessions_core.errors import CorruptItemError, StoreUnavailableError
from sessions_core.feed_records import Segment
from sessions_core.revocation_feed import (
    ENTRY_LIFETIME,
    SHARDS,
    WRITE_BOUND,
    FeedEntry,
    from_ms,
    partition_of,
    partitions,
    to_ms,
)

PARTITION_KEY = "p"
SORT_KEY = "s"
PROGRESS = "~"  # sorts after every 13-digit second
# A write slower than WRITE_BOUND is made again, freshly stamped, this many times in all.
_STAMP_ATTEMPTS = 3


def feed_table_name(sessions_table: str) -> str:
    """The feed table that goes with a sessions table (as template.yaml names it)."""
    return f"{sessions_table}-feed"


class FeedTable:
    """The feed of one prefix in one table.

    Args:
        name: the feed table.
        client: a botocore DynamoDB client.
        prefix: the namespace (a store's prefix).
        replicas: how many copies of the packed seconds the compactor writes.
        replica: the copy this process reads.
        system_clock: this machine's clock, for the offset from DynamoDB's.
        page_size: ``Limit`` of each Query page (tests make it small).
    """

    def __init__(
        self,
        name: str,
        client: Any,
        prefix: str,
        *,
        replicas: int = 1,
        replica: int = 0,
        system_clock: Callable[[], datetime] | None = None,
        page_size: int | None = None,
    ) -> None:
        self.table = Table(name, client, page_size=page_size)
        self.prefix = prefix
        self.replicas = replicas
        self.replica = replica % replicas
        self.clock = DynamoDBClock(server_time_of(client, system_clock), self._prime)

    def with_prefix(self, prefix: str) -> FeedTable:
        """The same table under ``prefix``."""
        view = copy.copy(self)
        view.prefix = prefix
        return view

    def _prime(self) -> None:
        # Any answer tells DynamoDB's time; this one costs half a read unit.
        self.table.get(self._progress_key(0), consistent=False)

    # -- entries ---------------------------------------------------------------------

    def append(self, entries: list[FeedEntry], now: Callable[[], datetime]) -> None:
        """Write ``entries`` (BatchWriteItem, 25 a request); a write that took longer
        than `WRITE_BOUND` is made again stamped ``now()``, so that every entry is
        visible within `WRITE_BOUND` of its stamp.

        Raises:
            StoreUnavailableError: the table did not answer, or not fast enough.
            StoreConfigurationError: the feed table is missing.
        """
        pending = entries
        for _ in range(_STAMP_ATTEMPTS):
            started = time.monotonic()
            self.table.put_many([self._entry_item(entry) for entry in pending])
            if time.monotonic() - started <= WRITE_BOUND.total_seconds():
                return
            moment = now()
            pending = [entry.stamped(moment) for entry in pending]
        raise StoreUnavailableError("the revocation feed answered too slowly: try again")

    def entries(self, since: datetime, until: datetime) -> list[FeedEntry]:
        """Every entry stamped from ``since`` to ``until``: one strongly consistent
        Query per shard of each hour (pages past 1 MB).

        Raises:
            StoreUnavailableError: the table did not answer.
            CorruptItemError: an entry is unreadable (fail closed).
        """
        found: list[FeedEntry] = []
        if since > until:  # a reader behind the compactor's clock: nothing to read
            return found
        low, high = f"{to_ms(since):013d}", f"{to_ms(until):013d}~"
        for hour in partitions(since, until):
            for shard in range(SHARDS):
                condition = Expression(
                    condition="p = :p AND s BETWEEN :low AND :high",
                    values={
                        ":p": {"S": f"{self.prefix}e#{hour}#{shard}"},
                        ":low": {"S": low},
                        ":high": {"S": high},
                    },
                )
                for page in self.table.query(None, condition, consistent=True):
                    found += [_entry_of(item) for item in page]
        return found

    # -- packed seconds ----------------------------------------------------------------

    def segments(self, after_ms: int) -> tuple[list[Segment], datetime | None]:
        """The packed seconds after ``after_ms`` in this process's replica, and how far
        packing has reached (None: never packed): one strongly consistent Query.

        Raises:
            StoreUnavailableError: the table did not answer.
            CorruptItemError: a segment is unreadable (fail closed).
        """
        condition = Expression(
            condition="p = :p AND s > :after",
            values={
                ":p": {"S": f"{self.prefix}c#{self.replica}"},
                ":after": {"S": f"{after_ms:013d}"},
            },
        )
        found: list[Segment] = []
        packed: datetime | None = None
        for page in self.table.query(None, condition, consistent=True):
            for item in page:
                if item[SORT_KEY]["S"] == PROGRESS:
                    packed = from_ms(int(item["u"]["N"]))
                else:
                    found.append(_segment_of(item))
        return found, packed

    def write_segments(self, segments: Iterable[Segment], *, packed_until: datetime) -> None:
        """Write the packed seconds to every replica, then where packing stands.

        Raises:
            StoreUnavailableError: the table did not answer.
        """
        kept = list(segments)
        for replica in range(self.replicas):
            partition = {"S": f"{self.prefix}c#{replica}"}
            items = [_segment_item(partition, segment) for segment in kept]
            if items:
                self.table.put_many(items)
            progress = {**self._progress_key(replica), "u": {"N": str(to_ms(packed_until))}}
            self.table.put(progress)

    def _progress_key(self, replica: int) -> Item:
        return {PARTITION_KEY: {"S": f"{self.prefix}c#{replica}"}, SORT_KEY: {"S": PROGRESS}}

    def _entry_item(self, entry: FeedEntry) -> Item:
        stamp = to_ms(entry.revoked_at)
        item: Item = {
            PARTITION_KEY: {"S": f"{self.prefix}e#{partition_of(entry.revoked_at)}#{entry.shard}"},
            SORT_KEY: {"S": f"{stamp:013d}#{entry.name}"},
            "ttl": {"N": str(_ttl(stamp))},
        }
        if entry.before is not None:
            item["b"] = {"N": str(to_ms(entry.before))}
        if entry.keep_session_id is not None:
            item["k"] = {"S": entry.keep_session_id}
        return item


def _ttl(stamp_ms: int) -> int:
    return math.ceil((stamp_ms + ENTRY_LIFETIME.total_seconds() * 1000) / 1000)


def _segment_item(partition: Item, segment: Segment) -> Item:
    item: Item = {
        PARTITION_KEY: partition,
        SORT_KEY: {"S": f"{segment.second_ms:013d}"},
        "ttl": {"N": str(_ttl(segment.second_ms))},
    }
    if segment.sessions:
        item["d"] = {"B": segment.sessions}
    if segment.others:
        item["o"] = {"B": segment.others}
    return item


def _entry_of(item: Item) -> FeedEntry:
    try:
        stamp, name = str(item[SORT_KEY]["S"]).split("#", 1)
        before = item.get("b")
        keep = item.get("k")
        return FeedEntry(
            name,
            from_ms(int(stamp)),
            before=from_ms(int(before["N"])) if before else None,
            keep_session_id=str(keep["S"]) if keep else None,
        )
    except (KeyError, TypeError, ValueError) as error:
        # Skipping it could let a revoked token through: fail closed instead.
        raise CorruptItemError("a revocation feed entry is unreadable") from error


def _segment_of(item: Item) -> Segment:
    try:
        return Segment(
            int(item[SORT_KEY]["S"]),
            bytes(item["d"]["B"]) if "d" in item else b"",
            bytes(item["o"]["B"]) if "o" in item else b"",
        )
    except (KeyError, TypeError, ValueError) as error:
        raise CorruptItemError("a packed second of the revocation feed is unreadable") from error
