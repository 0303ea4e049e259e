"""The revocation feed in the base table (`revocation_feed`): one item per bucket and
shard, ``<prefix>feed#<bucket start ms>#<shard>``, each entry a top-level attribute
named by the entry (``s:<session id>``, ``u:<ref>:<call>``, ``a:<call>``) holding
``{t: revoked at, b?: before, k?: kept session}``.

The base table, not an index: a strongly consistent read sees an entry as soon as the
revoking call has returned. Appending is one UpdateItem per item touched (``SET`` of the
entry's own attribute: no read, no condition, no contention between writers); reading
a window is one BatchGetItem of its buckets' items. Items expire (TTL, cleanup) once
no token their entries deny can still be valid.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sessions_core.dynamodb.layout import EXPIRY_NAMES, EXPIRY_SET, Layout, from_ms, num, to_ms
from sessions_core.dynamodb.part import TablePart
from sessions_core.dynamodb.table import Expression, Item, Table
from sessions_core.errors import CorruptItemError
from sessions_core.revocation_feed import (
    FEED_ITEM_LIFETIME,
    SHARDS,
    FeedEntry,
    bucket_of,
    buckets,
)

_MAX_KEYS = 100  # BatchGetItem's limit
_ENTRY_PREFIXES = ("s:", "u:", "a:")


def feed_key(layout: Layout, bucket: datetime, shard: int) -> Item:
    """The key of one feed item."""
    return {"id": {"S": f"{layout.prefix}feed#{to_ms(bucket)}#{shard}"}}


def feed_keys(layout: Layout, since: datetime, until: datetime) -> list[Item]:
    """The keys of every feed item of the buckets from ``since`` to ``until``."""
    return [
        feed_key(layout, bucket, shard)
        for bucket in buckets(since, until)
        for shard in range(SHARDS)
    ]


def append(table: Table, layout: Layout, entries: Sequence[FeedEntry]) -> None:
    """Write ``entries``, one UpdateItem per item they fall in.

    Raises:
        StoreUnavailableError: DynamoDB did not answer.
    """
    by_item: dict[str, tuple[Item, list[FeedEntry]]] = {}
    for entry in entries:
        key = feed_key(layout, bucket_of(entry.revoked_at), entry.shard)
        by_item.setdefault(key["id"]["S"], (key, []))[1].append(entry)
    for key, grouped in by_item.values():
        bucket = bucket_of(grouped[0].revoked_at)
        names = {f"#e{n}": e.name for n, e in enumerate(grouped)}
        values = {f":e{n}": {"M": _value(e)} for n, e in enumerate(grouped)}
        sets = ", ".join(f"#e{n} = :e{n}" for n in range(len(grouped)))
        table.update(
            key,
            Expression(
                update=f"SET {sets}, {EXPIRY_SET}",
                names={**names, **EXPIRY_NAMES},
                values={**values, **layout.expiry_values(key, bucket + FEED_ITEM_LIFETIME)},
            ),
        )


def read(
    table: Table, layout: Layout, since: datetime, until: datetime, *, also: Iterable[Item] = ()
) -> tuple[list[FeedEntry], dict[str, Item]]:
    """Every entry of the buckets from ``since`` to ``until``, and the items at the
    keys ``also`` names (the authorizer reads its key set in the same request), by id:
    one strongly consistent BatchGetItem (more only past 100 keys).

    Raises:
        StoreUnavailableError: DynamoDB did not answer.
        CorruptItemError: an entry is unreadable.
    """
    feed = feed_keys(layout, since, until)
    keys = [*feed, *also]
    found: dict[str, Item] = {}
    for start in range(0, len(keys), _MAX_KEYS):
        found.update(table.batch_get(keys[start : start + _MAX_KEYS]))
    feed_ids = {k["id"]["S"] for k in feed}
    entries = [
        entry for item_id, item in found.items() if item_id in feed_ids for entry in _entries(item)
    ]
    return entries, found


class FeedItems(TablePart):
    """The store's `append_revocations` and `read_revocations`."""

    def append_revocations(self, entries: list[FeedEntry]) -> None:
        """Write ``entries`` (one UpdateItem per item touched)."""
        append(self.table, self.layout, entries)

    def read_revocations(self, since: datetime, until: datetime) -> list[FeedEntry]:
        """Every entry of the buckets from ``since`` to ``until`` (one BatchGetItem)."""
        return read(self.table, self.layout, since, until)[0]


def _value(entry: FeedEntry) -> Item:
    value: Item = {"t": num(to_ms(entry.revoked_at))}
    if entry.before is not None:
        value["b"] = num(to_ms(entry.before))
    if entry.keep_session_id is not None:
        value["k"] = {"S": entry.keep_session_id}
    return value


def _entries(item: Item) -> list[FeedEntry]:
    found = []
    for name, attribute in item.items():
        if not name.startswith(_ENTRY_PREFIXES):
            continue
        try:
            value = attribute["M"]
            before = value.get("b")
            keep = value.get("k")
            found.append(
                FeedEntry(
                    name,
                    from_ms(value["t"]["N"]),
                    before=from_ms(before["N"]) if before else None,
                    keep_session_id=str(keep["S"]) if keep else None,
                )
            )
        except (KeyError, TypeError, ValueError) as error:
            # Skipping it could let a revoked token through: fail closed instead.
            raise CorruptItemError("a revocation feed entry is unreadable") from error
    return found
