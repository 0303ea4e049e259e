"""Service routes defend themselves instead of trusting route matching.

API Gateway enforces AWS_IAM on the service routes, but the function behind them also
serves ``$default`` (unknown paths answer JSON 404s) and the client routes. An event
that would reach a service route's code must therefore be that route's own: its
``routeKey`` names the route and ``requestContext.authorizer.iam`` carries the caller.
Anything else (``$default`` with ``rawPath: /sessions``, a client route's key, no IAM
principal) is answered 403 before the body is even read. Which route an event would
reach is the route table's answer for its normalised path.
"""

from __future__ import annotations

from typing import Any

from handlers.route_spec import RouteSpec


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def forbidden(event: dict[str, Any], route: RouteSpec | None) -> bool:
    """True when ``event`` would reach the service ``route`` without being an
    IAM-signed call to that very route."""
    if route is None or route.auth != "iam":
        return False
    context = _dict(event.get("requestContext"))
    iam = _dict(_dict(context.get("authorizer")).get("iam"))
    return event.get("routeKey") != route.key or not iam
