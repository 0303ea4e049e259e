"""Activity items: one per event, in the sessions table, listed through ``byActivity``.

Keyed by the event's id, so a stream record delivered twice is kept once (a
conditional put). They expire with their retention like any other item (cleanup and
TTL), and carry no ``tokenHash``: the events function's stream filter ignores them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast, get_args

from sessions_core.activity import ActivityEvent, EventType
from sessions_core.dynamodb.errors import ConditionFailedError
from sessions_core.dynamodb.items import (
    Layout,
    device_attribute,
    device_from,
    from_ms,
    num,
    opt_s,
    revoked_reason,
    to_ms,
)
from sessions_core.dynamodb.part import TablePart
from sessions_core.dynamodb.schema import ACTIVITY_INDEX
from sessions_core.dynamodb.table import Expression, Item, Table
from sessions_core.errors import CorruptItemError

_TYPES: frozenset[str] = frozenset(get_args(EventType))


class ActivityItems(TablePart):
    """The store's `record_activity` and `list_activity`."""

    def record_activity(self, event: ActivityEvent, *, expires_at: datetime) -> bool:
        """Put the event's item unless it is there; True when this call put it."""
        return _record(self.table, self.layout, event, expires_at)

    def list_activity(self, user_id: str, *, since: datetime, limit: int) -> list[ActivityEvent]:
        """The user's events at or after ``since``, newest first (pages until
        ``limit``), from the ``byActivity`` index."""
        return _newest(self.table, self.layout, user_id, since=since, limit=limit)


def _record(table: Table, layout: Layout, event: ActivityEvent, expires_at: datetime) -> bool:
    key = layout.activity_key(event.id)
    item: Item = {
        **key,
        "activityUser": {"S": event.user_id},
        "activityAt": num(to_ms(event.at)),
        "type": {"S": event.type},
        "sessionId": {"S": event.session_id},
        **layout.expiry_attributes(key, expires_at),
    }
    if event.reason:
        item["revokedReason"] = {"S": event.reason}
    if event.device is not None:
        item["device"] = device_attribute(event.device)
    if event.ip_address:
        item["ipAddress"] = {"S": event.ip_address}
    if event.country:
        item["country"] = {"S": event.country}
    try:
        table.put(item, Expression(condition="attribute_not_exists(id)"))
    except ConditionFailedError:
        return False
    return True


def _newest(
    table: Table, layout: Layout, user_id: str, *, since: datetime, limit: int
) -> list[ActivityEvent]:
    events: list[ActivityEvent] = []
    pages = table.query(
        ACTIVITY_INDEX,
        Expression(
            condition="activityUser = :u AND activityAt >= :since",
            values={":u": {"S": user_id}, ":since": num(to_ms(since))},
        ),
        newest_first=True,
    )
    for page in pages:
        for item in page:
            if item["id"]["S"].startswith(layout.prefix):
                events.append(_event(item))
            if len(events) >= limit:
                return events
    return events


def _event(item: dict[str, Any]) -> ActivityEvent:
    try:
        kind = str(item["type"]["S"])
        if kind not in _TYPES:
            raise ValueError("unknown event type")
        return ActivityEvent.model_construct(
            type=cast(EventType, kind),
            session_id=str(item["sessionId"]["S"]),
            user_id=str(item["activityUser"]["S"]),
            at=from_ms(item["activityAt"]["N"]),
            reason=revoked_reason(item),
            device=device_from(item),
            ip_address=opt_s(item, "ipAddress"),
            country=opt_s(item, "country"),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise CorruptItemError() from error
