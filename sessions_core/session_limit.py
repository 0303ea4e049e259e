"""The per-user session limit, exact under concurrent logins, without transactions.

The per-user item that every validate already reads holds the user's admitted
sessions and a version. A create admits its session there with one conditional write
(the version it read), then stores the session; a limited session that is not admitted
is not valid. So however many creates race, at most ``limit`` sessions are admitted at
any moment, validate and listings agree on which, and dynalite (no transactions) runs
the same code as DynamoDB. A create that dies between its two writes leaves an
admitted id with no session: it holds a slot until the next create at the limit reads
it and, finding no session older than `PENDING_GRACE`, drops it.

Costs: below the limit, one read and one write before the insert (3 requests in all);
at the limit, one BatchGetItem of the admitted sessions to find which are really over
or least recently active, plus the evicted ones' tombstones.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sessions_core.config import LimitPolicy
from sessions_core.errors import SessionLimitError, StoreUnavailableError
from sessions_core.keys import KeyRing, UserRef
from sessions_core.limits import MAX_EXPIRES_IN
from sessions_core.models import PublicSession, Session
from sessions_core.records import NO_USER, Admission, Admitted, RevocationMarker, UserState
from sessions_core.store import SessionStore

# A create takes at most a few seconds (3 attempts, bounded timeouts): an admitted id
# whose session is still missing after this never finished.
PENDING_GRACE = timedelta(seconds=60)
_ATTEMPTS = 200  # contention is never an error: every round admits one racing create


class SessionLimit:
    """Admits new sessions under ``limit`` per user with ``policy`` at the limit."""

    def __init__(
        self,
        store: SessionStore,
        keys: KeyRing,
        now: Callable[[], datetime],
        *,
        limit: int,
        policy: LimitPolicy,
    ) -> None:
        self._store = store
        self._keys = keys
        self._now = now
        self.limit = limit
        self.policy = policy

    def admit(self, session: Session) -> list[str]:
        """Admit ``session`` (not stored yet); returns the ids it evicted.

        Raises:
            SessionLimitError: at the limit with the ``deny`` policy.
            StoreUnavailableError: the store did not answer.
        """
        ref = self._keys.user_ref(session.user_id)
        state = self._read(ref)
        for attempt in range(_ATTEMPTS):
            admitted, evicted = self._make_room(state, self._now())
            admitted[session.id] = Admitted(
                session.created_at, session.expires_at, session.absolute_expires_at
            )
            current = state.admission.version if state.admission else None
            admission = Admission(secrets.token_hex(8), admitted)
            # The per-user item outlives every session it admits.
            keep_until = self._now() + MAX_EXPIRES_IN
            if self._store.admit(ref, admission, expected=current, expires_at=keep_until):
                return evicted
            # Another create (or a release) wrote first: read again, decide again.
            time.sleep(random.uniform(0, 0.002 * min(attempt + 1, 10)))  # noqa: S311 - jitter
            state = self._read(ref)
        raise StoreUnavailableError("the per-user session limit stayed contended")

    def _read(self, ref: UserRef) -> UserState:
        return self._store.load_users([ref]).get(ref, NO_USER)

    def _make_room(self, state: UserState, now: datetime) -> tuple[dict[str, Admitted], list[str]]:
        """The admitted sessions to keep, with room for one more, and who was evicted."""
        marker = state.marker
        admitted = {
            sid: entry
            for sid, entry in (state.admission.sessions if state.admission else {}).items()
            if not _surely_over(sid, entry, marker, now)
        }
        if len(admitted) < self.limit:
            return admitted, []
        # At the limit by what the item says: read the sessions to know which are over
        # (expired since, revoked) and which was least recently active.
        stored = self._store.get_many(list(admitted))
        for sid in list(admitted):
            live = stored.get(sid)
            if live is None:
                if admitted[sid].created_at < now - PENDING_GRACE:
                    del admitted[sid]  # its create never finished
            elif live.is_revoked or live.is_expired(now) or (marker and marker.revokes(live)):
                del admitted[sid]
        if len(admitted) < self.limit:
            return admitted, []
        if self.policy == "deny":
            active = sorted(
                (stored[sid] for sid in admitted if sid in stored),
                key=lambda s: s.created_at,
                reverse=True,
            )
            raise SessionLimitError([PublicSession.of(s) for s in active])

        def last_seen(sid: str) -> datetime:
            live = stored.get(sid)
            seen = live.last_active_at if live is not None else None
            return seen or admitted[sid].created_at

        evicted = []
        for sid in sorted(admitted, key=last_seen):
            if len(admitted) < self.limit:
                break
            del admitted[sid]
            evicted.append(sid)
        return admitted, evicted


def _surely_over(sid: str, entry: Admitted, marker: RevocationMarker | None, now: datetime) -> bool:
    """True when the item alone proves the session over: past its absolute timeout, or
    created before a "revoked before" mark that does not keep it."""
    if entry.absolute_expires_at is not None and entry.absolute_expires_at <= now:
        return True
    return (
        marker is not None
        and entry.created_at < marker.revoked_before
        and sid != marker.keep_session_id
    )
