"""Stream records → events, on records recorded from real operations (moto's stream,
tests/events/stream_records.json; the TTL removal is the cleanup one with the
userIdentity DynamoDB's TTL sets)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from handlers.stream_processor import detail
from sessions_core.dynamodb.items import Layout, from_ms
from sessions_core.dynamodb.stream import event_from_record

RECORDS: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[1] / "events" / "stream_records.json").read_text()
)
LAYOUT = Layout("session:")


def _record(name: str) -> dict[str, Any]:
    return copy.deepcopy(RECORDS[name])


def _image(name: str, which: str) -> dict[str, Any]:
    image: dict[str, Any] = RECORDS[name]["dynamodb"][which]
    return image


def test_insert_is_created_with_device_and_place_at_creation() -> None:
    event = event_from_record(_record("insert"), LAYOUT)
    assert event is not None and event.type == "session.created"
    assert event.at == from_ms(_image("insert", "NewImage")["createdAt"]["N"])
    assert event.device is not None and event.device.label == "Chrome on macOS"
    assert (event.ip_address, event.country, event.user_id) == ("203.0.113.7", "DE", "alice")


@pytest.mark.parametrize(
    ("name", "kind", "reason", "at_field"),
    [
        ("refresh", "session.refreshed", None, "rotatedAt"),
        ("revoke", "session.revoked", "logout", "revokedAt"),
    ],
)
def test_modify_is_the_change_it_made(
    name: str, kind: str, reason: str | None, at_field: str
) -> None:
    event = event_from_record(_record(name), LAYOUT)
    assert event is not None and (event.type, event.reason) == (kind, reason)
    assert event.at == from_ms(_image(name, "NewImage")[at_field]["N"])


def test_modify_that_only_records_activity_or_slides_is_no_event() -> None:
    assert event_from_record(_record("activity"), LAYOUT) is None
    sliding = _record("activity")
    sliding["dynamodb"]["NewImage"]["expiresAt"] = {"N": "9999999999999"}
    assert event_from_record(sliding, LAYOUT) is None


def test_modify_that_reauthenticates_is_reauthenticated() -> None:
    record = _record("activity")
    record["dynamodb"]["NewImage"]["authenticatedAt"] = {"N": "1768479300000"}
    event = event_from_record(record, LAYOUT)
    assert event is not None and event.type == "session.reauthenticated"
    assert event.at == from_ms(1768479300000)


@pytest.mark.parametrize("name", ["cleanup_remove", "ttl_remove"])
def test_remove_after_expiry_by_cleanup_or_ttl_is_expired_at_the_expiry(name: str) -> None:
    event = event_from_record(_record(name), LAYOUT)
    assert event is not None and event.type == "session.expired"
    assert event.at == from_ms(_image(name, "OldImage")["expiresAt"]["N"])


def test_remove_of_a_live_session_is_no_event() -> None:
    # What an erasure does: the record's time is before the session's expiry.
    record = _record("cleanup_remove")
    expiry_ms = int(record["dynamodb"]["OldImage"]["expiresAt"]["N"])
    record["dynamodb"]["ApproximateCreationDateTime"] = expiry_ms // 1000 - 60
    assert event_from_record(record, LAYOUT) is None


def test_remove_of_a_tombstone_is_no_event() -> None:
    record = _record("cleanup_remove")
    record["dynamodb"]["OldImage"] = _image("revoke", "NewImage")
    assert event_from_record(record, LAYOUT) is None


def test_items_that_are_not_sessions_or_not_ours_are_ignored() -> None:
    assert event_from_record(_record("user_item"), LAYOUT) is None
    assert event_from_record(_record("insert"), Layout("otherapp:")) is None
    activity = {"dynamodb": {"NewImage": {"id": {"S": "session:activity:x"}, "type": {"S": "t"}}}}
    assert event_from_record(activity, LAYOUT) is None


def test_the_same_record_twice_is_the_same_event() -> None:
    first = event_from_record(_record("revoke"), LAYOUT)
    again = event_from_record(_record("revoke"), LAYOUT)
    assert first is not None and again is not None
    assert first.id == again.id and first == again


@pytest.mark.parametrize("name", ["insert", "refresh", "revoke", "cleanup_remove"])
def test_event_detail_holds_no_token_hash_or_key(name: str) -> None:
    event = event_from_record(_record(name), LAYOUT)
    assert event is not None
    text = json.dumps(detail(event))
    assert not re.search(r"[0-9a-f]{32,}", text)  # no token hash or retired digest
    assert "tokenHash" not in text and "retired" not in text
    images = RECORDS[name]["dynamodb"]
    for image in (images.get("NewImage"), images.get("OldImage")):
        if image:
            assert image["tokenHash"]["S"] not in text
