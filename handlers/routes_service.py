"""Service routes (AWS_IAM in the template): login backends and admin tools."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from handlers.api_models import (
    BAD_BODY,
    INVALID_FIELDS,
    LIMIT_REACHED,
    TOO_LARGE,
    UNAUTHORIZED,
    UNAVAILABLE,
    ActivityList,
    CreateSessionBody,
    ErasedCount,
    ErrorBody,
    ReauthenticateBody,
    RevokedCount,
    SessionAnswer,
    SessionList,
    TokenAndSession,
    TokenBody,
    ValidationAnswer,
    answers,
)
from handlers.bus import publish_user_erased
from handlers.http_errors import ApiError
from handlers.observability import count, logger
from handlers.responses import json_response, runtime_of
from sessions_core import (
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
        raise ApiError(
            422, "invalid_user_id", f"userId must be 1 to {MAX_USER_ID_CHARS} characters"
        )
    return user_id


@router.post(
    "/sessions",
    summary="Create a session for a user (login backends)",
    responses=answers(
        (201, "created", TokenAndSession),
        BAD_BODY,
        LIMIT_REACHED,
        TOO_LARGE,
        INVALID_FIELDS,
        UNAVAILABLE,
    ),
    tags=["service"],
)
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


@router.post(
    "/sessions/validate",
    summary="Validate a token (a malformed token is simply not valid)",
    responses=answers((200, "outcome", ValidationAnswer), BAD_BODY, INVALID_FIELDS, UNAVAILABLE),
    tags=["service"],
)
def validate_session(body: Annotated[TokenBody, Body()]) -> Response[str]:
    result = manager().validate(body.token, user_agent=body.user_agent)
    count(f"Validation_{result.error or 'valid'}")
    view = PublicSession.of(result.session) if result.session else None
    return json_response(
        200, ValidationAnswer(valid=result.valid, session=view, error=result.error)
    )


@router.post(
    "/sessions/refresh",
    summary="Rotate a token: the old one works for the grace window only",
    responses=answers(
        (200, "rotated", TokenAndSession), UNAUTHORIZED, BAD_BODY, INVALID_FIELDS, UNAVAILABLE
    ),
    tags=["service"],
)
def refresh_session(body: Annotated[TokenBody, Body()]) -> Response[str]:
    session = manager().refresh(body.token, user_agent=body.user_agent)
    count("SessionsRefreshed")
    return json_response(200, TokenAndSession.of(session))


@router.delete("/sessions/<sessionId>", summary="Revoke one session (idempotent)", tags=["service"])
def destroy_session(sessionId: str) -> Response[None]:  # noqa: N803 - the path names it
    manager().destroy(unquote(sessionId))
    count("SessionsRevoked")
    return json_response(204)


@router.get(
    "/users/<userId>/sessions",
    summary="A user's active sessions, newest first",
    responses=answers((200, "sessions", SessionList), INVALID_FIELDS, UNAVAILABLE),
    tags=["service"],
)
def list_user_sessions(userId: str) -> Response[str]:  # noqa: N803 - the path names it
    sessions = manager().list_for_user(_user_id(userId))
    return json_response(200, SessionList(sessions=[PublicSession.of(s) for s in sessions]))


@router.delete(
    "/users/<userId>/sessions",
    summary="Revoke every session of a user (e.g. after a password change)",
    responses=answers((200, "count", RevokedCount), INVALID_FIELDS, UNAVAILABLE),
    tags=["service"],
)
def revoke_user_sessions(userId: str) -> Response[str]:  # noqa: N803 - the path names it
    revoked = manager().destroy_all_for_user(_user_id(userId))
    count("SessionsRevoked", revoked)
    return json_response(200, RevokedCount(revoked=revoked))


@router.get(
    "/users/<userId>/activity",
    summary="A user's security log: every change of their sessions, newest first",
    responses=answers((200, "events", ActivityList), INVALID_FIELDS, UNAVAILABLE),
    tags=["service"],
)
def user_activity(userId: str) -> Response[str]:  # noqa: N803 - the path names it
    events = manager().activity_for_user(_user_id(userId))
    return json_response(200, ActivityList(events=events))


@router.post(
    "/sessions/<sessionId>/reauthenticate",
    summary="The user proved who they are again: a sensitive action may follow",
    responses=answers(
        (200, "session", SessionAnswer),
        (404, "no such session", ErrorBody),
        (409, "session_revoked or session_expired: it can no longer be used", ErrorBody),
        BAD_BODY,
        INVALID_FIELDS,
        UNAVAILABLE,
    ),
    tags=["service"],
)
def reauthenticate(
    sessionId: str,  # noqa: N803 - the path names it
    body: Annotated[ReauthenticateBody, Body()],
) -> Response[str]:
    try:
        session = manager().reauthenticate(unquote(sessionId), aal=body.aal)
    except (SessionRevokedError, SessionExpiredError) as error:
        raise ApiError(409, error.code, error.message) from error
    count("SessionsReauthenticated")
    return json_response(200, SessionAnswer(session=PublicSession.of(session)))


@router.delete(
    "/users/<userId>",
    summary="Erase a user: every session, tombstone, activity entry and login counter",
    responses=answers(
        (200, "how many items were removed", ErasedCount), INVALID_FIELDS, UNAVAILABLE
    ),
    tags=["service"],
)
def erase_user(userId: str) -> Response[str]:  # noqa: N803 - the path names it
    user_id = _user_id(userId)
    current = manager()
    erased = current.erase_user(user_id)
    count("UsersErased")
    if not publish_user_erased(user_id, current.config.now()):
        logger.error("user.erased could not be published; the erasure itself is done")
    return json_response(200, ErasedCount(erased=erased))
