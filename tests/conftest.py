"""Fixtures: a fake clock, both stores (in-memory and DynamoDB on moto), managers."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from sessions_cli.protocol_servers import ProtocolServer
from sessions_core import (
    DynamoDBSessionStore,
    InMemorySessionStore,
    SessionConfig,
    SessionManager,
)
from sessions_core.dynamodb_client import client_config, make_client
from tests.support import FakeClock, RequestCounter, running_server

# moto and boto3 need credentials and a region; never real ones in tests.
for name, value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}.items():
    os.environ[name] = value
os.environ.pop("AWS_PROFILE", None)
# The per-deployment key of every test and every `sessions serve` they start: a file
# created on first use, as for local runs, but never the developer's own.
os.environ["SESSIONS_KEY_FILE"] = os.path.join(tempfile.mkdtemp(prefix="sessions-key-"), "key")
os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB", None)
os.environ.pop("AWS_ENDPOINT_URL", None)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def moto_client() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("dynamodb", region_name="us-east-1")


@pytest.fixture
def dynamodb_store(moto_client: Any) -> DynamoDBSessionStore:
    store = DynamoDBSessionStore("sessions-test", client=moto_client)
    store.create_table()
    return store


@pytest.fixture
def requests(dynamodb_store: DynamoDBSessionStore) -> RequestCounter:
    return RequestCounter(dynamodb_store.client)


@pytest.fixture(scope="session")
def protocol_servers() -> Iterator[dict[str, Any]]:
    """moto_server and dynalite, started on first use and stopped at the end."""
    started: dict[str, Any] = {}
    yield started
    for server in started.values():
        if isinstance(server, ProtocolServer):
            server.stop()


def server_store(protocol_servers: dict[str, Any], name: str) -> DynamoDBSessionStore:
    """A fresh table on the named protocol server (skips when it cannot run here)."""
    server = running_server(protocol_servers, name)
    client = make_client(endpoint_url=server.url, config=client_config(max_attempts=3))
    store = DynamoDBSessionStore(f"t-{uuid.uuid4().hex[:12]}", client=client)
    store.create_table()
    return store


STORES = ["memory", "dynamodb", "moto_server", "dynalite"]


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest) -> Any:
    """Every store: tests that take this fixture form the contract suite, run on the
    in-memory store, moto in process, and two DynamoDB-protocol servers over HTTP."""
    if request.param == "memory":
        return InMemorySessionStore()
    if request.param == "dynamodb":
        return request.getfixturevalue("dynamodb_store")
    return server_store(request.getfixturevalue("protocol_servers"), request.param)


@pytest.fixture
def make_manager(store: Any, clock: FakeClock) -> Any:
    def make(**overrides: Any) -> SessionManager:
        return SessionManager(SessionConfig(store, clock=clock, **overrides))

    return make


@pytest.fixture
def manager(make_manager: Any) -> SessionManager:
    return make_manager()


@pytest.fixture
def api_manager(
    moto_client: Any, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SessionManager]:
    """The API's manager on moto with the fake clock; env as the template sets it."""
    from handlers import settings

    monkeypatch.setenv("SESSIONS_TABLE", "sessions-api")
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://app.example.com")
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    settings.reset()
    store = DynamoDBSessionStore("sessions-api", client=moto_client)
    store.create_table()
    manager = SessionManager(SessionConfig(store, clock=clock))
    monkeypatch.setattr(settings, "manager", lambda: manager)
    yield manager
    settings.settings.cache_clear()  # the manager patch is undone by monkeypatch
