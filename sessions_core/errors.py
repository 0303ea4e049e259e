"""Errors raised by the session layer: one class per code, all under `SessionError`.

Callers branch on `.code` (a stable string used in HTTP answers and metrics) or on the
class. Each class declares its code and HTTP status as class keywords; its default
message is the first line of its docstring. No message ever contains a token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from sessions_core.models import PublicSession


def first_line(doc: str | None) -> str:
    """A docstring's first line as a message: "The session has expired." becomes
    "the session has expired"."""
    line = (doc or "").strip().splitlines()[0] if doc else ""
    return (line[:1].lower() + line[1:]).rstrip(".")


class SessionError(Exception):
    """Session error.

    Attributes:
        code: a stable, machine-readable code (``invalid_token``, ``session_expired``, ...).
    """

    default_code: ClassVar[str] = "session_error"
    default_message: ClassVar[str] = "session error"
    # How the HTTP API answers it (its only mapping: each class says its own).
    http_status: ClassVar[int] = 500

    def __init_subclass__(cls, code: str = "", status: int = 0, **rest: object) -> None:
        super().__init_subclass__(**rest)
        cls.default_code = code or cls.default_code
        cls.default_message = first_line(cls.__doc__) or cls.default_message
        cls.http_status = status or cls.http_status

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        self.code: str = code or self.default_code
        super().__init__(message or self.default_message)

    @property
    def message(self) -> str:
        """The human-readable message (never holds a token)."""
        return str(self.args[0])


class InvalidTokenError(SessionError, code="invalid_token", status=401):
    """The session token is not valid.

    It is malformed, unknown, or its secret is wrong.
    """


class SessionExpiredError(SessionError, code="session_expired", status=401):
    """The session has expired."""


class SessionRevokedError(SessionError, code="session_revoked", status=401):
    """The session has been revoked.

    By a logout, a revoke-all, the per-user limit, or a detected token replay.
    """


class UserAgentMismatchError(SessionError, code="user_agent_mismatch", status=401):
    """The session is bound to another user agent."""


class InvalidAccessTokenError(SessionError, code="invalid_access_token", status=401):
    """The access token is not valid.

    Its signature, type, issuer, audience or times do not check out, or its key is not
    published.
    """


class SessionNotFoundError(SessionError, code="session_not_found", status=404):
    """No such session."""


class InvalidArgumentError(SessionError, ValueError, code="invalid_argument", status=422):
    """Invalid argument.

    An argument is out of range: a lifetime over the cap, an empty user id, ...
    """


class SessionLimitError(SessionError, code="session_limit_reached", status=409):
    """The user already has the maximum number of sessions.

    Raised at ``max_sessions_per_user`` under the ``deny`` policy. ``sessions`` lists
    the active ones (public views, newest first), so a frontend can let the user choose
    one to sign out.
    """

    def __init__(self, sessions: list[PublicSession], message: str | None = None) -> None:
        super().__init__(message)
        self.sessions = sessions


class UserErasedError(SessionError, code="user_erased", status=409):
    """The user was erased while this session was being created.

    The session is not kept: an erasure leaves nothing of the user behind.
    """


class RateLimitedError(SessionError, code="rate_limited", status=429):
    """Too many requests of this kind for this session; try again after Retry-After.

    ``retry_after`` is how many seconds to wait.
    """

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class StoreUnavailableError(SessionError, code="store_unavailable", status=503):
    """The session store is unavailable.

    It cannot be reached, timed out, or throttled past its retries. Validation fails
    closed on this error: callers must treat it as "not authorized, try again later"
    (the HTTP API answers 503 with ``Retry-After``).
    """


class SigningUnavailableError(StoreUnavailableError, code="signing_unavailable"):
    """Access tokens cannot be signed now.

    The key service throttled (its request quota is shared per account and Region) or
    failed: try again later.
    """


class StoreConfigurationError(SessionError, code="store_misconfigured"):
    """The session store is misconfigured.

    The table is missing, access is denied, ...
    """


class KeyConfigurationError(SessionError, code="key_misconfigured"):
    """A key is missing or not fit for use.

    Missing, too short, or kept where others can read it: refused, with what to do
    about it in the message.
    """


class ClockSkewError(SessionError, code="clock_skew"):
    """This machine's clock is too far from DynamoDB's.

    A revocation stamped by it could be filed where no verifier looks: it is refused,
    with both clocks in the message.
    """


class CorruptItemError(SessionError, code="corrupt_item"):
    """A stored session item is malformed.

    A field is missing or unreadable.

    The manager treats such a session as unusable (``invalid_token``): fail closed.
    """


def _classes(base: type[SessionError]) -> list[type[SessionError]]:
    found = []
    for cls in base.__subclasses__():
        found += [cls, *_classes(cls)]
    return found


# Every error by its code (what the HTTP API answers and the service client maps back).
ERRORS_BY_CODE: dict[str, type[SessionError]] = {
    cls.default_code: cls for cls in _classes(SessionError) if not cls.__name__.startswith("_")
}
