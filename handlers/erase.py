"""The erase function: ``DELETE /users/{userId}`` and nothing else, under a role of its
own (it alone may batch-delete a user's items and publish ``user.erased``; the role the
client routes run under cannot)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.api import serve
from handlers.observability import logger, metrics
from handlers.route_table import ERASE_FUNCTION


# log_event=False whatever POWERTOOLS_LOGGER_LOG_EVENT says, as in the API.
@logger.inject_lambda_context(
    correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True, log_event=False
)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Lambda entry point of the erasure route (any other route answers 404)."""
    return serve(event, context, ERASE_FUNCTION)
