"""`Validator`: one read decides whether a token may use its session; a use is written
down (activity, a sliding extension) at most once per resolution, in one write."""

from __future__ import annotations

import logging
from datetime import datetime

from sessions_core.changes import applied_to, seen_from, use
from sessions_core.errors import CorruptItemError
from sessions_core.models import RevokedReason, Session, ValidationResult
from sessions_core.records import NO_USER, Loaded, Presented, UserState
from sessions_core.revocation_feed import session_entry
from sessions_core.revoking import revoke
from sessions_core.rules import Verdict, activity_due, check, extended_expiry, sliding_due
from sessions_core.tokens import parse_token
from sessions_core.uses_config import UsesConfig

logger = logging.getLogger("sessions_core")

_INVALID = ValidationResult(False, None, "invalid_token")


class Validator(UsesConfig):
    """Validates tokens against ``config``'s store, clock and rules."""

    def validate(self, token: str, presented: Presented) -> ValidationResult:
        """One store read; one conditional write when activity or sliding is due.

        A malformed token answers ``invalid_token`` without touching the store.

        Raises:
            StoreUnavailableError: the store did not answer (fail closed).
        """
        session_id = parse_token(token)
        if session_id is None:
            return _INVALID
        loaded = self.load(session_id)
        session = loaded.session
        if session is None:
            return _INVALID
        now = self._now()
        verdict = self.judge(token, loaded, presented.user_agent, now)
        if verdict.error is not None:
            if verdict.reuse:
                self.revoke_for_reuse(session)
            elif verdict.error == "session_revoked":
                self.record_revocation(loaded)
            return ValidationResult(False, None, verdict.error)
        if not self.config.read_only:
            session = self._touch(session, now, presented)
        return ValidationResult(True, session, None)

    def load(self, session_id: str) -> Loaded:
        """The session and its per-user item; an unreadable item reads as no session."""
        try:
            return self._store.load(session_id)
        except CorruptItemError:
            # Unreadable state cannot prove a session valid: fail closed, loudly.
            logger.error("session %s has a malformed stored item; refusing it", session_id)
            return Loaded(None)

    def user_state(self, loaded: Loaded) -> UserState:
        """The session's user's slot among those in its per-user item."""
        session = loaded.session
        if not loaded.users or session is None:
            return NO_USER
        tag = self._keys.ref_for_session(session.user_id, session.id).tag
        return loaded.users.get(tag, NO_USER)

    def judge(self, token: str, loaded: Loaded, user_agent: str | None, now: datetime) -> Verdict:
        """`rules.check` for a loaded session (which must be there)."""
        session = loaded.session
        assert session is not None  # noqa: S101 - callers return early without one
        state = self.user_state(loaded)
        return check(
            token,
            session,
            now,
            self.config.refresh_grace,
            self._keys,
            user_agent=user_agent,
            marker=state.marker,
            admitted=state.admits(session),
        )

    def record_revocation(self, loaded: Loaded) -> None:
        """Give a session revoked without a tombstone (by its user's "revoked before"
        marker, or evicted by a create that died before writing one) its tombstone on
        this read, so it shows as revoked and its ``session.revoked`` event is emitted."""
        session = loaded.session
        if session is None or session.revoked_at is not None or self.config.read_only:
            return
        state = self.user_state(loaded)
        if state.erased_at is not None and session.created_at < state.erased_at:
            # A login that raced its user's erasure and that the index did not show:
            # it goes now, user id and all.
            self._store.delete_session(session.id)
            return
        marker = state.marker
        if marker is not None and marker.revokes(session):
            reason: RevokedReason = "revoke_others" if marker.keep_session_id else "revoke_all"
            revoke(self._store, session.id, at=marker.revoked_before, reason=reason, by=marker.id)
        else:
            # Its create recorded the eviction in the feed before evicting it; this
            # read records it again all the same (an entry costs one small write).
            now = self._revocation_time()
            self._append_revocations([session_entry(session.id, now)])
            revoke(self._store, session.id, at=now, reason="session_limit")

    def revoke_for_reuse(self, session: Session) -> None:
        """Revoke after a retired token was replayed (rule 11); a read-only manager
        refuses the token and leaves the write to the next one that may."""
        if self.config.read_only:
            return
        logger.warning(
            "a retired token of session %s was presented after its grace; revoking",
            session.id,
        )
        now = self._revocation_time()
        self._append_revocations([session_entry(session.id, now)])
        revoked = revoke(self._store, session.id, at=now, reason="reuse_detected")
        if revoked is not None and revoked.limited:
            ref = self._keys.ref_for_session(revoked.user_id, revoked.id)
            self._store.release(ref, revoked.id)
        self.config.notify("reuse_detected")

    def _touch(self, session: Session, now: datetime, presented: Presented) -> Session:
        expires_at = None
        if sliding_due(session, now):
            candidate = extended_expiry(session, now, self.config.max_lifetime)
            expires_at = candidate if candidate > session.expires_at else None
        if expires_at is None and not activity_due(session, now, self.config.activity_resolution):
            return session
        change = use(session, now, seen_from(presented), expires_at)
        if not self._store.update(session.id, change).applied:
            # Another request wrote first (or it was just revoked): the read we
            # answered from was valid, so answer as of that read.
            return session
        if expires_at is not None:
            self.config.notify("sliding_extended")
        return applied_to(session, change)
