"""`DynamoDBSessionStore`: the store contract on one DynamoDB table.

One item per session, keyed by ``prefix + session id``; one per-user item per 48-bit
keyed user location holding "revoked before" marks. Validate reads both in one
strongly consistent BatchGetItem; writes are single conditional UpdateItems.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sessions_core.activity import ActivityEvent
from sessions_core.dynamodb.activity_items import newest as newest_events
from sessions_core.dynamodb.activity_items import record as record_event
from sessions_core.dynamodb.cleanup import purge_expired
from sessions_core.dynamodb.client import make_client
from sessions_core.dynamodb.erasure import delete_user_items
from sessions_core.dynamodb.items import (
    DEFAULT_EXPIRY_SHARDS,
    Layout,
    item_to_session,
)
from sessions_core.dynamodb.login_counters import change_attempts, read_attempts
from sessions_core.dynamodb.schema import USER_INDEX
from sessions_core.dynamodb.session_writes import (
    insert,
    reauthenticate,
    revoke,
    rotate,
    touch_session,
)
from sessions_core.dynamodb.setup import create_table
from sessions_core.dynamodb.table import Expression, Table
from sessions_core.dynamodb.user_items import item_to_users
from sessions_core.dynamodb.user_writes import UserItems
from sessions_core.errors import CorruptItemError
from sessions_core.keys import UserRef, location_of
from sessions_core.models import RevokedReason, Session
from sessions_core.store import (
    Admission,
    Loaded,
    LoginAttempts,
    RevocationMarker,
    RotateResult,
    Rotation,
    Touch,
    UserState,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

logger = logging.getLogger("sessions_core.dynamodb")

DEFAULT_PREFIX = "session:"
# GSI propagation is typically well under a second; erasure reads again after this.
INDEX_LAG = timedelta(seconds=1)


class DynamoDBSessionStore:
    """Sessions in a DynamoDB table shaped as `schema` (and template.yaml) declares.

    Args:
        table_name: the table (``SESSIONS_TABLE`` in Lambda).
        client: a boto3 DynamoDB client; built from the environment when absent.
        consistent_reads: strongly consistent reads of session items (keep True:
            an eventually consistent read could accept a just-revoked token).
        prefix: the namespace of every key (``session:``).
        expiry_shards: partitions of the expiry index (`items.Layout`).
        page_size: ``Limit`` of each query page (tests make it small).
        index_lag: how long the user index may take to show a write; erasure lists
            again after it (0 for local servers, whose indexes are synchronous).
    """

    def __init__(
        self,
        table_name: str,
        *,
        client: DynamoDBClient | None = None,
        consistent_reads: bool = True,
        prefix: str = DEFAULT_PREFIX,
        expiry_shards: int = DEFAULT_EXPIRY_SHARDS,
        page_size: int | None = None,
        index_lag: timedelta = INDEX_LAG,
    ) -> None:
        self.table = Table(table_name, client or make_client(), page_size=page_size)
        self.layout = Layout(prefix, expiry_shards)
        self.users = UserItems(self.table, self.layout)
        self._consistent = consistent_reads
        self._index_lag = index_lag

    @property
    def table_name(self) -> str:
        """The table's name."""
        return self.table.name

    @property
    def client(self) -> DynamoDBClient:
        """The DynamoDB client (tests hook its events)."""
        return self.table.client

    @property
    def prefix(self) -> str:
        """The namespace of every key."""
        return self.layout.prefix

    def with_prefix(self, prefix: str) -> DynamoDBSessionStore:
        """The same table and client under ``prefix``."""
        if prefix == self.prefix:
            return self
        view = object.__new__(DynamoDBSessionStore)
        view.table = self.table
        view.layout = Layout(prefix, self.layout.shards)
        view.users = UserItems(self.table, view.layout)
        view._consistent = self._consistent
        view._index_lag = self._index_lag
        return view

    def create_table(self) -> bool:
        """Create the table as `template.yaml` declares it, wait until it is active, and
        enable TTL and point-in-time recovery where the server supports them.
        Idempotent. Returns True when it created the table.

        Raises:
            StoreUnavailableError, StoreConfigurationError: DynamoDB refused or failed.
        """
        return create_table(self.table)

    # -- reads ---------------------------------------------------------------------

    def load(self, session_id: str) -> Loaded:
        """Session and per-user item in one BatchGetItem."""
        session_key = self.layout.session_key(session_id)
        user_key = self.layout.user_key(location_of(session_id))
        found = self.table.batch_get([session_key, user_key], consistent=self._consistent)
        session_item = found.get(session_key["id"]["S"])
        if session_item is None:
            return Loaded(None)
        session = item_to_session(self.layout, session_item)
        return Loaded(session, item_to_users(found.get(user_key["id"]["S"])))

    def get(self, session_id: str) -> Session | None:
        """One session (GetItem), or None."""
        item = self.table.get(self.layout.session_key(session_id), consistent=self._consistent)
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
                values={":u": {"S": user_id}, ":p": {"S": self.prefix}},
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

    def load_users(self, refs: list[UserRef]) -> dict[UserRef, UserState]:
        """The users' slots (one strongly consistent BatchGetItem)."""
        return self.users.load(refs)

    # -- writes --------------------------------------------------------------------

    def insert(self, session: Session) -> None:
        """The conditional PutItem of `session_writes.insert`."""
        insert(self.table, self.layout, session)

    def rotate(self, session_id: str, rotation: Rotation) -> RotateResult:
        """The conditional rotation of `session_writes.rotate`."""
        return rotate(self.table, self.layout, session_id, rotation)

    def reauthenticate(self, session_id: str, *, at: datetime, aal: int | None) -> RotateResult:
        """The conditional step-up of `session_writes.reauthenticate`."""
        return reauthenticate(self.table, self.layout, session_id, at, aal)

    def touch(self, session_id: str, touch: Touch) -> bool:
        """The conditional use write of `session_writes.touch`."""
        return touch_session(self.table, self.layout, session_id, touch)

    def revoke(
        self,
        session_id: str,
        *,
        at: datetime,
        reason: RevokedReason,
        live_at: datetime | None = None,
        by: str | None = None,
    ) -> Session | None:
        """The conditional tombstone of `session_writes.revoke`."""
        return revoke(
            self.table, self.layout, session_id, at=at, reason=reason, live_at=live_at, by=by
        )

    def put_marker(self, ref: UserRef, marker: RevocationMarker, *, expires_at: datetime) -> None:
        """Set the user's mark unless a later one is there (`UserItems.put_marker`)."""
        self.users.put_marker(ref, marker, expires_at=expires_at)

    def admit(
        self,
        ref: UserRef,
        admission: Admission,
        *,
        expected: str | None,
        expires_at: datetime,
        not_erased_since: datetime,
    ) -> bool:
        """Conditional replacement of the user's admitted sessions (`UserItems.admit`)."""
        return self.users.admit(
            ref,
            admission,
            expected=expected,
            expires_at=expires_at,
            not_erased_since=not_erased_since,
        )

    def release(self, ref: UserRef, session_id: str) -> None:
        """Drop one admitted session (`UserItems.release`)."""
        self.users.release(ref, session_id)

    def mark_erased(self, ref: UserRef, marker: RevocationMarker, *, expires_at: datetime) -> None:
        """The erasure time and a "revoked before" mark at ``ref`` (two UpdateItems)."""
        self.users.mark_erased(ref, at=marker.revoked_before, expires_at=expires_at)
        self.users.put_marker(ref, marker, expires_at=expires_at)

    def delete_user_items(
        self, session_ids: list[str], event_ids: list[str], refs: list[UserRef]
    ) -> int:
        """Batch deletes (`erasure.delete_user_items`)."""
        return delete_user_items(self.table, self.layout, session_ids, event_ids, refs)

    def delete_session(self, session_id: str) -> None:
        """DeleteItem of one session item (idempotent)."""
        self.table.delete(self.layout.session_key(session_id))

    @property
    def index_lag(self) -> timedelta:
        """How long DynamoDB's (eventually consistent) indexes may take to show a write."""
        return self._index_lag

    # -- login failures and cleanup --------------------------------------------------

    def login_attempts(self, ref: UserRef) -> LoginAttempts | None:
        """The counter item (strongly consistent GetItem), if any."""
        return read_attempts(self.table, self.layout, ref)

    def change_login_attempts(
        self,
        ref: UserRef,
        change: Callable[[LoginAttempts | None], LoginAttempts | None],
        *,
        expires_at: datetime,
    ) -> tuple[LoginAttempts | None, bool]:
        """Conditional puts on the version (`login_counters.change_attempts`)."""
        return change_attempts(self.table, self.layout, ref, change, expires_at)

    def record_activity(self, event: ActivityEvent, *, expires_at: datetime) -> bool:
        """A conditional PutItem of the event's item (`activity_items.record`)."""
        return record_event(self.table, self.layout, event, expires_at)

    def list_activity(self, user_id: str, *, since: datetime, limit: int) -> list[ActivityEvent]:
        """Query ``byActivity`` newest first (`activity_items.newest`)."""
        return newest_events(self.table, self.layout, user_id, since=since, limit=limit)

    def purge_expired(self, now: datetime, limit: int | None = None) -> int:
        """Delete expired items found through the expiry index (see `cleanup`)."""
        return purge_expired(self.table, self.layout, now, limit)
