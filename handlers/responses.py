"""What the route modules share: the request's runtime, and the JSON answer shape."""

from __future__ import annotations

from typing import Any, cast

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.shared.cookies import Cookie
from pydantic import BaseModel

from handlers.wiring import Runtime

RUNTIME_KEY = "runtime"


def runtime_of(router: APIGatewayHttpRouter) -> Runtime:
    """The runtime the entry point put in this request's context."""
    return cast(Runtime, router.context[RUNTIME_KEY])


def json_response(
    status: int,
    body: BaseModel | None = None,
    *,
    cookies: list[Cookie] | None = None,
    headers: dict[str, Any] | None = None,
) -> Response[Any]:
    """A JSON response in camelCase without null fields (or an empty 204)."""
    text = body.model_dump_json(by_alias=True, exclude_none=True) if body is not None else None
    return Response(
        status_code=status,
        content_type="application/json" if text is not None else None,
        body=text,
        cookies=cookies,
        headers=headers,
    )


# Nothing the API answers may be sniffed into another type, and nothing it answers is
# for a shared cache (create and refresh carry tokens, the rest is one user's
# sessions); routes that may be cached (the docs) set their own Cache-Control.
_ALWAYS = {"X-Content-Type-Options": "nosniff"}
_DEFAULT = {"Cache-Control": "no-store"}


def with_security_headers(result: dict[str, Any]) -> dict[str, Any]:
    """``result`` (a payload-2.0 answer) with the headers every answer carries."""
    headers = {**_DEFAULT, **(result.get("headers") or {}), **_ALWAYS}
    return {**result, "headers": headers}
