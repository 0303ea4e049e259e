"""Example login backend (Lambda, payload 2.0): the account page and ``POST /login``.

It checks a DEMO user list (`demo_users`), creates a session through `sessions_core` and
sets the ``__Host-session`` cookie. The page and the browser client it serves talk to the
sessions API (``/me/...``) with that cookie.
"""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.utilities.typing import LambdaContext

from examples.login.demo_users import check_password
from examples.login.routes import DEMO_ROUTES, LoginAnswer, LoginBody, PasswordBody, demo_route
from handlers.body_guard import checked_event
from handlers.client_origin import ClientOrigin, client_origin
from handlers.cookies import session_cookie
from handlers.credentials import cookie_value, header
from handlers.http_errors import (
    ApiError,
    ForbiddenOriginError,
    InvalidCredentialsError,
    InvalidRequestError,
    TooManyAttemptsError,
    error_payload,
    error_response,
    from_session_error,
)
from handlers.observability import count, manager_event, metrics
from handlers.paths import normalised
from handlers.responses import with_security_headers
from handlers.route_table import route_for
from handlers.routing import register
from handlers.wiring import Wiring
from sessions_core import PublicSession, SessionError
from sessions_core.errors import ERRORS_BY_CODE
from sessions_core.login_throttle import LoginThrottle

STATIC = Path(__file__).resolve().parent / "static"
CLIENT = Path(__file__).resolve().parents[2] / "clients" / "js" / "sessions.js"
ASSETS = {
    "/": (STATIC / "index.html", "text/html; charset=utf-8"),
    "/account.js": (STATIC / "account.js", "text/javascript; charset=utf-8"),
    "/style.css": (STATIC / "style.css", "text/css; charset=utf-8"),
    "/clients/sessions.js": (CLIENT, "text/javascript; charset=utf-8"),
}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

# The same wiring as the API's: the manager's events feed the metrics here too.
wiring = Wiring(observer=manager_event)
app = APIGatewayHttpResolver(enable_validation=True, debug=False)


def _asset(path: str) -> Response[str]:
    file, content_type = ASSETS[path]
    return Response(
        status_code=200,
        content_type=content_type,
        body=file.read_text(encoding="utf-8"),
        headers=SECURITY_HEADERS,
    )


@register(app, "AccountPage", demo_route)
def page() -> Response[str]:
    return _asset("/")


@register(app, "AccountScript", demo_route)
def account_script() -> Response[str]:
    return _asset("/account.js")


@register(app, "AccountStyles", demo_route)
def stylesheet() -> Response[str]:
    return _asset("/style.css")


@register(app, "ClientLibrary", demo_route)
def client_library() -> Response[str]:
    return _asset("/clients/sessions.js")


def _client() -> ClientOrigin:
    trusted = wiring.runtime().settings.trust_cloudfront
    return client_origin(app.current_event.raw_event, trust_cloudfront=trusted)


def _same_origin() -> None:
    page_origin = (header(app.current_event.headers, "origin") or "").rstrip("/")
    if page_origin not in wiring.runtime().settings.allowed_origins:
        raise ForbiddenOriginError("sign in from the app's own page")


def _check_password(throttle: LoginThrottle, username: str, password: str) -> None:
    # Counted before the password is checked, in one atomic write that also decides:
    # however many guesses race, at most five per address (fifty per name) reach the
    # check in a window; the rest answer 429 and learn nothing.
    address = _client().ip_address or "unknown"
    _refuse_if_blocked(throttle.attempt(username, address))
    if not check_password(username, password):
        count("LoginsFailed")
        raise InvalidCredentialsError()
    throttle.succeeded(username, address)


@register(app, "Login", demo_route)
def login(body: Annotated[LoginBody, Body()]) -> Response[str]:
    _same_origin()
    runtime = wiring.runtime()
    manager = runtime.manager
    _check_password(LoginThrottle(manager.config), body.username, body.password)
    count("LoginsSucceeded")
    client = _client()
    session = manager.create(
        user_id=body.username,
        user_agent=client.user_agent,
        ip_address=client.ip_address,
        country=client.country,
        sliding_expiration=True,
    )
    cookie = session_cookie(
        session.token or "",
        session.expires_at,
        manager.config.now(),
        runtime.settings.cookie_same_site,
    )
    answer = LoginAnswer(session=PublicSession.of(session))
    return Response(
        status_code=200,
        content_type="application/json",
        body=answer.model_dump_json(by_alias=True, exclude_none=True),
        cookies=[cookie],
        headers={"Cache-Control": "no-store"},
    )


def _refuse_if_blocked(wait: timedelta | None) -> None:
    if wait is not None:
        seconds = str(max(1, math.ceil(wait.total_seconds())))
        raise TooManyAttemptsError(headers={"Retry-After": seconds})


@register(app, "ConfirmIdentity", demo_route)
def reauthenticate(body: Annotated[PasswordBody, Body()]) -> Response[str]:
    """Step-up for the account page: the cookie's user proves it is them again (the
    password), and the session's ``authenticatedAt`` moves to now."""
    _same_origin()
    manager = wiring.runtime().manager
    token = cookie_value(app.current_event.cookies)
    current = manager.validate(token or "", user_agent=_client().user_agent)
    if current.session is None:
        raise from_session_error(ERRORS_BY_CODE[current.error or "invalid_token"]("sign in again"))
    user = current.session.user_id
    _check_password(LoginThrottle(manager.config), user, body.password)
    session = manager.reauthenticate(current.session.id)
    count("StepUps")
    answer = LoginAnswer(session=PublicSession.of(session))
    return Response(
        status_code=200,
        content_type="application/json",
        body=answer.model_dump_json(by_alias=True, exclude_none=True),
        headers={"Cache-Control": "no-store"},
    )


@app.exception_handler(ApiError)
def on_api_error(error: ApiError) -> Response[str]:
    return error_response(error)


@app.exception_handler(SessionError)
def on_session_error(error: SessionError) -> Response[str]:
    # A store outage answers 503 + Retry-After here too, never a bare Lambda error.
    return error_response(from_session_error(error))


@app.exception_handler(RequestValidationError)
def on_validation_error(_: RequestValidationError) -> Response[str]:
    return error_response(InvalidRequestError("send a username and a password"))


@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Lambda entry point of the demo login backend: the path normalised and the body
    checked as the API's are, and ``nosniff`` on every answer."""
    event = normalised(event)
    try:
        event = checked_event(event, route_for(event, DEMO_ROUTES))
    except ApiError as error:
        return with_security_headers(error_payload(error))
    return with_security_headers(app.resolve(event, context))
