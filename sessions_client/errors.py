"""The API's error answers as the `SessionError` classes `SessionManager` raises."""

from __future__ import annotations

from typing import Any

from sessions_core.errors import (
    ERRORS_BY_CODE,
    InvalidArgumentError,
    SessionError,
    SessionLimitError,
    StoreConfigurationError,
    StoreUnavailableError,
)
from sessions_core.models import PublicSession

_BY_STATUS: dict[int, type[SessionError]] = {
    422: InvalidArgumentError,
    413: InvalidArgumentError,
    400: InvalidArgumentError,
    503: StoreUnavailableError,
}


def error_from(status: int, answer: Any) -> SessionError:
    """The exception for an error answer: by its ``error`` code, else by its status."""
    body = answer if isinstance(answer, dict) else {}
    code = str(body.get("error") or "")
    message = str(body.get("message") or body.get("Message") or f"HTTP {status}")
    if code == SessionLimitError.default_code:
        sessions = [PublicSession.model_validate(s) for s in body.get("sessions", [])]
        return SessionLimitError(sessions, message)
    if code in ERRORS_BY_CODE:
        return ERRORS_BY_CODE[code](message)
    if status == 403:
        # API Gateway's own 403 ({"message": "Forbidden"}): the signature or the role.
        return StoreConfigurationError(f"the sessions API refused the request: {message}")
    error = _BY_STATUS.get(status)
    if error is not None:
        return error(message)
    return SessionError(message, code=code or "http_error")
