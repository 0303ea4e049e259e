"""`sessions serve`: the template's routes on a local HTTP server, backed by an embedded
DynamoDB (moto's server, in this process) unless an endpoint is given."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from botocore.credentials import Credentials

from sessions_local.embedded import start_embedded_moto
from sessions_local.gateway import (
    Answer,
    IamCheck,
    LocalGateway,
    Request,
    Route,
    load_handler,
    merge_headers,
)

if TYPE_CHECKING:
    from handlers.settings import Settings

MAX_REQUEST_BYTES = 10 * 1024 * 1024  # API Gateway's own payload limit
BODY_TIMEOUT_SECONDS = 10
# Methods whose request carries a body: they must say how long it is.
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _bad_request(message: str, status: int = 400, code: str = "bad_request") -> Answer:
    body = json.dumps({"error": code, "message": message}).encode()
    return Answer(status, [("Content-Type", "application/json")], body)


def _body_length(method: str, headers: Any) -> tuple[int, Answer | None]:
    """How many body bytes to read, or the answer that refuses the request: a chunked
    body (not supported), a Content-Length that is not a plain number, too large, or
    missing where a body is expected."""
    if headers.get("Transfer-Encoding"):
        return 0, _bad_request("chunked bodies are not supported; send Content-Length")
    declared = headers.get_all("Content-Length") or []
    if len(set(declared)) > 1:
        return 0, _bad_request("conflicting Content-Length headers")
    text = declared[0].strip() if declared else None
    if text is None:
        if method.upper() in _BODY_METHODS:
            return 0, _bad_request("send Content-Length (curl: -d '' for an empty body)")
        return 0, None
    if not text.isascii() or not text.isdigit():
        return 0, _bad_request("Content-Length must be a number of bytes")
    length = int(text)
    if length > MAX_REQUEST_BYTES:
        return 0, _bad_request("the request is larger than 10 MiB", 413, "payload_too_large")
    return length, None


class _Server(ThreadingHTTPServer):
    # socketserver listens with a backlog of 5: a page opening a few dozen connections
    # at once (or a test racing 40 sign-ins) had connections reset.
    request_queue_size = 128
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line instead of socketserver's traceback: a client that went away (or
        never finished sending) is no error of ours."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return
        print(f"connection from {client_address[0]} failed: {type(error).__name__}", flush=True)


def make_gateway(*, demo: bool = False, iam_check: IamCheck | None = None) -> LocalGateway:
    """A gateway serving every route of the route table (the demo's too when ``demo``),
    as the template deploys them (tests/contract/test_template.py holds the two equal),
    enforcing AWS_IAM with ``iam_check`` when given."""
    from handlers.route_table import FALLBACK, HANDLERS, ROUTES

    specs = [*ROUTES]
    handlers = dict(HANDLERS)
    if demo:
        from examples.login.routes import DEMO_FUNCTION, DEMO_HANDLER, DEMO_ROUTES

        specs += DEMO_ROUTES
        handlers[DEMO_FUNCTION] = DEMO_HANDLER
    declared = [Route(spec, handlers[spec.function]) for spec in (*specs, FALLBACK)]
    for handler in set(handlers.values()):
        load_handler(handler)  # imported now: each entry point's wiring exists to be given
    return LocalGateway(declared, iam_check)


class ServeError(Exception):
    """serve cannot start; the message says why and what to do."""


def environment_iam_check(region: str) -> IamCheck:
    """`sigv4_check.check` against the AWS credentials this environment holds now
    (exported, or from a profile), for ``region``: captured before serve puts local
    placeholders in place, so a placeholder can never be what requests are checked
    against.

    Raises:
        ServeError: there are no credentials to check against.
    """
    import botocore.session

    found = botocore.session.get_session().get_credentials()
    if found is None:
        raise ServeError(
            "--enforce-iam checks signatures against your AWS credentials, and there are "
            "none: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)"
        )
    frozen = found.get_frozen_credentials()
    if not frozen.access_key or not frozen.secret_key:
        raise ServeError("--enforce-iam found a key without its secret in your AWS credentials")
    return iam_check_for(Credentials(frozen.access_key, frozen.secret_key, frozen.token), region)


def iam_check_for(credentials: Credentials, region: str) -> IamCheck:
    """`sigv4_check.check` of each request against ``credentials``, for ``region``."""
    from sessions_local.sigv4_check import check

    def iam_check(request: Request) -> str | None:
        host = request.headers.get("host", "localhost")
        url = f"http://{host}{request.path}" + (f"?{request.query}" if request.query else "")
        signer = check(
            request.method, url, request.headers, request.body, credentials, region=region
        )
        return signer.access_key if signer else None

    return iam_check


def _request_handler(
    gateway: LocalGateway, log: Callable[[str], None]
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "sessions-serve"
        protocol_version = "HTTP/1.1"
        # Headers and body go out in separate writes; with Nagle on, a keep-alive
        # client's delayed ACK held every answer ~40 ms (found by the peer benchmark).
        disable_nagle_algorithm = True
        # A client that promises a body and never sends it (or idles on a keep-alive
        # connection) frees its worker after this many seconds.
        timeout = BODY_TIMEOUT_SECONDS

        def _serve(self) -> None:
            started = time.perf_counter()
            split = urlsplit(self.path)
            length, refused = _body_length(self.command, self.headers)
            if refused is not None:
                answer = refused
                self.close_connection = True  # whatever follows is not a request
            else:
                try:
                    body = self.rfile.read(length) if length else b""
                except TimeoutError:
                    log(f"{self.command} {split.path}: the body did not arrive; closed")
                    self.close_connection = True
                    return
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


def local_settings(
    settings: Settings, *, table: str, endpoint_url: str, origins: set[str]
) -> Settings:
    """``settings`` (read from the environment) as serve runs them: its table and
    endpoint, its own origins allowed besides the configured ones, and placeholder
    credentials for a local endpoint when none are configured (moto needs some; real
    ones are never needed there)."""
    import botocore.session

    has_credentials = botocore.session.get_session().get_credentials() is not None
    return settings.replace(
        table=table,
        dynamodb_endpoint=endpoint_url,
        events_endpoint=endpoint_url,
        allowed_origins=frozenset(settings.allowed_origins | origins),
        local_credentials=None if has_credentials else ("local", "local"),
    )


def serve(
    *,
    host: str,
    port: int,
    table: str,
    endpoint_url: str | None,
    demo: bool = False,
    enforce_iam: bool = False,
) -> None:
    """Run the local API until interrupted.

    Raises:
        ServeError: with --enforce-iam, there are no credentials to check against.
        SettingsError, KeyConfigurationError: the environment is not valid.
        OSError: the port cannot be bound.
    """
    from handlers.observability import quiet
    from handlers.settings import Settings
    from handlers.wiring import Runtime, build_manager, used_everywhere
    from sessions_local.local_compactor import start_local_compactor
    from sessions_local.local_events import start_local_events

    def log(line: str) -> None:
        print(line, file=sys.stdout, flush=True)

    base = Settings.from_env()
    iam_check = environment_iam_check(base.region) if enforce_iam else None
    embedded = endpoint_url is None
    url_of_table = start_embedded_moto().url if endpoint_url is None else endpoint_url
    gateway = make_gateway(demo=demo, iam_check=iam_check)
    httpd = _Server((host, port), _request_handler(gateway, log))
    bound_port = httpd.server_address[1]
    origins = {f"http://{host}:{bound_port}", f"http://localhost:{bound_port}"}
    settings = local_settings(base, table=table, endpoint_url=url_of_table, origins=origins)
    quiet()
    url = f"http://{host}:{bound_port}"
    # Tokens serve issues name serve itself unless SESSIONS_TOKEN_ISSUER says otherwise.
    runtime = Runtime(settings, build_manager(settings, issuer=url))
    store = runtime.manager.config.store
    created = store.create_table() if hasattr(store, "create_table") else False
    tokens = _tokens_line(runtime)  # a bad key file stops serve before anything starts
    events = start_local_events(runtime, embedded=embedded, log=log)
    feed, compactor = start_local_compactor(runtime)
    backend = "embedded DynamoDB (moto)" if embedded else "DynamoDB"
    log(f"sessions serve: {len(gateway.routes)} routes")
    log(f"  API   {url}")
    log(f"  docs  {url}/docs")
    if demo:
        log(f"  demo  {url}/  (sign in as alice / wonderland, bob / builder or carol / lighthouse)")
    log(f"  table {table!r} on {backend} at {url_of_table}" + (" (created)" if created else ""))
    log(f"  events {events}")
    log(f"  tokens {tokens}")
    log(f"  feed  {feed}")
    iam = f"enforced (SigV4 for {settings.region}, your credentials)" if enforce_iam else ""
    log(f"  IAM   {iam or 'not enforced'} on the service routes")
    log(f"  try:  sessions list --user alice --endpoint-url {url_of_table}")
    log("Press Ctrl+C to stop.")
    with used_everywhere(runtime):
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            log("stopped")
        finally:
            compactor.set()
            httpd.server_close()


def _tokens_line(runtime: Any) -> str:
    """Where access tokens come from: the issuer, and the key file (created now, on
    first use, so that the first token does not wait for a new key)."""
    tokens = runtime.manager.config.access_tokens
    published = len(tokens.jwks()["keys"])
    path = runtime.settings.local_signing_keys_file
    return f"issuer {tokens.policy.issuer}, {published} signing key(s) in {path}"
