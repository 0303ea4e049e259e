"""The session rules as pure functions: build, check, extend, rotate, revoke.

No I/O and no clock of their own: `SessionManager` calls these with the store's record
and its injected clock, and the original's standalone functions (`original`) are built
on them too, so the rules live in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from hmac import compare_digest
from typing import Any, NamedTuple

from sessions_core.errors import InvalidArgumentError
from sessions_core.keys import KeyRing
from sessions_core.limits import (
    check_ip_address,
    check_lifetime,
    check_metadata,
    check_user_id,
)
from sessions_core.models import Device, RevokedReason, Session, ValidationError
from sessions_core.records import RevocationMarker
from sessions_core.tokens import (
    hash_token,
    new_session_id,
    new_token,
    retired_digest,
    secret_of,
    token_of,
)

# How many digests of unstamped (older) retired tokens a session keeps at most.
RETIRED_GENERATIONS = 16
MAX_AAL = 3


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


@dataclass(frozen=True)
class Origin:
    """Where a session is used from: its device (parsed at create), address, country."""

    device: Device | None = None
    ip_address: str | None = None
    country: str | None = None


def new_session(
    *,
    user_id: str,
    expires_in: timedelta,
    now: datetime,
    keys: KeyRing,
    max_lifetime: timedelta | None,
    metadata: dict[str, Any] | None = None,
    sliding_expiration: bool = False,
    bound_user_agent: str | None = None,
    origin: Origin | None = None,
    aal: int = 1,
    limited: bool = False,
) -> Session:
    """A new session (not stored) with a fresh token, created at ``now``.

    Its id carries the user's keyed location (``keys``). Its absolute timeout is
    ``now + max_lifetime`` (None: none) and its expiry ``now + expires_in``, never past
    it: the same cap refresh and sliding apply. ``now`` is also when the user last
    proved who they are (``authenticated_at``) and when the session was last active.

    Raises:
        InvalidArgumentError: an empty or over-long user id, a lifetime out of range,
            metadata past the limits, an ``aal`` outside 1-3, or an origin whose address
            is not a plain IP address.
    """
    check_user_id(user_id)
    check_lifetime(expires_in)
    check_metadata(metadata)
    check_aal(aal)
    check_ip_address(origin.ip_address if origin else None)
    session_id = new_session_id(keys.user_ref(user_id).location)
    token = new_token(session_id, keys)
    where = origin or Origin()
    absolute = now + max_lifetime if max_lifetime is not None else None
    expires_at = now + expires_in if absolute is None else min(now + expires_in, absolute)
    return Session(
        id=session_id,
        user_id=user_id,
        token=token,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=expires_at,
        metadata=dict(metadata) if metadata is not None else None,
        sliding_expiration=sliding_expiration,
        bound_user_agent=bound_user_agent,
        lifetime=expires_in,
        last_active_at=now,
        device=where.device,
        ip_address=where.ip_address,
        country=where.country,
        absolute_expires_at=absolute,
        authenticated_at=now,
        aal=aal,
        limited=limited,
    )


def check(
    token: str,
    session: Session,
    now: datetime,
    grace: timedelta,
    keys: KeyRing,
    *,
    user_agent: str | None = None,
    marker: RevocationMarker | None = None,
    admitted: bool = True,
) -> Verdict:
    """Decide whether ``token`` may use ``session`` at ``now``.

    Order matters: a secret that is neither the current one nor a retired one is
    ``invalid_token`` whatever the session's state (a guess learns nothing and, above
    all, revokes nothing: otherwise anyone who saw an id could log its owner out). A
    retired token, of any generation, is reuse unless it is the immediate predecessor
    within the grace window (`predecessor`). Then revocation (a tombstone or a
    per-user "revoked before" marker), expiry, no longer being ``admitted`` under the
    per-user limit (evicted), and last the user agent.

    Costs one SHA-256 and one HMAC per key of ``keys``, whatever the token.
    """
    presented = hash_token(token)
    if session.token_hash and compare_digest(presented, session.token_hash):
        via_previous = False
    else:
        retired = predecessor(token, presented, session, keys)
        if retired is None:
            return _INVALID
        rotated_at = session.rotated_at or session.created_at
        if not retired or now > rotated_at + grace:
            return _REVOKED if session.is_revoked else _REUSE
        via_previous = True
    if session.revoked_at is not None or (marker is not None and marker.revokes(session)):
        return Verdict("session_revoked", via_previous) if via_previous else _REVOKED
    if now >= session.expires_at:
        return Verdict("session_expired", via_previous) if via_previous else _EXPIRED
    if not admitted:  # after expiry: an expired session also leaves the admitted ones
        return Verdict("session_revoked", via_previous) if via_previous else _REVOKED
    if session.bound_user_agent is not None and user_agent != session.bound_user_agent:
        return Verdict("user_agent_mismatch", via_previous) if via_previous else _MISMATCH
    return Verdict(None, True) if via_previous else _USABLE


def predecessor(token: str, token_hash: str, session: Session, keys: KeyRing) -> bool | None:
    """For a token that is not ``session``'s current one: None when it never was one
    of its tokens (a forgery, or another session's), else whether it is the immediate
    predecessor of the current token (True) or older (False).

    A stamped token says its generation (checked under every key of the ring, so
    tokens issued before a key rotation are recognised): the predecessor's is the
    current one less one. A token issued before secrets were stamped is found among
    the session's remembered digests; it is the predecessor when it was rotated out
    last, i.e. when the session has not been rotated since (generation 0), or once
    and from it (generation 1).
    """
    generation = keys.generation_of(session.id, secret_of(token))
    if generation is not None:
        return generation == session.generation - 1 if generation < session.generation else None
    position = retired_generation(token_hash, session.retired)
    if position is None:
        return None
    return position == 0 and session.generation <= 1


def retired_generation(token_hash: str, retired: tuple[str, ...]) -> int | None:
    """Which remembered (unstamped) retired token ``token_hash`` is (0 = the newest),
    or None.

    Every entry is compared (constant time each) so the answer's timing does not say
    which generation matched.
    """
    digest = retired_digest(token_hash)
    found = None
    for generation, candidate in enumerate(retired):
        if compare_digest(digest, candidate) and found is None:
            found = generation
    return found


def revoked(session: Session, at: datetime, reason: RevokedReason) -> Session:
    """The revoked copy of ``session``; one already revoked keeps its time and reason
    (the first revocation's reason is never overwritten)."""
    if session.revoked_at is not None:
        return session
    return session.model_copy(update={"revoked_at": at, "revoked_reason": reason})


def extended_expiry(
    session: Session, now: datetime, max_lifetime: timedelta | None = None
) -> datetime:
    """``now + lifetime``, never past the session's absolute timeout, nor past
    ``created_at + max_lifetime`` when given (a configured cap lowered since)."""
    expiry = now + session.lifetime
    if session.absolute_expires_at is not None:
        expiry = min(expiry, session.absolute_expires_at)
    if max_lifetime is not None:
        expiry = min(expiry, session.created_at + max_lifetime)
    return expiry


def activity_due(session: Session, now: datetime, resolution: timedelta | None) -> bool:
    """True when a use at ``now`` should be written down (at most once per
    ``resolution``; None: never)."""
    if resolution is None:
        return False
    return session.last_active_at is None or now - session.last_active_at >= resolution


def check_aal(aal: object) -> None:
    """Refuse an assurance level that is not 1, 2 or 3.

    Raises:
        InvalidArgumentError: with the reason.
    """
    if type(aal) is not int or not 1 <= aal <= MAX_AAL:
        raise InvalidArgumentError(f"aal must be an integer from 1 to {MAX_AAL}")


def sliding_due(session: Session, now: datetime) -> bool:
    """True when less than half of a sliding session's window is left."""
    return session.sliding_expiration and session.expires_at - now < session.lifetime / 2


def rotated(
    session: Session, token: str, now: datetime, expires_at: datetime, keys: KeyRing
) -> Session:
    """The copy of ``session`` after ``token`` (its current token) is rotated out at
    ``now``: the successor derived from ``token`` with the current key and stamped
    with the next generation. Nothing about ``token`` is stored: its own stamp will say
    it is retired. Only an unstamped token (issued before stamps) is remembered, by
    digest, as such tokens always were.

    Raises:
        InvalidArgumentError: the session has had 2**32 - 1 rotations.
    """
    generation = session.generation + 1
    successor = token_of(session.id, keys.successor_secret(session.id, token, generation))
    retired = session.retired
    if keys.generation_of(session.id, secret_of(token)) is None:
        retired = (retired_digest(hash_token(token)), *retired)[:RETIRED_GENERATIONS]
    return session.model_copy(
        update={
            "token": successor,
            "token_hash": hash_token(successor),
            "generation": generation,
            "retired": retired,
            "rotated_at": now,
            "expires_at": expires_at,
            "last_active_at": now,
        }
    )
