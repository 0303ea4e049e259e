"""The events function for `sessions serve`: a poller over the local table's stream,
publishing to an EventBridge bus on the embedded moto (or, where there is none, only
keeping the activity), one log line per event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from handlers.stream_processor import StreamProcessor
from handlers.wiring import Runtime
from sessions_core import DynamoDBSessionStore
from sessions_core.activity import ActivityEvent
from sessions_local.stream_poller import StreamPoller, forget_in_embedded_moto, streams_client

BUS = "sessions"


class KeepOnly:
    """A bus that takes every entry and drops it: where no EventBridge is at hand, the
    activity is still kept and printed."""

    def put_events(self, *, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        return {"FailedEntryCount": 0, "Entries": [{"EventId": "local"} for _ in Entries]}


def start_local_events(runtime: Runtime, *, embedded: bool, log: Callable[[str], None]) -> str:
    """Start polling the runtime's table's stream in the background, with the events
    function's processing and settings; a line for the banner."""
    config = runtime.manager.config
    store = config.namespaced_store
    if not isinstance(store, DynamoDBSessionStore):
        return "off (not a DynamoDB table)"
    table = store.table_name
    arn = store.client.describe_table(TableName=table)["Table"].get("LatestStreamArn")
    if not arn:
        return "off (this DynamoDB has no streams)"
    streams = streams_client(store, runtime.settings.local_credentials)
    bus: Any = KeepOnly()
    if embedded:
        bus = runtime.events
        bus.create_event_bus(Name=BUS)

    def published(event: ActivityEvent) -> None:
        why = f" ({event.reason})" if event.reason else ""
        log(f"event {event.type}{why} session {event.session_id}")

    processor = StreamProcessor(
        store=store,
        layout=store.layout,
        keys=config.keys,
        events=bus,
        bus=BUS,
        retention=config.activity_retention,
        on_published=published,
    )
    poller = StreamPoller(
        streams, arn, processor, forget=forget_in_embedded_moto if embedded else lambda _: None
    )
    poller.start()
    where = f"EventBridge bus {BUS!r} on the embedded moto" if embedded else "activity only"
    return f"on: the table's stream, polled every second -> {where}"
