"""The per-user session limit, exact under concurrent logins, without transactions.

The per-user item that every validate already reads holds the user's admitted
sessions and a version. A create reads it, stores its session, then admits the session
there with one conditional write (the version it read, and "the user was not erased
since this session began"); a limited session that is not admitted is not valid. So
however many creates race, at most ``limit`` sessions are admitted at any moment,
validate and listings agree on which, and dynalite (no transactions) runs the same
code as DynamoDB. A create that dies between its two writes leaves a session that was
never admitted: never valid, and holding no slot.

During a key rotation a user's sessions are admitted in two items (the id of a session
made under the previous key names that key's item): the limit counts both, and evicts
from either.

Costs: one read and one write besides the insert (3 requests in all); at the limit, one
BatchGetItem of the admitted sessions to find which are really over or least recently
active, plus the evicted ones' tombstones.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sessions_core.config import LimitPolicy, SessionConfig
from sessions_core.errors import SessionLimitError, StoreUnavailableError, UserErasedError
from sessions_core.keys import UserRef
from sessions_core.limits import MAX_EXPIRES_IN
from sessions_core.models import PublicSession, Session
from sessions_core.records import (
    NO_USER,
    Admission,
    AdmissionWrite,
    Admitted,
    RevocationMarker,
    UserState,
)
from sessions_core.revocation_feed import session_entry
from sessions_core.uses_config import UsesConfig

# Sessions admitted by code that admitted before storing: an admitted id whose session
# is still missing after this belongs to a create that never finished.
PENDING_GRACE = timedelta(seconds=60)
_ATTEMPTS = 200  # contention is never an error: every round admits one racing create


@dataclass(frozen=True)
class Room:
    """What admitting one session needs: the admission to write over ``version``, the
    sessions it evicts, and those of them admitted under a previous key (each must be
    released from its own item)."""

    admission: Admission
    version: str | None
    evicted: list[str] = field(default_factory=list)
    released: list[tuple[UserRef, str]] = field(default_factory=list)


class SessionLimit(UsesConfig):
    """Admits new sessions under the configured limit per user, with the configured
    policy at the limit."""

    def __init__(self, config: SessionConfig) -> None:
        super().__init__(config)
        self.limit = config.max_sessions_per_user or 0
        self.policy: LimitPolicy = config.on_session_limit

    def read(self, user_id: str) -> dict[UserRef, UserState]:
        """The user's slots under every key of the ring (one request)."""
        return self._store.load_users(self._keys.user_refs(user_id))

    def room(self, session: Session, states: Mapping[UserRef, UserState]) -> Room:
        """Room for ``session`` (not stored yet) given the user's ``states``.

        Raises:
            SessionLimitError: at the limit with the ``deny`` policy.
            StoreUnavailableError: the store did not answer.
        """
        refs = self._keys.user_refs(session.user_id)
        now = self._now()
        current = states.get(refs[0], NO_USER)
        mine = _live(current, now)
        older = {
            sid: ref
            for ref in refs[1:]
            for sid in _live(states.get(ref, NO_USER), now)
            if ref in states
        }
        markers = [state.marker for state in states.values() if state.marker is not None]
        evicted = self._make_room(mine, older, markers, now)
        mine[session.id] = Admitted(
            session.created_at, session.expires_at, session.absolute_expires_at
        )
        version = current.admission.version if current.admission else None
        return Room(
            Admission(secrets.token_hex(8), mine),
            version,
            evicted,
            [(older[sid], sid) for sid in evicted if sid in older],
        )

    def admit(self, session: Session, room: Room) -> Room:
        """Admit the stored ``session`` with ``room`` (recomputed after each lost
        race); the room that was written.

        Raises:
            SessionLimitError: the limit filled up meanwhile (``deny``).
            UserErasedError: the user was erased after this session began.
            StoreUnavailableError: the store (or the feed) did not answer.
            ClockSkewError: an eviction would be stamped by a clock too far off.
        """
        ref = self._keys.user_ref(session.user_id)
        recorded: set[str] = set()
        for attempt in range(_ATTEMPTS):
            # The admission is what invalidates the evicted sessions: their access
            # tokens must be denied by then, so the feed hears of them first (and a
            # feed that cannot be written fails this create, leaving them admitted).
            fresh = [sid for sid in room.evicted if sid not in recorded]
            if fresh:
                at = self._revocation_time()
                self._append_revocations([session_entry(sid, at) for sid in fresh])
                recorded.update(fresh)
            # The per-user item outlives every session it admits.
            keep_until = self._now() + MAX_EXPIRES_IN
            write = AdmissionWrite(room.admission, room.version, keep_until, session.created_at)
            if self._store.admit(ref, write):
                return room
            # Another create (or a release, or an erasure) wrote first: read again.
            jitter = random.uniform(0, 2 * min(attempt + 1, 10))  # noqa: S311 - not a secret
            self._wait(timedelta(milliseconds=jitter))
            states = self.read(session.user_id)
            erased = states.get(ref, NO_USER).erased_at
            if erased is not None and session.created_at < erased:
                raise UserErasedError()
            room = self.room(session, states)
        raise StoreUnavailableError("the per-user session limit stayed contended")

    def _make_room(
        self,
        mine: dict[str, Admitted],
        older: dict[str, UserRef],
        markers: list[RevocationMarker],
        now: datetime,
    ) -> list[str]:
        """Drop from ``mine`` what is over and, at the limit, whom to evict; returns
        the evicted ids (``older`` ones included, which stay in ``older``)."""
        if len(mine) + len(older) < self.limit:
            return []
        # At the limit by what the items say: read the sessions to know which are over
        # (expired since, revoked) and which was least recently active.
        stored = self._store.get_many([*mine, *older])
        admitted = {sid: mine.get(sid) for sid in [*mine, *older]}
        for sid in list(admitted):
            live = stored.get(sid)
            entry = admitted[sid]
            if live is None:
                if entry is None or entry.created_at < now - PENDING_GRACE:
                    del admitted[sid]  # its create never finished, or it is gone
            elif live.is_revoked or live.is_expired(now) or any(m.revokes(live) for m in markers):
                del admitted[sid]
        for sid in list(mine):
            if sid not in admitted:
                del mine[sid]
        if len(admitted) < self.limit:
            return []
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
            entry = admitted[sid]
            return seen or (entry.created_at if entry is not None else now)

        evicted = []
        for sid in sorted(admitted, key=last_seen):
            if len(admitted) < self.limit:
                break
            del admitted[sid]
            mine.pop(sid, None)
            evicted.append(sid)
        return evicted


def _live(state: UserState, now: datetime) -> dict[str, Admitted]:
    """The sessions ``state`` admits that the item alone does not prove over."""
    sessions = state.admission.sessions if state.admission else {}
    return {
        sid: entry
        for sid, entry in sessions.items()
        if not _surely_over(sid, entry, state.marker, now)
    }


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
