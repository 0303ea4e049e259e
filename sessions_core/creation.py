"""`Creator`: a new session, with its device and origin, admitted under the per-user
limit when there is one."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sessions_core.config import SessionConfig
from sessions_core.devices import parse_device
from sessions_core.errors import InvalidArgumentError, SessionError
from sessions_core.limits import MAX_EXPIRES_IN
from sessions_core.models import Session
from sessions_core.records import SessionIdTakenError
from sessions_core.rules import Origin, new_session
from sessions_core.session_limit import SessionLimit

logger = logging.getLogger("sessions_core")

_CREATE_ATTEMPTS = 3


class Creator:
    """Creates sessions in ``config``'s store."""

    def __init__(self, config: SessionConfig) -> None:
        self.config = config
        self._store = config.namespaced_store
        self._keys = config.keys
        self._now = config.now
        limit = config.max_sessions_per_user
        self._limit = (
            SessionLimit(
                self._store, self._keys, self._now, limit=limit, policy=config.on_session_limit
            )
            if limit is not None
            else None
        )

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
        """Create and store a session; the returned copy carries its token.

        The device is parsed from ``user_agent`` (else ``metadata["userAgent"]``, as
        the original bound it). ``max_lifetime`` is this session's absolute timeout (a
        "remember me" choice), never above the configured one.

        Raises:
            InvalidArgumentError: bad user id, lifetime, metadata, aal or max lifetime.
            SessionLimitError: the user is at the limit and the policy is ``deny``.
            StoreUnavailableError: the store did not answer.
        """
        agent = user_agent
        if agent is None and metadata is not None:
            from_meta = metadata.get("userAgent")
            agent = from_meta if isinstance(from_meta, str) else None
        lifetime_cap = self._max_lifetime(max_lifetime)
        origin = Origin(device=parse_device(agent), ip_address=ip_address, country=country)
        for attempt in range(_CREATE_ATTEMPTS):
            session = new_session(
                user_id=user_id,
                expires_in=expires_in or self.config.default_expires_in,
                now=self._now(),
                keys=self._keys,
                max_lifetime=lifetime_cap,
                metadata=metadata,
                sliding_expiration=sliding_expiration,
                bound_user_agent=agent if self.config.bind_to_user_agent else None,
                origin=origin,
                aal=aal,
                limited=self._limit is not None,
            )
            evicted = self._limit.admit(session) if self._limit is not None else []
            try:
                self._store.insert(session)
            except SessionIdTakenError:
                logger.warning("session id collision, retrying (attempt %d)", attempt + 1)
                self._release(session)
                continue
            except SessionError:
                self._release(session)
                raise
            self._revoke_evicted(evicted)
            return session
        raise SessionError("could not allocate a unique session id")

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

    def _release(self, session: Session) -> None:
        """Give back the slot of a session that was admitted but not stored (best
        effort: if this fails too, the next create at the limit reclaims it)."""
        if self._limit is None:
            return
        try:
            self._store.release(self._keys.user_ref(session.user_id), session.id)
        except SessionError:
            logger.warning("could not release the slot of an unstored session")

    def _revoke_evicted(self, evicted: list[str]) -> None:
        # They stopped being valid when the admission left them out; the tombstone
        # records why. A failure here must not fail a create that has succeeded.
        now = self._now()
        for session_id in evicted:
            try:
                self._store.revoke(session_id, at=now, reason="session_limit")
            except SessionError:
                logger.warning("could not record the eviction of session %s", session_id)
            self.config.notify("session_evicted")
