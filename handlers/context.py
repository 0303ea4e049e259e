"""What the route modules share: the manager, settings, and the request's identity."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.shared.cookies import Cookie
from pydantic import BaseModel

from handlers import settings as runtime
from handlers.observability import manager_event
from sessions_core import SessionManager

runtime.observe_with(manager_event)


def manager() -> SessionManager:
    """The process's manager (its events feed the metrics)."""
    return runtime.manager()


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
