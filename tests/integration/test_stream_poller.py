"""`sessions serve`'s stream poller on the embedded moto: it delivers every change, and
its polling does not grow moto's memory (moto keeps every shard iterator it hands out)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from handlers.stream_processor import StreamProcessor
from sessions_core import DynamoDBSessionStore, SessionConfig, SessionManager
from sessions_core.dynamodb.client import make_client
from sessions_core.keys import default_key_ring
from sessions_local.embedded import start_embedded_moto
from sessions_local.stream_poller import StreamPoller, forget_in_embedded_moto, streams_client
from tests.harness.protocol_servers import free_port
from tests.support import NoBus


@pytest.fixture(scope="module")
def embedded() -> Iterator[str]:
    server = start_embedded_moto(free_port())
    yield server.url


def _iterators_kept() -> int:
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    return sum(
        len(backend.shard_iterators)
        for regions in dynamodbstreams_backends.values()
        for backend in regions.values()
    )


def _poller(url: str, table: str, forget: Any) -> tuple[StreamPoller, SessionManager, NoBus]:
    store = DynamoDBSessionStore(table, client=make_client(endpoint_url=url))
    store.create_table()
    arn = store.client.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    streams = streams_client(store)
    bus = NoBus()
    processor = StreamProcessor(
        store=store,
        layout=store.layout,
        keys=default_key_ring(),
        events=bus,
        bus="b",
        retention=timedelta(days=90),
    )
    return (
        StreamPoller(streams, arn, processor, forget=forget),
        SessionManager(SessionConfig(store)),
        bus,
    )


def test_poller_delivers_each_change_once(embedded: str) -> None:
    poller, manager, bus = _poller(embedded, "poll-once", forget_in_embedded_moto)
    session = manager.create(user_id="u1")
    manager.destroy(session.id)
    assert poller.poll_once() == 2
    assert poller.poll_once() == 0
    assert [e["DetailType"] for e in bus.entries] == ["session.created", "session.revoked"]


def test_poller_idle_for_hours_keeps_moto_memory_flat(embedded: str) -> None:
    poller, manager, _ = _poller(embedded, "poll-long", forget_in_embedded_moto)
    before = _iterators_kept()
    for round_ in range(600):  # ten minutes of polling at one a second
        if round_ % 100 == 0:
            manager.create(user_id="u1")
        poller.poll_once()
    assert _iterators_kept() - before <= 1  # the one iterator it holds for the next poll


def test_poller_without_forgetting_would_grow_moto_memory(embedded: str) -> None:
    # The reason the poller forgets: without it moto keeps one iterator per poll.
    poller, _, _ = _poller(embedded, "poll-leak", lambda _: None)
    before = _iterators_kept()
    for _ in range(50):
        poller.poll_once()
    assert _iterators_kept() - before >= 50
