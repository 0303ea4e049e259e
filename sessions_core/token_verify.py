"""Verifying an access token offline: PyJWT does the signature and the registered
claims; the profile's own checks (``typ``, ``kid``, one audience) are here. Light on
purpose (no pydantic, no store): the authorizer verifies on its cold path.

Refused, always with `InvalidAccessTokenError`: anything not RS256 (``alg: none``,
HMAC, even an HS256 token signed with a public key as its secret), a ``typ`` other than
``at+jwt``/``application/at+jwt``, a ``kid`` the key set does not publish, another
issuer or audience, ``exp`` passed or ``nbf`` to come (5 s leeway), a claim missing; and
what only a leaked key could sign: a lifetime over the longest we issue, another
``client_id``, an ``acr`` that is not its ``aal``, a padded or otherwise respelt token,
a header longer than ours (refused before it is parsed).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import RSAAlgorithm
from jwt.utils import base64url_decode

from sessions_core.access_tokens import AccessTokenClaims, AccessTokenPolicy
from sessions_core.errors import InvalidAccessTokenError, SessionError
from sessions_core.signing_keys import ALGORITHM, MAX_TOKEN_LIFETIME, KeyEntry

MAX_TOKEN_CHARS = 8 * 1024
# Our header is about 120 characters (alg, typ, kid): anything much longer is not ours,
# and is refused before it is parsed (a deeply nested one would exhaust the stack).
MAX_HEADER_CHARS = 512
_SEGMENT = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
# What a token PyJWT or our own checks cannot read raises (a nested header: recursion).
_UNREADABLE = (
    jwt.PyJWTError,
    SessionError,
    ValueError,
    TypeError,
    KeyError,
    AttributeError,
    RecursionError,
)
# How many verified tokens a verifier remembers (about 1 KB each).
VERIFIED_KEPT = 4096
_TYPES = frozenset({"at+jwt", "application/at+jwt"})
_REQUIRED = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "client_id", "sid", "sct"]
_INTS = ("sct", "iat", "nbf", "exp", "auth_time", "aal")


def public_key(entry: KeyEntry) -> RSAPublicKey:
    """The RSA public key of a key set entry.

    Raises:
        InvalidAccessTokenError: the entry is not an RSA public key.
    """
    key = RSAAlgorithm.from_jwk(dict(entry.public_jwk))
    if not isinstance(key, RSAPublicKey):
        raise InvalidAccessTokenError("the key set holds a key that is not RSA public")
    return key


class Verifier:
    """Verifies access tokens against ``policy`` with the keys ``key_for`` finds by kid
    (None: not published), and times against ``clock``. Public keys are converted once
    per kid."""

    def __init__(
        self,
        policy: AccessTokenPolicy,
        key_for: Callable[[str], KeyEntry | None],
        clock: Callable[[], datetime],
    ) -> None:
        self.policy = policy
        self._key_for = key_for
        self._clock = clock
        self._keys: dict[str, RSAPublicKey] = {}
        # Tokens verified before, oldest first: a client sends the same one for minutes.
        self._verified: dict[tuple[str, str | None], tuple[AccessTokenClaims, str]] = {}

    def verify(self, token: object, *, audience: str | None = None) -> AccessTokenClaims:
        """The claims of a valid token for ``audience`` (None: the default audience
        only); `verify_signed` without the kid.

        Raises:
            InvalidAccessTokenError: the token is not valid, for any reason.
        """
        return self.verify_signed(token, audience=audience)[0]

    def verify_signed(
        self, token: object, *, audience: str | None = None
    ) -> tuple[AccessTokenClaims, str]:
        """The claims of a valid token and the kid of the key that signed it. A token
        verified before is not decoded again: its key must still be published and its
        times are checked again, which is all that can change.

        Raises:
            InvalidAccessTokenError: the token is not valid, for any reason.
        """
        if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_CHARS:
            raise InvalidAccessTokenError()
        remembered = self._verified.get((token, audience))
        if remembered is not None:  # it had one spelling when it was first verified
            claims, kid = remembered
            if self._key_for(kid) is None:
                raise InvalidAccessTokenError("no published key has this kid")
            self._check_times(claims)
            return remembered
        if not _one_spelling(token):
            raise InvalidAccessTokenError()
        verified, kid = self._decode(token, audience)
        self._check_times(verified)
        if len(self._verified) >= VERIFIED_KEPT:
            self._verified.pop(next(iter(self._verified)))
        self._verified[(token, audience)] = (verified, kid)
        return verified, kid

    def _decode(self, token: str, audience: str | None) -> tuple[AccessTokenClaims, str]:
        try:
            # The header alone, to pick the key: PyJWT decodes (and checks) all of it
            # below, and decoding it whole twice is most of a verification's CPU.
            header = json.loads(base64url_decode(token.split(".", 1)[0]))
            kid = header.get("kid")
            if header.get("alg") != ALGORITHM or not isinstance(kid, str):
                raise InvalidAccessTokenError()
            if str(header.get("typ", "")).lower() not in _TYPES:
                raise InvalidAccessTokenError()
            key = self._public(kid)
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.policy.audience(audience),
                issuer=self.policy.issuer,
                leeway=self.policy.leeway,
                # PyJWT reads the system clock; times are compared with the injected
                # one, so that issuing and verifying share one notion of now.
                options={
                    "require": _REQUIRED,
                    "strict_aud": True,
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
            return self._cross_checked(_claims(claims)), kid
        except InvalidAccessTokenError:
            raise
        except _UNREADABLE as error:
            raise InvalidAccessTokenError() from error

    def _cross_checked(self, claims: AccessTokenClaims) -> AccessTokenClaims:
        # What only a holder of a signing key could get wrong: we never issue these.
        if claims.exp - claims.iat > MAX_TOKEN_LIFETIME.total_seconds():
            raise InvalidAccessTokenError("the access token lives longer than any we issue")
        if claims.client_id != self.policy.client_id:
            raise InvalidAccessTokenError("the access token names another client")
        if claims.acr != f"aal{claims.aal}":
            raise InvalidAccessTokenError("the access token's acr and aal disagree")
        return claims

    def _check_times(self, claims: AccessTokenClaims) -> None:
        now = self._clock().timestamp()
        leeway = self.policy.leeway.total_seconds()
        if claims.exp <= now - leeway:
            raise InvalidAccessTokenError("the access token has expired")
        if claims.nbf > now + leeway or claims.iat > now + leeway:
            raise InvalidAccessTokenError("the access token is not valid yet")

    def _public(self, kid: str) -> RSAPublicKey:
        # Asked every time: a key the set no longer publishes stops verifying at once.
        entry = self._key_for(kid)
        if entry is None:
            raise InvalidAccessTokenError("no published key has this kid")
        found = self._keys.get(kid)
        if found is None:
            found = self._keys[kid] = public_key(entry)
        return found


def _one_spelling(token: str) -> bool:
    """Three base64url segments without padding, and a header short enough to be ours:
    a token has one spelling (``...==`` is another spelling of the same signature)."""
    parts = token.split(".")
    return (
        len(parts) == 3
        and 0 < len(parts[0]) <= MAX_HEADER_CHARS
        and all(parts)
        and all(_SEGMENT.issuperset(part) for part in parts)
    )


def _claims(claims: dict[str, Any]) -> AccessTokenClaims:
    if any(type(claims.get(name)) is not int for name in _INTS):
        raise ValueError("a numeric claim is not an integer")
    names = AccessTokenClaims.__dataclass_fields__
    values = {name: claims[name] for name in names}
    if not all(isinstance(values[n], str) for n in ("iss", "sub", "aud", "client_id", "sid")):
        raise ValueError("a claim is not a string")
    return AccessTokenClaims(**values)
