"""DynamoDB stream records → activity events (`activity.translate` on the images).

A record's images are the items before and after the change, in the low-level format
the store already reads. Records of other items (per-user items, activity, counters)
and of other prefixes mean nothing here. A removal by TTL is told apart by the
record's ``userIdentity`` (DynamoDB's own service principal); any removal counts as an
expiry only when it happened at or after the session's expiry (cleanup deletes only
those), so the erasure of a live session is never reported as one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sessions_core.activity import ActivityEvent, translate
from sessions_core.dynamodb.items import Layout
from sessions_core.dynamodb.session_codec import item_to_session
from sessions_core.models import Session

TTL_PRINCIPAL = "dynamodb.amazonaws.com"


def event_from_record(record: dict[str, Any], layout: Layout) -> ActivityEvent | None:
    """The activity event a stream record means, or None.

    Raises:
        CorruptItemError: a session image is malformed.
    """
    change = record.get("dynamodb") or {}
    old = _session(change.get("OldImage"), layout)
    new = _session(change.get("NewImage"), layout)
    if old is None and new is None:
        return None
    removed_at = None
    if new is None and old is not None:
        removed_at = old.expires_at if removed_by_ttl(record) else _record_time(change)
    return translate(old, new, removed_at=removed_at)


def removed_by_ttl(record: dict[str, Any]) -> bool:
    """True for a removal DynamoDB's TTL made."""
    identity = record.get("userIdentity") or {}
    return identity.get("type") == "Service" and identity.get("principalId") == TTL_PRINCIPAL


def _session(image: dict[str, Any] | None, layout: Layout) -> Session | None:
    if not image or "tokenHash" not in image:
        return None  # not a session item
    if not str(image.get("id", {}).get("S", "")).startswith(layout.prefix):
        return None  # another app's namespace
    return item_to_session(layout, image)


def _record_time(change: dict[str, Any]) -> datetime | None:
    stamp = change.get("ApproximateCreationDateTime")
    if isinstance(stamp, datetime):
        return stamp.astimezone(UTC)
    if isinstance(stamp, int | float):
        return datetime.fromtimestamp(stamp, UTC)
    return None
