"""A local stand-in for API Gateway (HTTP API): builds payload 2.0 events from HTTP
requests, runs the authorizer a route names, calls the handler, and turns the Lambda
answer back into status, headers and cookies.
"""

from __future__ import annotations

import base64
import importlib
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from handlers.route_spec import RouteSpec

LOCAL_IAM_PRINCIPAL = {
    "accessKey": "LOCALACCESSKEY",
    "accountId": "000000000000",
    "callerId": "LOCAL",
    "principalOrgId": None,
    "userArn": "arn:aws:iam::000000000000:user/local",
    "userId": "LOCAL",
}

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass(frozen=True)
class Route:
    """A route as the local gateway serves it: the route table's entry and the handler
    of the function that serves it."""

    spec: RouteSpec
    handler: str

    @property
    def method(self) -> str:
        """The route's method (``ANY`` for the fallback)."""
        return self.spec.method

    @property
    def path(self) -> str:
        """The route's path (``$default`` for the fallback)."""
        return self.spec.path

    @property
    def function(self) -> str:
        """The function resource that serves it."""
        return self.spec.function

    @property
    def iam(self) -> bool:
        """True for an AWS_IAM route."""
        return self.spec.auth == "iam"


class LocalContext:
    """The parts of a Lambda context that Powertools reads."""

    def __init__(self, function_name: str) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = (
            f"arn:aws:lambda:us-east-1:000000000000:function:{function_name}"
        )
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 10_000


@dataclass
class Request:
    """An HTTP request as the server read it."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    source_ip: str = "127.0.0.1"


@dataclass
class Answer:
    """What goes back to the client."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def merge_headers(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Headers as API Gateway passes them in payload 2.0: names lowercased, repeated
    headers joined with commas (repeated ``Cookie`` headers with ``; ``, since they
    become the ``cookies`` list)."""
    merged: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        if key in merged:
            merged[key] += ("; " if key == "cookie" else ",") + value
        else:
            merged[key] = value
    return merged


def load_handler(dotted: str) -> Handler:
    """Import ``package.module.function`` as the template's ``Handler`` names it."""
    module_name, _, attribute = dotted.rpartition(".")
    handler: Handler = getattr(importlib.import_module(module_name), attribute)
    return handler


def build_event(request: Request, route: Route | None, params: dict[str, str]) -> dict[str, Any]:
    """The payload 2.0 event API Gateway would send for ``request``."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers.items():
        if name.lower() == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
        else:
            headers[name.lower()] = value
    now = datetime.now(UTC)
    request_id = str(uuid.uuid4())
    declared = route is not None and route.path != "$default"
    route_key = f"{route.method} {route.path}" if declared and route else "$default"
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.path,
        "rawQueryString": request.query,
        "headers": headers,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": headers.get("host", "localhost"),
            "domainPrefix": "local",
            "http": {
                "method": request.method,
                "path": request.path,
                "protocol": "HTTP/1.1",
                "sourceIp": request.source_ip,
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": route_key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": bool(request.body),
    }
    if cookies:
        event["cookies"] = cookies
    if params:
        event["pathParameters"] = {k: unquote(v) for k, v in params.items()}
    if request.query:
        event["queryStringParameters"] = dict(
            pair.partition("=")[::2] for pair in request.query.split("&") if pair
        )
    if request.body:
        event["body"] = base64.b64encode(request.body).decode("ascii")
    if route and route.iam:
        event["requestContext"]["authorizer"] = {"iam": dict(LOCAL_IAM_PRINCIPAL)}
    return event


def to_answer(result: Any) -> Answer:
    """Turn a Lambda proxy answer (payload 2.0) into status, headers and body."""
    if not isinstance(result, dict) or "statusCode" not in result:
        return Answer(
            500, [("Content-Type", "application/json")], b'{"message":"Internal Server Error"}'
        )
    headers: list[tuple[str, str]] = []
    for name, value in (result.get("headers") or {}).items():
        headers.append((name, str(value)))
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((name, str(v)) for v in values)
    headers.extend(("Set-Cookie", cookie) for cookie in result.get("cookies") or [])
    body = result.get("body") or ""
    data = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
    return Answer(int(result["statusCode"]), headers, data)


_FORBIDDEN = Answer(403, [("Content-Type", "application/json")], b'{"message":"Forbidden"}')

# Checks an AWS_IAM route's request and names its signer (an access key), or None.
IamCheck = Callable[[Request], "str | None"]


class LocalGateway:
    """Routes requests to handlers one at a time, as one Lambda container would.

    ``iam_check`` enforces AWS_IAM routes (``sessions serve --enforce-iam``); without
    it they carry a fixed local principal, unchecked.
    """

    def __init__(self, routes: list[Route], iam_check: IamCheck | None = None) -> None:
        self.routes = routes
        self.iam_check = iam_check
        self._lock = threading.Lock()

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str]]:
        """The route for a request: an exact one (by the path as the route table cleans
        it), else ``$default`` if declared, else None (API Gateway answers 404 itself)."""
        from handlers.paths import clean_path

        path = clean_path(path)
        fallback = None
        for route in self.routes:
            if route.path == "$default":
                fallback = route
                continue
            found = route.spec.pattern.match(path)
            if found and route.method in {method, "ANY"}:
                return route, found.groupdict()
        return fallback, {}

    def handle(self, request: Request) -> Answer:
        """Serve one request end to end."""
        route, params = self.match(request.method, request.path)
        if route is None:
            return Answer(404, [("Content-Type", "application/json")], b'{"message":"Not Found"}')
        event = build_event(request, route, params)
        if route.iam and self.iam_check is not None:
            signer = self.iam_check(request)
            if signer is None:
                return _FORBIDDEN
            event["requestContext"]["authorizer"]["iam"]["accessKey"] = signer
        with self._lock:
            result = load_handler(route.handler)(event, LocalContext(route.function))
        return to_answer(result)
