"""`SessionManager`: the one object callers use. It applies the rules of `rules`
through a store and a clock, each concern in a part of its own: `creation`,
`validation`, `rotation`, `users`."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sessions_core.activity import ActivityEvent
from sessions_core.changes import reauthentication
from sessions_core.config import SessionConfig
from sessions_core.creation import Creator
from sessions_core.errors import (
    InvalidArgumentError,
    SessionExpiredError,
    SessionNotFoundError,
    SessionRevokedError,
)
from sessions_core.limits import check_ip_address
from sessions_core.manager_tokens import AccessTokenMethods
from sessions_core.models import PublicSession, RevokedReason, Session, ValidationResult
from sessions_core.records import Presented
from sessions_core.revocation_feed import session_entry
from sessions_core.revoking import revoke
from sessions_core.rotation import Refresher
from sessions_core.rules import check_aal
from sessions_core.tokens import is_session_id
from sessions_core.users import UserSessions
from sessions_core.validation import Validator

if TYPE_CHECKING:
    pass

MAX_ACTIVITY_LIMIT = 1000


class SessionManager(AccessTokenMethods):
    """Creates, validates, refreshes and revokes sessions in `config.store`.

    Costs, in store requests: validate 1 (2 when an activity write or a sliding
    extension is due), refresh 2, create 1 (3 under a per-user limit), destroy 1, a
    malformed token 0; a revocation also appends to the access tokens' feed (one more,
    whatever built the manager), issuing one is a validate, verifying one none
    (`manager_tokens`).
    """

    def __init__(self, config: SessionConfig) -> None:
        super().__init__(config)
        self._creator = Creator(config)
        self._validator = Validator(config)
        self._refresher = Refresher(config, self._validator)
        self._users = UserSessions(config)

    def create(
        self,
        *,
        user_id: str,
        expires_in: timedelta | None = None,
        metadata: dict[str, Any] | None = None,
        sliding_expiration: bool = False,
        user_agent: str | None = None,
        ip_address: str | None = None,
        country: str | None = None,
        max_lifetime: timedelta | None = None,
        aal: int = 1,
    ) -> Session:
        """Create and store a session; the returned copy carries its token
        (`creation.Creator.create`).

        Raises:
            InvalidArgumentError: bad user id, lifetime, metadata, aal or max lifetime.
            SessionLimitError: the user is at the limit and the policy is ``deny``.
            StoreUnavailableError: the store did not answer.
        """
        return self._creator.create(
            user_id,
            expires_in=expires_in,
            metadata=metadata,
            sliding_expiration=sliding_expiration,
            user_agent=user_agent,
            ip_address=ip_address,
            country=country,
            max_lifetime=max_lifetime,
            aal=aal,
        )

    def validate(
        self,
        token: str,
        *,
        user_agent: str | None = None,
        ip_address: str | None = None,
        country: str | None = None,
    ) -> ValidationResult:
        """Validate a token: one store read; one write when activity or sliding is due
        (`validation.Validator.validate`). A malformed token costs no request.
        ``ip_address`` (where the use came from) must be a plain IP address.

        Raises:
            InvalidArgumentError: ``ip_address`` is not a plain IP address.
            StoreUnavailableError: the store did not answer (fail closed).
        """
        check_ip_address(ip_address)
        return self._validator.validate(token, Presented(user_agent, ip_address, country))

    def refresh(
        self,
        token: str,
        *,
        user_agent: str | None = None,
        ip_address: str | None = None,
        country: str | None = None,
    ) -> Session:
        """Rotate the token; the returned session carries the successor
        (`rotation.Refresher.refresh`).

        Raises:
            InvalidTokenError, SessionExpiredError, SessionRevokedError,
            UserAgentMismatchError: the token cannot be refreshed (see `.code`).
            InvalidArgumentError: ``ip_address`` is not a plain IP address.
            StoreUnavailableError: the store did not answer.
        """
        check_ip_address(ip_address)
        return self._refresher.refresh(token, Presented(user_agent, ip_address, country))

    def reauthenticate(self, session_id: str, *, aal: int | None = None) -> Session:
        """Record that the session's user just proved who they are again (a password, a
        passkey, a second factor checked by the login backend): ``authenticated_at``
        moves to now and, given, ``aal`` to the level that proof reached. Nothing else
        moves it: refresh, sliding and activity never do.

        Raises:
            SessionNotFoundError: no such session.
            SessionRevokedError, SessionExpiredError: it can no longer be used.
            InvalidArgumentError: ``aal`` is not 1, 2 or 3.
            StoreUnavailableError: the store did not answer.
        """
        if aal is not None:
            check_aal(aal)
        if not is_session_id(session_id):
            raise SessionNotFoundError()
        result = self._store.update(session_id, reauthentication(self._now(), aal))
        current = result.current
        if current is None:
            raise SessionNotFoundError()
        if not result.applied:
            raise SessionRevokedError() if current.is_revoked else SessionExpiredError()
        return current.without_secrets()

    def recently_authenticated(self, session: Session) -> bool:
        """True when ``session``'s user proved who they are within
        `SessionConfig.reauthentication_max_age` (always, with the check off): what a
        sensitive action asks before it proceeds."""
        max_age = self.config.reauthentication_max_age
        if max_age is None:
            return True
        proved = session.authenticated_at or session.created_at
        return self._now() - proved <= max_age

    def destroy(self, session_id: str, *, reason: RevokedReason = "revoked") -> None:
        """Revoke a session, keeping a tombstone (with ``reason``) until its expiry.
        Idempotent; an unknown or malformed id is a no-op. A session created under the
        per-user limit also gives its slot back (a second request).

        Raises:
            StoreUnavailableError: the store (or the feed) did not answer.
            ClockSkewError: this machine's clock is too far from the store's.
        """
        if not is_session_id(session_id):
            return
        now = self._revocation_time()
        self._append_revocations([session_entry(session_id, now)])
        revoked = revoke(self._store, session_id, at=now, reason=reason)
        if revoked is not None and revoked.limited:
            ref = self._keys.ref_for_session(revoked.user_id, session_id)
            self._store.release(ref, session_id)

    def destroy_all_for_user(self, user_id: str, *, except_session_id: str | None = None) -> int:
        """Revoke every session of the user (but ``except_session_id``), including ones
        the user index does not show yet (`users.UserSessions.revoke_all`). Returns how
        many live sessions this call revoked.

        Raises:
            StoreUnavailableError: the store did not answer.
        """
        return self._users.revoke_all(user_id, except_session_id=except_session_id)

    def erase_user(self, user_id: str) -> int:
        """Remove everything the service holds about a user (a "delete my account" or
        GDPR art. 17 request): their sessions, tombstones included, their activity and
        their login counters; how many items that was. Their tokens stop working at
        once, even a session's the user index does not show yet. Afterwards no item
        holds the user id in clear: only a mark keyed by the keyed user hash stays,
        until no session of theirs could still be alive. Safe to run twice. Cost: in
        proportion to the user's items (`users.UserSessions.erase`).

        Raises:
            InvalidArgumentError: a bad user id.
            StoreUnavailableError: the store did not answer.
        """
        return self._users.erase(user_id)

    def list_for_user(self, user_id: str) -> list[Session]:
        """The user's active sessions, newest first, without tokens or hashes.

        Raises:
            StoreUnavailableError: the store did not answer.
        """
        return self._users.active(user_id)

    def get(self, session_id: str) -> Session | None:
        """One session by id (revoked and expired included), without secrets.

        Raises:
            StoreUnavailableError: the store (or the feed) did not answer.
            ClockSkewError: this machine's clock is too far from the store's.
        """
        if not is_session_id(session_id):
            return None
        session = self._store.get(session_id)
        return session.without_secrets() if session is not None else None

    def activity_for_user(self, user_id: str, *, limit: int = 50) -> list[ActivityEvent]:
        """The user's security log, newest first: every change of every one of their
        sessions within `SessionConfig.activity_retention`. On DynamoDB it is filled
        from the table's stream (seconds behind); in memory, on each write.

        Raises:
            InvalidArgumentError: ``limit`` is not 1 to 1000.
            StoreUnavailableError: the store did not answer.
        """
        if type(limit) is not int or not 1 <= limit <= MAX_ACTIVITY_LIMIT:
            raise InvalidArgumentError(f"limit must be 1 to {MAX_ACTIVITY_LIMIT}")
        since = self._now() - self.config.activity_retention
        return self._store.list_activity(user_id, since=since, limit=limit)

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
