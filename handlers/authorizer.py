"""HTTP API Lambda authorizer (payload 2.0, simple responses).

On the hot path of every API that uses it, so it imports only the core and the
credential parser: no HTTP framework, no Powertools. Fails closed: a store outage
denies (API Gateway answers 403 to the caller) and is logged.
"""

from __future__ import annotations

import logging
from typing import Any

from handlers import settings as runtime
from handlers.credentials import credential_from
from sessions_core import SessionError

logger = logging.getLogger("sessions.authorizer")
logger.setLevel(logging.INFO)

DENY: dict[str, Any] = {"isAuthorized": False}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Allow with ``{userId, sessionId}`` in the context, or deny."""
    credential = credential_from(event.get("headers"), event.get("cookies"))
    if credential is None:
        return DENY
    agent = event.get("requestContext", {}).get("http", {}).get("userAgent")
    try:
        result = runtime.manager().validate(credential.token, user_agent=agent)
    except SessionError as error:
        logger.error("authorizer denied: store error %s", error.code)
        return DENY
    if result.session is None:
        return DENY
    return {
        "isAuthorized": True,
        "context": {"userId": result.session.user_id, "sessionId": result.session.id},
    }
