"""Erasure on moto: no item keeps the user id, records still in flight bring nothing
back, and DELETE /users/{userId} publishes one user.erased and nothing else."""

from __future__ import annotations

import json
from typing import Any

from handlers import events
from sessions_core import SessionManager
from sessions_core.login_throttle import LoginThrottle
from sessions_local.gateway import LocalContext
from tests.integration.api_support import body, event, invoke_erase
from tests.integration.conftest import delivered_events
from tests.support import FakeClock, stream_records

USER = "wendy@example.com"


def _erase(user_id: str) -> dict[str, Any]:
    data = event("revoke_user_sessions")
    path = f"/users/{user_id}"
    data.update(rawPath=path, routeKey="DELETE /users/{userId}")
    data["requestContext"].update(routeKey="DELETE /users/{userId}")
    data["requestContext"]["http"].update(path=path)
    data["pathParameters"] = {"userId": user_id}
    return invoke_erase(data)


def _everything(manager: SessionManager) -> str:
    store = manager.config.namespaced_store
    return json.dumps(store.client.scan(TableName=store.table_name)["Items"], default=str)


def test_erasure_leaves_the_user_id_in_no_item(
    api_manager: SessionManager,
    queue: Any,
    clock: FakeClock,
) -> None:
    session = api_manager.create(user_id=USER, user_agent="curl/8.5.0")
    api_manager.refresh(session.token or "")
    LoginThrottle(api_manager.config).attempt(USER, "203.0.113.7")
    events.handler(
        {"Records": stream_records(api_manager.config.namespaced_store)},
        LocalContext("EventsFunction"),
    )
    assert USER in _everything(api_manager)
    clock.advance(seconds=1)
    answer = _erase(USER)
    assert (
        answer["statusCode"] == 200 and body(answer)["erased"] == 1 + 2 + 1
    )  # session, 2 events, counter
    assert USER not in _everything(api_manager)


def test_erasure_records_in_flight_bring_nothing_back(
    api_manager: SessionManager,
    queue: Any,
    clock: FakeClock,
) -> None:
    sqs, url = queue
    api_manager.create(user_id=USER)
    in_flight = stream_records(api_manager.config.namespaced_store)  # not yet handled
    clock.advance(seconds=1)
    assert _erase(USER)["statusCode"] == 200
    answer = events.handler({"Records": in_flight}, LocalContext("EventsFunction"))
    assert answer == {"batchItemFailures": []}
    later = stream_records(api_manager.config.namespaced_store)  # the erasure's own removals
    events.handler({"Records": later}, LocalContext("EventsFunction"))
    assert api_manager.activity_for_user(USER) == []
    assert USER not in _everything(api_manager)
    delivered = delivered_events(sqs, url)
    assert [m["detail-type"] for m in delivered] == ["user.erased"]
    assert delivered[0]["detail"] == {
        "type": "user.erased",
        "userId": USER,
        "at": clock.now.isoformat().replace("+00:00", "Z"),
    }


def test_erasure_route_needs_iam(api_manager: SessionManager) -> None:
    api_manager.create(user_id=USER)
    data = event("revoke_user_sessions")
    data.update(rawPath=f"/users/{USER}", routeKey="$default")
    data["requestContext"]["http"].update(path=f"/users/{USER}")
    assert invoke_erase(data)["statusCode"] == 403
    assert len(api_manager.list_for_user(USER)) == 1
