"""HTTP errors: one JSON shape, ``{error, message}``, and the status for every code."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response

from sessions_core import SessionError, SessionLimitError

RETRY_AFTER_SECONDS = "1"

# Status per SessionError code; anything unlisted is a 500 without details.
STATUS_BY_CODE = {
    "invalid_token": 401,
    "session_expired": 401,
    "session_revoked": 401,
    "user_agent_mismatch": 401,
    "session_not_found": 404,
    "session_limit_reached": 409,
    "invalid_argument": 422,
    "store_unavailable": 503,
}


class ApiError(Exception):
    """An error the API answers as such: status, code, message, extra headers."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        # Fields an error adds to {error, message} (the active sessions of a 409).
        self.extra = extra or {}


def from_session_error(error: SessionError) -> ApiError:
    """The HTTP answer for a `SessionError` (503 + Retry-After when the store is down;
    a misconfigured store is a 500 whose details stay in the log)."""
    status = STATUS_BY_CODE.get(error.code, 500)
    if status == 503:
        return ApiError(
            503,
            error.code,
            "the session store is unavailable; retry shortly",
            {"Retry-After": RETRY_AFTER_SECONDS},
        )
    if status == 500:
        return ApiError(500, "internal_error", "internal error")
    if isinstance(error, SessionLimitError):
        sessions = [
            s.model_dump(mode="json", by_alias=True, exclude_none=True) for s in error.sessions
        ]
        return ApiError(status, error.code, error.message, extra={"sessions": sessions})
    return ApiError(status, error.code, error.message)


def error_payload(error: ApiError) -> dict[str, Any]:
    """The API Gateway (payload 2.0) response for an error."""
    return {
        "statusCode": error.status,
        "headers": {"Content-Type": "application/json", **error.headers},
        "body": json.dumps(
            {"error": error.code, "message": error.message, **error.extra}, separators=(",", ":")
        ),
        "isBase64Encoded": False,
    }


def error_response(error: ApiError) -> Response[str]:
    """The same answer as `error_payload`, as a Powertools response (for exception
    handlers)."""
    payload = error_payload(error)
    return Response(
        status_code=payload["statusCode"],
        content_type="application/json",
        body=payload["body"],
        headers=error.headers,
    )
