"""Latency over real protocol servers: our validate and refresh vs the one bare
request each must make, on the same server."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from bench.measure import repeat
from sessions_core import DynamoDBSessionStore, SessionConfig, SessionManager
from sessions_core.dynamodb.client import make_client
from tests.harness.protocol_servers import STARTERS, ServerUnavailableError


def _median_ms(work: Callable[[], Any], calls: int) -> float:
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def measure_latency(calls: int = 150, repetitions: int = 3) -> dict[str, Any]:
    """Per server: validate / get_item and refresh / update_item, as ratios."""
    results: dict[str, Any] = {}
    for name, start in STARTERS.items():
        try:
            server = start()
        except ServerUnavailableError as error:
            results[name] = {"skipped": str(error)}
            continue
        try:
            results[name] = _on(server.url, calls, repetitions)
        finally:
            server.stop()
    return results


def _on(url: str, calls: int, repetitions: int) -> dict[str, Any]:
    client = make_client(endpoint_url=url)
    store = DynamoDBSessionStore("bench-latency", client=client)
    store.create_table()
    manager = SessionManager(SessionConfig(store))
    session = manager.create(user_id="bench", metadata={"device": "Firefox on Linux"})
    token = session.token or ""
    key = {"id": {"S": "session:" + session.id}}

    def bare_get() -> None:
        client.get_item(TableName=store.table_name, Key=key, ConsistentRead=True)

    def bare_update() -> None:
        client.update_item(
            TableName=store.table_name,
            Key=key,
            UpdateExpression="SET lastActiveAt = :n",
            ExpressionAttributeValues={":n": {"N": "1"}},
        )

    state = {"token": token}

    def refresh() -> None:
        state["token"] = manager.refresh(state["token"]).token or ""

    figures: dict[str, list[float]] = {
        k: [] for k in ("validate", "get_item", "refresh", "update_item")
    }
    for _ in range(repetitions):
        figures["get_item"].append(_median_ms(bare_get, calls))
        figures["validate"].append(_median_ms(lambda: manager.validate(state["token"]), calls))
        figures["update_item"].append(_median_ms(bare_update, calls // 3))
        figures["refresh"].append(_median_ms(refresh, calls // 3))
    out = {k: repeat(v, "ms").as_dict() for k, v in figures.items()}
    out["validate_over_get_item"] = out["validate"]["median"] / out["get_item"]["median"]
    out["refresh_over_update_item"] = out["refresh"]["median"] / out["update_item"]["median"]
    return out
