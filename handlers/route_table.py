"""Every route of the HTTP API, once: method, path, who may call it, which function
serves it, and its body model.

The Powertools router registers from this table (`routing.register`), the service
guard and the body guard look routes up in it, OpenAPI is generated from what was
registered, `sessions serve` routes by it, and tests/contract/test_template.py holds
template.yaml to it. Paths are in API Gateway's syntax (``/sessions/{sessionId}``) and
are matched against the request path as `normalised_path` gives it, one way for all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
    answers,
)
from handlers.http_errors import (
    BadRequestError,
    ConflictError,
    ForbiddenOriginError,
    InvalidRequestError,
    NotAuthenticatedError,
    PayloadTooLargeError,
    ReauthenticationRequiredError,
    UnavailableError,
)
from handlers.route_spec import RouteSpec, spec_for
from handlers.token_models import (
    AccessTokenAnswer,
    AccessTokenBody,
    DiscoveryDocument,
    JwkSet,
    ServiceAccessTokenBody,
)
from sessions_core.errors import RateLimitedError, SessionLimitError, SessionNotFoundError

API_FUNCTION = "ApiFunction"
ERASE_FUNCTION = "EraseFunction"
# Each function's entry point, as the template's Handler names it.
HANDLERS: Mapping[str, str] = {
    API_FUNCTION: "handlers.api.handler",
    ERASE_FUNCTION: "handlers.erase.handler",
}


def _service(name: str, method: str, path: str, summary: str, **extra: Any) -> RouteSpec:
    return RouteSpec(name, method, path, "iam", API_FUNCTION, summary, **extra)


def _client(name: str, method: str, path: str, summary: str, **extra: Any) -> RouteSpec:
    return RouteSpec(name, method, path, "token", API_FUNCTION, summary, **extra)


def _public(name: str, path: str, summary: str, **extra: Any) -> RouteSpec:
    return RouteSpec(name, "GET", path, "public", API_FUNCTION, summary, **extra)


ROUTES: tuple[RouteSpec, ...] = (
    _service(
        "CreateSession",
        "POST",
        "/sessions",
        "Create a session for a user (login backends)",
        body=CreateSessionBody,
        responses=answers(
            (201, "created", TokenAndSession),
            BadRequestError,
            SessionLimitError,
            PayloadTooLargeError,
            InvalidRequestError,
            UnavailableError,
        ),
    ),
    _service(
        "ValidateSession",
        "POST",
        "/sessions/validate",
        "Validate a token (a malformed token is simply not valid)",
        body=TokenBody,
        responses=answers(
            (200, "outcome", ValidationAnswer),
            BadRequestError,
            InvalidRequestError,
            UnavailableError,
        ),
    ),
    _service(
        "RefreshSession",
        "POST",
        "/sessions/refresh",
        "Rotate a token: the old one works for the grace window only",
        body=TokenBody,
        responses=answers(
            (200, "rotated", TokenAndSession),
            NotAuthenticatedError,
            BadRequestError,
            InvalidRequestError,
            UnavailableError,
        ),
    ),
    _service(
        "DestroySession", "DELETE", "/sessions/{sessionId}", "Revoke one session (idempotent)"
    ),
    _service(
        "ListUserSessions",
        "GET",
        "/users/{userId}/sessions",
        "A user's active sessions, newest first",
        responses=answers((200, "sessions", SessionList), InvalidRequestError, UnavailableError),
    ),
    _service(
        "RevokeUserSessions",
        "DELETE",
        "/users/{userId}/sessions",
        "Revoke every session of a user (e.g. after a password change)",
        responses=answers((200, "count", RevokedCount), InvalidRequestError, UnavailableError),
    ),
    _service(
        "UserActivity",
        "GET",
        "/users/{userId}/activity",
        "A user's security log: every change of their sessions, newest first",
        responses=answers((200, "events", ActivityList), InvalidRequestError, UnavailableError),
    ),
    _service(
        "Reauthenticate",
        "POST",
        "/sessions/{sessionId}/reauthenticate",
        "The user proved who they are again: a sensitive action may follow",
        body=ReauthenticateBody,
        body_required=False,
        responses=answers(
            (200, "session", SessionAnswer),
            SessionNotFoundError,
            ConflictError,
            BadRequestError,
            InvalidRequestError,
            UnavailableError,
        ),
    ),
    RouteSpec(
        "EraseUser",
        "DELETE",
        "/users/{userId}",
        "iam",
        ERASE_FUNCTION,
        "Erase a user: every session, tombstone, activity entry and login counter",
        responses=answers(
            (200, "how many items were removed", ErasedCount), InvalidRequestError, UnavailableError
        ),
    ),
    _client(
        "WhoAmI",
        "GET",
        "/me/session",
        "Who am I: the current session (sliding expiration applied)",
        responses=answers((200, "session", SessionAnswer), NotAuthenticatedError, UnavailableError),
    ),
    _client(
        "RefreshMine",
        "POST",
        "/me/session/refresh",
        "Rotate my token: a Bearer caller gets it in the body, a cookie caller only in the "
        "re-set cookie",
        responses=answers(
            (
                200,
                "rotated: {token, session} for a Bearer token, {session} for the cookie",
                TokenAndSession,
            ),
            NotAuthenticatedError,
            ForbiddenOriginError,
            UnavailableError,
        ),
    ),
    _client(
        "Logout",
        "DELETE",
        "/me/session",
        "Log out: revoke my session and clear the cookie",
        responses=answers(NotAuthenticatedError, ForbiddenOriginError, UnavailableError),
    ),
    _client(
        "ListMine",
        "GET",
        "/me/sessions",
        "My devices: my active sessions, the current one marked",
        responses=answers((200, "sessions", SessionList), NotAuthenticatedError, UnavailableError),
    ),
    _client(
        "RevokeMine",
        "DELETE",
        "/me/sessions/{sessionId}",
        "Log out one of my devices (another one needs a recent sign-in)",
        responses=answers(
            SessionNotFoundError,
            NotAuthenticatedError,
            ReauthenticationRequiredError,
            ForbiddenOriginError,
            UnavailableError,
        ),
    ),
    _client(
        "RevokeOthers",
        "POST",
        "/me/sessions/revoke-others",
        "Sign out everywhere else (needs a recent sign-in)",
        responses=answers(
            (200, "count", RevokedCount),
            NotAuthenticatedError,
            ReauthenticationRequiredError,
            ForbiddenOriginError,
            UnavailableError,
        ),
    ),
    _client(
        "MyActivity",
        "GET",
        "/me/activity",
        "My security log: sign-ins, refreshes, sign-outs of all my sessions",
        responses=answers((200, "events", ActivityList), NotAuthenticatedError, UnavailableError),
    ),
    _client(
        "IssueMyAccessToken",
        "POST",
        "/me/token",
        "A short-lived signed access token (a JWT) for my session, for services that "
        "verify it offline",
        body=AccessTokenBody,
        body_required=False,
        responses=answers(
            (200, "issued (never cached)", AccessTokenAnswer),
            NotAuthenticatedError,
            ForbiddenOriginError,
            InvalidRequestError,
            RateLimitedError,
            UnavailableError,
        ),
    ),
    _service(
        "IssueAccessToken",
        "POST",
        "/sessions/token",
        "A short-lived signed access token (a JWT) for the session a token names",
        body=ServiceAccessTokenBody,
        responses=answers(
            (200, "issued (never cached)", AccessTokenAnswer),
            NotAuthenticatedError,
            BadRequestError,
            InvalidRequestError,
            RateLimitedError,
            UnavailableError,
        ),
    ),
    _public(
        "OpenIdConfiguration",
        "/.well-known/openid-configuration",
        "OpenID discovery: the issuer and where its public keys are (cacheable)",
        responses=answers((200, "the issuer's metadata", DiscoveryDocument)),
    ),
    _public(
        "JsonWebKeySet",
        "/.well-known/jwks.json",
        "The public keys access tokens are signed with (cacheable)",
        responses=answers((200, "the published keys", JwkSet)),
    ),
    _public("OpenApi", "/openapi.json", "This document", documented=False),
    _public("Docs", "/docs", "The API's documentation page", documented=False),
)

# Anything no route matches reaches the API function, which answers a JSON 404/405.
FALLBACK = RouteSpec("Fallback", "ANY", "$default", "public", API_FUNCTION, "Unknown routes")

_BY_NAME = {route.name: route for route in ROUTES}


def route_named(name: str) -> RouteSpec:
    """The route with the template event name ``name``.

    Raises:
        KeyError: there is none.
    """
    return _BY_NAME[name]


def route_for(event: Mapping[str, Any], routes: tuple[RouteSpec, ...] = ROUTES) -> RouteSpec | None:
    """The route of the table a normalised event would reach, or None."""
    return spec_for(event, routes)
