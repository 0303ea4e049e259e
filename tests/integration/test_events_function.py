"""The events function on moto: real stream records from real operations, published to
an EventBridge bus whose rule delivers to SQS, read back; a batch delivered twice; one
failing record reported alone."""

from __future__ import annotations

import json
from typing import Any

import pytest

from handlers import events
from sessions_core import SessionManager, StoreUnavailableError
from sessions_local.gateway import LocalContext
from tests.integration.conftest import delivered_events
from tests.support import FakeClock, stream_records


def _handle(records: list[dict[str, Any]]) -> dict[str, Any]:
    answer: dict[str, Any] = events.handler({"Records": records}, LocalContext("EventsFunction"))
    return answer


def _store(manager: SessionManager) -> Any:
    return manager.config.namespaced_store


def test_events_function_publishes_and_keeps_what_happened(
    api_manager: SessionManager, queue: Any, clock: FakeClock
) -> None:
    sqs, url = queue
    session = api_manager.create(user_id="alice", user_agent="curl/8.5.0")
    clock.advance(minutes=1)
    rotated = api_manager.refresh(session.token or "")
    clock.advance(minutes=1)
    api_manager.destroy(rotated.id, reason="logout")
    assert _handle(stream_records(_store(api_manager))) == {"batchItemFailures": []}
    delivered = delivered_events(sqs, url)
    assert [(m["source"], m["detail-type"]) for m in delivered] == [
        ("sessions", "session.created"),
        ("sessions", "session.refreshed"),
        ("sessions", "session.revoked"),
    ]
    revoked = delivered[-1]["detail"]
    assert revoked["sessionId"] == session.id and revoked["reason"] == "logout"
    assert revoked["userId"] == "alice" and revoked["device"]["label"] == "curl"
    assert (session.token or "").split(".")[1] not in json.dumps(delivered)
    kept = api_manager.activity_for_user("alice")
    assert [e.type for e in kept] == ["session.revoked", "session.refreshed", "session.created"]


def test_events_function_keeps_a_redelivered_batch_once(
    api_manager: SessionManager, queue: Any
) -> None:
    api_manager.create(user_id="alice")
    records = stream_records(_store(api_manager))
    _handle(records)
    _handle(records)  # Lambda retries a whole batch after a timeout
    assert len(api_manager.activity_for_user("alice")) == 1


def test_events_function_ignores_its_own_writes_and_other_items(
    api_manager: SessionManager, queue: Any
) -> None:
    sqs, url = queue
    api_manager.create(user_id="alice")
    first = stream_records(_store(api_manager))
    _handle(first)
    api_manager.destroy_all_for_user("nobody")  # a per-user item only
    # What came since: the activity item the function wrote, and the per-user item.
    later = stream_records(_store(api_manager), after=first[-1]["dynamodb"]["SequenceNumber"])
    assert len(later) >= 2 and all("tokenHash" not in str(r["dynamodb"]) for r in later)
    assert _handle(later) == {"batchItemFailures": []}
    assert len(delivered_events(sqs, url)) == 1


def test_events_function_reports_the_one_failing_record_alone(
    api_manager: SessionManager, queue: Any, monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    api_manager.create(user_id="alice")
    clock.advance(seconds=1)
    doomed = api_manager.create(user_id="bob")
    clock.advance(seconds=1)
    api_manager.create(user_id="carol")
    records = stream_records(_store(api_manager))
    store = _store(api_manager)
    keep = store.record_activity

    def failing(event: Any, **kwargs: Any) -> bool:
        if event.session_id == doomed.id:
            raise StoreUnavailableError("throttled")
        return bool(keep(event, **kwargs))

    monkeypatch.setattr(type(store), "record_activity", lambda self, e, **k: failing(e, **k))
    failed = _handle(records)["batchItemFailures"]
    bob = next(r for r in records if r["dynamodb"]["Keys"]["id"]["S"].endswith(doomed.id))
    assert failed == [{"itemIdentifier": bob["dynamodb"]["SequenceNumber"]}]
    assert [e.user_id for e in api_manager.activity_for_user("alice")] == ["alice"]
    assert api_manager.activity_for_user("carol") == []  # left for the retry


def test_events_function_retries_entries_eventbridge_failed(
    api_manager: SessionManager, queue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sqs, url = queue
    api_manager.create(user_id="alice")
    from handlers.events import wiring

    client = wiring.runtime().events
    put = client.put_events
    calls: list[int] = []

    def flaky(**kwargs: Any) -> Any:
        calls.append(len(kwargs["Entries"]))
        if len(calls) == 1:
            return {"FailedEntryCount": 1, "Entries": [{"ErrorCode": "InternalFailure"}]}
        return put(**kwargs)

    monkeypatch.setattr(client, "put_events", flaky)
    assert _handle(stream_records(_store(api_manager))) == {"batchItemFailures": []}
    assert calls == [1, 1] and len(delivered_events(sqs, url)) == 1
