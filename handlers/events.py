"""The events function: the table's stream (NEW_AND_OLD_IMAGES) → EventBridge and the
users' activity. A stream event source mapping with ``ReportBatchItemFailures``, bisect on
error and an on-failure queue feeds it; its filter leaves out every item that is not a
session (its own activity writes included).

Its bus and the activity's retention come from `Settings` (``SESSIONS_EVENT_BUS``,
``SESSIONS_ACTIVITY_RETENTION_DAYS``), as the API's listing of that activity does.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.observability import count, logger, manager_event, metrics
from handlers.stream_processor import StreamProcessor
from handlers.wiring import Wiring
from sessions_core import DynamoDBSessionStore
from sessions_core.activity import ActivityEvent

wiring = Wiring(observer=manager_event)


def counted(event: ActivityEvent) -> None:
    """Count what was published; a replayed token is worth an alarm of its own."""
    count("EventsPublished")
    if event.reason == "reuse_detected":
        count("ReuseDetected")
        logger.warning("token reuse detected", extra={"sessionId": event.session_id})


def processor() -> StreamProcessor:
    """The processor for this cold start's table and bus."""
    runtime = wiring.runtime()
    config = runtime.manager.config
    store = config.namespaced_store
    if not isinstance(store, DynamoDBSessionStore):
        raise TypeError("the events function reads a DynamoDB table's stream")
    return StreamProcessor(
        store=store,
        layout=store.layout,
        keys=config.keys,
        events=runtime.events,
        bus=runtime.settings.event_bus,
        retention=config.activity_retention,
        on_published=counted,
    )


@logger.inject_lambda_context(clear_state=True, log_event=False)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """One batch of stream records; failures reported per record."""
    records = event.get("Records") or []
    answer = processor().process(records)
    logger.info(
        "stream batch handled",
        extra={"records": len(records), "failed": len(answer["batchItemFailures"])},
    )
    return answer
