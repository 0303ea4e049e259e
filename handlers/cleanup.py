"""Scheduled cleanup (EventBridge): deletes expired sessions, tombstones and markers.

Its work follows what has expired, not the table's size (see
`sessions_core.dynamodb.cleanup`); DynamoDB TTL deletes the same items, days later.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.observability import count, logger, manager_event, metrics
from handlers.wiring import Wiring

wiring = Wiring(observer=manager_event)


@logger.inject_lambda_context(clear_state=True, log_event=False)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    """Purge up to ``CLEANUP_MAX_DELETES`` expired items (unset: no limit)."""
    runtime = wiring.runtime()
    limit = runtime.settings.cleanup_max_deletes
    deleted = runtime.manager.purge_expired(limit=limit)
    count("ItemsPurged", deleted)
    logger.info("cleanup finished", extra={"deleted": deleted, "limit": limit})
    return {"deleted": deleted}
