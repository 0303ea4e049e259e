"""The revocation feed as it was before the feed table (kept only to measure it beside
the new one in the same run): each entry an attribute of its bucket's shard item in the
sessions table, ``<prefix>feed#<5-minute bucket ms>#<shard of 4>``, appended with one
UpdateItem per item touched and read with one BatchGetItem of the window's items; a
refresh re-read 30 s before its last read."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

from sessions_core.dynamodb.table import Expression, Table
from sessions_core.revocation_feed import RELEVANT_FOR, to_ms

BUCKET = timedelta(minutes=5)
SHARDS = 4
OVERLAP = timedelta(seconds=30)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _bucket(moment: datetime) -> int:
    size = int(BUCKET.total_seconds() * 1000)
    return to_ms(moment) // size * size


def _key(bucket: int, shard: int) -> dict[str, Any]:
    return {"id": {"S": f"session:feed#{bucket}#{shard}"}}


def append(table: Table, names: list[str], at: datetime) -> None:
    """File ``names`` (``s:<session id>``) at ``at``: one UpdateItem per item touched,
    each entry a top-level attribute ``{t: ms}``."""
    by_shard: dict[int, list[str]] = {}
    for name in names:
        by_shard.setdefault(zlib.crc32(name.encode()) % SHARDS, []).append(name)
    for shard, grouped in by_shard.items():
        sets = ", ".join(f"#e{n} = :e{n}" for n in range(len(grouped)))
        table.update(
            _key(_bucket(at), shard),
            Expression(
                update=f"SET {sets}",
                names={f"#e{n}": name for n, name in enumerate(grouped)},
                values={f":e{n}": {"M": {"t": {"N": str(to_ms(at))}}} for n in range(len(grouped))},
            ),
        )


def read(table: Table, since: datetime, until: datetime) -> int:
    """Read every item of the buckets from ``since`` to ``until`` (strongly consistent
    BatchGetItem); how many entries they held."""
    size = int(BUCKET.total_seconds() * 1000)
    keys = [
        _key(bucket, shard)
        for bucket in range(_bucket(since), _bucket(until) + 1, size)
        for shard in range(SHARDS)
    ]
    found = 0
    for start in range(0, len(keys), 100):
        for item in table.batch_get(keys[start : start + 100]).values():
            found += sum(1 for name in item if name.startswith("s:"))
    return found


def cold_window(now: datetime) -> tuple[datetime, datetime]:
    """What a cold reader read: every bucket an entry may still matter in."""
    return now - RELEVANT_FOR - OVERLAP, now


def warm_window(now: datetime, last: datetime) -> tuple[datetime, datetime]:
    """What a warm reader read: from 30 s before its last read."""
    return last - OVERLAP, now
