"""HTTP errors: one JSON shape, ``{error, message}``. Every error class says its own
status: the API's own here (a bad body, a missing token, a cross-site cookie...), the
core's `SessionError` subclasses on themselves (``http_status``). No map beside them.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from aws_lambda_powertools.event_handler import Response

from sessions_core import SessionError, SessionLimitError
from sessions_core.errors import RateLimitedError, first_line

RETRY_AFTER_SECONDS = "1"


class ApiError(Exception):
    """Internal error.

    An error the API answers as such: its status and code are the class's (class
    keywords), its default message the first line of its docstring; an instance may
    say more, and add headers and fields.
    """

    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    default_message: ClassVar[str] = "internal error"

    def __init_subclass__(cls, status: int = 0, code: str = "", **rest: object) -> None:
        super().__init_subclass__(**rest)
        cls.status = status or cls.status
        cls.code = code or cls.code
        cls.default_message = first_line(cls.__doc__) or cls.default_message

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


class BadRequestError(ApiError, status=400, code="bad_request"):
    """The body must be a JSON object (UTF-8, nested at most 32 levels)."""


class NotAuthenticatedError(ApiError, status=401, code="missing_token"):
    """Send the session token as a Bearer token or the session cookie."""


class InvalidCredentialsError(ApiError, status=401, code="invalid_credentials"):
    """Unknown user or wrong password."""


class ForbiddenError(ApiError, status=403, code="forbidden"):
    """This route needs an IAM-signed request."""


class ForbiddenOriginError(ApiError, status=403, code="forbidden_origin"):
    """This origin may not change the session (a cookie sent cross-site)."""


class ReauthenticationRequiredError(ApiError, status=403, code="reauthentication_required"):
    """Confirm it is you (sign in again) to do this."""


class RouteNotFoundError(ApiError, status=404, code="not_found"):
    """No such route."""


class ConflictError(ApiError, status=409, code="conflict"):
    """The session can no longer be used (its code says why)."""

    def __init__(self, error: SessionError) -> None:
        super().__init__(error.message)
        self._code = error.code

    @property
    def error_code(self) -> str:
        """The error's own code (``session_revoked``, ``session_expired``)."""
        return self._code


class PayloadTooLargeError(ApiError, status=413, code="payload_too_large"):
    """The body is larger than 16 KiB."""


class UnsupportedMediaTypeError(ApiError, status=415, code="unsupported_media_type"):
    """Send application/json."""


class InvalidRequestError(ApiError, status=422, code="invalid_request"):
    """Invalid request: fields are missing or invalid (the message names them)."""


class TooManyAttemptsError(ApiError, status=429, code="too_many_attempts"):
    """Too many sign-in attempts; try again after Retry-After."""


class InternalServerError(ApiError):
    """Internal error.

    The details are in the log, never in the answer.
    """


class UnavailableError(ApiError, status=503, code="store_unavailable"):
    """The session store is unavailable; retry after Retry-After."""


class _CoreError(ApiError):
    """A `SessionError` answered with its own status and code."""

    def __init__(
        self,
        error: SessionError,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(error.message, extra=extra, headers=headers)
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
    if isinstance(error, RateLimitedError):
        return _CoreError(error, headers={"Retry-After": str(error.retry_after)})
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
