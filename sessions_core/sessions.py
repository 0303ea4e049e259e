"""The session rules as pure functions: create, check, destroy, refresh.

No I/O and no clock of their own: `SessionManager` calls these with the store's record
and its injected clock, so the rules live in one place and both stores share them.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from hmac import compare_digest
from typing import Any, NamedTuple

from sessions_core.config import (
    DEFAULT_EXPIRES_IN,
    DEFAULT_MAX_LIFETIME,
    DEFAULT_REFRESH_GRACE,
    check_lifetime,
    system_clock,
    truncate_ms,
)
from sessions_core.errors import (
    InvalidArgumentError,
    SessionExpiredError,
    SessionRevokedError,
)
from sessions_core.keys import KeyRing, default_key_ring
from sessions_core.models import RevokedReason, Session, ValidationError, ValidationResult
from sessions_core.store import RevocationMarker
from sessions_core.tokens import (
    hash_token,
    new_session_id,
    new_token,
    retired_digest,
    successor_token,
)

# How many retired tokens a session remembers (rule 11 asks for at least 16).
RETIRED_GENERATIONS = 16

MAX_USER_ID_CHARS = 256
# Deeper JSON cannot be serialised back by pydantic (its limit is lower than json's).
MAX_METADATA_DEPTH = 32


class Verdict(NamedTuple):
    """What `check` concluded about a token presented for a session.

    Attributes:
        error: the validation error, or None when the session may be used.
        via_previous: the token is the rotated-out one, still inside the grace window.
        reuse: the token is a retired one presented after its grace: a replay.
    """

    error: ValidationError | None
    via_previous: bool = False
    reuse: bool = False


# The common verdicts, built once: `check` runs on every validation.
_USABLE = Verdict(None)
_INVALID = Verdict("invalid_token")
_REVOKED = Verdict("session_revoked")
_EXPIRED = Verdict("session_expired")
_MISMATCH = Verdict("user_agent_mismatch")
_REUSE = Verdict("session_revoked", reuse=True)


def check_metadata(metadata: dict[str, Any] | None) -> None:
    """Refuse metadata that is not a JSON object of plain values, or nests too deeply.

    Raises:
        InvalidArgumentError: with the reason.
    """
    if metadata is None:
        return
    if not isinstance(metadata, dict):
        raise InvalidArgumentError("metadata must be a JSON object")
    level: list[Any] = [metadata]
    for _ in range(MAX_METADATA_DEPTH):
        level = [
            child
            for value in level
            for child in (value.values() if isinstance(value, dict) else value)
            if isinstance(child, dict | list)
        ]
        if not level:
            break
    else:
        raise InvalidArgumentError(f"metadata nests deeper than {MAX_METADATA_DEPTH} levels")
    try:
        json.dumps(metadata, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise InvalidArgumentError("metadata must hold only JSON values") from error


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
    """Build a new session (not stored) with a fresh token.

    The expiry is ``now + expires_in``, never past ``now + max_lifetime`` (the absolute
    timeout, 30 days unless told otherwise; None turns it off). ``keys`` key the
    user-derived part of the id (the process's local key when absent).

    Raises:
        InvalidArgumentError: an empty or over-long user id, or a lifetime out of range.
    """
    if not isinstance(user_id, str) or not 1 <= len(user_id) <= MAX_USER_ID_CHARS:
        raise InvalidArgumentError("user_id must be 1 to 256 characters")
    lifetime = DEFAULT_EXPIRES_IN if expires_in is None else expires_in
    check_lifetime(lifetime)
    check_metadata(metadata)
    created = _now(now)
    session_id = new_session_id((keys or default_key_ring()).user_ref(user_id).location)
    token = new_token(session_id)
    expires_at = created + lifetime
    if max_lifetime is not None:
        expires_at = min(expires_at, created + max_lifetime)
    return Session(
        id=session_id,
        user_id=user_id,
        token=token,
        token_hash=hash_token(token),
        created_at=created,
        expires_at=expires_at,
        metadata=dict(metadata) if metadata is not None else None,
        sliding_expiration=sliding_expiration,
        bound_user_agent=bound_user_agent,
        lifetime=lifetime,
        last_active_at=created,
    )


def check(
    token: str,
    session: Session,
    now: datetime,
    grace: timedelta = DEFAULT_REFRESH_GRACE,
    *,
    user_agent: str | None = None,
    marker: RevocationMarker | None = None,
) -> Verdict:
    """Decide whether ``token`` may use ``session`` at ``now``.

    Order matters: a secret that is neither the current one nor a retired one is
    ``invalid_token`` whatever the session's state (a guess learns nothing and, above
    all, revokes nothing: otherwise anyone who saw an id could log its owner out). A
    retired token is reuse unless it is the immediate predecessor within the grace
    window (rule 11). Then revocation (tombstone or a per-user "revoked before"
    marker), expiry, and last the user agent.
    """
    presented = hash_token(token)
    if session.token_hash and compare_digest(presented, session.token_hash):
        via_previous = False
    else:
        generation = retired_generation(presented, session.retired)
        if generation is None:
            return _INVALID
        rotated_at = session.rotated_at or session.created_at
        if generation > 0 or now > rotated_at + grace:
            return _REVOKED if session.is_revoked else _REUSE
        via_previous = True
    if session.revoked_at is not None or (marker is not None and marker.revokes(session)):
        return Verdict("session_revoked", via_previous) if via_previous else _REVOKED
    if now >= session.expires_at:
        return Verdict("session_expired", via_previous) if via_previous else _EXPIRED
    if session.bound_user_agent is not None and user_agent != session.bound_user_agent:
        return Verdict("user_agent_mismatch", via_previous) if via_previous else _MISMATCH
    return Verdict(None, True) if via_previous else _USABLE


def retired_generation(token_hash: str, retired: tuple[str, ...]) -> int | None:
    """Which retired token ``token_hash`` is (0 = the immediate predecessor), or None.

    Every entry is compared (constant time each) so the answer's timing does not say
    which generation matched.
    """
    digest = retired_digest(token_hash)
    found = None
    for generation, candidate in enumerate(retired):
        if compare_digest(digest, candidate) and found is None:
            found = generation
    return found


def validate_session(
    token: str,
    session: Session,
    *,
    now: datetime | None = None,
    user_agent: str | None = None,
    grace: timedelta = DEFAULT_REFRESH_GRACE,
    marker: RevocationMarker | None = None,
) -> ValidationResult:
    """Validate ``token`` against ``session`` (and the user's revocation ``marker``,
    when there is one) with the manager's rules; no store, no side effects."""
    verdict = check(
        token, session, now=_now(now), grace=grace, user_agent=user_agent, marker=marker
    )
    if verdict.error is not None:
        return ValidationResult(valid=False, error=verdict.error)
    return ValidationResult(valid=True, session=session.model_copy(update={"token": None}))


def destroy_session(
    session: Session, *, now: datetime | None = None, reason: RevokedReason = "revoked"
) -> Session:
    """Return a revoked copy of ``session`` (an already revoked one keeps its time and
    reason)."""
    if session.revoked_at is not None:
        return session
    return session.model_copy(update={"revoked_at": _now(now), "revoked_reason": reason})


def extended_expiry(session: Session, now: datetime, max_lifetime: timedelta | None) -> datetime:
    """``now + lifetime``, never past ``created_at + max_lifetime`` (the absolute cap)."""
    expiry = now + session.lifetime
    if max_lifetime is not None:
        expiry = min(expiry, session.created_at + max_lifetime)
    return expiry


def sliding_due(session: Session, now: datetime) -> bool:
    """True when less than half of a sliding session's window is left."""
    return session.sliding_expiration and session.expires_at - now < session.lifetime / 2


def refresh_session(
    session: Session,
    *,
    slide_only: bool = False,
    now: datetime | None = None,
    max_lifetime: timedelta | None = DEFAULT_MAX_LIFETIME,
    keys: KeyRing | None = None,
) -> Session:
    """Return the refreshed copy of ``session``, as `SessionManager.refresh` computes
    it: expiry ``now + lifetime`` capped at ``created_at + max_lifetime`` and (unless
    ``slide_only``) a rotated token, its predecessor remembered as retired.

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


def rotated(
    session: Session, token: str, now: datetime, expires_at: datetime, keys: KeyRing
) -> Session:
    """The copy of ``session`` after ``token`` (its current token) is rotated out at
    ``now``: the successor derived from ``token`` with the current key, ``token``
    first among the retired."""
    successor = successor_token(session.id, keys.successor_secret(token))
    retired = (retired_digest(hash_token(token)), *session.retired)[:RETIRED_GENERATIONS]
    return session.model_copy(
        update={
            "token": successor,
            "token_hash": hash_token(successor),
            "retired": retired,
            "rotated_at": now,
            "expires_at": expires_at,
            "last_active_at": now,
        }
    )
