"""The original package's standalone functions (``createSession``, ``validateSession``,
``destroySession``, ``refreshSession``), kept for callers who manage storage
themselves. They are thin shells over `rules`, the same rules `SessionManager` applies:
a ``validate_session`` honours a revocation marker and a ``refresh_session`` computes
the expiry exactly as a manager's refresh does.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sessions_core.clock import system_clock, truncate_ms
from sessions_core.config import DEFAULT_EXPIRES_IN, DEFAULT_MAX_LIFETIME, DEFAULT_REFRESH_GRACE
from sessions_core.errors import InvalidArgumentError, SessionExpiredError, SessionRevokedError
from sessions_core.keys import KeyRing, default_key_ring
from sessions_core.models import RevokedReason, Session, ValidationResult
from sessions_core.rules import check, extended_expiry, new_session, revoked, rotated
from sessions_core.store import RevocationMarker


def _now(now: datetime | None) -> datetime:
    return truncate_ms(now or system_clock())


def create_session(
    *,
    user_id: str,
    expires_in: timedelta | None = None,
    metadata: dict[str, Any] | None = None,
    sliding_expiration: bool = False,
    now: datetime | None = None,
    bound_user_agent: str | None = None,
    max_lifetime: timedelta | None = DEFAULT_MAX_LIFETIME,
    keys: KeyRing | None = None,
) -> Session:
    """Build a new session (not stored) with a fresh token: `rules.new_session` with the
    defaults a `SessionConfig` has (24 h, capped at 30 days, the local key).

    Raises:
        InvalidArgumentError: an empty or over-long user id, a lifetime out of range,
            or metadata past the limits.
    """
    return new_session(
        user_id=user_id,
        expires_in=DEFAULT_EXPIRES_IN if expires_in is None else expires_in,
        now=_now(now),
        keys=keys or default_key_ring(),
        max_lifetime=max_lifetime,
        metadata=metadata,
        sliding_expiration=sliding_expiration,
        bound_user_agent=bound_user_agent,
    )


def validate_session(
    token: str,
    session: Session,
    *,
    now: datetime | None = None,
    user_agent: str | None = None,
    grace: timedelta = DEFAULT_REFRESH_GRACE,
    marker: RevocationMarker | None = None,
    keys: KeyRing | None = None,
) -> ValidationResult:
    """Validate ``token`` against ``session`` (and the user's revocation ``marker``,
    when there is one) with `rules.check`; no store, no side effects. ``keys`` must be
    the ring the session's tokens were made with (the local key by default)."""
    verdict = check(
        token,
        session,
        _now(now),
        grace,
        keys or default_key_ring(),
        user_agent=user_agent,
        marker=marker,
    )
    if verdict.error is not None:
        return ValidationResult(valid=False, session=None, error=verdict.error)
    return ValidationResult(
        valid=True, session=session.model_copy(update={"token": None}), error=None
    )


def destroy_session(
    session: Session, *, now: datetime | None = None, reason: RevokedReason = "revoked"
) -> Session:
    """Return a revoked copy of ``session`` (`rules.revoked`)."""
    return revoked(session, _now(now), reason)


def refresh_session(
    session: Session,
    *,
    slide_only: bool = False,
    now: datetime | None = None,
    max_lifetime: timedelta | None = DEFAULT_MAX_LIFETIME,
    keys: KeyRing | None = None,
) -> Session:
    """Return the refreshed copy of ``session`` as `SessionManager.refresh` computes it:
    expiry ``now + lifetime`` capped at ``created_at + max_lifetime``, and (unless
    ``slide_only``) a rotated token whose predecessor is remembered as retired.

    Raises:
        SessionRevokedError: the session is revoked.
        SessionExpiredError: the session has expired.
        InvalidArgumentError: rotation needs the session's current token.
    """
    moment = _now(now)
    if session.is_revoked:
        raise SessionRevokedError()
    if session.is_expired(moment):
        raise SessionExpiredError()
    expires_at = extended_expiry(session, moment, max_lifetime)
    if slide_only:
        return session.model_copy(update={"expires_at": expires_at, "last_active_at": moment})
    if session.token is None:
        raise InvalidArgumentError("rotating a session needs its current token")
    return rotated(session, session.token, moment, expires_at, keys or default_key_ring())
