"""``GET /openapi.json`` and ``GET /docs`` (Swagger UI, bundled with Powertools, so the
page works offline).

Built on first request rather than with ``enable_swagger`` at import: that call loads
Powertools' OpenAPI models, about 60 ms of every cold start for a page few invocations
serve.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

TITLE = "Serverless sessions"
VERSION = "0.1.0"
DESCRIPTION = (
    "Sessions for AWS: service routes (AWS_IAM) for login backends, client routes "
    "authenticated by the session token (Bearer or the __Host-session cookie). "
    "Every error is JSON {error, message}."
)

router = APIGatewayHttpRouter()
_schema_source: list[Callable[[], str]] = []


def serve_schema_from(source: Callable[[], str]) -> None:
    """Tell the docs routes where the OpenAPI document comes from (the app)."""
    _schema_source[:] = [source]


@cache
def _schema() -> str:
    return _schema_source[0]()


# The docs may be cached briefly; the page may not be framed (rule 15: a framed
# Swagger UI is a clickjacking surface for "Try it out").
_DOCS_CACHE = {"Cache-Control": "public, max-age=300"}
_NO_FRAMES = {"Content-Security-Policy": "frame-ancestors 'none'", "X-Frame-Options": "DENY"}


@router.get("/openapi.json", include_in_schema=False)
def openapi_document() -> Response[str]:
    return Response(
        status_code=200, content_type="application/json", body=_schema(), headers=_DOCS_CACHE
    )


@cache
def _page() -> str:
    from pathlib import Path  # noqa: PLC0415

    from aws_lambda_powertools.event_handler.openapi import swagger_ui  # noqa: PLC0415 - see module doc
    from aws_lambda_powertools.event_handler.openapi.swagger_ui import (  # noqa: PLC0415
        generate_swagger_html,
    )

    assets = Path(swagger_ui.__file__).parent
    return generate_swagger_html(
        _schema().replace("</", "<\\/"),
        (assets / "swagger-ui-bundle.min.js").read_text(encoding="utf-8"),
        (assets / "swagger-ui.min.css").read_text(encoding="utf-8"),
        "",
        None,
    )


@router.get("/docs", include_in_schema=False)
def docs_page() -> Response[str]:
    return Response(
        status_code=200,
        content_type="text/html",
        body=_page(),
        headers={**_DOCS_CACHE, **_NO_FRAMES},
    )
