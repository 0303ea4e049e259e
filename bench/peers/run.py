"""The peer benchmark: each store through the same workload on dynalite and moto_server.

Workload: sign in, 100 page views with the session, a refresh (where the store has
one), sign out; then, where the store can, "sign out everywhere" for a user with 10
sessions. Per page view: DynamoDB requests, RCU, WCU and latency p50/p99 (measured by
the client of the app: HTTP on loopback, or the handler call in process).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bench.peers.install import PeerUnavailableError, node_peer, python_peer
from bench.peers.proxy import CountingProxy
from bench.peers.targets import ROOT, CookieApp, Http, OurApi, Process
from tests.harness.protocol_servers import STARTERS, ServerUnavailableError

VIEWS = 100
EVERYWHERE = 10
SECRET = "b" * 64  # our deployment key for the run (rule 12), any 32+ characters
VERSIONS = {
    "express-session + connect-dynamodb": "express 5.1.0, express-session 1.19.0, "
    "connect-dynamodb 3.0.5, @aws-sdk/client-dynamodb 3.1169.0 (Node 20)",
    "Flask-Session": "Flask-Session 0.8.0, Flask 3.1.1, boto3 1.44.8",
}


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def drive(target: Any, proxy: CountingProxy, user: str) -> dict[str, Any]:
    """The workload against one target; figures per step."""
    tally = proxy.tally
    tally.reset()
    target.sign_in(user)
    steps: dict[str, Any] = {"sign_in": tally.snapshot()}
    tally.reset()
    latencies = []
    for _ in range(VIEWS):
        started = time.perf_counter()
        status = target.page_view()
        latencies.append((time.perf_counter() - started) * 1000)
        assert status == 200, f"page view answered {status}"
    views = tally.snapshot()
    steps["page_view"] = {
        "requests": views["requests"] / VIEWS,
        "read_units": round(views["read_units"] / VIEWS, 3),
        "write_units": round(views["write_units"] / VIEWS, 3),
        "writes_per_100": views["writes"] * 100 / VIEWS,
        "by_operation": views["by_operation"],
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(_percentile(latencies, 0.99), 2),
    }
    tally.reset()
    target.refresh()
    steps["refresh"] = tally.snapshot()
    assert target.page_view() == 200, "the refreshed session does not work"
    tally.reset()
    target.sign_out()
    steps["sign_out"] = tally.snapshot()
    assert target.page_view() == 401, "signed out, yet the session still works"
    if target.everywhere:
        other = f"{user}-everywhere"
        target.sign_out_everywhere(other, EVERYWHERE)
        tally.reset()
        revoked = target.revoke_all(other)
        steps["sign_out_everywhere"] = {**tally.snapshot(), "revoked": revoked}
    else:
        steps["sign_out_everywhere"] = None
    return steps


@contextmanager
def _process(command: list[str], env: dict[str, str], ready: str) -> Iterator[Process]:
    process = Process(command, env, ready).start()
    try:
        yield process
    finally:
        process.stop()


def _in_process(proxy: CountingProxy, table: str) -> Callable[..., tuple[int, Any]]:
    """Our API handler called in this process, as API Gateway would (the local gateway
    of `sessions serve` builds the events), its client pointed at the proxy."""
    import json

    from handlers import api, authorizer
    from sessions_core import DynamoDBSessionStore
    from sessions_core.dynamodb.client import make_client
    from sessions_local.gateway import Request
    from sessions_local.server import make_gateway

    DynamoDBSessionStore(table, client=make_client(endpoint_url=proxy.url)).create_table()
    os.environ.update(
        SESSIONS_TABLE=table,
        AWS_ENDPOINT_URL_DYNAMODB=proxy.url,
        SESSIONS_SECRET_KEY=SECRET,
        ALLOWED_ORIGINS="https://app.example.com",
    )
    for wiring in (api.wiring, authorizer.wiring):
        wiring.use(None)  # rebuilt from the environment above on first use
    gateway = make_gateway()

    def send(method: str, path: str, body: Any, headers: dict[str, str]) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else b""
        answer = gateway.handle(
            Request(
                method,
                path,
                "",
                {"content-type": "application/json", **{k.lower(): v for k, v in headers.items()}},
                data,
            )
        )
        return answer.status, json.loads(answer.body) if answer.body.strip() else None

    return send


def _targets(proxy: CountingProxy) -> Iterator[tuple[str, str, Any]]:
    """(store, setting, target) in turn; each app runs only while it is measured."""
    try:
        modules = node_peer()
        for mode in ("default", "best"):
            table = f"express-{uuid.uuid4().hex[:8]}"
            env = {
                "NODE_PATH": str(modules),
                "DYNAMODB_ENDPOINT": proxy.url,
                "TABLE": table,
                "MODE": mode,
            }
            with _process(["node", str(ROOT / "bench/peers/node/app.js")], env, "listening") as app:
                yield "express-session + connect-dynamodb", mode, CookieApp(app.url)
    except PeerUnavailableError as error:
        yield "express-session + connect-dynamodb", "skipped", str(error)
    try:
        python = python_peer()
        for mode in ("default", "best"):
            table = f"flask-{uuid.uuid4().hex[:8]}"
            env = {"DYNAMODB_ENDPOINT": proxy.url, "TABLE": table, "MODE": mode}
            with _process(
                [str(python), str(ROOT / "bench/peers/flask_app.py")], env, "listening"
            ) as app:
                yield "Flask-Session", mode, CookieApp(app.url)
    except PeerUnavailableError as error:
        yield "Flask-Session", "skipped", str(error)
    yield (
        "serverless-sessions",
        "in process",
        OurApi(_in_process(proxy, f"ours-{uuid.uuid4().hex[:8]}")),
    )
    table = f"serve-{uuid.uuid4().hex[:8]}"
    command = [
        sys.executable,
        "-m",
        "sessions_cli.main",
        "serve",
        "--table",
        table,
        "--endpoint-url",
        proxy.url,
    ]
    env = {"SESSIONS_SECRET_KEY": SECRET, "POWERTOOLS_LOG_LEVEL": "WARNING"}
    with _process([*command, "--port", "{port}"], env, "Press Ctrl+C") as served:
        yield "serverless-sessions", "over sessions serve", OurApi(Http(served.url).call, 1.5)


def measure_peers() -> dict[str, Any]:
    """Every store on every server: {server: {store: {setting: steps}}}."""
    results: dict[str, Any] = {"versions": VERSIONS, "views": VIEWS}
    for server_name, start in STARTERS.items():
        try:
            server = start()
        except ServerUnavailableError as error:
            results[server_name] = {"skipped": str(error)}
            continue
        proxy = CountingProxy(server.url, computed=server_name == "moto_server")
        on_server: dict[str, Any] = {
            "capacity": "computed from item sizes" if proxy.computed else "reported by the server"
        }
        try:
            for store, setting, target in _targets(proxy):
                if setting == "skipped":
                    on_server.setdefault(store, {})["skipped"] = target
                    continue
                try:
                    figures = drive(target, proxy, f"u-{uuid.uuid4().hex[:6]}")
                except (AssertionError, OSError) as error:  # a store broke on this server
                    figures = {"failed": f"{type(error).__name__}: {error}"}
                on_server.setdefault(store, {})[setting] = figures
        finally:
            proxy.stop()
            server.stop()
        results[server_name] = on_server
    return results
