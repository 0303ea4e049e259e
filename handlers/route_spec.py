"""`RouteSpec`: what the route table says of one route, and how a request finds its
route (by method and the normalised path)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel

# iam: AWS_IAM (SigV4) in the template, and the service guard checks it again; token:
# the session token authenticates (Bearer or the cookie); public: anyone.
Auth = Literal["iam", "token", "public"]


@dataclass(frozen=True)
class RouteSpec:
    """One route.

    Attributes:
        name: the template's event name for it.
        method, path: as API Gateway matches them (``{param}`` for a path parameter).
        auth: who may call it (see `Auth`).
        function: the template's function resource that serves it.
        summary: one line for OpenAPI.
        body: the JSON object body's model (None: no body is read).
        body_required: False when no body at all reads as ``{}``.
        responses: OpenAPI answers besides the 200 a route's return type gives.
        documented: listed in OpenAPI (not the documentation's own routes).
    """

    name: str
    method: str
    path: str
    auth: Auth
    function: str
    summary: str
    body: type[BaseModel] | None = None
    body_required: bool = True
    responses: Mapping[int, OpenAPIResponse] = field(default_factory=dict)
    documented: bool = True
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # A path parameter never spans a slash, as in API Gateway and Powertools.
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.path))
        object.__setattr__(self, "pattern", re.compile(f"^{regex}$"))

    @property
    def key(self) -> str:
        """The ``routeKey`` API Gateway puts in this route's events."""
        return f"{self.method} {self.path}"

    @property
    def router_path(self) -> str:
        """The path in Powertools' syntax (``<param>``)."""
        return re.sub(r"\{(\w+)\}", r"<\1>", self.path)


def match(
    method: str, path: str, routes: tuple[RouteSpec, ...]
) -> tuple[RouteSpec, dict[str, str]] | None:
    """The route a request would reach (by method and normalised path) and its path
    parameters, or None."""
    for route in routes:
        if route.method == method.upper():
            found = route.pattern.match(path)
            if found:
                return route, found.groupdict()
    return None


def spec_for(event: Mapping[str, Any], routes: tuple[RouteSpec, ...]) -> RouteSpec | None:
    """The route a normalised event would reach, or None."""
    http = event["requestContext"]["http"]
    found = match(str(http.get("method") or ""), event["rawPath"], routes)
    return found[0] if found else None
