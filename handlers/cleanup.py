"""Scheduled cleanup (EventBridge): deletes expired sessions, tombstones and markers.

Its work follows what has expired, not the table's size (see
`sessions_core.dynamodb.cleanup`); DynamoDB TTL deletes the same items, days later.
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.observability import count, logger, manager_event, metrics
from handlers.wiring import Wiring

wiring = Wiring(observer=manager_event)


@logger.inject_lambda_context(clear_state=True, log_event=False)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    """Purge up to ``CLEANUP_MAX_DELETES`` expired items (unset: no limit)."""
    limit_text = os.environ.get("CLEANUP_MAX_DELETES", "")
    limit = int(limit_text) if limit_text.strip() else None
    deleted = wiring.runtime().manager.purge_expired(limit=limit)
    count("ItemsPurged", deleted)
    logger.info("cleanup finished", extra={"deleted": deleted, "limit": limit})
    return {"deleted": deleted}
