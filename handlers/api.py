"""The HTTP API Lambda (API Gateway HTTP API, payload format 2.0).

Thin: the body guard, Powertools routing with pydantic validation, the manager, and
one JSON error shape ``{error, message}`` for everything that goes wrong.
"""

from __future__ import annotations

from typing import Any

from handlers.coldstart import imports_without_gc

with imports_without_gc():
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
    from aws_lambda_powertools.event_handler.exceptions import NotFoundError
    from aws_lambda_powertools.event_handler.openapi.exceptions import (
        RequestUnsupportedContentType,
        RequestValidationError,
    )
    from aws_lambda_powertools.logging import correlation_paths
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from handlers.api_models import METADATA_TOO_LARGE
    from handlers.body_guard import checked_event
    from handlers.docs import install as install_docs
    from handlers.http_errors import (
        ApiError,
        BadRequestError,
        ForbiddenError,
        InternalServerError,
        InvalidRequestError,
        PayloadTooLargeError,
        RouteNotFoundError,
        UnsupportedMediaTypeError,
        error_payload,
        error_response,
        from_session_error,
        status_of,
    )
    from handlers.observability import count, logger, manager_event, metrics
    from handlers.paths import normalised
    from handlers.responses import RUNTIME_KEY, with_security_headers
    from handlers.route_table import API_FUNCTION, route_for
    from handlers.routes_client import router as client_router
    from handlers.routes_service import router as service_router
    from handlers.routes_tokens import router as token_router
    from handlers.service_guard import forbidden
    from handlers.wiring import Wiring
    from sessions_core import SessionError

# Built on the first event of each cold start; its manager's events feed the metrics.
wiring = Wiring(observer=manager_event, creates_key_set=True)

# debug=False: Powertools' debug mode prints whole events, session tokens included.
app = APIGatewayHttpResolver(enable_validation=True, debug=False)
app.include_router(service_router)
app.include_router(client_router)
app.include_router(token_router)
install_docs(app)


@app.exception_handler(ApiError)
def on_api_error(error: ApiError) -> Response[str]:
    return error_response(error)


@app.exception_handler(SessionError)
def on_session_error(error: SessionError) -> Response[str]:
    answer = from_session_error(error)
    if status_of(answer) >= InternalServerError.status:
        logger.error("store failure", extra={"code": error.code, "detail": error.message})
        count("StoreErrors")
    return error_response(answer)


@app.exception_handler(RequestValidationError)
def on_validation_error(error: RequestValidationError) -> Response[str]:
    problems = error.errors()
    if any(p.get("type") == METADATA_TOO_LARGE for p in problems):
        return error_response(PayloadTooLargeError("metadata must be at most 2 KiB as JSON"))
    whole_body = {"model_attributes_type", "dict_type", "missing"}
    if any(
        p.get("type") == "json_invalid"
        or (tuple(p.get("loc", ())) == ("body",) and p.get("type") in whole_body)
        for p in problems
    ):
        return error_response(BadRequestError())
    # Name the fields and what is wrong, never echo the input (it may hold a token).
    fields = sorted(
        {
            ".".join(str(part) for part in p.get("loc", ())[1:] if part != "body")
            + f": {p.get('msg', 'invalid')}"
            for p in problems
        }
    )
    return error_response(InvalidRequestError("; ".join(fields) or None))


@app.exception_handler(RequestUnsupportedContentType)
def on_content_type(_: RequestUnsupportedContentType) -> Response[str]:
    return error_response(UnsupportedMediaTypeError())


@app.not_found
def on_not_found(_: NotFoundError) -> Response[str]:
    return error_response(RouteNotFoundError())


@app.exception_handler(Exception)
def on_unexpected(_: Exception) -> Response[str]:
    logger.exception("unhandled error")
    return error_response(InternalServerError())


# log_event=False whatever POWERTOOLS_LOGGER_LOG_EVENT says: the event holds the token.
@logger.inject_lambda_context(
    correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True, log_event=False
)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Lambda entry point for the API function's routes."""
    return serve(event, context, API_FUNCTION)


def serve(event: dict[str, Any], context: LambdaContext, function: str) -> dict[str, Any]:
    """Answer ``event`` as ``function`` (a function of the route table): the path is
    normalised once, here, and everything after reads that one path."""
    event = normalised(event)
    route = route_for(event)
    if (route.function if route else API_FUNCTION) != function:
        return with_security_headers(
            error_payload(RouteNotFoundError())
        )  # another function's route
    if forbidden(event, route):
        count("ForbiddenServiceCalls")
        return with_security_headers(error_payload(ForbiddenError()))
    try:
        event = checked_event(event, route)
    except ApiError as error:
        return with_security_headers(error_payload(error))
    try:
        runtime = wiring.runtime()
    except SessionError as error:  # the deployment itself is wrong: say so in the log
        logger.error("cannot start", extra={"code": error.code, "detail": error.message})
        return with_security_headers(error_payload(InternalServerError()))
    app.append_context(**{RUNTIME_KEY: runtime})
    return with_security_headers(app.resolve(event, context))
