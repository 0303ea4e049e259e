"""Errors raised by the session layer: one class per code, all under `SessionError`.

Callers branch on `.code` (a stable string used in HTTP answers and metrics) or on the
class. No message ever contains a token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from sessions_core.models import PublicSession


class SessionError(Exception):
    """Base of every error this package raises on purpose.

    Attributes:
        code: a stable, machine-readable code (``invalid_token``, ``session_expired``, ...).
    """

    default_code: ClassVar[str] = "session_error"
    default_message: ClassVar[str] = "session error"
    # How the HTTP API answers it (its only mapping: each class says its own).
    http_status: ClassVar[int] = 500

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        self.code: str = code or self.default_code
        super().__init__(message or self.default_message)

    @property
    def message(self) -> str:
        """The human-readable message (never holds a token)."""
        return str(self.args[0])


class InvalidTokenError(SessionError):
    """The token is malformed, unknown, or its secret is wrong."""

    default_code = "invalid_token"
    default_message = "the session token is not valid"
    http_status = 401


class SessionExpiredError(SessionError):
    """The session exists but its expiry has passed."""

    default_code = "session_expired"
    default_message = "the session has expired"
    http_status = 401


class SessionRevokedError(SessionError):
    """The session was revoked (logout, revoke-all, or detected token reuse)."""

    default_code = "session_revoked"
    default_message = "the session has been revoked"
    http_status = 401


class UserAgentMismatchError(SessionError):
    """The session is bound to another user agent."""

    default_code = "user_agent_mismatch"
    default_message = "the session is bound to another user agent"
    http_status = 401


class SessionNotFoundError(SessionError):
    """No session with that id exists."""

    default_code = "session_not_found"
    default_message = "no such session"
    http_status = 404


class InvalidArgumentError(SessionError, ValueError):
    """An argument is out of range (a lifetime over the cap, an empty user id, ...)."""

    default_code = "invalid_argument"
    default_message = "invalid argument"
    http_status = 422


class SessionLimitError(SessionError):
    """The user already holds ``max_sessions_per_user`` sessions and the policy is
    ``deny``. ``sessions`` lists the active ones (public views, newest first), so a
    frontend can let the user choose one to sign out."""

    default_code = "session_limit_reached"
    default_message = "the user already has the maximum number of sessions"
    http_status = 409

    def __init__(self, sessions: list[PublicSession], message: str | None = None) -> None:
        super().__init__(message)
        self.sessions = sessions


class UserErasedError(SessionError):
    """The user was erased while this session was being created: the session is not
    kept (an erasure leaves nothing of the user behind)."""

    default_code = "user_erased"
    default_message = "the user was erased while this session was being created"
    http_status = 409


class StoreUnavailableError(SessionError):
    """The store cannot be reached, timed out, or throttled past its retries.

    Validation fails closed on this error: callers must treat it as "not authorized,
    try again later" (the HTTP API answers 503 with ``Retry-After``).
    """

    default_code = "store_unavailable"
    default_message = "the session store is unavailable"
    http_status = 503


class StoreConfigurationError(SessionError):
    """The store is misconfigured: the table is missing, access is denied, ..."""

    default_code = "store_misconfigured"
    default_message = "the session store is misconfigured"


class KeyConfigurationError(SessionError):
    """A key is missing, too short, or kept where others can read it: refused, with
    what to do about it in the message."""

    default_code = "key_misconfigured"
    default_message = "a key is missing or not fit for use"


class CorruptItemError(SessionError):
    """A stored item cannot be read as a session (a field is missing or malformed).

    The manager treats such a session as unusable (``invalid_token``): fail closed.
    """

    default_code = "corrupt_item"
    default_message = "a stored session item is malformed"


def _classes(base: type[SessionError]) -> list[type[SessionError]]:
    found = []
    for cls in base.__subclasses__():
        found += [cls, *_classes(cls)]
    return found


# Every error by its code (what the HTTP API answers and the service client maps back).
ERRORS_BY_CODE: dict[str, type[SessionError]] = {
    cls.default_code: cls for cls in _classes(SessionError) if not cls.__name__.startswith("_")
}
