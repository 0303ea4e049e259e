"""The revocation feed in read and write units, before (entries as attributes of shard
items in the sessions table, `feed_before`) and after (an item per entry in the feed
table, packed seconds), on dynalite with ``ReturnConsumedCapacity`` (an empty Query page
billed at DynamoDB's one-unit minimum): an append, a warm poll with nothing new and a
cold start, at 0, 1,000 and 10,000 live entries; then `fleet`, the table those units
give a fleet of authorizers at DynamoDB's published limits and on-demand prices."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from bench import feed_before
from bench.capacity import item_size
from handlers.token_authorizer import FeedReader
from sessions_core.dynamodb.feed_table import FeedTable
from sessions_core.dynamodb.schema import create_table_request
from sessions_core.dynamodb.setup import create_table
from sessions_core.dynamodb.table import Table
from sessions_core.feed_compactor import compact
from sessions_core.revocation_feed import DEFAULT_POLL, OVERLAP, REPACK, SHARDS, session_entry
from tests.harness.consumed import ConsumedCapacity

SIZES = (0, 1_000, 10_000)
NOW = datetime(2026, 1, 15, 12, 22, 30, tzinfo=UTC)  # mid-hour and mid-bucket (before: 5 min)
# Published limits and prices (us-east-1 on-demand, 2026): check the pages.
PARTITION_RCU = 3_000
PARTITION_WCU = 1_000
TARGET_RCU, TARGET_WCU = PARTITION_RCU / 2, PARTITION_WCU / 2
READ_PRICE = 0.125 / 1e6  # per read request unit (4 KB strongly consistent)
WRITE_PRICE = 0.625 / 1e6  # per write request unit (1 KB)
PRICES_SOURCE = (
    "aws.amazon.com/dynamodb/pricing/on-demand; per-partition limits: DynamoDB developer guide"
)
SECONDS_A_MONTH = 2_628_000
PACKED_POLL = 4.0  # what a packed fleet polls at, for a lag of poll + 1 s + a pass


def _units(meter: ConsumedCapacity, work: Any) -> dict[str, Any]:
    with meter.measuring() as used:
        work()
    return {"read": used.read, "write": used.write, "requests": sum(used.requests.values())}


def _before(client: Any, meter: ConsumedCapacity, size: int) -> dict[str, Any]:
    table = Table(f"bench-feed-before-{size}-{uuid.uuid4().hex[:6]}", client)
    client.create_table(**create_table_request(table.name))
    client.get_waiter("table_exists").wait(TableName=table.name, WaiterConfig={"Delay": 1})
    names = [f"s:{uuid.uuid4()}" for _ in range(size)]
    for start in range(0, size, 50):
        feed_before.append(table, names[start : start + 50], NOW - timedelta(seconds=3))
    return {
        "append": _units(meter, lambda: feed_before.append(table, [f"s:{uuid.uuid4()}"], NOW)),
        "warm_poll": _units(
            meter,
            lambda: feed_before.read(table, *feed_before.warm_window(NOW + DEFAULT_POLL, NOW)),
        ),
        "cold_start": _units(meter, lambda: feed_before.read(table, *feed_before.cold_window(NOW))),
    }


def _after(client: Any, meter: ConsumedCapacity, size: int) -> dict[str, Any]:
    feed = FeedTable(f"bench-feed-{size}-{uuid.uuid4().hex[:6]}", client, "session:")
    create_table(feed.table, feed=True)
    start = NOW - timedelta(seconds=30)
    entries = [
        session_entry(str(uuid.uuid4()), start + timedelta(milliseconds=n % 3_000))
        for n in range(size)
    ]
    for first in range(0, size, 25):
        feed.append(entries[first : first + 25], lambda: NOW)
    # before any packing (a compactor that never ran): the entries themselves
    unpacked = _units(meter, lambda: FeedReader(feed).refresh(NOW))
    compact(feed, NOW)
    warm = FeedReader(feed)
    warm.refresh(NOW - DEFAULT_POLL)
    warm.refresh(NOW)
    one = [session_entry(str(uuid.uuid4()), NOW)]
    row = {
        "append": _units(meter, lambda: feed.append(one, lambda: NOW)),
        "warm_poll": _units(meter, lambda: warm.refresh(NOW + DEFAULT_POLL)),
        "cold_start": _units(meter, lambda: FeedReader(feed).refresh(NOW)),
        "cold_start_unpacked": unpacked,
    }
    fresh = [
        session_entry(str(uuid.uuid4()), NOW + DEFAULT_POLL + timedelta(milliseconds=n))
        for n in range(1_000)
    ]
    for first in range(0, len(fresh), 25):
        feed.append(fresh[first : first + 25], lambda: NOW)
    later = NOW + 2 * DEFAULT_POLL
    row["warm_poll_1000_new"] = _units(meter, lambda: warm.refresh(later))
    compact(feed, later)
    packed = FeedReader(feed, packed=True)
    packed.refresh(later)
    quiet = later + DEFAULT_POLL
    compact(feed, quiet)
    row["packed_poll"] = _units(meter, lambda: packed.refresh(quiet))
    return row


def measure_feed(client: Any) -> dict[str, Any]:
    """Units per operation, before and after, at each size; and the fleet table."""
    meter = ConsumedCapacity(client)
    before = {str(size): _before(client, meter, size) for size in SIZES}
    after = {str(size): _after(client, meter, size) for size in SIZES}
    entry = FeedTable("t", client, "session:")._entry_item(session_entry(str(uuid.uuid4()), NOW))
    rates = {
        "entry_bytes": item_size(entry),
        "direct_units_per_entry": (
            after["1000"]["warm_poll_1000_new"]["read"] - after["1000"]["warm_poll"]["read"]
        )
        / 1_000,
        "packed_units_per_entry": (
            after["10000"]["cold_start"]["read"] - after["0"]["cold_start"]["read"]
        )
        / 10_000,
    }
    return {
        "before": before,
        "after": after,
        "rates": rates,
        "fleet": fleet(rates),
        "prices": PRICES_SOURCE,
    }


def fleet(rates: dict[str, float]) -> list[dict[str, Any]]:
    """For containers 10 to 10,000 and revocations 1 to 1,000 a second: the busiest
    partition's read and write units a second, dollars a month and the lag, in the
    cheapest mode that keeps every partition under half its limit."""
    rows = []
    for containers in (10, 100, 1_000, 10_000):
        for rate in (1, 10, 100, 1_000):
            direct = _direct(containers, rate, rates)
            chosen = direct if direct["max_partition_rcu_per_second"] <= TARGET_RCU else None
            rows.append(chosen or _packed(containers, rate, rates))
    return rows


def _compactor(rate: float, rates: dict[str, float], replicas: int) -> tuple[float, float]:
    """Read and write units a second of the compactor: each second's entries read
    ``1 + REPACK`` times, one Query a shard; each segment written as often, per replica."""
    passes = 1 + REPACK.total_seconds()
    reads = SHARDS + rate * passes * rates["direct_units_per_entry"]
    segment = max(1.0, math.ceil(rate * 8 / 1024))
    return reads, replicas * (passes * segment + 1)


def _dollars(read_per_second: float, write_per_second: float) -> float:
    month = SECONDS_A_MONTH * (read_per_second * READ_PRICE + write_per_second * WRITE_PRICE)
    return round(month, 2)


def _direct(containers: int, rate: int, rates: dict[str, float]) -> dict[str, Any]:
    poll = DEFAULT_POLL.total_seconds()
    polls = containers / poll
    per_query = max(
        1.0, rate * (poll + OVERLAP.total_seconds()) / SHARDS * rates["direct_units_per_entry"]
    )
    compactor_reads, compactor_writes = _compactor(rate, rates, 1)
    return {
        "containers": containers,
        "revocations_per_second": rate,
        "max_partition_rcu_per_second": round(polls * per_query + compactor_reads / SHARDS, 1),
        "max_partition_wcu_per_second": round(max(rate / SHARDS, compactor_writes), 1),
        "dollars_per_month": _dollars(
            polls * SHARDS * per_query + compactor_reads, rate + compactor_writes
        ),
        "lag_seconds": poll + 1,
        "mode": "entries",
        "replicas": 1,
        "requests_per_poll": SHARDS,
    }


def _packed(containers: int, rate: int, rates: dict[str, float]) -> dict[str, Any]:
    polls = containers / PACKED_POLL
    window = PACKED_POLL + REPACK.total_seconds()
    per_poll = max(1.0, rate * window * rates["packed_units_per_entry"] + window * 48 / 4096)
    total = polls * per_poll
    replicas = max(1, math.ceil(total / TARGET_RCU))
    compactor_reads, compactor_writes = _compactor(rate, rates, replicas)
    return {
        "containers": containers,
        "revocations_per_second": rate,
        "max_partition_rcu_per_second": round(total / replicas, 1),
        "max_partition_wcu_per_second": round(max(rate / SHARDS, compactor_writes / replicas), 1),
        "dollars_per_month": _dollars(total + compactor_reads, rate + compactor_writes),
        "lag_seconds": PACKED_POLL + 1 + 0.2,
        "mode": "packed",
        "replicas": replicas,
        "requests_per_poll": 1,
    }
