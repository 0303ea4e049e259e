"""Service routes (AWS_IAM in the template): login backends and admin tools."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from handlers.api_models import (
    ActivityList,
    CreateSessionBody,
    ErasedCount,
    ReauthenticateBody,
    RevokedCount,
    SessionAnswer,
    SessionList,
    TokenAndSession,
    TokenBody,
    ValidationAnswer,
)
from handlers.bus import publish_user_erased
from handlers.http_errors import ConflictError, from_session_error
from handlers.observability import count, logger
from handlers.responses import json_response, runtime_of
from handlers.routes_tokens import issued
from handlers.routing import register
from handlers.token_models import ServiceAccessTokenBody
from sessions_core import (
    InvalidArgumentError,
    PublicSession,
    SessionExpiredError,
    SessionManager,
    SessionRevokedError,
)
from sessions_core.limits import MAX_USER_ID_CHARS

router = APIGatewayHttpRouter()


def manager() -> SessionManager:
    return runtime_of(router).manager


def _ms(milliseconds: int | None) -> timedelta | None:
    return timedelta(milliseconds=milliseconds) if milliseconds else None


def _user_id(raw: str) -> str:
    user_id = unquote(raw)
    if not 1 <= len(user_id) <= MAX_USER_ID_CHARS:
        raise from_session_error(
            InvalidArgumentError(f"userId must be 1 to {MAX_USER_ID_CHARS} characters")
        )
    return user_id


@register(router, "CreateSession")
def create_session(body: Annotated[CreateSessionBody, Body()]) -> Response[str]:
    session = manager().create(
        user_id=body.user_id,
        expires_in=_ms(body.expires_in),
        metadata=body.metadata,
        sliding_expiration=body.sliding_expiration,
        user_agent=body.user_agent,
        ip_address=body.ip_address,
        country=body.country,
        max_lifetime=_ms(body.max_lifetime),
        aal=body.aal,
    )
    count("SessionsCreated")
    return json_response(201, TokenAndSession.of(session))


@register(router, "ValidateSession")
def validate_session(body: Annotated[TokenBody, Body()]) -> Response[str]:
    result = manager().validate(body.token, user_agent=body.user_agent)
    count(f"Validation_{result.error or 'valid'}")
    view = PublicSession.of(result.session) if result.session else None
    return json_response(
        200, ValidationAnswer(valid=result.valid, session=view, error=result.error)
    )


@register(router, "RefreshSession")
def refresh_session(body: Annotated[TokenBody, Body()]) -> Response[str]:
    session = manager().refresh(body.token, user_agent=body.user_agent)
    count("SessionsRefreshed")
    return json_response(200, TokenAndSession.of(session))


@register(router, "DestroySession")
def destroy_session(sessionId: str) -> Response[None]:  # noqa: N803 - the path names it
    manager().destroy(unquote(sessionId))
    count("SessionsRevoked")
    return json_response(204)


@register(router, "ListUserSessions")
def list_user_sessions(userId: str) -> Response[str]:  # noqa: N803 - the path names it
    sessions = manager().list_for_user(_user_id(userId))
    return json_response(200, SessionList(sessions=[PublicSession.of(s) for s in sessions]))


@register(router, "RevokeUserSessions")
def revoke_user_sessions(userId: str) -> Response[str]:  # noqa: N803 - the path names it
    revoked = manager().destroy_all_for_user(_user_id(userId))
    count("SessionsRevoked", revoked)
    return json_response(200, RevokedCount(revoked=revoked))


@register(router, "UserActivity")
def user_activity(userId: str) -> Response[str]:  # noqa: N803 - the path names it
    events = manager().activity_for_user(_user_id(userId))
    return json_response(200, ActivityList(events=events))


@register(router, "Reauthenticate")
def reauthenticate(
    sessionId: str,  # noqa: N803 - the path names it
    body: Annotated[ReauthenticateBody, Body()],
) -> Response[str]:
    try:
        session = manager().reauthenticate(unquote(sessionId), aal=body.aal)
    except (SessionRevokedError, SessionExpiredError) as error:
        raise ConflictError(error) from error
    count("SessionsReauthenticated")
    return json_response(200, SessionAnswer(session=PublicSession.of(session)))


@register(router, "EraseUser")
def erase_user(userId: str) -> Response[str]:  # noqa: N803 - the path names it
    user_id = _user_id(userId)
    runtime = runtime_of(router)
    erased = runtime.manager.erase_user(user_id)
    count("UsersErased")
    at = runtime.manager.config.now()
    if not publish_user_erased(user_id, at, bus=runtime.settings.event_bus, client=runtime.events):
        logger.error("user.erased could not be published; the erasure itself is done")
    return json_response(200, ErasedCount(erased=erased))


@register(router, "IssueAccessToken")
def issue_access_token(body: Annotated[ServiceAccessTokenBody, Body()]) -> Response[str]:
    return issued(
        runtime_of(router),
        router.current_event.raw_event,
        body.token,
        audience=body.audience,
        expires_in=body.expires_in,
        user_agent=body.user_agent,
    )
