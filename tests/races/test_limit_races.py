"""The per-user limit under concurrent logins: 12 threads x 2 logins for one user with a
limit of 3 leave exactly 3 valid sessions, and validate and the listing agree.

Runs on the in-memory store and on dynalite, each thread with its own manager (and, on
dynalite, its own client), as concurrent Lambdas would be. Not on moto: neither moto in
process nor moto_server locks an item between a condition check and its write, so two
conditional writes can both succeed there, which DynamoDB never allows.
"""

from __future__ import annotations

from typing import Any

import pytest

from sessions_core import (
    DynamoDBSessionStore,
    InMemorySessionStore,
    SessionConfig,
    SessionLimitError,
    SessionManager,
)
from sessions_core.dynamodb.client import client_config, make_client
from tests.races.test_races import run_together
from tests.support import server_store

THREADS = 12
LOGINS = 2
LIMIT = 3


@pytest.fixture(params=["memory", "dynalite"])
def managers(request: pytest.FixtureRequest, protocol_servers: dict[str, Any]) -> Any:
    """A factory of managers sharing one store, one per simulated Lambda."""
    if request.param == "memory":
        shared = InMemorySessionStore()

        def on_memory(**config: Any) -> SessionManager:
            return SessionManager(SessionConfig(shared, **config))

        return on_memory
    table = server_store(protocol_servers, "dynalite")
    url = protocol_servers["dynalite"].url

    def on_dynalite(**config: Any) -> SessionManager:
        client = make_client(endpoint_url=url, config=client_config(max_attempts=5))
        return SessionManager(
            SessionConfig(DynamoDBSessionStore(table.table_name, client=client), **config)
        )

    return on_dynalite


def _login_twice(manager: SessionManager) -> list[str | None]:
    tokens: list[str | None] = []
    for _ in range(LOGINS):
        try:
            tokens.append(manager.create(user_id="crowd").token)
        except SessionLimitError:
            tokens.append(None)
    return tokens


def test_limit_race_evict_oldest_leaves_exactly_the_limit_valid(managers: Any) -> None:
    workers = [managers(max_sessions_per_user=LIMIT) for _ in range(THREADS)]
    tokens = [
        t for batch in run_together(THREADS, lambda i: _login_twice(workers[i])) for t in batch
    ]
    assert all(tokens)  # contention is never an error: every create was admitted
    checker = managers(max_sessions_per_user=LIMIT)
    valid = {t.split(".")[0] for t in tokens if t and checker.validate(t).valid}
    listed = {s.id for s in checker.list_for_user("crowd")}
    assert len(valid) == LIMIT
    assert listed == valid


def test_limit_race_deny_lets_exactly_the_limit_in(managers: Any) -> None:
    workers = [
        managers(max_sessions_per_user=LIMIT, on_session_limit="deny") for _ in range(THREADS)
    ]
    tokens = [
        t for batch in run_together(THREADS, lambda i: _login_twice(workers[i])) for t in batch
    ]
    admitted = [t for t in tokens if t]
    assert len(admitted) == LIMIT
    checker = managers(max_sessions_per_user=LIMIT)
    assert all(checker.validate(t).valid for t in admitted)
    assert {s.id for s in checker.list_for_user("crowd")} == {t.split(".")[0] for t in admitted}
