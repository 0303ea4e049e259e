"""Rule 13: the service routes defend themselves instead of trusting route matching.

API Gateway enforces AWS_IAM on the service routes, but the function behind them also
serves ``$default`` (unknown paths answer JSON 404s) and the client routes. An event
that would reach a service route's code must therefore be that route's own: its
``routeKey`` names the route and ``requestContext.authorizer.iam`` carries the caller.
Anything else (``$default`` with ``rawPath: /sessions``, a client route's key, no IAM
principal) is answered 403 before the body is even read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Every AWS_IAM route of template.yaml (tests/contract holds the two lists equal).
SERVICE_ROUTES: tuple[tuple[str, str], ...] = (
    ("POST", "/sessions"),
    ("POST", "/sessions/validate"),
    ("POST", "/sessions/refresh"),
    ("DELETE", "/sessions/{sessionId}"),
    ("GET", "/users/{userId}/sessions"),
    ("DELETE", "/users/{userId}/sessions"),
    ("GET", "/users/{userId}/activity"),
    ("POST", "/sessions/{sessionId}/reauthenticate"),
    ("DELETE", "/users/{userId}"),
)


@dataclass(frozen=True)
class _Route:
    method: str
    key: str
    pattern: re.Pattern[str]


def _compile(method: str, path: str) -> _Route:
    # A path parameter never spans a slash, as in Powertools' own route regexes.
    regex = re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(path))
    return _Route(method, f"{method} {path}", re.compile(f"^{regex}$"))


_ROUTES = tuple(_compile(method, path) for method, path in SERVICE_ROUTES)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _path(event: dict[str, Any]) -> str:
    """The path the router matches: ``rawPath`` less a named stage, as Powertools
    computes it for payload 2.0."""
    raw = str(event.get("rawPath") or "")
    stage = _dict(event.get("requestContext")).get("stage")
    if isinstance(stage, str) and stage and stage != "$default":
        return raw[len(stage) + 1 :]
    return raw


def forbidden(event: dict[str, Any]) -> bool:
    """True when ``event`` would reach a service route without being an IAM-signed
    call to that very route."""
    context = _dict(event.get("requestContext"))
    method = str(_dict(context.get("http")).get("method") or "").upper()
    path = _path(event)
    for route in _ROUTES:
        if route.method == method and route.pattern.match(path):
            iam = _dict(_dict(context.get("authorizer")).get("iam"))
            return event.get("routeKey") != route.key or not iam
    return False
