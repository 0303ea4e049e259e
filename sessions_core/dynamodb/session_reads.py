"""The reads of session items: a session with its per-user item (what a validation
reads), one or many sessions by id, and a user's sessions from the user index."""

from __future__ import annotations

import logging

from sessions_core.dynamodb.part import TablePart
from sessions_core.dynamodb.schema import USER_INDEX
from sessions_core.dynamodb.session_codec import item_to_session
from sessions_core.dynamodb.table import Expression
from sessions_core.dynamodb.user_items import item_to_users
from sessions_core.errors import CorruptItemError
from sessions_core.keys import location_of
from sessions_core.models import Session
from sessions_core.records import Loaded

logger = logging.getLogger("sessions_core.dynamodb")


class SessionReads(TablePart):
    """The store's `load`, `get`, `get_many` and `list_user`."""

    def load(self, session_id: str) -> Loaded:
        """Session and per-user item in one BatchGetItem."""
        session_key = self.layout.session_key(session_id)
        user_key = self.layout.user_key(location_of(session_id))
        found = self.table.batch_get([session_key, user_key], consistent=self.consistent)
        session_item = found.get(session_key["id"]["S"])
        if session_item is None:
            return Loaded(None)
        session = self.recent.decode(session_item)
        return Loaded(session, item_to_users(found.get(user_key["id"]["S"])))

    def get(self, session_id: str) -> Session | None:
        """One session (GetItem), or None."""
        item = self.table.get(self.layout.session_key(session_id), consistent=self.consistent)
        return item_to_session(self.layout, item) if item else None

    def get_many(self, session_ids: list[str]) -> dict[str, Session]:
        """Sessions by id (one strongly consistent BatchGetItem of at most 100)."""
        if not session_ids:
            return {}
        keys = [self.layout.session_key(sid) for sid in session_ids]
        found = self.table.batch_get(keys, consistent=True)
        sessions = (item_to_session(self.layout, item) for item in found.values())
        return {session.id: session for session in sessions}

    def list_user(self, user_id: str) -> list[Session]:
        """Query the user index to its last page, newest first; corrupt items skipped."""
        sessions: list[Session] = []
        pages = self.table.query(
            USER_INDEX,
            Expression(
                condition="userId = :u",
                values={":u": {"S": user_id}, ":p": {"S": self.layout.prefix}},
            ),
            filter_expression="begins_with(id, :p)",
            newest_first=True,
        )
        for page in pages:
            for item in page:
                try:
                    sessions.append(item_to_session(self.layout, item))
                except CorruptItemError:
                    logger.error("skipping a malformed session item in the user index")
        return sessions
