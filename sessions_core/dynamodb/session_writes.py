"""The writes of session items: the conditional insert of a new one, and any
`changes.SessionChange` as one conditional UpdateItem."""

from __future__ import annotations

from sessions_core.changes import Applied, SessionChange
from sessions_core.dynamodb.errors import ConditionFailedError
from sessions_core.dynamodb.items import Layout
from sessions_core.dynamodb.part import TablePart
from sessions_core.dynamodb.session_codec import compile_change, item_to_session, session_to_item
from sessions_core.dynamodb.table import Expression, Table
from sessions_core.models import Session
from sessions_core.records import SessionIdTakenError


class SessionWrites(TablePart):
    """The store's `insert` and `update`."""

    def insert(self, session: Session) -> None:
        """The conditional PutItem of a new session (see `insert`)."""
        insert(self.table, self.layout, session)

    def update(self, session_id: str, change: SessionChange) -> Applied:
        """``change`` as one conditional UpdateItem (see `update`)."""
        return update(self.table, self.layout, session_id, change)


def insert(table: Table, layout: Layout, session: Session) -> None:
    """PutItem guarded by ``attribute_not_exists(id)``; a retry that meets its own
    earlier write counts as success."""
    try:
        table.put(
            session_to_item(layout, session),
            Expression(condition="attribute_not_exists(id)"),
            old_on_failure=True,
        )
    except ConditionFailedError as error:
        existing = error.item or {}
        if existing.get("tokenHash", {}).get("S") == session.token_hash:
            # Our own write landed but its answer was lost (timeout, throttled
            # response) and botocore retried: the session is stored exactly once.
            return
        raise SessionIdTakenError(session.id) from error


def update(table: Table, layout: Layout, session_id: str, change: SessionChange) -> Applied:
    """``change`` as one conditional UpdateItem. What comes back is what the change
    asks for: the item as written (``ALL_NEW``), or, when a guard fails, the item as it
    stands (``ALL_OLD`` or, where a server omits it, a fresh read)."""
    key = layout.session_key(session_id)
    expression = compile_change(layout, key, change)
    try:
        written = table.update(
            key,
            expression,
            returning="ALL_NEW" if change.new else "NONE",
            old_on_failure=change.current,
        )
    except ConditionFailedError as error:
        if not change.current:
            return Applied(False, None)
        if error.item:
            return Applied(False, item_to_session(layout, error.item))
        found = table.get(key)
        return Applied(False, item_to_session(layout, found) if found else None)
    if change.new:
        return Applied(True, item_to_session(layout, written))
    return Applied(True, None)
