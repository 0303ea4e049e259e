"""DynamoDB stream batches → EventBridge and the users' activity (what the events
function does; `sessions serve` runs the same code on its embedded table's stream).

Records are handled in order, 10 at a time (PutEvents' limit). A record whose event
cannot be published (after retrying the failed entries) or kept is reported as the
batch's failure, and the records after it are left for the retry: a DynamoDB stream
is retried from the first reported record, so nothing is skipped and nothing is kept
twice (activity items are written conditionally on their event id).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from handlers.bus import SOURCE
from sessions_core.activity import ActivityEvent
from sessions_core.dynamodb.stream import event_from_record
from sessions_core.errors import SessionError
from sessions_core.keys import KeyRing
from sessions_core.store import SessionStore

logger = logging.getLogger("sessions.events")

PUT_EVENTS_LIMIT = 10
PUBLISH_ATTEMPTS = 3


class Publisher(Protocol):
    """Something that publishes entries and says which failed (EventBridge's shape)."""

    def put_events(self, *, Entries: list[dict[str, Any]]) -> Any:  # noqa: N803 - boto3's name
        """PutEvents."""


def passes_filter(record: dict[str, Any]) -> bool:
    """The event source mapping's filter (template.yaml): only records whose new or old
    image is a session item (it alone carries ``tokenHash``) reach the function."""
    change = record.get("dynamodb") or {}
    return any("tokenHash" in (change.get(image) or {}) for image in ("NewImage", "OldImage"))


def detail(event: ActivityEvent) -> dict[str, Any]:
    """The event as EventBridge's ``detail``: never a token, a hash or a key."""
    body = event.model_dump(mode="json", by_alias=True, exclude_none=True)
    return {"eventId": event.id, **body}


@dataclass
class StreamProcessor:
    """Turns stream records into published, kept events.

    Attributes:
        store: the table's store (its layout reads the images; activity goes there).
        layout: the store's item layout.
        keys: the deployment's key ring (where each user's erasure mark is).
        events: an EventBridge client (or anything with its ``put_events``).
        bus: the event bus name or ARN.
        retention: how long activity is kept.
        on_published: called with each event once published and kept.
    """

    store: SessionStore
    layout: Any
    keys: KeyRing
    events: Publisher
    bus: str
    retention: timedelta
    on_published: Callable[[ActivityEvent], None] = lambda _: None

    def process(self, records: list[dict[str, Any]]) -> dict[str, list[dict[str, str]]]:
        """Handle a batch; the ``batchItemFailures`` answer of partial batch responses."""
        for start in range(0, len(records), PUT_EVENTS_LIMIT):
            failed = self._chunk(records[start : start + PUT_EVENTS_LIMIT])
            if failed is not None:
                identifier = str(failed.get("dynamodb", {}).get("SequenceNumber", ""))
                return {"batchItemFailures": [{"itemIdentifier": identifier}]}
        return {"batchItemFailures": []}

    def _chunk(self, records: list[dict[str, Any]]) -> dict[str, Any] | None:
        """Publish and keep one chunk; the first record that failed, if any."""
        pending: list[tuple[dict[str, Any], ActivityEvent]] = []
        for record in records:
            try:
                event = event_from_record(record, self.layout)
            except SessionError:
                logger.error("a stream record holds a malformed session image; skipped")
                continue
            if event is not None:
                pending.append((record, event))
        pending = self._not_erased(pending)
        published = self._publish([event for _, event in pending])
        for index, (record, event) in enumerate(pending):
            if index >= published:
                return record
            try:
                self.store.record_activity(event, expires_at=event.at + self.retention)
            except SessionError as error:
                logger.error("could not keep activity: %s", error.code)
                return record
            self.on_published(event)
        return None

    def _not_erased(
        self, pending: list[tuple[dict[str, Any], ActivityEvent]]
    ) -> list[tuple[dict[str, Any], ActivityEvent]]:
        """Leave out the changes of users erased since: a record still in flight must
        bring nothing of an erased user back (one read of their per-user items)."""
        if not pending:
            return pending
        refs = {e.id: self.keys.ref_for_session(e.user_id, e.session_id) for _, e in pending}
        states = self.store.load_users(sorted(set(refs.values()), key=lambda r: r.tag))
        kept = []
        for record, event in pending:
            state = states.get(refs[event.id])
            born = event.session_created_at or event.at
            if state is not None and state.erased_at is not None and born <= state.erased_at:
                continue  # a session the erasure took: none of its changes come back
            kept.append((record, event))
        return kept

    def _publish(self, events: list[ActivityEvent]) -> int:
        """Publish ``events`` in order, retrying failed entries; how many, from the
        first, made it (all of them, or up to the first that kept failing)."""
        entries = [
            {
                "Source": SOURCE,
                "DetailType": event.type,
                "Detail": json.dumps(detail(event), separators=(",", ":")),
                "EventBusName": self.bus,
            }
            for event in events
        ]
        done = [False] * len(entries)
        for _ in range(PUBLISH_ATTEMPTS):
            todo = [i for i, ok in enumerate(done) if not ok]
            if not todo:
                break
            try:
                answer = self.events.put_events(Entries=[entries[i] for i in todo])
            except Exception as error:  # botocore's failures: retried, then the batch's
                logger.warning("PutEvents failed: %s", type(error).__name__)
                continue
            for i, result in zip(todo, answer.get("Entries", []), strict=False):
                done[i] = "ErrorCode" not in result
        return next((i for i, ok in enumerate(done) if not ok), len(done))
