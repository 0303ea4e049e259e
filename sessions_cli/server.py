"""`sessions serve`: the template's routes on a local HTTP server, backed by an embedded
DynamoDB (moto's server, in this process) unless an endpoint is given."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sessions_cli.gateway import Answer, IamCheck, LocalGateway, Request, merge_headers
from sessions_cli.protocol_servers import start_embedded_moto
from sessions_cli.template import authorizer_function, function_handler, load_template, routes

MAX_REQUEST_BYTES = 10 * 1024 * 1024  # API Gateway's own payload limit


DEMO_CONDITION = "DemoEnabled"


class _Server(ThreadingHTTPServer):
    # socketserver listens with a backlog of 5: a page opening a few dozen connections
    # at once (or a test racing 40 sign-ins) had connections reset.
    request_queue_size = 128
    daemon_threads = True


def make_gateway(
    template_path: Path, *, demo: bool = False, iam_check: IamCheck | None = None
) -> LocalGateway:
    """A gateway serving every HttpApi route the template declares (the demo's too
    when ``demo``), enforcing AWS_IAM with ``iam_check`` when given."""
    template = load_template(template_path)
    declared = routes(template, frozenset({DEMO_CONDITION}) if demo else frozenset())
    names = {r.authorizer for r in declared if r.authorizer and r.authorizer != "AWS_IAM"}
    authorizers = {}
    for name in names:
        function = authorizer_function(template, name)
        if function is None:
            raise ValueError(f"authorizer {name!r} has no function in {template_path}")
        authorizers[name] = function_handler(template, function)
    return LocalGateway(declared, authorizers, iam_check)


def environment_iam_check(request: Request) -> str | None:
    """`sigv4_check.check` against the credentials in this process's environment (the
    ones an operator exports, or serve's local placeholders)."""
    import botocore.session

    from sessions_cli.sigv4_check import check

    credentials = botocore.session.get_session().get_credentials()
    if credentials is None:
        return None
    host = request.headers.get("host", "localhost")
    url = f"http://{host}{request.path}" + (f"?{request.query}" if request.query else "")
    signer = check(request.method, url, request.headers, request.body, credentials)
    return signer.access_key if signer else None


def _request_handler(
    gateway: LocalGateway, log: Callable[[str], None]
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "sessions-serve"
        protocol_version = "HTTP/1.1"
        # Headers and body go out in separate writes; with Nagle on, a keep-alive
        # client's delayed ACK held every answer ~40 ms (found by the peer benchmark).
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            started = time.perf_counter()
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_REQUEST_BYTES:
                answer = Answer(
                    413,
                    [("Content-Type", "application/json")],
                    b'{"message":"Request Entity Too Large"}',
                )
                self.close_connection = True
            else:
                body = self.rfile.read(length) if length else b""
                request = Request(
                    method=self.command,
                    path=split.path or "/",
                    query=split.query,
                    headers=merge_headers(list(self.headers.items())),
                    body=body,
                    source_ip=self.client_address[0],
                )
                try:
                    answer = gateway.handle(request)
                except Exception as error:  # a crashed handler is a local 500, as in Lambda
                    log(f"handler crashed: {type(error).__name__}")
                    answer = Answer(
                        500,
                        [("Content-Type", "application/json")],
                        b'{"message":"Internal Server Error"}',
                    )
            self.send_response(answer.status)
            for name, value in answer.headers:
                if name.lower() not in {"content-length", "connection"}:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(answer.body)
            elapsed = (time.perf_counter() - started) * 1000
            # Path only: a query string could carry anything, tokens included.
            log(f"{self.command} {split.path} {answer.status} {elapsed:.1f}ms")

        def __getattr__(self, name: str) -> Any:
            # Every method (QUERY, TRACE, made-up ones) goes to the gateway, which
            # answers as API Gateway would, rather than http.server's HTML 501.
            if name.startswith("do_"):
                return self._serve
            raise AttributeError(name)

        def log_message(self, format: str, *args: Any) -> None:
            """Silence the default access log (it prints the raw request line)."""

    return Handler


def serve(
    *,
    host: str,
    port: int,
    table: str,
    endpoint_url: str | None,
    template_path: Path,
    demo: bool = False,
    enforce_iam: bool = False,
) -> None:
    """Run the local API until interrupted."""

    def log(line: str) -> None:
        print(line, file=sys.stdout, flush=True)

    embedded = endpoint_url is None
    if embedded:
        endpoint_url = start_embedded_moto().url
    os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint_url or ""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ["SESSIONS_TABLE"] = table
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")

    gateway = make_gateway(
        template_path, demo=demo, iam_check=environment_iam_check if enforce_iam else None
    )
    httpd = _Server((host, port), _request_handler(gateway, log))
    bound_port = httpd.server_address[1]
    origins = {f"http://{host}:{bound_port}", f"http://localhost:{bound_port}"}
    extra = {o for o in os.environ.get("ALLOWED_ORIGINS", "").split(",") if o}
    os.environ["ALLOWED_ORIGINS"] = ",".join(sorted(origins | extra))

    from sessions_cli.local_events import start_local_events
    from sessions_core import DynamoDBSessionStore
    from sessions_core.dynamodb.client import make_client

    created = DynamoDBSessionStore(table, client=make_client()).create_table()
    events = start_local_events(table, endpoint_url or "", embedded=embedded, log=log)
    url = f"http://{host}:{bound_port}"
    backend = "embedded DynamoDB (moto)" if embedded else "DynamoDB"
    log(f"sessions serve: {len(gateway.routes)} routes from {template_path.name}")
    log(f"  API   {url}")
    log(f"  docs  {url}/docs")
    if demo:
        log(f"  demo  {url}/  (sign in as alice / wonderland, bob / builder or carol / lighthouse)")
    log(f"  table {table!r} on {backend} at {endpoint_url}" + (" (created)" if created else ""))
    log(f"  events {events}")
    iam = "enforced (SigV4, this environment's credentials)" if enforce_iam else "not enforced"
    log(f"  IAM   {iam} on the service routes")
    log(f"  try:  AWS_ENDPOINT_URL_DYNAMODB={endpoint_url} sessions list --user alice")
    log("Press Ctrl+C to stop.")
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        log("stopped")
    finally:
        httpd.server_close()
