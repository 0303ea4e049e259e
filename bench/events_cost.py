"""What the events function costs per 1,000 session changes: its DynamoDB requests and
write units, and its EventBridge PutEvents calls (on moto in process, which has the
stream; write units from DynamoDB's sizing rules, since moto does not size GSI writes).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bench.capacity import item_size, write_units
from bench.measure import Clock, Meter
from handlers.stream_processor import StreamProcessor
from sessions_core import DynamoDBSessionStore, SessionConfig, SessionManager
from sessions_core.dynamodb.schema import GLOBAL_SECONDARY_INDEXES
from sessions_local.stream_poller import read_stream

CHANGES = 1000
UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"


class CountingBus:
    """Counts PutEvents calls and entries (and accepts them all)."""

    def __init__(self) -> None:
        self.calls = 0
        self.entries = 0

    def put_events(self, *, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        self.calls += 1
        self.entries += len(Entries)
        return {"FailedEntryCount": 0, "Entries": [{"EventId": "x"} for _ in Entries]}


def measure_events_cost(client: Any) -> dict[str, Any]:
    """Make 1,000 changes (creates, refreshes, revocations), process their stream."""
    clock = Clock()
    store = DynamoDBSessionStore("bench-events", client=client)
    store.create_table()
    manager = SessionManager(SessionConfig(store, clock=clock))
    made = 0
    while made < CHANGES:
        session = manager.create(user_id=f"u{made % 50}", user_agent=UA, ip_address="203.0.113.7")
        clock.advance(seconds=1)
        rotated = manager.refresh(session.token or "")
        manager.destroy(rotated.id, reason="logout")
        made += 3
    records = read_stream(store) or []
    bus = CountingBus()
    meter = Meter(client)
    processor = StreamProcessor(
        store=store,
        layout=store.layout,
        keys=manager.config.keys,
        events=bus,
        bus="b",
        retention=timedelta(days=90),
    )
    processor.process(records)
    writes = meter.snapshot()
    meter.close()
    items = [
        item
        for page in [client.scan(TableName=store.table_name)["Items"]]
        for item in page
        if item["id"]["S"].startswith("session:activity:")
    ]
    per_item = max(write_units(0, item_size(item)) for item in items)
    # Each activity item is written to the table and to every index whose keys it has.
    indexes = sum(
        1
        for index in GLOBAL_SECONDARY_INDEXES
        if all(key["AttributeName"] in items[0] for key in index["KeySchema"])
    )
    scale = CHANGES / len(records)
    return {
        "changes": len(records),
        "dynamodb_requests_per_1000": round(writes["requests"] * scale),
        "write_units_per_1000": round(len(items) * per_item * (1 + indexes) * scale),
        "put_events_calls_per_1000": round(bus.calls * scale),
        "events_per_1000": round(bus.entries * scale),
        "indexes_written": indexes,
        "activity_item_bytes": max(item_size(item) for item in items),
    }
