"""The demo login's routes, in the same form as the API's (`handlers.route_table`):
`sessions serve --demo` and the template test read them, its handler registers them,
and the same body guard checks their bodies."""

from __future__ import annotations

from pydantic import BaseModel, Field

from handlers.route_spec import RouteSpec
from sessions_core import PublicSession

DEMO_FUNCTION = "DemoLoginFunction"
DEMO_HANDLER = "examples.login.handler.handler"


class LoginBody(BaseModel):
    """``POST /login``: demo credentials."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256, repr=False)


class PasswordBody(BaseModel):
    """``POST /reauthenticate``: the signed-in user's password, again."""

    password: str = Field(min_length=1, max_length=256, repr=False)


class LoginAnswer(BaseModel):
    """The new session (the token travels only in the HttpOnly cookie)."""

    session: PublicSession


def _page(name: str, path: str, summary: str) -> RouteSpec:
    return RouteSpec(name, "GET", path, "public", DEMO_FUNCTION, summary)


DEMO_ROUTES: tuple[RouteSpec, ...] = (
    _page("AccountPage", "/", "The account page"),
    _page("AccountScript", "/account.js", "The account page's script"),
    _page("AccountStyles", "/style.css", "The account page's styles"),
    _page("ClientLibrary", "/clients/sessions.js", "The browser client"),
    RouteSpec("Login", "POST", "/login", "public", DEMO_FUNCTION, "Sign in", body=LoginBody),
    RouteSpec(
        "ConfirmIdentity",
        "POST",
        "/reauthenticate",
        "public",
        DEMO_FUNCTION,
        "Confirm it is you (step-up)",
        body=PasswordBody,
    ),
)

_BY_NAME = {route.name: route for route in DEMO_ROUTES}


def demo_route(name: str) -> RouteSpec:
    """The demo route named ``name``.

    Raises:
        KeyError: there is none.
    """
    return _BY_NAME[name]
