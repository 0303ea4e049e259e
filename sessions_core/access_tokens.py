"""Access tokens: short-lived JWTs (the RFC 9068 profile) that say "this session was
valid when I was issued", for services that verify them offline with the published key
set (JWKS) instead of asking the session store.

Light on purpose (no JOSE library here): encoding is `jws_encode`'s, verifying
`token_verify`'s, both PyJWT, imported when a token is first issued or verified so
that entry points which never see one do not pay for it. No ``scope`` claim: behind
API Gateway's JWT authorizer a token holding any of a route's scopes passes, so a
caller-chosen scope would grant itself routes.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sessions_core.errors import InvalidArgumentError, SessionExpiredError
from sessions_core.signing_keys import MAX_TOKEN_LIFETIME, VERIFY_LEEWAY

if TYPE_CHECKING:
    # Only annotated: the authorizer verifies tokens without loading the models.
    from sessions_core.models import Session

TOKEN_TYPE = "at+jwt"  # noqa: S105 - the JWT header's typ, not a secret
DEFAULT_LIFETIME = timedelta(seconds=300)
MIN_LIFETIME = timedelta(seconds=1)
MAX_LIFETIME = MAX_TOKEN_LIFETIME


@dataclass(frozen=True)
class AccessTokenPolicy:
    """What access tokens say about who issued them and for whom.

    Attributes:
        issuer: ``iss``, byte for byte (no trailing slash): ``SESSIONS_TOKEN_ISSUER``.
        audiences: the allowed ``aud`` values, the first the default.
        client_id: ``client_id`` (RFC 9068 requires one).
        default_lifetime: when none is asked for (300 s; at most 3,600).
        leeway: how much clock skew verification forgives (5 s).
    """

    issuer: str
    audiences: tuple[str, ...]
    client_id: str = "sessions"
    default_lifetime: timedelta = DEFAULT_LIFETIME
    leeway: timedelta = VERIFY_LEEWAY

    def __post_init__(self) -> None:
        if not self.audiences or not all(self.audiences):
            raise InvalidArgumentError("access tokens need at least one audience")
        object.__setattr__(self, "issuer", self.issuer.rstrip("/"))

    def audience(self, requested: str | None) -> str:
        """``requested`` when it is allowed; None means the default audience only
        (never "any": a token meant for one service must not pass at another).

        Raises:
            InvalidArgumentError: an audience that is not configured.
        """
        if requested is None:
            return self.audiences[0]
        if requested not in self.audiences:
            raise InvalidArgumentError("audience is not one this service issues tokens for")
        return requested

    def lifetime(self, requested: timedelta | None) -> timedelta:
        """``requested`` (1 s to 1 h), else the default.

        Raises:
            InvalidArgumentError: out of range.
        """
        lifetime = self.default_lifetime if requested is None else requested
        if not MIN_LIFETIME <= lifetime <= MAX_LIFETIME:
            raise InvalidArgumentError("expires_in must be 1 to 3600 seconds")
        return lifetime


@dataclass(frozen=True)
class AccessToken:
    """An issued access token (the JWT is kept out of ``repr``)."""

    access_token: str = field(repr=False)
    expires_at: datetime
    session_id: str
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret

    def expires_in(self, now: datetime) -> int:
        """Seconds left at ``now`` (what an OAuth-style answer calls ``expires_in``)."""
        return max(0, math.ceil((self.expires_at - now).total_seconds()))


@dataclass(frozen=True)
class AccessTokenClaims:
    """The claims of a verified access token (times in epoch seconds, ``sct`` in epoch
    milliseconds: the session's creation, what a user-level revocation compares)."""

    iss: str
    sub: str
    aud: str
    client_id: str
    sid: str
    sct: int
    iat: int
    nbf: int
    exp: int
    jti: str
    auth_time: int
    acr: str
    aal: int

    @property
    def user_id(self) -> str:
        """The user (``sub``)."""
        return self.sub

    @property
    def session_id(self) -> str:
        """The session (``sid``)."""
        return self.sid


def claims_for(
    session: Session,
    policy: AccessTokenPolicy,
    *,
    audience: str,
    issued_at: datetime,
    lifetime: timedelta,
) -> dict[str, Any]:
    """The claims of a token for ``session``, issued at ``issued_at`` (read before the
    session was validated). ``exp`` is ``iat`` + the lifetime, never past the session's
    expiry or absolute expiry.

    Raises:
        SessionExpiredError: less than a second of the session is left.
    """
    iat = int(issued_at.timestamp())
    ends = min(t for t in (session.expires_at, session.absolute_expires_at) if t is not None)
    left = ends - issued_at
    if left < MIN_LIFETIME:
        raise SessionExpiredError("less than a second of the session is left")
    # iat is rounded down, so iat + whole seconds left never passes the session's end.
    seconds = min(int(lifetime.total_seconds()), math.floor(left.total_seconds()))
    proved = session.authenticated_at or session.created_at
    return {
        "iss": policy.issuer,
        "sub": session.user_id,
        "aud": audience,
        "client_id": policy.client_id,
        "sid": session.id,
        "sct": round(session.created_at.timestamp() * 1000),
        "iat": iat,
        "nbf": iat,
        "exp": iat + seconds,
        "jti": secrets.token_urlsafe(16),
        "auth_time": int(proved.timestamp()),
        "acr": f"aal{session.aal}",
        "aal": session.aal,
    }


def expires_at(claims: dict[str, Any]) -> datetime:
    """The ``exp`` of ``claims`` as a datetime."""
    return datetime.fromtimestamp(int(claims["exp"]), UTC)
