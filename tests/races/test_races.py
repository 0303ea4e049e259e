"""Races against real DynamoDB-protocol servers (moto_server, dynalite) over HTTP, each
thread with its own boto3 client, as concurrent Lambdas would be."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from sessions_core import DynamoDBSessionStore, SessionConfig, SessionManager
from sessions_core.dynamodb.client import client_config, make_client
from sessions_core.errors import UserErasedError
from tests.support import server_store

SERVERS = ["moto_server", "dynalite"]


@pytest.fixture(params=SERVERS)
def table(request: pytest.FixtureRequest, protocol_servers: dict[str, Any]) -> tuple[str, str]:
    """(endpoint URL, table name) of a fresh table on each server."""
    store = server_store(protocol_servers, request.param)
    return protocol_servers[request.param].url, store.table_name


def fresh_manager(table: tuple[str, str]) -> SessionManager:
    """A manager with its own client, as one Lambda container has."""
    url, name = table
    client = make_client(endpoint_url=url, config=client_config(max_attempts=5))
    return SessionManager(SessionConfig(DynamoDBSessionStore(name, client=client)))


def run_together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads released at the same moment."""
    barrier = threading.Barrier(count)

    def task(i: int) -> Any:
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(task, range(count)))


def test_race_concurrent_refreshes_rotate_once(table: tuple[str, str]) -> None:
    token = fresh_manager(table).create(user_id="racer").token or ""
    managers = [fresh_manager(table) for _ in range(16)]
    successors = run_together(16, lambda i: managers[i].refresh(token).token)
    assert len(set(successors)) == 1
    checker = fresh_manager(table)
    assert checker.validate(successors[0]).valid
    # exactly one rotation: the successor's own successor is new, and the first
    # token is the successor's predecessor (still inside the grace window)
    assert checker.validate(token).valid


def test_race_64_concurrent_creates_are_all_listed(table: tuple[str, str]) -> None:
    managers = [fresh_manager(table) for _ in range(16)]
    created = run_together(64, lambda i: managers[i % 16].create(user_id="busy").id)
    listed = {s.id for s in fresh_manager(table).list_for_user("busy")}
    assert len(set(created)) == 64 and listed == set(created)


def test_race_validate_storm_during_revoke_all_leaves_nothing_valid(
    table: tuple[str, str],
) -> None:
    setup = fresh_manager(table)
    tokens = [setup.create(user_id="target").token or "" for _ in range(20)]
    managers = [fresh_manager(table) for _ in range(8)]

    def work(i: int) -> int:
        if i == 0:
            return setup.destroy_all_for_user("target")
        return sum(managers[i].validate(t).valid for t in tokens)

    results = run_together(8, work)
    assert results[0] == 20
    assert not any(setup.validate(t).valid for t in tokens)


def test_race_concurrent_revoke_all_counts_each_session_once(table: tuple[str, str]) -> None:
    setup = fresh_manager(table)
    for _ in range(12):
        setup.create(user_id="twice")
    managers = [fresh_manager(table) for _ in range(4)]
    counts = run_together(4, lambda i: managers[i].destroy_all_for_user("twice"))
    assert sum(counts) == 12


def test_race_logins_during_erasure_leave_nothing_from_before_it(
    table: tuple[str, str],
) -> None:
    # GIVEN a user with sessions, and logins of theirs landing while they are erased
    setup = fresh_manager(table)
    before = [setup.create(user_id="leaver") for _ in range(5)]
    managers = [fresh_manager(table) for _ in range(8)]

    refused: list[int] = []

    def work(i: int) -> Any:
        if i == 0:
            return managers[0].erase_user("leaver")
        made = []
        for _ in range(3):
            try:
                made.append(managers[i].create(user_id="leaver"))
            except UserErasedError:
                refused.append(i)  # began before the mark, stored after the listing
        return made

    results = run_together(8, work)
    racing = [s for batch in results[1:] for s in batch]
    store = setup.config.namespaced_store
    erased_at = min(
        state.erased_at
        for state in store.load_users(setup.config.keys.user_refs("leaver")).values()
        if state.erased_at is not None
    )
    # THEN nothing from before the erasure is left; a racing login from before its
    # mark stops working and leaves nothing behind; one after the mark either works
    # or went with the erasure's listing: none is left half-revoked
    assert results[0] >= len(before)
    assert all(store.get(s.id) is None for s in before)
    valid = set()
    for session in racing:
        answer = setup.validate(session.token or "")
        if session.created_at <= erased_at:
            assert not answer.valid and store.get(session.id) is None
        else:
            assert answer.valid or store.get(session.id) is None
        if answer.valid:
            valid.add(session.id)
    listed = setup.list_for_user("leaver")
    assert {s.id for s in listed} == valid  # no valid session the listing hides
    assert all(s.created_at > erased_at for s in listed)
    # Once the erasure and every racing create have returned, the only items left
    # holding the user id are sessions created after the erasure's mark.
    left = [s for s in store.list_user("leaver")]
    assert all(s.created_at >= erased_at for s in left), (left, erased_at)
