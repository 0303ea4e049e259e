"""Request and response bodies of the HTTP API (camelCase JSON, pydantic v2)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr
from pydantic.alias_generators import to_camel

from sessions_core import Session

MAX_EXPIRES_IN_MS = 400 * 24 * 3600 * 1000
MAX_METADATA_BYTES = 2048
MAX_BODY_BYTES = 16 * 1024
MAX_TOKEN_CHARS = 4096
MAX_USER_AGENT_CHARS = 1024

_CAMEL = ConfigDict(alias_generator=to_camel, populate_by_name=True, defer_build=True)


class CreateSessionBody(BaseModel):
    """``POST /sessions``."""

    model_config = _CAMEL

    user_id: StrictStr = Field(min_length=1, max_length=256)
    expires_in: StrictInt | None = Field(
        default=None, ge=1, le=MAX_EXPIRES_IN_MS, description="lifetime in milliseconds"
    )
    metadata: dict[str, Any] | None = Field(
        default=None, description="a JSON object of at most 2 KiB serialized"
    )
    sliding_expiration: StrictBool = False
    user_agent: StrictStr | None = Field(default=None, max_length=MAX_USER_AGENT_CHARS)


class TokenBody(BaseModel):
    """``POST /sessions/validate`` and ``POST /sessions/refresh``."""

    model_config = _CAMEL

    # repr=False: Powertools logs route arguments at DEBUG; the token must not ride along.
    token: StrictStr = Field(max_length=MAX_TOKEN_CHARS, repr=False)
    user_agent: StrictStr | None = Field(default=None, max_length=MAX_USER_AGENT_CHARS)


class SessionView(BaseModel):
    """A session as the API shows it: never a token or a hash."""

    model_config = _CAMEL

    id: str
    user_id: str
    created_at: datetime
    expires_at: datetime
    last_active_at: datetime | None = None
    sliding_expiration: bool = False
    metadata: dict[str, Any] | None = None
    current: bool | None = Field(default=None, description="set in /me/sessions only")

    @classmethod
    def of(cls, session: Session, *, current: bool | None = None) -> SessionView:
        """The view of a session."""
        return cls(
            id=session.id,
            user_id=session.user_id,
            created_at=session.created_at,
            expires_at=session.expires_at,
            last_active_at=session.last_active_at,
            sliding_expiration=session.sliding_expiration,
            metadata=session.metadata,
            current=current,
        )


class TokenAndSession(BaseModel):
    """Answer of create and refresh."""

    token: str = Field(repr=False)
    session: SessionView

    @classmethod
    def of(cls, session: Session) -> TokenAndSession:
        """The answer for a session that was just created or rotated (it has a token)."""
        return cls(token=session.token or "", session=SessionView.of(session))


class ValidationAnswer(BaseModel):
    """Answer of ``POST /sessions/validate``."""

    valid: bool
    session: SessionView | None = None
    error: str | None = None


class SessionAnswer(BaseModel):
    """Answer of ``GET /me/session``."""

    session: SessionView


class SessionList(BaseModel):
    """Answer of the listing routes."""

    sessions: list[SessionView]


class RevokedCount(BaseModel):
    """Answer of the revoke-all routes: how many live sessions this call revoked."""

    revoked: int


class ErrorBody(BaseModel):
    """Every error: a stable code and a plain sentence."""

    error: str
    message: str


def answers(*entries: tuple[int, str, type[BaseModel]]) -> dict[int, OpenAPIResponse]:
    """OpenAPI ``responses`` for a route from (status, description, model) triples."""
    return {
        status: {"description": text, "content": {"application/json": {"model": model}}}
        for status, text, model in entries
    }


BAD_BODY = (400, "the body is not a JSON object", ErrorBody)
INVALID_FIELDS = (422, "invalid fields", ErrorBody)
TOO_LARGE = (413, "body or metadata too large", ErrorBody)
UNAVAILABLE = (503, "the store is unavailable; retry after Retry-After", ErrorBody)
UNAUTHORIZED = (401, "missing or bad token", ErrorBody)
FORBIDDEN = (403, "cookie sent from an origin not allowed", ErrorBody)
