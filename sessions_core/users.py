"""`UserSessions`: what is done to all of one user's sessions at once.

The user index (``byUser``) is eventually consistent: a session created a moment ago
may be missing from it. Everything here therefore pairs the index with the per-user
item, which every session's own read sees (rule 5).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sessions_core.keys import UserRef, location_of
from sessions_core.limits import MAX_EXPIRES_IN, check_user_id
from sessions_core.models import RevokedReason, Session
from sessions_core.records import NO_USER, RevocationMarker
from sessions_core.revocation_feed import user_entries
from sessions_core.revoking import revoke
from sessions_core.uses_config import UsesConfig

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ALL = 10**9


class UserSessions(UsesConfig):
    """Listing and revoking a user's sessions through the configured store."""

    def revoke_all(self, user_id: str, *, except_session_id: str | None = None) -> int:
        """Revoke every session of the user but ``except_session_id``.

        Access tokens' revocation feed hears of it first (`revocation_feed`). The
        "revoked before now" marker is written next (under every key of the ring,
        so a session created before a key rotation finds its user's marks where its own
        id points): it revokes, on their next read, sessions the index does not show
        yet. Then each listed live session gets its tombstone, with ``revoke_others``
        or ``revoke_all`` as the reason. Returns how many this call tombstoned.

        Raises:
            StoreUnavailableError: the store (or the feed) did not answer.
            ClockSkewError: this machine's clock is too far from the store's.
        """
        now = self._revocation_time()
        marker = RevocationMarker(
            revoked_before=now, keep_session_id=except_session_id, id=secrets.token_hex(8)
        )
        refs = self._keys.user_refs(user_id)
        self._append_revocations(
            user_entries(refs, now, before=now, keep=except_session_id, call=marker.id or "")
        )
        for ref in refs:
            self._store.put_marker(ref, marker, expires_at=now + MAX_EXPIRES_IN)
        reason: RevokedReason = "revoke_others" if except_session_id else "revoke_all"
        revoked = 0
        for session in self._store.list_user(user_id):
            if session.id == except_session_id:
                continue
            if session.is_revoked and session.revoked_at != now:
                continue  # revoked before this call
            if not session.is_revoked and revoke(
                self._store, session.id, at=now, reason=reason, live_at=now, by=marker.id
            ):
                revoked += 1
            else:
                # A validate that read it after our marker was written may have given
                # it the tombstone first, naming our marker: ours to count all the same.
                current = self._store.get(session.id)
                revoked += current is not None and current.revoked_by == marker.id
        return revoked

    def active(self, user_id: str) -> list[Session]:
        """The user's sessions that are neither revoked (tombstone or marker) nor
        expired, newest first, without secrets.

        Raises:
            StoreUnavailableError: the store did not answer.
        """
        now = self._now()
        sessions = self._store.list_user(user_id)
        if not sessions:
            return []
        states = self._store.load_users(self._keys.user_refs(user_id))
        by_location = {ref.location: state for ref, state in states.items()}

        def usable(session: Session) -> bool:
            state = by_location.get(location_of(session.id), NO_USER)
            if state.marker is not None and state.marker.revokes(session):
                return False
            return state.admits(session)

        active = [s for s in sessions if not s.is_revoked and not s.is_expired(now) and usable(s)]
        return sorted(active, key=lambda s: s.created_at, reverse=True)

    def erase(self, user_id: str) -> int:
        """Remove everything held about the user (`SessionManager.erase_user`).

        The erasure is recorded first, with a "revoked before now" mark, under every
        key of the ring: from then on none of the user's tokens works, even a session's
        the index does not show yet, and no event of the user from before now can come
        back through the stream. Then the user's items are deleted, and once more after
        the index has had time to show a login that raced the erasure.

        Raises:
            InvalidArgumentError: a bad user id.
            StoreUnavailableError: the store did not answer.
        """
        check_user_id(user_id)
        now = self._revocation_time()
        refs = self._keys.user_refs(user_id)
        marker = RevocationMarker(revoked_before=now, id=secrets.token_hex(8))
        self._append_revocations(
            user_entries(refs, now, before=now, keep=None, call=marker.id or "")
        )
        for ref in refs:
            self._store.mark_erased(ref, marker, expires_at=now + MAX_EXPIRES_IN)
        erased = self._delete_what_the_indexes_show(user_id, refs)
        lag = self._store.index_lag
        if lag > timedelta(0):
            self._wait(lag)
            erased += self._delete_what_the_indexes_show(user_id, refs)
        return erased

    def _delete_what_the_indexes_show(self, user_id: str, refs: list[UserRef]) -> int:
        sessions = [s.id for s in self._store.list_user(user_id)]
        events = [e.id for e in self._store.list_activity(user_id, since=_EPOCH, limit=_ALL)]
        return self._store.delete_user_items(sessions, events, refs)
