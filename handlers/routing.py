"""Registering route functions on a Powertools router from the route table, so the
router, OpenAPI (summary, answers, security) and the guards all read one entry."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from handlers.route_spec import RouteSpec
from handlers.route_table import route_named

Function = TypeVar("Function", bound=Callable[..., Any])

# OpenAPI security per kind of route (the schemes are declared in `docs`).
SECURITY: dict[str, list[dict[str, list[str]]]] = {
    "iam": [{"sigv4": []}],
    "token": [{"bearer": []}, {"sessionCookie": []}],
    "public": [],
}
TAGS = {"iam": "service", "token": "client", "public": "public"}


def register(
    router: APIGatewayHttpRouter | APIGatewayHttpResolver,
    name: str,
    routes: Callable[[str], RouteSpec] = route_named,
) -> Callable[[Function], Function]:
    """Register the decorated function for the route named ``name``.

    Raises:
        TypeError: the function's body parameter is not the route's body model (at
            import: the table and the code cannot drift apart).
    """
    spec = routes(name)

    def decorate(function: Function) -> Function:
        declared = _body_model(function)
        if declared is not spec.body:
            raise TypeError(f"{name}: the function reads {declared}, the table says {spec.body}")
        route = router.route(
            spec.router_path,
            spec.method,
            summary=spec.summary,
            responses=dict(spec.responses) or None,
            tags=[TAGS[spec.auth]],
            include_in_schema=spec.documented,
            security=SECURITY[spec.auth] or None,
        )
        return route(function)

    return decorate


def _body_model(function: Callable[..., Any]) -> type | None:
    hints = typing.get_type_hints(function, include_extras=True)
    for parameter in inspect.signature(function).parameters:
        hint = hints.get(parameter)
        if typing.get_origin(hint) is typing.Annotated:
            model: type = typing.get_args(hint)[0]
            return model
    return None
