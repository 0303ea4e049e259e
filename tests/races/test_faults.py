"""Faults: endpoint down, read timeouts, throttling and missing tables, seen from the
library (StoreUnavailableError), the API (503 + Retry-After) and the authorizer (deny)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from handlers import authorizer
from sessions_core import (
    DynamoDBSessionStore,
    SessionConfig,
    SessionManager,
    StoreConfigurationError,
    StoreUnavailableError,
)
from sessions_core.dynamodb.client import client_config, make_client
from sessions_local.gateway import LocalContext
from tests.integration.api_support import body, event, invoke
from tests.support import RequestCounter, inject_error, server_store, wired

TOKEN = "00000000-0000-8000-8000-000000000000." + "A" * 43


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A TCP server that accepts connections and never answers (a hung DynamoDB)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def _manager(endpoint: str, **config: Any) -> SessionManager:
    client = make_client(
        endpoint_url=endpoint,
        config=client_config(max_attempts=2, connect_timeout=0.3, read_timeout=0.3),
    )
    return SessionManager(SessionConfig(DynamoDBSessionStore("t", client=client), **config))


def test_fault_read_timeout_raises_store_unavailable(silent_endpoint: str) -> None:
    with pytest.raises(StoreUnavailableError, match="could not be reached"):
        _manager(silent_endpoint).validate(TOKEN)


def test_fault_connection_refused_raises_store_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    with pytest.raises(StoreUnavailableError):
        _manager(dead).create(user_id="u")


@pytest.fixture
def api_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Point the API and the authorizer at a given manager."""
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://app.example.com")
    with ExitStack() as stack:
        yield lambda manager: stack.enter_context(wired(manager))


def test_fault_hung_store_api_answers_503_and_authorizer_denies(
    silent_endpoint: str, api_on: Any
) -> None:
    api_on(_manager(silent_endpoint))
    result = invoke(event("validate_session", token=TOKEN))
    assert result["statusCode"] == 503 and result["headers"]["Retry-After"] == "1"
    assert body(result)["error"] == "store_unavailable"
    me = invoke(event("me_sessions_bearer", token=TOKEN))
    assert me["statusCode"] == 503
    denied = authorizer.handler(event("authorizer_request", token=TOKEN), LocalContext("a"))
    assert denied == {"isAuthorized": False}


@pytest.mark.parametrize("server", ["moto_server", "dynalite"])
def test_fault_missing_table_names_the_table(
    server: str, protocol_servers: dict[str, Any], api_on: Any
) -> None:
    server_store(protocol_servers, server)  # starts the server (or skips)
    client = make_client(endpoint_url=protocol_servers[server].url)
    manager = SessionManager(SessionConfig(DynamoDBSessionStore("not-created", client=client)))
    with pytest.raises(StoreConfigurationError, match="'not-created' does not exist"):
        manager.validate(TOKEN)
    api_on(manager)
    result = invoke(event("create_session"))
    assert result["statusCode"] == 500
    assert body(result) == {"error": "internal_error", "message": "internal error"}


@pytest.mark.parametrize("server", ["moto_server", "dynalite"])
@pytest.mark.parametrize(
    ("operation", "code"),
    [("PutItem", "ThrottlingException"), ("UpdateItem", "ProvisionedThroughputExceededException")],
)
def test_fault_throttled_once_then_retried_writes_exactly_once(
    server: str, operation: str, code: str, protocol_servers: dict[str, Any]
) -> None:
    store = server_store(protocol_servers, server)
    manager = SessionManager(SessionConfig(store))
    first = manager.create(user_id="retry")
    counter = RequestCounter(store.client)
    injected = inject_error(store.client, operation, code, times=1)
    if operation == "PutItem":
        second = manager.create(user_id="retry")
        expected_ids = {first.id, second.id}
    else:
        rotated = manager.refresh(first.token or "")
        assert manager.validate(rotated.token or "").valid
        expected_ids = {first.id}
    assert len(injected) == 1 and counter.calls[operation] == 1  # one call, retried inside
    assert {s.id for s in manager.list_for_user("retry")} == expected_ids
