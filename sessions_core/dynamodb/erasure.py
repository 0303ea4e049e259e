"""Erasing a user's items from the table in batches of 25 (the ids come from the user
indexes, so the cost follows the user's items, not the table). The per-user item is
not deleted: it holds no user id, only keyed hashes, and its "revoked before" mark and
erasure time must outlive any session of the user."""

from __future__ import annotations

from sessions_core.dynamodb.part import TablePart
from sessions_core.keys import UserRef


class Erasure(TablePart):
    """The store's `delete_user_items` and `delete_session`."""

    def delete_user_items(
        self, session_ids: list[str], event_ids: list[str], refs: list[UserRef]
    ) -> int:
        """Delete these sessions, activity items and the login counters at ``refs``
        (BatchWriteItem, 25 a request); how many items that was (the counters only when
        they existed)."""
        keys = [self.layout.session_key(sid) for sid in session_ids]
        keys += [self.layout.activity_key(eid) for eid in event_ids]
        self.table.delete_many(keys)
        counters = sum(self.table.delete(self.layout.login_key(ref)) for ref in refs)
        return len(keys) + counters

    def delete_session(self, session_id: str) -> None:
        """DeleteItem of one session item (idempotent)."""
        self.table.delete(self.layout.session_key(session_id))
