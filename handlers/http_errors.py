"""HTTP errors: one JSON shape, ``{error, message}``. Every error class says its own
status: the API's own here (a bad body, a missing token, a cross-site cookie...), the
core's `SessionError` subclasses on themselves (``http_status``). No map beside them.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from aws_lambda_powertools.event_handler import Response

from sessions_core import SessionError, SessionLimitError

RETRY_AFTER_SECONDS = "1"


class ApiError(Exception):
    """An error the API answers as such: its status and code are the class's, the
    message the instance's, with extra headers and fields when it has them."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    default_message: ClassVar[str] = "internal error"

    def __init__(
        self,
        message: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)
        self.headers = headers or {}
        # Fields an error adds to {error, message} (the active sessions of a 409).
        self.extra = extra or {}

    @property
    def error_code(self) -> str:
        """The ``error`` field of the answer."""
        return self.code


class BadRequestError(ApiError):
    """The body is not JSON, not UTF-8, nested too deeply or not an object."""

    status, code, default_message = 400, "bad_request", "the body must be a JSON object"


class NotAuthenticatedError(ApiError):
    """The token is missing, malformed, unknown, expired or revoked."""

    status, code, default_message = 401, "missing_token", "send the session token"


class InvalidCredentialsError(ApiError):
    """A sign-in with an unknown user or a wrong password (the demo login)."""

    status, code, default_message = 401, "invalid_credentials", "unknown user or wrong password"


class ForbiddenError(ApiError):
    """A service route reached without being an IAM-signed call to it."""

    status, code, default_message = 403, "forbidden", "this route needs an IAM-signed request"


class ForbiddenOriginError(ApiError):
    """A cookie sent from a page that may not use it to change a session."""

    status, code, default_message = (
        403,
        "forbidden_origin",
        "this origin may not change the session",
    )


class ReauthenticationRequiredError(ApiError):
    """A sensitive action whose caller signed in too long ago (step-up)."""

    status, code = 403, "reauthentication_required"
    default_message = "confirm it is you (sign in again) to do this"


class RouteNotFoundError(ApiError):
    """No such route (or another function's)."""

    status, code, default_message = 404, "not_found", "no such route"


class ConflictError(ApiError):
    """The session can no longer be used for this (its code says why)."""

    status, code, default_message = 409, "conflict", "the session can no longer be used"

    def __init__(self, error: SessionError) -> None:
        super().__init__(error.message)
        self._code = error.code

    @property
    def error_code(self) -> str:
        """The error's own code (``session_revoked``, ``session_expired``)."""
        return self._code


class PayloadTooLargeError(ApiError):
    """The body is larger than 16 KiB, or its metadata larger than 2 KiB."""

    status, code, default_message = 413, "payload_too_large", "the body is larger than 16 KiB"


class UnsupportedMediaTypeError(ApiError):
    """The body is not sent as application/json."""

    status, code, default_message = 415, "unsupported_media_type", "send application/json"


class InvalidRequestError(ApiError):
    """Fields of the body are missing or invalid (the message names them)."""

    status, code, default_message = 422, "invalid_request", "invalid request"


class TooManyAttemptsError(ApiError):
    """Too many sign-in attempts: wait for ``Retry-After``."""

    status, code = 429, "too_many_attempts"
    default_message = "too many sign-in attempts; try again later"


class InternalServerError(ApiError):
    """Something failed on our side (details in the log, never in the answer)."""


class UnavailableError(ApiError):
    """The store is unavailable: retry after ``Retry-After``."""

    status, code = 503, "store_unavailable"
    default_message = "the session store is unavailable; retry shortly"


class _CoreError(ApiError):
    """A `SessionError` answered with its own status and code."""

    def __init__(self, error: SessionError, extra: dict[str, Any] | None = None) -> None:
        super().__init__(error.message, extra=extra)
        self._error = error

    @property
    def error_code(self) -> str:
        return self._error.code

    @property
    def answer_status(self) -> int:
        return self._error.http_status


def from_session_error(error: SessionError) -> ApiError:
    """The HTTP answer for a `SessionError`: its status and code, 503 + Retry-After
    when the store is down; a 500's details stay in the log."""
    if error.http_status == UnavailableError.status:
        return UnavailableError(headers={"Retry-After": RETRY_AFTER_SECONDS})
    if error.http_status >= InternalServerError.status:
        return InternalServerError()
    extra = None
    if isinstance(error, SessionLimitError):
        extra = {
            "sessions": [
                s.model_dump(mode="json", by_alias=True, exclude_none=True) for s in error.sessions
            ]
        }
    return _CoreError(error, extra)


def status_of(error: ApiError) -> int:
    """The status ``error`` answers with."""
    return error.answer_status if isinstance(error, _CoreError) else error.status


def error_payload(error: ApiError) -> dict[str, Any]:
    """The API Gateway (payload 2.0) response for an error."""
    return {
        "statusCode": status_of(error),
        "headers": {"Content-Type": "application/json", **error.headers},
        "body": json.dumps(
            {"error": error.error_code, "message": error.message, **error.extra},
            separators=(",", ":"),
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
