"""The test helper that stands in for Lambda's stream event source mapping: what it
pumps must be the stream of the store it is given, whatever ran before."""

from __future__ import annotations

from typing import Any

from sessions_core import SessionConfig, SessionManager
from tests.support import FakeClock, pump_activity


def test_pump_activity_a_table_made_again_lists_its_own_activity(
    dynamodb_store: Any, clock: FakeClock
) -> None:
    # GIVEN a store whose stream was pumped, then whose table is made anew (a new
    # stream, as a later test's store that Python put at the same address would have)
    manager = SessionManager(SessionConfig(store=dynamodb_store, clock=clock))
    manager.create(user_id="u1")
    pump_activity(dynamodb_store)
    dynamodb_store.client.delete_table(TableName=dynamodb_store.table_name)
    dynamodb_store.create_table()
    # WHEN a session is created there and the stream pumped
    fresh = manager.create(user_id="u1")
    pump_activity(dynamodb_store)
    # THEN its activity is listed
    assert [e.session_id for e in manager.activity_for_user("u1")] == [fresh.id]
