"""`SessionManager`: the rules of `rules` applied through a store and a clock."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sessions_core.config import SessionConfig
from sessions_core.errors import (
    ERRORS_BY_CODE,
    CorruptItemError,
    InvalidTokenError,
    SessionError,
)
from sessions_core.models import PublicSession, RevokedReason, Session, ValidationResult
from sessions_core.rules import check, extended_expiry, new_session, rotated, sliding_due
from sessions_core.store import Loaded, RevocationMarker, Rotation, SessionIdTakenError
from sessions_core.tokens import is_session_id, parse_token, secret_matches, successor_token
from sessions_core.users import UserSessions

logger = logging.getLogger("sessions_core")

_INVALID = ValidationResult(False, None, "invalid_token")
_CREATE_ATTEMPTS = 3


class SessionManager:
    """Creates, validates, refreshes and revokes sessions in `config.store`.

    Costs, in store requests: validate 1 (2 when a sliding extension is due), refresh 2,
    create 1, destroy 1, a malformed token 0.
    """

    def __init__(self, config: SessionConfig) -> None:
        self.config = config
        self._store = config.namespaced_store
        self._now = config.now
        self._keys = config.keys
        self._users = UserSessions(self._store, self._keys, self._now)

    # -- create -------------------------------------------------------------------

    def create(
        self,
        *,
        user_id: str,
        expires_in: timedelta | None = None,
        metadata: dict[str, Any] | None = None,
        sliding_expiration: bool = False,
        user_agent: str | None = None,
    ) -> Session:
        """Create and store a session; the returned copy carries its token.

        Raises:
            InvalidArgumentError: bad user id or lifetime.
            StoreUnavailableError: the store did not answer.
        """
        bound = None
        if self.config.bind_to_user_agent:
            agent = user_agent
            if agent is None and metadata is not None:
                from_meta = metadata.get("userAgent")
                agent = from_meta if isinstance(from_meta, str) else None
            bound = agent
        for attempt in range(_CREATE_ATTEMPTS):
            session = new_session(
                user_id=user_id,
                expires_in=expires_in or self.config.default_expires_in,
                now=self._now(),
                keys=self._keys,
                max_lifetime=self.config.max_lifetime,
                metadata=metadata,
                sliding_expiration=sliding_expiration,
                bound_user_agent=bound,
            )
            try:
                self._store.insert(session)
            except SessionIdTakenError:
                logger.warning("session id collision, retrying (attempt %d)", attempt + 1)
                continue
            return session
        raise SessionError("could not allocate a unique session id")

    # -- validate -----------------------------------------------------------------

    def validate(self, token: str, *, user_agent: str | None = None) -> ValidationResult:
        """Validate a token: one store read; a sliding extension when due.

        A malformed token answers ``invalid_token`` without touching the store.

        Raises:
            StoreUnavailableError: the store did not answer (fail closed).
        """
        session_id = parse_token(token)
        if session_id is None:
            return _INVALID
        loaded = self._load(session_id)
        session = loaded.session
        if session is None:
            return _INVALID
        now = self._now()
        config = self.config
        verdict = check(
            token,
            session,
            now,
            config.refresh_grace,
            user_agent=user_agent,
            marker=self._marker(loaded),
        )
        if verdict.error is not None:
            if verdict.reuse and not config.read_only:
                self._revoke_for_reuse(session)
            return ValidationResult(False, None, verdict.error)
        if session.sliding_expiration and not config.read_only and sliding_due(session, now):
            session = self._slide(session, now)
        return ValidationResult(True, session, None)

    def _marker(self, loaded: Loaded) -> RevocationMarker | None:
        """The session's user's mark among those in its per-user item."""
        session = loaded.session
        if not loaded.markers or session is None:
            return None
        return loaded.markers.get(self._keys.ref_for_session(session.user_id, session.id).tag)

    def _load(self, session_id: str) -> Loaded:
        try:
            return self._store.load(session_id)
        except CorruptItemError:
            # Unreadable state cannot prove a session valid: fail closed, loudly.
            logger.error("session %s has a malformed stored item; refusing it", session_id)
            return Loaded(None)

    def _slide(self, session: Session, now: datetime) -> Session:
        expires_at = extended_expiry(session, now, self.config.max_lifetime)
        if expires_at <= session.expires_at:
            return session
        written = self._store.extend(
            session.id, expected=session.expires_at, expires_at=expires_at, now=now
        )
        if not written:
            # Another request slid it first (or it was just revoked): the read we
            # answered from was valid, so answer as of that read.
            return session
        self._notify("sliding_extended")
        return session.model_copy(update={"expires_at": expires_at, "last_active_at": now})

    def _revoke_for_reuse(self, session: Session) -> None:
        logger.warning(
            "a retired token of session %s was presented after its grace; revoking",
            session.id,
        )
        self._store.revoke(session.id, at=self._now(), reason="reuse_detected")
        self._notify("reuse_detected")

    def _notify(self, event: str) -> None:
        if self.config.observer is not None:
            self.config.observer(event)

    # -- refresh ------------------------------------------------------------------

    def refresh(self, token: str, *, user_agent: str | None = None) -> Session:
        """Rotate the token: the returned session carries the successor token.

        Concurrent refreshes of one token rotate once; each gets the same successor.
        Within the grace window, refreshing the previous token again returns that same
        successor. After it, presenting a rotated-out token revokes the session.

        Raises:
            InvalidTokenError, SessionExpiredError, SessionRevokedError,
            UserAgentMismatchError: the token cannot be refreshed (see `.code`).
            StoreUnavailableError: the store did not answer.
        """
        session_id = parse_token(token)
        if session_id is None:
            raise InvalidTokenError()
        loaded = self._load(session_id)
        for _ in range(2):
            now = self._now()
            session = self._usable(token, loaded, user_agent, now)
            if not _hash_is_current(token, session):
                return self._successor_of_previous(token, session)
            update = rotated(
                session,
                token,
                now,
                extended_expiry(session, now, self.config.max_lifetime),
                self._keys,
            )
            result = self._store.rotate(
                session.id,
                Rotation(
                    expected_token_hash=session.token_hash or "",
                    token_hash=update.token_hash or "",
                    retired=update.retired,
                    rotated_at=now,
                    expires_at=update.expires_at,
                ),
            )
            if result.applied:
                return update
            # Lost a race: judge the token again against the item as it now stands.
            loaded = Loaded(result.current, loaded.markers)
        raise InvalidTokenError()

    def _usable(self, token: str, loaded: Loaded, user_agent: str | None, now: datetime) -> Session:
        session = loaded.session
        if session is None:
            raise InvalidTokenError()
        verdict = check(
            token,
            session,
            now,
            self.config.refresh_grace,
            user_agent=user_agent,
            marker=self._marker(loaded),
        )
        if verdict.reuse:
            self._revoke_for_reuse(session)
        if verdict.error is not None:
            raise ERRORS_BY_CODE[verdict.error]()
        return session

    def _successor_of_previous(self, token: str, session: Session) -> Session:
        # The presented token was rotated out moments ago (another tab won the race):
        # hand back the successor it already has, without writing. Every key of the
        # ring is tried, so a key rotation does not fail a refresh racing it.
        for secret in self._keys.successor_secrets(token):
            successor = successor_token(session.id, secret)
            if _hash_is_current(successor, session):
                return session.model_copy(update={"token": successor})
        raise InvalidTokenError()

    # -- revoke -------------------------------------------------------------------

    def destroy(self, session_id: str, *, reason: RevokedReason = "revoked") -> None:
        """Revoke a session, keeping a tombstone (with ``reason``) until its expiry.
        Idempotent; an unknown or malformed id is a no-op.

        Raises:
            StoreUnavailableError: the store did not answer.
        """
        if not is_session_id(session_id):
            return
        self._store.revoke(session_id, at=self._now(), reason=reason)

    def destroy_all_for_user(self, user_id: str, *, except_session_id: str | None = None) -> int:
        """Revoke every session of the user (but ``except_session_id``), including ones
        the user index does not show yet (`users.UserSessions.revoke_all`). Returns how
        many live sessions this call revoked.

        Raises:
            StoreUnavailableError: the store did not answer.
        """
        return self._users.revoke_all(user_id, except_session_id=except_session_id)

    def list_for_user(self, user_id: str) -> list[Session]:
        """The user's active sessions, newest first, without tokens or hashes.

        Raises:
            StoreUnavailableError: the store did not answer.
        """
        return self._users.active(user_id)

    def get(self, session_id: str) -> Session | None:
        """One session by id (revoked and expired included), without secrets.

        Raises:
            StoreUnavailableError: the store did not answer.
        """
        if not is_session_id(session_id):
            return None
        session = self._store.get(session_id)
        if session is None:
            return None
        return session.without_secrets()

    @staticmethod
    def to_public_session(session: Session) -> PublicSession:
        """The client-safe view of a session."""
        return PublicSession.of(session)

    def purge_expired(self, *, limit: int | None = None) -> int:
        """Delete what has expired (tombstones included); what the cleanup runs.

        Raises:
            StoreUnavailableError: the store did not answer.
        """
        return self._store.purge_expired(self._now(), limit)


def _hash_is_current(token: str, session: Session) -> bool:
    return secret_matches(token, session.token_hash)
