"""Client routes: the session token authenticates (Bearer header or the cookie).

A cookie-authenticated request that changes state must come from an allowed Origin
(CSRF defence on top of SameSite); a Bearer token cannot be sent cross-site by a
browser on its own, so it needs no Origin.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from handlers.api_models import (
    ActivityList,
    RevokedCount,
    SessionAnswer,
    SessionList,
    TokenAndSession,
)
from handlers.client_origin import ClientOrigin, client_origin
from handlers.cookies import cleared_cookie, session_cookie
from handlers.credentials import Credential, cookie_allowed, credential_from
from handlers.http_errors import (
    ForbiddenOriginError,
    NotAuthenticatedError,
    ReauthenticationRequiredError,
    from_session_error,
)
from handlers.observability import count
from handlers.responses import json_response, runtime_of
from handlers.routes_tokens import issued
from handlers.routing import register
from handlers.settings import Settings
from handlers.token_models import AccessTokenBody
from sessions_core import PublicSession, Session, SessionManager
from sessions_core.errors import ERRORS_BY_CODE, SessionNotFoundError

router = APIGatewayHttpRouter()


def manager() -> SessionManager:
    return runtime_of(router).manager


def settings() -> Settings:
    return runtime_of(router).settings


def _credential(*, changes_state: bool) -> Credential:
    event = router.current_event
    credential = credential_from(event.headers, event.cookies)
    if credential is None:
        raise NotAuthenticatedError("send the session token as a Bearer token or cookie")
    if (
        changes_state
        and credential.source == "cookie"
        and not cookie_allowed("POST", event.headers, settings().allowed_origins)
    ):
        raise ForbiddenOriginError()
    return credential


def _origin() -> ClientOrigin:
    return client_origin(
        router.current_event.raw_event, trust_cloudfront=settings().trust_cloudfront
    )


def _current(credential: Credential) -> Session:
    origin = _origin()
    result = manager().validate(
        credential.token,
        user_agent=origin.user_agent,
        ip_address=origin.ip_address,
        country=origin.country,
    )
    count(f"Validation_{result.error or 'valid'}")
    if result.session is None:
        raise from_session_error(ERRORS_BY_CODE[result.error or "invalid_token"]())
    return result.session


@register(router, "WhoAmI")
def whoami() -> Response[str]:
    return json_response(
        200, SessionAnswer(session=PublicSession.of(_current(_credential(changes_state=False))))
    )


@register(router, "RefreshMine")
def refresh_me() -> Response[str]:
    credential = _credential(changes_state=True)
    current = manager()
    origin = _origin()
    session = current.refresh(
        credential.token,
        user_agent=origin.user_agent,
        ip_address=origin.ip_address,
        country=origin.country,
    )
    count("SessionsRefreshed")
    if credential.source == "bearer":
        return json_response(200, TokenAndSession.of(session))
    # Rule 15: the HttpOnly cookie's token never reaches the body, where scripts read.
    same_site = settings().cookie_same_site
    cookie = session_cookie(
        session.token or "", session.expires_at, current.config.now(), same_site
    )
    return json_response(200, SessionAnswer(session=PublicSession.of(session)), cookies=[cookie])


@register(router, "Logout")
def logout() -> Response[None]:
    credential = _credential(changes_state=True)
    result = manager().validate(credential.token, user_agent=_origin().user_agent)
    if result.session is not None:
        manager().destroy(result.session.id, reason="logout")
        count("SessionsRevoked")
    return json_response(204, cookies=[cleared_cookie(settings().cookie_same_site)])


@register(router, "ListMine")
def my_sessions() -> Response[str]:
    me = _current(_credential(changes_state=False))
    sessions = manager().list_for_user(me.user_id)
    if all(s.id != me.id for s in sessions):
        sessions = [me, *sessions]  # the index may not show a brand-new session yet
    views = [PublicSession.of(s, current=s.id == me.id) for s in sessions]
    return json_response(200, SessionList(sessions=views))


def _recently_authenticated(me: Session) -> None:
    """Sensitive actions (signing out another device, or all of them) ask for a recent
    sign-in, so a stolen session cannot lock the real user out; reads never do, nor
    signing yourself out."""
    if not manager().recently_authenticated(me):
        raise ReauthenticationRequiredError()


@register(router, "RevokeMine")
def revoke_my_session(sessionId: str) -> Response[None]:  # noqa: N803 - the path names it
    me = _current(_credential(changes_state=True))
    target = manager().get(unquote(sessionId))
    if target is None or target.user_id != me.user_id:
        raise from_session_error(SessionNotFoundError("no such session among yours"))
    if target.id != me.id:
        _recently_authenticated(me)
    manager().destroy(target.id)
    count("SessionsRevoked")
    return json_response(204)


@register(router, "RevokeOthers")
def revoke_others() -> Response[str]:
    me = _current(_credential(changes_state=True))
    _recently_authenticated(me)
    revoked = manager().destroy_all_for_user(me.user_id, except_session_id=me.id)
    count("SessionsRevoked", revoked)
    return json_response(200, RevokedCount(revoked=revoked))


@register(router, "MyActivity")
def my_activity() -> Response[str]:
    me = _current(_credential(changes_state=False))
    return json_response(200, ActivityList(events=manager().activity_for_user(me.user_id)))


@register(router, "IssueMyAccessToken")
def issue_my_access_token(body: Annotated[AccessTokenBody, Body()]) -> Response[str]:
    # A cookie caller needs an allowed Origin: a token minted cross-site could be read
    # by the page that asked for it.
    credential = _credential(changes_state=True)
    return issued(
        runtime_of(router),
        router.current_event.raw_event,
        credential.token,
        audience=body.audience,
        expires_in=body.expires_in,
        user_agent=_origin().user_agent,
    )
