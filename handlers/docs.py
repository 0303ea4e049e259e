"""``GET /openapi.json`` and ``GET /docs`` (Swagger UI, bundled with Powertools, so the
page works offline), installed on the app by `install`.

Built on first request rather than with ``enable_swagger`` at import: that call loads
Powertools' OpenAPI models, about 60 ms of every cold start for a page few invocations
serve.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

TITLE = "Serverless sessions"
VERSION = "0.1.0"
DESCRIPTION = (
    "Sessions for AWS: service routes (AWS_IAM) for login backends, client routes "
    "authenticated by the session token (Bearer or the __Host-session cookie). "
    "Every error is JSON {error, message}."
)

# The docs may be cached briefly; the page may not be framed (rule 15: a framed
# Swagger UI is a clickjacking surface for "Try it out").
_DOCS_CACHE = {"Cache-Control": "public, max-age=300"}
_NO_FRAMES = {"Content-Security-Policy": "frame-ancestors 'none'", "X-Frame-Options": "DENY"}


def _page(schema: str) -> str:
    from pathlib import Path  # noqa: PLC0415

    from aws_lambda_powertools.event_handler.openapi import swagger_ui  # noqa: PLC0415 - see module doc
    from aws_lambda_powertools.event_handler.openapi.swagger_ui import (  # noqa: PLC0415
        generate_swagger_html,
    )

    assets = Path(swagger_ui.__file__).parent
    return generate_swagger_html(
        schema.replace("</", "<\\/"),
        (assets / "swagger-ui-bundle.min.js").read_text(encoding="utf-8"),
        (assets / "swagger-ui.min.css").read_text(encoding="utf-8"),
        "",
        None,
    )


def security_schemes() -> dict[str, Any]:
    """How each kind of route authenticates: SigV4 (AWS_IAM) for the service routes,
    the session token as a Bearer token or the ``__Host-session`` cookie for the
    client routes (`routing.SECURITY` names them per route)."""
    from aws_lambda_powertools.event_handler.openapi.models import (  # noqa: PLC0415
        APIKey,
        APIKeyIn,
        HTTPBearer,
    )

    return {
        "sigv4": APIKey.model_validate(
            {
                "type": "apiKey",
                "name": "Authorization",
                "in": APIKeyIn.header,
                "description": "AWS Signature Version 4 (service execute-api): AWS_IAM",
                "x-amazon-apigateway-authtype": "awsSigv4",
            }
        ),
        "bearer": HTTPBearer(description="the session token: Authorization: Bearer <token>"),
        "sessionCookie": APIKey.model_validate(
            {
                "type": "apiKey",
                "name": "__Host-session",
                "in": APIKeyIn.cookie,
                "description": "the session token in the HttpOnly cookie",
            }
        ),
    }


def openapi_json(app: APIGatewayHttpResolver) -> str:
    """``app``'s OpenAPI document (its routes, their answers and security)."""
    return app.get_openapi_json_schema(
        title=TITLE, version=VERSION, description=DESCRIPTION, security_schemes=security_schemes()
    )


def install(app: APIGatewayHttpResolver) -> None:
    """Serve ``app``'s own OpenAPI document and its Swagger page (each built once)."""

    @cache
    def schema() -> str:
        return openapi_json(app)

    @cache
    def page() -> str:
        return _page(schema())

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_document() -> Response[str]:
        return Response(
            status_code=200, content_type="application/json", body=schema(), headers=_DOCS_CACHE
        )

    @app.get("/docs", include_in_schema=False)
    def docs_page() -> Response[str]:
        return Response(
            status_code=200,
            content_type="text/html",
            body=page(),
            headers={**_DOCS_CACHE, **_NO_FRAMES},
        )
