"""Fixtures: a fake clock, both stores (in-memory and DynamoDB on moto), managers."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.retries.standard import ExponentialBackoff
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber

from sessions_core import (
    DynamoDBSessionStore,
    InMemorySessionStore,
    SessionConfig,
    SessionManager,
    key_files,
)
from sessions_core.dynamodb.client import make_client
from tests.harness.protocol_servers import ProtocolServer
from tests.support import (
    LOCAL_INDEX_LAG,
    FakeClock,
    RequestCounter,
    local_access_tokens,
    server_store,
    wired,
)

# moto and boto3 need credentials and a region; never real ones in tests.
for name, value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}.items():
    os.environ[name] = value
os.environ.pop("AWS_PROFILE", None)
# The keys of every test and every `sessions serve` they start: files created on first
# use, as for local runs, but never the developer's own.
_KEYS = Path(tempfile.mkdtemp(prefix="sessions-keys-"))
atexit.register(shutil.rmtree, _KEYS, ignore_errors=True)  # a key is not left in /tmp
key_files.LOCAL_KEY_DIR = _KEYS
os.environ["SESSIONS_KEY_FILE"] = str(_KEYS / "secret-key")
os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB", None)
os.environ.pop("AWS_ENDPOINT_URL", None)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def moto_client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A client configured as the Lambdas' own (standard retries, 3 attempts) on moto.

    Its retries happen for real (injected faults are seen and retried by botocore), but
    without the backoff sleeps, which would only make the suite slower.
    """
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)
    # moto in process handles requests on the caller's thread and does not lock an item
    # while it writes it (nor while its stream serialises it): one request at a time,
    # as DynamoDB applies each write to an item atomically.
    serialized = threading.Lock()
    answer = BotocoreStubber.__call__

    def one_at_a_time(self: BotocoreStubber, *args: Any, **kwargs: Any) -> Any:
        with serialized:
            return answer(self, *args, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", one_at_a_time)
    with mock_aws():
        yield make_client(region_name="us-east-1")


@pytest.fixture
def dynamodb_store(moto_client: Any) -> DynamoDBSessionStore:
    store = DynamoDBSessionStore("sessions-test", client=moto_client, index_lag=LOCAL_INDEX_LAG)
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


STORES = ["memory", "dynamodb", "moto_server", "dynalite"]
# The stores with a table stream: dynalite has none, so tests of what the stream feeds
# (activity) run on these three, by declaration rather than by skipping.
STREAMED = ["memory", "dynamodb", "moto_server"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "store" in metafunc.fixturenames:
        streamed = metafunc.definition.get_closest_marker("needs_stream") is not None
        metafunc.parametrize("store", STREAMED if streamed else STORES, indirect=True)


@pytest.fixture
def store(request: pytest.FixtureRequest) -> Any:
    """Every store: tests that take this fixture form the contract suite, run on the
    in-memory store, moto in process, and two DynamoDB-protocol servers over HTTP
    (those marked ``needs_stream``: on the three with a table stream)."""
    if request.param == "memory":
        return InMemorySessionStore()
    if request.param == "dynamodb":
        return request.getfixturevalue("dynamodb_store")
    return server_store(request.getfixturevalue("protocol_servers"), request.param)


@pytest.fixture
def make_manager(store: Any, clock: FakeClock) -> Any:
    """A manager on the test's store (or a wrapper of it) with the fake clock."""

    def make(*, store: Any = store, **overrides: Any) -> SessionManager:
        return SessionManager(SessionConfig(store, clock=clock, wait=clock.wait, **overrides))

    return make


@pytest.fixture
def manager(make_manager: Any) -> SessionManager:
    return make_manager()


@pytest.fixture
def api_manager(
    moto_client: Any, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SessionManager]:
    """The handlers' manager on moto with the fake clock; env as the template sets it."""
    monkeypatch.setenv("SESSIONS_TABLE", "sessions-api")
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://app.example.com")
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    store = DynamoDBSessionStore("sessions-api", client=moto_client, index_lag=LOCAL_INDEX_LAG)
    store.create_table()
    tokens = local_access_tokens(clock)
    manager = SessionManager(SessionConfig(store, clock=clock, access_tokens=tokens))
    with wired(manager):
        yield manager
