"""Erasing a user's items from the table in batches of 25 (the ids come from the user
indexes, so the cost follows the user's items, not the table). The per-user item is
not deleted: it holds no user id, only keyed hashes, and its "revoked before" mark and
erasure time must outlive any session of the user."""

from __future__ import annotations

from sessions_core.dynamodb.items import Layout
from sessions_core.dynamodb.table import Table
from sessions_core.keys import UserRef


def delete_user_items(
    table: Table,
    layout: Layout,
    session_ids: list[str],
    event_ids: list[str],
    refs: list[UserRef],
) -> int:
    """Delete these sessions, activity items and the login counters at ``refs``; how
    many items that was (the counters only when they existed)."""
    keys = [layout.session_key(sid) for sid in session_ids]
    keys += [layout.activity_key(eid) for eid in event_ids]
    table.delete_many(keys)
    counters = sum(table.delete(layout.login_key(ref)) for ref in refs)
    return len(keys) + counters
