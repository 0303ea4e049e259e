"""`Creator`: a new session, with its device and origin, admitted under the per-user
limit when there is one.

A create stores its session first, then makes sure the user was not erased meanwhile:
under a limit, the admission's own conditional write does it; without one, a read of
the user's item. A session the erasure may not have seen is deleted again, so once an
erasure has returned, and every create that began before it, no item holds the user
id in clear. Costs: 2 requests (3 under a limit).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, TypedDict, Unpack

from sessions_core.config import SessionConfig
from sessions_core.devices import parse_device
from sessions_core.errors import (
    InvalidArgumentError,
    SessionError,
    SessionLimitError,
    UserErasedError,
)
from sessions_core.limits import MAX_EXPIRES_IN
from sessions_core.models import Session
from sessions_core.records import NO_USER, SessionIdTakenError
from sessions_core.revoking import revoke
from sessions_core.rules import Origin, new_session
from sessions_core.session_limit import Room, SessionLimit
from sessions_core.uses_config import UsesConfig

logger = logging.getLogger("sessions_core")

_CREATE_ATTEMPTS = 3


class CreateOptions(TypedDict, total=False):
    """What a create may be told besides the user (see `SessionManager.create`)."""

    expires_in: timedelta | None
    metadata: dict[str, Any] | None
    sliding_expiration: bool
    user_agent: str | None
    ip_address: str | None
    country: str | None
    max_lifetime: timedelta | None
    aal: int


class Creator(UsesConfig):
    """Creates sessions in ``config``'s store."""

    def __init__(self, config: SessionConfig) -> None:
        super().__init__(config)
        limited = config.max_sessions_per_user is not None
        self._limit = SessionLimit(config) if limited else None

    def create(self, user_id: str, **options: Unpack[CreateOptions]) -> Session:
        """Create and store a session (`SessionManager.create`, whose options these
        are); the returned copy carries its token.

        The device is parsed from ``user_agent`` (else ``metadata["userAgent"]``, as
        the original bound it). ``max_lifetime`` is this session's absolute timeout (a
        "remember me" choice), never above the configured one.

        Raises:
            InvalidArgumentError: bad user id, lifetime, metadata, aal or max lifetime.
            SessionLimitError: the user is at the limit and the policy is ``deny``.
            StoreUnavailableError: the store did not answer, or the feed could not
                record an eviction (the evicted sessions then stay valid).
            ClockSkewError: an eviction would be stamped by a clock too far off.
        """
        metadata = options.get("metadata")
        agent = options.get("user_agent")
        if agent is None and metadata is not None:
            from_meta = metadata.get("userAgent")
            agent = from_meta if isinstance(from_meta, str) else None
        lifetime_cap = self._max_lifetime(options.get("max_lifetime"))
        origin = Origin(parse_device(agent), options.get("ip_address"), options.get("country"))
        states = self._limit.read(user_id) if self._limit is not None else {}
        for attempt in range(_CREATE_ATTEMPTS):
            session = new_session(
                user_id=user_id,
                expires_in=options.get("expires_in") or self.config.default_expires_in,
                now=self._now(),
                keys=self._keys,
                max_lifetime=lifetime_cap,
                metadata=metadata,
                sliding_expiration=options.get("sliding_expiration", False),
                bound_user_agent=agent if self.config.bind_to_user_agent else None,
                origin=origin,
                aal=options.get("aal", 1),
                limited=self._limit is not None,
            )
            # Decided before storing, so that "deny" stores nothing.
            room = self._limit.room(session, states) if self._limit is not None else None
            try:
                self._store.insert(session)
            except SessionIdTakenError:
                logger.warning("session id collision, retrying (attempt %d)", attempt + 1)
                continue
            self._admit_unless_erased(session, room)
            return session
        raise SessionError("could not allocate a unique session id")

    def _admit_unless_erased(self, session: Session, room: Room | None) -> None:
        try:
            if self._limit is not None and room is not None:
                room = self._limit.admit(session, room)
                self._evict(room)
                return
            ref = self._keys.user_ref(session.user_id)
            erased = self._store.load_users([ref]).get(ref, NO_USER).erased_at
            if erased is not None and session.created_at < erased:
                raise UserErasedError()
        except (UserErasedError, SessionLimitError):
            # Never admitted, so never valid; delete it all the same (user id and all).
            self._store.delete_session(session.id)
            raise

    def _max_lifetime(self, requested: timedelta | None) -> timedelta | None:
        configured = self.config.max_lifetime
        if requested is None:
            return configured
        if not isinstance(requested, timedelta) or not timedelta(0) < requested <= MAX_EXPIRES_IN:
            raise InvalidArgumentError("max_lifetime must be more than 0 and at most 400 days")
        if configured is not None and requested > configured:
            raise InvalidArgumentError(
                f"max_lifetime may not exceed the configured {configured.total_seconds():.0f} s"
            )
        return requested

    def _evict(self, room: Room) -> None:
        # They stopped being valid when the admission left them out, and the feed
        # heard of it before (`SessionLimit.admit`); the tombstone records why. A
        # failure here must not fail a create that has succeeded: the next read of an
        # evicted session writes its tombstone (`Validator.record_revocation`).
        now = self._now()
        for ref, session_id in room.released:
            try:
                self._store.release(ref, session_id)
            except SessionError:
                logger.warning("could not release session %s under its key", session_id)
        for session_id in room.evicted:
            try:
                revoke(self._store, session_id, at=now, reason="session_limit")
            except SessionError:
                logger.warning("could not record the eviction of session %s", session_id)
            self.config.notify("session_evicted")
