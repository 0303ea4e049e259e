"""Request and response bodies of the HTTP API (camelCase JSON, pydantic v2)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from handlers.http_errors import ApiError
from sessions_core import ActivityEvent, PublicSession, Session
from sessions_core.errors import InvalidArgumentError, SessionError, SessionLimitError
from sessions_core.limits import (
    MAX_EXPIRES_IN_MS,
    MAX_IP_ADDRESS_CHARS,
    MAX_METADATA_BYTES,
    MAX_USER_AGENT_CHARS,
    MAX_USER_ID_CHARS,
    check_ip_address,
    metadata_size,
)

MAX_BODY_BYTES = 16 * 1024
MAX_TOKEN_CHARS = 4096
# The error type a too-large metadata object is reported with (answered 413, not 422).
METADATA_TOO_LARGE = "metadata_too_large"

CAMEL = ConfigDict(alias_generator=to_camel, populate_by_name=True, defer_build=True)
# Answers too build their schema on first use, not at import: a cold start pays only
# for the answers its first request sends.
ANSWER = ConfigDict(defer_build=True)


class CreateSessionBody(BaseModel):
    """``POST /sessions``."""

    model_config = CAMEL

    user_id: StrictStr = Field(min_length=1, max_length=MAX_USER_ID_CHARS)
    expires_in: StrictInt | None = Field(
        default=None, ge=1, le=MAX_EXPIRES_IN_MS, description="lifetime in milliseconds"
    )
    metadata: dict[str, Any] | None = Field(
        default=None, description=f"a JSON object of at most {MAX_METADATA_BYTES} bytes serialized"
    )
    sliding_expiration: StrictBool = False
    user_agent: StrictStr | None = Field(
        default=None,
        max_length=MAX_USER_AGENT_CHARS,
        description="the device's user agent: parsed into device, bound when configured",
    )
    ip_address: StrictStr | None = Field(
        default=None,
        max_length=MAX_IP_ADDRESS_CHARS,
        description="a plain IPv4 or IPv6 address (no zone id)",
    )
    country: StrictStr | None = Field(
        default=None, pattern=r"^[A-Z]{2}$", description="ISO 3166 alpha-2, as CloudFront names it"
    )
    aal: StrictInt = Field(
        default=1, ge=1, le=3, description="the assurance level the sign-in reached (1-3)"
    )
    max_lifetime: StrictInt | None = Field(
        default=None,
        ge=1,
        le=MAX_EXPIRES_IN_MS,
        description='this session\'s absolute timeout in milliseconds ("remember me"), at '
        "most the configured one",
    )

    @field_validator("ip_address")
    @classmethod
    def _ip_address(cls, value: str | None) -> str | None:
        try:
            return check_ip_address(value)
        except InvalidArgumentError as error:
            raise ValueError("ipAddress must be a plain IPv4 or IPv6 address") from error

    @field_validator("metadata")
    @classmethod
    def _metadata_fits(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        try:
            too_large = value is not None and metadata_size(value) > MAX_METADATA_BYTES
        except (TypeError, ValueError):
            return value  # not plain JSON: the core refuses it with the reason
        if too_large:
            raise PydanticCustomError(
                METADATA_TOO_LARGE, f"metadata must be at most {MAX_METADATA_BYTES} bytes as JSON"
            )
        return value


class ReauthenticateBody(BaseModel):
    """``POST /sessions/{sessionId}/reauthenticate``."""

    model_config = CAMEL

    aal: StrictInt | None = Field(
        default=None, ge=1, le=3, description="the assurance level the new proof reached"
    )


class TokenBody(BaseModel):
    """``POST /sessions/validate`` and ``POST /sessions/refresh``."""

    model_config = CAMEL

    # repr=False: Powertools logs route arguments at DEBUG; the token must not ride along.
    token: StrictStr = Field(max_length=MAX_TOKEN_CHARS, repr=False)
    user_agent: StrictStr | None = Field(default=None, max_length=MAX_USER_AGENT_CHARS)


class TokenAndSession(BaseModel):
    """Answer of create and refresh."""

    model_config = ANSWER

    token: str = Field(repr=False)
    session: PublicSession

    @classmethod
    def of(cls, session: Session) -> TokenAndSession:
        """The answer for a session that was just created or rotated (it has a token)."""
        return cls(token=session.token or "", session=PublicSession.of(session))


class ValidationAnswer(BaseModel):
    """Answer of ``POST /sessions/validate``."""

    model_config = ANSWER

    valid: bool
    session: PublicSession | None = None
    error: str | None = None


class SessionAnswer(BaseModel):
    """Answer of ``GET /me/session``."""

    model_config = ANSWER

    session: PublicSession


class SessionList(BaseModel):
    """Answer of the listing routes."""

    model_config = ANSWER

    sessions: list[PublicSession]


class ActivityList(BaseModel):
    """Answer of the activity routes: the user's security log, newest first."""

    model_config = ANSWER

    events: list[ActivityEvent]


class RevokedCount(BaseModel):
    """Answer of the revoke-all routes: how many live sessions this call revoked."""

    model_config = ANSWER

    revoked: int


class ErasedCount(BaseModel):
    """Answer of ``DELETE /users/{userId}``: how many items the erasure removed."""

    model_config = ANSWER

    erased: int


class ErrorBody(BaseModel):
    """Every error: a stable code and a plain sentence."""

    model_config = ANSWER

    error: str
    message: str


class SessionLimitBody(ErrorBody):
    """409 at the per-user limit with the ``deny`` policy: the active sessions, so a
    frontend can let the user choose one to sign out."""

    sessions: list[PublicSession]


def answers(
    *entries: tuple[int, str, type[BaseModel]] | type[ApiError] | type[SessionError],
) -> dict[int, OpenAPIResponse]:
    """OpenAPI ``responses`` for a route: (status, description, model) for a success,
    an error class for an error (its own status, the first line of its docstring)."""
    found: dict[int, OpenAPIResponse] = {}
    for entry in entries:
        if isinstance(entry, tuple):
            status, text, model = entry
        else:
            is_api = issubclass(entry, ApiError)
            status = entry.status if is_api else entry.http_status  # type: ignore[union-attr]
            text = (entry.__doc__ or entry.__name__).strip().splitlines()[0]
            model = SessionLimitBody if entry is SessionLimitError else ErrorBody
        found[status] = {"description": text, "content": {"application/json": {"model": model}}}
    return found
