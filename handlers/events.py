"""The events function: the table's stream (NEW_AND_OLD_IMAGES) → EventBridge and the
users' activity. A stream event source mapping with ``ReportBatchItemFailures``, bisect on
error and an on-failure queue feeds it; its filter leaves out every item that is not a
session (its own activity writes included).

Environment: ``SESSIONS_EVENT_BUS`` (name or ARN), ``SESSIONS_ACTIVITY_RETENTION_DAYS``
(90), and the table's settings as every function has them.
"""

from __future__ import annotations

import os
from datetime import timedelta
from functools import cache
from typing import Any

import botocore.session
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.observability import count, logger, manager_event, metrics
from handlers.stream_processor import StreamProcessor
from handlers.wiring import Wiring
from sessions_core import DynamoDBSessionStore
from sessions_core.activity import ActivityEvent
from sessions_core.dynamodb.client import client_config

wiring = Wiring(observer=manager_event)
DEFAULT_RETENTION_DAYS = 90


def retention() -> timedelta:
    """``SESSIONS_ACTIVITY_RETENTION_DAYS`` (90)."""
    return timedelta(days=int(os.environ.get("SESSIONS_ACTIVITY_RETENTION_DAYS") or 90))


@cache
def _event_bridge() -> Any:
    """One EventBridge client per cold start, bounded like the DynamoDB one."""
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    return botocore.session.get_session().create_client(
        "events", region_name=region, config=client_config()
    )


def counted(event: ActivityEvent) -> None:
    """Count what was published; a replayed token is worth an alarm of its own."""
    count("EventsPublished")
    if event.reason == "reuse_detected":
        count("ReuseDetected")
        logger.warning("token reuse detected", extra={"sessionId": event.session_id})


def processor() -> StreamProcessor:
    """The processor for this cold start's table and bus."""
    store = wiring.runtime().manager.config.namespaced_store
    if not isinstance(store, DynamoDBSessionStore):
        raise TypeError("the events function reads a DynamoDB table's stream")
    return StreamProcessor(
        store=store,
        layout=store.layout,
        events=_event_bridge(),
        bus=os.environ.get("SESSIONS_EVENT_BUS") or "default",
        retention=retention(),
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
