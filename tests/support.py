"""Shared test helpers: a movable clock and a DynamoDB request counter."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

START = datetime(2026, 1, 15, 12, 0, 0, tzinfo=UTC)


# moto's and dynalite's indexes show a write at once: erasure need not wait on them.
LOCAL_INDEX_LAG = timedelta(0)


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        self.now += delta if delta is not None else timedelta(**kwargs)
        return self.now

    def wait(self, duration: timedelta) -> None:
        """What `SessionConfig.wait` does with this clock: time passes, instantly."""
        self.advance(duration)


class RequestCounter:
    """Counts DynamoDB operations sent by one boto3 client (botocore event hook)."""

    def __init__(self, client: Any) -> None:
        self.calls: Counter[str] = Counter()
        client.meta.events.register("before-call.dynamodb.*", self._count)

    def _count(self, model: Any, **_: Any) -> None:
        self.calls[model.name] += 1

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    def reset(self) -> None:
        self.calls.clear()


class LaggingIndexStore:
    """Wraps a store so its user listing misses sessions, as an eventually consistent
    GSI does right after a write: `hidden` ids are left out of `list_user`."""

    def __init__(self, inner: Any, hidden: set[str] | None = None) -> None:
        self.inner = inner
        self.hidden: set[str] = set() if hidden is None else hidden

    def with_prefix(self, prefix: str) -> LaggingIndexStore:
        return LaggingIndexStore(self.inner.with_prefix(prefix), self.hidden)

    def list_user(self, user_id: str) -> list[Any]:
        return [s for s in self.inner.list_user(user_id) if s.id not in self.hidden]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class CallCounter:
    """Wraps a store and counts its method calls by name: the request count of any
    store, the in-memory one included (each store method is one DynamoDB request)."""

    def __init__(self, inner: Any, calls: Counter[str] | None = None) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter() if calls is None else calls

    def with_prefix(self, prefix: str) -> CallCounter:
        return CallCounter(self.inner.with_prefix(prefix), self.calls)

    def reset(self) -> None:
        self.calls.clear()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.inner, name)
        if not callable(attribute):
            return attribute

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return attribute(*args, **kwargs)

        return counted


class _RawBody:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


def inject_error(
    client: Any,
    operation: str,
    code: str,
    *,
    times: int = 10**9,
    status: int = 400,
    active: Any = None,
) -> list[int]:
    """Make ``operation`` answer ``code`` (HTTP ``status``) for its next ``times`` sends.

    Hooked on ``before-send``, so botocore's own retry logic sees the failures exactly
    as it would see DynamoDB's; ``active`` (a callable), when given, says whether to
    fail now. Returns a list that grows by one per injected failure.
    """
    import json

    from botocore.awsrequest import AWSResponse

    injected: list[int] = []

    def fail(request: Any, **_: Any) -> Any:
        if len(injected) >= times or (active is not None and not active()):
            return None
        injected.append(1)
        body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": code})
        headers = {"Content-Type": "application/x-amz-json-1.0"}
        return AWSResponse(request.url, status, headers, _RawBody(body.encode()))

    client.meta.events.register(f"before-send.dynamodb.{operation}", fail)
    return injected


def running_server(started: dict[str, Any], name: str) -> Any:
    """The named protocol server (moto_server, dynalite), started on first use and kept
    in ``started`` (the session's ``protocol_servers``); skips the test when it cannot
    run here."""
    import pytest

    from tests.harness.protocol_servers import STARTERS, ProtocolServer, ServerUnavailableError

    if name not in started:
        try:
            started[name] = STARTERS[name]()
        except ServerUnavailableError as error:
            started[name] = str(error)
    server = started[name]
    if not isinstance(server, ProtocolServer):
        pytest.skip(f"{name} unavailable: {server}")
    return server


@contextmanager
def wired(manager: Any) -> Iterator[Any]:
    """Every Lambda entry point (API, erase, authorizer, events, cleanup, demo login)
    works with ``manager`` and settings read from the environment now; as before
    afterwards."""
    import examples.login.handler  # noqa: F401 - each entry point registers its wiring
    import handlers.api
    import handlers.authorizer
    import handlers.cleanup
    import handlers.erase
    import handlers.events
    import handlers.feed_compactor  # noqa: F401
    from handlers.settings import Settings
    from handlers.wiring import Runtime, used_everywhere

    with used_everywhere(Runtime(Settings.from_env(), manager)) as runtime:
        yield runtime


def local_access_tokens(
    clock: Any, *, issuer: str | None = None, audiences: tuple[str, ...] = ("api", "reports")
) -> Any:
    """Access tokens as a handler run outside Lambda has them (the test key directory's
    signing key file), on ``clock`` (None: the system's)."""
    from handlers.token_keys import LOCAL_ISSUER
    from sessions_core.access_tokens import AccessTokenPolicy
    from sessions_core.clock import system_clock
    from sessions_core.key_files import SIGNING_KEYS_FILE, local_key_path
    from sessions_core.local_signing_keys import LocalSigningKeys
    from sessions_core.token_service import AccessTokens, CachedKeys

    policy = AccessTokenPolicy(issuer or LOCAL_ISSUER, audiences)
    keys = LocalSigningKeys(local_key_path(SIGNING_KEYS_FILE))
    return AccessTokens(policy, CachedKeys(keys, clock or system_clock))


def server_store(started: dict[str, Any], name: str) -> Any:
    """A DynamoDBSessionStore on a fresh table of the named protocol server (skips the
    test when the server cannot run here)."""
    from sessions_core import DynamoDBSessionStore
    from sessions_core.dynamodb.client import client_config, make_client

    server = running_server(started, name)
    client = make_client(endpoint_url=server.url, config=client_config(max_attempts=3))
    store = DynamoDBSessionStore(
        f"t-{uuid.uuid4().hex[:12]}", client=client, index_lag=LOCAL_INDEX_LAG
    )
    store.create_table()
    return store


class NoBus:
    """An EventBridge stand-in that accepts every entry (for activity-only tests)."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def put_events(self, *, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        self.entries.extend(Entries)
        return {"FailedEntryCount": 0, "Entries": [{"EventId": str(i)} for i in Entries]}


def stream_records(store: Any, after: str | None = None) -> list[dict[str, Any]]:
    """Every record of ``store``'s table stream (after sequence number ``after``), as
    Lambda's event source mapping hands them over (tests that read it are marked
    ``needs_stream``, so they never run where there is none)."""
    from sessions_local.stream_poller import read_stream

    records = read_stream(store, after)
    assert records is not None, "this DynamoDB server has no stream: mark the test needs_stream"
    return records


def pump_activity(store: Any) -> None:
    """Run the events function's processing over ``store``'s stream, as Lambda would,
    so its activity is listed. The in-memory store records activity as it writes."""
    from datetime import timedelta

    from handlers.stream_processor import StreamProcessor
    from sessions_core import InMemorySessionStore
    from sessions_core.keys import default_key_ring

    if isinstance(store, InMemorySessionStore):
        return
    # The whole stream each time, as a redelivery would be: the processor keeps a
    # record it has seen once, and no marker outlives its store (a marker keyed by
    # id() was read by a later store that reused the id, which then skipped its own
    # records).
    records = stream_records(store)
    if not records:
        return
    processor = StreamProcessor(
        store=store,
        layout=store.layout,
        keys=default_key_ring(),
        events=NoBus(),
        bus="test",
        retention=timedelta(days=90),
    )
    assert processor.process(records) == {"batchItemFailures": []}


def stored_item_size(store: Any, session_id: str) -> int:
    """The size of a session's stored item as DynamoDB counts it (attribute names plus
    values), read raw from the table; for the in-memory store, the size of what it
    keeps about rotations (the generation and the retired digests)."""
    from sessions_core import InMemorySessionStore

    if isinstance(store, InMemorySessionStore):
        kept = store.with_prefix("session:").get(session_id)
        return len(str(kept.generation)) + sum(len(d) // 2 for d in kept.retired)
    view = store.with_prefix("session:")
    item = view.table.get(view.layout.session_key(session_id))
    return sum(len(name) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    ((kind, data),) = value.items()
    if kind in {"S", "N"}:
        return len(str(data).encode())
    if kind == "B":
        return len(data)
    if kind == "BOOL":
        return 1
    if kind == "M":
        return 3 + sum(len(k) + 1 + _value_size(v) for k, v in data.items())
    return len(str(data))


def items_in_clear(store: Any) -> str:
    """Every stored value as text (for DynamoDB stores, a raw Scan of the table; for
    the in-memory store, its items' reprs): what a test searches for a user id."""
    from sessions_core import InMemorySessionStore

    if isinstance(store, InMemorySessionStore):
        backend = store._backend
        with backend.lock:
            return repr((backend.sessions, backend.activity, backend.markers, backend.admissions))
    table = store.table
    items: list[Any] = []
    request: dict[str, Any] = {"TableName": table.name}
    while True:
        page = table.client.scan(**request)
        items += page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return repr(items)
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
