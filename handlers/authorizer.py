"""HTTP API Lambda authorizer (payload 2.0, simple responses).

On the hot path of every API that uses it, so it imports only the core and the
credential parser: no HTTP framework, no Powertools, and the models only for a session
token (`wiring.Runtime` builds the manager on first use). Fails closed: a store outage
denies (API Gateway answers 403 to the caller) and is logged.
"""

from __future__ import annotations

import logging
from typing import Any

from handlers.coldstart import imports_without_gc

with imports_without_gc():
    from handlers.client_origin import client_origin
    from handlers.credentials import cookie_allowed, credential_from
    from handlers.wiring import Runtime, Wiring
    from sessions_core.errors import SessionError

logger = logging.getLogger("sessions.authorizer")
logger.setLevel(logging.INFO)

DENY: dict[str, Any] = {"isAuthorized": False}
# A session token is ``<id>.<secret>``; an access token is a JWT (three parts).
ACCESS_TOKEN_DOTS = 2

# Built on the first event of each cold start (no metrics here: no Powertools).
wiring = Wiring()


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Allow with ``{userId, sessionId, authenticatedAt, aal, credential}`` in the
    context, or deny. ``credential`` says how the caller proved it (``bearer`` or
    ``cookie``: a session token, read in DynamoDB; ``access_token``: a JWT verified
    here against the key set and the revocation feed, no read while the feed is
    fresh), so the API behind may apply its own policy.

    A cookie on a method that changes state (anything but GET, HEAD, OPTIONS) must come
    from an allowed ``Origin`` (or, without one, ``Sec-Fetch-Site: same-origin``):
    otherwise any site could make a signed-in browser call the API (CSRF).

    Whatever the event's shape (headers as a list, ``None`` cookies, not even a dict),
    it answers: what it cannot read is no credential, and no credential is a deny.
    """
    try:
        return _decide(_dict(event))
    except SessionError as error:
        logger.error("authorizer denied: store error %s", error.code)
    except Exception as error:  # fail closed on anything unforeseen, never a Lambda error
        logger.error("authorizer denied: unexpected %s", type(error).__name__)
    return DENY


def _decide(event: dict[str, Any]) -> dict[str, Any]:
    headers = event.get("headers")
    credential = credential_from(headers, event.get("cookies"))
    if credential is None:
        return DENY
    runtime = wiring.runtime()
    if credential.token.count(".") == ACCESS_TOKEN_DOTS:
        # Access tokens come in the Authorization header only: in the session cookie
        # one would skip the cookie's Origin check.
        if credential.source == "cookie":
            return DENY
        return _access_token(runtime, credential.token)
    if credential.source == "cookie":
        method = _dict(_dict(event.get("requestContext")).get("http")).get("method")
        if not cookie_allowed(str(method or ""), headers, runtime.settings.allowed_origins):
            return DENY
    origin = client_origin(event, trust_cloudfront=runtime.settings.trust_cloudfront)
    result = runtime.manager.validate(
        credential.token,
        user_agent=origin.user_agent,
        ip_address=origin.ip_address,
        country=origin.country,
    )
    session = result.session
    if session is None:
        return DENY
    proved = session.authenticated_at or session.created_at
    return {
        "isAuthorized": True,
        # authenticatedAt and aal let the APIs behind this authorizer ask for a recent
        # sign-in (step-up) on their own sensitive routes.
        "context": {
            "userId": session.user_id,
            "sessionId": session.id,
            "authenticatedAt": int(proved.timestamp()),
            "aal": session.aal,
            "credential": credential.source,
        },
    }


def _access_token(runtime: Runtime, token: str) -> dict[str, Any]:
    # A JWT: verified here, checked against the revocation feed; no session read.
    claims = runtime.token_authorizer.authorize(token)
    if claims is None:
        return DENY
    return {
        "isAuthorized": True,
        "context": {
            "userId": claims.sub,
            "sessionId": claims.sid,
            "authenticatedAt": claims.auth_time,
            "aal": claims.aal,
            "credential": "access_token",
        },
    }
